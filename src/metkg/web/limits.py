"""Limits the server enforces, and how an answer says it hit one.

- **Request body**: :func:`read_body` refuses a body over ``max_body_bytes`` (413) from its
  ``Content-Length``, or as soon as the bytes read pass the limit. It reads and discards the rest
  of the body first, up to :data:`DISCARD_LIMIT` bytes, so that a client that sends its whole
  body before reading sees the 413 rather than a reset connection; the 413 closes the connection.
- **Rows and bytes**: a query answer stops at ``max_rows`` rows (triples for
  CONSTRUCT/DESCRIBE), or at the last whole row within ``max_answer_bytes`` bytes. A cut
  answer carries the headers ``Metkg-Truncated: true`` and ``Metkg-Row-Limit: N`` (or
  ``Metkg-Byte-Limit: N``) and, where the format has room for it, a mark in the body
  (:func:`mark_truncated`):

  ========================  ==============================================================
  format                    mark in the body
  ========================  ==============================================================
  SPARQL JSON results       a top-level member ``"truncated": {"row_limit": N, "detail": ...}``
                            (clients that follow the standard ignore members they do not know)
  SPARQL XML, RDF/XML       an XML comment after the XML declaration
  Turtle, N-Triples         a ``#`` comment as the last line
  CSV, TSV, JSON-LD         none: these formats have no comments, and an extra row or member
                            would be read as data; the headers say it
  HTML                      a sentence above the table
  ========================  ==============================================================

The other limits (query length, concurrent queries, timeout) are checked where the query is
run: :meth:`metkg.web.service.QueryService.check_query` and :class:`metkg.sparql.pool.QueryPool`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

from starlette.requests import Request

from metkg.errors import RequestTooLargeError

__all__ = [
    "DISCARD_LIMIT",
    "TRUNCATED_HEADER",
    "TRUNCATION_HEADERS",
    "mark_json",
    "mark_truncated",
    "mark_xml",
    "read_body",
    "truncation_headers",
]

TRUNCATED_HEADER = "Metkg-Truncated"
ROW_LIMIT_HEADER = "Metkg-Row-Limit"
BYTE_LIMIT_HEADER = "Metkg-Byte-Limit"
#: Headers a browser script may read (CORS ``Access-Control-Expose-Headers``).
TRUNCATION_HEADERS = (TRUNCATED_HEADER, ROW_LIMIT_HEADER, BYTE_LIMIT_HEADER)
#: Bytes of a refused body read and thrown away before the 413; beyond them the connection is cut.
DISCARD_LIMIT = 64 * 1024 * 1024


async def _discard(request: Request, rest: AsyncIterator[bytes], already: int) -> None:
    """Read and drop the rest of the body, up to :data:`DISCARD_LIMIT` bytes in all."""
    if request.headers.get("expect", "").lower() == "100-continue":
        return  # the client waits to be asked for the body: it is not sent
    seen = already
    async for chunk in rest:
        seen += len(chunk)
        if seen > DISCARD_LIMIT:
            return


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) beyond ``limit`` bytes without keeping it."""
    declared = request.headers.get("content-length")
    stream = request.stream()  # one iterator: the body can be read once
    if declared is not None and declared.isdigit() and int(declared) > limit:
        if int(declared) <= DISCARD_LIMIT:
            await _discard(request, stream, 0)
        raise RequestTooLargeError(f"the request body has {int(declared):,} bytes; the limit is {limit:,}")
    body = bytearray()
    async for chunk in stream:
        body += chunk
        if len(body) > limit:
            await _discard(request, stream, len(body))
            raise RequestTooLargeError(f"the request body is longer than the limit of {limit:,} bytes")
    return bytes(body)


def truncation_headers(row_limit: int, *, byte_limit: int | None = None) -> dict[str, str]:
    """The headers of an answer cut at ``row_limit`` rows (or, when given, at ``byte_limit`` bytes)."""
    if byte_limit is not None:
        return {TRUNCATED_HEADER: "true", BYTE_LIMIT_HEADER: str(byte_limit)}
    return {TRUNCATED_HEADER: "true", ROW_LIMIT_HEADER: str(row_limit)}


def _message(row_limit: int, unit: str) -> str:
    return f"the answer was cut at the server's limit of {row_limit:,} {unit}; use LIMIT and OFFSET to page through it"


def truncation_marks(format_name: str, limit: int, *, in_bytes: bool = False) -> tuple[bytes, bytes, bytes]:
    """What :func:`mark_truncated` adds to a streamed body: (before the first byte, after the XML
    declaration, after the last byte); the XML comment goes after the declaration when there is one."""
    unit = "bytes" if in_bytes else ("rows" if format_name in ("json", "xml") else "triples")
    empty = b""
    if format_name == "json":
        member = json.dumps({"row_limit": limit, "detail": _message(limit, unit)}, separators=(",", ":"))
        return b'{"truncated":' + member.encode() + b",", empty, empty
    if format_name in ("xml", "rdfxml"):
        return empty, f"<!-- metkg: {_message(limit, unit)} -->".encode(), empty
    if format_name in ("turtle", "ntriples"):
        return empty, empty, f"\n# metkg: {_message(limit, unit)}\n".encode()
    return empty, empty, empty


def mark_xml(body: bytes, comment: bytes) -> bytes:
    """``body`` with ``comment`` after its XML declaration (before everything when it has none)."""
    if body.startswith(b"<?xml"):
        end = body.find(b"?>") + 2
        return body[:end] + comment + body[end:]
    return comment + body


def mark_truncated(body: bytes, format_name: str, row_limit: int) -> bytes:
    """``body`` (an answer in the format ``format_name``) with a mark saying it was cut at ``row_limit``.

    >>> mark_truncated(b'{"head":{"vars":[]},"results":{"bindings":[]}}', "json", 2)[:40]
    b'{"truncated":{"row_limit":2,"detail":"th'
    >>> mark_truncated(b"<a> <b> <c> .\\n", "ntriples", 1).decode().splitlines()[-1]
    "# metkg: the answer was cut at the server's limit of 1 triples; use LIMIT and OFFSET to page through it"
    >>> mark_truncated(b"a,b\\r\\n1,2\\r\\n", "csv", 1)
    b'a,b\\r\\n1,2\\r\\n'
    """
    before, after_declaration, after = truncation_marks(format_name, row_limit)
    if before:
        return mark_json(body, before)
    if after_declaration:
        return mark_xml(body, after_declaration)
    if after:
        return body + (b"" if not body or body.endswith(b"\n") else b"\n") + after.lstrip(b"\n")
    return body


def mark_json(body: bytes, member: bytes) -> bytes:
    """A SPARQL JSON document (or its first chunk) with ``member`` as its first member."""
    if body.startswith(b"{") and not body[1:].lstrip().startswith(b"}"):
        return member + body[1:]
    return body
