"""Files metkg cannot read are refused with the file, the reason and what to do; exit code 1;
nothing written. In a directory the other reports go on and the failures are listed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metkg.cli import app
from metkg.errors import ExtractionError
from metkg.extract.readers import read_document

FIXTURES = Path(__file__).parents[2] / "fixtures" / "readers"
runner = CliRunner()

#: fixture file -> words the message must contain (the reason and what to do).
BAD = {
    "encrypted.pdf": ("encrypted PDF", "needs a password", "unprotected copy"),
    "scanned.pdf": ("without a text layer", "run OCR"),
    "broken.pdf": ("not a readable PDF", "download it again"),
    "other.xml": ("not a JATS article", "root element <catalog>", "JATS XML"),
    "bad.xml": ("not well-formed XML", "download the JATS XML again"),
    "empty.txt": ("is empty", "full text of a case report"),
    "binary.dat": ("binary data in no format metkg reads", "give PDF, JATS XML"),
    "reports.zip": ("zip archive", "unpack it"),
}


@pytest.mark.parametrize(("name", "words"), sorted(BAD.items()))
def test_a_bad_file_is_refused_with_reason_and_remedy(name: str, words: tuple[str, ...]) -> None:
    with pytest.raises(ExtractionError) as caught:
        read_document(FIXTURES / name)
    message = str(caught.value)
    assert message.startswith(f"{name!r} "), message
    for word in words:
        assert word in message, message


@pytest.mark.parametrize("name", sorted(BAD))
def test_the_cli_exits_1_writes_nothing_and_shows_no_traceback(name: str, tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    result = runner.invoke(app, ["extract", str(FIXTURES / name), "-o", str(out)])
    assert result.exit_code == 1
    assert isinstance(result.exception, ExtractionError)
    assert not out.exists()


def test_the_console_script_prints_the_message_not_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "from metkg.cli import main; main()", "extract", str(FIXTURES / "scanned.pdf")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert "run OCR" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_the_format_is_told_by_content_not_by_name(tmp_path: Path) -> None:
    pdf_named_txt = tmp_path / "report.txt"
    shutil.copy(FIXTURES / "scanned.pdf", pdf_named_txt)
    with pytest.raises(ExtractionError, match="PDF without a text layer"):
        read_document(pdf_named_txt)
    text_named_pdf = tmp_path / "report.pdf"
    text_named_pdf.write_text("A 61-year-old woman had scalp metastasis.", encoding="utf-8")
    assert read_document(text_named_pdf).format == "text"


def test_a_batch_goes_on_past_bad_files_and_lists_them(tmp_path: Path, nlp) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in BAD:
        shutil.copy(FIXTURES / name, folder / name)
    (folder / "good.txt").write_text("A 70-year-old man with melanoma of the skin had liver metastases.", "utf-8")
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(folder), "-o", str(out), "-j", "1"])
    assert result.exit_code == 1
    message = str(result.exception)
    assert "8 of 9 reports could not be extracted" in message, message
    for name in BAD:
        assert f"'{name}'" in message
    assert "files read 9, drafted 1, failed 8" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["good.txt", "good.yaml"]
