"""A specimen is never classed both triple negative and HER2 positive: the rules refuse such a
record and HermiT finds it inconsistent too (HER2Positive and HER2Negative are disjoint)."""

from __future__ import annotations

from metkg.reasoning.abox import case_abox, reasoner_tbox
from metkg.reasoning.names import M
from metkg.reasoning.owl import find_java, inconsistent_batches
from metkg.reasoning.rules import case_contradictions, classify_case
from metkg.reasoning.view import CaseView, case_view
from metkg.records.loader import parse_record_text
from metkg.settings import Settings
from metkg.terminology import Terminology

from .conftest import FIXTURES

HER2_NEGATIVE = '          - {marker: HER2, status: negative, evidence: ["HER2 (-)"]}'
AND_HER2_3PLUS = HER2_NEGATIVE + '\n          - {marker: HER2, score: "3+", evidence: ["HER2 (+)"]}'


def _view(text: str, terms: Terminology, settings: Settings) -> CaseView:
    record, _, issues = parse_record_text(text, "case.yaml")
    assert record is not None, issues
    return case_view(record, terms, settings.base_iri)


def test_a_triple_negative_specimen_is_never_also_her2_positive(settings, terms) -> None:  # type: ignore[no-untyped-def]
    text = (FIXTURES / "dcis-like.yaml").read_text(encoding="utf-8")
    assert HER2_NEGATIVE in text
    good = _view(text, terms, settings)
    marrow = next(s for s in good.specimens() if s.id == "bone-marrow-biopsy")
    types = classify_case(good, terms, [])[marrow.iri]
    assert M.TripleNegative in types and M.HER2Positive not in types

    bad = _view(text.replace(HER2_NEGATIVE, AND_HER2_3PLUS, 1), terms, settings)
    problems = case_contradictions(bad, terms)
    assert any("bone-marrow-biopsy" in p and "HER2-positive and HER2-negative" in p for p in problems), problems
    tbox = reasoner_tbox(settings.ontology_dir)
    found = inconsistent_batches(tbox, [case_abox(good), case_abox(bad)], "hermit", find_java(settings), workers=1)
    assert sorted(found) == [1], "HermiT refuses the specimen classed triple negative and HER2 positive"
