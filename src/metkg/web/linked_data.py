"""Linked data: every IRI the build mints dereferences here, and ``/ontology`` documents the terms.

``GET /{path}`` answers for the IRI ``{base}{path}`` whatever host name the server is reached
by: a readable page for browsers, the resource's statements (as subject, from every graph,
with blank-node closure) in Turtle, N-Triples, JSON-LD or RDF/XML for machines. The IRI of a
named graph (``{base}graph/...``) answers with the graph's statements.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, Query, Request
from pyoxigraph import NamedNode, Store
from starlette.responses import Response

from metkg.errors import ResourceNotFoundError
from metkg.sparql.negotiation import GRAPH_FORMATS, Format
from metkg.vocab import METKG, RDF
from metkg.web.app.pages import TermView, render, term_view
from metkg.web.describe import Description, describe, graph_statements, is_named_graph, label_of, ontology_terms
from metkg.web.errors import answer_responses
from metkg.web.rdf import graph_response, pick_format, streamed_graph_response
from metkg.web.service import QueryService

__all__ = ["router"]

router = APIRouter(tags=["Linked data"])

FormatParam = Annotated[str | None, Query(description="turtle, ntriples, jsonld, rdfxml or html, overriding Accept")]
_GRAPH_PAGE_ROWS = 500
_ANSWERS = answer_responses(
    "The statements in the negotiated RDF format, or an HTML page",
    [media for fmt in GRAPH_FORMATS for media in fmt.media_types],
)
_ONTOLOGY_IRI = str(METKG).rstrip("#")
_HEADINGS = {
    "class": "Classes",
    "object property": "Object properties",
    "datatype property": "Datatype properties",
    "annotation property": "Annotation properties",
    "individual": "Individuals",
}


def _service(request: Request) -> QueryService:
    return request.app.state.service


def _chosen(request: Request, format_name: str | None) -> tuple[Format, str]:
    return pick_format(request.headers.get("accept"), format_name, GRAPH_FORMATS)


class _Labels:
    """Labels looked up once per page."""

    def __init__(self, store: Store, base_iri: str):
        self.store, self.base_iri = store, base_iri
        self.cache: dict[str, str | None] = {}

    def view(self, term: Any) -> TermView:
        if isinstance(term, NamedNode):
            if term.value not in self.cache:
                self.cache[term.value] = label_of(self.store, term)
            return term_view(term, self.base_iri, self.cache[term.value])
        return term_view(term, self.base_iri)


def _page_context(description: Description, labels: _Labels) -> dict[str, Any]:
    properties: dict[str, list[TermView]] = defaultdict(list)
    predicates: dict[str, TermView] = {}
    types = []
    own = [t for t in description.triples if t.subject == NamedNode(description.iri)]
    for triple in own:
        if triple.predicate.value == RDF.type:
            types.append(labels.view(triple.object))
            continue
        predicates.setdefault(triple.predicate.value, labels.view(triple.predicate))
        properties[triple.predicate.value].append(labels.view(triple.object))
    incoming = [(labels.view(q.subject), labels.view(q.predicate)) for q in description.incoming]
    title = labels.cache.get(description.iri) or label_of(labels.store, NamedNode(description.iri))
    return {
        "iri": description.iri,
        "title": title or description.iri,
        "types": types,
        "properties": [(predicates[p], values) for p, values in properties.items()],
        "incoming": incoming,
        "incoming_limited": len(description.incoming) >= 200,
        "graphs": [labels.view(NamedNode(g)) for g in description.graphs],
        "formats": [f for f in GRAPH_FORMATS if f.name != "html"],
    }


def _graph_answer(request: Request, iri: str, chosen: tuple[Format, str], store: Store, labels: _Labels) -> Response:
    if chosen[0].name != "html":
        return streamed_graph_response(graph_statements(store, iri), chosen)
    triples = list(graph_statements(store, iri, _GRAPH_PAGE_ROWS + 1))
    rows = [
        [labels.view(t.subject), labels.view(t.predicate), labels.view(t.object)] for t in triples[:_GRAPH_PAGE_ROWS]
    ]
    context = {
        "iri": iri,
        "rows": rows,
        "limited": len(triples) > _GRAPH_PAGE_ROWS,
        "formats": [f for f in GRAPH_FORMATS if f.name != "html"],
    }
    return render(request, "graph.html", context, headers={"Vary": "Accept"})


def _candidate_iris(request: Request, base_iri: str) -> list[str]:
    """The IRI a request path names: as sent, and re-encoded the way the build encodes IRIs."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0].lstrip("/")
    normalised = quote(unquote(path), safe="/-._~%")
    candidates = [base_iri + path, base_iri + normalised, base_iri + quote(unquote(path), safe="/-._~")]
    return [iri for iri in dict.fromkeys(candidates) if _is_iri(iri)]


def _is_iri(text: str) -> bool:
    """Whether ``text`` is a valid IRI (a path such as ``/%%C`` is not: 404, never 500)."""
    try:
        NamedNode(text)
    except ValueError:
        return False
    return True


@router.get("/ontology", name="ontology", responses=_ANSWERS, response_class=Response, summary="The ontology")
def ontology(request: Request, format: FormatParam = None) -> Response:
    """The metkg ontology (https://w3id.org/metkg/ontology): its terms documented for browsers,
    or the ontology graph in Turtle, RDF/XML, N-Triples or JSON-LD.

    Term IRIs ``https://w3id.org/metkg/ontology#X`` are documented at ``/ontology#X``.
    """
    service = _service(request)
    chosen = _chosen(request, format)
    snapshot = service.snapshot()
    graph = snapshot.ontology_graph
    if chosen[0].name != "html":
        return graph_response(graph_statements(snapshot.store, graph.value), chosen)
    labels = _Labels(snapshot.store, service.base_iri)
    header = describe(snapshot.store, _ONTOLOGY_IRI, incoming_limit=0)
    context = {
        "ontology_iri": _ONTOLOGY_IRI,
        "header": [(labels.view(t.predicate), labels.view(t.object)) for t in header.triples],
        "terms": ontology_terms(snapshot.store, graph),
        "term_ns": str(METKG),
        "headings": _HEADINGS,
        "formats": [f for f in GRAPH_FORMATS if f.name != "html"],
    }
    return render(request, "ontology.html", context, headers={"Vary": "Accept"})


@router.get(
    "/{path:path}", name="resource", responses=_ANSWERS, response_class=Response, summary="Dereference a minted IRI"
)
def resource(request: Request, path: str, format: FormatParam = None) -> Response:
    """The resource ``{base}{path}``: an HTML page, or its statements in an RDF format (``Vary: Accept``)."""
    service = _service(request)
    chosen = _chosen(request, format)
    snapshot = service.snapshot()
    labels = _Labels(snapshot.store, service.base_iri)
    for iri in _candidate_iris(request, service.base_iri):
        if is_named_graph(snapshot.store, iri):
            return _graph_answer(request, iri, chosen, snapshot.store, labels)
        description = describe(snapshot.store, iri)
        if description.exists:
            if chosen[0].name == "html":
                return render(request, "resource.html", _page_context(description, labels), headers={"Vary": "Accept"})
            return graph_response(description.triples, chosen)
    raise ResourceNotFoundError(f"no resource {service.base_iri + path!r} in the graph")
