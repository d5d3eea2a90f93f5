"""Phrasings of other journals and other primaries, one test per phrasing that once failed."""

from __future__ import annotations

import pytest

LUNG = (
    "We report a 61-year-old man with lung adenocarcinoma. PET-CT revealed multiple hypermetabolic lesions in the "
    "liver and adrenal glands, consistent with metastases. Brain metastases were excluded by MRI. He was treated with "
    "zorifertinib 80 mg once daily. He underwent right upper lobectomy with mediastinal lymph node dissection. "
    "Whole-brain radiotherapy of 30 Gy was given. He was lost to follow-up."
)
BREAST = (
    "A 48-year-old woman presented with a breast mass. Core needle biopsy showed invasive ductal carcinoma; the tumor "
    "was ER-negative, PR-negative, and HER2-positive (3+), with a Ki-67 labeling index of approximately 40%. "
    "She passed away in mid-2021."
)


def test_findings_the_clause_calls_metastases(extract) -> None:
    lesions = extract(LUNG).patients[0].lesions
    assert [(x.kind, x.site) for x in lesions if x.kind != "primary"] == [
        ("metastasis", "liver"),
        ("metastasis", "adrenal-gland"),
    ]


def test_a_drug_missing_from_the_ontology_is_kept_under_its_class(extract) -> None:
    [drug_therapy] = [i for i in extract(LUNG).patients[0].interventions if i.drugs]
    assert (drug_therapy.type, drug_therapy.description) == ("targeted", "zorifertinib")
    assert [(d.drug, d.dose, d.unit, d.schedule) for d in drug_therapy.drugs] == [
        ("targeted-agent", 80.0, "mg", "once daily")
    ]


def test_an_ectomy_is_a_resection_of_its_organ_and_a_surgery(extract) -> None:
    patient = extract(LUNG).patients[0]
    assert [(s.procedure, s.site) for s in patient.specimens] == [
        ("resection", "lung"),
        ("lymph-node-dissection", "mediastinal-lymph-node"),
    ]
    surgeries = [(i.procedure, i.description) for i in patient.interventions if i.type == "surgery"]
    assert surgeries == [("resection", "right upper lobectomy"), ("lymph-node-dissection", "lymph node dissection")]


def test_a_dose_without_fractions(extract) -> None:
    [rt] = [i for i in extract(LUNG).patients[0].interventions if i.type == "radiotherapy"]
    assert (rt.procedure, rt.dose_gy, rt.fractions) == ("whole-brain-radiotherapy", 30.0, None)


def test_lost_to_follow_up_is_an_unknown_outcome(extract) -> None:
    outcome = extract(LUNG).patients[0].outcome
    assert outcome is not None and outcome.vital_status == "unknown"


def test_hyphenated_status_with_a_score_and_a_mid_year_death(extract) -> None:
    patient = extract(BREAST).patients[0]
    [specimen] = patient.specimens
    assert [(r.marker, r.status, r.score, r.percent) for r in specimen.results] == [
        ("ER", "negative", None, None),
        ("PR", "negative", None, None),
        ("HER2", "positive", "3+", None),
        ("Ki-67", None, None, 40.0),
    ]
    assert patient.outcome is not None
    assert (patient.outcome.vital_status, str(patient.outcome.death_date)) == ("dead", "2021")


def test_a_relative_s_cancer_is_not_the_patient_s(extract) -> None:
    text = (
        "A 55-year-old woman presented with a liver mass. Her mother had been treated for ovarian cancer with "
        "lung metastases. Biopsy of the liver mass confirmed hepatocellular carcinoma."
    )
    lesions = extract(text).patients[0].lesions
    assert [(x.kind, x.histology, x.site) for x in lesions] == [("primary", "hepatocellular-carcinoma", "liver")]


def test_headings_that_begin_with_a_section_name(extract) -> None:
    text = (
        "Introduction\n\nMelanoma spreads to the brain in many patients.\n\n"
        "Case Description and Diagnostic Assessment\n\nA 70-year-old man had melanoma of the skin with liver "
        "metastases.\n\nDiscussion and Conclusions\n\nOther patients had lung metastases (3).\n"
    )
    lesions = extract(text).patients[0].lesions
    assert [(x.kind, x.site) for x in lesions if x.kind != "primary"] == [("metastasis", "liver")]


@pytest.mark.parametrize(
    ("opening", "age"),
    [("An eighty year-old woman", 80), ("A nine-year-old girl", 9), ("A forty-five-year-old woman", 45)],
)
def test_an_age_written_in_words(extract, opening: str, age: int) -> None:
    patient = extract(opening + " presented with a breast mass.").patients[0]
    assert patient.age == age


@pytest.mark.parametrize(
    "sentence",
    [
        "He had a deceased-donor liver transplantation in 2010.",
        "Staining for programmed death-ligand 1 was negative.",
        "Radiotherapy induces tumour cell death.",
    ],
)
def test_death_words_that_are_no_death_of_the_patient(extract, sentence: str) -> None:
    text = "A 72-year-old man had lung adenocarcinoma. " + sentence + " He remains alive and well."
    outcome = extract(text).patients[0].outcome
    assert outcome is not None and outcome.vital_status == "alive"


def test_the_abbreviation_that_begins_a_longer_acronym_is_not_that_term(extract) -> None:
    text = "A 62-year-old man had lung adenocarcinoma. An EML4-ALK fusion was detected by RT-PCR."
    assert [i.type for i in extract(text).patients[0].interventions] == []
