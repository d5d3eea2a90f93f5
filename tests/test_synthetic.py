"""Synthetic case records: deterministic, valid, consistent, varied and fast."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from metkg.mapping import map_record
from metkg.reasoning import classify_records
from metkg.reasoning.derived import derived_triples
from metkg.records.loader import LineMap, LoadedRecord
from metkg.records.models import CaseRecord
from metkg.records.validate import validate_records
from metkg.settings import Settings
from metkg.synthetic import SyntheticCases, synthetic_records
from metkg.terminology import Terminology, load_terminology
from metkg.vocab import METKG


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(corpus_dir=None)


@pytest.fixture(scope="module")
def terms(settings: Settings) -> Terminology:
    return load_terminology(settings.ontology_dir.resolve())


@pytest.fixture(scope="module")
def records(terms: Terminology) -> list[CaseRecord]:
    return list(synthetic_records(2000, seed=11, terms=terms))


def test_same_seed_same_records_and_records_are_independent_of_start(terms: Terminology) -> None:
    first = list(synthetic_records(30, seed=5, terms=terms))
    assert first == list(synthetic_records(30, seed=5, terms=terms))
    assert list(synthetic_records(5, seed=5, terms=terms, start=20)) == first[20:25]
    assert first != list(synthetic_records(30, seed=6, terms=terms))
    assert len({r.id for r in first}) == 30 and len({r.report.doi for r in first}) == 30


def test_records_pass_validation_against_the_ontology(records: list[CaseRecord], terms: Terminology) -> None:
    loaded = [LoadedRecord(r, Path(f"synthetic/{r.id}.yaml"), LineMap()) for r in records]
    validate_records(loaded, terms, None)


def test_records_round_trip_through_model_validation(records: list[CaseRecord]) -> None:
    for record in records[:300]:
        assert CaseRecord.model_validate(record.model_dump()) == record, record.id


def test_mapped_records_conform_to_the_shapes(
    records: list[CaseRecord], terms: Terminology, settings: Settings
) -> None:
    from metkg.shacl import shacl_validate
    from metkg.terminology import load_ontology_graph

    quads = [q for r in records[:25] for q in map_record(r, terms, settings.base_iri)]
    report = shacl_validate(quads, load_ontology_graph(settings.ontology_dir), settings.ontology_dir / "shapes.ttl")
    assert report.conforms, report.text[:2000]


def test_records_are_consistent_and_varied(records: list[CaseRecord], terms: Terminology, settings: Settings) -> None:
    classes: Counter[str] = Counter()
    derived: Counter[str] = Counter()
    conflicts = 0
    for record, view, types, problems in classify_records(records, terms, settings):
        assert problems == [], f"{record.id}: {problems}"
        conflicts += len(view.conflicts)
        for found in types.values():
            classes.update(found)
        derived.update(str(o) for _, p, o in derived_triples(view, types, terms) if p.endswith("#type"))
    expected = (
        "TripleNegative", "HER2Low", "HER2Zero", "HER2Positive", "HormoneReceptorPositiveHER2Negative",
        "BoneMarrowMetastasis", "ScalpMetastasis", "CNSMetastasis", "BoneInvasion", "LymphNodeMetastasis",
        "ReceptorPositiveResult", "ThresholdNegativeResult", "TripleNegativeMetastasisOfHormoneReceptorPositivePrimary",
    )  # fmt: skip
    for cls in expected:
        assert classes[METKG[cls]] > 0, f"no synthetic {cls}"
    for fact in ("ReceptorConversion", "TimeToMetastasis", "LateMetastasis", "DiagnosticDelay"):
        assert derived[METKG[fact]] > 0, f"no synthetic {fact}"
    assert conflicts > 0


def test_records_have_treatments_doses_and_dates(records: list[CaseRecord]) -> None:
    interventions = [i for r in records for p in r.patients for i in p.interventions]
    kinds = Counter(i.type for i in interventions)
    assert {"surgery", "chemotherapy", "endocrine", "targeted", "radiotherapy"} <= set(kinds)
    assert all(i.dose_gy and i.fractions for i in interventions if i.type == "radiotherapy")
    assert any(d.dose for i in interventions for d in i.drugs)
    precisions = Counter(s.date.precision for r in records for p in r.patients for s in p.specimens if s.date)
    assert set(precisions) == {"year", "month", "day"}
    per_patient = Counter(len(p.specimens) for r in records for p in r.patients)
    assert len(per_patient) >= 4, "specimens per patient vary"


def test_generation_is_fast(terms: Terminology) -> None:
    generator = SyntheticCases(terms, seed=3)
    list(generator.records(200))
    start = time.process_time()
    made = sum(1 for _ in generator.records(3000, start=200))
    rate = made / (time.process_time() - start)
    assert rate > 1500, f"{rate:.0f} records/s of CPU time (aim: > 5,000 on an idle machine)"
