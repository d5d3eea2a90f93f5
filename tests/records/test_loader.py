"""Loading case records: typed models, and errors that name the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.errors import RecordValidationError
from metkg.records.loader import load_record, load_records, parse_record_text

FIXTURE = Path(__file__).parents[1] / "fixtures" / "records" / "minimal.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")


def _issues(text: str) -> list:
    record, _, issues = parse_record_text(text, "case.yaml")
    assert record is None, "expected the record to be rejected"
    return issues


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_fixture_loads_with_typed_values() -> None:
    loaded = load_record(FIXTURE)
    patient = loaded.record.patients[0]
    assert patient.age == 52
    assert str(patient.lesions[0].diagnosis_date) == "2015-03"
    assert patient.specimens[1].results[1].score == "1+"
    assert patient.interventions[0].dose_gy == 50


def test_malformed_date_names_line_and_field() -> None:
    text = TEXT.replace("diagnosis_date: 2021-06", "diagnosis_date: 2021-6-31")
    (issue,) = _issues(text)
    assert issue.field == "patients[0].lesions[1].diagnosis_date"
    assert issue.line == _line_of(text, "diagnosis_date: 2021-6-31")
    assert "YYYY, YYYY-MM or YYYY-MM-DD" in issue.message
    assert "'2021-6-31'" in issue.message


def test_impossible_month_is_rejected() -> None:
    text = TEXT.replace("date: 2015-03\n        lesion", "date: 2015-13\n        lesion")
    (issue,) = _issues(text)
    assert issue.field == "patients[0].specimens[0].date"
    assert "month 13" in issue.message


def test_percent_outside_0_100() -> None:
    text = TEXT.replace("percent: 80", "percent: 180")
    (issue,) = _issues(text)
    assert issue.field == "patients[0].specimens[0].results[0].percent"
    assert issue.line == _line_of(text, "percent: 180")
    assert "less than or equal to 100" in issue.message
    assert "180" in issue.message


def test_unknown_field_is_named() -> None:
    text = TEXT.replace("    sex: female\n", "    sex: female\n    gender: f\n")
    (issue,) = _issues(text)
    assert issue.field == "patients[0].gender"
    assert issue.line == _line_of(text, "gender: f")
    assert "unknown field" in issue.message


def test_enumeration_lists_allowed_values() -> None:
    text = TEXT.replace("kind: metastasis", "kind: metastatic")
    (issue,) = _issues(text)
    assert issue.field == "patients[0].lesions[1].kind"
    for allowed in ("'primary'", "'metastasis'", "'local-invasion'", "'recurrence'"):
        assert allowed in issue.message


def test_fact_without_evidence_is_rejected() -> None:
    text = TEXT.replace('        evidence: ["scalp metastasis"]\n', "")
    (issue,) = _issues(text)
    assert issue.field == "patients[0].lesions[1].evidence"
    assert issue.message == "required field is missing"


def test_result_without_a_value_is_rejected() -> None:
    text = TEXT.replace("{marker: ER, status: negative, ", "{marker: ER, ")
    (issue,) = _issues(text)
    assert issue.field == "patients[0].specimens[1].results[0]"
    assert "at least one of status, percent or score" in issue.message


def test_yaml_syntax_error_has_a_line() -> None:
    text = TEXT.replace("    age: 52\n", "    age: [52\n")
    (issue,) = _issues(text)
    assert issue.field == "(yaml)"
    assert issue.line is not None and issue.line >= _line_of(text, "age: [52")


def test_duplicate_key_in_mapping() -> None:
    text = TEXT.replace("    age: 52\n", "    age: 52\n    age: 53\n")
    (issue,) = _issues(text)
    assert issue.field == "patients[0].age"
    assert "twice" in issue.message


def test_empty_file() -> None:
    (issue,) = _issues("")
    assert "empty" in issue.message


def test_error_string_has_file_line_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(TEXT.replace("percent: 80", "percent: -5"), encoding="utf-8")
    with pytest.raises(RecordValidationError) as excinfo:
        load_records([tmp_path])
    line = _line_of(bad.read_text(), "percent: -5")
    assert f"bad.yaml:{line}: patients[0].specimens[0].results[0].percent:" in str(excinfo.value)
    assert "nothing was loaded" in str(excinfo.value)


def test_problems_in_several_files_are_all_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(TEXT.replace("age: 52", "age: -1"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(TEXT.replace("fractions: 25", "fractions: 0"), encoding="utf-8")
    (tmp_path / "c.yaml").write_text(TEXT.replace("minimal-case", "fine-case"), encoding="utf-8")
    with pytest.raises(RecordValidationError) as excinfo:
        load_records([tmp_path])
    assert sorted(Path(i.file).name for i in excinfo.value.issues) == ["a.yaml", "b.yaml"]
