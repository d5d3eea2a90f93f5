"""The curated record of Cheng & Wang 2025 (solitary scalp metastasis of breast IDC) against its source."""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.records.validate import validate_records
from metkg.settings import PROJECT_ROOT, Settings
from metkg.terminology import load_terminology

RECORD = PROJECT_ROOT / "data" / "cases" / "cheng-2025-scalp-metastasis.yaml"


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


def _drugs(intervention):
    return {d.drug: d for d in intervention.drugs}


def test_report_and_source(loaded):
    rec = loaded.record
    assert rec.id == "cheng-2025-scalp-metastasis"
    assert rec.status == "curated"
    assert rec.report.doi == "10.3389/fonc.2025.1709244"
    assert rec.report.year == 2025
    assert rec.report.authors == ["Cheng C", "Wang T"]
    assert rec.default_source() == "main"
    assert rec.sources["main"].file == "000_9006ff49866c3799.txt"
    assert rec.sources["main"].doi == "10.3389/fonc.2025.1709244"


def test_patient_and_history(patient):
    assert patient.index == 1
    assert patient.sex == "female"
    assert patient.age == 45
    history = {h.condition: h for h in patient.history}
    poi = history["primary ovarian insufficiency"]
    assert poi.kind == "condition" and poi.age == 35
    hrt = next(h for h in patient.history if "hormone replacement therapy" in h.condition)
    assert "estradiol valerate" in hrt.condition
    assert hrt.kind == "risk-factor"
    assert hrt.end is None  # the stop is stated only relative to the 2017 excision
    cyst = next(h for h in patient.history if "ovarian cyst" in h.condition)
    assert cyst.kind == "procedure" and str(cyst.date) == "2017"


def test_lesions(patient):
    assert {lesion.id for lesion in patient.lesions} == {
        "primary",
        "axillary-node-metastasis",
        "scalp-metastasis",
        "meningeal-metastasis",
        "calvarial-metastasis",
    }
    primary = patient.lesion("primary")
    assert primary.kind == "primary"
    assert primary.histology == "invasive-ductal-carcinoma"
    assert primary.site == "breast" and primary.laterality == "right"
    assert str(primary.diagnosis_date) == "2019-10"
    assert primary.stage == "cT4bN3M0"
    assert primary.grade == "3"
    assert "ycT4bN3M0" in primary.description

    nodes = patient.lesion("axillary-node-metastasis")
    assert (nodes.kind, nodes.site, nodes.laterality, nodes.primary) == (
        "metastasis",
        "axillary-lymph-node",
        "right",
        "primary",
    )

    scalp = patient.lesion("scalp-metastasis")
    assert (scalp.kind, scalp.site, scalp.laterality, scalp.primary) == (
        "metastasis",
        "frontal-scalp",
        "left",
        "primary",
    )
    assert scalp.site_text == "left frontal scalp"
    assert str(scalp.diagnosis_date) == "2025-04"

    meninges = patient.lesion("meningeal-metastasis")
    bone = patient.lesion("calvarial-metastasis")
    assert (meninges.kind, meninges.site) == ("metastasis", "meninges")
    assert (bone.kind, bone.site) == ("metastasis", "frontal-bone")
    # the source gives no date for the later metastases
    assert meninges.diagnosis_date is None and bone.diagnosis_date is None


def test_diagnostic_breast_fna(patient):
    specimen = patient.specimen("breast-fna")
    assert (specimen.procedure, specimen.site, specimen.laterality, specimen.lesion) == (
        "fna",
        "breast",
        "right",
        "primary",
    )
    assert str(specimen.date) == "2019-10"
    r = _results(patient, "breast-fna")
    assert set(r) == {"ER", "PR", "HER2", "Ki-67"}
    assert (r["ER"].status, r["ER"].percent, r["ER"].comparator) == ("positive", 40, None)
    assert r["PR"].status == "negative" and r["PR"].percent is None
    assert r["HER2"].score == "0"
    assert r["Ki-67"].percent == 10


def test_axillary_fna(patient):
    specimen = patient.specimen("axillary-fna")
    assert (specimen.procedure, specimen.site, specimen.lesion) == (
        "fna",
        "axillary-lymph-node",
        "axillary-node-metastasis",
    )
    assert specimen.date is None
    assert "metastatic carcinoma" in specimen.diagnosis


def test_mastectomy_specimen(patient):
    specimen = patient.specimen("mastectomy-specimen")
    assert specimen.procedure == "total-mastectomy"
    assert str(specimen.date) == "2020-03-17"
    r = _results(patient, "mastectomy-specimen")
    assert set(r) == {"ER", "PR", "HER2", "Ki-67"}
    assert (r["ER"].status, r["ER"].percent) == ("positive", 90)
    assert (r["PR"].status, r["PR"].percent) == ("positive", 70)
    assert r["HER2"].score == "0"
    assert r["Ki-67"].percent == 20
    nodes = patient.specimen("axillary-dissection-specimen")
    assert nodes.procedure == "axillary-lymph-node-dissection"
    assert "13/13" in nodes.diagnosis


def test_scalp_fna(patient):
    specimen = patient.specimen("scalp-fna")
    assert (specimen.procedure, specimen.site, specimen.laterality, specimen.lesion) == (
        "fna",
        "frontal-scalp",
        "left",
        "scalp-metastasis",
    )
    assert str(specimen.date) == "2025-04"
    assert specimen.diagnosis == "metastatic carcinoma"
    r = _results(patient, "scalp-fna")
    assert set(r) == {"ER", "PR", "HER2", "Ki-67", "GATA3"}
    assert (r["ER"].status, r["ER"].percent, r["ER"].comparator) == ("positive", 90, ">")
    assert (r["PR"].status, r["PR"].percent, r["PR"].comparator) == ("positive", 60, None)
    assert r["HER2"].score == "1+" and r["HER2"].status is None
    assert r["Ki-67"].percent == 35
    assert r["GATA3"].status == "positive"


def test_neoadjuvant_chemotherapy_and_responses(patient):
    nact = _intervention(patient, "neoadjuvant-chemotherapy")
    assert (nact.type, nact.setting, nact.cycles) == ("chemotherapy", "neoadjuvant", 6)
    drugs = _drugs(nact)
    assert set(drugs) == {"docetaxel", "epirubicin"}
    for drug in drugs.values():
        assert (drug.dose, drug.unit) == (75, "mg/m2")
    responses = {r.id: r for r in patient.responses}
    assert responses["neoadjuvant-recist"].recist == "PR"
    assert responses["neoadjuvant-recist"].intervention == "neoadjuvant-chemotherapy"
    assert responses["neoadjuvant-pathological-response"].miller_payne == 3


def test_surgery(patient):
    for intervention_id, procedure in [
        ("mastectomy", "total-mastectomy"),
        ("axillary-dissection", "axillary-lymph-node-dissection"),
        ("flap-reconstruction", "flap-reconstruction"),
    ]:
        surgery = _intervention(patient, intervention_id)
        assert surgery.type == "surgery"
        assert surgery.procedure == procedure
        assert str(surgery.start) == "2020-03-17"


def test_chest_wall_radiotherapy(patient):
    rt = _intervention(patient, "chest-wall-radiotherapy")
    assert rt.type == "radiotherapy"
    assert rt.dose_gy == 50 and rt.fractions == 25
    assert str(rt.start) == "2020-07-06" and str(rt.end) == "2020-08-11"
    assert rt.status == "completed"


def test_adjuvant_endocrine_therapy(patient):
    endo = _intervention(patient, "adjuvant-endocrine-therapy")
    assert (endo.type, endo.setting) == ("endocrine", "adjuvant")
    drugs = _drugs(endo)
    assert (drugs["letrozole"].dose, drugs["letrozole"].unit, drugs["letrozole"].schedule) == (2.5, "mg", "daily")
    assert (drugs["goserelin"].dose, drugs["goserelin"].unit, drugs["goserelin"].schedule) == (
        3.6,
        "mg",
        "every 28 days",
    )


def test_empirical_treatment(patient):
    empirical = _intervention(patient, "empirical-symptomatic-treatment")
    assert empirical.type == "supportive"
    assert empirical.drugs == []


def test_fulvestrant_with_dalpiciclib(patient):
    endocrine, targeted = _intervention(patient, "fulvestrant"), _intervention(patient, "dalpiciclib")
    for therapy in (endocrine, targeted):
        assert str(therapy.start) == "2025-04-30"
        assert therapy.status == "ongoing"
        assert therapy.targets == ["scalp-metastasis"]
    fulvestrant, dalpiciclib = _drugs(endocrine)["fulvestrant"], _drugs(targeted)["dalpiciclib"]
    assert (fulvestrant.dose, fulvestrant.unit) == (500, "mg")
    assert "days 1, 15 and 29" in fulvestrant.schedule
    assert (dalpiciclib.dose, dalpiciclib.unit) == (150, "mg")
    assert "21 consecutive days" in dalpiciclib.schedule
    assert "28-day cycles" in dalpiciclib.schedule
    # the Figure 5 caption's "Darsalizumab" is kept as a conflict resolved to dalpiciclib
    (conflict,) = targeted.conflicts
    assert conflict.field == "drugs[0].drug"
    assert {s.value for s in conflict.statements} == {"dalpiciclib", "Darsalizumab"}
    assert conflict.resolution == "dalpiciclib"
    responses = {r.id: r for r in patient.responses}
    regression = responses["scalp-regression"]
    assert regression.intervention == "fulvestrant" and regression.lesion == "scalp-metastasis"
    assert "2.9 mm" in regression.description


def test_intracranial_radiotherapy_is_planned(patient):
    rt = _intervention(patient, "intracranial-radiotherapy")
    assert rt.type == "radiotherapy" and rt.status == "planned"
    assert set(rt.targets) == {"meningeal-metastasis", "calvarial-metastasis"}
    assert rt.dose_gy is None and rt.fractions is None
    (conflict,) = rt.conflicts
    assert conflict.field == "status" and conflict.resolution == "planned"


def test_cea(patient):
    labs = {f.id: f for f in patient.lab_findings}
    cea = labs["cea-2025-02"]
    assert (cea.analyte, cea.value, cea.unit, cea.interpretation) == ("CEA", 5.93, "ng/mL", "elevated")
    assert str(cea.date) == "2025-02"
    assert labs["cea-before-2025"].interpretation == "normal"


def test_diagnostic_journey(patient):
    journey = patient.journey
    assert journey.lesion == "scalp-metastasis"
    assert str(journey.first_symptom_date) == "2023-12"
    assert journey.confirmed_by == "scalp-fna"
    assert str(journey.confirmed_date) == "2025-04"
    assert [(m.label, m.kind) for m in journey.misdiagnoses] == [
        ("epidermoid cyst", "differential"),
        ("lipoma", "differential"),
        ("dermatofibroma", "differential"),
        ("angioedema", "differential"),
    ]
    assert journey.stated_delay_months is None  # the delay is not stated in months


def test_outcome(patient):
    assert patient.outcome.vital_status == "alive"
    assert "meningeal" in patient.outcome.disease_status
    assert patient.outcome.death_date is None


def test_record_validates_against_corpus(loaded):
    corpus = Settings().corpus_dir
    if corpus is None:
        pytest.skip("the case-report corpus (../shared/corpus) is not present")
    terms = load_terminology(PROJECT_ROOT / "ontology")
    validate_records([loaded], terms, Path(corpus))
