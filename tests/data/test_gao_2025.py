"""The curated record of Gao et al. 2025 (primary scalp leiomyosarcoma invading skull and dura) against its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.records.validate import validate_records
from metkg.settings import PROJECT_ROOT, Settings
from metkg.terminology import load_terminology

RECORD = PROJECT_ROOT / "data" / "cases" / "gao-2025-scalp-leiomyosarcoma.yaml"


@pytest.fixture(scope="module")
def results(patient):
    specimen = patient.specimen("scalp-tumour-excision")
    assert specimen is not None
    by_marker = {r.marker: r for r in specimen.results}
    assert len(by_marker) == len(specimen.results), "one result per marker"
    return by_marker


def _intervention(patient, intervention_id):
    found = [i for i in patient.interventions if i.id == intervention_id]
    assert len(found) == 1, intervention_id
    return found[0]


def test_report_and_source(loaded):
    rec = loaded.record
    assert rec.id == "gao-2025-scalp-leiomyosarcoma"
    assert rec.report.doi == "10.3389/fonc.2025.1533114"
    assert rec.report.year == 2025
    assert rec.report.authors == []  # the source gives only "Gao et al."
    assert rec.sources["main"].file == "004_ce6a147cc74f495e.txt"


def test_patient(patient):
    assert (patient.index, patient.sex, patient.age) == (1, "female", 39)


def test_primary_and_local_invasion(patient):
    primary = patient.lesion("primary")
    assert (primary.kind, primary.histology, primary.site, primary.laterality) == (
        "primary",
        "leiomyosarcoma",
        "scalp",
        "right",
    )
    skull = patient.lesion("skull-invasion")
    dura = patient.lesion("dura-invasion")
    assert (skull.kind, skull.site, skull.primary) == ("local-invasion", "skull", "primary")
    assert (dura.kind, dura.site, dura.primary) == ("local-invasion", "cranial-dura-mater", "primary")
    assert not [lesion for lesion in patient.lesions if lesion.kind == "metastasis"]


def test_smooth_muscle_markers_positive(results):
    for marker in ("SMA", "vimentin", "h-caldesmon"):
        assert (results[marker].status, results[marker].pattern) == ("positive", "diffuse"), marker


def test_sma_conflict(results):
    (conflict,) = results["SMA"].conflicts
    assert conflict.field == "status"
    assert conflict.resolution == "positive"
    assert [s.value for s in conflict.statements] == ["positive", "negative"]
    assert conflict.note


def test_h_caldesmon_typo(results):
    assert "H-calmodulin" not in results  # recorded under the right marker
    result = results["h-caldesmon"]
    assert result.raw == "H-calmodulin"
    (conflict,) = result.conflicts
    assert (conflict.field, conflict.resolution) == ("marker", "h-caldesmon")
    assert "typo" in conflict.note


def test_negative_panel(results):
    for marker in ("desmin", "ER", "PR", "EMA", "CD34", "Bcl-2", "myoglobin"):
        assert results[marker].status == "negative", marker


def test_ki67(results):
    ki67 = results["Ki-67"]
    assert (ki67.percent, ki67.comparator, ki67.status) == (15, ">", None)
    assert set(results) == {
        "Ki-67",
        "h-caldesmon",
        "SMA",
        "vimentin",
        "ER",
        "PR",
        "EMA",
        "CD34",
        "desmin",
        "Bcl-2",
        "myoglobin",
    }


def test_interventions(patient):
    emb = _intervention(patient, "occipital-artery-embolization")
    assert (emb.type, emb.procedure, emb.start) == ("embolization", "embolization", None)
    surgery = _intervention(patient, "tumour-excision")
    assert (surgery.type, surgery.procedure, surgery.targets) == ("surgery", "excision", ["primary"])
    rt = _intervention(patient, "adjuvant-radiotherapy")
    assert (rt.type, rt.dose_gy, rt.fractions) == ("radiotherapy", None, None)  # not stated
    chemo = _intervention(patient, "adjuvant-chemotherapy")
    assert (chemo.type, chemo.drugs, chemo.cycles) == ("chemotherapy", [], None)  # not stated
    assert not [i for i in patient.interventions if i.procedure == "cranioplasty"]


def test_journey(patient):
    journey = patient.journey
    assert journey.lesion == "primary"
    assert journey.confirmed_by == "scalp-tumour-excision"
    assert journey.stated_delay_months == 180
    assert journey.misdiagnoses[0].label == "scalp hemangioma"
    assert journey.misdiagnoses[0].kind == "misdiagnosis"


def test_outcome(patient):
    assert patient.outcome.vital_status == "alive"
    assert patient.outcome.death_date is None
    assert "four months" in patient.outcome.disease_status


def test_record_validates_against_corpus(loaded):
    corpus = Settings().corpus_dir
    if corpus is None:
        pytest.skip("the case-report corpus (../shared/corpus) is not present")
    terms = load_terminology(PROJECT_ROOT / "ontology")
    validate_records([loaded], terms, Path(corpus))
