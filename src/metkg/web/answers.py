"""Query answers as HTTP responses: formats chosen by ``Accept`` (or ``?format=``), HTML tables for browsers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pyoxigraph
from starlette.requests import Request
from starlette.responses import Response

from metkg.errors import NotAcceptableError, ProtocolError
from metkg.sparql.execute import QueryAnswer
from metkg.sparql.negotiation import GRAPH_FORMATS, SOLUTION_FORMATS, Format, choose_format, format_by_name
from metkg.web.app.pages import render, term_view
from metkg.web.limits import mark_truncated, truncation_headers
from metkg.web.rdf import content_type

__all__ = ["AnswerFormats", "answer_formats", "answer_response", "result_table"]


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
    bindings = document["results"]["bindings"]
    rows = [[term_view(b[c], base_iri) if c in b else None for c in columns] for b in bindings]
    return {"columns": columns, "rows": rows, "boolean": None}


def answer_response(
    request: Request, answer: QueryAnswer, formats: AnswerFormats, page: dict[str, Any] | None = None
) -> Response:
    """The HTTP response for an answer: the serialized bytes, or an HTML page showing them.

    An answer cut at the row limit says so in headers and, where its format allows, in the body
    (:mod:`metkg.web.limits`).
    """
    headers = {"Vary": "Accept"}
    body = answer.body
    if answer.truncated:
        row_limit = request.app.state.service.settings.max_rows
        headers |= truncation_headers(row_limit)
        body = mark_truncated(body, answer.format, row_limit)
    if answer.format == "html":
        context = {**(page or {}), **result_table(answer, request.app.state.base_iri), "truncated": answer.truncated}
        return render(request, context.get("template", "results.html"), context, headers=headers)
    return Response(body, media_type=formats.media_type(answer), headers=headers)
