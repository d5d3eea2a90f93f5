"""What the web routes share: settings, the live store, the named queries and the query workers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from pyoxigraph import Literal, NamedNode

from metkg.errors import QueryError, RequestTooLargeError, StoreError
from metkg.settings import Settings
from metkg.sparql.execute import QueryAnswer, QueryRequest
from metkg.sparql.federation import host_allowed, refusal
from metkg.sparql.named import NamedQuery, load_named_queries
from metkg.sparql.pool import QueryPool
from metkg.sparql.scan import scan_query
from metkg.store import StoreLayout
from metkg.web.dataset import LiveStore, Snapshot

__all__ = ["MAX_NESTING", "QueryService"]

#: Brackets a query may nest: real queries nest a dozen; Oxigraph's parser overflows its stack
#: (the worker dies) at a few thousand.
MAX_NESTING = 200


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
            settings = self.settings
            self.pool = QueryPool(
                settings.query_workers,
                settings.query_timeout,
                settings.max_concurrent_queries,
                memory_mb=settings.query_memory_mb,
                client_slots=settings.max_client_queries,
                client_pending=settings.max_client_pending,
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
        """Refuse a query over the length limit, an update, or a query that would call a SERVICE not allowed.

        The worker checks SERVICE again from the parsed algebra (:mod:`metkg.sparql.federation`).
        """
        limit = self.settings.max_query_length
        if len(query) > limit:
            raise RequestTooLargeError(f"the query has {len(query):,} characters; the limit is {limit:,}")
        scan = scan_query(query)
        if scan.nesting > MAX_NESTING:
            raise QueryError(f"the query nests brackets {scan.nesting} levels deep; the limit is {MAX_NESTING}")
        if scan.update_operation:  # 400 as the protocol has it (2.2): the text is not a query
            raise QueryError(
                f"this endpoint is read-only: SPARQL Update ({scan.update_operation}) is not accepted; "
                "a query is SELECT, ASK, CONSTRUCT or DESCRIBE"
            )
        allowed = self.settings.service_allow
        for iri in scan.services:
            if not host_allowed(iri, allowed):
                raise refusal(iri, allowed)

    async def run(self, request: QueryRequest, *, named: bool = False, client: str = "") -> QueryAnswer:
        """Run a query in a worker on the current build, within the timeout and the client's share.

        A client's query is checked first (:meth:`check_query`); a ``named`` query is the
        server's own text and is not held to the client's length limit. The answer's body may
        come as ``answer.chunks`` (streamed from the worker) rather than ``answer.body``.
        """
        if not named:
            self.check_query(request.query)
        if self.pool is None:
            raise StoreError("the query workers are not running")
        snapshot = self.snapshot()
        limited = replace(
            request, service_allow=tuple(self.settings.service_allow), max_bytes=self.settings.max_answer_bytes
        )
        return await self.pool.run(snapshot.path, limited, client)

    def bindings(self, query: NamedQuery, values: dict[str, str]) -> tuple[tuple[str, NamedNode | Literal], ...]:
        """A named query's parameters as typed terms, checked against the current build's keys."""
        snapshot = self.snapshot()
        bound = query.substitutions(values, self.base_iri, snapshot.known_keys)
        return tuple((variable.value, term) for variable, term in bound.items())
