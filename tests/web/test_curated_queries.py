"""Named queries on the curated records (data/cases), served by the real app.

Queries that read derived facts (receptor conversion, time to metastasis, diagnostic delay)
need the nodes ``metkg.reasoning`` materialises; they are skipped while the build's inferred
graph has none (the fixture-record tests cover them with hand-made nodes meanwhile).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.web.conftest import BASE, LiveServer, start_server, stop_server

from metkg.build import build_graph
from metkg.settings import PROJECT_ROOT, Settings

CHENG = "10.3389/fonc.2025.1709244"
ZHANG = "10.3389/fonc.2024.1473896"
CASES = PROJECT_ROOT / "data" / "cases"
NEEDED = ("cheng-2025-scalp-metastasis.yaml", "zhang-2024-dcis-bone-marrow.yaml", "gao-2025-scalp-leiomyosarcoma.yaml")


@pytest.fixture(scope="module")
def curated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    if not all((CASES / name).is_file() for name in NEEDED):
        pytest.skip("the curated records are not in data/cases yet")
    root: Path = tmp_path_factory.mktemp("curated")
    settings = Settings(
        store=root / "store",
        data_dir=PROJECT_ROOT / "data",
        ontology_dir=PROJECT_ROOT / "ontology",
        corpus_dir=None,
        base_iri=BASE,
        query_workers=1,
    )
    build_graph(settings, [CASES], reason=True, shacl=False)
    server = start_server(settings)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def http(curated: LiveServer) -> Iterator[httpx.Client]:
    with curated.client() as client:
        yield client


def rows(http: httpx.Client, name: str, wanted: tuple[str, ...], **params: str) -> list[tuple[str, ...]]:
    response = http.get(f"/queries/{name}", params=params, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return [tuple(b[c]["value"] if c in b else "" for c in wanted) for b in response.json()["results"]["bindings"]]


def needs_derived(http: httpx.Client, cls: str) -> None:
    query = f"ASK {{ GRAPH <{BASE}graph/inferred> {{ ?x a metkg:{cls} }} }}"
    answer = http.get("/sparql", params={"query": query}).json()["boolean"]
    assert answer, f"the build materialised no metkg:{cls} nodes"


def _tail(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_receptor_conversion_curated(http: httpx.Client) -> None:
    """Zhang 2024: ER, PR, HER2 loss from the DCIS specimen to the bone marrow; Cheng 2025: PR gain, HER2 0 -> 1+."""
    needs_derived(http, "ReceptorConversion")
    wanted = (
        "doi",
        "marker",
        "primary_specimen",
        "primary_status",
        "metastasis_specimen",
        "metastasis_status",
        "direction",
    )
    answer = [
        (r[0], r[1], _tail(r[2]), r[3], _tail(r[4]), r[5], r[6]) for r in rows(http, "receptor-conversion", wanted)
    ]
    cheng = [r for r in answer if r[0] == CHENG]
    assert cheng == [
        (CHENG, "HER2", "breast-fna", "HER2-zero", "scalp-fna", "HER2-low", "gain"),
        (CHENG, "HER2", "mastectomy-specimen", "HER2-zero", "scalp-fna", "HER2-low", "gain"),
        (CHENG, "PR", "breast-fna", "negative", "scalp-fna", "positive", "gain"),
    ]
    marrow = {(r[1], r[2], r[6]) for r in answer if r[0] == ZHANG and r[4] == "bone-marrow-biopsy-1"}
    assert marrow == {(m, "breast-excision-2013", "loss") for m in ("ER", "PR", "HER2")}


def test_time_to_metastasis_curated(http: httpx.Client) -> None:
    needs_derived(http, "TimeToMetastasis")
    answer = rows(http, "time-to-metastasis", ("doi", "primary_date", "metastasis_site", "metastasis_date", "months"))
    assert (CHENG, "2019-10", "frontal scalp", "2025-04", "66") in answer
    assert (ZHANG, "2013-01", "bone marrow", "2024-02", "133") in answer


def test_diagnostic_delay_curated(http: httpx.Client) -> None:
    needs_derived(http, "DiagnosticDelay")
    wanted = ("doi", "first_symptom_date", "confirmed_date", "months", "misdiagnoses")
    [answer] = rows(http, "diagnostic-delay", wanted, doi=CHENG)
    assert answer[:4] == (CHENG, "2023-12", "2025-04", "16")
    assert sorted(answer[4].split("; ")) == [
        "angioedema (differential)",
        "dermatofibroma (differential)",
        "epidermoid cyst (differential)",
        "lipoma (differential)",
    ]


def test_metastatic_sites_by_primary_curated(http: httpx.Client) -> None:
    answer = rows(http, "metastatic-sites-by-primary", ("primary_histology", "metastatic_site", "cases"))
    assert [r for r in answer if r[0] == "ductal carcinoma in situ"] == [
        ("ductal carcinoma in situ", "axilla", "1"),
        ("ductal carcinoma in situ", "bone marrow", "1"),
    ]
    assert ("invasive ductal carcinoma", "frontal scalp", "3") in answer
    assert ("invasive ductal carcinoma", "meninges", "1") in answer
    assert all(r[0] != "leiomyosarcoma" for r in answer), "Gao 2025 is a primary scalp tumour, not a metastasis"


def test_treatments_by_site_curated(http: httpx.Client) -> None:
    """Skin finds every scalp metastasis (scalp sites are below Skin), with Cheng's two responses
    (undated, so in the order of their text)."""
    answer = rows(
        http, "treatments-by-site", ("doi", "treatment", "intervention_type", "start_date", "response"), site="skin"
    )
    assert answer == [
        ("10.1007/s12254-019-0471-z", "excision", "surgery", "", ""),
        ("10.1007/s12254-019-0471-z", "radiotherapy", "radiotherapy", "", ""),
        ("10.1016/j.ijwd.2018.08.002", "skin graft", "surgery", "", ""),
        ("10.1016/j.ijwd.2018.08.002", "surgical resection", "surgery", "", ""),
        ("10.1016/j.wneu.2020.01.230", "surgical resection", "surgery", "", ""),
        ("10.3389/fonc.2024.1361333", "excision", "surgery", "", ""),
        (CHENG, "dalpiciclib (CDK4/6 inhibitor), given with fulvestrant", "targeted therapy", "2025-04-30", ""),
        (
            CHENG,
            "fulvestrant, given with dalpiciclib",
            "endocrine therapy",
            "2025-04-30",
            "progression with meningeal and frontal bone metastases after the initial regression",
        ),
        (
            CHENG,
            "fulvestrant, given with dalpiciclib",
            "endocrine therapy",
            "2025-04-30",
            "regression after four cycles: lesion thickness reduced to 2.9 mm and complete resolution of "
            "periorbital edema",
        ),
        ("10.7759/cureus.77187", "fusiform excision of the scalp lesion", "surgery", "", ""),
    ]


def test_co_occurring_metastases_curated(http: httpx.Client) -> None:
    assert rows(http, "co-occurring-metastases", ("site", "other_site", "cases"), site="bone-marrow") == [
        ("bone-marrow", "axilla", "1")
    ]
    assert rows(http, "co-occurring-metastases", ("other_site", "cases"), site="meninges") == [
        ("axillary lymph node", "1"),
        ("frontal bone", "1"),
        ("frontal scalp", "1"),
    ]


def test_case_timeline_curated(http: httpx.Client) -> None:
    """Cheng 2025 in order, each date at the precision the report gives."""
    assert rows(http, "case-timeline", ("date", "event"), doi=CHENG) == [
        ("2017", "history"),
        ("2019-10", "diagnosis"),
        ("2019-10", "specimen collected"),
        ("2020-03-17", "response assessed"),
        ("2020-03-17", "specimen collected"),
        ("2020-03-17", "specimen collected"),
        ("2020-03-17", "treatment started"),
        ("2020-03-17", "treatment started"),
        ("2020-03-17", "treatment started"),
        ("2020-07-06", "treatment started"),
        ("2020-08-11", "treatment ended"),
        ("2023-12", "first symptom"),
        ("2025-02", "laboratory finding"),
        ("2025-04", "diagnosis"),
        ("2025-04", "diagnosis confirmed"),
        ("2025-04", "specimen collected"),
        ("2025-04-30", "treatment started"),  # fulvestrant
        ("2025-04-30", "treatment started"),  # dalpiciclib, with it
    ]


def test_biomarker_profile_curated(http: httpx.Client) -> None:
    specimen = f"{BASE}case/{CHENG}/patient/1/specimen/scalp-fna"
    wanted = ("marker", "status", "percent", "comparator", "score", "as_written")
    assert rows(http, "biomarker-profile", wanted, doi=CHENG, specimen=specimen) == [
        ("ER", "positive", "90", ">", "", "ER (>90%)"),
        ("GATA3", "positive", "", "", "", "GATA 3(+)"),
        ("HER2", "", "", "", "1+", "HER2 (1+)"),
        ("Ki-67", "", "35", "", "", "Ki67 (35%)"),
        ("PR", "positive", "60", "", "", "PR (60%)"),
    ]
    marrow = f"{BASE}case/{ZHANG}/patient/1/specimen/bone-marrow-biopsy-1"
    assert rows(http, "biomarker-profile", ("marker", "status"), doi=ZHANG, specimen=marrow) == [
        ("ER", "negative"),
        ("HER2", "negative"),
        ("PR", "negative"),
    ]


def test_curated_case_page(http: httpx.Client) -> None:
    """A curated case dereferences; DOIs with unusual characters are percent-encoded in the IRI path."""
    page = http.get(f"/case/{CHENG}", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Solitary scalp metastasis" in page.text
