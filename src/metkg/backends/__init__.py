"""Where the graph lives: the embedded Oxigraph store (default) or an external SPARQL 1.1 server.

With ``METKG_BACKEND=sparql`` ``metkg build`` validates, maps and reasons as usual and then
replaces metkg's named graphs on the server (:mod:`~metkg.backends.publish`), and ``metkg serve``
forwards ``/sparql``, the named queries and linked-data lookups to it
(:mod:`~metkg.backends.serving`, :mod:`~metkg.backends.remote_store`), answering in the same
formats, with the same timeouts and errors. :mod:`~metkg.backends.endpoint` speaks the SPARQL 1.1
Protocol and the Graph Store Protocol; :mod:`~metkg.backends.virtuoso` runs Virtuoso for tests and
benchmarks and drives its bulk loader. docs/external-engines.md tells how to point metkg at
Virtuoso, Fuseki, GraphDB or QLever.
"""

from __future__ import annotations

from metkg.backends.endpoint import SparqlEndpoint
from metkg.backends.remote_store import RemoteStore, UnionPolicy

__all__ = ["RemoteStore", "SparqlEndpoint", "UnionPolicy"]
