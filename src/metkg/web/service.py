"""What the web routes share: settings, the live store, the named queries and the query workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pyoxigraph import Literal, NamedNode

from metkg.errors import QueryRefusedError, RequestTooLargeError, StoreError
from metkg.settings import Settings
from metkg.sparql.execute import QueryAnswer, QueryRequest
from metkg.sparql.named import NamedQuery, load_named_queries
from metkg.sparql.pool import QueryPool
from metkg.sparql.scan import scan_query
from metkg.store import StoreLayout
from metkg.web.dataset import LiveStore, Snapshot

__all__ = ["QueryService"]


@dataclass
class QueryService:
    """The server's state, built once per app."""

    settings: Settings
    live: LiveStore
    named_queries: dict[str, NamedQuery]
    pool: QueryPool | None = None
    started: bool = field(default=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> QueryService:
        if settings.backend == "sparql":  # an external SPARQL server holds the graph
            from metkg.backends.serving import RemoteLiveStore

            live: LiveStore = RemoteLiveStore(settings)  # type: ignore[assignment]
        else:
            live = LiveStore(StoreLayout(settings.store), settings.base_iri)
        return cls(settings=settings, live=live, named_queries=load_named_queries(settings.queries_dir))

    async def start(self) -> None:
        """Start the query workers."""
        if self.settings.backend == "sparql":
            from metkg.backends.serving import RemoteQueryPool

            store = self.live.store  # type: ignore[attr-defined]
            self.pool = RemoteQueryPool(store, self.settings.max_concurrent_queries)  # type: ignore[assignment]
        else:
            self.pool = QueryPool(
                self.settings.query_workers, self.settings.query_timeout, self.settings.max_concurrent_queries
            )
        await self.pool.start()
        self.started = True

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()
        self.started = False

    @property
    def base_iri(self) -> str:
        return self.settings.base_iri

    def snapshot(self) -> Snapshot:
        return self.live.snapshot()

    def check_query(self, query: str) -> None:
        """Refuse a query over the length limit, or one that would call a SERVICE not allowed."""
        limit = self.settings.max_query_length
        if len(query) > limit:
            raise RequestTooLargeError(f"the query has {len(query):,} characters; the limit is {limit:,}")
        allowed = set(self.settings.service_allow)
        for iri in scan_query(query).services:
            host = urlsplit(iri).hostname if iri else None
            if host is None or host not in allowed:
                where = f"to {iri!r}" if iri else "on a variable or prefixed name"
                raise QueryRefusedError(f"federated query (SERVICE {where}) is not allowed on this server")

    async def run(self, request: QueryRequest) -> QueryAnswer:
        """Run a query in a worker on the current build, within the timeout."""
        self.check_query(request.query)
        if self.pool is None:
            raise StoreError("the query workers are not running")
        snapshot = self.snapshot()
        return await self.pool.run(snapshot.path, request)

    def bindings(self, query: NamedQuery, values: dict[str, str]) -> tuple[tuple[str, NamedNode | Literal], ...]:
        """A named query's parameters as typed terms, checked against the current build's keys."""
        snapshot = self.snapshot()
        bound = query.substitutions(values, self.base_iri, snapshot.known_keys)
        return tuple((variable.value, term) for variable, term in bound.items())
