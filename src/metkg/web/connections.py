"""Connections the server keeps only while the client does its part: uvicorn's HTTP protocol with limits.

uvicorn waits forever for a request's headers and for a client to read its answer. A client
that opens connections and sends half a request, or asks for answers and never reads them,
holds a file descriptor, a buffer and (for a query) a worker each, and enough of them stop
the server. :func:`guarded_protocol` makes the protocol class ``metkg serve`` runs with:

- **header timeout**: a request whose headers are not complete ``header_timeout`` seconds
  after the connection opened (or after the previous answer) is dropped;
- **send timeout**: when the answer fills the socket's buffers (the client stopped reading)
  and they do not drain within ``send_timeout`` seconds, the connection is dropped; the
  answer's producer then stops (a query worker is freed) as for a client that went away;
- **connections per client**: one address may hold ``max_connections_per_client``
  connections; one more is answered ``503`` and closed at once.

Behind a reverse proxy every connection comes from the proxy's address: let the proxy limit
connections per client and time out slow clients, and raise ``max_connections_per_client``
(README, "Facing the public internet").
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from metkg.settings import Settings

__all__ = ["guarded_protocol", "server_config"]

_TOO_MANY = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: 5\r\n"
    b"Connection: close\r\nContent-Length: 60\r\n\r\ntoo many connections from your address; close some and retry\n"
)


def guarded_protocol(settings: Settings) -> type[asyncio.Protocol]:
    """uvicorn's HTTP protocol with the header and send timeouts and the per-client connection limit."""
    open_connections: Counter[str] = Counter()
    base: Any = HttpToolsProtocol  # uvicorn[standard]'s parser: it reports when the headers are complete

    class GuardedProtocol(base):  # type: ignore[misc,valid-type]
        """One connection, dropped when its client stalls."""

        _header_timer: asyncio.TimerHandle | None = None
        _send_timer: asyncio.TimerHandle | None = None
        _address: str | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._address = self.client[0] if self.client else None
            if self._address is not None:
                open_connections[self._address] += 1
                if open_connections[self._address] > settings.max_connections_per_client:
                    transport.write(_TOO_MANY)
                    transport.close()
                    return
            self._arm_header_timer()

        def connection_lost(self, exc: Exception | None) -> None:
            self._cancel_timers()
            if self._address is not None:
                open_connections[self._address] -= 1
                if open_connections[self._address] <= 0:
                    del open_connections[self._address]
                self._address = None
            super().connection_lost(exc)

        def on_headers_complete(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm_header_timer()  # the next request's headers, on a connection kept alive

        def pause_writing(self) -> None:
            super().pause_writing()
            if self._send_timer is None:
                self._send_timer = self.loop.call_later(settings.send_timeout, self._drop)

        def resume_writing(self) -> None:
            if self._send_timer is not None:
                self._send_timer.cancel()
                self._send_timer = None
            super().resume_writing()

        def _arm_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
            self._header_timer = self.loop.call_later(settings.header_timeout, self._drop)

        def _cancel_timers(self) -> None:
            for timer in (self._header_timer, self._send_timer):
                if timer is not None:
                    timer.cancel()
            self._header_timer = self._send_timer = None

        def _drop(self) -> None:
            """Close the connection at once, discarding what is buffered for the client."""
            self._header_timer = self._send_timer = None
            self.transport.abort()

    return GuardedProtocol


def server_config(app: Any, settings: Settings, *, log_level: str = "info") -> uvicorn.Config:
    """The uvicorn configuration ``metkg serve`` runs ``app`` with (tests run the same)."""
    behind_proxy = settings.forwarded_allow_ips is not None
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        workers=1,
        http=guarded_protocol(settings),  # type: ignore[arg-type]
        proxy_headers=behind_proxy,
        forwarded_allow_ips=settings.forwarded_allow_ips if behind_proxy else None,
        timeout_keep_alive=5,
        lifespan="on",
    )
