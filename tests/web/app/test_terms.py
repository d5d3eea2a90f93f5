"""Terms in pages: a results table reads its cells straight from SPARQL JSON and must show each
term exactly as :func:`metkg.web.app.pages.term_view` shows the pyoxigraph term it stands for."""

from __future__ import annotations

from typing import Any

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Triple
from tests.web.conftest import BASE

from metkg.vocab import XSD
from metkg.web.app.pages import TermView, TermViews, environment, term_view

CASE = BASE + "case/10.1/x"
MONTH = NamedNode(XSD.gYearMonth)
TERMS: list[tuple[dict[str, Any], Any]] = [
    ({"type": "uri", "value": CASE}, NamedNode(CASE)),
    ({"type": "uri", "value": "https://w3id.org/metkg/ontology#ER"}, NamedNode("https://w3id.org/metkg/ontology#ER")),
    ({"type": "uri", "value": "https://doi.org/10.1/x"}, NamedNode("https://doi.org/10.1/x")),
    ({"type": "uri", "value": "javascript:alert(1)"}, NamedNode("javascript:alert(1)")),
    ({"type": "bnode", "value": "b1"}, BlankNode("b1")),
    ({"type": "literal", "value": "<b>positive</b>"}, Literal("<b>positive</b>")),
    ({"type": "literal", "value": "x", "datatype": XSD.string}, Literal("x")),
    ({"type": "literal", "value": "45", "datatype": XSD.integer}, Literal("45", datatype=NamedNode(XSD.integer))),
    ({"type": "literal", "value": "2019-05", "datatype": XSD.gYearMonth}, Literal("2019-05", datatype=MONTH)),
    ({"type": "literal", "value": "lung", "xml:lang": "EN-gb"}, Literal("lung", language="en-GB")),
    (
        {
            "type": "triple",
            "value": {
                "subject": {"type": "uri", "value": CASE},
                "predicate": {"type": "uri", "value": "https://w3id.org/metkg/ontology#doi"},
                "object": {"type": "literal", "value": "10.1/x"},
            },
        },
        Triple(NamedNode(CASE), NamedNode("https://w3id.org/metkg/ontology#doi"), Literal("10.1/x")),
    ),
]


@pytest.mark.parametrize(("json_term", "term"), TERMS, ids=[t[0]["type"] + str(i) for i, t in enumerate(TERMS)])
def test_a_results_cell_shows_its_term_as_term_view_does(json_term: dict[str, Any], term: Any) -> None:
    views = TermViews(BASE)
    view = views(json_term)
    assert view == term_view(term, BASE)
    assert view.html == term_view(term, BASE).html
    assert views(dict(json_term)) is view or json_term["type"] == "triple", "a repeated term is read once"


def test_the_term_macro_and_a_table_cell_show_the_same_escaped_html() -> None:
    view = TermView("a<b", "/x?a=1&b=2", "https://w3id.org/metkg/x", "iri")
    page = environment.from_string(
        '{% from "_macros.html" import term, table %}{{ term(t) }}|{{ term(none) }}|{{ table(["c"], [[t, none]]) }}'
    ).render(t=view)
    shown = '<a href="/x?a=1&amp;b=2" title="https://w3id.org/metkg/x">a&lt;b</a>'
    assert page.startswith(f"{shown}||")
    assert f"<tr><td>{shown}</td><td></td></tr>" in page
