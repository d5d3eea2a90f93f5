"""HTTP errors: metkg's exceptions mapped to statuses once, answered as problem details.

Every error body is an RFC 9457 problem document (``application/problem+json``) or, for a
browser, a short HTML page. Bodies carry the message written for the user (the SPARQL
parser's message for a malformed query) and never a traceback or a file system path.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from metkg.errors import (
    AuthenticationError,
    BuildError,
    ConfigurationError,
    ConflictError,
    DataDirectoryError,
    FederationError,
    InconsistentRecordError,
    MetkgError,
    NotAcceptableError,
    PreconditionFailedError,
    ProtocolError,
    QueryError,
    QueryParameterError,
    QueryRefusedError,
    QueryTimeoutError,
    RecordValidationError,
    RequestTooLargeError,
    ResourceNotFoundError,
    ServerBusyError,
    StoreError,
    UnknownQueryError,
    UnsupportedMediaTypeError,
    WritesDisabledError,
)
from metkg.sparql.negotiation import negotiate
from metkg.web.methods import allowed_methods

__all__ = [
    "API_RESPONSES",
    "Problem",
    "RecordProblem",
    "answer_responses",
    "error_response",
    "install_error_handlers",
    "problem_response",
    "scrub",
    "status_of",
]

log = logging.getLogger("metkg.web")

PROBLEM_MEDIA_TYPE = "application/problem+json"
# An absolute file system path, but not the path part of an IRI (preceded by ':' or a name).
_FILE_PATH = re.compile(r"(?<![\w:/.~-])(?:/[^\s'\"/]+){2,}/?")
_NO_STORE = "the graph store is not available (no build published yet, or unreadable); run `metkg build`"


def scrub(detail: str) -> str:
    """A message without file system paths.

    >>> scrub("no graph store at '/srv/metkg/store'; see https://w3id.org/metkg/case/1")
    "no graph store at '<path>'; see https://w3id.org/metkg/case/1"
    """
    return _FILE_PATH.sub("<path>", detail)


class Problem(BaseModel):
    """An error answer (RFC 9457 problem details)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class IssueModel(BaseModel):
    """One problem in a case record: where it is and what is wrong."""

    file: str
    line: int | None
    field: str
    message: str


class RecordProblem(Problem):
    """A case record refused (422), with every problem found in it."""

    issues: list[IssueModel] = []


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its local ``$defs`` references replaced by the definitions."""
    definitions = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return walk(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: walk(value) for key, value in node.items()}
        return [walk(item) for item in node] if isinstance(node, list) else node

    return walk(schema)


def error_response(description: str, model: type[Problem] = Problem) -> dict[str, Any]:
    """An error status for OpenAPI: a problem document (RFC 9457) as errors are sent, or an HTML page."""
    return {
        "description": description,
        "content": {
            PROBLEM_MEDIA_TYPE: {"schema": _inlined(model.model_json_schema())},
            "text/html": {"schema": {"type": "string"}},
        },
    }


def answer_responses(description: str, media_types: Iterable[str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses of a route that answers 200 in the negotiated ``media_types``, and the errors.

    Use with ``response_class=Response``, so that the answer is not also documented as JSON.
    """
    content = {media: {"schema": {} if "json" in media else {"type": "string"}} for media in dict.fromkeys(media_types)}
    return {200: {"description": description, "content": content}, **API_RESPONSES}


#: The error statuses every route may answer with, declared once for OpenAPI.
API_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: error_response("Malformed query, bad parameter or bad request"),
    403: error_response("SPARQL Update, or a SERVICE call, refused: this endpoint is read-only"),
    404: error_response("No such resource or named query"),
    406: error_response("None of the accepted formats can express the answer"),
    413: error_response("Request body or query longer than the configured limit"),
    415: error_response("Request body of a content type the endpoint does not read"),
    503: error_response("Query stopped at the timeout, server busy, or no store built yet"),
}

# Most specific first: the first class an exception is an instance of decides.
_STATUS: tuple[tuple[type[MetkgError], int], ...] = (
    (QueryTimeoutError, 503),
    (FederationError, 502),
    (ServerBusyError, 503),
    (QueryRefusedError, 403),
    (UnknownQueryError, 404),
    (QueryParameterError, 400),
    (QueryError, 400),
    (NotAcceptableError, 406),
    (RequestTooLargeError, 413),
    (UnsupportedMediaTypeError, 415),
    (ResourceNotFoundError, 404),
    (AuthenticationError, 401),
    (WritesDisabledError, 403),
    (ConflictError, 409),
    (PreconditionFailedError, 412),
    (ProtocolError, 400),
    (RecordValidationError, 422),
    (InconsistentRecordError, 422),
    (BuildError, 422),
    (StoreError, 503),
    (DataDirectoryError, 507),
    (ConfigurationError, 500),
)


def status_of(exc: MetkgError) -> int:
    """The HTTP status for one of metkg's errors."""
    return next((status for cls, status in _STATUS if isinstance(exc, cls)), 500)


def problem_response(
    request: Request,
    status: int,
    detail: str,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> Response:
    """An error answer in the form the client prefers: problem JSON, or an HTML page for browsers.

    ``extensions`` are extra members of the problem document (RFC 9457, 3.2), such as the
    ``issues`` of a refused case record.
    """
    title = HTTPStatus(status).phrase
    detail = scrub(detail)
    accept = request.headers.get("accept")
    if negotiate(accept, [PROBLEM_MEDIA_TYPE, "application/json", "text/html"]) == "text/html":
        from metkg.web.app.pages import render

        return render(
            request, "error.html", {"status": status, "title": title, "detail": detail}, status=status, headers=headers
        )
    body = Problem(title=title, status=status, detail=detail).model_dump() | (extensions or {})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


async def _metkg_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MetkgError)
    status = status_of(exc)
    if status >= 500 and not isinstance(exc, QueryTimeoutError | ServerBusyError | FederationError):
        log.error("%s: %s", type(exc).__name__, exc)
    headers = {"Retry-After": "5"} if status in (502, 503) else None
    if status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="metkg"'}
    if status == 413:
        headers = {"Connection": "close"}  # the rest of a refused body is not read
    if isinstance(exc, StoreError):
        detail = _NO_STORE
    elif status < 500 or status in (502, 503, 507):
        detail = str(exc)
    else:
        detail = "the server is misconfigured; see its log"
    extensions = None
    if isinstance(exc, RecordValidationError):
        issues = [IssueModel(file=i.file, line=i.line, field=i.field, message=scrub(i.message)) for i in exc.issues]
        extensions = {"issues": [issue.model_dump() for issue in issues]}
    return problem_response(request, status, detail, headers, extensions)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers, detail = dict(exc.headers or {}), str(exc.detail)
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(allowed_methods(request.app, request.scope))
        detail = f"{request.method} is not allowed on {request.url.path}; it answers {headers['Allow']}"
    return problem_response(request, exc.status_code, detail, headers or None)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()]
    return problem_response(request, 400, "; ".join(parts) or "bad request")


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error answering %s %s", request.method, request.url.path)
    return problem_response(request, 500, "the server failed to answer; the error is in its log")


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error as a problem document."""
    app.add_exception_handler(MetkgError, _metkg_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
