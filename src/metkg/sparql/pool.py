"""Query workers: processes that run SPARQL queries and can be stopped mid-query.

pyoxigraph has no query timeout, and a thread cannot be stopped. So every query runs in a
worker process that holds its own read-only handle on the store. The server sends a job
down a pipe and waits at most ``timeout`` seconds for the answer; when the time is up it
kills the worker (SIGKILL: the query's work really stops, memory is freed) and starts a
fresh one, and the request fails with :class:`QueryTimeoutError`. Waiting happens in a
thread, so the event loop keeps serving other requests (``/health``) meanwhile.

Workers are fresh interpreters (``python -m metkg.sparql.worker``) talking over a socket
pair, so they inherit none of the server's threads, sockets or ``__main__`` module, and a
replacement is ready in a fraction of a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from metkg.errors import MetkgError, QueryTimeoutError, ServerBusyError, StoreError
from metkg.sparql.execute import QueryAnswer, QueryRequest

__all__ = ["QueryPool"]

_START_SECONDS = 30.0


class _Worker:
    """One worker process and the server's end of its connection."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "metkg.sparql.worker", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.pid: int | None = None

    def wait_ready(self) -> None:
        if not self.conn.poll(_START_SECONDS):
            raise StoreError("a query worker did not start")
        _, self.pid = self.conn.recv()

    def call(self, job: tuple[str, QueryRequest], timeout: float) -> tuple[str, Any]:
        """Send a job and wait for its answer; ``TimeoutError`` when it takes too long."""
        self.conn.send(job)
        if not self.conn.poll(max(timeout, 0.0)):
            raise TimeoutError
        return self.conn.recv()

    def kill(self) -> None:
        """Stop the process at once, whatever it is doing (SIGKILL)."""
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait(5)
        self.conn.close()

    def stop(self) -> None:
        """Ask the process to finish, then make sure it has."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        try:
            self.process.wait(2)
        except subprocess.TimeoutExpired:
            self.kill()
        self.conn.close()


class QueryPool:
    """A fixed number of query workers with a per-query timeout.

    At most ``max_queued`` queries (at least ``size``) are in the pool at once, running or
    waiting for a worker; one more is refused at once with :class:`ServerBusyError` (503 with
    ``Retry-After``) rather than queued without bound.

    Use from one event loop: ``await pool.start()``, ``await pool.run(path, request)``,
    ``await pool.close()``.
    """

    def __init__(self, size: int, timeout: float, max_queued: int):
        self.size = size
        self.timeout = timeout
        self.max_queued = max(max_queued, size)
        self._threads = ThreadPoolExecutor(max_workers=size + 2, thread_name_prefix="metkg-query-wait")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers: set[_Worker] = set()
        self._pending = 0
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers (for health reports and tests)."""
        return sorted(w.pid for w in self._workers if w.pid is not None)

    async def _blocking(self, func: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._threads, func, *args)

    async def _spawn(self) -> None:
        worker = await self._blocking(_Worker)
        try:
            await self._blocking(worker.wait_ready)
        except MetkgError:
            await self._blocking(worker.kill)
            raise
        self._workers.add(worker)
        self._idle.put_nowait(worker)

    async def start(self) -> None:
        """Start every worker and wait until each is ready."""
        await asyncio.gather(*(self._spawn() for _ in range(self.size)))

    async def _replace(self, worker: _Worker) -> None:
        """Kill a worker now; start its successor in the background."""
        self._workers.discard(worker)
        await self._blocking(worker.kill)
        task = asyncio.get_running_loop().create_task(self._spawn())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _acquire(self) -> _Worker:
        try:
            return await asyncio.wait_for(self._idle.get(), self.timeout)
        except TimeoutError:
            raise ServerBusyError(f"no query worker became free within {self.timeout:g} s; retry in a moment") from None

    async def run(self, store_path: str, request: QueryRequest) -> QueryAnswer:
        """Run ``request`` on the store at ``store_path`` in a worker, within the timeout."""
        if self._pending >= self.max_queued:
            raise ServerBusyError(
                f"{self._pending} queries are already running or waiting (the limit is {self.max_queued}); "
                "retry in a moment"
            )
        self._pending += 1
        try:
            return await self._run(store_path, request)
        finally:
            self._pending -= 1

    async def _run(self, store_path: str, request: QueryRequest) -> QueryAnswer:
        worker = await self._acquire()
        healthy = False
        try:
            status, payload = await self._blocking(worker.call, (store_path, request), self.timeout)
            healthy = True
        except TimeoutError:
            raise QueryTimeoutError(
                f"the query ran longer than {self.timeout:g} s and was stopped; "
                "narrow it (more specific patterns, LIMIT) or use a named query"
            ) from None
        except (EOFError, OSError):
            raise ServerBusyError(
                "the query worker stopped unexpectedly (out of memory?); the query was not answered"
            ) from None
        finally:
            if healthy:
                self._idle.put_nowait(worker)
            else:
                await asyncio.shield(self._replace(worker))
        if status == "error":
            raise payload
        return payload

    async def close(self) -> None:
        """Stop every worker."""
        for task in list(self._tasks):
            task.cancel()
        workers, self._workers = list(self._workers), set()
        await asyncio.gather(*(self._blocking(w.stop) for w in workers), return_exceptions=True)
        self._threads.shutdown(wait=False, cancel_futures=True)
