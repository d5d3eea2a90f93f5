"""A new build published under a running server: the people's pages keep answering at once (from
the previous build's index while the new one is read) and then show the new case."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
from tests.web.app.conftest import APP_FIXTURES, FIXTURE_PATIENT
from tests.web.conftest import start_server, stop_server, unreasoned_store

from metkg.build import add_record


def _patients(http: httpx.Client, lagging: list[httpx.Response] | None = None) -> int:
    page = http.get("/cases")
    if lagging is not None and page.headers.get("cache-control") == "no-store":
        lagging.append(page)
    return int(re.search(r'id="hits-title">([\d,]+) patient', page.text).group(1).replace(",", ""))


def test_pages_answer_through_a_publish_then_show_the_new_case(tmp_path: Path) -> None:
    settings = unreasoned_store(tmp_path, corpus_dir=APP_FIXTURES / "corpus")
    server = start_server(settings)
    try:
        with server.client(headers={"Accept": "text/html"}) as http:
            before = _patients(http)
            add_record(settings, APP_FIXTURES / "records" / "eyelid-fixture.yaml", reason=False, shacl=False)
            lagging: list[httpx.Response] = []
            assert _patients(http, lagging) == before, "the first page after the publish does not wait"
            assert len(lagging) == 1, "and it says it must not be kept (no-store)"
            assert http.get(FIXTURE_PATIENT).status_code == 200, "the case page reads the new build at once"
            deadline = time.monotonic() + 30
            while _patients(http, lagging) == before:
                assert time.monotonic() < deadline, "the browser never showed the new case"
                time.sleep(0.1)
            current = http.get("/cases")
            assert "etag" in current.headers, "a page of the current build's index is tagged"
            assert _patients(http) == before + 1
            # pages made from the previous build's index are never tagged with the new build's ETag
            assert all("etag" not in page.headers for page in lagging)
            assert FIXTURE_PATIENT in http.get("/cases", params={"site": "eyelid"}).text
    finally:
        stop_server(server)
