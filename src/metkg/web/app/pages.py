"""HTML pages: one Jinja2 environment with autoescaping, and helpers to show RDF terms.

Everything that comes from the data reaches a page through Jinja2's autoescaping (or, in the
query page's script, through ``textContent``), so a label such as ``<script>`` is shown,
never run. The pages load nothing from other hosts; the Content-Security-Policy header
(:mod:`metkg.web.headers`) forbids it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from starlette.requests import Request
from starlette.responses import HTMLResponse

from metkg.vocab import METKG, PREFIXES, XSD

__all__ = ["TermView", "environment", "href", "render", "term_view"]

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


environment = _environment()


def href(iri: str, base_iri: str) -> str:
    """Where a page links an IRI: minted IRIs and ontology terms to this server, others as they are.

    >>> href("https://w3id.org/metkg/case/10.1/x", "https://w3id.org/metkg/")
    '/case/10.1/x'
    >>> href("https://w3id.org/metkg/ontology#Scalp", "https://example.org/kg/")
    '/ontology#Scalp'
    >>> href("https://doi.org/10.1/x", "https://w3id.org/metkg/")
    'https://doi.org/10.1/x'
    """
    if iri.startswith(str(METKG)):
        return "/ontology#" + iri[len(str(METKG)) :]
    if iri.startswith(base_iri):
        return "/" + iri[len(base_iri) :]
    return iri


_LINKABLE_SCHEMES = ("http:", "https:", "ftp:", "mailto:", "urn:", "doi:")


def _linkable(iri: str) -> bool:
    """Whether a page may link an IRI: web and name schemes only, so an IRI in the data such as
    ``javascript:...`` or ``data:...`` is shown as text, never made a link a reader could click.

    >>> _linkable("https://doi.org/10.1/x"), _linkable("JavaScript:alert(1)"), _linkable("data:text/html,x")
    (True, False, False)
    """
    return iri.lower().startswith(_LINKABLE_SCHEMES)


def compact(iri: str, base_iri: str) -> str:
    """A short form of an IRI for display: ``metkg:Scalp``, a path for minted IRIs, else the IRI.

    >>> compact("http://www.w3.org/2001/XMLSchema#gYearMonth", "https://w3id.org/metkg/")
    'xsd:gYearMonth'
    """
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    if iri.startswith(base_iri):
        return iri[len(base_iri) :]
    return iri


@dataclass(frozen=True)
class TermView:
    """An RDF term ready for a template: the text to show and, for IRIs, where to link."""

    text: str
    link: str | None = None
    note: str | None = None  # datatype or language of a literal, or the full IRI
    kind: str = "literal"


def term_view(term: Any, base_iri: str, label: str | None = None) -> TermView:
    """Show a pyoxigraph term (or a SPARQL JSON results term) in a page."""
    if isinstance(term, dict):
        term = _from_json(term)
    if isinstance(term, NamedNode):
        link = href(term.value, base_iri) if _linkable(term.value) else None
        return TermView(label or compact(term.value, base_iri), link, term.value, "iri")
    if isinstance(term, BlankNode):
        return TermView(f"_:{term.value}", None, None, "bnode")
    if isinstance(term, Triple):
        parts = (term_view(t, base_iri).text for t in (term.subject, term.predicate, term.object))
        return TermView("<< " + " ".join(parts) + " >>", None, None, "triple")
    if isinstance(term, Literal):
        note = f"@{term.language}" if term.language else None
        if note is None and term.datatype.value != XSD.string:
            note = compact(term.datatype.value, base_iri)
        return TermView(term.value, None, note, "literal")
    return TermView("")


def _from_json(term: dict[str, Any]) -> Any:
    kind, value = term.get("type"), term.get("value")
    if kind == "uri":
        return NamedNode(value)
    if kind == "bnode":
        return BlankNode(value)
    if kind == "triple":
        parts = {k: _from_json(v) for k, v in value.items()}
        return Triple(parts["subject"], parts["predicate"], parts["object"])
    if "xml:lang" in term:
        return Literal(value, language=term["xml:lang"])
    return Literal(value, datatype=NamedNode(term["datatype"])) if "datatype" in term else Literal(value)


def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> HTMLResponse:
    """A page from a template; ``request`` and ``base_iri`` are always in its context."""
    base_iri = getattr(request.app.state, "base_iri", "")
    page = environment.get_template(template).render(request=request, base_iri=base_iri, **context)
    return HTMLResponse(page, status_code=status, headers=headers)


def install_filters(env: Environment) -> None:
    """The filters the people's pages link with: ``page_link`` (an IRI to its page on this server),
    ``doi_page`` (a DOI to its report's page) and ``doi_url`` (a DOI to doi.org)."""
    from jinja2 import pass_context

    from metkg.iris import doi_path, doi_url

    @pass_context
    def page_link(context: Any, iri: str) -> str:
        return href(iri, context.get("base_iri", ""))

    env.filters.update(page_link=page_link, doi_page=lambda doi: "/case/" + doi_path(doi), doi_url=doi_url)
