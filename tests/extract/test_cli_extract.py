"""metkg extract and metkg evaluate on the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from metkg.cli import app
from metkg.records.loader import load_record

from .conftest import FIXTURES

runner = CliRunner()


def test_extract_one_report_to_a_file(tmp_path: Path, nlp) -> None:
    target = tmp_path / "drafts" / "melanoma.yaml"
    result = runner.invoke(app, ["extract", str(FIXTURES / "melanoma_abstract.txt"), "-o", str(target)])
    assert result.exit_code == 0, result.output
    loaded = load_record(target).record
    assert loaded.status == "machine-extracted"
    assert loaded.sources["main"].file == "melanoma_abstract.txt"


def test_extract_to_standard_output(nlp) -> None:
    result = runner.invoke(app, ["extract", str(FIXTURES / "lung_abstract.txt")])
    assert result.exit_code == 0, result.output
    assert "status: machine-extracted" in result.stdout


def test_extract_a_directory_needs_an_output_directory(tmp_path: Path, nlp) -> None:
    result = runner.invoke(app, ["extract", str(FIXTURES)])
    assert result.exit_code == 2
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(FIXTURES), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.yaml")) == sorted(f"{p.stem}.yaml" for p in FIXTURES.glob("*.txt"))


def test_evaluate_prints_the_table_and_the_misses(tmp_path: Path, nlp) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, ["extract", str(FIXTURES), "-o", str(out)]).exit_code == 0
    result = runner.invoke(app, ["evaluate", "--extracted", str(out), "--gold", str(out), "--markdown"])
    assert result.exit_code == 0, result.output
    assert "| biomarker results |" in result.stdout
