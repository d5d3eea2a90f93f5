"""Anyone, no credentials: clients that try to run the server out of memory, hog the query
workers, hold connections open, stall the event loop with HTML, or pile up downloads.

Every test runs the real server on 127.0.0.1 with real query workers. Clients with their own
address (127.0.0.2, 127.0.0.3...: the whole of 127/8 is loopback) stand for other people.
Memory is the real resident memory of the processes (psutil): the server is this process
(uvicorn runs in a thread), the workers are its children.
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil
import pytest
from tests.robustness.conftest import serving
from tests.web.conftest import LiveServer

from metkg.settings import Settings

#: A SELECT of ``?rows`` rows, each a string of 8 x 2^8 = 2,048 characters built by doubling.
BIG_ANSWER = """SELECT ?s ?v WHERE {{
  {{ SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {rows} }}
  BIND("abcdefgh" AS ?v0) BIND(CONCAT(?v0, ?v0) AS ?v1) BIND(CONCAT(?v1, ?v1) AS ?v2) BIND(CONCAT(?v2, ?v2) AS ?v3)
  BIND(CONCAT(?v3, ?v3) AS ?v4) BIND(CONCAT(?v4, ?v4) AS ?v5) BIND(CONCAT(?v5, ?v5) AS ?v6)
  BIND(CONCAT(?v6, ?v6) AS ?v7) BIND(CONCAT(?v7, ?v7) AS ?v)
}}"""
#: A query that keeps a worker busy for about a second on the fixture store (a counted cartesian product).
SLOW = "SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT ?a WHERE {{ ?a ?b ?c }} LIMIT {rows} }} ?d ?e ?f }}"
#: An ORDER BY over a cartesian product: its memory grows without bound until stopped.
EXPLODING = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
QUICK = "ASK { ?s ?p ?o }"
JSON = {"Accept": "application/sparql-results+json"}


def _settings(robust_settings: Settings, **overrides: object) -> Settings:
    return robust_settings.model_copy(update=overrides)


def _rss_mb(pid: int) -> float:
    try:
        return psutil.Process(pid).memory_info().rss / 1_048_576
    except psutil.Error:
        return 0.0


class _PeakMemory:
    """The peak resident memory of this process (the server) and of its query workers, sampled."""

    def __init__(self, live: LiveServer):
        self.pool = live.app.state.service.pool
        self.server = self.workers = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            self.server = max(self.server, me.memory_info().rss / 1_048_576)
            for pid in self.pool.pids:
                self.workers = max(self.workers, _rss_mb(pid))
            time.sleep(0.02)

    def __enter__(self) -> _PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _sender(url: str, address: str) -> httpx.Client:
    """A client whose connections come from ``address`` (another person, for the server)."""
    return httpx.Client(base_url=url, timeout=60, transport=httpx.HTTPTransport(local_address=address))


def _raw_request(url: str, address: str, request: bytes, receive_buffer: int = 4096) -> socket.socket:
    """A socket from ``address`` that sends ``request`` and then reads nothing."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.bind((address, 0))
    sock.connect((host, int(port)))
    sock.sendall(request)
    return sock


def _get(path: str, query: dict[str, str] | None = None) -> bytes:
    target = httpx.URL(path, params=query or {})
    head = f"GET {target.raw_path.decode()} HTTP/1.1\r\nHost: x\r\nAccept: application/sparql-results+json\r\n\r\n"
    return head.encode()


@pytest.fixture(scope="module")
def guarded(robust_settings: Settings) -> Iterator[LiveServer]:
    """A server with small limits, so that each attack reaches them in a second or two."""
    settings = _settings(
        robust_settings,
        query_workers=2,
        query_timeout=6.0,
        max_answer_bytes=2_000_000,
        send_timeout=1.5,
        header_timeout=1.0,
        max_connections_per_client=20,
        query_memory_mb=350,
        max_exports=2,
    )
    with serving(settings) as server:
        yield server


def test_an_answer_is_cut_at_the_byte_limit_as_at_the_row_limit(guarded: LiveServer) -> None:
    """Rows of 2 KB made a 10,000-row answer of 20 MB, held whole by the server: now it stops at 2 MB."""
    with guarded.client() as http:
        response = http.get("/sparql", params={"query": BIG_ANSWER.format(rows=3000)}, headers=JSON)
    assert response.status_code == 200, response.text
    assert response.headers["metkg-truncated"] == "true" and response.headers["metkg-byte-limit"] == "2000000"
    assert len(response.content) <= 2_000_000 + 300
    document = response.json()
    assert "2,000,000 bytes" in document["truncated"]["detail"]
    assert 500 < len(document["results"]["bindings"]) < 1000
    assert all(len(row["v"]["value"]) == 2048 for row in document["results"]["bindings"])


def test_clients_that_never_read_do_not_grow_the_server(guarded: LiveServer) -> None:
    """Sixteen sockets asking for big answers and never reading took the server from 175 MB to 1.6 GB."""
    request = _get("/sparql", {"query": BIG_ANSWER.format(rows=3000)})
    before = psutil.Process().memory_info().rss / 1_048_576
    with _PeakMemory(guarded) as peak:
        sockets = [_raw_request(guarded.url, f"127.0.0.{10 + i}", request) for i in range(16)]
        time.sleep(4)
        with _sender(guarded.url, "127.0.0.99") as fair:
            answered = fair.get("/sparql", params={"query": QUICK}, headers=JSON)
        for sock in sockets:
            sock.close()
    assert answered.status_code in (200, 503), answered.text
    growth = peak.server - before
    assert growth < 60, f"the server grew by {growth:.0f} MB with 16 clients not reading 2 MB answers"
    assert peak.workers < 350 + 50, f"a worker reached {peak.workers:.0f} MB"


def test_a_client_that_stops_reading_is_dropped_and_its_worker_freed(guarded: LiveServer) -> None:
    sock = _raw_request(guarded.url, "127.0.0.4", _get("/sparql", {"query": BIG_ANSWER.format(rows=3000)}))
    try:
        time.sleep(1.5 + 2.5)  # the answer starts, the buffers fill, the send timeout passes
        sock.settimeout(10)
        received = 0
        while chunk := sock.recv(1 << 20):  # what was buffered, then the end: the server closed it
            received += len(chunk)
        assert received < 2_000_000, "the whole answer was sent: the client was not dropped"
    finally:
        sock.close()
    with guarded.client() as http:
        started = time.monotonic()
        assert http.get("/sparql", params={"query": QUICK}, headers=JSON).status_code == 200
        assert time.monotonic() - started < 3


def test_a_head_of_a_large_answer_keeps_its_query_worker(robust_settings: Settings) -> None:
    """A HEAD whose answer was over 1 MiB had its worker killed and a new one started rather than
    the unread rest read through: the next query waited for the new worker, and each such HEAD
    cost a new interpreter. The rest is read and dropped, as a GET's would be sent."""
    query = {"query": BIG_ANSWER.format(rows=3000)}
    with serving(_settings(robust_settings, query_workers=1)) as server, server.client() as http:
        pool = server.app.state.service.pool
        worker = pool.pids
        whole = http.get("/sparql", params=query, headers=JSON)
        assert whole.status_code == 200 and len(whole.content) > 4 << 20, len(whole.content)
        for _ in range(3):
            head = http.head("/sparql", params=query, headers=JSON)
            assert (head.status_code, head.content) == (200, b"")
            assert head.headers["content-type"] == whole.headers["content-type"]
            # One worker: this query is answered only once the HEAD's worker is free again.
            assert http.get("/sparql", params={"query": QUICK}, headers=JSON).status_code == 200
            assert pool.pids == worker, "the HEAD's query worker was replaced"


def test_a_query_over_the_memory_ceiling_is_stopped(guarded: LiveServer) -> None:
    """An ORDER BY over a cartesian product reached 1.6 GB in 5 s and 5 GB in 13.5 s."""
    pool = guarded.app.state.service.pool
    workers = set(pool.pids)
    with _PeakMemory(guarded) as peak, guarded.client() as http:
        started = time.monotonic()
        response = http.get("/sparql", params={"query": EXPLODING}, headers=JSON)
        seconds = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert response.json()["detail"].startswith("the query needed more than 350 MB of memory and was stopped")
    assert seconds < 6, "stopped by the ceiling, not the timeout"
    assert peak.workers < 350 + 100, f"the worker reached {peak.workers:.0f} MB"
    deadline = time.monotonic() + 10
    while len(pool.pids) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(pool.pids) == 2 and set(pool.pids) != workers, "the worker was replaced"


def test_two_hogs_do_not_starve_a_third_client(guarded: LiveServer) -> None:
    """With two workers, two clients keeping slow queries in flight left others 2 answers of 10."""
    slow = SLOW.format(rows=400)
    stop = threading.Event()

    def hog(address: str) -> None:
        with _sender(guarded.url, address) as http:
            while not stop.is_set():
                http.get("/sparql", params={"query": slow}, headers=JSON)

    with ThreadPoolExecutor(12) as hogs:
        for i in range(12):
            hogs.submit(hog, f"127.0.0.{20 + i % 2}")  # two clients, six queries in flight each
        time.sleep(1.0)
        latencies, statuses = [], []
        with _sender(guarded.url, "127.0.0.30") as fair:
            for _ in range(4):
                started = time.monotonic()
                statuses.append(fair.get("/sparql", params={"query": QUICK}, headers=JSON).status_code)
                latencies.append(time.monotonic() - started)
        stop.set()
    assert statuses.count(200) == 4, (statuses, latencies)
    assert statistics.median(latencies) < 5, latencies  # a worker waits at most for one slow query


def test_half_sent_requests_are_dropped_and_limited_per_client(guarded: LiveServer) -> None:
    """1,100 idle half-sent requests made every normal request fail."""
    half = b"GET /health HTTP/1.1\r\nHost: x\r\n"  # no blank line: the headers never end
    sockets = [_raw_request(guarded.url, "127.0.0.5", half) for _ in range(20)]
    try:
        extra = _raw_request(guarded.url, "127.0.0.5", half)
        extra.settimeout(5)
        assert extra.recv(100).startswith(b"HTTP/1.1 503"), "the 21st connection of one client is refused"
        extra.close()
        with _sender(guarded.url, "127.0.0.6") as other:
            assert other.get("/health").status_code == 200, "another client is served meanwhile"
        time.sleep(1.0 + 1.0)
        for sock in sockets:
            sock.settimeout(5)
            assert sock.recv(100) == b"", "an incomplete request is dropped after the header timeout"
    finally:
        for sock in sockets:
            sock.close()


def test_html_answers_are_paged_and_rendered_off_the_event_loop(guarded: LiveServer) -> None:
    """A 10,000-row HTML answer, rendered in the main process, stalled /health for 1.5 s."""
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    html = {"Accept": "text/html"}
    with guarded.client() as http:
        first = http.get("/sparql", params={"query": query}, headers=html)
        assert first.status_code == 200
        assert first.text.count("<tr>") == 500 + 1  # the header row and one page
        assert "Next page" in first.text
        second = http.get("/sparql", params={"query": query, "page": "2"}, headers=html)
        assert second.status_code == 200 and second.text.count("<tr>") == 500 + 1
        assert second.text != first.text
        assert http.get("/sparql", params={"query": query, "page": "0"}, headers=html).status_code == 400

        latencies: list[float] = []
        stop = threading.Event()

        def browse() -> None:
            with guarded.client() as browser:
                while not stop.is_set():
                    browser.get("/sparql", params={"query": query}, headers=html)

        with ThreadPoolExecutor(4) as browsers:
            for _ in range(4):
                browsers.submit(browse)
            time.sleep(0.5)
            for _ in range(20):
                started = time.monotonic()
                assert http.get("/health").status_code == 200
                latencies.append(time.monotonic() - started)
                time.sleep(0.05)
            stop.set()
    assert max(latencies) < 1.2, latencies


def test_exports_at_once_are_bounded(guarded: LiveServer, synthetic_store: Settings) -> None:
    """300 idle exports started 350 threads (+524 MB)."""
    with serving(_settings(synthetic_store, max_exports=2, send_timeout=30)) as live:
        request = b"GET /export?format=ntriples HTTP/1.1\r\nHost: x\r\n\r\n"
        idle = [_raw_request(live.url, f"127.0.0.{40 + i}", request) for i in range(2)]
        try:
            time.sleep(1.0)
            with live.client() as http:
                refused = http.get("/export", params={"format": "ntriples"})
                assert refused.status_code == 503, refused.status_code
                assert "downloads of /export" in refused.json()["detail"]
                assert http.get("/health").status_code == 200
        finally:
            for sock in idle:
                sock.close()
        time.sleep(1.0)
        serializers = [t for t in threading.enumerate() if t.name == "metkg-serialize"]
        assert not serializers, "the serializer threads of the dropped downloads stopped"
        with live.client() as http:
            assert http.get("/export", params={"format": "ntriples"}).status_code == 200


@pytest.fixture(scope="module")
def synthetic_store(
    tmp_path_factory: pytest.TempPathFactory, synthetic_dirs: dict, robust_settings: Settings
) -> Settings:
    """A store of 300 synthetic cases: an export larger than the sockets' buffers."""
    from metkg.build import build_graph

    root = tmp_path_factory.mktemp("exports")
    settings = _settings(robust_settings, store=root / "store", data_dir=synthetic_dirs["large"])
    build_graph(settings, [synthetic_dirs["large"]], reason=False, shacl=False)
    return settings


@pytest.mark.parametrize("iri", ["javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>"])
def test_script_and_data_iris_are_shown_as_text_not_links(guarded: LiveServer, iri: str) -> None:
    query = f'SELECT ?x WHERE {{ BIND(IRI("{iri}") AS ?x) }}'
    with guarded.client() as http:
        page = http.get("/sparql", params={"query": query}, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'href="javascript:' not in page.text and 'href="data:' not in page.text
    assert iri.split(":", maxsplit=1)[0] + ":" in page.text  # shown, as text
