"""The draft record: YAML that loads like data/cases, ids from content, conflicts kept."""

from __future__ import annotations

from pathlib import Path

from metkg.extract import extract_files, record_yaml
from metkg.extract.record import slug
from metkg.records.loader import parse_record_text

TEXT = (
    "A 63-year-old woman with invasive ductal carcinoma of the left breast. In May 2020, core needle biopsy of the "
    "left breast showed ER (+80%), PgR (-) and HER2 (3+). SMA was positive. SMA was negative. Staging PET/CT showed "
    "liver metastases and no bone metastases. She received trastuzumab and pertuzumab plus docetaxel 75 mg/m2 every "
    "3 weeks for six cycles. She is alive."
)


def test_yaml_loads_as_a_case_record(extract) -> None:
    record = extract(TEXT, "smith.txt")
    text = record_yaml(record, ["a comment line"])
    assert text.startswith("# a comment line\nid: smith\nstatus: machine-extracted\n")
    loaded, _, issues = parse_record_text(text, "smith.yaml")
    assert issues == [] and loaded == record


def test_content_ids_and_references(extract) -> None:
    patient = extract(TEXT).patients[0]
    assert [x.id for x in patient.lesions] == ["primary", "liver-metastasis"]
    assert [s.id for s in patient.specimens] == ["breast-core-biopsy"]
    assert patient.specimens[0].lesion == "primary"
    assert patient.specimens[0].laterality == "left"
    assert str(patient.specimens[0].date) == "2020-05"
    [therapy] = patient.interventions
    assert therapy.id == "chemotherapy-trastuzumab-pertuzumab"
    assert [(d.drug, d.dose, d.unit) for d in therapy.drugs] == [
        ("trastuzumab", None, None),
        ("pertuzumab", None, None),
        ("docetaxel", 75.0, "mg/m2"),
    ]
    assert therapy.cycles == 6


def test_a_result_stated_both_ways_keeps_the_first_and_a_conflict(extract) -> None:
    specimen = extract(TEXT).patients[0].specimens[0]
    sma = next(r for r in specimen.results if r.marker == "SMA")
    assert sma.status == "positive"
    [conflict] = sma.conflicts
    assert conflict.field == "status" and [s.value for s in conflict.statements] == ["positive", "negative"]
    assert [(r.marker, r.status, r.percent, r.score) for r in specimen.results if r.marker != "SMA"] == [
        ("ER", "positive", 80.0, None),
        ("PR", "negative", None, None),
        ("HER2", "positive", None, "3+"),  # ASCO/CAP: IHC 3+ is positive
    ]


def test_slug() -> None:
    assert slug("Ki-67 (MIB1)") == "ki-67-mib1"
    assert slug("---") == "x"


def test_an_impossible_value_drops_the_value_not_the_fact(extract) -> None:
    text = (
        "A 50-year-old woman with breast cancer. From August 11 to July 6, 2020, she received chest wall "
        "radiotherapy (50 Gy in 25 fractions)."
    )
    [rt] = extract(text).patients[0].interventions
    assert (rt.type, rt.dose_gy, rt.start, rt.end) == ("radiotherapy", None, None, None)


def test_a_directory_run_writes_every_draft_it_can(tmp_path: Path, ontology_dir: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("A 70-year-old man with melanoma of the skin had liver metastases.", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    summary = extract_files([empty, good], tmp_path / "out", ontology_dir)
    assert (summary.files, summary.drafted, len(summary.failures)) == (2, 1, 1)
    assert "'empty.txt' is empty" in summary.failures[0]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["good.txt", "good.yaml"]
