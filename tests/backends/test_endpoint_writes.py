"""Writes to a SPARQL server that picks them as deadlock victims are sent again, and only those.

A real HTTP server on 127.0.0.1 answers the Graph Store and update requests as Virtuoso does when
concurrent graph loads deadlock: 500 with ``SR172: Transaction deadlocked``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph
import pytest

from metkg.backends import endpoint as endpoint_module
from metkg.backends.endpoint import SparqlEndpoint
from metkg.errors import StoreError

DEADLOCK = b"Error 40001 SR172: Transaction deadlocked"
TRIPLE = pyoxigraph.Triple(
    pyoxigraph.NamedNode("http://ex/s"), pyoxigraph.NamedNode("http://ex/p"), pyoxigraph.Literal("o")
)


class _Server(ThreadingHTTPServer):
    #: What to answer, in order (the last one again when they run out).
    answers: list[tuple[int, bytes]]
    seen: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.seen.append(self.command)
        status, body = self.server.answers[min(len(self.server.seen), len(self.server.answers)) - 1]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_PUT = do_POST = do_DELETE = _answer  # noqa: N815 (the names http.server calls)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Server]:
    monkeypatch.setattr(endpoint_module, "_DEADLOCK_PAUSE", 0.0)
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _endpoint(server: _Server) -> SparqlEndpoint:
    base = f"http://127.0.0.1:{server.server_address[1]}"
    return SparqlEndpoint(f"{base}/sparql", f"{base}/update", f"{base}/graphs", None, 10.0)


def test_a_deadlocked_graph_load_is_sent_again(server: _Server) -> None:
    server.answers = [(500, DEADLOCK), (500, DEADLOCK), (201, b"")]
    _endpoint(server).put_graph("http://ex/g", [TRIPLE])
    assert server.seen == ["PUT", "PUT", "PUT"]


def test_deadlocked_updates_and_deletes_are_sent_again(server: _Server) -> None:
    server.answers = [(500, DEADLOCK), (200, b""), (500, DEADLOCK), (204, b"")]
    endpoint = _endpoint(server)
    endpoint.update("CLEAR GRAPH <http://ex/g>")
    endpoint.delete_graph("http://ex/g")
    assert server.seen == ["POST", "POST", "DELETE", "DELETE"]


def test_a_write_that_keeps_deadlocking_fails_with_the_servers_message(server: _Server) -> None:
    server.answers = [(500, DEADLOCK)]
    with pytest.raises(StoreError, match=r"PUT of graph 'http://ex/g'.*500.*deadlocked"):
        _endpoint(server).put_graph("http://ex/g", [TRIPLE])
    assert len(server.seen) == endpoint_module._DEADLOCK_RETRIES + 1


def test_other_errors_are_not_retried(server: _Server) -> None:
    server.answers = [(500, b"Error 42000: syntax error"), (201, b"")]
    with pytest.raises(StoreError, match="syntax error"):
        _endpoint(server).put_graph("http://ex/g", [TRIPLE])
    assert server.seen == ["PUT"]
