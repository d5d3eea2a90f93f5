"""RDF answers: statements serialized in the negotiated format."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph
from pyoxigraph import Triple
from starlette.responses import Response

from metkg.errors import NotAcceptableError
from metkg.sparql.execute import rdf_format
from metkg.sparql.negotiation import Format, choose_format, format_by_name
from metkg.vocab import PREFIXES
from metkg.web.streaming import ClosingStreamingResponse, StreamSlots, serialize_stream

__all__ = ["content_type", "graph_response", "pick_format", "streamed_graph_response"]

_TEXT = (
    "text/",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/rdf+xml",
    "application/xml",
    "application/sparql-results+xml",
)


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type (UTF-8 named for text formats)."""
    return f"{media_type}; charset=utf-8" if media_type.startswith(_TEXT) else media_type


def pick_format(accept: str | None, format_name: str | None, formats: tuple[Format, ...]) -> tuple[Format, str]:
    """The format to answer in: ``?format=`` when given, else the Accept header's choice; 406 when none fits."""
    if format_name:
        fmt = format_by_name(format_name, formats)
        if fmt is None:
            names = ", ".join(f.name for f in formats)
            raise NotAcceptableError(f"unknown format {format_name!r}; formats: {names}")
        return fmt, fmt.media_type
    chosen = choose_format(accept, formats)
    if chosen is None:
        offered = ", ".join(dict.fromkeys(f.media_type for f in formats))
        raise NotAcceptableError(f"no format matches Accept: {accept!r}; available: {offered}")
    return chosen


def graph_response(
    triples: Iterable[Triple], chosen: tuple[Format, str], headers: dict[str, str] | None = None
) -> Response:
    """A small graph serialized whole (descriptions, resources)."""
    fmt, media_type = chosen
    body = pyoxigraph.serialize(list(triples), format=rdf_format(fmt.name), prefixes=PREFIXES) or b""
    return Response(body, media_type=content_type(media_type), headers={"Vary": "Accept", **(headers or {})})


def streamed_graph_response(
    statements: Iterable[pyoxigraph.Quad | Triple],
    chosen: tuple[Format, str],
    headers: dict[str, str] | None = None,
    slots: StreamSlots | None = None,
) -> ClosingStreamingResponse:
    """A large graph or dataset streamed in chunks as it is serialized (holding one of ``slots``)."""
    fmt, media_type = chosen
    chunks = serialize_stream(statements, rdf_format(fmt.name))
    return ClosingStreamingResponse(
        slots.held(chunks) if slots is not None else chunks,
        media_type=content_type(media_type),
        headers={"Vary": "Accept", **(headers or {})},
    )
