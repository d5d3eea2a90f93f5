"""The 12 reports known only from Table 1 of Cheng & Wang 2025 (scalp metastasis of breast cancer).

Each published case summarised in that table is a record of its own: the report is the original
publication (DOI from the reference list), the first source is the table. These tests pin the
curated values against the table's cells.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.records.loader import LoadedRecord, load_record
from metkg.records.models import CaseRecord, Intervention, Lesion, Patient
from metkg.records.validate import validate_records
from metkg.settings import PROJECT_ROOT, Settings
from metkg.terminology import load_terminology

CASES = PROJECT_ROOT / "data" / "cases"
TABLE_FILE = "000_9006ff49866c3799.txt"

#: record id -> DOI of the original publication, as in the reference list of the summarising report.
EXPECTED_DOIS = {
    "mohamed-2025-scalp": "10.7759/cureus.93299",  # (11)
    "custer-2025-scalp": "10.7759/cureus.77187",  # (17)
    "wu-2024-scalp": "10.2147/ott.s456532",  # (7)
    "yu-2024-scalp": "10.3389/fonc.2024.1382415",  # (16), two patients
    "koh-2024-scalp": "10.3389/fonc.2024.1361333",  # (13)
    "abdulraheem-2023-scalp": "10.1186/s13256-023-03928-8",  # (14)
    "liu-2020-scalp": "10.1016/j.wneu.2020.01.230",  # (15)
    "abdelhafeez-2019-scalp": "10.1007/s12254-019-0471-z",  # (25)
    "alizadeh-2018-scalp": "10.1016/j.ijwd.2018.08.002",  # (23)
    "costa-2017-scalp": "10.1159/000484346",  # (24)
    "muller-2011-scalp": "10.1186/1752-1947-5-428",  # (21)
    "prochno-2007-scalp": "10.1007/s00106-007-1630-9",  # (22)
}


def _all_loaded() -> list[LoadedRecord]:
    return [load_record(p) for p in sorted(CASES.glob("*.yaml"))]


def _table1_records() -> dict[str, CaseRecord]:
    found = {}
    for item in _all_loaded():
        first = item.record.sources[item.record.default_source()]
        if first.locator == "Table 1":
            found[item.record.id] = item.record
    return found


@pytest.fixture(scope="module")
def records() -> dict[str, CaseRecord]:
    return _table1_records()


def _patient(records: dict[str, CaseRecord], record_id: str, index: int = 1) -> Patient:
    return next(p for p in records[record_id].patients if p.index == index)


def _lesion(patient: Patient, lesion_id: str) -> Lesion:
    lesion = patient.lesion(lesion_id)
    assert lesion is not None, f"no lesion {lesion_id!r}"
    return lesion


def _intervention(patient: Patient, intervention_id: str) -> Intervention:
    return next(i for i in patient.interventions if i.id == intervention_id)


def _metastasis_sites(patient: Patient) -> set[str]:
    return {lesion.site for lesion in patient.lesions if lesion.kind == "metastasis"}


# ---------------------------------------------------------------- the set of records


def test_exactly_twelve_table1_records_with_thirteen_patients(records):
    assert sorted(records) == sorted(EXPECTED_DOIS), "one record per publication cited in Table 1"
    assert sum(len(r.patients) for r in records.values()) == 13


def test_yu_2024_has_two_patients(records):
    assert [p.index for p in records["yu-2024-scalp"].patients] == [1, 2]


@pytest.mark.parametrize(("record_id", "doi"), sorted(EXPECTED_DOIS.items()))
def test_report_doi_is_the_reference_list_doi(records, record_id, doi):
    assert records[record_id].report.doi == doi


@pytest.mark.parametrize("record_id", sorted(EXPECTED_DOIS))
def test_first_source_is_table1_of_cheng_2025(records, record_id):
    record = records[record_id]
    first = record.sources[record.default_source()]
    assert (first.file, first.doi, first.locator) == (TABLE_FILE, "10.3389/fonc.2025.1709244", "Table 1")


@pytest.mark.parametrize("record_id", sorted(EXPECTED_DOIS))
def test_every_metastasis_points_at_a_breast_primary(records, record_id):
    for patient in records[record_id].patients:
        primary = _lesion(patient, "primary")
        assert (primary.kind, primary.site) == ("primary", "breast")
        for lesion in patient.lesions:
            if lesion.kind in ("metastasis", "recurrence"):
                assert lesion.primary == "primary", f"{record_id} {lesion.id}"
        assert any(lesion.kind == "metastasis" and lesion.site.endswith("scalp") for lesion in patient.lesions)


@pytest.mark.parametrize("record_id", sorted(EXPECTED_DOIS))
def test_no_age_and_no_invented_markers(records, record_id):
    for patient in records[record_id].patients:
        assert patient.age is None
        assert patient.specimens == [], "a subtype label is not a marker result"


def test_sex_only_where_a_cell_states_it(records):
    with_sex = {(rid, p.index): p.sex for rid, r in records.items() for p in r.patients if p.sex is not None}
    assert with_sex == {("abdulraheem-2023-scalp", 1): "female"}


# ---------------------------------------------------------------- row values


def test_mohamed_2025_row_11(records):
    patient = _patient(records, "mohamed-2025-scalp")
    assert _lesion(patient, "primary").histology == "invasive-ductal-carcinoma"
    scalp = _lesion(patient, "scalp-metastasis")
    assert (scalp.site, scalp.site_text) == ("frontal-scalp", "Frontal scalp")
    assert _metastasis_sites(patient) == {"frontal-scalp", "calvaria"}
    rt = _intervention(patient, "radiotherapy")
    assert (rt.type, rt.dose_gy, rt.fractions) == ("radiotherapy", 30, 10)
    first = _intervention(patient, "first-line-paclitaxel")
    assert first.setting == "first-line"
    assert [(d.drug, d.dose, d.unit) for d in first.drugs] == [("paclitaxel", 80, "mg/m2")]
    second = _intervention(patient, "second-line-capecitabine")
    assert second.setting == "second-line"
    assert [(d.drug, d.dose, d.unit) for d in second.drugs] == [("capecitabine", 1000, "mg/m2")]
    assert patient.outcome is not None and patient.outcome.vital_status == "dead"


def test_custer_2025_row_17(records):
    patient = _patient(records, "custer-2025-scalp")
    assert _lesion(patient, "primary").histology == "breast-carcinoma"
    scalp = _lesion(patient, "scalp-metastasis")
    assert (scalp.site, scalp.site_text) == ("parietal-scalp", "Posterior mid- parietal scalp")
    assert _lesion(patient, "local-recurrence").kind == "recurrence"
    assert _metastasis_sites(patient) == {"parietal-scalp", "mediastinum", "pulmonary-hilum", "liver", "bone"}
    assert _lesion(patient, "hilar-metastasis").laterality == "left"
    assert [(i.type, i.procedure) for i in patient.interventions] == [("surgery", "excision")]
    assert patient.outcome is None


def test_wu_2024_row_7(records):
    patient = _patient(records, "wu-2024-scalp")
    assert _lesion(patient, "scalp-metastasis").site == "vertex-scalp"
    assert _metastasis_sites(patient) == {"vertex-scalp", "adrenal-gland", "kidney", "brain", "bone"}
    assert _intervention(patient, "bone-radiotherapy").targets == ["bone-metastasis"]
    assert [d.drug for d in _intervention(patient, "nab-paclitaxel").drugs] == ["nab-paclitaxel"]
    assert (patient.outcome.vital_status, patient.outcome.disease_status) == ("alive", "stable")


def test_yu_2024_patient_1(records):
    patient = _patient(records, "yu-2024-scalp", 1)
    scalp = _lesion(patient, "scalp-metastasis")
    assert (scalp.site, scalp.site_text) == ("scalp", "Top of the scalp and left occipital region")
    assert _lesion(patient, "supraclavicular-metastasis").laterality == "left"
    assert _lesion(patient, "axillary-metastasis").laterality == "right"
    salvage = _intervention(patient, "salvage-chemotherapy")
    assert (salvage.setting, salvage.cycles) == ("salvage", 8)
    assert [d.drug for d in salvage.drugs] == ["paclitaxel", "capecitabine"]
    assert patient.outcome.vital_status == "dead"


def test_yu_2024_patient_2(records):
    patient = _patient(records, "yu-2024-scalp", 2)
    assert _lesion(patient, "primary").histology == "mucinous-breast-carcinoma"
    assert _lesion(patient, "scalp-metastasis").site == "occipital-scalp"
    expected = {"occipital-scalp", "axillary-lymph-node", "thoracic-vertebra", "lumbar-vertebra"}
    assert _metastasis_sites(patient) == expected
    tec = _intervention(patient, "tec-chemotherapy")
    assert tec.cycles == 6 and [d.drug for d in tec.drugs] == ["docetaxel", "epirubicin", "cyclophosphamide"]
    assert _intervention(patient, "salpingo-oophorectomy").procedure == "salpingo-oophorectomy"
    assert (patient.outcome.vital_status, patient.outcome.disease_status) == ("alive", "stable")


def test_koh_2024_row_13(records):
    patient = _patient(records, "koh-2024-scalp")
    assert _lesion(patient, "primary").histology == "invasive-lobular-carcinoma"
    scalp = _lesion(patient, "scalp-metastasis")
    assert (scalp.site, scalp.laterality) == ("parietal-scalp", "left")
    assert _metastasis_sites(patient) == {"parietal-scalp"}, "Other metastases: No"


def test_abdulraheem_2023_row_14(records):
    patient = _patient(records, "abdulraheem-2023-scalp")
    assert {(x.site, x.laterality) for x in patient.lesions if x.site and x.site.endswith("scalp")} == {
        ("frontal-scalp", "left"),
        ("parietal-scalp", "left"),
    }
    assert _metastasis_sites(patient) >= {"axillary-lymph-node", "spine", "rib", "liver", "lung"}
    assert patient.interventions == [], "no treatment for the scalp metastases"
    assert (patient.outcome.vital_status, patient.outcome.cause_of_death) == ("dead", "septic shock")


def test_liu_2020_row_15(records):
    patient = _patient(records, "liu-2020-scalp")
    assert _lesion(patient, "primary").histology == "invasive-breast-carcinoma"
    expected = {"vertex-scalp", "bronchus", "supraclavicular-fossa", "subcutaneous-tissue"}
    assert _metastasis_sites(patient) == expected
    assert [(i.type, i.procedure) for i in patient.interventions] == [("surgery", "resection")]
    assert patient.outcome is None


def test_abdelhafeez_2019_row_25(records):
    patient = _patient(records, "abdelhafeez-2019-scalp")
    scalp = _lesion(patient, "scalp-metastasis")
    assert (scalp.site, scalp.site_text, scalp.laterality) == ("temporal-scalp", "Left temporal region", "left")
    rt = _intervention(patient, "radiotherapy")
    assert (rt.dose_gy, rt.fractions) == (30, 10), "3000 cGy/10 fx"
    exemestane = _intervention(patient, "exemestane")
    assert [(d.drug, d.dose, d.unit, d.schedule) for d in exemestane.drugs] == [("exemestane", 25, "mg", "daily")]
    assert _metastasis_sites(patient) == {"temporal-scalp"}
    assert (patient.outcome.vital_status, patient.outcome.disease_status) == ("alive", "no evidence of disease")


def test_alizadeh_2018_row_23(records):
    patient = _patient(records, "alizadeh-2018-scalp")
    assert _lesion(patient, "primary").histology == "occult-breast-carcinoma"
    assert _lesion(patient, "scalp-metastasis").site == "frontal-scalp"
    ac = _intervention(patient, "ac-chemotherapy")
    assert ac.cycles == 4 and [d.drug for d in ac.drugs] == ["doxorubicin", "cyclophosphamide"]
    assert _intervention(patient, "scalp-skin-graft").procedure == "skin-graft"
    assert [d.drug for d in _intervention(patient, "tamoxifen").drugs] == ["tamoxifen"]


def test_costa_2017_row_24(records):
    patient = _patient(records, "costa-2017-scalp")
    assert _lesion(patient, "primary").histology == "occult-breast-carcinoma"
    assert _lesion(patient, "scalp-metastasis").site == "parietal-scalp"
    assert _intervention(patient, "re-excision").procedure == "re-excision"
    assert patient.outcome.vital_status == "unknown"


def test_muller_2011_row_21(records):
    patient = _patient(records, "muller-2011-scalp")
    scalp = _lesion(patient, "scalp-metastasis")
    assert (scalp.site, scalp.site_text) == ("scalp", None), "scalp location Unknown"
    second = _lesion(patient, "second-primary")
    assert (second.kind, second.histology, second.laterality) == ("primary", "invasive-ductal-carcinoma", "right")
    assert _intervention(patient, "right-mastectomy").procedure == "mastectomy"
    chemo = _intervention(patient, "paclitaxel-bevacizumab")
    assert chemo.cycles == 1 and [d.drug for d in chemo.drugs] == ["paclitaxel", "bevacizumab"]
    assert (patient.outcome.vital_status, patient.outcome.cause_of_death) == ("dead", "sepsis")


def test_prochno_2007_row_22(records):
    patient = _patient(records, "prochno-2007-scalp")
    assert _metastasis_sites(patient) == {"scalp", "pulmonary-hilum", "lung", "liver", "calvaria"}
    palliative = _intervention(patient, "palliative-therapy")
    assert (palliative.type, palliative.setting) == ("other", "palliative")
    assert patient.outcome.vital_status == "unknown"


# ---------------------------------------------------------------- against the source text


def test_records_validate_against_the_corpus():
    corpus = Settings().corpus_dir
    if corpus is None:
        pytest.skip("../shared/corpus is not present")
    mine = [item for item in _all_loaded() if item.record.id in EXPECTED_DOIS]
    validate_records(mine, load_terminology(PROJECT_ROOT / "ontology"), Path(corpus))
