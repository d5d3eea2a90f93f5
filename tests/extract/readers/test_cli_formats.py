"""`metkg extract` on one file of each format, and a batch in worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from metkg.cli import app
from metkg.extract import extract_files
from metkg.records.loader import load_record

from .conftest import ONTOLOGY
from .test_jats_html import PAGE

runner = CliRunner()


def test_one_html_page_to_a_directory_writes_the_draft_and_its_text(tmp_path: Path, nlp) -> None:
    page = tmp_path / "article.html"
    page.write_bytes(PAGE)
    out = tmp_path / "drafts"
    result = runner.invoke(app, ["extract", str(page), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir())[:2] == ["article.txt", "article.yaml"]
    record = load_record(out / "article.yaml").record
    assert record.sources["main"].file == "article.txt"
    assert record.report.doi == "10.1234/example.5678"
    text = (out / "article.txt").read_text(encoding="utf-8")
    quote = record.patients[0].evidence[0]
    assert text[quote.start : quote.end] == quote.quote


def test_one_report_to_standard_output_prints_every_draft(tmp_path: Path, nlp) -> None:
    page = tmp_path / "article.html"
    page.write_bytes(PAGE)
    result = runner.invoke(app, ["extract", str(page)])
    assert result.exit_code == 0, result.output
    drafts = list(yaml.safe_load_all(result.stdout))
    assert [d["status"] for d in drafts] == ["machine-extracted"] * len(drafts)
    assert len(drafts) == 2, "the report and the one publication of its table"


def test_the_table1_report_gives_its_literature_drafts_on_the_command_line(tmp_path: Path, nlp) -> None:
    from metkg.settings import Settings

    corpus = Settings().corpus_dir
    sources = sorted(corpus.glob("000_*.txt")) if corpus else []
    if not sources:
        pytest.skip("../shared/corpus is not present")
    out = tmp_path / "drafts"
    result = runner.invoke(app, ["extract", str(sources[0]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*-from-*.yaml"))) == 12
    scored = runner.invoke(app, ["evaluate", "--extracted", str(out), "--markdown"])
    assert scored.exit_code == 0, scored.output
    assert "prochno-2007-scalp" in scored.stdout and "yu-2024-scalp" in scored.stdout


def test_a_batch_in_two_worker_processes_writes_what_one_process_writes(tmp_path: Path, nlp) -> None:
    sources = []
    for n, text in enumerate(
        [
            "A 70-year-old man with melanoma of the skin had liver metastases.",
            "A 55-year-old woman with breast cancer had bone metastases treated with letrozole.",
            "A 48-year-old man with lung adenocarcinoma had brain metastases.",
        ]
    ):
        path = tmp_path / f"report{n}.txt"
        path.write_text(text, encoding="utf-8")
        sources.append(path)
    done = []
    one = extract_files(sources, tmp_path / "one", ONTOLOGY, progress=lambda d, t: done.append((d, t)))
    two = extract_files(sources, tmp_path / "two", ONTOLOGY, workers=2)
    assert done == [(1, 3), (2, 3), (3, 3)]
    assert (one.files, one.drafted, one.patients) == (two.files, two.drafted, two.patients) == (3, 3, 3)
    assert one.facts == two.facts and one.facts["lesions"] >= 6
    for path in sorted((tmp_path / "one").glob("*.yaml")):
        assert path.read_text(encoding="utf-8") == (tmp_path / "two" / path.name).read_text(encoding="utf-8")


def test_a_publication_drafted_from_its_own_report_is_not_drafted_again_from_a_table(tmp_path: Path, nlp) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Scalp metastasis of lung cancer: a case report\n\ndoi: 10.1000/a.1\n\nCase presentation\n\n"
        "A 70-year-old man with lung adenocarcinoma had a scalp metastasis.\n",
        encoding="utf-8",
    )
    (folder / "b.txt").write_text(
        "Liver metastasis: a case report\n\ndoi: 10.1000/b.2\n\nCase presentation\n\n"
        "A 50-year-old woman with breast cancer had liver metastases.\n\nDiscussion\n\n"
        "Table 1 Published cases.\n\nReference\tAge\tHistology\tSite\n(1)\t70\tLung adenocarcinoma\tScalp\n\n"
        "References\n\n1. Doe J, Roe R. Scalp metastasis of lung cancer. Case Rep. (2020) 1:1-2. doi: 10.1000/a.1\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(folder), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.yaml")) == ["a.yaml", "b.yaml"]
    assert "skipped doe-2020-from-b.yaml: 10.1000/a.1 is drafted already in a.yaml" in result.output


def test_one_article_in_two_formats_gives_two_drafts_that_do_not_overwrite_each_other(tmp_path: Path, nlp) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "article.html").write_bytes(PAGE)
    (folder / "article.txt").write_text("A 61-year-old woman with breast cancer had a scalp nodule.", "utf-8")
    summary = extract_files(sorted(folder.iterdir()), folder, ONTOLOGY)
    assert not summary.failures
    names = sorted(p.name for p in folder.iterdir())
    assert names[:5] == ["article-html.txt", "article-html.yaml", "article-txt.yaml", "article.html", "article.txt"]
    assert (folder / "article.txt").read_text("utf-8").startswith("A 61-year-old woman"), (
        "an input is never overwritten"
    )
    assert load_record(folder / "article-html.yaml").record.sources["main"].file == "article-html.txt"
