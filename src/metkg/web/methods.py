"""HTTP methods as RFC 9110 has them, for every route at once.

- **HEAD** (9.3.2): :class:`HeadMiddleware` answers HEAD wherever GET answers, with GET's status
  and headers and no content, for every route the app has or will have. The request runs as a
  GET; once the status and headers are sent, the answer's production stops (a HEAD of
  ``/export`` does not serialize the dataset).
- **405** (15.5.6): :func:`allowed_methods` lists every method the path's routes accept, for the
  ``Allow`` header, not just those of the first route that matched the path.
"""

from __future__ import annotations

from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadMiddleware", "allowed_methods"]


class _HeadAnsweredSignal(Exception):  # noqa: N818 (a signal, not an error)
    """The status and headers of a HEAD answer are sent: stop producing the content."""


class HeadMiddleware:
    """Runs a HEAD request as a GET and sends its status and headers only."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_head(message: Message) -> None:
            if message["type"] == "http.response.start":
                await send(message)
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                raise _HeadAnsweredSignal

        # A copy: the server keeps its own scope, which still says HEAD, and sends no content.
        try:
            await self.app({**scope, "method": "GET"}, receive, send_head)
        except _HeadAnsweredSignal:
            return
        except BaseExceptionGroup as group:  # raised inside a streaming answer's task group
            _, rest = group.split(_HeadAnsweredSignal)
            if rest is not None:
                raise rest from None


#: The methods :func:`allowed_methods` asks the routes about.
_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def _answers(app: ASGIApp, path: str, method: str) -> bool:
    scope = {"type": "http", "path": path, "root_path": "", "method": method}
    return any(route.matches(dict(scope))[0] == Match.FULL for route in getattr(app, "routes", ()))


def allowed_methods(app: ASGIApp, scope: Scope) -> list[str]:
    """Every method some route of ``app`` answers at the request's path (HEAD wherever GET is)."""
    methods = [method for method in _METHODS if _answers(app, scope["path"], method)]
    if "GET" in methods:
        methods.insert(1, "HEAD")
    return methods
