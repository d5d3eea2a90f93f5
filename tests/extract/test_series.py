"""Reports of several patients: one Patient entry per patient, each with its own facts."""

from __future__ import annotations

import pytest

from metkg.extract import record_yaml
from metkg.extract.series import introductions
from metkg.records.loader import parse_record_text
from metkg.records.summary import summarise

HEADED = """Introduction
Skin metastases are rare.

Case presentation
We describe two patients.

Case 1
A 62-year-old woman had invasive ductal carcinoma of the left breast. Biopsy of a scalp nodule showed ER positive cells.

Case 2
A 70-year-old man had lung adenocarcinoma. He developed brain metastases and received docetaxel.

Discussion
Both patients did well.
"""


def _facts(patient):  # type: ignore[no-untyped-def]
    return (
        patient.index,
        patient.label,
        patient.age,
        patient.sex,
        [x.site for x in patient.lesions if x.kind == "primary"],
        [d.drug for i in patient.interventions for d in i.drugs],
        [r.marker for s in patient.specimens for r in s.results],
    )


def test_headed_cases_are_separate_patients(extract) -> None:
    record = extract(HEADED)
    assert [_facts(p) for p in record.patients] == [
        (1, "Case 1", 62, "female", ["breast"], [], ["ER"]),
        (2, "Case 2", 70, "male", ["lung"], ["docetaxel"], []),
    ]


def test_the_second_patient_starts_a_second_patient(extract) -> None:
    text = (
        "A 50-year-old woman had breast cancer with liver metastases treated with letrozole. "
        "The second patient, a 64-year-old man, had gastric cancer with bone metastases and received oxaliplatin."
    )
    first, second = extract(text).patients
    assert _facts(first) == (1, None, 50, "female", ["breast"], ["letrozole"], [])
    assert _facts(second) == (2, "Second patient", 64, "male", ["stomach"], ["oxaliplatin"], [])


@pytest.mark.parametrize(
    "text",
    [
        "Case 1: A 45-year-old man had melanoma. Case 2: A 52-year-old woman had melanoma.",
        "Patient 1 was a 45-year-old man with melanoma.\nPatient 2 was a 52-year-old woman with melanoma.",
    ],
    ids=["case-colon", "patient-was"],
)
def test_numbered_introductions_in_running_text(extract, text: str) -> None:
    record = extract(text)
    assert [(p.index, p.age, p.sex) for p in record.patients] == [(1, 45, "male"), (2, 52, "female")]


@pytest.mark.parametrize(
    "text",
    [
        "Patient 2 was a 52-year-old woman with melanoma of the back.",  # one patient of a series, excerpted
        "A 52-year-old woman had melanoma, as in case 2 of the series by Smith.",  # a mention, not an introduction
        "A 40-year-old man had a sarcoma. Patient 2.II.1 in the pedigree carried the variant.",
    ],
    ids=["excerpt-of-a-series", "mention", "pedigree"],
)
def test_one_patient_is_not_split(extract, text: str) -> None:
    assert len(extract(text).patients) == 1


def test_the_draft_of_several_patients_loads_and_the_summary_keeps_the_first(extract, terminology) -> None:
    record = extract(HEADED, "series.txt")
    loaded, _, issues = parse_record_text(record_yaml(record), "series.yaml")
    assert issues == [] and loaded == record
    assert summarise(record, terminology)["patient"]["age_at_presentation"] == 62


def test_introductions() -> None:
    found = introductions("Case 1: A 50-year-old man.\nCASE #2 A woman.\nPatient three was a boy.")
    assert [(i.number, i.label) for i in found] == [(1, "Case 1"), (2, "CASE #2"), (3, "Patient three")]
