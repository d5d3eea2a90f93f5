"""A streamed serialization stops when its reader goes, even while a read is waiting in a thread."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

from metkg.web.streaming import StreamSlots, stream_serialization

_CHUNK = b"x" * 70_000


def _slow_writer(written: list[int]):  # type: ignore[no-untyped-def]
    def write(output) -> None:  # type: ignore[no-untyped-def]
        for _ in range(10_000):
            time.sleep(0.02)
            output.write(_CHUNK)
            written[0] += 1

    return write


def _serializers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "metkg-serialize" and t.is_alive()]


def test_a_client_gone_mid_read_stops_the_writer_and_frees_the_slot() -> None:
    written = [0]

    async def scenario():  # type: ignore[no-untyped-def]
        slots = StreamSlots(1, "streams")
        stream = slots.held(stream_serialization(_slow_writer(written)))
        await stream.__anext__()
        waiting = asyncio.ensure_future(stream.__anext__())  # a read waiting in its thread
        await asyncio.sleep(0.01)
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        await stream.aclose()  # what the response does when its client is gone
        return slots, stream

    slots, stream = asyncio.run(scenario())  # the stream is still referenced: no garbage collection helps
    assert slots.used == 0
    time.sleep(0.3)
    before = written[0]
    time.sleep(0.5)
    assert written[0] == before, "the writer kept serializing for a reader that is gone"
    assert not _serializers()
    del stream


def test_closing_from_another_thread_wakes_a_waiting_reader() -> None:
    stream = stream_serialization(lambda output: time.sleep(5))
    got: list[object] = []
    reader = threading.Thread(target=lambda: got.append(next(stream, None)))
    reader.start()
    time.sleep(0.1)
    stream.close()
    reader.join(2)
    assert not reader.is_alive() and got == [None]
