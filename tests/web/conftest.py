"""Fixtures of the web tests: a real store built from fixture records, served by real uvicorn.

The store is built once per session (``metkg.build.build_graph``) from the records in
``tests/fixtures/web/records`` with the project's ontology and the real reasoning step, so the
named queries that read derived facts test what the build really materialises.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph
import pytest
import uvicorn
from fastapi import FastAPI

from metkg.build import build_graph
from metkg.iris import inferred_graph
from metkg.settings import PROJECT_ROOT, Settings
from metkg.store import StoreLayout
from metkg.vocab import METKG, RDF
from metkg.web.connections import server_config
from metkg.web.server import create_app

WEB_FIXTURES = Path(__file__).parents[1] / "fixtures" / "web"
RECORDS = WEB_FIXTURES / "records"
BASE = "https://w3id.org/metkg/"
SCALP = "10.9999/metkg-web.0001"
MARROW = "10.9999/metkg-web.0002"
LMS = "10.9999/metkg-web.0003"

#: Keys of each category the fixture records use.
DERIVED_CLASSES = ("ReceptorConversion", "TimeToMetastasis", "DiagnosticDelay")


def web_settings(root: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "store": root / "store",
        "data_dir": RECORDS,
        "ontology_dir": PROJECT_ROOT / "ontology",
        "corpus_dir": None,
        "base_iri": BASE,
        "query_timeout": 10.0,
        "query_workers": 2,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def unreasoned_store(root: Path, **overrides: object) -> Settings:
    """Settings of a store built in ``root`` from a copy of the fixture records, without the
    reasoner or SHACL (for tests of serving, not of what reasoning derives)."""
    data = root / "data"
    shutil.copytree(RECORDS, data / "cases")
    settings = web_settings(root, data_dir=data, **overrides)
    build_graph(settings, [data], reason=False, shacl=False)
    return settings


def assert_derived_facts(settings: Settings) -> None:
    """The build materialised every kind of derived node the fixture records call for."""
    store = StoreLayout(settings.store).open_read_only()
    graph = pyoxigraph.NamedNode(inferred_graph(settings.base_iri))
    for name in DERIVED_CLASSES:
        typed = store.quads_for_pattern(None, pyoxigraph.NamedNode(RDF.type), pyoxigraph.NamedNode(METKG[name]), graph)
        assert next(iter(typed), None) is not None, f"the build materialised no metkg:{name} nodes"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    """A uvicorn server running the app in a thread."""

    app: FastAPI
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30.0, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def built_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a store built from the fixture records (with derived facts)."""
    settings = web_settings(tmp_path_factory.mktemp("web"))
    build_graph(settings, [RECORDS], reason=True, shacl=False)
    assert_derived_facts(settings)
    return settings


def start_server(settings: Settings) -> LiveServer:
    app = create_app(settings)
    port = free_port()
    config = server_config(app, settings.model_copy(update={"host": "127.0.0.1", "port": port}), log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    return LiveServer(app, f"http://127.0.0.1:{port}", server, thread)


def stop_server(live: LiveServer) -> None:
    live.server.should_exit = True
    live.thread.join(15)


@pytest.fixture(scope="session")
def live(built_settings: Settings) -> Iterator[LiveServer]:
    """The app on uvicorn, serving the fixture store."""
    server = start_server(built_settings)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with live.client() as http:
        yield http
