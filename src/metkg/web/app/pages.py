"""HTML pages: one Jinja2 environment with autoescaping, and helpers to show RDF terms.

Everything that comes from the data reaches a page through Jinja2's autoescaping (or, in the
query page's script, through ``textContent``), so a label such as ``<script>`` is shown,
never run. The pages load nothing from other hosts; the Content-Security-Policy header
(:mod:`metkg.web.headers`) forbids it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from starlette.requests import Request
from starlette.responses import HTMLResponse

from metkg.vocab import METKG, PREFIXES, XSD

__all__ = ["TermView", "TermViews", "environment", "href", "render", "term_html", "term_view"]

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


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

    @functools.cached_property
    def html(self) -> Markup:
        """The term in a page: a link for an IRI, else the text; the note is the tooltip. Escaped.

        >>> print(TermView("a<b", "/x?a=1&b=2", "https://w3id.org/metkg/x", "iri").html)
        <a href="/x?a=1&amp;b=2" title="https://w3id.org/metkg/x">a&lt;b</a>
        >>> print(TermView("45", None, "xsd:integer").html, TermView("x").html)
        <span class="literal" title="xsd:integer">45</span> <span class="literal">x</span>
        """
        if self.link:
            return Markup(f'<a href="{escape(self.link)}" title="{escape(self.note or "")}">{escape(self.text)}</a>')
        if self.note:
            return Markup(f'<span class="literal" title="{escape(self.note)}">{escape(self.text)}</span>')
        return Markup(f'<span class="literal">{escape(self.text)}</span>')


def term_html(term: TermView | None) -> Markup:
    """A term in a page, nothing for an unbound one: the ``term_html`` filter, through which the
    ``term`` macro of ``_macros.html`` and every cell of a results table show terms (a macro call
    per cell cost more than the rest of a table's rendering).

    >>> term_html(None)
    Markup('')
    """
    return Markup("") if term is None else term.html


def term_view(term: Any, base_iri: str, label: str | None = None) -> TermView:
    """Show a pyoxigraph term (or a SPARQL JSON results term) in a page."""
    if isinstance(term, dict):
        return _json_view(term, base_iri, label)
    if isinstance(term, NamedNode):
        return _iri_view(term.value, base_iri, label)
    if isinstance(term, BlankNode):
        return TermView(f"_:{term.value}", None, None, "bnode")
    if isinstance(term, Triple):
        return _triple_view([term_view(t, base_iri) for t in (term.subject, term.predicate, term.object)])
    if isinstance(term, Literal):
        return _literal_view(term.value, term.language, term.datatype.value, base_iri)
    return TermView("")


class TermViews:
    """Views of the terms of one SPARQL JSON results document, one per distinct term.

    A table repeats terms (a report on each of its rows, a few categories and datatypes), so
    each is read, and its :attr:`TermView.html` made, once per table.
    """

    def __init__(self, base_iri: str):
        self.base_iri = base_iri
        self._seen: dict[tuple[Any, ...], TermView] = {}

    def __call__(self, term: dict[str, Any]) -> TermView:
        value = term.get("value")
        if not isinstance(value, str):  # a quoted triple: rare, and not hashable as it comes
            return _json_view(term, self.base_iri)
        key = (term.get("type"), value, term.get("datatype"), term.get("xml:lang"))
        view = self._seen.get(key)
        if view is None:
            view = self._seen[key] = _json_view(term, self.base_iri)
        return view


def _json_view(term: dict[str, Any], base_iri: str, label: str | None = None) -> TermView:
    """A SPARQL JSON results term shown as :func:`term_view` shows the pyoxigraph term it stands
    for, read straight from the JSON (no pyoxigraph term made for each cell of a table)."""
    kind, value = term.get("type"), term.get("value")
    if kind == "uri":
        return _iri_view(value, base_iri, label)
    if kind == "bnode":
        return TermView(f"_:{value}", None, None, "bnode")
    if kind == "triple":
        return _triple_view([_json_view(value[k], base_iri) for k in ("subject", "predicate", "object")])
    language = term.get("xml:lang")
    return _literal_view(value, language.lower() if language else None, term.get("datatype", XSD.string), base_iri)


def _iri_view(iri: str, base_iri: str, label: str | None) -> TermView:
    link = href(iri, base_iri) if _linkable(iri) else None
    return TermView(label or compact(iri, base_iri), link, iri, "iri")


def _triple_view(parts: list[TermView]) -> TermView:
    return TermView("<< " + " ".join(p.text for p in parts) + " >>", None, None, "triple")


def _literal_view(value: str, language: str | None, datatype: str, base_iri: str) -> TermView:
    note = f"@{language}" if language else None
    if note is None and datatype != XSD.string:
        note = _datatype_note(datatype, base_iri)
    return TermView(value, None, note, "literal")


@functools.lru_cache(maxsize=256)
def _datatype_note(datatype: str, base_iri: str) -> str:
    """A datatype's short form (a table shows a few datatypes in every row)."""
    return compact(datatype, base_iri)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["term_html"] = term_html
    return env


environment = _environment()


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
