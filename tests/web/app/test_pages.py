"""The people's pages over HTTP, on the curated records and the fixture case: what each shows,
escaping, HEAD, shareable browser URLs, and the CSP (no inline script or style anywhere)."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

import httpx
import pytest
from tests.web.app.conftest import CHENG_PATIENT, FIXTURE_DOI, FIXTURE_PATIENT

PAGES = (
    "/",
    "/cases",
    "/cases?site=skin&q=letrozole",
    FIXTURE_PATIENT,
    CHENG_PATIENT,
    f"/case/{FIXTURE_DOI}",
    f"/case/{FIXTURE_DOI}/source/main",
    "/ontology",
)
#: Pages of the protocol routes (their HEAD is theirs to answer).
PROTOCOL_PAGES = ("/sparql", "/queries/receptor-conversion")


@pytest.mark.parametrize("path", PAGES + PROTOCOL_PAGES)
def test_page_keeps_the_csp(app_client: httpx.Client, path: str) -> None:
    page = app_client.get(path)
    assert page.status_code == 200, page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text), "an inline script"
    assert not re.search(r"\sstyle=", page.text), "an inline style attribute"
    assert "<style" not in page.text


@pytest.mark.parametrize("path", PAGES)
def test_page_answers_head(app_client: httpx.Client, path: str) -> None:
    page = app_client.get(path)
    head = app_client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == page.headers["content-type"]


def test_home_shows_heatmap_through_the_site_hierarchy(app_client: httpx.Client) -> None:
    page = app_client.get("/").text
    assert '<table class="heatmap">' in page
    # the skin column counts scalp metastases: its cells link to the browser filtered by skin
    assert re.search(r'href="/cases\?primary=invasive-ductal-carcinoma&amp;site=skin"', page)
    table = re.search(r'<table class="heatmap">.*?</table>', page, re.S).group(0)
    assert '<th scope="row">leiomyosarcoma</th>' not in table, "no row for a primary without metastases"
    assert 'class="bar gain"' in page and 'class="bar loss"' in page
    assert "/cases?conversion=ER%3Aloss" in page


def test_browser_facets_count_through_the_hierarchy(app_client: httpx.Client) -> None:
    skin = app_client.get("/cases", params={"site": "skin"}).text
    scalp = app_client.get("/cases", params={"site": "scalp"}).text
    eyelid = app_client.get("/cases", params={"site": "eyelid"}).text
    count = lambda page: int(re.search(r'id="hits-title">([\d,]+) patient', page).group(1))  # noqa: E731
    assert count(skin) == count(scalp) + count(eyelid), "skin counts the scalp and the eyelid"
    assert (count(eyelid) == 1 and "left upper eyelid" not in eyelid) or FIXTURE_PATIENT in eyelid


def test_intervention_facet_counts_every_kind_regression(app_client: httpx.Client) -> None:
    """Kinds below a middle class (endocrine therapy under systemic therapy) were left out."""
    page = app_client.get("/cases", params={"site": "eyelid"}).text
    facet = re.search(r'id="facet-intervention">.*?</section>', page, re.S).group(0)
    assert "endocrine therapy" in facet and "surgery" in facet


def test_browser_search_facets_and_paging_are_urls(app_client: httpx.Client) -> None:
    page = app_client.get("/cases", params={"q": "lobular", "conversion": "ER:loss"}).text
    assert FIXTURE_PATIENT in page
    assert 'aria-current="true"' in page  # the chosen facet value is marked
    assert "/cases?q=lobular" in page  # removing the conversion filter keeps the search
    assert "SELECT DISTINCT ?patient" in page and "metkg:conversionMarker" in page
    none = app_client.get("/cases", params={"q": "zzzznothing"}).text
    assert "No patient matches" in none


@pytest.mark.parametrize("page", ["0", "-1", "x", "99999999"])
def test_bad_page_number_is_a_clear_400(app_client: httpx.Client, page: str) -> None:
    response = app_client.get("/cases", params={"page": page})
    assert response.status_code == 400
    assert "page must be" in response.text


def test_case_page_shows_the_case_as_a_clinician_would(app_client: httpx.Client) -> None:
    page = app_client.get(FIXTURE_PATIENT).text
    assert '<svg class="timeline"' in page
    assert "(only the year is known)" in page  # the 2023 follow-up is known to the year only
    assert "Jul 2014 – Jul 2019" in page  # letrozole as a period
    # the specimen x marker table: every marker, the conversion highlighted
    header = re.search(r'<table class="markers">.*?</thead>', page, re.S).group(0)
    assert [m for m in ("ER", "PR", "HER2") if f">{m}</th>" in header] == ["ER", "PR", "HER2"]
    assert 'class="conversion loss"' in page and "ER loss" in page
    assert "xsd:" not in page and "https://w3id.org/metkg/ontology#" not in page
    assert "Misdiagnosis: chalazion" in page
    # intervals derived at build time, at the coarser precision of their dates; no other derived
    # fact is taken for a conversion
    assert "<strong>time to metastasis</strong>: 83 months (to the metastasis (left upper eyelid))" in page
    assert "<strong>diagnostic delay</strong>: 1 month (to the metastasis (left upper eyelid))" in page
    assert "marker change" not in page
    assert "?format=turtle" in page and "?format=jsonld" in page


def test_case_page_escapes_everything_from_the_data(app_client: httpx.Client) -> None:
    page = app_client.get(FIXTURE_PATIENT).text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;metkg&#39;)&lt;/script&gt; stays text" in page
    assert "&lt;em&gt;years&lt;/em&gt;" in app_client.get(f"/case/{FIXTURE_DOI}").text


def test_quotes_in_number_order_regression(app_client: httpx.Client) -> None:
    """Evidence quotes were sorted as text (10, 11, 1, 2); the Cheng primary has eleven."""
    page = app_client.get(CHENG_PATIENT).text
    block = re.search(r'<article class="fact" id="1-lesion-primary">.*?</article>', page, re.S).group(0)
    links = re.findall(r"lesion/primary/evidence/(\d+)", block)
    assert len(links) == 11 and links == [str(n) for n in range(1, 12)]


def test_quote_links_to_its_passage_marked_in_the_source(app_client: httpx.Client) -> None:
    case = app_client.get(FIXTURE_PATIENT).text
    link = re.search(r'<q>took letrozole from July 2014 to July 2019</q> <a class="passage" href="([^"]+)"', case)
    assert link, "the quote links to its passage"
    source = app_client.get(link.group(1).replace("&amp;", "&")).text
    assert '<mark id="passage" tabindex="-1">took letrozole from July 2014 to July 2019</mark>' in source


def test_quote_across_a_line_break_is_found(app_client: httpx.Client) -> None:
    evidence = quote(f"{FIXTURE_PATIENT}/specimen/breast-core/evidence/1", safe="/")
    source = app_client.get(f"/case/{FIXTURE_DOI}/source/main", params={"evidence": evidence}).text
    assert '<mark id="passage" tabindex="-1">core needle\nbiopsy on 12 May 2014</mark>' in source


def test_source_without_its_text_says_so(app_client: httpx.Client) -> None:
    page = app_client.get("/case/10.3389/fonc.2025.1709244/source/main").text
    assert "not on this server" in page


def test_machines_still_get_rdf_at_the_same_iris(app_client: httpx.Client) -> None:
    turtle = app_client.get(FIXTURE_PATIENT, headers={"Accept": "text/turtle"})
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert "metkg:" in turtle.text or "ontology#" in turtle.text
    jsonld = app_client.get(FIXTURE_PATIENT, params={"format": "jsonld"})
    assert jsonld.headers["content-type"] == "application/ld+json"
    onto = app_client.get("/ontology", headers={"Accept": "text/turtle"})
    assert onto.status_code == 200 and onto.headers["content-type"].startswith("text/turtle")
    assert app_client.get(f"/case/{FIXTURE_DOI}/patient/9").status_code == 404


def test_ontology_browser_trees_codes_counts_and_defined_classes(app_client: httpx.Client) -> None:
    page = app_client.get("/ontology").text
    for tree in ("site", "histology", "marker", "drug", "procedure"):
        assert f'id="tree-{tree}"' in page
    assert 'id="Scalp"' in page and 'id="Eyelid"' in page
    assert 'href="http://purl.obolibrary.org/obo/UBERON_0000403"' in page and "UBERON 0000403" in page
    assert "Also called:" in page and "Defined as:" in page
    assert "Defined as: ER-negative specimen and PR-negative specimen and HER2-negative specimen" in page
    assert "Defined as: lesion and (the inverse of samples) some hormone-receptor-positive specimen" in page
    assert "…" not in page, "every defined class is put in words"
    skin = re.search(r'<li id="Skin">.*?class="count" href="/cases\?site=skin"[^>]*>([\d,]+) patient', page, re.S)
    assert skin and int(skin.group(1)) >= 2


def test_query_page_has_no_inline_json_regression(app_client: httpx.Client) -> None:
    """The examples were JSON in a script element, HTML-escaped, so the script threw on every load."""
    page = app_client.get("/sparql").text
    assert 'type="application/json"' not in page
    assert 'data-query="#+ title: Receptor conversion' in page
    assert '<script src="/static/vendor/editor.js" defer></script>' in page


def test_named_query_form_offers_values_from_the_data(app_client: httpx.Client) -> None:
    page = app_client.get("/queries/receptor-conversion").text
    assert 'list="choices-marker"' in page and '<option value="ER">' in page
    assert f'<option value="{FIXTURE_DOI}">' in page


def test_editor_bundle_and_its_licences_are_served(app_client: httpx.Client) -> None:
    bundle = app_client.get("/static/vendor/editor.js")
    assert bundle.status_code == 200 and "metkgEditor" in bundle.text
    licences = app_client.get("/static/vendor/editor.LICENSES.txt")
    assert "@codemirror/view" in licences.text and "MIT" in licences.text


@pytest.mark.parametrize(
    "params",
    [
        {"site": "skin"},
        {"site": "scalp", "intervention": "surgery"},
        {"primary": "invasive-breast-carcinoma", "marker": "ER:positive"},
        {"conversion": "ER:loss"},
        {"conversion": "any", "year": "2025"},
        {"site": ["eyelid", "lung"]},
    ],
)
def test_the_sparql_behind_a_view_finds_the_same_patients(app_client: httpx.Client, params: dict) -> None:
    page = app_client.get("/cases", params=params).text
    shown = int(re.search(r'id="hits-title">([\d,]+) patient', page).group(1))
    query = html.unescape(re.search(r'<details class="sparql">.*?<pre>(.*?)</pre>', page, re.S).group(1))
    answer = app_client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    patients = {b["patient"]["value"] for b in answer.json()["results"]["bindings"]}
    assert len(patients) == shown, query


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/case/{FIXTURE_DOI}/patient/1%zz", 404),
        (f"/case/{FIXTURE_DOI}/source/main?evidence=%20no%20iri", 400),
        (f"/case/{FIXTURE_DOI}/source/nowhere", 404),
        ("/case/10.9999/none/patient/1", 404),
        ("/cases?q=" + "x" * 5000, 200),
    ],
)
def test_bad_input_is_a_clear_answer_never_a_500(app_client: httpx.Client, path: str, status: int) -> None:
    response = app_client.get(path)
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text


def test_linked_data_pages_show_values_without_datatype_noise(app_client: httpx.Client) -> None:
    """Pages showed '45 xsd:integer'; the datatype is now only the value's tooltip."""
    page = app_client.get(f"/case/{FIXTURE_DOI}/patient/1/lesion/primary").text
    assert "2014-05-12" in page
    assert ">xsd:" not in page and 'title="xsd:date"' in page
