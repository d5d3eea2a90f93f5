"""Session fixtures: the reasoner runs once per session over fixture, curated and synthetic cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest

from metkg.build import load_and_validate, ontology_quads
from metkg.mapping import map_record
from metkg.reasoning import infer, verify
from metkg.records.models import CaseRecord
from metkg.settings import PROJECT_ROOT, Settings
from metkg.synthetic import synthetic_records
from metkg.terminology import Terminology, load_terminology
from metkg.vocab import sparql_prefixes

FIXTURES = Path(__file__).parents[1] / "fixtures" / "reasoning"
CURATED = PROJECT_ROOT / "data" / "cases"
#: Synthetic cases realised by HermiT in the agreement test (realisation is the slow part).
SYNTHETIC_SAMPLE = 12


@dataclass
class Reasoned:
    """Records, their mapped quads, and what infer() made of them, loaded in one store."""

    records: list[CaseRecord]
    quads: list[pyoxigraph.Quad]
    inferred: list[pyoxigraph.Quad]
    summary: dict
    store: pyoxigraph.Store

    def select(self, query: str) -> list[dict[str, str]]:
        rows = self.store.query(sparql_prefixes() + query, use_default_graph_as_union=True)
        return [{v.value: row[v].value for v in rows.variables if row[v] is not None} for row in rows]  # type: ignore[union-attr]

    def ask(self, query: str) -> bool:
        return bool(self.store.query(sparql_prefixes() + query, use_default_graph_as_union=True))


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(corpus_dir=None)


@pytest.fixture(scope="session")
def terms(settings: Settings) -> Terminology:
    return load_terminology(settings.ontology_dir.resolve())


def _reason(records: Sequence[CaseRecord], terms: Terminology, settings: Settings) -> Reasoned:
    quads = [q for r in records for q in map_record(r, terms, settings.base_iri)]
    inferred, summary = infer(records, quads, settings)
    store = pyoxigraph.Store()
    store.bulk_extend(ontology_quads(settings))
    store.bulk_extend(quads)
    store.bulk_extend(inferred)
    return Reasoned(list(records), quads, inferred, summary, store)


@pytest.fixture(scope="session")
def fixture_records(settings: Settings) -> list[CaseRecord]:
    loaded, _ = load_and_validate([FIXTURES], settings)
    return [item.record for item in loaded]


@pytest.fixture(scope="session")
def curated_records() -> list[CaseRecord]:
    if not any(CURATED.glob("*.yaml")):
        pytest.skip("no curated records in data/cases yet")
    loaded, _ = load_and_validate([CURATED], Settings(corpus_dir=None))
    return [item.record for item in loaded]


@pytest.fixture(scope="session")
def fixtures_reasoned(fixture_records: list[CaseRecord], terms: Terminology, settings: Settings) -> Reasoned:
    return _reason(fixture_records, terms, settings)


@pytest.fixture(scope="session")
def curated_reasoned(curated_records: list[CaseRecord], terms: Terminology, settings: Settings) -> Reasoned:
    return _reason(curated_records, terms, settings)


@pytest.fixture(scope="session")
def synthetic_sample(terms: Terminology) -> list[CaseRecord]:
    return list(synthetic_records(SYNTHETIC_SAMPLE, seed=2024, terms=terms))


@pytest.fixture(scope="session")
def agreement(fixture_records, synthetic_sample, terms, settings):  # type: ignore[no-untyped-def]
    """HermiT's realisation against the rules on fixture, curated (if any) and synthetic cases."""
    records = list(fixture_records) + list(synthetic_sample)
    if any(CURATED.glob("*.yaml")):
        loaded, _ = load_and_validate([CURATED], Settings(corpus_dir=None))
        records += [item.record for item in loaded]
    return verify(records, settings)
