"""Paging of the cross-case listings (``after``): every row once, in DOI order, 100 reports a page.

The store is a real streamed build with the rules (``--no-shacl --no-owl``) of 300 synthetic
case records, enough for more than one page of receptor conversions. The pages are checked
against plain, unpaged queries written here, so a page that drops or repeats a report fails.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
from tests import paging
from tests.paging import PAGE

from metkg.settings import Settings
from metkg.sparql.named import NamedQuery, load_named_queries

#: The unpaged answer: rows per report, straight from the graph.
CONVERSIONS = """
SELECT ?doi ?conversion WHERE {
  ?conversion a metkg:ReceptorConversion ; metkg:conversionMarker/metkg:key ?marker ;
      metkg:patient/metkg:reportedIn/metkg:doi ?doi .
}"""
TREATMENTS = """
SELECT DISTINCT ?doi ?intervention ?metastasis WHERE {
  ?site metkg:key "skin" . ?class rdfs:subClassOf* ?site .
  ?metastasis metkg:metastasisSite ?class . ?intervention metkg:treats ?metastasis .
  ?patient metkg:hasLesion ?metastasis ; metkg:reportedIn/metkg:doi ?doi .
}"""


@pytest.fixture(scope="module")
def store(synthetic_build: Path) -> pyoxigraph.Store:
    return pyoxigraph.Store.read_only(str(synthetic_build))


@pytest.fixture(scope="module")
def queries() -> dict[str, NamedQuery]:
    return load_named_queries(Settings().queries_dir)


def _expected(store: pyoxigraph.Store, query: str, marker: str | None = None) -> Counter[str]:
    if marker:
        query = query.replace("?marker ;", f'"{marker}" ;')
    rows = store.query(
        "PREFIX metkg: <https://w3id.org/metkg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>" + query,
        use_default_graph_as_union=True,
    )
    return Counter(row["doi"].value for row in rows)


def _check(pages: list[list[dict[str, str]]], expected: Counter[str], page: int) -> None:
    """Every row once, each report on one page, pages in DOI order and full but for the last."""
    seen: list[str] = []
    for rows in pages:
        dois = list(dict.fromkeys(row["doi"] for row in rows))
        assert dois == sorted(dois)
        assert not seen or seen[-1] < dois[0]
        seen += dois
        assert len(dois) == page or rows is pages[-1]
    assert Counter(row["doi"] for rows in pages for row in rows) == expected
    assert len(pages) > 1


@pytest.mark.slow
@pytest.mark.parametrize("marker", [None, "HER2", "ER"])
def test_receptor_conversion_pages(store: pyoxigraph.Store, queries: dict[str, NamedQuery], marker: str | None) -> None:
    values = {"marker": marker} if marker else {}
    expected = _expected(store, CONVERSIONS, marker)
    page = PAGE if len(expected) > PAGE else 7
    _check(paging.pages(store, queries["receptor-conversion"], values, page), expected, page)


@pytest.mark.slow
def test_treatments_by_site_pages(store: pyoxigraph.Store, queries: dict[str, NamedQuery]) -> None:
    expected = _expected(store, TREATMENTS)
    assert len(expected) > 3
    _check(paging.pages(store, queries["treatments-by-site"], {"site": "skin"}, 3), expected, 3)


@pytest.mark.slow
def test_first_page_is_100_reports_and_after_skips_them(
    store: pyoxigraph.Store, queries: dict[str, NamedQuery]
) -> None:
    query = queries["receptor-conversion"]
    first = paging.rows(store, query, {})
    dois = list(dict.fromkeys(row["doi"] for row in first))
    assert len(dois) == PAGE
    later = paging.rows(store, query, {"after": dois[49]})
    assert [r for r in later if r["doi"] <= dois[-1]] == [r for r in first if r["doi"] > dois[49]]
    assert len({row["doi"] for row in later}) == PAGE


@pytest.mark.slow
def test_a_doi_and_after_together(store: pyoxigraph.Store, queries: dict[str, NamedQuery]) -> None:
    """``after`` at or past a given report's DOI leaves nothing; before it, the report."""
    query = queries["receptor-conversion"]
    doi = next(iter(sorted(_expected(store, CONVERSIONS))))
    rows = paging.rows(store, query, {"doi": doi})
    assert rows and {row["doi"] for row in rows} == {doi}
    assert paging.rows(store, query, {"doi": doi, "after": doi}) == []
    assert paging.rows(store, query, {"doi": doi, "after": "10.0000/0"}) == rows
