"""``/queries``: the named queries of ``queries/*.rq``, listed and run with typed parameters."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from metkg.sparql.execute import QueryRequest
from metkg.sparql.named import PARAMETER_TYPES, NamedQuery, get_named_query
from metkg.sparql.negotiation import SOLUTION_FORMATS, negotiate
from metkg.web.answers import answer_formats, answer_response, client_address, page_limits
from metkg.web.app.pages import render
from metkg.web.errors import answer_responses
from metkg.web.service import QueryService

__all__ = ["router"]

router = APIRouter(tags=["Named queries"])

_RESERVED = {"format"}
_ANSWERS = answer_responses(
    "The answer in the negotiated format: SPARQL results or an HTML page",
    [media for fmt in SOLUTION_FORMATS for media in fmt.media_types],
)


def _service(request: Request) -> QueryService:
    return request.app.state.service


def _summary(query: NamedQuery) -> dict[str, Any]:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "url": f"/queries/{query.name}",
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "expects": PARAMETER_TYPES[p.type],
                "required": p.required,
                "default": p.default,
                "description": p.description,
            }
            for p in query.parameters
        ],
        "query": query.text,
    }


@router.get(
    "/queries",
    name="queries",
    responses=answer_responses("The named queries (JSON), or a page", ["application/json", "text/html"]),
    response_class=Response,
    summary="List the named queries",
)
def list_queries(request: Request) -> Response:
    """Every named query with its title, description and parameters (JSON, or HTML for browsers)."""
    queries = list(_service(request).named_queries.values())
    if negotiate(request.headers.get("accept"), ["application/json", "text/html"]) == "text/html":
        return render(
            request, "queries.html", {"queries": queries, "types": PARAMETER_TYPES}, headers={"Vary": "Accept"}
        )
    return JSONResponse({"queries": [_summary(q) for q in queries]}, headers={"Vary": "Accept"})


def _missing_required(query: NamedQuery, values: dict[str, str]) -> bool:
    return any(p.required and not values.get(p.name, "").strip() for p in query.parameters)


@router.get(
    "/queries/{name}", name="named_query", responses=_ANSWERS, response_class=Response, summary="Run a named query"
)
async def run_named_query(request: Request, name: str) -> Response:
    """Run a named query; each URL parameter binds the query variable of its name as a typed term.

    Answers in the same formats as ``/sparql`` (``Accept``, or ``?format=csv`` and the like).
    Site parameters match the whole site hierarchy: ``site=skin`` finds scalp metastases.
    """
    service = _service(request)
    query = get_named_query(service.named_queries, name)
    values = {k: v for k, v in request.query_params.items() if k not in _RESERVED}
    formats = answer_formats(request, request.query_params.get("format"))
    page = {"named": query, "values": values, "types": PARAMETER_TYPES, "query": query.text}
    if formats.solutions and formats.solutions[0].name == "html" and _missing_required(query, values):
        return render(request, "named_query.html", {**page, "columns": None}, headers={"Vary": "Accept"})
    query_request = QueryRequest(
        query=query.text,
        solutions_format=formats.solutions[0].name if formats.solutions else None,
        graph_format=formats.graph[0].name if formats.graph else None,
        substitutions=service.bindings(query, values),
        base_iri=service.base_iri,
        **page_limits(request, formats, service.settings),
    )
    answer = await service.run(query_request, named=True, client=client_address(request))
    if answer.format == "html":
        return await answer_response(request, answer, formats, {**page, "template": "named_query.html"})
    return await answer_response(request, answer, formats)
