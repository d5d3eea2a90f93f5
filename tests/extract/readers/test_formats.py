"""The corpus reports rendered as PDF, JATS and HTML give the drafts the text reader gives.

Scored with :mod:`metkg.evaluate`: the drafts of each rendering against the text reader's drafts
of the same articles (biomarker results, sites, interventions), and the Table-1 patients of the
scalp-metastasis report against their curated records in data/cases.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.evaluate import evaluate_directories
from metkg.records.loader import load_record
from metkg.settings import PROJECT_ROOT
from metkg.terminology import load_terminology

from .conftest import ONTOLOGY

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

GROUPS = ("metastatic sites", "biomarker results", "interventions")
TABLE1_DOIS = {
    "10.7759/cureus.93299",
    "10.7759/cureus.77187",
    "10.2147/ott.s456532",
    "10.3389/fonc.2024.1382415",
    "10.3389/fonc.2024.1361333",
    "10.1186/s13256-023-03928-8",
    "10.1016/j.wneu.2020.01.230",
    "10.1007/s12254-019-0471-z",
    "10.1016/j.ijwd.2018.08.002",
    "10.1159/000484346",
    "10.1186/1752-1947-5-428",
    "10.1007/s00106-007-1630-9",
}


def _f1(extracted: Path, gold: Path, groups=GROUPS) -> dict[str, float]:
    evaluation = evaluate_directories(extracted, gold, load_terminology(ONTOLOGY))
    assert not evaluation.skipped, evaluation.skipped
    return {name: round(evaluation.groups[name].f1, 3) for name in groups}


@pytest.mark.parametrize("fmt", ["pdf", "jats", "html"])
@pytest.mark.parametrize("group", GROUPS)
def test_a_rendering_gives_the_text_readers_facts(drafts, fmt: str, group: str) -> None:
    scores = _f1(drafts(fmt), drafts("text"))
    assert scores[group] >= 0.95, f"{fmt} drafts differ from the text reader's: {scores}"


def test_a_rendering_scores_against_the_curated_records_as_the_text_does(drafts) -> None:
    gold = PROJECT_ROOT / "data" / "cases"
    text = _f1(drafts("text"), gold)
    for fmt in ("pdf", "jats", "html"):
        scores = _f1(drafts(fmt), gold)
        for group in GROUPS:
            assert scores[group] >= text[group] - 0.05, (fmt, group, scores, text)


def _table1(directory: Path, tmp: Path) -> Path:
    """Only the drafts that cite a Table-1 publication, for scoring them on their own."""
    tmp.mkdir()
    for path in directory.glob("*.yaml"):
        record = load_record(path).record
        if record.report.doi in TABLE1_DOIS:
            (tmp / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp


@pytest.mark.parametrize("fmt", ["text", "pdf", "jats", "html"])
def test_table1_gives_thirteen_patients_citing_their_publications(drafts, fmt: str, tmp_path: Path) -> None:
    table1 = _table1(drafts(fmt), tmp_path / "table1")
    records = [load_record(p).record for p in sorted(table1.glob("*.yaml"))]
    assert {r.report.doi for r in records} == TABLE1_DOIS
    assert sum(len(r.patients) for r in records) == 13
    evaluation = evaluate_directories(table1, PROJECT_ROOT / "data" / "cases", load_terminology(ONTOLOGY))
    matched = sum(g.matched for g in evaluation.groups.values())
    extracted = sum(g.extracted for g in evaluation.groups.values())
    gold = sum(g.gold for g in evaluation.groups.values())
    precision, recall = matched / extracted, matched / gold
    f1 = 2 * precision * recall / (precision + recall)
    assert len(evaluation.pairs) == 12, evaluation.unpaired
    assert f1 >= 0.85, {g.name: round(g.f1, 2) for g in evaluation.groups.values()}


def test_every_quote_of_a_pdf_draft_is_its_text_on_its_page(drafts) -> None:
    out = drafts("pdf")
    for path in out.glob("*.yaml"):
        record = load_record(path).record
        source = record.sources[record.default_source()]
        text = (out / source.file).read_text(encoding="utf-8")
        quotes = [e for p in record.patients for lesion in p.lesions for e in lesion.evidence] + [
            e for p in record.patients for i in p.interventions for e in i.evidence
        ]
        for e in quotes:
            assert e.start is not None and text[e.start : e.end] == e.quote, (path.name, e)
            assert e.page is not None and e.page >= 1, (path.name, e)
