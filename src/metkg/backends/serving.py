"""``metkg serve`` on an external SPARQL server: the served dataset and the query runner.

The web layer reads a :class:`~metkg.web.dataset.Snapshot` (a store to describe resources
with, a manifest) and runs queries through a pool with ``start``/``run``/``close``. With the
``sparql`` backend the snapshot's store is a :class:`RemoteStore`, and queries run in threads
that wait on the server over HTTP, at most ``max_concurrent_queries`` at once, each abandoned
at ``query_timeout`` (the server's own limit, e.g. Virtuoso's ``MaxQueryExecutionTime``, stops
its work). Answers are serialized by the same code as the embedded store's
(:func:`metkg.sparql.execute.run_query`), so formats, row limits and errors are the same.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from metkg.backends.remote_store import RemoteStore
from metkg.errors import MetkgError, ServerBusyError
from metkg.settings import Settings
from metkg.sparql.execute import QueryAnswer, QueryRequest, run_query
from metkg.terminology import load_terminology
from metkg.vocab import METKG, RDF

log = logging.getLogger("metkg.backends")

__all__ = ["RemoteLiveStore", "RemoteQueryPool", "manifest_path", "server_has_build"]


def manifest_path(settings: Settings) -> Path:
    """Where ``metkg build`` records what it loaded into the external server (counts, timings)."""
    return settings.store / "sparql-build.json"


def server_has_build(settings: Settings) -> bool:
    """Whether the external server holds a metkg build (a case report in one of its graphs)."""
    store = RemoteStore.from_settings(settings)
    try:
        return bool(store.endpoint.select(f"ASK {{ GRAPH ?g {{ ?c <{RDF.type}> <{METKG.CaseReport}> }} }}"))
    finally:
        store.close()


def ontology_keys(settings: Settings) -> dict[str, frozenset[str]]:
    """Keys a named query's ``site-key``, ``marker-key`` and ``key`` parameters may take, read from
    the ontology files the build loaded (Virtuoso 7 answers the embedded store's lookup query, with
    its ``rdfs:subClassOf*`` paths inside OPTIONAL, incompletely).
    """
    terms = load_terminology(settings.ontology_dir.resolve())
    every = frozenset(t.key for t in terms.all_terms())
    return {"site-key": frozenset(terms.keys("site")), "marker-key": frozenset(terms.keys("marker")), "key": every}


class RemoteLiveStore:
    """The dataset on an external server, with the interface of :class:`metkg.web.dataset.LiveStore`."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = RemoteStore.from_settings(settings)
        self._stamp: float | None = None
        self._snapshot: Any = None

    def _manifest(self) -> tuple[float | None, dict[str, Any]]:
        path = manifest_path(self.settings)
        try:
            stamp = os.stat(path).st_mtime
            return stamp, json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None, {}

    def snapshot(self) -> Any:
        """The dataset; a new snapshot (fresh key lists, manifest) after each ``metkg build``."""
        from metkg.web.dataset import Snapshot

        path = manifest_path(self.settings)
        try:
            stamp: float | None = os.stat(path).st_mtime
        except OSError:
            stamp = None
        if self._snapshot is None or stamp != self._stamp:
            stamp, manifest = self._manifest()
            snapshot = Snapshot(self.store.endpoint.query_url, self.store, self.settings.base_iri, manifest)  # type: ignore[arg-type]
            snapshot.__dict__["keys"] = ontology_keys(self.settings)  # in place of the cached SPARQL lookup
            self._snapshot, self._stamp = snapshot, stamp
        return self._snapshot

    def ready(self) -> bool:
        return True


class RemoteQueryPool:
    """Queries forwarded to the external server, with the interface of :class:`metkg.sparql.pool.QueryPool`."""

    def __init__(self, store: RemoteStore, max_concurrent: int):
        self.store = store
        self.max_concurrent = max_concurrent
        self._threads = ThreadPoolExecutor(max_workers=max_concurrent, thread_name_prefix="metkg-remote-query")
        self._running = 0

    @property
    def pids(self) -> list[int]:
        """No worker processes: the server does the work. The process id stands for the forwarder."""
        return [os.getpid()]

    async def start(self) -> None:
        """Settle the union default graph once, before the first request (or at the first, if the server is down)."""
        try:
            await asyncio.get_running_loop().run_in_executor(self._threads, self.store.resolve_union)
        except MetkgError as exc:
            log.warning("could not check the SPARQL server's default graph yet: %s", exc)

    async def run(self, _path: str, request: QueryRequest, _client: str = "") -> QueryAnswer:
        if self._running >= self.max_concurrent * 2:
            raise ServerBusyError(f"{self._running} queries are already running or waiting; retry in a moment")
        self._running += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._threads, run_query, self.store, request)  # type: ignore[arg-type]
        finally:
            self._running -= 1

    async def close(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
        self.store.close()
