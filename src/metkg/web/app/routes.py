"""The people's pages: home, case browser, case pages, ontology browser."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from metkg.errors import StoreError
from metkg.sparql.negotiation import DATASET_FORMATS
from metkg.web.app.pages import render
from metkg.web.descriptions import default_graph_note
from metkg.web.service import QueryService

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _service(request: Request) -> QueryService:
    return request.app.state.service


@router.get("/", name="home")
def home(request: Request) -> Response:
    """The home page: what is here and links to everything."""
    service = _service(request)
    try:
        snapshot = service.snapshot()
        counts = snapshot.manifest.get("counts", {})
        built = snapshot.manifest.get("built")
    except StoreError:
        counts, built = {}, None
    context = {
        "counts": counts,
        "built": built,
        "queries": list(service.named_queries.values()),
        "dataset_formats": DATASET_FORMATS,
        "default_graph_note": default_graph_note(service.base_iri),
    }
    return render(request, "home.html", context)
