"""The rules on their own: thresholds, result and specimen classes, contradictions (no Java)."""

from __future__ import annotations

import pytest

from metkg.mapping import map_record
from metkg.reasoning.abox import iter_individuals
from metkg.reasoning.rules import (
    case_contradictions,
    result_classes,
    result_contradiction,
    site_definitions,
    specimen_classes,
    threshold_negative,
    threshold_positive,
)
from metkg.reasoning.view import ResultView, SpecimenView, case_view
from metkg.vocab import METKG, RDF

M = METKG


def _result(marker: str = "ER", *, status=None, percent=None, comparator=None, score=None, assay="IHC", iri="r"):  # type: ignore[no-untyped-def]
    return ResultView(iri, M[marker], marker, M[assay], status, percent, comparator, score)


@pytest.mark.parametrize(
    ("percent", "comparator", "positive", "negative"),
    [
        (0, None, False, True),
        (0.5, None, False, True),
        (1, None, True, False),
        (40, None, True, False),
        (90, ">", True, False),
        (1, ">", True, False),
        (0.5, ">", False, False),
        (1, ">=", True, False),
        (1, "<", False, True),
        (1, "<=", False, False),
        (0.9, "<=", False, True),
        (10, "<", False, False),
        (1, "~", True, False),
    ],
)
def test_asco_cap_threshold_with_comparators(
    percent: float, comparator: str | None, positive: bool, negative: bool
) -> None:
    r = _result(percent=percent, comparator=comparator)
    assert (threshold_positive(r), threshold_negative(r)) == (positive, negative)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"percent": 40}, {M.ReceptorPositiveResult, M.ThresholdPositiveResult, M.ResultWithoutStatus}),
        ({"percent": 0}, {M.ReceptorNegativeResult, M.ThresholdNegativeResult, M.ResultWithoutStatus}),
        ({"status": "negative"}, {M.ReceptorNegativeResult}),
        ({"status": "low", "percent": 5}, {M.ReceptorPositiveResult, M.ThresholdPositiveResult}),
        ({"status": "equivocal", "percent": 5}, {M.ThresholdPositiveResult}),
        ({"status": "positive", "percent": 10, "comparator": "<"}, {M.ReceptorPositiveResult}),
    ],
    ids=[
        "percent-only",
        "zero",
        "stated-negative",
        "low-positive",
        "equivocal-keeps-author-call",
        "status-wins-over-vague-percent",
    ],
)
def test_receptor_result_classes_follow_the_authors_call(terms, values, expected) -> None:  # type: ignore[no-untyped-def]
    assert result_classes(_result(**values), terms) == {M.HormoneReceptorResult, *expected}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"score": "0"}, {M.HER2ZeroResult, M.HER2NegativeResult, M.ResultWithoutStatus}),
        ({"score": "1+"}, {M.HER2LowResult, M.HER2NegativeResult, M.ResultWithoutStatus}),
        ({"score": "2+", "status": "negative"}, {M.HER2LowResult, M.HER2NegativeResult}),
        ({"score": "2+", "status": "equivocal"}, set()),
        ({"score": "3+"}, {M.HER2PositiveResult, M.ResultWithoutStatus}),
        ({"status": "positive"}, {M.HER2PositiveResult}),
        ({"status": "negative"}, {M.HER2NegativeResult}),
        ({"status": "negative", "assay": "FISH"}, {M.HER2NegativeResult, M.HER2ISHNegativeResult}),
    ],
)
def test_her2_result_classes(terms, values, expected) -> None:  # type: ignore[no-untyped-def]
    assert result_classes(_result("HER2", **values), terms) == {M.HER2Result, *expected}


@pytest.mark.parametrize(
    ("marker", "values", "fragment"),
    [
        ("ER", {"status": "negative", "percent": 5}, "stated negative, but 5% of cells is positive"),
        ("PR", {"status": "positive", "percent": 0}, "stated positive, but 0% of cells is negative"),
        ("ER", {"status": "low", "percent": 1, "comparator": "<"}, "stated low, but <1% of cells is negative"),
        ("HER2", {"status": "negative", "score": "3+"}, "both HER2-positive and HER2-negative"),
        ("HER2", {"status": "low", "score": "0"}, "both HER2 IHC 0 and HER2-low"),
    ],
)
def test_a_result_both_positive_and_negative_is_a_contradiction(terms, marker, values, fragment) -> None:  # type: ignore[no-untyped-def]
    why = result_contradiction(_result(marker, **values), terms)
    assert why is not None and fragment in why


@pytest.mark.parametrize(
    ("marker", "values"),
    [
        ("ER", {"status": "negative", "percent": 0.5}),
        ("ER", {"status": "positive", "percent": 10, "comparator": "<"}),
        ("Ki-67", {"status": "negative", "percent": 30}),
    ],
)
def test_consistent_results_are_not_contradictions(terms, marker, values) -> None:  # type: ignore[no-untyped-def]
    assert result_contradiction(_result(marker, **values), terms) is None


def test_her2_low_from_2_plus_with_negative_ish(terms) -> None:  # type: ignore[no-untyped-def]
    results = [_result("HER2", score="2+", iri="a"), _result("HER2", status="negative", assay="ISH", iri="b")]
    specimen = SpecimenView("s", "s", None, None, None, results)
    classes = {r.iri: result_classes(r, terms) for r in results}
    assert {M.HER2Low, M.HER2Negative} <= specimen_classes(specimen, classes)
    assert M.HER2Zero not in specimen_classes(specimen, classes)


def test_site_definitions_are_read_from_the_ontology(settings) -> None:  # type: ignore[no-untyped-def]
    import rdflib

    graph = rdflib.Graph().parse(settings.ontology_dir / "classes.ttl")
    found = {d.cls: d for d in site_definitions(graph)}
    assert found[M.CNSMetastasis].kind == M.Metastasis and found[M.CNSMetastasis].sites == {M.CentralNervousSystem}
    assert found[M.BoneInvasion].kind == M.LocalInvasion
    assert M.BoneMarrow in found[M.DistantMetastasis].sites and M.LymphNode not in found[M.DistantMetastasis].sites


def test_view_iris_are_the_mapping_iris(fixture_records, synthetic_sample, terms, settings) -> None:  # type: ignore[no-untyped-def]
    for record in [*fixture_records, *synthetic_sample]:
        typed = {q.subject.value for q in map_record(record, terms, settings.base_iri) if q.predicate.value == RDF.type}
        missing = [iri for iri in iter_individuals(case_view(record, terms, settings.base_iri)) if iri not in typed]
        assert not missing, f"{record.id}: {missing[:3]}"


def test_fixture_records_have_no_contradiction(fixture_records, terms, settings) -> None:  # type: ignore[no-untyped-def]
    for record in fixture_records:
        assert case_contradictions(case_view(record, terms, settings.base_iri), terms) == []
