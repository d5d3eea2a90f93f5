"""A query worker process: ``python -m metkg.sparql.worker FD``.

The worker reads jobs from the connection on file descriptor ``FD`` (a socket its parent,
:class:`metkg.sparql.pool.QueryPool`, holds the other end of), opens the store build each
job names read-only, runs the query and sends back the serialized answer or the error. It
exits when the connection closes. It is a separate interpreter, not a fork, so it shares
nothing with the server but the socket.

An answer goes back in two parts: ``("ok", answer without its body, body length)``, then the
body in chunks of :data:`CHUNK` bytes. The server reads a chunk only when its client has read
the previous one, so a worker whose client reads slowly waits in ``send_bytes`` (the socket's
buffer is full): the answer is never held whole in the server.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from multiprocessing.connection import Connection

from pyoxigraph import Store

from metkg.errors import MetkgError, QueryError
from metkg.processes import die_with_parent
from metkg.sparql.execute import QueryAnswer, run_query

__all__ = ["CHUNK", "serve_queries"]

CHUNK = 256 * 1024


def _send_answer(conn: Connection, answer: QueryAnswer) -> None:
    body = answer.body
    conn.send(("ok", replace(answer, body=b""), len(body)))
    view = memoryview(body)
    for start in range(0, len(body), CHUNK):
        conn.send_bytes(view[start : start + CHUNK])


def serve_queries(conn: Connection) -> None:
    """Run jobs from ``conn`` until it closes: ``(store path, QueryRequest)`` in, ``("ok", answer)`` out."""
    opened: tuple[str, Store] | None = None
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        path, request = job
        try:
            if opened is None or opened[0] != path:
                opened = None  # let go of the old build before opening the new one
                opened = (path, Store.read_only(path))
            answer = run_query(opened[1], request)
        except MetkgError as exc:
            conn.send(("error", exc))
            continue
        except Exception as exc:  # a worker must answer, whatever went wrong
            conn.send(("error", QueryError(f"the query failed: {type(exc).__name__}")))
            continue
        try:
            _send_answer(conn, answer)
        except (BrokenPipeError, ConnectionResetError):  # the server let go of this worker
            return


if __name__ == "__main__":
    die_with_parent()  # a worker of a server killed outright stops too, whatever query it runs
    serve_queries(Connection(int(sys.argv[1])))
