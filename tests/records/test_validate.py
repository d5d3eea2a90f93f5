"""Validation against the ontology and within a record: keys, references, ids, evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.errors import RecordValidationError
from metkg.records.loader import LoadedRecord, parse_record_text
from metkg.records.validate import find_quote, validate_records
from metkg.settings import PROJECT_ROOT
from metkg.terminology import load_terminology

FIXTURE = Path(__file__).parents[1] / "fixtures" / "records" / "minimal.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def terms():
    return load_terminology(PROJECT_ROOT / "ontology")


def _loaded(text: str, name: str = "case.yaml") -> LoadedRecord:
    record, lines, issues = parse_record_text(text, name)
    assert not issues, issues
    assert record is not None
    return LoadedRecord(record, Path(name), lines)


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _validate(terms, *texts: str, corpus: Path | None = None) -> list:
    loaded = [_loaded(t, f"case{i}.yaml") for i, t in enumerate(texts)]
    with pytest.raises(RecordValidationError) as excinfo:
        validate_records(loaded, terms, corpus)
    return excinfo.value.issues


def test_fixture_is_valid(terms) -> None:
    validate_records([_loaded(TEXT)], terms, None)


def test_unknown_marker_names_field_line_and_allowed(terms) -> None:
    text = TEXT.replace('{marker: HER2, score: "0"', '{marker: HER-2, score: "0"')
    (issue,) = _validate(terms, text)
    assert issue.field == "patients[0].specimens[0].results[1].marker"
    assert issue.line == _line_of(text, "marker: HER-2")
    assert "unknown marker 'HER-2'" in issue.message
    assert "did you mean 'HER2'" in issue.message
    assert "Allowed:" in issue.message and "AE1/AE3" in issue.message  # the first keys in sort order


def test_unknown_site(terms) -> None:
    text = TEXT.replace("site: scalp\n        primary", "site: scalpp\n        primary")
    (issue,) = _validate(terms, text)
    assert issue.field == "patients[0].lesions[1].site"
    assert "unknown site 'scalpp'" in issue.message and "'scalp'" in issue.message


def test_metastasis_pointing_at_missing_primary(terms) -> None:
    text = TEXT.replace("primary: primary", "primary: breast-primary")
    (issue,) = _validate(terms, text)
    assert issue.field == "patients[0].lesions[1].primary"
    assert issue.line == _line_of(text, "primary: breast-primary")
    assert "missing primary lesion 'breast-primary'" in issue.message
    assert issue.message.endswith("primary lesion ids: primary")


def test_metastasis_pointing_at_a_non_primary(terms) -> None:
    text = TEXT.replace("primary: primary", "primary: scalp")
    (issue,) = _validate(terms, text)
    assert "missing lesion 'scalp'" in issue.message


def test_duplicate_specimen_id(terms) -> None:
    text = TEXT.replace("id: scalp-fna", "id: core")
    (issue,) = _validate(terms, text)
    assert issue.field == "patients[0].specimens[1].id"
    assert "duplicate specimen id 'core'" in issue.message


def test_specimen_of_missing_lesion_and_missing_target(terms) -> None:
    text = TEXT.replace("lesion: scalp\n", "lesion: liver\n").replace("targets: [primary]", "targets: [chest-wall]")
    issues = _validate(terms, text)
    assert [i.field for i in issues] == ["patients[0].specimens[1].lesion", "patients[0].interventions[0].targets[0]"]


def test_duplicate_record_id_and_doi_across_files(terms) -> None:
    issues = _validate(terms, TEXT, TEXT)
    messages = [i.message for i in issues]
    assert any("duplicate record id 'minimal-case'" in m for m in messages)
    assert any("duplicate DOI '10.9999/example.0001'" in m for m in messages)
    assert all(i.file == "case1.yaml" for i in issues)


def test_evidence_quote_must_occur_in_source(terms, tmp_path: Path) -> None:
    (tmp_path / "fixture.txt").write_text(
        "A 52-year-old woman had invasive ductal carcinoma of the left breast.", encoding="utf-8"
    )
    text = TEXT.replace("main: {title: fixture text}", "main: {file: fixture.txt}")
    issues = _validate(terms, text, corpus=tmp_path)
    quoted = {i.message.split("'")[1] for i in issues}
    assert "52-year-old woman" not in quoted
    assert "invasive ductal carcinoma of the left breast" not in quoted
    assert "ER (80%)" in quoted
    assert all("does not occur in source 'fixture.txt'" in i.message for i in issues)


def test_evidence_span_must_match(terms, tmp_path: Path) -> None:
    source = "xx 52-year-old woman"
    (tmp_path / "f.txt").write_text(source, encoding="utf-8")
    text = TEXT.replace("main: {title: fixture text}", "main: {file: f.txt}").replace(
        'evidence: ["52-year-old woman"]', "evidence: [{quote: 52-year-old woman, start: 2, end: 19}]"
    )
    issues = _validate(terms, text, corpus=tmp_path)
    (span_issue,) = [i for i in issues if "is not the text at" in i.message]
    assert span_issue.field == "patients[0].evidence[0]"
    assert span_issue.message.endswith("it occurs at 3-20")
    assert "' 52-year-old woma'" not in span_issue.message  # the file's text is never quoted


def test_unknown_evidence_source(terms) -> None:
    text = TEXT.replace('evidence: ["scalp metastasis"]', "evidence: [{quote: scalp metastasis, source: table}]")
    (issue,) = _validate(terms, text)
    assert issue.field == "patients[0].lesions[1].evidence[0].source"
    assert "unknown source 'table'" in issue.message


@pytest.mark.parametrize(
    ("quote", "text", "found"),
    [
        ("PR (60%)", "ER (>90%), PR (60%)", True),
        ("metastases to the\nmeninges", "metastases to the meninges", True),
        ("PR (70%)", "PR (60%)", False),
    ],
)
def test_find_quote(quote: str, text: str, found: bool) -> None:
    assert find_quote(quote, text) is found


HER2_ZERO = '          - {marker: HER2, score: "0", evidence: ["HER2 (0)"]}'
HER2_BOTH = HER2_ZERO + '\n          - {marker: HER2, status: positive, evidence: ["HER2 (3+)"]}'


def test_two_contradicting_results_on_one_specimen_fail_naming_both_quotes(terms) -> None:
    text = TEXT.replace(HER2_ZERO, HER2_BOTH)
    (issue,) = _validate(terms, text)
    assert issue.field == "patients[0].specimens[0].results[2]"
    assert "HER2 is stated negative" in issue.message and "and positive" in issue.message
    assert "'HER2 (0)'" in issue.message and "'HER2 (3+)'" in issue.message
    assert "conflicts:" in issue.message


def test_the_same_marker_on_two_specimens_is_no_contradiction(terms) -> None:
    validate_records([_loaded(TEXT)], terms, None)  # ER positive on one specimen, negative on the other


def test_a_declared_source_conflict_is_no_contradiction(terms) -> None:
    declared = HER2_ZERO + (
        "\n          - marker: HER2\n            status: positive\n            evidence: ['HER2 (3+)']\n"
        "            conflicts:\n              - field: status\n                statements:\n"
        "                  - {value: positive, evidence: ['HER2 (3+)']}\n"
        "                  - {value: negative, evidence: ['HER2 (0)']}\n"
        "                resolution: positive\n                note: The report's table and text disagree."
    )
    validate_records([_loaded(TEXT.replace(HER2_ZERO, declared))], terms, None)
