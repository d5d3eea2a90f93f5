"""The graph build: records -> validated RDF -> (reasoned) -> a new store, all or nothing.

Stages: load (YAML, typed models), validate (ontology keys, references, evidence quotes),
map (RDF quads, one named graph per case report), shacl (shapes conformance), reason (inferred
types and derived facts into the ``inferred`` graph), store (a new Oxigraph directory, published
by an atomic rename). Any error before publishing leaves the last good store untouched.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import NamedNode, Quad

from metkg.errors import BuildError
from metkg.iris import ontology_graph
from metkg.mapping import map_record
from metkg.records.loader import LoadedRecord, load_records
from metkg.records.models import CaseRecord
from metkg.records.validate import validate_records
from metkg.settings import Settings
from metkg.store import StoreLayout
from metkg.terminology import Terminology, load_ontology_graph, load_terminology, ontology_files

__all__ = ["BuildResult", "Progress", "build_graph", "count_records", "load_and_validate", "ontology_quads"]

#: Called as ``progress(stage, done, total)``; ``total`` is 0 when unknown.
Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class BuildResult:
    """What a build did: counts of what it loaded and seconds per stage."""

    store: Path
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    shacl_conforms: bool | None = None
    reasoning: dict[str, Any] = field(default_factory=dict)

    def manifest(self, settings: Settings) -> dict[str, Any]:
        return {
            "built": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "base_iri": settings.base_iri,
            "counts": self.counts,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
            "shacl_conforms": self.shacl_conforms,
            "reasoning": self.reasoning,
        }


def count_records(records: Sequence[CaseRecord]) -> Counter[str]:
    """How many case reports, patients, lesions, specimens, results and interventions."""
    counts: Counter[str] = Counter(case_reports=len(records))
    for record in records:
        for patient in record.patients:
            counts["patients"] += 1
            counts["lesions"] += len(patient.lesions)
            counts["specimens"] += len(patient.specimens)
            counts["biomarker_results"] += sum(len(s.results) for s in patient.specimens)
            counts["interventions"] += len(patient.interventions)
    return counts


def ontology_quads(settings: Settings) -> list[Quad]:
    """The ontology's triples as quads in the ontology named graph."""
    graph = NamedNode(ontology_graph(settings.base_iri))
    quads: list[Quad] = []
    for path in ontology_files(settings.ontology_dir):
        for triple in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
            quads.append(Quad(triple.subject, triple.predicate, triple.object, graph))
    return quads


def load_and_validate(paths: Sequence[Path], settings: Settings) -> tuple[list[LoadedRecord], Terminology]:
    """Load and validate records; raise :class:`RecordValidationError` listing every problem."""
    terms = load_terminology(settings.ontology_dir.resolve())
    loaded = load_records(paths)
    validate_records(loaded, terms, settings.corpus_dir)
    return loaded, terms


def build_graph(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    *,
    reason: bool = True,
    shacl: bool = True,
    progress: Progress = _no_progress,
) -> BuildResult:
    """Build the store from case records; publish it only if every stage succeeds."""
    layout = StoreLayout(settings.store)
    result = BuildResult(store=settings.store)
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.seconds[stage] = now - clock
        clock = now

    with layout.lock():
        progress("load", 0, 0)
        record_paths = list(paths) if paths else [settings.data_dir]
        loaded, terms = load_and_validate(record_paths, settings)
        records = [item.record for item in loaded]
        lap("load_validate")

        case_quads: list[Quad] = []
        for i, record in enumerate(records, 1):
            case_quads += map_record(record, terms, settings.base_iri)
            progress("map", i, len(records))
        onto_quads = ontology_quads(settings)
        lap("map")

        if shacl:
            progress("shacl", 0, 0)
            from metkg.shacl import shacl_validate

            report = shacl_validate(case_quads, load_ontology_graph(settings.ontology_dir), settings.ontology_dir / "shapes.ttl")
            result.shacl_conforms = report.conforms
            if not report.conforms:
                raise BuildError(f"the mapped graph does not conform to the SHACL shapes:\n{report.text}")
            lap("shacl")

        inferred: list[Quad] = []
        if reason:
            from metkg.reasoning import infer

            progress("reason", 0, 0)
            inferred, result.reasoning = infer(records, case_quads, settings, progress=progress)
            lap("reason")

        progress("store", 0, 0)
        with layout.new_build() as (store, path):
            store.bulk_extend(case_quads)
            store.bulk_extend(onto_quads)
            if inferred:
                store.bulk_extend(inferred)
            store.optimize()
            store.flush()
            result.counts = dict(count_records(records))
            result.counts["triples"] = len(store)
            result.counts["inferred_triples"] = len(inferred)
            del store
            lap("store")
            layout.publish(path, result.manifest(settings))
    return result
