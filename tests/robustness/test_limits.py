"""Limits with clear answers: timeout (503), rows (cut, said in headers and body), request body and
query length (413), concurrent queries (503 with Retry-After)."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pyoxigraph
import pytest
from tests.web.conftest import LiveServer, start_server, stop_server

from metkg.settings import Settings

# Four unrelated patterns over ~2,000 statements: 10^13 combinations to count.
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ROWS = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
MAX_ROWS = 5


@pytest.fixture(scope="module")
def limited(robust_settings: Settings) -> Iterator[LiveServer]:
    """Small limits: 5 rows, 400 query characters, 2,000 body bytes, 2 queries in flight, 2 s timeout."""
    settings = robust_settings.model_copy(
        update={
            "max_rows": MAX_ROWS,
            "max_query_length": 400,
            "max_body_bytes": 2_000,
            "max_concurrent_queries": 2,
            "query_workers": 1,
            "query_timeout": 2.0,
        }
    )
    server = start_server(settings)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def http(limited: LiveServer) -> Iterator[httpx.Client]:
    with limited.client() as client:
        yield client


def _truncation_headers(response: httpx.Response) -> tuple[str | None, str | None]:
    return response.headers.get("metkg-truncated"), response.headers.get("metkg-row-limit")


def test_json_answer_cut_at_max_rows_says_so_in_headers_and_body(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": ROWS})
    assert response.status_code == 200
    assert _truncation_headers(response) == ("true", str(MAX_ROWS))
    document = response.json()
    assert len(document["results"]["bindings"]) == MAX_ROWS
    assert document["truncated"]["row_limit"] == MAX_ROWS
    assert "LIMIT and OFFSET" in document["truncated"]["detail"]


def test_answer_within_max_rows_is_not_marked(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": ROWS + f" LIMIT {MAX_ROWS}"})
    assert response.status_code == 200
    assert _truncation_headers(response) == (None, None)
    assert "truncated" not in response.json()


def test_xml_answer_cut_carries_a_comment_and_stays_valid(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": ROWS}, headers={"Accept": "application/sparql-results+xml"})
    assert _truncation_headers(response) == ("true", str(MAX_ROWS))
    assert f"<!-- metkg: the answer was cut at the server's limit of {MAX_ROWS} rows" in response.text
    root = ET.fromstring(response.content)
    results = root.find("{http://www.w3.org/2005/sparql-results#}results")
    assert results is not None and len(results) == MAX_ROWS


@pytest.mark.parametrize(("accept", "delimiter"), [("text/csv", ","), ("text/tab-separated-values", "\t")])
def test_csv_and_tsv_answers_cut_are_marked_by_headers_only(http: httpx.Client, accept: str, delimiter: str) -> None:
    """CSV and TSV have no comment syntax: an extra line would be read as a row, so only the headers say it."""
    response = http.get("/sparql", params={"query": ROWS}, headers={"Accept": accept})
    assert _truncation_headers(response) == ("true", str(MAX_ROWS))
    rows = list(csv.reader(io.StringIO(response.text), delimiter=delimiter))
    assert len(rows) == MAX_ROWS + 1  # the header row and the rows, nothing else


def test_construct_answer_cut_carries_a_turtle_comment(http: httpx.Client) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    response = http.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    assert _truncation_headers(response) == ("true", str(MAX_ROWS))
    assert response.text.rstrip().splitlines()[-1].startswith("# metkg: the answer was cut")
    assert len(list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.TURTLE))) == MAX_ROWS


def test_named_query_answer_cut_is_marked(http: httpx.Client) -> None:
    response = http.get("/queries/case-timeline", params={"doi": "10.9999/metkg-web.0001"})
    assert response.status_code == 200, response.text
    assert _truncation_headers(response) == ("true", str(MAX_ROWS))
    assert response.json()["truncated"]["row_limit"] == MAX_ROWS


def test_cut_answer_headers_are_exposed_to_scripts(http: httpx.Client) -> None:
    response = http.get("/sparql", params={"query": ROWS}, headers={"Origin": "https://elsewhere.example"})
    exposed = {h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")}
    assert {"metkg-truncated", "metkg-row-limit", "retry-after"} <= exposed


def test_body_over_max_body_bytes_is_413(http: httpx.Client) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 3_000
    response = http.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert response.json()["detail"] == "the request body has 3,029 bytes; the limit is 2,000"


def test_chunked_body_over_max_body_bytes_is_413(http: httpx.Client) -> None:
    """Without Content-Length the body is counted as it arrives."""

    def chunks() -> Iterator[bytes]:
        yield b"query=SELECT+*+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D+%23"
        for _ in range(10):
            yield b"x" * 500

    response = http.post("/sparql", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert response.json()["detail"] == "the request body is longer than the limit of 2,000 bytes"


def test_query_over_max_query_length_is_413_on_get_and_post(http: httpx.Client) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 500
    for response in (http.get("/sparql", params={"query": query}), http.post("/sparql", data={"query": query})):
        assert response.status_code == 413
        assert response.json()["detail"] == "the query has 529 characters; the limit is 400"


def test_timeout_is_503_with_retry_after(http: httpx.Client) -> None:
    started = time.monotonic()
    response = http.get("/sparql", params={"query": EXPENSIVE})
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["detail"].startswith("the query ran longer than 2 s and was stopped")
    assert time.monotonic() - started < 4.5


def test_queries_over_max_concurrent_queries_are_refused_at_once(limited: LiveServer, http: httpx.Client) -> None:
    """Two queries in flight (one running, one waiting for the only worker): a third is 503 at once."""
    slow: list[httpx.Response] = []

    def run_expensive() -> None:
        with limited.client() as client:
            slow.append(client.get("/sparql", params={"query": EXPENSIVE}))

    threads = [threading.Thread(target=run_expensive) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # both are in the pool now
    started = time.monotonic()
    response = http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    elapsed = time.monotonic() - started
    for thread in threads:
        thread.join()
    assert response.status_code == 503, response.text
    assert elapsed < 0.5
    assert response.headers["retry-after"] == "5"
    assert response.json()["detail"] == ("2 queries are already running or waiting (the limit is 2); retry in a moment")
    assert all(r.status_code == 503 for r in slow)  # stopped at the timeout, or no worker freed in time
    # pages that run no query answer meanwhile, and queries run again once the pool is free
    deadline = time.monotonic() + 10
    while (ask := http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})).status_code != 200:
        assert time.monotonic() < deadline, ask.text
        time.sleep(0.2)
    assert json.loads(ask.text)["boolean"] is True


@pytest.mark.parametrize(
    "path",
    ["/sparql?query=ASK%7B%7D", f"/sparql?query={ROWS.replace(' ', '%20')}", "/queries/receptor-conversion"],
)
def test_head_frees_its_query_worker_at_once(limited: LiveServer, http: httpx.Client, path: str) -> None:
    """A HEAD runs the query and needs only the headers: the worker is free again as the HEAD is
    answered (its short answer read and dropped, the same process kept), not when the unread
    answer happens to be garbage-collected. With one worker, a leaked one fails the GET below."""
    pool = limited.app.state.service.pool
    before = pool.pids
    for _ in range(3):
        assert http.head(path).status_code == 200
    started = time.monotonic()
    assert http.get(path).status_code == 200
    assert time.monotonic() - started < 1.5, "the GET waited for a worker a HEAD still held"
    assert pool.pids == before
