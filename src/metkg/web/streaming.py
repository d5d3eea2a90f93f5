"""Stream a pyoxigraph serialization to the client in chunks, never holding it all in memory.

pyoxigraph writes to a file-like object. :func:`stream_serialization` runs the writer in a
thread whose ``write`` calls feed a small bounded queue; the response iterates the queue.
When the client goes away, the iteration stops and the writer is told to give up at its
next write.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any, BinaryIO

import pyoxigraph
from pyoxigraph import Quad, RdfFormat, Triple
from starlette.concurrency import run_in_threadpool
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from metkg.errors import ServerBusyError
from metkg.vocab import PREFIXES

__all__ = ["ClosingStreamingResponse", "Serialization", "StreamSlots", "serialize_stream", "stream_serialization"]

_CHUNK = 64 * 1024
_DONE = object()


class _ReaderGoneError(Exception):
    """The reader went away."""


class _QueueWriter:
    """A write-only binary file whose writes become chunks in a queue."""

    def __init__(self, chunks: queue.Queue[object], cancelled: threading.Event):
        self.chunks = chunks
        self.cancelled = cancelled
        self.buffer = bytearray()

    def _put(self, item: object) -> None:
        while True:
            if self.cancelled.is_set():
                raise _ReaderGoneError
            try:
                self.chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def write(self, data: bytes) -> int:
        self.buffer += data
        if len(self.buffer) >= _CHUNK:
            self._put(bytes(self.buffer))
            self.buffer.clear()
        return len(data)

    def flush(self) -> None:
        return None

    def close(self) -> None:
        if self.buffer:
            self._put(bytes(self.buffer))
            self.buffer.clear()


class Serialization:
    """The bytes ``write(output)`` produces, chunk by chunk, as it produces them.

    ``write`` runs in its own thread from the first ``next()``. :meth:`close` may be called from
    any thread, even while another waits in ``next()``: the writer stops at its next write and the
    waiting reader wakes with the end of the stream.
    """

    def __init__(self, write: Callable[[BinaryIO], None]):
        self._write: Callable[[BinaryIO], None] | None = write
        self._chunks: queue.Queue[object] = queue.Queue(maxsize=16)
        self._cancelled = threading.Event()
        self._writer = _QueueWriter(self._chunks, self._cancelled)
        self._thread: threading.Thread | None = None

    def __iter__(self) -> Serialization:
        return self

    def __next__(self) -> bytes:
        if self._cancelled.is_set():
            raise StopIteration
        if self._thread is None:
            self._thread = threading.Thread(target=self._produce, name="metkg-serialize", daemon=True)
            self._thread.start()
        item = self._chunks.get()
        if item is _DONE or self._cancelled.is_set():
            self.close()
            raise StopIteration
        if isinstance(item, Exception):
            self.close()
            raise item
        return item  # type: ignore[return-value]

    def close(self) -> None:
        """Stop the writer and end the stream; a reader waiting for a chunk wakes."""
        self._cancelled.set()
        with contextlib.suppress(queue.Full):
            self._chunks.put_nowait(_DONE)

    def _produce(self) -> None:
        # The writer and what it reads (a store's iterator, which must be dropped in the thread
        # that made it) are released here, in this thread, however the writing ends.
        write, self._write = self._write, None
        try:
            self._run(write)  # type: ignore[arg-type]
        finally:
            del write

    def _run(self, write: Callable[[BinaryIO], None]) -> None:
        writer = self._writer
        try:
            write(writer)  # type: ignore[arg-type]
            writer.close()
        except _ReaderGoneError:
            return
        except Exception as exc:  # handed to the reader, which raises it
            writer.buffer.clear()
            try:
                writer._put(exc)
            except _ReaderGoneError:
                return
        with contextlib.suppress(_ReaderGoneError):
            writer._put(_DONE)


def stream_serialization(write: Callable[[BinaryIO], None]) -> Serialization:
    """The bytes ``write(output)`` produces, chunk by chunk, as it produces them."""
    return Serialization(write)


def serialize_stream(statements: Iterable[Quad | Triple], fmt: RdfFormat) -> Iterator[bytes]:
    """Stream ``statements`` serialized in ``fmt`` with the project's prefixes."""

    def write(output: BinaryIO) -> None:
        prefixes = PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML, RdfFormat.JSON_LD) else None
        pyoxigraph.serialize(statements, output, format=fmt, prefixes=prefixes)

    return stream_serialization(write)


class StreamSlots:
    """A bound on streams served at once: each holds a serializer thread and its buffers.

    :meth:`held` takes a slot (:class:`ServerBusyError`, 503, when none is free) and gives it
    back when the stream ends or its client goes away (the serializer thread then stops too),
    or, should the stream never start, when it is dropped.
    """

    def __init__(self, limit: int, what: str):
        self.limit = limit
        self.what = what
        self.used = 0
        self._lock = threading.Lock()

    def held(self, chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
        with self._lock:
            if self.used >= self.limit:
                raise ServerBusyError(f"{self.used} {self.what} are running (the limit is {self.limit}); retry later")
            self.used += 1
        return _HeldStream(chunks, _Slot(self))

    def give_back(self) -> None:
        with self._lock:
            self.used -= 1


class _Slot:
    """One slot of :class:`StreamSlots`, given back exactly once."""

    def __init__(self, slots: StreamSlots):
        self._slots: StreamSlots | None = slots

    def release(self) -> None:
        slots, self._slots = self._slots, None
        if slots is not None:
            slots.give_back()

    def __del__(self) -> None:
        self.release()


class _HeldStream:
    """``chunks``, each read in a thread, holding a slot; closed (its serializer stopped and the
    slot given back) at its end, or by :meth:`aclose` when the client is gone or never read."""

    def __init__(self, chunks: Iterator[bytes], slot: _Slot):
        self._chunks, self._slot = chunks, slot

    def __aiter__(self) -> _HeldStream:
        return self

    async def __anext__(self) -> bytes:
        try:
            chunk = await run_in_threadpool(next, self._chunks, None)
        except BaseException:
            await self.aclose()
            raise
        if chunk is None:
            await self.aclose()
            raise StopAsyncIteration
        return chunk

    async def aclose(self) -> None:
        await _close(self._chunks)
        self._slot.release()


class ClosingStreamingResponse(StreamingResponse):
    """A streamed response that closes what it streams however the response ends: read to the
    end, its client gone, or stopped once the headers were sent (a HEAD, :mod:`metkg.web.methods`).

    ``source`` is the stream under ``content`` when ``content`` wraps it: a wrapping generator
    that never started cannot pass its own closing on, so both are closed.
    """

    def __init__(self, content: AsyncIterator[bytes] | Iterator[bytes], *, source: object = None, **kwargs: Any):
        super().__init__(content, **kwargs)
        self._closing = [content] if source is None else [content, source]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            for stream in self._closing:
                await _close(stream)


async def _close(stream: object) -> None:
    """Close an async stream (``aclose``) or a generator (``close``); other iterables need nothing."""
    if (aclose := getattr(stream, "aclose", None)) is not None:
        await aclose()
    elif (close := getattr(stream, "close", None)) is not None:
        close()
