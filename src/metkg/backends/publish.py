"""Replace metkg's named graphs on an external SPARQL server with a new build.

metkg owns every graph whose IRI starts with ``{base}graph/``: one per case report, the
ontology and the inferred facts. Publishing a build makes the server hold exactly the build's
graphs there: each graph of the build is replaced, and metkg graphs the build no longer has
(a case removed from ``data/``) are deleted. Other graphs on the server are left alone.

Two loaders:

- ``gsp`` (any SPARQL 1.1 server): the Graph Store HTTP Protocol, one ``PUT`` of N-Triples per
  graph (very large graphs in several requests: ``PUT`` then ``POST``), a few at a time.
  Readers see each graph switch from old to new; during the load some graphs are old, some new.
- ``virtuoso``: Virtuoso's bulk loader (``ld_dir`` + ``rdf_loader_run`` through ``isql``) from
  N-Quads files written to ``bulk_load_dir``, a directory the server may read (its
  ``DirsAllowed``). metkg's graphs are deleted first, so readers see none of them until the
  load finishes. Several times faster once there are thousands of graphs.
"""

from __future__ import annotations

import json
import shutil
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import Quad, RdfFormat, Triple

from metkg.backends.endpoint import SparqlEndpoint
from metkg.backends.remote_store import metkg_graphs
from metkg.backends.serving import manifest_path
from metkg.backends.virtuoso import bulk_load, drop_graphs_with_prefix
from metkg.errors import ConfigurationError
from metkg.settings import Settings

__all__ = ["publish_to_server", "write_manifest"]

Progress = Callable[[str, int, int], None]

#: Triples per Graph Store request; a larger graph goes in several requests.
CHUNK_TRIPLES = 200_000
_GSP_CONNECTIONS = 4
_NQUADS_FILES = 2


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


def _by_graph(quad_lists: Iterable[Iterable[Quad]], prefix: str) -> dict[str, list[Triple]]:
    graphs: dict[str, list[Triple]] = defaultdict(list)
    for quads in quad_lists:
        for quad in quads:
            name = getattr(quad.graph_name, "value", "")
            if not name.startswith(prefix):
                raise ConfigurationError(f"a quad of graph {name!r} is outside metkg's graphs ({prefix}...)")
            graphs[name].append(quad.triple)
    return graphs


def _put_graph(endpoint: SparqlEndpoint, graph: str, triples: list[Triple]) -> None:
    endpoint.put_graph(graph, triples[:CHUNK_TRIPLES], replace=True)
    for start in range(CHUNK_TRIPLES, len(triples), CHUNK_TRIPLES):
        endpoint.put_graph(graph, triples[start : start + CHUNK_TRIPLES], replace=False)


def _load_gsp(endpoint: SparqlEndpoint, graphs: dict[str, list[Triple]], stale: list[str], progress: Progress) -> None:
    done = 0
    lock = threading.Lock()
    total = len(graphs) + len(stale)

    def put(item: tuple[str, list[Triple]]) -> None:
        nonlocal done
        _put_graph(endpoint, *item)
        with lock:
            done += 1
            progress("publish", done, total)

    def delete(graph: str) -> None:
        nonlocal done
        endpoint.delete_graph(graph)
        with lock:
            done += 1
            progress("publish", done, total)

    with ThreadPoolExecutor(_GSP_CONNECTIONS, thread_name_prefix="metkg-gsp") as pool:
        list(pool.map(put, sorted(graphs.items())))
        list(pool.map(delete, stale))


def _write_nquads(graphs: dict[str, list[Triple]], folder: Path) -> None:
    """The graphs as N-Quads files of about equal size, for parallel loaders."""
    folder.mkdir(parents=True)
    names = sorted(graphs)
    share = -(-len(names) // _NQUADS_FILES)
    for i in range(_NQUADS_FILES):
        part = names[i * share : (i + 1) * share]
        quads = (Quad(t.subject, t.predicate, t.object, pyoxigraph.NamedNode(g)) for g in part for t in graphs[g])
        with (folder / f"part-{i}.nq").open("wb") as out:
            pyoxigraph.serialize(quads, out, format=RdfFormat.N_QUADS)


def _load_virtuoso(settings: Settings, graphs: dict[str, list[Triple]], progress: Progress) -> None:
    if settings.bulk_load_dir is None:
        raise ConfigurationError(
            "the virtuoso loader needs METKG_BULK_LOAD_DIR: a directory metkg writes and Virtuoso may read "
            "(listed in DirsAllowed of virtuoso.ini)"
        )
    user = settings.sparql_user or "dba"
    password = settings.sparql_password.get_secret_value() if settings.sparql_password else ""
    folder = settings.bulk_load_dir.resolve() / f"metkg-{uuid.uuid4().hex[:12]}"
    try:
        progress("write n-quads", 0, 0)
        _write_nquads(graphs, folder)
        progress("drop old graphs", 0, 0)
        command = settings.virtuoso_isql_command
        drop_graphs_with_prefix(settings.virtuoso_isql, user, password, f"{settings.base_iri}graph/", command=command)
        progress("bulk load", 0, 0)
        bulk_load(settings.virtuoso_isql, user, password, folder, loaders=_NQUADS_FILES, command=command)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def publish_to_server(
    settings: Settings, quad_lists: Iterable[Iterable[Quad]], progress: Progress = _no_progress
) -> dict[str, int]:
    """Make the external server hold exactly these quads in metkg's graphs; return counts."""
    prefix = f"{settings.base_iri}graph/"
    graphs = _by_graph(quad_lists, prefix)
    endpoint = SparqlEndpoint.from_settings(settings)
    try:
        if settings.sparql_loader == "virtuoso":
            _load_virtuoso(settings, graphs, progress)
        else:
            old = metkg_graphs(endpoint, settings.base_iri)
            stale = [g for g in old if g not in graphs]
            _load_gsp(endpoint, graphs, stale, progress)
    finally:
        endpoint.close()
    return {"graphs": len(graphs), "triples": sum(len(t) for t in graphs.values())}


def write_manifest(settings: Settings, manifest: dict[str, Any]) -> Path:
    """Record what the last build published (read by ``metkg serve`` for the home page and VoID)."""
    path = manifest_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)
    return path
