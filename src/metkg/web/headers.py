"""Response headers every answer gets: CORS for reading, and security headers on pages.

A small ASGI middleware rather than Starlette's ``BaseHTTPMiddleware``, so streamed answers
(``/export``) pass through untouched.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from metkg.web.limits import TRUNCATION_HEADERS

__all__ = ["CONTENT_SECURITY_POLICY", "HeadersMiddleware"]

#: Pages load scripts, styles and data from this server only, and nothing may frame them.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Content-Type, Content-Disposition, Link, Vary, Retry-After, ETag, "
    + ", ".join(TRUNCATION_HEADERS),
}
_PREFLIGHT = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Content-Type, If-None-Match",
    "Access-Control-Max-Age": "86400",
}


class HeadersMiddleware:
    """Adds CORS headers to every answer, security headers to HTML, and answers CORS preflights."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = dict(scope.get("headers") or [])
        if scope["method"] == "OPTIONS" and b"access-control-request-method" in request_headers:
            await Response(status_code=204, headers=_PREFLIGHT)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.update(_CORS)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if headers.get("content-type", "").startswith("text/html"):
                    headers.update(_PAGE_HEADERS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
