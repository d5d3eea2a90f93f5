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


def _patients(http: httpx.Client) -> int:
    page = http.get("/cases").text
    return int(re.search(r'id="hits-title">([\d,]+) patient', page).group(1).replace(",", ""))


def test_pages_answer_through_a_publish_then_show_the_new_case(tmp_path: Path) -> None:
    settings = unreasoned_store(tmp_path, corpus_dir=APP_FIXTURES / "corpus")
    server = start_server(settings)
    try:
        with server.client(headers={"Accept": "text/html"}) as http:
            before = _patients(http)
            add_record(settings, APP_FIXTURES / "records" / "eyelid-fixture.yaml", reason=False, shacl=False)
            assert http.get(FIXTURE_PATIENT).status_code == 200, "the case page reads the new build at once"
            deadline = time.monotonic() + 30
            while _patients(http) == before:
                assert time.monotonic() < deadline, "the browser never showed the new case"
                time.sleep(0.1)
            assert _patients(http) == before + 1
            assert FIXTURE_PATIENT in http.get("/cases", params={"site": "eyelid"}).text
    finally:
        stop_server(server)
