"""An external SPARQL server seen through the part of pyoxigraph's ``Store`` API metkg reads with.

:class:`RemoteStore` answers ``query`` (with the same keyword arguments as
``pyoxigraph.Store.query``: prefixes, base IRI, substitutions, dataset), ``quads_for_pattern``,
``contains_named_graph`` and ``named_graphs`` over the SPARQL 1.1 Protocol. So the code that runs
queries and describes resources on the embedded store (:func:`metkg.sparql.execute.run_query`,
:mod:`metkg.web.describe`) runs unchanged on Virtuoso, Fuseki, GraphDB or QLever.

**The union default graph.** metkg stores every statement in a named graph (one per case
report, the ontology, the inferred facts) and its queries read the *default* graph, which the
embedded store makes the union of all named graphs. External engines differ: Virtuoso (out of
the box), GraphDB and QLever answer from all graphs when a query names none; Fuseki does only
with ``unionDefaultGraph``, and Virtuoso not when its ``[SPARQL] DefaultGraph`` is set.
:class:`UnionPolicy` decides what is sent with a query that names no dataset: nothing
(``native``), every metkg graph as a ``default-graph-uri`` (``graphs``), or one union graph IRI
the server provides (Fuseki's ``urn:x-arq:UnionGraph``, a Virtuoso graph group). ``auto``
checks the server once and picks ``native`` or ``graphs``.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QueryBoolean, QuerySolutions, Triple, Variable

from metkg.backends.endpoint import SparqlEndpoint
from metkg.backends.rewrite import (
    mentions_graph,
    query_form,
    sparql_term,
    with_prologue,
    with_values,
    without_lateral,
)
from metkg.errors import ConfigurationError
from metkg.settings import Settings
from metkg.vocab import METKG, RDF

__all__ = ["RemoteStore", "UnionPolicy", "metkg_graphs"]

log = logging.getLogger("metkg.backends")

#: Above this many graphs, naming each one with every query is refused (URLs and headers grow too long).
MAX_NAMED_DEFAULT_GRAPHS = 500
_PAGE = 50_000
_GRAPHS_TTL = 60.0
_CASE_GRAPHS = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?c <{RDF.type}> <{METKG.CaseReport}> }} }}"


def metkg_graphs(endpoint: SparqlEndpoint, base_iri: str) -> list[str]:
    """The named graphs of metkg's build on the server: every case report's, the ontology and the inferred graph.

    Found by index lookups (each case graph holds one ``metkg:CaseReport``), not by scanning every quad.
    """
    rows = endpoint.select(_CASE_GRAPHS, timeout=max(endpoint.timeout, 300))
    assert isinstance(rows, QuerySolutions)
    graphs = {row["g"].value for row in rows if row["g"].value.startswith(f"{base_iri}graph/")}
    for fixed in (f"{base_iri}graph/ontology", f"{base_iri}graph/inferred"):
        answer = endpoint.select(f"ASK {{ GRAPH <{fixed}> {{ ?s ?p ?o }} }}")
        if isinstance(answer, QueryBoolean) and bool(answer):
            graphs.add(fixed)
    return sorted(graphs)


@dataclass
class UnionPolicy:
    """What to send with a query that names no dataset so its default graph is every metkg graph."""

    mode: str  # "native", "graphs" or "iri"
    iri: str | None = None

    @classmethod
    def from_setting(cls, value: str) -> UnionPolicy:
        value = value.strip()
        if value in ("auto", "native", "graphs"):
            return cls(value)
        if ":" in value:
            return cls("iri", value)
        raise ConfigurationError(
            f"METKG_SPARQL_DEFAULT_GRAPH must be auto, native, graphs or the IRI of a union graph, got {value!r}"
        )


def probe_union(endpoint: SparqlEndpoint) -> bool | None:
    """Whether the server's default graph (no dataset named) shows what its named graphs hold;
    ``None`` while no metkg build is loaded, when there is nothing to tell.
    """
    in_graphs = endpoint.select(f"ASK {{ GRAPH ?g {{ ?c <{RDF.type}> <{METKG.CaseReport}> }} }}")
    if not bool(in_graphs):
        return None
    return bool(endpoint.select(f"ASK {{ ?c <{RDF.type}> <{METKG.CaseReport}> }}"))


class RemoteStore:
    """A read-only view of an external SPARQL server with the methods of ``pyoxigraph.Store`` metkg uses."""

    def __init__(self, endpoint: SparqlEndpoint, base_iri: str, union: UnionPolicy):
        self.endpoint = endpoint
        self.base_iri = base_iri
        self.union = union
        self._lock = threading.Lock()
        self._graphs: tuple[float, list[str]] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteStore:
        return cls(
            SparqlEndpoint.from_settings(settings),
            settings.base_iri,
            UnionPolicy.from_setting(settings.sparql_default_graph),
        )

    # -- the dataset
    def resolve_union(self) -> UnionPolicy:
        """Settle ``auto``: ``native`` when the server's default graph is the union, else ``graphs``."""
        with self._lock:
            if self.union.mode != "auto":
                return self.union
            union = probe_union(self.endpoint)
            if union is None:
                return UnionPolicy("native")  # nothing loaded yet: ask again next time
            mode = "native" if union else "graphs"
            log.info(
                "the SPARQL server's default graph %s the union of its named graphs; using %r",
                "is" if union else "is not",
                mode,
            )
            self.union = UnionPolicy(mode)
            return self.union

    def union_graphs(self) -> list[str]:
        """metkg's graphs on the server, listed at most once a minute."""
        now = time.monotonic()
        cached = self._graphs
        if cached is not None and now - cached[0] < _GRAPHS_TTL:
            return cached[1]
        graphs = metkg_graphs(self.endpoint, self.base_iri)
        if len(graphs) > MAX_NAMED_DEFAULT_GRAPHS:
            raise ConfigurationError(
                f"the SPARQL server's default graph is not the union of its named graphs, and naming all "
                f"{len(graphs):,} of metkg's graphs with every query is too much; make the default graph the union "
                "(Fuseki: unionDefaultGraph; Virtuoso: leave [SPARQL] DefaultGraph unset) or set "
                "METKG_SPARQL_DEFAULT_GRAPH to a union graph IRI (docs/external-engines.md)"
            )
        self._graphs = (now, graphs)
        return graphs

    def _dataset(
        self, query: str, default_graph: Any, named_graphs: Any, use_default_graph_as_union: bool
    ) -> tuple[list[str], list[str]]:
        """``default-graph-uri`` and ``named-graph-uri`` values for a query."""
        if default_graph is not None or named_graphs is not None:
            return _iris(default_graph), _iris(named_graphs)
        if not use_default_graph_as_union:
            return [], []
        union = self.resolve_union()
        if union.mode == "graphs":
            # Naming the default graphs hides the other named graphs: name them again for GRAPH.
            graphs = self.union_graphs()
            return graphs, graphs
        if union.mode == "iri" and union.iri:
            return [union.iri], self.union_graphs() if mentions_graph(query) else []
        return [], []

    # -- pyoxigraph.Store's reading methods
    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        prefixes: Mapping[str, str] | None = None,
        substitutions: Mapping[Variable, NamedNode | Literal] | None = None,
        default_graph: Any = None,
        named_graphs: Any = None,
        use_default_graph_as_union: bool = False,
        **_: Any,
    ) -> QuerySolutions | QueryBoolean | list[Triple]:
        """Run a query on the server, as ``pyoxigraph.Store.query`` runs it on the embedded store."""
        bindings = [(variable.value, term) for variable, term in (substitutions or {}).items()]
        text = with_prologue(with_values(without_lateral(query), bindings), prefixes, base_iri)
        defaults, named = self._dataset(text, default_graph, named_graphs, use_default_graph_as_union)
        if query_form(text) in ("CONSTRUCT", "DESCRIBE"):
            return self.endpoint.construct(text, defaults, named)
        return self.endpoint.select(text, defaults, named)

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any, graph_name: Any = None) -> Iterator[Quad]:
        """The quads matching a pattern (``None`` matches anything), from every named graph."""
        terms = {"s": subject, "p": predicate, "o": object, "g": graph_name}
        if any(isinstance(t, BlankNode) for t in terms.values()):
            return iter(())  # blank node labels do not survive the protocol
        pattern = {name: sparql_term(t) if t is not None else f"?{name}" for name, t in terms.items()}
        select = " ".join(f"?{name}" for name, t in terms.items() if t is None) or "*"
        where = f"GRAPH {pattern['g']} {{ {pattern['s']} {pattern['p']} {pattern['o']} }}"
        return self._paged(select, where, terms)

    def _paged(self, select: str, where: str, fixed: dict[str, Any]) -> Iterator[Quad]:
        for page in itertools.count():
            query = f"SELECT {select} WHERE {{ {where} }} LIMIT {_PAGE} OFFSET {page * _PAGE}"
            if select == "*":
                query = f"ASK {{ {where} }}"
            rows = self.endpoint.select(query, timeout=max(self.endpoint.timeout, 300))
            if isinstance(rows, QueryBoolean):
                if bool(rows):
                    yield Quad(fixed["s"], fixed["p"], fixed["o"], fixed["g"])
                return
            count = 0
            for row in rows:
                count += 1
                term = {name: fixed[name] if fixed[name] is not None else row[name] for name in fixed}
                yield Quad(term["s"], term["p"], term["o"], term["g"])
            if count < _PAGE:
                return

    def contains_named_graph(self, graph: NamedNode) -> bool:
        answer = self.endpoint.select(f"ASK {{ GRAPH {sparql_term(graph)} {{ ?s ?p ?o }} }}")
        return bool(answer)

    def named_graphs(self) -> Iterator[NamedNode]:
        """metkg's named graphs on the server (other graphs the server holds are not listed)."""
        return (NamedNode(g) for g in metkg_graphs(self.endpoint, self.base_iri))

    def close(self) -> None:
        self.endpoint.close()


def _iris(graphs: Any) -> list[str]:
    if graphs is None:
        return []
    if isinstance(graphs, NamedNode):
        return [graphs.value]
    if isinstance(graphs, Sequence) or hasattr(graphs, "__iter__"):
        return [g.value for g in graphs if isinstance(g, NamedNode)]
    return []
