"""Named queries over HTTP: exact answers on the fixture records, typed parameters, injection.

The fixture records (tests/fixtures/web/records) model three reports: IDC -> frontal scalp and
meningeal metastases (PR gain, HER2 0 -> 1+), DCIS -> bone marrow and axillary metastases
(ER, PR, HER2 loss), and a primary scalp leiomyosarcoma invading the skull (no metastasis).
"""

from __future__ import annotations

import httpx
import pytest
from tests.web.conftest import BASE, LMS, MARROW, SCALP

P_SCALP = f"{BASE}case/{SCALP}/patient/1"
P_MARROW = f"{BASE}case/{MARROW}/patient/1"


def rows(client: httpx.Client, name: str, **params: str) -> list[dict[str, str]]:
    """The answer of a named query as plain values, column by column (unbound columns left out)."""
    response = client.get(f"/queries/{name}", params=params, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    bindings = response.json()["results"]["bindings"]
    return [{var: term["value"] for var, term in binding.items()} for binding in bindings]


def columns(client: httpx.Client, name: str, wanted: tuple[str, ...], **params: str) -> list[tuple[str, ...]]:
    return [tuple(row.get(c, "") for c in wanted) for row in rows(client, name, **params)]


def test_queries_listing_json(client: httpx.Client) -> None:
    response = client.get("/queries")
    assert response.status_code == 200
    listed = {q["name"]: q for q in response.json()["queries"]}
    assert set(listed) >= {
        "receptor-conversion",
        "metastatic-sites-by-primary",
        "time-to-metastasis",
        "treatments-by-site",
        "co-occurring-metastases",
        "case-timeline",
        "biomarker-profile",
        "diagnostic-delay",
    }
    site = listed["treatments-by-site"]["parameters"][0]
    assert site == {
        "name": "site",
        "type": "site-key",
        "expects": "the ontology key of an anatomical site, such as skin or scalp",
        "required": False,
        "default": "skin",
        "description": "ontology key of the site; every site below it matches",
    }
    assert listed["case-timeline"]["parameters"][0]["required"] is True


def test_queries_listing_html(client: httpx.Client) -> None:
    response = client.get("/queries", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert 'href="/queries/receptor-conversion"' in response.text


def test_receptor_conversion(client: httpx.Client) -> None:
    """PR gain and HER2-zero -> HER2-low in the scalp case; ER, PR, HER2 loss DCIS -> bone marrow."""
    answer = rows(client, "receptor-conversion")
    assert answer == [
        {
            "case": f"{BASE}case/{SCALP}",
            "doi": SCALP,
            "marker": "HER2",
            "primary_specimen": f"{P_SCALP}/specimen/breast-core",
            "primary_date": "2019-10",
            "primary_status": "HER2-zero",
            "primary_value": "0",
            "metastasis_site": "frontal scalp",
            "metastasis_specimen": f"{P_SCALP}/specimen/scalp-fna",
            "metastasis_date": "2025-04",
            "metastasis_status": "HER2-low",
            "metastasis_value": "1+",
            "direction": "gain",
        },
        {
            "case": f"{BASE}case/{SCALP}",
            "doi": SCALP,
            "marker": "PR",
            "primary_specimen": f"{P_SCALP}/specimen/breast-core",
            "primary_date": "2019-10",
            "primary_status": "negative",
            "primary_value": "negative",
            "metastasis_site": "frontal scalp",
            "metastasis_specimen": f"{P_SCALP}/specimen/scalp-fna",
            "metastasis_date": "2025-04",
            "metastasis_status": "positive",
            "metastasis_value": "positive 60%",
            "direction": "gain",
        },
    ] + [
        {
            "case": f"{BASE}case/{MARROW}",
            "doi": MARROW,
            "marker": marker,
            "primary_specimen": f"{P_MARROW}/specimen/dcis-excision",
            "primary_date": "2012-05",
            "primary_status": status,
            "primary_value": "positive",
            "metastasis_site": "bone marrow",
            "metastasis_specimen": f"{P_MARROW}/specimen/marrow-biopsy",
            "metastasis_date": "2023-06-20",
            "metastasis_status": "negative",
            "metastasis_value": "negative",
            "direction": "loss",
        }
        for marker, status in (("ER", "positive"), ("HER2", "HER2-positive"), ("PR", "positive"))
    ]


def test_receptor_conversion_one_marker(client: httpx.Client) -> None:
    wanted = ("doi", "marker", "primary_status", "metastasis_status", "direction")
    assert columns(client, "receptor-conversion", wanted, marker="HER2") == [
        (SCALP, "HER2", "HER2-zero", "HER2-low", "gain"),
        (MARROW, "HER2", "HER2-positive", "negative", "loss"),
    ]


def test_metastatic_sites_by_primary(client: httpx.Client) -> None:
    """Metastases only: the leiomyosarcoma's skull invasion is local, not a metastatic site."""
    assert columns(client, "metastatic-sites-by-primary", ("primary_histology", "metastatic_site", "cases")) == [
        ("ductal carcinoma in situ", "axilla", "1"),
        ("ductal carcinoma in situ", "bone marrow", "1"),
        ("invasive ductal carcinoma", "frontal scalp", "1"),
        ("invasive ductal carcinoma", "meninges", "1"),
    ]


def test_time_to_metastasis(client: httpx.Client) -> None:
    wanted = ("doi", "primary_histology", "primary_date", "metastasis_site", "metastasis_date", "months", "late")
    assert columns(client, "time-to-metastasis", wanted) == [
        (SCALP, "invasive ductal carcinoma", "2019-10", "frontal scalp", "2025-04", "66", "true"),
        (SCALP, "invasive ductal carcinoma", "2019-10", "meninges", "2025-08", "70", "true"),
        (MARROW, "ductal carcinoma in situ", "2012-05", "bone marrow", "2023-06", "133", "true"),
        (MARROW, "ductal carcinoma in situ", "2012-05", "axilla", "2023-07", "134", "true"),
    ]
    assert [r["months"] for r in rows(client, "time-to-metastasis", doi=MARROW.upper())] == ["133", "134"]


TREATMENT_COLUMNS = (
    "site",
    "metastasis",
    "treatment",
    "intervention_type",
    "start_date",
    "setting",
    "response",
    "response_date",
)


@pytest.mark.parametrize("site", ["skin", "scalp", "frontal-scalp", "head"])
def test_treatments_by_site_follows_the_site_hierarchy(client: httpx.Client, site: str) -> None:
    """site=skin finds the frontal-scalp metastasis (FrontalScalp < Scalp < Skin).

    The primary scalp leiomyosarcoma is not a metastasis and is not listed."""
    assert columns(client, "treatments-by-site", TREATMENT_COLUMNS, site=site) == [
        (site, f"{P_SCALP}/lesion/scalp-metastasis", "excision", "surgery", "2025-05", "", "", ""),
        (
            site,
            f"{P_SCALP}/lesion/scalp-metastasis",
            "fulvestrant",
            "endocrine therapy",
            "2025-06",
            "first-line",
            "progressive disease (RECIST)",
            "2025-08",
        ),
    ]


def test_treatments_by_site_default_and_others(client: httpx.Client) -> None:
    assert [r["treatment"] for r in rows(client, "treatments-by-site")] == ["excision", "fulvestrant"]
    assert columns(
        client, "treatments-by-site", ("treatment", "intervention_type", "response"), site="bone-marrow"
    ) == [("platelet transfusion", "supportive care", "condition deteriorated")]
    assert rows(client, "treatments-by-site", site="breast") == []


@pytest.mark.parametrize(
    ("site", "expected"),
    [
        ("skin", [("skin", "meninges", "1")]),
        ("bone-marrow", [("bone-marrow", "axilla", "1")]),
        ("meninges", [("meninges", "frontal scalp", "1")]),
        ("breast", []),
    ],
)
def test_co_occurring_metastases(client: httpx.Client, site: str, expected: list[tuple[str, ...]]) -> None:
    assert columns(client, "co-occurring-metastases", ("site", "other_site", "cases"), site=site) == expected


def test_case_timeline(client: httpx.Client) -> None:
    """Every dated event of the case, in chronological order (STR of gYearMonth/date sorts by time)."""
    assert columns(client, "case-timeline", ("date", "event", "what"), doi=MARROW) == [
        ("2012-05", "diagnosis", "ductal carcinoma in situ (breast)"),
        ("2012-05", "specimen collected", "excision (breast, 2012-05)"),
        ("2012-05", "treatment started", "excision"),
        ("2012-05", "treatment started", "radiotherapy"),
        ("2023-03", "first symptom", "severe thrombocytopenia"),
        ("2023-06", "diagnosis", "metastasis (bone marrow)"),
        ("2023-06", "treatment started", "platelet transfusion"),
        ("2023-06-20", "diagnosis confirmed", "diagnostic journey"),
        ("2023-06-20", "specimen collected", "bone marrow biopsy (bone marrow, 2023-06-20)"),
        ("2023-07", "diagnosis", "metastasis (axilla)"),
        ("2023-07", "specimen collected", "excision (axilla, 2023-07)"),
        ("2023-08", "death", "dead"),
        ("2023-08", "response assessed", "condition deteriorated"),
    ]


def test_case_timeline_dates_keep_their_precision(client: httpx.Client) -> None:
    response = client.get("/queries/case-timeline", params={"doi": SCALP})
    dates = {
        b["date"]["value"]: b["date"]["datatype"].rsplit("#", 1)[1] for b in response.json()["results"]["bindings"]
    }
    assert dates["2019-10"] == "gYearMonth"
    assert dates["2020-07-06"] == "date"


def test_biomarker_profile_of_a_case(client: httpx.Client) -> None:
    wanted = ("specimen", "marker", "status", "percent")
    assert columns(client, "biomarker-profile", wanted, doi=MARROW) == [
        (f"{P_MARROW}/specimen/dcis-excision", "ER", "positive", ""),
        (f"{P_MARROW}/specimen/dcis-excision", "HER2", "positive", ""),
        (f"{P_MARROW}/specimen/dcis-excision", "PR", "positive", ""),
        (f"{P_MARROW}/specimen/marrow-biopsy", "ER", "negative", ""),
        (f"{P_MARROW}/specimen/marrow-biopsy", "HER2", "negative", ""),
        (f"{P_MARROW}/specimen/marrow-biopsy", "PR", "negative", ""),
        (f"{P_MARROW}/specimen/axillary-excision", "Ki-67", "", "60"),
    ]


@pytest.mark.parametrize("specimen", [f"{P_SCALP}/specimen/scalp-fna", f"case/{SCALP}/patient/1/specimen/scalp-fna"])
def test_biomarker_profile_of_a_specimen(client: httpx.Client, specimen: str) -> None:
    """A specimen by IRI, absolute or relative to the base IRI."""
    wanted = ("doi", "marker", "status", "percent", "comparator", "score", "assay")
    assert columns(client, "biomarker-profile", wanted, doi=SCALP, specimen=specimen) == [
        (SCALP, "ER", "positive", "90", ">", "", "IHC"),
        (SCALP, "HER2", "", "", "", "1+", "IHC"),
        (SCALP, "PR", "positive", "60", "", "", "IHC"),
    ]


def test_diagnostic_delay(client: httpx.Client) -> None:
    wanted = ("doi", "lesion", "first_symptom_date", "confirmed_date", "months", "misdiagnoses")
    assert columns(client, "diagnostic-delay", wanted) == [
        (LMS, "leiomyosarcoma (scalp)", "", "", "180", "hemangioma (misdiagnosis)"),
        (SCALP, "metastasis (left frontal scalp)", "2023-12", "2025-04", "16", "epidermoid cyst (differential)"),
        (MARROW, "metastasis (bone marrow)", "2023-03", "2023-06-20", "3", "immune thrombocytopenia (misdiagnosis)"),
    ]


# ---------------------------------------------------------------- parameters


def test_named_query_formats(client: httpx.Client) -> None:
    """Named queries answer in the formats of /sparql."""
    csv = client.get("/queries/co-occurring-metastases", params={"site": "skin"}, headers={"Accept": "text/csv"})
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv.text == "site,other_site,cases\r\nskin,meninges,1\r\n"
    tsv = client.get("/queries/co-occurring-metastases", params={"site": "skin", "format": "tsv"})
    assert tsv.text.splitlines()[1] == '"skin"\t"meninges"\t1'
    assert client.get("/queries/co-occurring-metastases", headers={"Accept": "image/png"}).status_code == 406


def test_named_query_html_page(client: httpx.Client) -> None:
    response = client.get("/queries/treatments-by-site", params={"site": "skin"}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert '<input name="site" value="skin"' in response.text
    assert "fulvestrant" in response.text and "<th>treatment</th>" in response.text


def test_required_parameter_missing(client: httpx.Client) -> None:
    response = client.get("/queries/case-timeline")
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "query 'case-timeline' needs parameter 'doi': a DOI such as 10.3389/fonc.2025.1709244 (case-insensitive)"
    )
    page = client.get("/queries/case-timeline", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "(required)" in page.text


SITE_KEY = "the ontology key of an anatomical site"


@pytest.mark.parametrize(
    ("name", "params", "detail"),
    [
        (
            "treatments-by-site",
            {"site": "skn"},
            "parameter 'site': 'skn' is not the ontology key of an anatomical site",
        ),
        ("treatments-by-site", {"site": "ER"}, "parameter 'site': 'ER' is not the ontology key of an anatomical site"),
        (
            "receptor-conversion",
            {"marker": "scalp"},
            "parameter 'marker': 'scalp' is not the ontology key of a biomarker",
        ),
        ("treatments-by-site", {"sitee": "skin"}, "query 'treatments-by-site' has no parameter 'sitee'"),
        ("biomarker-profile", {"doi": SCALP, "specimen": "<x>"}, "parameter 'specimen': '<x>' is not an absolute IRI"),
        ("case-timeline", {"doi": "not a doi"}, "parameter 'doi': 'not a doi' is not a DOI"),
    ],
)
def test_bad_parameters_400(client: httpx.Client, name: str, params: dict[str, str], detail: str) -> None:
    response = client.get(f"/queries/{name}", params=params)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail), response.json()


def test_unknown_site_key_suggests(client: httpx.Client) -> None:
    detail = client.get("/queries/treatments-by-site", params={"site": "skn"}).json()["detail"]
    assert "did you mean 'skin'" in detail


def test_unknown_named_query_404(client: httpx.Client) -> None:
    response = client.get("/queries/drop-all")
    assert response.status_code == 404
    assert "named queries: biomarker-profile" in response.json()["detail"]


INJECTION = '"} ; DROP ALL ; {"'


def test_injection_in_a_typed_parameter_is_refused(client: httpx.Client) -> None:
    """A value with SPARQL syntax in it is not a DOI, a site key or an IRI: 400, and nothing runs."""
    for name, param in (("case-timeline", "doi"), ("treatments-by-site", "site"), ("biomarker-profile", "specimen")):
        response = client.get(f"/queries/{name}", params={"doi": SCALP, param: INJECTION})
        assert response.status_code == 400, (name, response.text)


def test_injection_that_passes_the_type_check_is_only_a_value(client: httpx.Client) -> None:
    """A DOI-shaped value carrying query text is bound as one literal: no rows, no error, no change."""
    value = '10.9999/x"}DROP_ALL;INSERT{<a:b><c:d>"e"}WHERE{"'
    response = client.get("/queries/case-timeline", params={"doi": value})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    after = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { <a:b> ?p ?o }"})
    assert after.json()["results"]["bindings"][0]["n"]["value"] == "0"
    assert len(rows(client, "case-timeline", doi=SCALP)) == 16
