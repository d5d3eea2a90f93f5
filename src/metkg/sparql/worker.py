"""A query worker process: ``python -m metkg.sparql.worker FD``.

The worker reads jobs from the connection on file descriptor ``FD`` (a socket its parent,
:class:`metkg.sparql.pool.QueryPool`, holds the other end of), opens the store build each
job names read-only, runs the query and sends back the serialized answer or the error. It
exits when the connection closes. It is a separate interpreter, not a fork, so it shares
nothing with the server but the socket.
"""

from __future__ import annotations

import os
import sys
from multiprocessing.connection import Connection

from pyoxigraph import Store

from metkg.errors import MetkgError, QueryError
from metkg.sparql.execute import run_query

__all__ = ["serve_queries"]


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
            conn.send(("ok", run_query(opened[1], request)))
        except MetkgError as exc:
            conn.send(("error", exc))
        except Exception as exc:  # a worker must answer, whatever went wrong
            conn.send(("error", QueryError(f"the query failed: {type(exc).__name__}")))


if __name__ == "__main__":
    serve_queries(Connection(int(sys.argv[1])))
