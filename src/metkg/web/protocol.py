"""The SPARQL 1.1 Protocol's query operation, read from an HTTP request (pure functions).

Section 2.1 of https://www.w3.org/TR/sparql11-protocol/ allows three ways to send a query:
GET with ``query=`` (2.1.1), POST of a form (2.1.2) and POST of the query itself with
``Content-Type: application/sparql-query`` (2.1.3); ``default-graph-uri`` and
``named-graph-uri`` give the dataset (2.1.4). This endpoint is read-only: the update
operation (2.2) is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from metkg.errors import ProtocolError, QueryRefusedError, UnsupportedMediaTypeError

__all__ = ["ProtocolRequest", "from_get", "from_post", "is_absolute_iri"]

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$")
_UPDATE_REFUSED = "this endpoint is read-only: SPARQL Update is not accepted"

Params = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class ProtocolRequest:
    """A query operation: the query (``None`` when none was sent) and the dataset it names."""

    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format: str | None = None

    @property
    def names_dataset(self) -> bool:
        return bool(self.default_graphs or self.named_graphs)


def is_absolute_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI, as a graph parameter must be.

    >>> is_absolute_iri("https://w3id.org/metkg/graph/ontology"), is_absolute_iri("graph/ontology")
    (True, False)
    """
    return _ABSOLUTE_IRI.match(text) is not None


def _values(params: Params, name: str) -> list[str]:
    return [value for key, value in params if key == name]


def _graphs(params: Params, name: str) -> tuple[str, ...]:
    graphs = _values(params, name)
    for iri in graphs:
        if not is_absolute_iri(iri):
            raise ProtocolError(f"{name} must be an absolute IRI, got {iri!r}")
    return tuple(graphs)


def _build(params: Params, query: str | None) -> ProtocolRequest:
    formats = _values(params, "format")
    return ProtocolRequest(
        query=query,
        default_graphs=_graphs(params, "default-graph-uri"),
        named_graphs=_graphs(params, "named-graph-uri"),
        format=formats[-1] if formats else None,
    )


def _one_query(params: Params) -> str | None:
    if _values(params, "update"):
        raise QueryRefusedError(_UPDATE_REFUSED)
    queries = _values(params, "query")
    if len(queries) > 1:
        raise ProtocolError(f"the request carries {len(queries)} queries; send exactly one `query` parameter")
    return queries[0] if queries else None


def from_get(params: Params) -> ProtocolRequest:
    """Section 2.1.1, query via GET: parameters in the URL."""
    return _build(params, _one_query(params))


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    """The media type and charset of a Content-Type header."""
    media, *params = (content_type or "").split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.strip().lower(), charset


def _decode(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8", "us-ascii"):
        raise UnsupportedMediaTypeError(f"the request body must be UTF-8 encoded, not {charset!r}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolError("the request body is not valid UTF-8") from None


def from_post(content_type: str | None, body: bytes, url_params: Params) -> ProtocolRequest:
    """Sections 2.1.2 (form) and 2.1.3 (query as the body); updates refused (2.2)."""
    media, charset = _media_type(content_type)
    if media == SPARQL_UPDATE:
        raise QueryRefusedError(_UPDATE_REFUSED)
    if media == FORM:
        params = list(url_params) + parse_qsl(_decode(body, charset), keep_blank_values=True)
        query = _one_query(params)
        if query is None:
            raise ProtocolError("the form has no `query` parameter")
        return _build(params, query)
    if media == SPARQL_QUERY:
        if _values(url_params, "query") or _values(url_params, "update"):
            raise ProtocolError("a query sent as the request body cannot also have a `query` or `update` URL parameter")
        return _build(url_params, _decode(body, charset))
    shown = media or "none"
    raise UnsupportedMediaTypeError(
        f"POST a query as {FORM} (query=...) or as {SPARQL_QUERY}; the request's content type is {shown!r}"
    )
