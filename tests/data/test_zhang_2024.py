"""The curated record of Zhang et al. 2024 (DCIS, then bone marrow metastasis and necrosis) against its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.records.validate import validate_records
from metkg.settings import PROJECT_ROOT, Settings
from metkg.terminology import load_terminology

RECORD = PROJECT_ROOT / "data" / "cases" / "zhang-2024-dcis-bone-marrow.yaml"


def _results(patient, specimen_id):
    specimen = patient.specimen(specimen_id)
    assert specimen is not None, specimen_id
    by_marker = {r.marker: r for r in specimen.results}
    assert len(by_marker) == len(specimen.results), "one result per marker"
    return by_marker


def _intervention(patient, intervention_id):
    found = [i for i in patient.interventions if i.id == intervention_id]
    assert len(found) == 1, intervention_id
    return found[0]


def _value(result):
    return (result.status, result.percent, result.comparator, result.score)


def test_report_and_source(loaded):
    rec = loaded.record
    assert rec.id == "zhang-2024-dcis-bone-marrow"
    assert rec.status == "curated"
    assert rec.report.doi == "10.3389/fonc.2024.1473896"
    assert rec.report.year == 2024
    assert rec.report.authors == ["Zhang S", "Du Z", "Wu J", "Zhang X", "Dong W"]
    assert rec.default_source() == "main"
    assert rec.sources["main"].file == "003_97742390b567a0be.txt"


def test_patient_history_and_germline(patient):
    assert (patient.index, patient.sex, patient.age) == (1, "female", 47)
    assert any("35 at diagnosis" in e.quote for e in patient.evidence)
    infections = [h for h in patient.history if h.kind == "infection"]
    assert len(infections) == 2
    assert str(infections[1].date) == "2024-03-02"
    assert any("tamoxifen" in h.condition and h.kind == "risk-factor" for h in patient.history)
    (brca,) = patient.germline
    assert brca.gene == "BRCA1"
    assert "S1 locus" in brca.finding
    assert brca.pathogenic is None


def test_lesions(patient):
    primary = patient.lesion("primary")
    assert (primary.kind, primary.histology, primary.site, primary.laterality) == ("primary", "dcis", "breast", "right")
    assert str(primary.diagnosis_date) == "2013-01"
    assert primary.stage == "pTisN0M0"
    marrow = patient.lesion("bone-marrow-metastasis")
    assert (marrow.kind, marrow.site, marrow.primary, marrow.histology) == (
        "metastasis",
        "bone-marrow",
        "primary",
        "invasive-ductal-carcinoma",
    )
    assert str(marrow.diagnosis_date) == "2024-02"
    assert "bone marrow necrosis" in marrow.description
    axilla = patient.lesion("axillary-metastasis")
    assert (axilla.kind, axilla.site, axilla.laterality, axilla.primary) == ("metastasis", "axilla", "right", "primary")
    assert str(axilla.diagnosis_date) == "2024"
    assert len(patient.lesions) == 3  # necrosis is not a lesion of its own


def test_excision_2013(patient):
    specimen = patient.specimen("breast-excision-2013")
    assert (specimen.procedure, specimen.site, specimen.laterality, str(specimen.date)) == (
        "lumpectomy",
        "breast",
        "right",
        "2013-01",
    )
    r = _results(patient, "breast-excision-2013")
    assert set(r) == {"ER", "PR", "HER2", "E-cadherin", "34betaE12", "p120", "Ki-67", "p53", "SMA"}
    assert _value(r["ER"]) == ("positive", 90, None, None)
    assert _value(r["PR"]) == ("positive", 80, None, None)
    assert _value(r["HER2"]) == ("positive", None, None, None)
    assert r["HER2"].raw == "(HER2) (+)"
    assert _value(r["E-cadherin"])[0] == "positive"
    assert r["34betaE12"].raw == "34 β E12 (+)"
    assert (r["p120"].status, r["p120"].pattern) == ("positive", "membrane")
    assert _value(r["Ki-67"]) == (None, 10, "<", None)
    assert _value(r["p53"]) == ("positive", 10, "<", None)
    assert r["SMA"].status == "positive"


@pytest.mark.parametrize("specimen_id", ["bone-marrow-biopsy-1", "bone-marrow-biopsy-2"])
def test_bone_marrow_triple_negative(patient, specimen_id):
    specimen = patient.specimen(specimen_id)
    assert (specimen.procedure, specimen.site, specimen.lesion) == (
        "bone-marrow-biopsy",
        "bone-marrow",
        "bone-marrow-metastasis",
    )
    r = _results(patient, specimen_id)
    for marker in ("ER", "PR", "HER2"):
        assert r[marker].status == "negative", marker
        assert r[marker].percent is None and r[marker].score is None


def test_bone_marrow_biopsies(patient):
    first = patient.specimen("bone-marrow-biopsy-1")
    assert str(first.date) == "2024-02"
    assert set(_results(patient, "bone-marrow-biopsy-1")) == {"ER", "PR", "HER2"}
    assert "metastatic" in first.diagnosis
    second = patient.specimen("bone-marrow-biopsy-2")
    assert str(second.date) == "2024-03"
    assert "necrosis" in second.diagnosis
    r = _results(patient, "bone-marrow-biopsy-2")
    assert set(r) == {"ER", "PR", "HER2", "GATA3", "GCDFP-15"}
    assert r["GATA3"].status == r["GCDFP-15"].status == "negative"
    assert "three" in second.note


def test_axillary_mass_resection(patient):
    specimen = patient.specimen("axillary-mass-resection")
    assert (specimen.procedure, specimen.site, specimen.lesion, specimen.diagnosis) == (
        "resection",
        "axilla",
        "axillary-metastasis",
        "invasive adenocarcinoma",
    )
    r = _results(patient, "axillary-mass-resection")
    assert set(r) == {"ER", "PR", "HER2", "E-cadherin", "GATA3", "GCDFP-15", "Ki-67", "p120"}
    assert r["ER"].status == "negative"
    assert _value(r["PR"]) == ("positive", 5, None, None)
    (conflict,) = r["PR"].conflicts
    assert conflict.resolution == "positive"
    assert {s.value for s in conflict.statements} == {"positive", "negative"}
    assert _value(r["HER2"]) == (None, None, None, "1+")
    assert r["HER2"].raw == "c-erbB-2 (1+)"
    assert r["E-cadherin"].status == "positive"
    assert (r["GATA3"].status, r["GATA3"].raw) == ("equivocal", "GATA-3 (\\pm)")
    assert r["GCDFP-15"].status == "negative"
    assert _value(r["Ki-67"]) == ("positive", 50, None, None)
    assert (r["p120"].status, r["p120"].pattern) == ("positive", "membrane")
    puncture = patient.specimen("axillary-puncture-biopsy")
    assert (puncture.procedure, puncture.diagnosis) == ("needle-biopsy", "tumor cells")


def test_surgery_2013(patient):
    excision = _intervention(patient, "segmental-excision-2013")
    assert (excision.type, excision.procedure, str(excision.start)) == ("surgery", "lumpectomy", "2013-01")
    nodes = _intervention(patient, "lymph-node-biopsy-2013")
    assert (nodes.procedure, str(nodes.start)) == ("surgical-biopsy", "2013-01")
    assert _intervention(patient, "mastectomy-declined").adherence == "declined"


def test_radiotherapy(patient):
    breast = _intervention(patient, "breast-radiotherapy")
    assert (breast.type, breast.procedure, breast.dose_gy, breast.fractions) == (
        "radiotherapy",
        "conformal-radiotherapy",
        48,
        25,
    )
    assert str(breast.start) == "2013" and "eight weeks" in breast.note
    boost = _intervention(patient, "boost-radiotherapy")
    assert (boost.dose_gy, boost.fractions) == (8, 4)


def test_tamoxifen_discontinued(patient):
    tam = _intervention(patient, "adjuvant-tamoxifen")
    assert tam.type == "endocrine"
    (drug,) = tam.drugs
    assert (drug.drug, drug.dose, drug.unit, drug.schedule) == ("tamoxifen", 20, "mg", "daily")
    assert (tam.adherence, tam.status) == ("discontinued", "stopped")


def test_axillary_and_supportive_interventions(patient):
    resection = _intervention(patient, "axillary-tumour-resection")
    assert (resection.type, resection.procedure, resection.targets) == ("surgery", "resection", ["axillary-metastasis"])
    assert _intervention(patient, "axillary-puncture-biopsy").procedure == "needle-biopsy"
    supportive = {i.id for i in patient.interventions if i.type == "supportive"}
    assert supportive == {
        "transfusion",
        "antiviral-therapy",
        "hemostasis",
        "analgesia",
        "herbal-adjuvant-therapy",
        "conservative-supportive-care",
    }
    assert _intervention(patient, "conservative-supportive-care").status == "stopped"
    assert not [i for i in patient.interventions if i.type == "chemotherapy"]


def test_lab_findings(patient):
    labs = {f.id: f for f in patient.lab_findings}
    expected = {
        "platelets-admission": ("platelets", 16, "10^9/L", "low", "2024-02"),
        "hemoglobin-admission": ("hemoglobin", 51, "g/L", "low", "2024-02"),
        "ca15-3-admission": ("CA15-3", 45, "U/L", None, "2024-02"),
        "platelets-2024-03-02": ("platelets", 12, "10^9/L", "low", "2024-03-02"),
        "d-dimer-2024-03-04": ("plasma D-dimer", 55.29, "mg/L", "elevated", "2024-03-04"),
        "alkaline-phosphatase-2024-03-07": ("alkaline phosphatase", 2398, "U/L", "elevated", "2024-03-07"),
    }
    for lab_id, (analyte, value, unit, interpretation, date) in expected.items():
        f = labs[lab_id]
        assert (f.analyte, f.value, f.unit, f.interpretation, str(f.date)) == (
            analyte,
            value,
            unit,
            interpretation,
            date,
        ), lab_id
    assert labs["cea-admission"].interpretation == labs["ca125-admission"].interpretation == "normal"
    assert labs["serum-immunoglobulins"].interpretation == "normal"


def test_diagnostic_journey(patient):
    journey = patient.journey
    assert journey.lesion == "bone-marrow-metastasis"
    assert str(journey.first_symptom_date) == "2023-12"
    assert "menstrual" in journey.first_symptom
    assert [(m.label, m.kind) for m in journey.misdiagnoses] == [
        ("multiple myeloma", "differential"),
        ("hematologic disorder", "differential"),
    ]
    assert journey.confirmed_by == "axillary-mass-resection"
    assert journey.stated_delay_months is None


def test_outcome(patient):
    outcome = patient.outcome
    assert outcome.vital_status == "dead"
    assert str(outcome.death_date) == "2024-04"
    assert "April 19" in outcome.note


def test_record_validates_against_corpus(loaded):
    corpus = Settings().corpus_dir
    if corpus is None:
        pytest.skip("the case-report corpus (../shared/corpus) is not present")
    terms = load_terminology(PROJECT_ROOT / "ontology")
    validate_records([loaded], terms, Path(corpus))
