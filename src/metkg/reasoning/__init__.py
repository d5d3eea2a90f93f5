"""OWL reasoning and derived facts: inferred types and materialised comparisons.

Everything this package produces goes into the ``inferred`` named graph
(:func:`metkg.iris.inferred_graph`), so a query may include or leave out what was inferred.

How a build reasons, in time linear in the number of cases:

1. Each record becomes a classification view (:mod:`~metkg.reasoning.view`): lesions, sites,
   specimens and results with their IRIs, declared source conflicts applied.
2. Rules (:mod:`~metkg.reasoning.rules`) check every case for contradictions (a result both
   positive and negative, a specimen both ER-positive and ER-negative, a date of death before
   a diagnosis) and fail the build naming the case; they give every individual its named
   classes: the defined classes of ``ontology/classes.ttl`` and their superclasses. The test
   suite proves, with HermiT, that the rules agree with the reasoner on the same individuals.
3. Derived facts OWL cannot compute (:mod:`~metkg.reasoning.derived`): receptor conversions,
   time to metastasis, late metastases, diagnostic delays.
4. The OWL reasoner (HermiT by default, Pellet on request; :mod:`~metkg.reasoning.owl`)
   classifies the ontology once and checks the consistency of every batch of cases, in
   parallel processes. A batch it finds inconsistent is narrowed down to its case.

The reasoner is given only what classification needs (:mod:`~metkg.reasoning.abox`): the
ontology's logical axioms and each case's lesions, sites, specimens and results. No dates reach
it: HermiT does not support xsd:date, xsd:gYear or xsd:gYearMonth literals, and intervals
between dates are rules' work.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import rdflib
from pyoxigraph import Literal, NamedNode, Quad

from metkg.errors import BuildError, InconsistentRecordError
from metkg.iris import CaseIris, inferred_graph
from metkg.reasoning.abox import case_abox, iter_individuals, reasoner_tbox
from metkg.reasoning.derived import Conversion, Triple, derived_triples, patient_conversions
from metkg.reasoning.names import RDF_ as RDF
from metkg.reasoning.names import RDFS_ as RDFS
from metkg.reasoning.names import M as METKG
from metkg.reasoning.owl import (
    BatchFiles,
    classify_ontology,
    default_workers,
    find_java,
    inconsistent_batches,
    inconsistent_files,
    realize,
)
from metkg.reasoning.rules import SiteDefinition, asserted_types, case_contradictions, classify_case, site_definitions
from metkg.reasoning.view import CaseView, ConflictNote, case_view
from metkg.records.models import CaseRecord
from metkg.settings import Settings
from metkg.terminology import Terminology, load_terminology

__all__ = [
    "BATCH_SPECIMENS",
    "Disagreement",
    "Reasoning",
    "case_inferences",
    "classify_records",
    "defined_classes",
    "infer",
    "raise_contradictions",
    "record_conversions",
    "verify",
]

#: Specimens per reasoner consistency batch: cost grows faster than linearly within a batch.
BATCH_SPECIMENS = 200
#: Declared conflicts listed in the summary (all are counted).
LISTED_CONFLICTS = 500

Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


@lru_cache(maxsize=4)
def _parse_classes(classes_file: Path, mtime: float) -> rdflib.Graph:
    return rdflib.Graph().parse(classes_file, format="turtle")


def _classes_graph(settings: Settings) -> rdflib.Graph:
    path = (settings.ontology_dir / "classes.ttl").resolve()
    return _parse_classes(path, path.stat().st_mtime)


def defined_classes(settings: Settings) -> list[str]:
    """The classes declared in ``ontology/classes.ttl``, sorted."""
    graph = _classes_graph(settings)
    return sorted(str(s) for s in graph.subjects(rdflib.RDF.type, rdflib.OWL.Class) if isinstance(s, rdflib.URIRef))


@lru_cache(maxsize=4)
def _parse_site_definitions(classes_file: Path, mtime: float) -> list[SiteDefinition]:
    return site_definitions(_parse_classes(classes_file, mtime))


def _site_definitions(settings: Settings) -> list[SiteDefinition]:
    """The metastasis-by-site classes, read once per version of classes.ttl (a build's worker
    classifies one record at a time)."""
    path = (settings.ontology_dir / "classes.ttl").resolve()
    return _parse_site_definitions(path, path.stat().st_mtime)


@dataclass
class Reasoning:
    """What one reasoning run produced: inferred quads and a summary."""

    quads: list[Quad] = field(default_factory=list)
    classified: Counter[str] = field(default_factory=Counter)
    derived: Counter[str] = field(default_factory=Counter)
    conflicts: list[ConflictNote] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self, reasoner: str, java: str | None, cases: int, batches: int) -> dict[str, Any]:
        local = lambda iri: iri.rsplit("#", 1)[-1]  # noqa: E731
        return {
            "reasoner": reasoner,
            "java": java,
            "cases": cases,
            "consistency_batches": batches,
            "inferred_quads": len(self.quads),
            "classified": {local(k): v for k, v in sorted(self.classified.items())},
            "derived": {local(k): v for k, v in sorted(self.derived.items())},
            "declared_conflict_count": len(self.conflicts),
            "declared_conflicts": [c.as_dict() for c in self.conflicts[:LISTED_CONFLICTS]],
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


@lru_cache(maxsize=4096)
def _term(iri: str) -> NamedNode:
    """A named node for a predicate, class or datatype (few, reused)."""
    return NamedNode(iri)


class _Emitter:
    def __init__(self, graph: str, defined: Iterable[str]):
        self.graph = NamedNode(graph)
        self.defined = frozenset(defined)
        self.prefix = str(METKG)
        self.rdf_type = RDF.type
        self.nodes: dict[str, NamedNode] = {}

    def node(self, iri: str) -> NamedNode:
        """A case resource's named node, reused within the case (call :meth:`next_case` after)."""
        node = self.nodes.get(iri)
        if node is None:
            node = self.nodes[iri] = NamedNode(iri)
        return node

    def next_case(self) -> None:
        self.nodes.clear()

    def quad(self, s: str, p: str, o: str | tuple[str, str | None]) -> Quad:
        if isinstance(o, tuple):
            value, datatype = o
            obj = Literal(value, datatype=_term(datatype)) if datatype else Literal(value)
        elif p == self.rdf_type or o.startswith(self.prefix):
            obj = _term(o)
        else:
            obj = self.node(o)
        return Quad(self.node(s), _term(p), obj, self.graph)


def classify_records(
    records: Iterable[CaseRecord], terms: Terminology, settings: Settings
) -> Iterable[tuple[CaseRecord, CaseView, dict[str, set[str]], list[str]]]:
    """Per record: its view, every individual's named classes, and its contradictions."""
    sites = _site_definitions(settings)
    for record in records:
        view = case_view(record, terms, settings.base_iri)
        problems = case_contradictions(view, terms)
        types = {} if problems else classify_case(view, terms, sites)
        yield record, view, types, problems


def record_conversions(record: CaseRecord, terms: Terminology, settings: Settings) -> list[Conversion]:
    """The receptor conversions the build derives for one record, a draft included: the record's
    view, its classification by the rules and :func:`~metkg.reasoning.derived.patient_conversions`,
    the path :func:`infer` takes. A record with contradictions has none (the build refuses it)."""
    for _, view, types, problems in classify_records([record], terms, settings):
        if not problems:
            return [c for patient in view.patients for c in patient_conversions(patient, types, terms)]
    return []


def raise_contradictions(problems: dict[str, list[str]]) -> None:
    """Raise :class:`InconsistentRecordError` for the first contradictory case, counting the others."""
    case, found = next(iter(problems.items()))
    explanation = "; ".join(found)
    others = [c for c in problems if c != case]
    if others:
        shown = ", ".join(repr(c) for c in others[:10]) + (", ..." if len(others) > 10 else "")
        explanation += f" (also inconsistent: {len(others)} other case{'s' if len(others) > 1 else ''}: {shown})"
    raise InconsistentRecordError(case, explanation)


class _Batches:
    """Cases grouped for the reasoner, about ``limit`` specimens a batch, written as they fill."""

    def __init__(self, limit: int, files: BatchFiles):
        self.limit = limit
        self.files = files
        self.cases: list[list[str]] = []
        self.lines: list[str] = []
        self.size = 0
        self.open = False

    def add(self, case: str, lines: list[str], specimens: int) -> None:
        if self.open and self.size + specimens > self.limit:
            self.flush()
        if not self.open:
            self.cases.append([])
            self.open = True
        self.lines += lines
        self.cases[-1].append(case)
        self.size += specimens

    def flush(self) -> None:
        if self.open:
            self.files.add(self.lines)
        self.lines, self.size, self.open = [], 0, False


def infer(
    records: Sequence[CaseRecord],
    case_quads: Sequence[Quad],
    settings: Settings,
    progress: Progress | None = None,
    *,
    workers: int | None = None,
    batch_specimens: int = BATCH_SPECIMENS,
) -> tuple[list[Quad], dict[str, Any]]:
    """Inferred and derived quads for the ``inferred`` graph, and a summary of the run.

    Raises :class:`~metkg.errors.InconsistentRecordError` naming the first inconsistent case
    (and how many others are), :class:`~metkg.errors.JavaNotFoundError` when no Java runtime
    can run the reasoner, and :class:`~metkg.errors.BuildError` when the ontology itself is
    inconsistent or has unsatisfiable classes.
    """
    progress = progress or _no_progress
    terms = load_terminology(settings.ontology_dir.resolve())
    _check_iris(records, case_quads, terms, settings)
    emit = _Emitter(inferred_graph(settings.base_iri), defined_classes(settings))
    run = Reasoning()
    tbox = reasoner_tbox(settings.ontology_dir)
    with BatchFiles(tbox) as files:
        batches = _Batches(batch_specimens, files)
        clock = time.perf_counter()
        _apply_rules(records, terms, settings, emit, run, batches, progress)
        batches.flush()
        run.seconds["rules"] = time.perf_counter() - clock

        java = find_java(settings)
        progress("ontology", 0, 0)
        clock = time.perf_counter()
        for sub, sup in classify_ontology(tbox, settings.reasoner, java).subclass_of:
            run.quads.append(emit.quad(sub, RDFS.subClassOf, sup))
        run.seconds["classify_ontology"] = time.perf_counter() - clock

        clock = time.perf_counter()
        report = lambda done, total: progress("consistency", done, total)  # noqa: E731
        jobs = workers or default_workers()
        bad = inconsistent_files(files.files, settings.reasoner, java, workers=jobs, progress=report)
        if bad:
            _locate(bad, records, batches.cases, terms=terms, settings=settings, tbox=tbox, java=java)
        run.seconds["consistency"] = time.perf_counter() - clock
    return run.quads, run.summary(settings.reasoner, java, len(records), len(batches.cases))


def _apply_rules(  # noqa: PLR0917 - one pass that fills the emitter, the summary and the batches
    records: Sequence[CaseRecord],
    terms: Terminology,
    settings: Settings,
    emit: _Emitter,
    run: Reasoning,
    batches: _Batches,
    progress: Progress,
) -> None:
    """Classify, derive and batch every case; raise on the first contradictory one."""
    problems: dict[str, list[str]] = {}
    for i, (record, view, types, found) in enumerate(classify_records(records, terms, settings), 1):
        run.conflicts += view.conflicts
        if found:
            problems[record.id] = found
        elif not problems:
            _emit_case(emit, run, view, types, terms)
            batches.add(record.id, case_abox(view, f"c{i}x"), sum(1 for _ in view.specimens()))
        progress("rules", i, len(records))
    if problems:
        raise_contradictions(problems)


def _class_triples(view: CaseView, types: dict[str, set[str]]) -> Iterable[Triple]:
    asserted = asserted_types(view)
    for iri, classes in types.items():
        for cls in classes:
            if cls != asserted.get(iri):
                yield iri, RDF.type, cls


def case_inferences(view: CaseView, types: dict[str, set[str]], terms: Terminology) -> Iterable[Triple]:
    """What the rules add for one case: every named class an individual has beyond its asserted
    one, then the derived facts (receptor conversions, intervals...)."""
    yield from _class_triples(view, types)
    yield from derived_triples(view, types, terms)


def _emit_case(emit: _Emitter, run: Reasoning, view: CaseView, types: dict[str, set[str]], terms: Terminology) -> None:
    emit.next_case()
    for classes in types.values():
        for cls in classes:
            if cls in emit.defined:
                run.classified[cls] += 1
    for triple in _class_triples(view, types):
        run.quads.append(emit.quad(*triple))
    for triple in derived_triples(view, types, terms):
        run.quads.append(emit.quad(*triple))
        if triple[1] == RDF.type:
            run.derived[str(triple[2])] += 1


def _locate(
    bad: dict[int, str],
    records: Sequence[CaseRecord],
    batch_cases: list[list[str]],
    *,
    terms: Terminology,
    settings: Settings,
    tbox: bytes,
    java: str,
) -> None:
    """Narrow the first inconsistent batch down to its case and raise."""
    index = min(bad)
    wanted = set(batch_cases[index])
    chosen = [r for r in records if r.id in wanted]
    per_case = [case_abox(case_view(r, terms, settings.base_iri), f"c{i}x") for i, r in enumerate(chosen)]
    found = inconsistent_batches(tbox, per_case, settings.reasoner, java, workers=1)
    if not found:
        raise InconsistentRecordError(
            ", ".join(sorted(wanted)), f"the OWL reasoner finds these cases inconsistent together: {bad[index]}"
        )
    first = min(found)
    raise InconsistentRecordError(
        chosen[first].id,
        f"the OWL reasoner ({settings.reasoner}) finds the record inconsistent with the ontology "
        f"({found[first]}); no rule names the contradiction, so check its lesions, specimens and results "
        "against the defined classes in ontology/classes.ttl",
    )


def _check_iris(
    records: Sequence[CaseRecord], case_quads: Sequence[Quad], terms: Terminology, settings: Settings
) -> None:
    """Check on the first record that the individuals classified are the ones the mapping made."""
    if not records or not case_quads:
        return
    graph = CaseIris(settings.base_iri, records[0].report.doi).graph
    typed = set()
    for quad in case_quads:
        if quad.graph_name.value != graph:
            break
        if quad.predicate.value == RDF.type:
            typed.add(quad.subject.value)
    missing = [iri for iri in iter_individuals(case_view(records[0], terms, settings.base_iri)) if iri not in typed]
    if typed and missing:
        raise BuildError(f"reasoning and mapping disagree on IRIs, e.g. {missing[0]!r}; update metkg.reasoning.view")


@dataclass(frozen=True)
class Disagreement:
    """An individual whose classes differ between the OWL reasoner and the rules."""

    iri: str
    reasoner_only: frozenset[str]
    rules_only: frozenset[str]


def verify(records: Sequence[CaseRecord], settings: Settings) -> tuple[int, list[Disagreement]]:
    """Realise the records' individuals with the OWL reasoner and compare with the rules.

    Returns the number of individuals compared and the disagreements. Realisation costs far
    more than linear time: verify tens of cases, not thousands.
    """
    terms = load_terminology(settings.ontology_dir.resolve())
    abox: list[str] = []
    individuals: list[str] = []
    by_rules: dict[str, set[str]] = {}
    for i, (record, view, types, problems) in enumerate(classify_records(records, terms, settings)):
        if problems:
            raise InconsistentRecordError(record.id, "; ".join(problems))
        abox += case_abox(view, f"c{i}x")
        individuals += iter_individuals(view)
        by_rules.update(types)
    java = find_java(settings)
    by_reasoner = realize(reasoner_tbox(settings.ontology_dir), abox, individuals, settings.reasoner, java)
    found = [
        Disagreement(iri, frozenset(by_reasoner[iri] - by_rules[iri]), frozenset(by_rules[iri] - by_reasoner[iri]))
        for iri in individuals
        if by_reasoner[iri] != by_rules[iri]
    ]
    return len(individuals), found
