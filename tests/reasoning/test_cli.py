"""metkg reason on the command line."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from metkg.cli import app, main

from .conftest import FIXTURES
from .test_inconsistency import DCIS, VARIANTS

runner = CliRunner()


def test_reason_reports_classes_derived_facts_and_declared_conflicts() -> None:
    result = runner.invoke(app, ["reason", str(FIXTURES)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for expected in ("TripleNegative", "CNSMetastasis", "ReceptorConversion (derived)", "reasoning (hermit, 4 cases)"):
        assert expected in result.output
    assert "declared conflict in fixture-leiomyosarcoma" in result.output


def test_reason_rejects_an_unknown_reasoner() -> None:
    result = runner.invoke(app, ["reason", str(FIXTURES), "--reasoner", "fact++"])
    assert result.exit_code == 2


def test_inconsistent_record_exits_1_naming_the_case(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    _, old, new, _ = VARIANTS[0]
    (tmp_path / "case.yaml").write_text(DCIS.replace(old, new, 1), encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["metkg", "reason", str(tmp_path)])
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert "fixture-dcis-bone-marrow" in err and "inconsistent" in err and "Traceback" not in err
