"""Fixtures of the web tests: a real store built from fixture records, served by real uvicorn.

The store is built once per session (``metkg.build.build_graph``) from the records in
``tests/fixtures/web/records``. The ontology is the project's ``ontology/*.ttl``; while the
project's ``terms.ttl`` lacks keys the fixture records use, ``tests/fixtures/web/ontology/terms.ttl``
stands in for it. While the build's reasoning step writes no derived facts, the nodes the
fixture records should produce (``tests/fixtures/web/derived.ttl``) are added to the inferred
graph by hand, so the named queries that read them are tested all the same.
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
from metkg.terminology import Terminology, load_ontology_graph
from metkg.vocab import METKG, RDF
from metkg.web.server import create_app

WEB_FIXTURES = Path(__file__).parents[1] / "fixtures" / "web"
RECORDS = WEB_FIXTURES / "records"
BASE = "https://w3id.org/metkg/"
SCALP = "10.9999/metkg-web.0001"
MARROW = "10.9999/metkg-web.0002"
LMS = "10.9999/metkg-web.0003"

#: Keys of each category the fixture records use.
FIXTURE_KEYS = {
    "site": {"breast", "skin", "scalp", "frontal-scalp", "meninges", "bone", "bone-marrow", "axilla", "skull"},
    "histology": {"invasive-ductal-carcinoma", "dcis", "leiomyosarcoma"},
    "marker": {"ER", "PR", "HER2", "Ki-67", "SMA"},
    "procedure": {"core-biopsy", "fna", "excision", "mastectomy", "bone-marrow-biopsy"},
    "drug": {"docetaxel", "epirubicin", "fulvestrant"},
    "gene": {"BRCA1"},
}
DERIVED_CLASSES = ("ReceptorConversion", "TimeToMetastasis", "DiagnosticDelay")


def _has_fixture_keys(ontology_dir: Path) -> bool:
    try:
        terms = Terminology(load_ontology_graph(ontology_dir))
    except Exception:
        return False
    return all(set(terms.keys(category)) >= keys for category, keys in FIXTURE_KEYS.items())


def fixture_ontology(target: Path) -> Path:
    """The project's ontology, with the stand-in terms when the project's lack the fixture keys."""
    project = PROJECT_ROOT / "ontology"
    if _has_fixture_keys(project):
        return project
    target.mkdir(parents=True, exist_ok=True)
    for path in project.glob("*.ttl"):
        if path.name != "terms.ttl":
            shutil.copy(path, target / path.name)
    shutil.copy(WEB_FIXTURES / "ontology" / "terms.ttl", target / "terms.ttl")
    return target


def web_settings(root: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "store": root / "store",
        "data_dir": RECORDS,
        "ontology_dir": fixture_ontology(root / "ontology"),
        "corpus_dir": None,
        "base_iri": BASE,
        "query_timeout": 10.0,
        "query_workers": 2,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def add_missing_derived_facts(settings: Settings) -> list[str]:
    """Add the fixture's derived nodes of each class the build left out; return those classes."""
    path = StoreLayout(settings.store).current_build()
    store = pyoxigraph.Store(str(path))
    graph = pyoxigraph.NamedNode(inferred_graph(settings.base_iri))
    missing = [
        name
        for name in DERIVED_CLASSES
        if not list(
            store.quads_for_pattern(None, pyoxigraph.NamedNode(RDF.type), pyoxigraph.NamedNode(METKG[name]), graph)
        )
    ]
    if missing:
        triples = list(
            pyoxigraph.parse(
                path=str(WEB_FIXTURES / "derived.ttl"), format=pyoxigraph.RdfFormat.TURTLE, base_iri=settings.base_iri
            )
        )
        nodes = {
            t.subject
            for t in triples
            if t.predicate.value == RDF.type and t.object.value in {METKG[m] for m in missing}
        }
        nodes |= {
            t.subject
            for t in triples
            if t.object == pyoxigraph.NamedNode(METKG.LateMetastasis) and "TimeToMetastasis" in missing
        }
        store.bulk_extend(
            [pyoxigraph.Quad(t.subject, t.predicate, t.object, graph) for t in triples if t.subject in nodes]
        )
        store.flush()
    del store
    return missing


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
    add_missing_derived_facts(settings)
    return settings


def start_server(settings: Settings) -> LiveServer:
    app = create_app(settings)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
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
