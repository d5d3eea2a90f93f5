"""Inconsistent records fail the build naming the case; declared source conflicts do not."""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.build import build_graph, load_and_validate
from metkg.errors import InconsistentRecordError, RecordValidationError
from metkg.reasoning import infer
from metkg.reasoning.abox import case_abox, reasoner_tbox
from metkg.reasoning.owl import find_java, inconsistent_batches
from metkg.reasoning.view import case_view
from metkg.records.loader import parse_record_text

from .conftest import FIXTURES

DCIS = (FIXTURES / "dcis-like.yaml").read_text(encoding="utf-8")
BONE_MARROW_ER = '          - {marker: ER, status: negative, evidence: ["ER (-)"]}'
#: (name, replaced text, replacement, words the explanation must contain)
VARIANTS = [
    (
        "stated-negative-above-threshold",
        BONE_MARROW_ER,
        '          - {marker: ER, status: negative, percent: 5, evidence: ["ER (-)"]}',
        ["bone-marrow-biopsy", "stated negative", "5%", "1% threshold"],
    ),
    (
        "her2-score-against-status",
        '          - {marker: HER2, status: negative, evidence: ["HER2 (-)"]}',
        '          - {marker: HER2, status: negative, score: "3+", evidence: ["HER2 (-)"]}',
        ["HER2-positive and HER2-negative"],
    ),
    (
        "death-before-diagnosis",
        "      death_date: 2024-04",
        "      death_date: 2020-01",
        ["date of death 2020-01", "before the diagnosis", "bone-marrow-metastasis"],
    ),
]
#: Two contradicting results on one specimen: validation refuses them before the reasoner runs.
TWO_RESULTS = BONE_MARROW_ER + '\n          - {marker: ER, status: positive, evidence: ["ER (+)"]}'
DECLARED = (
    BONE_MARROW_ER
    + """
          - marker: ER
            status: positive
            evidence: ["ER (+)"]
            conflicts:
              - field: status
                statements:
                  - {value: positive, evidence: ["ER (+)"]}
                  - {value: negative, evidence: ["ER (-)"]}
                resolution: positive
                note: "The table and the text disagree; the text is followed."
"""
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "case.yaml").write_text(text, encoding="utf-8")
    return folder


def _variant(old: str, new: str) -> str:
    assert old in DCIS
    return DCIS.replace(old, new, 1)


@pytest.mark.parametrize("variant", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_inconsistent_record_fails_the_build_with_the_case_named(tmp_path, make_settings, variant) -> None:  # type: ignore[no-untyped-def]
    name, old, new, words = variant
    records = _write(tmp_path, name, _variant(old, new))
    settings = make_settings(corpus_dir=None)
    with pytest.raises(InconsistentRecordError) as caught:
        build_graph(settings, [records], shacl=False)
    assert caught.value.case == "fixture-dcis-bone-marrow"
    message = str(caught.value)
    assert "fixture-dcis-bone-marrow" in message
    for word in words:
        assert word in message
    assert not (settings.store / "current").exists(), "a failed build publishes nothing"


def test_two_contradicting_results_fail_validation_naming_both_quotes(tmp_path, make_settings) -> None:  # type: ignore[no-untyped-def]
    records = _write(tmp_path, "two-contradictory-results", _variant(BONE_MARROW_ER, TWO_RESULTS))
    with pytest.raises(RecordValidationError) as caught:
        build_graph(make_settings(corpus_dir=None), [records], shacl=False)
    message = str(caught.value)
    assert "bone-marrow-biopsy" in message and "'ER (-)'" in message and "'ER (+)'" in message


def test_hermit_finds_the_same_records_inconsistent(tmp_path, settings, terms) -> None:  # type: ignore[no-untyped-def]
    batches = []
    for name, old, new in [(v[0], v[1], v[2]) for v in VARIANTS[:2]] + [("two", BONE_MARROW_ER, TWO_RESULTS)]:
        record, _, issues = parse_record_text(_variant(old, new), f"{name}.yaml")  # as written, before validation
        assert record is not None, issues
        batches.append(case_abox(case_view(record, terms, settings.base_iri)))
    loaded, _ = load_and_validate([FIXTURES / "dcis-like.yaml"], settings)
    batches.append(case_abox(case_view(loaded[0].record, terms, settings.base_iri)))
    found = inconsistent_batches(
        reasoner_tbox(settings.ontology_dir), batches, "hermit", find_java(settings), workers=1
    )
    assert sorted(found) == [0, 1, 2], "the three contradictory variants, not the original"


@pytest.mark.parametrize("batch_specimens", [200, 1], ids=["one-batch", "batch-per-case"])
def test_contradiction_no_rule_names_is_found_by_the_reasoner(tmp_path, settings, monkeypatch, batch_specimens) -> None:  # type: ignore[no-untyped-def]
    """If the rules missed a contradiction, HermiT's batch check still names the case."""
    from metkg import reasoning

    name, old, new, _ = VARIANTS[0]
    bad, _ = load_and_validate([_write(tmp_path, name, _variant(old, new))], settings)
    good, _ = load_and_validate([FIXTURES / "scalp-like.yaml"], settings)
    monkeypatch.setattr(reasoning, "case_contradictions", lambda view, terms: [])
    with pytest.raises(InconsistentRecordError) as caught:
        infer([good[0].record, bad[0].record], [], settings, batch_specimens=batch_specimens)
    assert caught.value.case == "fixture-dcis-bone-marrow"
    assert "OWL reasoner (hermit)" in str(caught.value)


def test_declared_conflict_is_reported_and_withheld_not_fatal(tmp_path, settings) -> None:  # type: ignore[no-untyped-def]
    loaded, _ = load_and_validate([_write(tmp_path, "declared", _variant(BONE_MARROW_ER, DECLARED))], settings)
    inferred, summary = infer([loaded[0].record], [], settings)
    [note] = [c for c in summary["declared_conflicts"] if "bone-marrow-biopsy" in c["where"]]
    assert note["resolution"] == "positive"
    assert "contradicting results withheld: 'ER negative'" in note["withheld"]
    specimen = "https://w3id.org/metkg/case/10.9999/fixture.dcis/patient/1/specimen/bone-marrow-biopsy"
    types = {q.object.value for q in inferred if q.subject.value == specimen}
    assert "https://w3id.org/metkg/ontology#ERPositive" in types
    assert "https://w3id.org/metkg/ontology#ERNegative" not in types
