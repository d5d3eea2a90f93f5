"""Fixtures of the people's pages: the curated records plus one fixture case whose source text is
in ``tests/fixtures/app/corpus``, built for real and served by uvicorn; and Chromium, driven by
Playwright, where this machine has it (Debian's ``chromium``; ``.ci/run`` installs it)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.web.conftest import BASE, LiveServer, start_server, stop_server

from metkg.build import build_graph
from metkg.settings import PROJECT_ROOT, Settings

APP_FIXTURES = Path(__file__).parents[2] / "fixtures" / "app"
CHROMIUM = Path("/usr/bin/chromium")
#: Screenshots of every page the browser tests visit (ignored by git).
SCREENSHOTS = Path(__file__).parents[2] / ".screenshots"
FIXTURE_DOI = "10.9999/metkg-app.0001"
FIXTURE_PATIENT = f"/case/{FIXTURE_DOI}/patient/1"
CHENG_PATIENT = "/case/10.3389/fonc.2025.1709244/patient/1"


@pytest.fixture(scope="session")
def app_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A real build (rules, no SHACL, no OWL) of data/cases and the fixture case, with its source text."""
    root = tmp_path_factory.mktemp("app")
    data = root / "data" / "cases"
    shutil.copytree(PROJECT_ROOT / "data" / "cases", data)
    shutil.copy(APP_FIXTURES / "records" / "eyelid-fixture.yaml", data)
    settings = Settings(
        store=root / "store",
        data_dir=root / "data",
        ontology_dir=PROJECT_ROOT / "ontology",
        corpus_dir=APP_FIXTURES / "corpus",
        base_iri=BASE,
        query_workers=1,
        build_workers=1,
    )
    build_graph(settings, [data], reason=True, shacl=False, owl=False)
    return settings


@pytest.fixture(scope="session")
def app_live(app_settings: Settings) -> Iterator[LiveServer]:
    server = start_server(app_settings)
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def app_client(app_live: LiveServer) -> Iterator[httpx.Client]:
    with app_live.client(headers={"Accept": "text/html"}) as client:
        yield client


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Headless Chromium; the tests skip, saying why, where it or Playwright is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -r requirements.lock)")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium; .ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()
