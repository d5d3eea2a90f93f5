"""Fixtures of the external-engine tests: a Virtuoso server started for the session, and a reference
store built with the embedded Oxigraph from the same records.

The Virtuoso server runs on loopback from a config file in a temporary directory and is stopped
afterwards. Tests skip with the reason when ``virtuoso-t`` is not installed (``.ci/run`` installs it
when it can).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph
import pytest
import uvicorn

from metkg.backends.virtuoso import VirtuosoServer, virtuoso_available
from metkg.build import build_graph
from metkg.iris import inferred_graph
from metkg.settings import PROJECT_ROOT, Settings
from metkg.store import StoreLayout
from metkg.vocab import METKG, RDF
from metkg.web.server import create_app

FIXTURES = Path(__file__).parents[1] / "fixtures" / "web"
RECORDS = FIXTURES / "records"
BASE = "https://w3id.org/metkg/"
SCALP = "10.9999/metkg-web.0001"
MARROW = "10.9999/metkg-web.0002"
DERIVED = ("ReceptorConversion", "TimeToMetastasis", "DiagnosticDelay")


def _assert_derived(store: pyoxigraph.Store, base: str) -> None:
    """The build's reasoning materialised every kind of derived node the fixture records call for."""
    graph = pyoxigraph.NamedNode(inferred_graph(base))
    rdf_type = pyoxigraph.NamedNode(RDF.type)
    for name in DERIVED:
        assert any(store.quads_for_pattern(None, rdf_type, pyoxigraph.NamedNode(METKG[name]), graph)), name


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    if not virtuoso_available():
        pytest.skip(
            "virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource-7-bin; .ci/run does it as root)"
        )
    server = VirtuosoServer.start(tmp_path_factory.mktemp("virtuoso"), memory_mb=300)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_settings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    return {
        "data_dir": RECORDS,
        "ontology_dir": PROJECT_ROOT / "ontology",
        "corpus_dir": None,
        "base_iri": BASE,
        "query_timeout": 60.0,  # generous: CI machines may be busy
    }


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory, base_settings: dict[str, object]) -> Settings:
    """The fixture records built into the embedded store, reasoned, with the derived facts."""
    settings = Settings(store=tmp_path_factory.mktemp("reference") / "store", **base_settings)  # type: ignore[arg-type]
    build_graph(settings, [RECORDS], reason=True, shacl=False)
    store = pyoxigraph.Store(str(StoreLayout(settings.store).current_build()))
    _assert_derived(store, BASE)
    del store
    return settings


@pytest.fixture(scope="session")
def remote(
    tmp_path_factory: pytest.TempPathFactory,
    base_settings: dict[str, object],
    virtuoso: VirtuosoServer,
    reference: Settings,
) -> Settings:
    """The same records built with ``backend=sparql`` into Virtuoso (no reasoning: the reference's
    inferred graph is copied, so both hold the same statements).
    """
    settings = Settings(
        store=tmp_path_factory.mktemp("remote") / "store",
        **base_settings,
        **virtuoso.settings_overrides(),  # type: ignore[arg-type]
    )
    build_graph(settings, [RECORDS], reason=False, shacl=False)
    from metkg.backends.endpoint import SparqlEndpoint

    store = StoreLayout(reference.store).open_read_only()
    inferred = [q.triple for q in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(inferred_graph(BASE)))]
    endpoint = SparqlEndpoint.from_settings(settings)
    endpoint.put_graph(inferred_graph(BASE), inferred)
    endpoint.close()
    return settings


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(settings: Settings) -> Iterator[httpx.Client]:
    """The app for ``settings`` on a real uvicorn in a thread; an HTTP client for it."""
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=_free_port(), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-backends", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{config.port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(15)
