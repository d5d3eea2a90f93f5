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

Three more guards, each against one way a client could take the workers or the memory:

- **memory ceiling**: while a query runs, the waiting thread reads the worker's resident
  memory (psutil) every :data:`_WATCH_SECONDS`; past ``memory_mb`` the worker is killed and
  replaced and the query answers 503 (:class:`QueryMemoryError`). A watchdog on resident
  memory rather than ``RLIMIT_AS``: the address-space limit counts what a process reserves,
  not what it uses (RocksDB's mappings, a thread's 8 MB stack, glibc's 64 MB arenas), so a
  cap tight enough to matter breaks opening the store, and one loose enough to open it lets
  the kernel's out-of-memory killer choose a victim first;
- **streaming**: the answer comes from the worker in chunks (:mod:`metkg.sparql.worker`),
  read one at a time as the client takes them; the worker, and its client's slot, are held
  until the client has the whole answer, or is gone and the rest has been read and dropped;
- **fair shares**: each client (its address) has at most ``client_slots`` queries running
  and ``client_pending`` running or waiting; a free worker goes to the waiting client with
  the fewest queries running and, among those, to the one served longest ago (round robin).
  A client's extra queries queue behind its own, not in front of everyone else's.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from typing import Any

import psutil

from metkg.errors import MetkgError, QueryMemoryError, QueryTimeoutError, ServerBusyError, StoreError
from metkg.sparql.execute import QueryAnswer, QueryRequest

__all__ = ["AnswerStream", "QueryPool"]

_START_SECONDS = 30.0
_WATCH_SECONDS = 0.05


class _OverMemoryError(Exception):
    """The worker's resident memory passed the ceiling."""


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
        self._memory: psutil.Process | None = None

    def wait_ready(self) -> None:
        if not self.conn.poll(_START_SECONDS):
            raise StoreError("a query worker did not start")
        _, self.pid = self.conn.recv()
        with contextlib.suppress(psutil.Error):
            self._memory = psutil.Process(self.pid)

    def _resident_mb(self) -> float:
        if self._memory is None:
            return 0.0
        try:
            return self._memory.memory_info().rss / 1_048_576
        except psutil.Error:
            return 0.0

    def call(self, job: tuple[str, QueryRequest], timeout: float, memory_mb: float) -> tuple[Any, ...]:
        """Send a job and wait for its answer's head; ``TimeoutError`` when it takes too long,
        :class:`_OverMemoryError` when the worker's memory passes ``memory_mb``."""
        self.conn.send(job)
        deadline = _now() + max(timeout, 0.0)
        while not self.conn.poll(min(_WATCH_SECONDS, max(deadline - _now(), 0.0))):
            if self._resident_mb() > memory_mb:
                raise _OverMemoryError
            if _now() >= deadline:
                raise TimeoutError
        return self.conn.recv()

    def chunk(self, timeout: float) -> bytes:
        """The next chunk of an answer being sent."""
        if not self.conn.poll(timeout):
            raise TimeoutError
        return self.conn.recv_bytes()

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


def _now() -> float:
    return time.monotonic()


@dataclass
class _Waiter:
    client: str
    order: int
    future: asyncio.Future[_Worker] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class _Lease:
    """A worker and its client's slot, held until the answer is read or abandoned.

    Released exactly once: by the stream at its end, or, should the stream never be read (the
    client went away before the answer started), when the lease is garbage-collected.
    """

    def __init__(self, pool: QueryPool, worker: _Worker, client: str):
        self.pool, self.worker, self.client = pool, worker, client
        self.done = False

    def release(self, *, healthy: bool) -> None:
        if self.done:
            return
        self.done = True
        self.pool._give_back(self.worker, self.client, healthy=healthy)

    def __del__(self) -> None:
        if not self.done:
            with contextlib.suppress(Exception):
                self.pool._loop.call_soon_threadsafe(self.release_unhealthy)

    def release_unhealthy(self) -> None:
        self.release(healthy=False)


class AnswerStream:
    """An answer's body from the worker, one chunk per step, and the worker freed at its end.

    The worker is held until the last byte is read; should the reader stop early or never start
    (the client went away, a HEAD needed only the headers), :meth:`aclose` frees it: the rest is
    read and dropped, and the worker stays. The worker holds the whole answer already (at most
    ``max_answer_bytes``), so reading it through costs what sending it to a client would, less
    than starting a new worker (an interpreter, the store opened again). Closing does not wait
    for garbage collection, so no worker stays leased by an answer nobody reads.
    """

    def __init__(self, pool: QueryPool, lease: _Lease, size: int):
        self._pool, self._lease, self._size = pool, lease, size
        self._received = 0

    def __aiter__(self) -> AnswerStream:
        return self

    async def __anext__(self) -> bytes:
        if self._lease.done and self._received < self._size:
            raise StopAsyncIteration  # closed early: the worker is no longer this stream's
        if self._received >= self._size:
            self._lease.release(healthy=True)
            raise StopAsyncIteration
        chunk = await self._chunk()
        self._received += len(chunk)
        if self._received >= self._size:
            self._lease.release(healthy=True)
        return chunk

    async def _chunk(self) -> bytes:
        try:
            return await self._pool._blocking(self._lease.worker.chunk, self._pool.timeout)
        except BaseException:
            self._lease.release(healthy=False)
            raise

    async def aclose(self) -> None:
        """Free the worker now, whatever was read of the answer: the rest is read and dropped."""
        if self._lease.done:
            return
        with contextlib.suppress(Exception):
            while self._received < self._size:
                self._received += len(await self._chunk())
        self._lease.release(healthy=self._received >= self._size)


class QueryPool:
    """A fixed number of query workers with a per-query timeout, a memory ceiling and fair shares.

    At most ``max_queued`` queries (at least ``size``) are in the pool at once, running or
    waiting for a worker; one more is refused at once with :class:`ServerBusyError` (503 with
    ``Retry-After``) rather than queued without bound. The same holds per client with
    ``client_pending``.

    Use from one event loop: ``await pool.start()``, ``await pool.run(path, request, client)``,
    ``await pool.close()``.
    """

    def __init__(
        self,
        size: int,
        timeout: float,
        max_queued: int,
        *,
        memory_mb: float = float("inf"),
        client_slots: int = 0,
        client_pending: int = 1_000_000,
    ):
        self.size = size
        self.timeout = timeout
        self.max_queued = max(max_queued, size)
        self.memory_mb = memory_mb
        self.client_slots = client_slots or max(1, size - 1)
        self.client_pending = client_pending
        self._threads = ThreadPoolExecutor(max_workers=2 * size + 2, thread_name_prefix="metkg-query-wait")
        self._idle: list[_Worker] = []
        self._waiting: list[_Waiter] = []
        self._order = itertools.count()
        self._running: Counter[str] = Counter()
        self._served: dict[str, int] = {}  # when each client was last given a worker
        self._pending: Counter[str] = Counter()
        self._workers: set[_Worker] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.AbstractEventLoop = None  # type: ignore[assignment]

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
        self._idle.append(worker)
        self._dispatch()

    async def start(self) -> None:
        """Start every worker and wait until each is ready."""
        self._loop = asyncio.get_running_loop()
        await asyncio.gather(*(self._spawn() for _ in range(self.size)))

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker now (in a thread); start its successor in the background."""
        self._workers.discard(worker)

        async def replace_worker() -> None:
            await self._blocking(worker.kill)
            await self._spawn()

        task = self._loop.create_task(replace_worker())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _dispatch(self) -> None:
        """Give idle workers to waiting clients: fewest running first, then the client served
        longest ago (round robin), then its longest-waiting query."""
        while self._idle:
            eligible = [w for w in self._waiting if self._running[w.client] < self.client_slots]
            if not eligible:
                return
            waiter = min(eligible, key=lambda w: (self._running[w.client], self._served.get(w.client, -1), w.order))
            self._waiting.remove(waiter)
            if waiter.future.done():  # given up (timed out or cancelled)
                continue
            self._running[waiter.client] += 1
            self._served[waiter.client] = next(self._order)
            waiter.future.set_result(self._idle.pop())

    def _give_back(self, worker: _Worker, client: str, *, healthy: bool) -> None:
        self._running[client] -= 1
        self._pending[client] -= 1
        if self._running[client] <= 0:
            del self._running[client]
        if self._pending[client] <= 0:
            del self._pending[client]
            self._served.pop(client, None)
        if healthy:
            self._idle.append(worker)
        else:
            self._replace(worker)
        self._dispatch()

    async def _acquire(self, client: str) -> _Worker:
        waiter = _Waiter(client, next(self._order))
        self._waiting.append(waiter)
        self._dispatch()
        try:
            return await asyncio.wait_for(asyncio.shield(waiter.future), self.timeout)
        except (TimeoutError, asyncio.CancelledError):
            if waiter.future.done() and not waiter.future.cancelled():  # given a worker just as it gave up
                self._give_back(waiter.future.result(), client, healthy=True)
                self._pending[client] += 1  # the caller's finally takes the pending count back
            else:
                waiter.future.cancel()
                with contextlib.suppress(ValueError):
                    self._waiting.remove(waiter)
            raise ServerBusyError(f"no query worker became free within {self.timeout:g} s; retry in a moment") from None

    def _admit(self, client: str) -> None:
        total = sum(self._pending.values())
        if total >= self.max_queued:
            raise ServerBusyError(
                f"{total} queries are already running or waiting (the limit is {self.max_queued}); retry in a moment"
            )
        if self._pending[client] >= self.client_pending:
            raise ServerBusyError(
                f"you have {self._pending[client]} queries running or waiting (the limit per client is "
                f"{self.client_pending}); wait for their answers"
            )
        self._pending[client] += 1

    async def run(self, store_path: str, request: QueryRequest, client: str = "") -> QueryAnswer:
        """Run ``request`` on the store at ``store_path`` in a worker, within the timeout.

        The answer's body is streamed from the worker: ``answer.chunks`` yields it.
        """
        self._admit(client)
        try:
            worker = await self._acquire(client)
        except BaseException:
            self._pending[client] -= 1
            if self._pending[client] <= 0:
                del self._pending[client]
            raise
        lease = _Lease(self, worker, client)
        try:
            head = await self._blocking(worker.call, (store_path, request), self.timeout, self.memory_mb)
        except BaseException as exc:
            await asyncio.shield(self._blocking(worker.kill))  # its work stops before the client hears of it
            lease.release(healthy=False)
            raise self._failure(exc) from None
        if head[0] == "error":
            lease.release(healthy=True)
            raise head[1]
        _, answer, size = head
        return replace(answer, chunks=AnswerStream(self, lease, size))

    def _failure(self, exc: BaseException) -> BaseException:
        if isinstance(exc, TimeoutError):
            return QueryTimeoutError(
                f"the query ran longer than {self.timeout:g} s and was stopped; "
                "narrow it (more specific patterns, LIMIT) or use a named query"
            )
        if isinstance(exc, _OverMemoryError):
            return QueryMemoryError(
                f"the query needed more than {self.memory_mb:g} MB of memory and was stopped; "
                "narrow it (fewer combinations, LIMIT before ORDER BY) or use a named query"
            )
        if isinstance(exc, EOFError | OSError):
            return ServerBusyError("the query worker stopped unexpectedly (out of memory?); the query was not answered")
        return exc

    async def close(self) -> None:
        """Stop every worker."""
        for task in list(self._tasks):
            task.cancel()
        workers, self._workers = list(self._workers), set()
        await asyncio.gather(*(self._blocking(w.stop) for w in workers), return_exceptions=True)
        self._threads.shutdown(wait=False, cancel_futures=True)
