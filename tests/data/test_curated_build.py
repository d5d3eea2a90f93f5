"""The curated data as a whole: every record builds, SHACL conforms, evidence is in the sources."""

from __future__ import annotations

import pytest

from metkg.build import build_graph, count_records, load_and_validate
from metkg.records.validate import iter_evidence
from metkg.settings import PROJECT_ROOT

DATA_DIR = PROJECT_ROOT / "data"


def test_all_records_build_and_conform(make_settings) -> None:
    settings = make_settings(corpus_dir=None)
    result = build_graph(settings, reason=False)
    assert result.shacl_conforms is True
    assert result.counts["case_reports"] == 15
    assert result.counts["patients"] == 16


def test_every_evidence_quote_occurs_in_its_source(make_settings, corpus) -> None:
    settings = make_settings(corpus_dir=corpus)
    loaded, _ = load_and_validate([DATA_DIR], settings)
    quotes = sum(1 for item in loaded for _ in iter_evidence(item.record))
    assert quotes > 400, "validation checked every quote against its source text"


def test_three_reports_are_complete_and_table1_has_thirteen_patients(make_settings) -> None:
    loaded, _ = load_and_validate([DATA_DIR], make_settings(corpus_dir=None))
    by_locator = {}
    for item in loaded:
        source = next(iter(item.record.sources.values()))
        by_locator.setdefault(source.locator or "full text", []).append(item.record)
    assert count_records(by_locator["Table 1"])["patients"] == 13
    full = {r.id: count_records([r]) for r in by_locator["full text"]}
    assert set(full) == {"cheng-2025-scalp-metastasis", "zhang-2024-dcis-bone-marrow", "gao-2025-scalp-leiomyosarcoma"}
    for rid, counts in full.items():
        assert counts["specimens"] >= 1 and counts["biomarker_results"] >= 10, rid


@pytest.mark.parametrize("quote_limit", [14])
def test_no_quote_copies_prose(make_settings, quote_limit: int) -> None:
    loaded, _ = load_and_validate([DATA_DIR], make_settings(corpus_dir=None))
    long = [ev.quote for item in loaded for _, ev in iter_evidence(item.record) if len(ev.quote.split()) >= quote_limit]
    assert long == [], "evidence quotes are the shortest text that states a fact, never sentences"
