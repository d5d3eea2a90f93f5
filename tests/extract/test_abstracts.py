"""Reports the extractor was not written against: synthetic abstracts and a full text about
other primaries (lung, kidney, uveal melanoma, colon), each with the facts a reader takes from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from metkg.extract import check_draft, record_yaml
from metkg.records.models import CaseRecord, Patient
from metkg.records.validate import iter_evidence
from metkg.terminology import Terminology

from .conftest import FIXTURES

CASES = sorted(p.stem for p in FIXTURES.glob("*.txt"))


@pytest.fixture(scope="module")
def drafts(extract) -> dict[str, tuple[str, CaseRecord]]:
    out = {}
    for stem in CASES:
        text = (FIXTURES / f"{stem}.txt").read_text(encoding="utf-8")
        out[stem] = (text, extract(text, f"{stem}.txt"))
    return out


def _expected(stem: str) -> dict[str, Any]:
    return yaml.safe_load((FIXTURES / f"{stem}.expected.yaml").read_text(encoding="utf-8"))


def _related(terms: Terminology, category: str, a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    if a == b:
        return True
    ta, tb = terms.get(category, a), terms.get(category, b)
    return bool(ta and tb and (terms.is_a(ta.iri, tb.iri) or terms.is_a(tb.iri, ta.iri)))


@pytest.mark.parametrize("stem", CASES)
def test_quotes_are_spans_and_the_draft_validates(drafts, stem: str, ontology_dir: Path) -> None:
    text, record = drafts[stem]
    for path, ev in iter_evidence(record):
        assert text[ev.start : ev.end] == ev.quote, path
    check_draft(record_yaml(record), f"{stem}.yaml", FIXTURES, ontology_dir)


@pytest.mark.parametrize("stem", CASES)
def test_patient_primary_and_lesions(drafts, stem: str, terminology: Terminology) -> None:
    expected = _expected(stem)
    patient: Patient = drafts[stem][1].patients[0]
    assert {"sex": patient.sex, "age": patient.age} == expected["patient"]
    primary = next(x for x in patient.lesions if x.kind == "primary")
    want = expected["primary"]
    assert _related(terminology, "histology", primary.histology, want["histology"]), primary.histology
    assert _related(terminology, "site", primary.site, want["site"]), primary.site
    for name in ("laterality", "stage", "diagnosis_date"):
        if name in want:
            assert str(getattr(primary, name)) == str(want[name]), name
    lesions = [x for x in patient.lesions if x.kind != "primary"]
    for want_lesion in expected["lesions"]:
        assert any(
            x.kind == want_lesion["kind"] and _related(terminology, "site", x.site, want_lesion["site"])
            for x in lesions
        ), (want_lesion, [(x.kind, x.site) for x in lesions])
    for absent in expected.get("absent_sites", []):
        assert not any(_related(terminology, "site", x.site, absent) for x in lesions), absent


@pytest.mark.parametrize("stem", CASES)
def test_biomarker_results_on_the_right_specimen(drafts, stem: str, terminology: Terminology) -> None:
    patient = drafts[stem][1].patients[0]
    for want in _expected(stem)["results"]:
        found = [
            r
            for sp in patient.specimens
            if _related(terminology, "site", sp.site, want["specimen_site"])
            for r in sp.results
            if r.marker == want["marker"]
        ]
        assert found, want
        if "status" in want:
            assert found[0].status == want["status"], want
        if "percent" in want:
            assert found[0].percent == want["percent"], want


@pytest.mark.parametrize("stem", CASES)
def test_interventions_responses_outcome(drafts, stem: str, terminology: Terminology) -> None:
    expected = _expected(stem)
    record = drafts[stem][1]
    patient = record.patients[0]
    for want in expected["interventions"]:

        def fits(i, want=want) -> bool:
            drugs = {d.drug for d in i.drugs}
            return (
                i.type in want["type"]
                and set(want.get("drugs", [])) <= drugs
                and ("procedure" not in want or _related(terminology, "procedure", i.procedure, want["procedure"]))
                and all(getattr(i, k) == want[k] for k in ("dose_gy", "fractions", "cycles") if k in want)
                and want.get("description", "") in (i.description or "")
            )

        assert any(fits(i) for i in patient.interventions), (
            want,
            [(i.type, i.procedure, i.drugs) for i in patient.interventions],
        )
    assert set(expected.get("responses", [])) <= {r.recist for r in patient.responses}
    assert patient.outcome is not None and patient.outcome.vital_status == expected["outcome"]
    if "death_date" in expected:
        assert str(patient.outcome.death_date) == expected["death_date"]
    if "doi" in expected:
        assert record.report.doi == expected["doi"]
