"""The web application and ``metkg serve``.

One server process opens the store's current build read-only for pages, descriptions and
downloads; SPARQL queries (``/sparql`` and the named queries) run in worker processes that
are killed at the query timeout (:mod:`metkg.sparql.pool`). Routes:

- ``/``                 home page
- ``/sparql``           SPARQL 1.1 Protocol query endpoint, Service Description, query page
- ``/queries``          named queries (``queries/*.rq``), ``/queries/{name}?param=...``
- ``/ontology``         the ontology, documented for people and serialized for machines
- ``/export``           the whole dataset, streamed (Turtle, TriG, N-Quads, N-Triples, JSON-LD, RDF/XML)
- ``/graph-store``      Graph Store Protocol, read side: ``?graph=IRI`` or ``?default``
- ``/cases/{id}``       PUT one case record (YAML) with the write token: added or replaced atomically
- ``/.well-known/void`` VoID description
- ``/health``           readiness
- ``/{path}``           every IRI the build mints (``{base}{path}``), dereferenced
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from metkg.errors import ConfigurationError
from metkg.settings import Settings
from metkg.store import StoreLayout
from metkg.web import (
    graph_store,
    linked_data,
    query_routes,
    site_routes,
    sparql_routes,
    write_routes,
)
from metkg.web.app import review as review_routes
from metkg.web.app import routes as app_routes
from metkg.web.app.browse import warm_in_background
from metkg.web.app.pages import STATIC
from metkg.web.caching import ConditionalGetMiddleware
from metkg.web.connections import server_config
from metkg.web.errors import install_error_handlers
from metkg.web.headers import HeadersMiddleware
from metkg.web.methods import HeadMiddleware
from metkg.web.service import QueryService
from metkg.web.streaming import StreamSlots

__all__ = ["check_port", "create_app", "run_server"]

_DESCRIPTION = """A knowledge graph of rare metastasis case reports.

The SPARQL endpoint's default graph is the union of every case report's named graph, the
ontology graph and the inferred graph (reasoner output and derived facts). Every IRI the
build mints dereferences on this server; `/ontology` documents the ontology's terms."""


def create_app(settings: Settings) -> FastAPI:
    """The metkg web application for ``settings`` (store, base IRI, timeouts, limits)."""
    service = QueryService.from_settings(settings)
    writes = write_routes.WriteProcess()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await service.start()
        warm_in_background(service.snapshot)  # the people's pages' index, read before the first page
        try:
            yield
        finally:
            await service.close()
            writes.close()

    app = FastAPI(
        title="metkg",
        description=_DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # the interactive docs load scripts from a CDN; /openapi.json stays
        redoc_url=None,
    )
    app.state.service = service
    app.state.writes = writes
    app.state.exports = StreamSlots(settings.max_exports, "downloads of /export")
    app.state.base_iri = settings.base_iri
    install_error_handlers(app)
    embedded = settings.backend != "sparql"  # an external server's data may change behind metkg's back
    app.add_middleware(ConditionalGetMiddleware, current_build=service.live.link if embedded else None)
    app.add_middleware(HeadersMiddleware)  # outside the 304s: a 304 gets the CORS headers too
    app.add_middleware(HeadMiddleware)  # outermost: every GET route answers HEAD, routes added later too
    app.include_router(app_routes.router)
    app.include_router(site_routes.router)
    app.include_router(sparql_routes.router)
    app.include_router(query_routes.router)
    app.include_router(write_routes.router)
    app.include_router(review_routes.router)
    app.include_router(graph_store.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(linked_data.router)  # last: its /{path} catches every other path
    return app


def check_port(host: str, port: int) -> None:
    """Fail with a clear message when ``host:port`` cannot be listened on (another server has it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ConfigurationError(
                f"cannot listen on {host}:{port}: {exc.strerror}; another server may be using the port: "
                "stop it or choose another with --port"
            ) from None


def run_server(settings: Settings, *, build_if_missing: bool = True, announce: Callable[[str], None] = print) -> None:
    """Serve the graph with uvicorn on ``settings.host:settings.port``; build the store first if missing."""
    import uvicorn

    check_port(settings.host, settings.port)  # before a build and before saying "serving"
    if settings.backend == "sparql":
        from metkg.backends.serving import server_has_build

        missing = not server_has_build(settings)
    else:
        missing = not StoreLayout(settings.store).exists()
    if missing and build_if_missing:
        from metkg.build import build_graph

        announce(f"no graph store at {settings.store}; building it from {settings.data_dir} first")
        result = build_graph(settings)
        announce(
            f"built {result.counts.get('case_reports', 0)} case reports, {result.counts.get('triples', 0):,} triples"
        )
    app = create_app(settings)
    announce(f"serving http://{settings.host}:{settings.port}/  (SPARQL: /sparql, base IRI {settings.base_iri})")
    if settings.write_token is not None:
        announce(
            f"writes (PUT /cases/{{id}}) are saved to {settings.data_dir / 'cases'} and published to {settings.store}"
        )
    uvicorn.Server(server_config(app, settings)).run()
