"""``PUT /cases/{record_id}``: add or replace one case record over HTTP, for holders of the write token.

The body is one case record in YAML, exactly as a file under ``data/cases/``. It is validated
like a build (models, ontology keys, references, evidence quotes, SHACL shapes, the reasoner)
and applied atomically by :func:`metkg.build.add_record`: readers see the old graph or the new
one, never a half, and the next request is answered from the new graph. Without
``METKG_WRITE_TOKEN`` the server accepts no writes (403); with it, a request must carry
``Authorization: Bearer <token>`` (401 otherwise; the token is compared in constant time).

A record replaces another only explicitly: under the same id, or with ``If-Match`` naming the
current ETag of the record that has its DOI (409 otherwise, 412 for a stale tag). The work is
done in a separate process (:class:`WriteProcess`): whatever a body makes the YAML parser, the
store or the reasoner do, the server stays up and answers 500.
"""

from __future__ import annotations

import asyncio
import hmac
import multiprocessing
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, SecretStr
from starlette.responses import JSONResponse, Response

from metkg.build import AddResult, add_record
from metkg.errors import (
    AuthenticationError,
    BuildError,
    Issue,
    ProtocolError,
    RecordValidationError,
    ServerBusyError,
    StoreError,
    UnsupportedMediaTypeError,
    WritesDisabledError,
)
from metkg.iris import CaseIris
from metkg.processes import die_with_parent
from metkg.records.loader import parse_record_text
from metkg.settings import Settings
from metkg.web.app.pages import href
from metkg.web.errors import API_RESPONSES, RecordProblem, error_response
from metkg.web.limits import read_body

__all__ = ["CaseWritten", "WriteProcess", "apply_record", "authorize", "router"]

router = APIRouter(tags=["Writes"])

YAML_MEDIA_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")
BODY_NAME = "request body"
_RECORD_ID = r"^[a-z0-9][a-z0-9-]*$"
_WRITE_LOCK = threading.Lock()  # one write at a time from this process; other builds fail fast


class CaseWritten(BaseModel):
    """What a write did."""

    record: str
    doi: str
    iri: str
    replaced: bool
    triples: int


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": CaseWritten, "description": "The case report was replaced"},
    201: {"model": CaseWritten, "description": "The case report was added"},
    400: API_RESPONSES[400],
    401: error_response("No bearer token, or a wrong one"),
    403: error_response("Writes are disabled on this server (no write token)"),
    409: error_response("Another record has this DOI; replace it explicitly (its id, or If-Match)"),
    412: error_response("If-Match does not name the current version of the record"),
    413: API_RESPONSES[413],
    415: API_RESPONSES[415],
    422: error_response("The record is invalid: every problem with its line and field", RecordProblem),
    503: API_RESPONSES[503],
    507: error_response("The record could not be saved in the data folder; nothing was published"),
}
_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string", "description": "one case record (data/README.md)"}}
        },
    }
}


def _secret(value: SecretStr | str | None) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else (value or "")


#: The identity of a write made with the shared write token rather than a curator's own.
WRITE_TOKEN_HOLDER = "write-token holder"


def authorize(authorization: str | None, settings: Settings) -> str:
    """Let a request through only with the server's write token or a curator's token; who it is.

    A curator's token (``METKG_CURATORS``) names the curator; the shared write token
    (``METKG_WRITE_TOKEN``) names no one in particular. Raises :class:`WritesDisabledError`
    (403) when neither is configured and :class:`AuthenticationError` (401) when the header is
    missing or the token is not one of them.
    """
    tokens = {name: _secret(secret) for name, secret in settings.curators.items()}
    shared = _secret(settings.write_token)  # a SecretStr, or a str in settings copied with model_copy(update=...)
    if shared:
        tokens.setdefault(WRITE_TOKEN_HOLDER, shared)
    tokens = {name: token for name, token in tokens.items() if token}
    if not tokens:
        raise WritesDisabledError(
            "writes are disabled on this server: it has no write token (METKG_WRITE_TOKEN) "
            "and no curators (METKG_CURATORS)"
        )
    scheme, _, given = (authorization or "").strip().partition(" ")
    if scheme.lower() == "bearer":
        for name, token in tokens.items():
            if hmac.compare_digest(given.strip().encode(), token.encode()):
                return name
    raise AuthenticationError("this write needs the header `Authorization: Bearer <your token>`")


def _check_media_type(content_type: str | None) -> None:
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in YAML_MEDIA_TYPES:
        shown = media or "none"
        raise UnsupportedMediaTypeError(
            f"send the case record as application/yaml; the request's content type is {shown!r}"
        )


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("the request body is not valid UTF-8") from None


def apply_record(settings: Settings, record_id: str, text: str, if_match: str | None = None) -> AddResult:
    """Validate ``text`` as the record ``record_id`` and add or replace it in the store, atomically.

    Raises :class:`RecordValidationError` with every problem (line and field in the body), and
    :class:`~metkg.errors.RecordConflictError` when the record would take over another record's
    DOI without ``if_match``.
    """
    record, lines, issues = parse_record_text(text, BODY_NAME)
    if issues or record is None:
        raise RecordValidationError(issues)
    if record.id != record_id:
        message = f"the record's id {record.id!r} differs from {record_id!r} in the URL; the URL must end with its id"
        raise RecordValidationError([Issue(BODY_NAME, lines.line(("id",)), "id", message)])
    with _WRITE_LOCK, tempfile.TemporaryDirectory(prefix="metkg-put-") as tmp:
        path = Path(tmp) / f"{record_id}.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            return add_record(settings, path, if_match=if_match, rename=False)
        except RecordValidationError as exc:  # name the body, not the temporary file
            raise RecordValidationError([replace(issue, file=BODY_NAME) for issue in exc.issues]) from None
        except StoreError as exc:
            if "another build" in str(exc):
                raise ServerBusyError("another build or write is running on the store; retry in a moment") from None
            raise


class WriteProcess:
    """A process that applies writes, one at a time, so that no write can take the server down.

    A spawned interpreter (not a fork of the threaded server), started at the first write and
    kept for the next ones; if a write kills it, the write answers 500 and the next write
    starts a new one.
    """

    def __init__(self) -> None:
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            spawn = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(1, mp_context=spawn, initializer=die_with_parent)
        return self._executor

    async def apply(self, settings: Settings, record_id: str, text: str, if_match: str | None) -> AddResult:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool(), apply_record, settings, record_id, text, if_match)
        except BrokenProcessPool:
            self.close()
            raise BuildError(
                "the process applying the write stopped (it crashed or ran out of memory); nothing was written"
            ) from None

    def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


RecordId = Annotated[
    str, PathParam(pattern=_RECORD_ID, max_length=200, description="the record's `id` (lower case, digits, hyphens)")
]


@router.put(
    "/cases/{record_id}",
    name="put_case",
    responses=_RESPONSES,
    summary="Add or replace one case record",
    openapi_extra=_BODY,
    response_model=None,
)
async def put_case(request: Request, record_id: RecordId) -> Response:
    """Add the case record in the body (YAML), or replace the case report with its DOI.

    Needs ``Authorization: Bearer <METKG_WRITE_TOKEN>``. The record is validated exactly like
    ``metkg build`` and published atomically; 201 when the case report is new, 200 when it
    replaced one, 422 with every problem (line and field in the body) when it is invalid.
    """
    settings: Settings = request.app.state.service.settings
    authorize(request.headers.get("authorization"), settings)
    _check_media_type(request.headers.get("content-type"))
    text = _decode(await read_body(request, settings.max_body_bytes))
    result = await request.app.state.writes.apply(settings, record_id, text, request.headers.get("if-match"))
    iri = CaseIris(settings.base_iri, result.doi).case
    body = CaseWritten(
        record=result.record_id, doi=result.doi, iri=iri, replaced=result.replaced, triples=result.triples
    )
    headers = {"Location": href(iri, settings.base_iri), "ETag": result.etag}
    return JSONResponse(body.model_dump(), status_code=200 if result.replaced else 201, headers=headers)
