"""Conditional GET: an entity tag per build and request, and ``304 Not Modified`` without running anything.

Every change to the embedded store (``metkg build``, ``metkg add``, ``PUT /cases/...``) publishes
a new build directory and repoints ``current``, so the build's name identifies the data an answer
was made from. A successful ``GET`` or ``HEAD`` answer gets a strong ``ETag`` made of that name,
metkg's version and the server's start, the path, the query string and the ``Accept`` header
(answers are negotiated), and ``Cache-Control: no-cache`` (a cache may keep it but must ask
again). A request whose ``If-None-Match`` names the tag of the current build gets ``304 Not
Modified`` at once: the named query, the IRI's description or the export is not run again.

Not tagged: ``/sparql`` (a client's query may call ``NOW()``, ``RAND()`` or a ``SERVICE``, whose
answers change without the store changing), answers that say ``Cache-Control: no-store``
(``/health``), anything but ``200``, and every answer of a server reading an external SPARQL
server, whose data can change behind metkg's back.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["ConditionalGetMiddleware", "entity_tag"]

try:
    _VERSION = version("metkg")  # a new release may render the same data differently
except PackageNotFoundError:  # running from a source tree that was never installed
    _VERSION = "source"

#: Paths whose answers are never tagged (prefix match).
_UNTAGGED = ("/sparql", "/health", "/static/", "/cases/")


def entity_tag(server: str, build: str, path: str, query_string: bytes, accept: bytes, *, host: bytes = b"") -> str:
    """The strong entity tag of one answer of ``build`` (quoted, as the header carries it).

    ``server`` names the running server (its start): a restart, which may bring new queries,
    templates or settings, makes every earlier tag stale. ``host`` is the request's ``Host``:
    the VoID and the service description name the server by it, so an answer made for one
    host must not be taken by a shared cache for another's.
    """
    digest = hashlib.blake2b(digest_size=16)
    for part in (_VERSION.encode(), server.encode(), build.encode(), path.encode(), query_string, accept, host):
        digest.update(len(part).to_bytes(4, "big") + part)
    return f'"{digest.hexdigest()}"'


def _items(header: bytes) -> list[str]:
    return [item.strip() for item in header.decode("latin-1").split(",")]


def _matches(header: bytes, tag: str) -> bool:
    """Whether an ``If-None-Match`` value names ``tag`` (weak comparison, as RFC 9110 asks for GET).

    ``*`` is not a match here: it matches only a resource that exists, which only the answer can tell.
    """
    wanted = tag.strip('"')
    return any(item.removeprefix("W/").strip('"') == wanted for item in _items(header))


class ConditionalGetMiddleware:
    """Tags answers of the embedded store's current build and answers ``304`` to a matching ``If-None-Match``."""

    def __init__(self, app: ASGIApp, current_build: Callable[[], str | None] | None):
        self.app = app
        self.current_build = current_build  # None: an external SPARQL server holds the data
        self.server = f"{os.getpid()}-{time.time_ns()}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        build = self.current_build() if self.current_build is not None else None
        if build is None or path.startswith(_UNTAGGED):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        accept, host = headers.get(b"accept", b""), headers.get(b"host", b"")
        tag = entity_tag(self.server, build, path, scope.get("query_string", b""), accept, host=host)
        condition = headers.get(b"if-none-match")
        not_modified = {"ETag": tag, "Cache-Control": "no-cache", "Vary": "Accept"}
        if condition is not None and _matches(condition, tag):
            await Response(status_code=304, headers=not_modified)(scope, receive, send)
            return
        any_tag = condition is not None and "*" in _items(condition)
        state = {"not_modified": False}

        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                if any_tag:  # If-None-Match: * and the resource exists
                    state["not_modified"] = True
                    await send({"type": "http.response.start", "status": 304, "headers": _raw(not_modified)})
                    return
                answer = MutableHeaders(scope=message)
                if "no-store" not in answer.get("cache-control", "") and "etag" not in answer:
                    answer["ETag"] = tag
                    answer.setdefault("Cache-Control", "no-cache")
            elif state["not_modified"]:
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app(scope, receive, send_tagged)


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()]
