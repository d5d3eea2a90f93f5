"""The people's pages: home, case browser, case pages, source passages, ontology browser.

Each page answers GET and HEAD. The pages of resources that also have machine forms (a patient,
a source document, the ontology) answer browsers here and hand every other format to the
linked-data routes (:mod:`metkg.web.linked_data`), so one IRI serves both.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote, unquote, urlencode

from fastapi import APIRouter, Query, Request
from markupsafe import Markup
from pyoxigraph import NamedNode, Quad
from starlette.responses import Response

from metkg.errors import QueryParameterError, StoreError
from metkg.sparql.negotiation import DATASET_FORMATS, GRAPH_FORMATS
from metkg.vocab import METKG, RDF
from metkg.web import linked_data
from metkg.web.app import views
from metkg.web.app.browse import FACETS, BrowseIndex, Selection, browse_index
from metkg.web.app.case_view import patient_view, report_patients, source_view
from metkg.web.app.pages import environment, install_filters, render
from metkg.web.descriptions import default_graph_note
from metkg.web.rdf import pick_format
from metkg.web.service import QueryService

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
install_filters(environment)


def _picker_options(request: Request, parameter_type: str) -> Markup:
    """The ``<option>`` list of a named-query parameter's suggestions from the served build,
    rendered once per build (a form suggests up to 500 DOIs); empty when there is no build."""
    try:
        index = browse_index(_service(request).snapshot())
    except StoreError:
        return Markup("")

    def options() -> Markup:
        choices = views.picker_choices(index, parameter_type)
        return Markup("").join(Markup('<option value="{}">{}</option>').format(v, label) for v, label in choices)

    return index.memo(f"options {parameter_type}", options)


environment.globals["picker_options"] = _picker_options

FormatParam = Annotated[str | None, Query(description="turtle, ntriples, jsonld, rdfxml or html, overriding Accept")]
_PAGE_SIZE = 25
_MAX_PAGE = 10_000
_PATIENT = re.compile(r"^case/.+/patient/\d+$")
_SOURCE = re.compile(r"^case/.+/source/[^/]+$")
_MACHINE_FORMATS = [f for f in GRAPH_FORMATS if f.name != "html"]


def _service(request: Request) -> QueryService:
    return request.app.state.service


#: An answer made from the previous build's index (while the new one is read) must not be kept
#: under the new build's entity tag: the conditional-GET middleware leaves no-store answers untagged.
_LAGGING = {"Cache-Control": "no-store"}


def _indexed(request: Request) -> tuple[BrowseIndex, dict[str, str]]:
    """The served build's browse index, and the headers of a page made from it."""
    snapshot = _service(request).snapshot()
    index = browse_index(snapshot)
    return index, ({} if index.is_of(snapshot) else dict(_LAGGING))


def _wants_html(request: Request, format_name: str | None) -> bool:
    return pick_format(request.headers.get("accept"), format_name, GRAPH_FORMATS)[0].name == "html"


@router.api_route("/", methods=["GET", "HEAD"], name="home")
def home(request: Request) -> Response:
    """The home page: what the graph holds, a heatmap of histology by site, conversions, recent reports."""
    service = _service(request)
    context = {
        "queries": list(service.named_queries.values()),
        "dataset_formats": DATASET_FORMATS,
        "default_graph_note": default_graph_note(service.base_iri),
    }
    try:
        snapshot = service.snapshot()
        index, headers = _indexed(request)
    except StoreError:
        return render(request, "home.html", {**context, "counts": {}})
    context |= {
        "counts": snapshot.manifest.get("counts", {}),
        "built": snapshot.manifest.get("built"),
        "last_added": snapshot.manifest.get("last_added"),
        "heatmap": index.memo("heatmap", lambda: views.histology_by_site(index)),
        "conversions": index.memo("conversions", lambda: views.conversion_bars(index)),
        "recent": index.patients[:8],
        "total": index.size,
    }
    return render(request, "home.html", context, headers=headers)


def _selection(request: Request) -> Selection:
    params = request.query_params
    chosen = {facet: tuple(v for v in params.getlist(facet) if v) for facet in FACETS}
    try:
        page = int(params.get("page", "1"))
    except ValueError:
        raise QueryParameterError(f"page must be a whole number, got {params.get('page')!r}") from None
    if not 1 <= page <= _MAX_PAGE:
        raise QueryParameterError(f"page must be between 1 and {_MAX_PAGE:,}, got {page}")
    return Selection(params.get("q", "").strip()[:200], {k: v for k, v in chosen.items() if v}, page)


@router.api_route("/cases", methods=["GET", "HEAD"], name="browse")
def browse(request: Request) -> Response:
    """The case browser: full-text search and facets over every patient, paged; every state a URL."""
    selection = _selection(request)
    index, headers = _indexed(request)
    matching = index.matching(selection)
    total = matching.bit_count()
    pages = max(1, -(-total // _PAGE_SIZE))
    context = {
        "selection": selection,
        "facets": [(f, heading, index.facet_values(selection, f)) for f, heading in FACETS.items()],
        "patients": index.page(matching, selection.page, _PAGE_SIZE),
        "total": total,
        "pages": pages,
        "page_size": _PAGE_SIZE,
        "chosen": views.chosen_filters(index, selection),
        "sparql": views.selection_query(index, selection, _service(request).base_iri),
        "url": lambda **changes: "/cases?" + urlencode(selection.params(**changes)),
        "label": index.catalogue.label,
        "key": index.key,
    }
    return render(request, "browse.html", context, headers=headers)


@router.api_route("/case/{path:path}", methods=["GET", "HEAD"], name="case_page")
def case_page(request: Request, path: str, format: FormatParam = None) -> Response:
    """A patient's case page, a report's page or a source's text for browsers; linked data otherwise."""
    if not _wants_html(request, format):
        return linked_data.resource(request, "case/" + path, format)
    service = _service(request)
    snapshot = service.snapshot()
    iri = service.base_iri + _raw_path(request)
    relative = iri[len(service.base_iri) :]
    if not _is_iri(iri):  # the linked-data route answers 404 for what is no IRI
        return linked_data.resource(request, "case/" + path, format)
    if _PATIENT.match(relative):
        return _patient_page(request, iri)
    if _SOURCE.match(relative):
        return _source_page(request, iri)
    if _typed(iri, METKG.CaseReport) in snapshot.store:
        return _report_page(request, iri)
    return linked_data.resource(request, "case/" + path, format)


def _raw_path(request: Request) -> str:
    """The request's path as the build encodes IRIs (percent-escapes as sent, never decoded twice)."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1").split("?", 1)[0].lstrip("/")
    return quote(unquote(path), safe="/-._~%")


def _typed(iri: str, cls: str) -> Quad:
    return Quad(NamedNode(iri), NamedNode(RDF.type), NamedNode(cls))


def _is_iri(text: str) -> bool:
    try:
        NamedNode(text)
    except ValueError:
        return False
    return True


def _patient_page(request: Request, iri: str) -> Response:
    service = _service(request)
    snapshot = service.snapshot()
    index = browse_index(snapshot)
    view = patient_view(snapshot.store, index.catalogue, iri, service.base_iri, snapshot.inferred_graph)
    context = {
        "patient": view,
        "doi": view.report.text(METKG.doi),
        "timeline": views.case_timeline(view),
        "formats": _MACHINE_FORMATS,
    }
    return render(request, "case.html", context, headers={"Vary": "Accept"})


def _report_page(request: Request, iri: str) -> Response:
    snapshot = _service(request).snapshot()
    patients = report_patients(snapshot.store, iri)
    context = {"iri": iri, "report": views.report_summary(snapshot.store, iri), "patients": patients}
    return render(request, "report.html", {**context, "formats": _MACHINE_FORMATS}, headers={"Vary": "Accept"})


def _source_page(request: Request, iri: str) -> Response:
    service = _service(request)
    evidence = request.query_params.get("evidence")
    evidence_iri = service.base_iri + evidence.lstrip("/") if evidence else None
    if evidence_iri is not None and not _is_iri(evidence_iri):
        raise QueryParameterError(f"evidence must be the path of an evidence quote on this server, got {evidence!r}")
    view = source_view(service.snapshot().store, iri, evidence_iri, service.settings.corpus_dir)
    return render(request, "source.html", {"source": view, "iri": iri}, headers={"Vary": "Accept"})


@router.api_route("/ontology", methods=["GET", "HEAD"], name="ontology_browser")
def ontology(request: Request, format: FormatParam = None) -> Response:
    """The ontology browser (class trees with labels, synonyms, codes and case counts) for browsers;
    the ontology graph in the asked RDF format otherwise."""
    if not _wants_html(request, format):
        return linked_data.ontology(request, format)
    index, headers = _indexed(request)
    context = {
        "trees": index.memo("trees", lambda: views.ontology_trees(index)),
        "others": index.memo("other terms", lambda: views.other_terms(index)),
        "cases_link": views.cases_link,
        "formats": _MACHINE_FORMATS,
    }
    return render(request, "ontology_browser.html", context, headers={"Vary": "Accept", **headers})
