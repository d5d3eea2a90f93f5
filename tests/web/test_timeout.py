"""A query past the timeout is stopped for real (its worker killed and replaced) with 503,
while /health and pages keep answering."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from tests.web.conftest import SCALP, LiveServer, start_server, stop_server

from metkg.settings import Settings

TIMEOUT = 1.0
# Four unrelated patterns over ~2,000 statements: 10^13 combinations to count.
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def slow(built_settings: Settings) -> Iterator[LiveServer]:
    settings = built_settings.model_copy(update={"query_timeout": TIMEOUT, "query_workers": 1})
    server = start_server(settings)
    yield server
    stop_server(server)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_expensive_query_stopped_at_timeout_while_health_answers(slow: LiveServer) -> None:
    pool = slow.app.state.service.pool
    [worker] = pool.pids
    outcome: dict[str, object] = {}

    def run_expensive() -> None:
        started = time.monotonic()
        with slow.client() as http:
            outcome["response"] = http.get("/sparql", params={"query": EXPENSIVE})
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run_expensive)
    thread.start()
    health_latencies = []
    with slow.client() as http:
        time.sleep(0.2)  # the query is running now
        page = http.get(f"/case/{SCALP}", headers={"Accept": "text/turtle"})
        assert page.status_code == 200
        while thread.is_alive():
            started = time.monotonic()
            health = http.get("/health")
            health_latencies.append(time.monotonic() - started)
            assert health.status_code == 200
            time.sleep(0.05)
    thread.join()

    response = outcome["response"]
    assert isinstance(response, httpx.Response)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith("the query ran longer than 1 s and was stopped")
    assert response.headers["retry-after"] == "5"
    assert TIMEOUT <= float(outcome["seconds"]) < TIMEOUT + 2.0  # type: ignore[arg-type]
    assert len(health_latencies) >= 3 and max(health_latencies) < 0.5, health_latencies
    assert not _alive(worker), "the worker that ran the query must be gone"

    deadline = time.monotonic() + 10
    while len(pool.pids) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.pids and pool.pids[0] != worker
    with slow.client() as http:
        quick = http.get("/sparql", params={"query": "ASK { ?s a metkg:CaseReport }"})
    assert quick.status_code == 200 and quick.json()["boolean"] is True


def test_named_query_fast_within_short_timeout(slow: LiveServer) -> None:
    with slow.client() as http:
        response = http.get("/queries/receptor-conversion")
    assert response.status_code == 200
