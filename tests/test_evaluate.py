"""metkg.evaluate: content matching across different ids, per field group."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from metkg.evaluate import GROUPS, evaluate, evaluate_directories, load_directory, markdown_table
from metkg.records.models import CaseRecord
from metkg.settings import PROJECT_ROOT
from metkg.terminology import Terminology, load_terminology


@pytest.fixture(scope="module")
def terminology() -> Terminology:
    return load_terminology(PROJECT_ROOT / "ontology")


def _ev(quote: str = "q") -> list[dict[str, str]]:
    return [{"quote": quote}]


GOLD: dict[str, Any] = {
    "id": "gold-case",
    "report": {"doi": "10.1000/abc"},
    "sources": {"main": {"file": "a.txt"}},
    "patients": [
        {
            "index": 1,
            "sex": "female",
            "age": 45,
            "evidence": _ev(),
            "lesions": [
                {
                    "id": "p",
                    "kind": "primary",
                    "histology": "invasive-ductal-carcinoma",
                    "site": "breast",
                    "laterality": "right",
                    "diagnosis_date": "2019-10",
                    "stage": "cT4bN3M0",
                    "evidence": _ev(),
                },
                {"id": "scalp-met", "kind": "metastasis", "site": "frontal-scalp", "primary": "p", "evidence": _ev()},
                {
                    "id": "dura",
                    "kind": "local-invasion",
                    "site": "cranial-dura-mater",
                    "primary": "p",
                    "evidence": _ev(),
                },
            ],
            "specimens": [
                {
                    "id": "fna-1",
                    "procedure": "fna",
                    "site": "frontal-scalp",
                    "date": "2025-04",
                    "evidence": _ev(),
                    "results": [
                        {"marker": "ER", "status": "positive", "percent": 90, "comparator": ">", "evidence": _ev()},
                        {"marker": "HER2", "score": "1+", "evidence": _ev()},
                    ],
                },
                {
                    "id": "mast",
                    "procedure": "total-mastectomy",
                    "site": "breast",
                    "date": "2020-03-17",
                    "evidence": _ev(),
                    "results": [{"marker": "ER", "status": "positive", "percent": 40, "evidence": _ev()}],
                },
            ],
            "interventions": [
                {
                    "id": "chemo",
                    "type": "chemotherapy",
                    "drugs": [{"drug": "docetaxel"}, {"drug": "epirubicin"}],
                    "evidence": _ev(),
                },
                {"id": "rt", "type": "radiotherapy", "dose_gy": 50, "fractions": 25, "evidence": _ev()},
                {
                    "id": "blood",
                    "type": "supportive",
                    "description": "transfusion of red blood cells",
                    "evidence": _ev(),
                },
            ],
            "outcome": {"vital_status": "alive", "evidence": _ev()},
        }
    ],
}


def _record(data: dict[str, Any]) -> CaseRecord:
    return CaseRecord.model_validate(data)


def _extracted() -> dict[str, Any]:
    """The same facts under other ids, coarser dates and broader terms."""
    data = copy.deepcopy(GOLD)
    data["id"] = "draft"
    data["status"] = "machine-extracted"
    p = data["patients"][0]
    p["lesions"][0]["id"] = "primary"
    p["lesions"][1].update(id="x1", site="scalp", primary="primary")
    p["lesions"][2].update(id="x2", site="dura-mater", primary="primary")
    p["specimens"][0].update(id="s1", procedure="biopsy", site="scalp", date="2025")
    p["specimens"][1].update(id="s2", date=None)
    p["interventions"][0]["id"] = "i1"
    p["interventions"][0]["drugs"] = [{"drug": "docetaxel"}]
    p["interventions"][1]["id"] = "i2"
    p["interventions"][2].update(id="i3", description="transfused red blood cells and platelets")
    return data


def test_a_record_scored_against_itself_is_perfect(terminology: Terminology) -> None:
    result = evaluate([_record(GOLD)], [_record(GOLD)], terminology)
    assert result.pairs == [("gold-case", "gold-case")]
    for g in result.groups.values():
        assert (g.misses, g.false_facts) == ([], []), g.name
        assert g.f1 == 1.0


def test_matching_is_by_content_not_by_id(terminology: Terminology) -> None:
    result = evaluate([_record(_extracted())], [_record(GOLD)], terminology)
    for name in GROUPS:
        g = result.groups[name]
        assert (g.misses, g.false_facts) == ([], []), (name, g.misses, g.false_facts)


def test_misses_and_false_facts_are_listed(terminology: Terminology) -> None:
    data = _extracted()
    p = data["patients"][0]
    p["age"] = 46
    p["lesions"].append({"id": "liver", "kind": "metastasis", "site": "liver", "evidence": _ev()})
    p["specimens"][0]["results"][0]["status"] = "negative"
    p["specimens"][1]["site"] = "axilla"
    p["interventions"][1]["dose_gy"] = 30
    result = evaluate([_record(data)], [_record(GOLD)], terminology)
    g = result.groups
    assert g["patient"].misses == ["gold-case: patient.age = 45 (extracted 46)"]
    assert g["patient"].false_facts == ["gold-case: patient.age = 46 (curated 45)"]
    assert g["metastatic sites"].false_facts == ["gold-case: metastasis site=liver"]
    assert g["specimens"].matched == 1 and len(g["specimens"].misses) == 1
    # the mastectomy specimen is unmatched, so its ER result cannot match either
    assert g["biomarker results"].matched == 1
    assert sorted(g["biomarker results"].misses) == [
        "gold-case: ER positive on fna frontal-scalp 2025-04",
        "gold-case: ER positive on total-mastectomy breast 2020-03-17",
    ]
    assert g["interventions"].matched == 2
    assert g["patient"].precision == 0.5 and g["patient"].recall == 0.5


def test_records_pair_by_doi_and_curated_records_without_draft_are_not_scored(terminology: Terminology) -> None:
    other = copy.deepcopy(GOLD)
    other.update(id="table-1-case", report={"doi": "10.1000/other"}, sources={"main": {"file": "b.txt"}})
    unpaired = copy.deepcopy(GOLD)
    unpaired.update(id="lonely", report={"doi": "10.1000/none"}, sources={"main": {"file": "c.txt"}})
    result = evaluate([_record(GOLD), _record(unpaired)], [_record(GOLD), _record(other)], terminology)
    assert result.pairs == [("gold-case", "gold-case")]
    assert result.unpaired == ["lonely"]
    assert result.groups["patient"].gold == 2


def test_directories_and_markdown(tmp_path: Path, terminology: Terminology) -> None:
    gold_dir = PROJECT_ROOT / "data" / "cases"
    gold, _ = load_directory(gold_dir)
    if not gold:
        pytest.skip("no curated records in data/cases")
    result = evaluate_directories(gold_dir, gold_dir, terminology)
    assert len(result.pairs) == len(gold)
    assert all(g.f1 == 1.0 for g in result.groups.values())
    table = markdown_table(result)
    assert table.splitlines()[0].startswith("| field group |") and len(table.splitlines()) == 2 + len(GROUPS)
