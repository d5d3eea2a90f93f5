"""``/sparql``: the SPARQL 1.1 Protocol query operation, a Service Description and a query page."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from metkg.errors import NotAcceptableError
from metkg.sparql.execute import QueryRequest
from metkg.sparql.negotiation import GRAPH_FORMATS, SOLUTION_FORMATS
from metkg.web.answers import answer_formats, answer_response, client_address, page_limits
from metkg.web.app.pages import render
from metkg.web.descriptions import default_graph_note, service_description
from metkg.web.errors import answer_responses
from metkg.web.limits import read_body
from metkg.web.protocol import FORM, SPARQL_QUERY, ProtocolRequest, from_get, from_post
from metkg.web.rdf import graph_response, pick_format
from metkg.web.service import QueryService

__all__ = ["router"]

router = APIRouter(tags=["SPARQL"])

_POST_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "required": ["query"],
                    "properties": {
                        "query": {"type": "string", "description": "SPARQL 1.1 query"},
                        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    },
                }
            },
            SPARQL_QUERY: {"schema": {"type": "string", "description": "SPARQL 1.1 query"}},
        },
    }
}
_ANSWERS = answer_responses(
    "The answer in the negotiated format: SPARQL results (SELECT, ASK), RDF (CONSTRUCT, DESCRIBE, the service "
    "description) or an HTML page",
    [media for fmt in SOLUTION_FORMATS + GRAPH_FORMATS for media in fmt.media_types],
)
GraphParam = Annotated[list[str] | None, Query(description="IRI of a graph of the RDF dataset (repeatable)")]


def _service(request: Request) -> QueryService:
    return request.app.state.service


async def _answer(request: Request, operation: ProtocolRequest) -> Response:
    assert operation.query is not None
    service = _service(request)
    formats = answer_formats(request, operation.format)
    query_request = QueryRequest(
        query=operation.query,
        solutions_format=formats.solutions[0].name if formats.solutions else None,
        graph_format=formats.graph[0].name if formats.graph else None,
        default_graphs=operation.default_graphs if operation.names_dataset else None,
        named_graphs=operation.named_graphs if operation.names_dataset else None,
        base_iri=service.base_iri,
        **page_limits(request, formats, service.settings),
    )
    answer = await service.run(query_request, client=client_address(request))
    return await answer_response(request, answer, formats, {"query": operation.query})


def _description(request: Request, format_name: str | None) -> Response:
    """GET without a query: the query page for browsers, the Service Description for machines."""
    try:
        chosen = pick_format(request.headers.get("accept"), format_name, GRAPH_FORMATS)
    except NotAcceptableError:
        raise NotAcceptableError(
            "without a query, /sparql answers with its service description (RDF) or a query page"
        ) from None
    if chosen[0].name == "html":
        return _query_page(request)
    service = _service(request)
    endpoint = str(request.url_for("sparql_get"))
    return graph_response(service_description(endpoint, service.snapshot()), chosen)


def _query_page(request: Request) -> Response:
    service = _service(request)
    queries = list(service.named_queries.values())
    example = service.named_queries.get(request.query_params.get("example", ""))
    context = {
        "examples": queries,
        "examples_json": json.dumps({q.name: q.text for q in queries}),
        "default_graph_note": default_graph_note(service.base_iri),
        "query": example.text if example else _STARTER,
    }
    return render(request, "sparql.html", context, headers={"Vary": "Accept"})


_STARTER = """PREFIX metkg: <https://w3id.org/metkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?case ?title WHERE {
  ?case a metkg:CaseReport ; rdfs:label ?title .
}
LIMIT 25
"""


@router.get("/sparql", name="sparql_get", responses=_ANSWERS, response_class=Response, summary="SPARQL query via GET")
async def sparql_get(
    request: Request,
    query: Annotated[str | None, Query(description="SPARQL 1.1 query; without it, the service description")] = None,
    default_graph_uri: Annotated[GraphParam, Query(alias="default-graph-uri")] = None,
    named_graph_uri: Annotated[GraphParam, Query(alias="named-graph-uri")] = None,
    format: Annotated[
        str | None, Query(description="answer format overriding Accept: json, xml, csv, tsv, turtle...")
    ] = None,
) -> Response:
    """Run a query sent in the URL (SPARQL 1.1 Protocol 2.1.1).

    The default graph is the union of every named graph (case reports, ontology, inferred
    facts); ``default-graph-uri`` and ``named-graph-uri`` choose other datasets. SELECT and
    ASK answer in SPARQL JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE in Turtle,
    N-Triples, JSON-LD or RDF/XML, as the Accept header prefers. Without a query: the
    SPARQL Service Description (Turtle), or a query page for browsers.
    """
    operation = from_get(list(request.query_params.multi_items()))
    if operation.query is None:
        return _description(request, operation.format)
    return await _answer(request, operation)


@router.post(
    "/sparql",
    name="sparql_post",
    responses=_ANSWERS,
    response_class=Response,
    summary="SPARQL query via POST",
    openapi_extra=_POST_BODY,
)
async def sparql_post(request: Request) -> Response:
    """Run a query sent as a form (2.1.2) or as the body with ``application/sparql-query`` (2.1.3).

    SPARQL Update (``update=`` or ``application/sparql-update``) is refused with 403: this
    endpoint is read-only.
    """
    body = await read_body(request, _service(request).settings.max_body_bytes)
    operation = from_post(request.headers.get("content-type"), body, list(request.query_params.multi_items()))
    return await _answer(request, operation)
