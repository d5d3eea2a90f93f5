"""The command line as a new user meets it: messages as written, examples that exist, checks that
fail when they check nothing, and no half-done state left behind. One regression test each."""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from metkg.cli import app, main
from metkg.settings import PROJECT_ROOT

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "records" / "minimal.yaml"
REASONING = FIXTURES / "reasoning"

runner = CliRunner()


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    """``metkg ARGUMENTS`` through the console script's entry point: exit code, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["metkg", *arguments])
    monkeypatch.setenv("METKG_CORPUS_DIR", "/nonexistent-corpus")
    code = 0
    try:
        main()
    except SystemExit as exited:
        code = int(exited.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def minimal_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from metkg.build import build_graph
    from metkg.settings import Settings

    root = tmp_path_factory.mktemp("cli")
    settings = Settings(store=root / "store", corpus_dir=None)
    build_graph(settings, [MINIMAL], reason=False)
    return settings.store


def test_error_text_keeps_its_bracketed_parts(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """A pattern such as ^[a-z0-9][a-z0-9-]*$ was printed as ^*$: rich read [a-z0-9] as markup."""
    bad = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    bad["id"] = "Bad_Id"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    code, _, err = _run(monkeypatch, capsys, "validate", str(tmp_path / "bad.yaml"))
    assert code == 1
    assert "^[a-z0-9][a-z0-9-]*$" in err, err


def _help_texts() -> dict[str, str]:
    commands = ["", *(c.name or c.callback.__name__ for c in app.registered_commands)]  # type: ignore[union-attr]
    return {
        name: runner.invoke(app, [*([name] if name else []), "--help"], env={"COLUMNS": "200"}).output
        for name in commands
    }


def test_every_file_a_help_example_names_exists() -> None:
    """Help examples named data/cases/cheng-2025-scalp.yaml, which does not exist."""
    named = {
        (command, path) for command, text in _help_texts().items() for path in re.findall(r"data/[^\s{}]+\.ya?ml", text)
    }
    assert named, "the help examples name record files"
    missing = {(command, path) for command, path in named if not (PROJECT_ROOT / path).is_file()}
    assert not missing


def test_cases_lists_the_reports_export_case_accepts(minimal_store: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """`metkg export --case` suggested `metkg cases`, which did not exist."""
    code, out, _ = _run(monkeypatch, capsys, "cases", "--store", str(minimal_store))
    assert code == 0
    assert out.splitlines() == [
        "record_id\tdoi\tpatients\ttitle",
        "minimal-case\t10.9999/example.0001\t1\tA fixture case report",
    ]
    code, _, err = _run(monkeypatch, capsys, "export", "--store", str(minimal_store), "--case", "nope")
    assert code == 2 and "list them with `metkg cases`" in err
    assert runner.invoke(app, ["cases", "--help"]).exit_code == 0


def test_evaluate_with_nothing_paired_fails(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """It printed F1 1.00 and exit 0 although no draft met a curated record."""
    (tmp_path / "drafts").mkdir()
    (tmp_path / "gold").mkdir()
    shutil.copy(MINIMAL, tmp_path / "gold" / "minimal.yaml")
    code, out, err = _run(
        monkeypatch, capsys, "evaluate", "--extracted", str(tmp_path / "drafts"), "--gold", str(tmp_path / "gold")
    )
    assert code == 1
    assert "nothing was compared" in err
    assert "1.00" not in out


def test_validate_on_an_empty_folder_fails(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    code, out, err = _run(monkeypatch, capsys, "validate", str(tmp_path))
    assert code == 1
    assert f"no records were found in {tmp_path}" in err
    assert "valid" not in out


def test_add_refuses_a_draft_placeholder_doi(minimal_store: Path, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    store = tmp_path / "store"
    shutil.copytree(minimal_store, store, symlinks=True)
    draft = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    draft["id"], draft["report"]["doi"] = "draft-case", "10.0000/unknown.report-17"
    (tmp_path / "draft.yaml").write_text(yaml.safe_dump(draft), encoding="utf-8")
    before = (store / "current").resolve()
    code, _, err = _run(monkeypatch, capsys, "add", str(tmp_path / "draft.yaml"), "--store", str(store), "--no-reason")
    assert code == 1
    assert "'10.0000/unknown.report-17' is the placeholder" in err and "report.doi" in err
    assert (store / "current").resolve() == before, "the store is unchanged"


def test_serve_on_a_busy_port_says_so_before_serving(minimal_store: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out, err = _run(monkeypatch, capsys, "serve", "--store", str(minimal_store), "--port", str(port))
    assert code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err
    assert "serving" not in out + err


def test_a_failed_first_build_leaves_no_store_folder(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = yaml.safe_load(MINIMAL.read_text(encoding="utf-8"))
    bad["patients"][0]["lesions"][0]["site"] = "no-such-site"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(bad), encoding="utf-8")
    code, _, _ = _run(monkeypatch, capsys, "build", str(tmp_path / "bad.yaml"), "--store", str(tmp_path / "store"))
    assert code == 1
    assert not (tmp_path / "store").exists()


@pytest.mark.slow
def test_build_and_reason_report_the_same_inferred_triple_count(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """`build` counted distinct inferred triples, `reason` every derivation, without saying so."""
    monkeypatch.setenv("COLUMNS", "200")
    code, built, _ = _run(
        monkeypatch, capsys, "build", str(REASONING), "--store", str(tmp_path / "store"), "--no-shacl"
    )
    assert code == 0, built
    code, reasoned, _ = _run(monkeypatch, capsys, "reason", str(REASONING))
    assert code == 0, reasoned
    pattern = r"inferred triples \(distinct\)\s+([\d,]+)"
    assert re.search(pattern, built) and re.search(pattern, reasoned), (built, reasoned)
    assert re.search(pattern, built)[1] == re.search(pattern, reasoned)[1]  # type: ignore[index]


@pytest.mark.parametrize(
    ("command", "refusal"),
    [
        (["extract", str(FIXTURES / "extract" / "lung_abstract.txt")], "is a device or a FIFO"),
        (["export", "--format", "phenopacket"], "is not a directory: give -o DIRECTORY"),
    ],
    ids=["extract", "phenopacket"],
)
def test_commands_writing_several_files_refuse_a_fifo_and_leave_it(  # type: ignore[no-untyped-def]
    command: list[str], refusal: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    """`extract -o FIFO.yaml` renamed its draft over the FIFO, and `export --format phenopacket -o
    FIFO` failed on 'File exists'. Both write files, not one stream: the FIFO is refused by name."""
    fifo = tmp_path / "drafts.yaml"
    os.mkfifo(fifo)
    code, _, err = _run(monkeypatch, capsys, *command, "-o", str(fifo))
    assert code == 2, err
    assert repr(str(fifo)) in err and refusal in err, err
    assert fifo.is_fifo(), "the FIFO was replaced"
    assert [p.name for p in tmp_path.iterdir()] == ["drafts.yaml"], "nothing was written beside it"
