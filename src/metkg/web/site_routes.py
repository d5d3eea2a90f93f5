"""The rest of the site: health, the whole dataset for download, and its VoID description."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import JSONResponse, Response

from metkg.errors import StoreError
from metkg.export import iter_quads
from metkg.sparql.negotiation import DATASET_FORMATS, GRAPH_FORMATS, QUAD_FORMATS
from metkg.web.descriptions import void_description
from metkg.web.errors import answer_responses
from metkg.web.rdf import graph_response, pick_format, streamed_graph_response
from metkg.web.service import QueryService

__all__ = ["router"]

router = APIRouter()


def _service(request: Request) -> QueryService:
    return request.app.state.service


_HEALTH_503 = {"description": "No store build to serve yet, or the query workers are starting"}


@router.get("/health", name="health", tags=["Service"], responses={503: _HEALTH_503}, summary="Readiness")
def health(request: Request) -> Response:
    """200 when a store build is open and the query workers run; 503 otherwise."""
    service = _service(request)
    try:
        snapshot = service.snapshot()
    except StoreError:
        return JSONResponse({"status": "unavailable", "detail": "no store build to serve"}, status_code=503)
    if not service.started or service.pool is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    body = {
        "status": "ok",
        "build": snapshot.manifest.get("built"),
        "triples": snapshot.triples,
        "query_workers": len(service.pool.pids),
        "query_timeout_seconds": service.settings.query_timeout,
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.get(
    "/export",
    name="export",
    tags=["Linked data"],
    responses=answer_responses(
        "Every statement, streamed in the negotiated format", [f.media_type for f in DATASET_FORMATS]
    ),
    response_class=Response,
    summary="Download the whole dataset",
)
def export(
    request: Request,
    format: Annotated[
        str | None, Query(description="turtle, trig, nquads, ntriples, jsonld or rdfxml, overriding Accept")
    ] = None,
) -> Response:
    """Every statement of every graph, streamed as it is serialized.

    TriG, N-Quads and JSON-LD keep the named graphs (one per case report, the ontology, the
    inferred graph); Turtle, N-Triples and RDF/XML merge them into one graph.
    """
    fmt, media_type = pick_format(request.headers.get("accept"), format, DATASET_FORMATS)
    store = _service(request).snapshot().store
    quads = iter_quads(store, None)
    statements = quads if fmt.name in QUAD_FORMATS else (q.triple for q in quads)
    disposition = {"Content-Disposition": f'attachment; filename="metkg.{fmt.extension}"'}
    return streamed_graph_response(statements, (fmt, media_type), disposition, request.app.state.exports)


@router.get(
    "/.well-known/void",
    name="void",
    tags=["Linked data"],
    responses=answer_responses(
        "The VoID description in the negotiated RDF format",
        [m for f in GRAPH_FORMATS if f.name != "html" for m in f.media_types],
    ),
    response_class=Response,
    summary="VoID description",
)
def void(
    request: Request,
    format: Annotated[str | None, Query(description="turtle, ntriples, jsonld or rdfxml, overriding Accept")] = None,
) -> Response:
    """The VoID description of the dataset: endpoint, dumps, size, vocabulary."""
    formats = tuple(f for f in GRAPH_FORMATS if f.name != "html")
    picked = pick_format(request.headers.get("accept"), format, formats)
    site = str(request.base_url)
    return graph_response(void_description(site, _service(request).snapshot()), picked)
