"""``/graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol, read side.

https://www.w3.org/TR/sparql11-http-rdf-update/ names a graph by indirect identification:
``?graph=IRI`` for a named graph (one per case report, the ontology, the inferred graph) or
``?default`` for the default graph, which here, as on ``/sparql``, is the union of every named
graph. GET (and HEAD, :mod:`metkg.web.methods`) answers the graph in Turtle, N-Triples, JSON-LD
or RDF/XML, the RDF formats of the service description; a graph that does not exist is 404.
The store is read-only here: PUT, POST, DELETE and PATCH answer 405 (case reports change
through their records: ``metkg add`` or ``PUT /cases/{id}``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pyoxigraph import Store, Triple
from starlette.responses import Response

from metkg.errors import ProtocolError, ResourceNotFoundError
from metkg.sparql.negotiation import GRAPH_FORMATS
from metkg.web.describe import graph_statements, is_named_graph
from metkg.web.errors import answer_responses
from metkg.web.protocol import is_absolute_iri
from metkg.web.rdf import pick_format, streamed_graph_response
from metkg.web.service import QueryService

__all__ = ["RDF_FORMATS", "router"]

router = APIRouter(tags=["Linked data"])

#: The formats a graph is served in (no HTML: the IRI's own page is for people).
RDF_FORMATS = tuple(f for f in GRAPH_FORMATS if f.name != "html")
_USAGE = "name the graph: /graph-store?graph=IRI for a named graph, or /graph-store?default for the default graph"


def _default_graph(store: Store) -> Iterator[Triple]:
    """The default graph: the union of every named graph."""
    for quad in store.quads_for_pattern(None, None, None, None):
        yield quad.triple


def _graph_iri(graph: str | None, default: bool) -> str | None:
    """The IRI of the graph the request names, ``None`` for the default graph; 400 otherwise."""
    if default and graph is not None:
        raise ProtocolError("send either `graph` or `default`, not both; " + _USAGE)
    if default:
        return None
    if graph is None:
        raise ProtocolError(_USAGE)
    if not is_absolute_iri(graph):
        raise ProtocolError(f"graph must be an absolute IRI, got {graph!r}")
    return graph


@router.get(
    "/graph-store",
    name="graph_store",
    responses=answer_responses(
        "The graph in the negotiated RDF format", [m for f in RDF_FORMATS for m in f.media_types]
    ),
    response_class=Response,
    summary="Graph Store Protocol: read a graph",
)
def graph_store(
    request: Request,
    graph: Annotated[str | None, Query(description="IRI of a named graph (or send `default` instead)")] = None,
    default: Annotated[str | None, Query(description="present (no value needed): the default graph")] = None,
    format: Annotated[str | None, Query(description="turtle, ntriples, jsonld or rdfxml, overriding Accept")] = None,
) -> Response:
    """One graph of the dataset (Graph Store HTTP Protocol 5.2, HTTP GET; HEAD answers the same headers).

    ``?graph=IRI``: a named graph, such as a case report's ``https://w3id.org/metkg/graph/case/{doi}``;
    ``?default``: the default graph, the union of every named graph. 404 for a graph the
    store does not hold. Read-only: other methods answer 405.
    """
    chosen = pick_format(request.headers.get("accept"), format, RDF_FORMATS)
    service: QueryService = request.app.state.service
    store = service.snapshot().store
    iri = _graph_iri(graph, default is not None)
    if iri is None:
        return streamed_graph_response(_default_graph(store), chosen)
    if not is_named_graph(store, iri):
        raise ResourceNotFoundError(f"no graph {iri!r} in the store; the service description lists them at /sparql")
    return streamed_graph_response(graph_statements(store, iri), chosen)
