"""metkg review and metkg diff: a record's facts beside their passages, and what a new draft changes."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from metkg.cli import app
from metkg.records.models import CaseRecord
from metkg.records.review import facts

runner = CliRunner()

TEXT = (
    "A 58-year-old woman had a breast carcinoma.\n"
    "Two years later a liver biopsy showed metastatic carcinoma.\n"
    "The liver lesion was negative for ER and positive for GATA3.\n"
)


def _record(**results: str) -> dict:
    return {
        "id": "liver-case",
        "status": "machine-extracted",
        "report": {"doi": "10.1000/liver-case"},
        "sources": {"main": {"file": "liver-case.txt"}},
        "patients": [
            {
                "index": 1,
                "sex": "female",
                "age": 58,
                "evidence": ["A 58-year-old woman"],
                "lesions": [
                    {"id": "primary", "kind": "primary", "site": "breast", "evidence": ["breast carcinoma"]},
                    {"id": "liver-metastasis", "kind": "metastasis", "site": "liver", "evidence": ["liver biopsy"]},
                ],
                "specimens": [
                    {
                        "id": "liver-biopsy",
                        "procedure": "biopsy",
                        "site": "liver",
                        "lesion": "liver-metastasis",
                        "evidence": ["liver biopsy"],
                        "results": [
                            {"marker": marker, "status": status, "evidence": [quote]}
                            for marker, (status, quote) in ((m, v.split("|")) for m, v in results.items())
                        ],
                    }
                ],
            }
        ],
    }


def _write(folder: Path, name: str, record: dict) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
    return path


def test_each_fact_comes_with_its_sentence() -> None:
    record = CaseRecord.model_validate(_record(ER="negative|negative for ER"))
    listed = {f.path: f for f in facts(record, {"main": TEXT})}
    result = listed["patient 1 / specimen liver-biopsy / result 1"]
    assert result.summary == "ER negative"
    quote = result.quotes[0]
    assert TEXT[quote.start : quote.start + len(quote.quote)] == "negative for ER"
    assert quote.before == "The liver lesion was "
    assert quote.after == " and positive for GATA3."


def test_a_quote_the_source_does_not_hold_is_flagged(tmp_path: Path) -> None:
    (tmp_path / "liver-case.txt").write_text(TEXT, encoding="utf-8")
    draft = _write(tmp_path, "draft.yaml", _record(ER="positive|ER was strongly positive"))
    result = runner.invoke(app, ["review", str(draft)])
    assert result.exit_code == 0, result.output
    assert "patient 1 / specimen liver-biopsy / result 1  ER positive" in result.stdout
    assert 'not found in the source: "ER was strongly positive"' in result.stdout
    assert "The liver lesion was negative for ER and positive for GATA3." not in result.stdout
    assert "Two years later a liver biopsy showed metastatic carcinoma." in result.stdout


def test_review_without_the_source_says_what_to_give(tmp_path: Path) -> None:
    draft = _write(tmp_path, "draft.yaml", _record(ER="negative|negative for ER"))
    result = runner.invoke(app, ["review", str(draft)])
    assert result.exit_code == 0, result.output
    assert "give --source" in result.stderr
    assert '"negative for ER"' in result.stdout


def test_diff_shows_added_changed_and_missing_facts(tmp_path: Path) -> None:
    curated = _record(ER="negative|negative for ER")
    curated["status"] = "curated"
    curated_path = _write(tmp_path, "curated.yaml", curated)
    draft_path = _write(tmp_path, "draft.yaml", _record(ER="positive|ER", GATA3="positive|positive for GATA3"))
    result = runner.invoke(app, ["diff", str(draft_path), str(curated_path)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(line.startswith("+ biomarker results") and "GATA3" in line for line in lines)
    assert any(line.startswith("+ biomarker results") and "ER" in line and "positive" in line for line in lines)
    assert any(line.startswith("- biomarker results") and "ER" in line and "negative" in line for line in lines)
    assert "only in the draft (+)" in result.stderr


def test_diff_of_a_fresh_draft_against_its_curated_corpus_record(tmp_path: Path, corpus: Path) -> None:
    draft = tmp_path / "fresh.yaml"
    result = runner.invoke(app, ["extract", str(corpus / "004_ce6a147cc74f495e.txt"), "-o", str(draft)])
    assert result.exit_code == 0, result.output
    curated = Path(__file__).parents[2] / "data" / "cases" / "gao-2025-scalp-leiomyosarcoma.yaml"
    result = runner.invoke(app, ["diff", str(draft), str(curated)])
    assert result.exit_code == 0, result.output
    same, added, missing = (int(word) for word in result.stderr.split() if word.isdigit())
    assert same >= 15
    assert added + missing <= same // 3  # a good draft: most facts agree, each difference listed
    listed = result.stdout.splitlines()
    assert sum(line.startswith("+ ") for line in listed) == added
    assert sum(line.startswith("- ") for line in listed) == missing
