"""Query answers as HTTP responses: formats chosen by ``Accept`` (or ``?format=``), HTML tables for browsers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import pyoxigraph
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from metkg.errors import NotAcceptableError, ProtocolError
from metkg.sparql.execute import QueryAnswer
from metkg.sparql.negotiation import GRAPH_FORMATS, SOLUTION_FORMATS, Format, choose_format, format_by_name
from metkg.web.app.pages import TermViews, render, term_view
from metkg.web.limits import mark_json, mark_xml, truncation_headers, truncation_marks
from metkg.web.rdf import content_type
from metkg.web.streaming import ClosingStreamingResponse

__all__ = ["AnswerFormats", "answer_formats", "answer_response", "client_address", "page_limits", "result_table"]


@dataclass(frozen=True)
class AnswerFormats:
    """The formats to answer in: one for solutions (SELECT/ASK), one for triples (CONSTRUCT/DESCRIBE)."""

    solutions: tuple[Format, str] | None
    graph: tuple[Format, str] | None

    def media_type(self, answer: QueryAnswer) -> str:
        chosen = self.graph if answer.kind == "graph" else self.solutions
        assert chosen is not None and chosen[0].name == answer.format
        return content_type(chosen[1])


def answer_formats(request: Request, format_name: str | None = None) -> AnswerFormats:
    """The answer formats for a request; 406 when it accepts none, 400 for an unknown ``?format=``."""
    if format_name:
        solutions = format_by_name(format_name, SOLUTION_FORMATS)
        graph = format_by_name(format_name, GRAPH_FORMATS)
        if solutions is None and graph is None:
            names = sorted({f.name for f in SOLUTION_FORMATS + GRAPH_FORMATS})
            raise ProtocolError(f"unknown format {format_name!r}; formats: {', '.join(names)}")
        return AnswerFormats(
            (solutions, solutions.media_type) if solutions else None, (graph, graph.media_type) if graph else None
        )
    accept = request.headers.get("accept")
    formats = AnswerFormats(choose_format(accept, SOLUTION_FORMATS), choose_format(accept, GRAPH_FORMATS))
    if formats.solutions is None and formats.graph is None:
        offered = ", ".join(dict.fromkeys(f.media_type for f in SOLUTION_FORMATS + GRAPH_FORMATS))
        raise NotAcceptableError(f"no answer format matches Accept: {accept!r}; this endpoint answers in {offered}")
    return formats


def result_table(answer: QueryAnswer, base_iri: str) -> dict[str, Any]:
    """Columns and rows of term views for an HTML table (the answer is JSON or N-Triples)."""
    if answer.kind == "graph":
        triples = pyoxigraph.parse(answer.body, format=pyoxigraph.RdfFormat.N_TRIPLES)
        rows = [[term_view(t, base_iri) for t in (x.subject, x.predicate, x.object)] for x in triples]
        return {"columns": ["subject", "predicate", "object"], "rows": rows, "boolean": None}
    document = json.loads(answer.body)
    if "boolean" in document:
        return {"columns": [], "rows": [], "boolean": bool(document["boolean"])}
    columns = document["head"]["vars"]
    view = TermViews(base_iri)
    rows = [[view(b[c]) if c in b else None for c in columns] for b in document["results"]["bindings"]]
    return {"columns": columns, "rows": rows, "boolean": None}


def client_address(request: Request) -> str:
    """Who asks, for fair shares of the query workers: the peer's address (the proxy's
    ``X-Forwarded-For`` when the server trusts it, see ``forwarded_allow_ips``)."""
    return request.client.host if request.client else ""


def page_limits(request: Request, formats: AnswerFormats, settings: Any) -> dict[str, int]:
    """``max_rows`` and ``offset`` of a query: an HTML answer is shown a page of ``html_max_rows``
    rows at a time (``?page=N``, from 1), the other formats up to ``max_rows`` rows."""
    if not _is_html(formats):
        return {"max_rows": settings.max_rows, "offset": 0}
    page = _page_number(request)
    return {"max_rows": settings.html_max_rows, "offset": (page - 1) * settings.html_max_rows}


def _is_html(formats: AnswerFormats) -> bool:
    return any(chosen is not None and chosen[0].name == "html" for chosen in (formats.solutions, formats.graph))


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 1_000_000:
        raise ProtocolError(f"page must be a whole number from 1, got {raw!r}")
    return int(raw)


def _next_page(request: Request, page: dict[str, Any]) -> str | None:
    """The URL of the next page of an HTML answer (a GET, whichever way the query came)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    if "query" in page and not any(k == "query" for k, _ in params):
        params.append(("query", page["query"]))
    params.append(("page", str(_page_number(request) + 1)))
    return f"{request.url.path}?{urlencode(params)}"


async def _whole(answer: QueryAnswer) -> bytes:
    if answer.chunks is None:
        return answer.body
    return b"".join([chunk async for chunk in answer.chunks])


async def _marked(chunks: AsyncIterator[bytes], marks: tuple[bytes, bytes, bytes]) -> AsyncIterator[bytes]:
    """A streamed body with the truncation marks of :func:`truncation_marks` added."""
    before, after_declaration, after = marks
    first = True
    async for chunk in chunks:
        if first and before:
            yield mark_json(chunk, before)
        elif first and after_declaration:
            yield mark_xml(chunk, after_declaration)
        else:
            yield chunk
        first = False
    if after:
        yield after


def _truncation(request: Request, answer: QueryAnswer) -> tuple[dict[str, str], tuple[bytes, bytes, bytes]]:
    settings = request.app.state.service.settings
    if answer.cut_at_bytes:
        limit = settings.max_answer_bytes
        return truncation_headers(limit, byte_limit=limit), truncation_marks(answer.format, limit, in_bytes=True)
    return truncation_headers(settings.max_rows), truncation_marks(answer.format, settings.max_rows)


async def answer_response(
    request: Request, answer: QueryAnswer, formats: AnswerFormats, page: dict[str, Any] | None = None
) -> Response:
    """The HTTP response for an answer: its bytes streamed as the worker sends them, or an HTML page.

    An answer cut at the row or byte limit says so in headers and, where its format allows, in
    the body (:mod:`metkg.web.limits`). An HTML page is rendered in a thread, off the event loop.
    """
    headers = {"Vary": "Accept"}
    if answer.format == "html":
        context = {**(page or {}), "truncated": answer.truncated}
        body = await _whole(answer)
        if answer.truncated:
            context["next_page"] = _next_page(request, page or {})
        shown = replace(answer, body=body, chunks=None)
        return await run_in_threadpool(_render_table, request, shown, context)
    chunks = answer.chunks if answer.chunks is not None else _one(answer.body)
    try:
        marks = (b"", b"", b"")
        if answer.truncated:
            extra, marks = _truncation(request, answer)
            headers |= extra
        media_type = formats.media_type(answer)
    except BaseException:
        await chunks.aclose()  # no response will stream it: free its worker now
        raise
    return ClosingStreamingResponse(_marked(chunks, marks), source=chunks, media_type=media_type, headers=headers)


async def _one(body: bytes) -> AsyncIterator[bytes]:
    yield body


def _render_table(request: Request, answer: QueryAnswer, context: dict[str, Any]) -> Response:
    """The HTML page of an answer (run in a thread: parsing and rendering take a while)."""
    table = result_table(answer, request.app.state.base_iri)
    template = context.get("template", "results.html")
    return render(request, template, {**context, **table}, headers={"Vary": "Accept"})
