"""The graph build: records -> validated RDF -> (reasoned) -> a new store, all or nothing.

Stages: load (YAML, typed models), validate (ontology keys, references, evidence quotes),
map (RDF quads, one named graph per case report), shacl (shapes conformance), reason (inferred
types and derived facts into the ``inferred`` graph), store (a new Oxigraph directory, published
by an atomic rename). Any error before publishing leaves the last good store untouched.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph
from pyoxigraph import NamedNode, Quad

from metkg.errors import (
    BuildError,
    DataDirectoryError,
    Issue,
    PreconditionFailedError,
    RecordConflictError,
    RecordValidationError,
)
from metkg.iris import CaseIris, inferred_graph, ontology_graph
from metkg.mapping import map_record
from metkg.records.durable import fsync_directory, write_atomic
from metkg.records.loader import LoadedRecord, find_record_files, load_records
from metkg.records.models import CaseRecord
from metkg.records.validate import validate_records
from metkg.settings import Settings
from metkg.store import StoreLayout
from metkg.terminology import Terminology, load_ontology_graph, load_terminology, ontology_files
from metkg.vocab import METKG, RDF, sparql_prefixes

__all__ = [
    "AddResult",
    "BuildResult",
    "Progress",
    "add_record",
    "build_graph",
    "case_etag",
    "count_case_graph",
    "count_records",
    "load_and_validate",
    "no_cyclic_gc",
    "ontology_quads",
]

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
    #: Processes that validated and mapped the records (streamed builds only).
    workers: int = 1

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


#: What :func:`count_records` counts (but case reports), by the predicate that maps each one.
_COUNTED_BY = {
    "patients": METKG.describes,
    "lesions": METKG.hasLesion,
    "specimens": METKG.hasSpecimen,
    "biomarker_results": METKG.hasResult,
    "interventions": METKG.hasIntervention,
}


def count_case_graph(quads: Iterable[Quad]) -> Counter[str]:
    """:func:`count_records` of the one record whose mapped case graph ``quads`` are."""
    predicates = Counter(quad.predicate.value for quad in quads)
    return Counter(case_reports=1, **{name: predicates[str(p)] for name, p in _COUNTED_BY.items()})


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


class _CollectorPause:
    """Pauses of the cyclic garbage collector held at once (threads may overlap: a build and a
    browse index read); the collector runs again when the last ends, if it ran before the first."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._was_enabled = True

    def enter(self) -> None:
        with self._lock:
            if self._holders == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._holders += 1

    def leave(self) -> None:
        with self._lock:
            self._holders -= 1
            if self._holders == 0 and self._was_enabled:
                gc.enable()


_COLLECTOR_PAUSE = _CollectorPause()


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while many long-lived objects are made: a build's
    100,000 records are tens of millions, a browse index hundreds of thousands, none of them
    garbage, and each full collection would walk them all again. Safe to nest and to overlap
    across threads: the collector resumes when the last pause ends.
    """
    _COLLECTOR_PAUSE.enter()
    try:
        yield
    finally:
        _COLLECTOR_PAUSE.leave()


def build_graph(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    *,
    reason: bool = True,
    shacl: bool = True,
    owl: bool = True,
    progress: Progress = _no_progress,
) -> BuildResult:
    """Build the store from case records; publish it only if every stage succeeds.

    ``reason`` adds the inferred graph: the rules' classes and derived facts, and with ``owl``
    the OWL reasoner's ontology classification and consistency check of every case. Without
    SHACL and the OWL reasoner the build streams (:mod:`metkg.ingest`): parallel, bounded memory.
    """
    layout = StoreLayout(settings.store)
    result = BuildResult(store=settings.store)
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.seconds[stage] = now - clock
        clock = now

    with layout.lock(), no_cyclic_gc():
        progress("load", 0, 0)
        record_paths = list(paths) if paths else [settings.data_dir]
        if not shacl and not (reason and owl) and settings.backend == "oxigraph":
            return _streamed_build(settings, layout, record_paths, result, progress, rules=reason)
        loaded, terms = load_and_validate(record_paths, settings)
        records = [item.record for item in loaded]
        del loaded  # the line maps only serve error messages
        lap("load_validate")

        case_quads = [q for record in records for q in map_record(record, terms, settings.base_iri)]
        onto_quads = ontology_quads(settings)
        lap("map")

        if shacl:
            progress("shacl", 0, 0)
            from metkg.shacl import shacl_validate

            report = shacl_validate(
                case_quads, load_ontology_graph(settings.ontology_dir), settings.ontology_dir / "shapes.ttl"
            )
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

        if settings.backend == "sparql":
            from metkg.backends.publish import publish_to_server, write_manifest

            progress("publish", 0, 0)
            result.counts = dict(count_records(records))
            published = publish_to_server(settings, (case_quads, onto_quads, inferred), progress)
            result.counts.update(triples=published["triples"], inferred_triples=len(inferred))
            lap("store")
            write_manifest(settings, result.manifest(settings) | {"endpoint": settings.sparql_endpoint})
            return result

        progress("store", 0, 0)
        with layout.new_build() as build:
            build.store.bulk_extend(case_quads)
            build.store.bulk_extend(onto_quads)
            if inferred:
                build.store.bulk_extend(inferred)
            build.store.optimize()
            result.counts = dict(count_records(records))
            result.counts["triples"] = len(build.store)
            result.counts["inferred_triples"] = len(set(inferred))  # two patients may derive one quad
            lap("store")
            build.publish(result.manifest(settings))
    return result


def _streamed_build(
    settings: Settings,
    layout: StoreLayout,
    record_paths: Sequence[Path],
    result: BuildResult,
    progress: Progress,
    *,
    rules: bool,
) -> BuildResult:
    """Without SHACL and the OWL reasoner, which need every quad at once: records are validated,
    mapped (and with ``rules`` classified and derived) by worker processes and bulk-loaded as
    they come (:mod:`metkg.ingest`), so memory stays bounded and every core works. Seconds per
    stage are the workers' CPU seconds for load+validate, map and rules, and the loader's for
    the store; ``total`` is the wall time."""
    from metkg.ingest import ingest

    clock = time.perf_counter()
    files = find_record_files(record_paths)
    load_terminology(settings.ontology_dir.resolve())  # an unreadable ontology fails here, before any worker
    with layout.new_build() as build:
        try:
            done = ingest(
                files, build.store, settings, rules=rules, workers=settings.build_workers or None, progress=progress
            )
        except (OSError, ValueError, SyntaxError) as exc:
            raise BuildError(f"the store refused the mapped quads: {exc}") from exc
        progress("store", 0, 0)
        onto_quads = ontology_quads(settings)
        build.store.bulk_extend(onto_quads)
        optimize = time.perf_counter()
        build.store.optimize()  # compacts the bulk loads' files: queries read fewer of them
        build.store.flush()
        optimized = time.perf_counter()
        # Cases may derive the same quad (a shared node): count what the inferred graph holds.
        # Case graphs never overlap (one per DOI), so their quads need no count.
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{inferred_graph(settings.base_iri)}> {{ ?s ?p ?o }} }}"
        inferred = int(next(iter(build.store.query(count)))["n"].value) if done.inferred else 0
        result.counts = dict(done.counts)
        result.counts["triples"] = done.quads + len(onto_quads) + inferred
        result.counts["inferred_triples"] = inferred
        if rules:
            result.reasoning = {"reasoner": "rules only (no OWL reasoner)", "inferred_quads": inferred}
        result.seconds.update({stage: round(s, 3) for stage, s in done.seconds.items()})
        result.seconds["optimize"] = optimized - optimize
        result.seconds["total"] = time.perf_counter() - clock
        result.workers = done.workers
        build.publish(result.manifest(settings))
    return result


@dataclass
class AddResult:
    """What adding one record did."""

    record_id: str
    doi: str
    replaced: bool
    data_file: Path | None
    triples: int
    etag: str = ""  # the case report's ETag as now stored (:func:`case_etag`)


def _case_identity(store: pyoxigraph.Store, graph: str) -> tuple[str, str] | None:
    """(record id, DOI) of the case report stored in ``graph``, if any."""
    query = (
        sparql_prefixes() + "SELECT ?id ?doi WHERE { ?c a metkg:CaseReport ; dcterms:identifier ?id ; metkg:doi ?doi }"
    )
    rows = list(store.query(query, default_graph=NamedNode(graph)))
    return (rows[0]["id"].value, rows[0]["doi"].value) if rows else None


def _graph_of_record_id(store: pyoxigraph.Store, record_id: str) -> str | None:
    query = sparql_prefixes() + "SELECT ?g ?id WHERE { GRAPH ?g { ?c a metkg:CaseReport ; dcterms:identifier ?id } }"
    rows = store.query(query, substitutions={pyoxigraph.Variable("id"): pyoxigraph.Literal(record_id)})
    return next((row["g"].value for row in rows), None)


def case_etag(quads: Iterable[Quad]) -> str:
    """The entity tag of a case report as stored: a digest of its named graph's statements
    (quoted, as the ``ETag`` header carries it). It changes whenever the record's content does."""
    digest = hashlib.sha256()
    for line in sorted({str(quad) for quad in quads}):
        digest.update(line.encode("utf-8") + b"\n")
    return f'"{digest.hexdigest()[:32]}"'


def _write_durably(path: Path, text: str | None) -> None:
    """Write ``text`` to ``path`` (or remove it, for ``None``) so that it survives a crash."""
    if text is None:
        path.unlink(missing_ok=True)
        fsync_directory(path.parent)
    else:
        write_atomic(path, text.encode("utf-8"))


def _read_if_present(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


@dataclass
class _DataFiles:
    """The record files a write changes under ``data/cases``, written before the store is
    published and put back as they were if publishing fails."""

    changes: dict[Path, str | None]
    before: dict[Path, str | None] = field(default_factory=dict)

    def write(self) -> None:
        try:
            for path, text in self.changes.items():
                self.before[path] = _read_if_present(path)
                _write_durably(path, text)
        except OSError as exc:
            self.undo()
            raise DataDirectoryError(
                f"the record could not be saved under {path.parent}: {exc.strerror or exc}"
            ) from None

    def undo(self) -> None:
        for path, text in self.before.items():
            with contextlib.suppress(OSError):
                _write_durably(path, text)


def _check_replacement(
    current: pyoxigraph.Store,
    record: CaseRecord,
    previous: tuple[str, str] | None,
    *,
    if_match: str | None,
    rename: bool,
) -> None:
    """Refuse a write that would replace a record it does not name, or one not in the version it expects.

    Replacing is explicit: the record keeps its id, or ``if_match`` names the current version
    (:func:`case_etag`) of the case report that has the DOI. ``rename`` allows a new id
    without it (``metkg add``, where the curator names the file).
    """
    record_id, doi = record.id, record.report.doi
    if if_match is None and (previous is None or previous[0] == record_id or rename):
        return
    if previous is None:
        raise PreconditionFailedError(f"If-Match was sent, but no case report has the DOI {doi!r}")
    if if_match is None:
        raise RecordConflictError(
            f"the DOI {doi!r} belongs to the record {previous[0]!r}, not {record_id!r}: to replace that record, "
            f"PUT it at /cases/{previous[0]}; to rename it, send If-Match with its ETag"
        )
    graph = _graph_of_record_id(current, previous[0])
    stored = current.quads_for_pattern(None, None, None, NamedNode(graph)) if graph else ()
    tags = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if not tags & {case_etag(stored), "*"}:
        raise PreconditionFailedError(
            f"If-Match {if_match!r} is not the current version of the record {previous[0]!r} "
            "(its ETag changed); fetch it again before replacing it"
        )


#: The DOI prefix ``metkg extract`` gives a draft whose text names no DOI (10.0000 is no registrant).
PLACEHOLDER_DOI_PREFIX = "10.0000/"


def _refuse_placeholder_doi(loaded: LoadedRecord) -> None:
    doi = loaded.record.report.doi
    if doi.startswith(PLACEHOLDER_DOI_PREFIX):
        message = (
            f"the DOI {doi!r} is the placeholder a draft gets when its text names none; "
            "put the report's real DOI in report.doi before adding it"
        )
        raise RecordValidationError([Issue(loaded.name, loaded.lines.line(("report", "doi")), "report.doi", message)])


def add_record(
    settings: Settings,
    path: Path,
    *,
    reason: bool = True,
    shacl: bool = True,
    write_data: bool = True,
    if_match: str | None = None,
    rename: bool = True,
) -> AddResult:
    """Add or replace one case record in the current store, validated exactly like a build.

    The new store is a checkpoint of the current one with the case's named graph (and its
    inferred facts) replaced; it is published atomically, so readers see the old graph or the
    new one, never a half. With ``write_data`` the record is first written durably to
    ``{data_dir}/cases/{id}.yaml``, the curated source of truth, and the store published
    after: a crash between the two leaves the record in the data folder, where the next
    build reads it; a failed publish puts the data folder back as it was.

    A record that takes over another record's DOI under a new id needs ``rename`` or an
    ``if_match`` naming that record's current ETag (:class:`RecordConflictError` otherwise).
    """
    layout = StoreLayout(settings.store)
    with layout.lock():
        text = path.read_text(encoding="utf-8") if path.is_file() else None
        loaded, terms = load_and_validate([path], settings)
        if len(loaded) != 1 or text is None:
            raise BuildError(f"`add` takes one record file, got {str(path)!r}")
        record = loaded[0].record
        _refuse_placeholder_doi(loaded[0])
        current = layout.open_read_only()
        iris = CaseIris(settings.base_iri, record.report.doi)
        same_id = _graph_of_record_id(current, record.id)
        if same_id is not None and same_id != iris.graph:
            raise RecordValidationError(
                [
                    Issue(
                        loaded[0].name,
                        loaded[0].lines.line(("id",)),
                        "id",
                        f"record id {record.id!r} is already used by another case report ({same_id}); "
                        "choose another id",
                    )
                ]
            )
        previous = _case_identity(current, iris.graph)
        _check_replacement(current, record, previous, if_match=if_match, rename=rename)
        quads = map_record(record, terms, settings.base_iri)
        if shacl:
            from metkg.shacl import shacl_validate

            report = shacl_validate(
                quads, load_ontology_graph(settings.ontology_dir), settings.ontology_dir / "shapes.ttl"
            )
            if not report.conforms:
                raise BuildError(f"the mapped record does not conform to the SHACL shapes:\n{report.text}")
        inferred: list[Quad] = []
        if reason:
            from metkg.reasoning import infer

            inferred, _ = infer([record], quads, settings)
        manifest = layout.manifest()
        counts = Counter(manifest.get("counts", {}))
        counts.update(count_records([record]))
        inferred_node = NamedNode(inferred_graph(settings.base_iri))
        with layout.new_build(from_current=True) as build:
            removed = removed_inferred = 0
            if previous is not None:
                old_graph = list(build.store.quads_for_pattern(None, None, None, NamedNode(iris.graph)))
                counts.subtract(count_case_graph(old_graph))
                stale = _inferred_about_case(build.store, iris, inferred_node)
                build.store.remove_graph(NamedNode(iris.graph))
                for quad in stale:
                    build.store.remove(quad)
                removed, removed_inferred = len(old_graph), len(stale)
            # What is new, counted as it goes in: counting the whole store would read every quad.
            new_inferred = {quad for quad in inferred if quad not in build.store}
            added = len(set(quads))  # the case's graph was empty or removed
            build.store.extend(quads)
            build.store.extend(new_inferred)
            if previous is not None:
                removed_inferred += _remove_orphaned_patterns(build.store, stale, inferred_node)
            build.store.flush()
            if "triples" in counts:
                counts["triples"] += added + len(new_inferred) - removed - removed_inferred
            else:  # a manifest without counts: count the store
                counts["triples"] = len(build.store)
            if "inferred_triples" in counts:
                counts["inferred_triples"] += len(new_inferred) - removed_inferred
            triples = counts["triples"]
            manifest["counts"] = dict(counts)
            manifest["last_added"] = {"record": record.id, "doi": record.report.doi, "replaced": previous is not None}
            data_file = settings.data_dir / "cases" / f"{record.id}.yaml" if write_data else None
            files = _DataFiles(_data_changes(settings, data_file, text, previous))
            files.write()
            try:
                build.publish(manifest)
            except BaseException:
                files.undo()
                raise
    etag = case_etag(q for q in quads if q.graph_name == NamedNode(iris.graph))
    return AddResult(record.id, record.report.doi, previous is not None, data_file, triples, etag)


def _data_changes(
    settings: Settings, data_file: Path | None, text: str, previous: tuple[str, str] | None
) -> dict[Path, str | None]:
    """The record files a write changes: its own, and the old file of a record it renames."""
    if data_file is None:
        return {}
    changes: dict[Path, str | None] = {data_file: text}
    if previous is not None and f"{previous[0]}.yaml" != data_file.name:
        changes[settings.data_dir / "cases" / f"{previous[0]}.yaml"] = None
    return changes


def _inferred_about_case(store: pyoxigraph.Store, iris: CaseIris, graph: NamedNode) -> list[Quad]:
    """The quads of ``graph`` whose subject is one of the case's resources (IRIs under its case IRI).

    They are the resources of the case's graph and the derived nodes under the case IRI that
    refer to them (conversions, intervals, delays, and nodes referring to those), found through
    the object index: a scan of the whole inferred graph would read every case's quads.
    """
    known = {
        term
        for quad in store.quads_for_pattern(None, None, None, NamedNode(iris.graph))
        for term in (quad.subject, quad.object)
        if isinstance(term, NamedNode) and _under(term, iris.case)
    }
    frontier = set(known)
    while frontier:
        referring = {
            quad.subject
            for node in frontier
            for quad in store.quads_for_pattern(None, None, node, graph)
            if quad.subject not in known and _under(quad.subject, iris.case)
        }
        known |= referring
        frontier = referring
    return [quad for node in known for quad in store.quads_for_pattern(node, None, None, graph)]


def _remove_orphaned_patterns(store: pyoxigraph.Store, removed: list[Quad], graph: NamedNode) -> int:
    """Remove the spread patterns (histology, site) that no patient refers to any more; how many quads went.

    A pattern node is shared by every patient with the pair, so it is not among a replaced
    case's own quads; it goes when the last patient that referred to it is gone.
    """
    pattern, link = NamedNode(METKG.SpreadPattern), NamedNode(METKG.hasSpreadPattern)
    candidates = {q.object for q in removed if q.predicate == link}
    count = 0
    for node in candidates:
        referred = next(store.quads_for_pattern(None, None, node, graph), None) is not None  # type: ignore[arg-type]
        is_pattern = next(store.quads_for_pattern(node, NamedNode(RDF.type), pattern, graph), None) is not None  # type: ignore[arg-type]
        if is_pattern and not referred:
            for quad in list(store.quads_for_pattern(node, None, None, graph)):  # type: ignore[arg-type]
                store.remove(quad)
                count += 1
    return count


def _under(term: object, prefix: str) -> bool:
    value = getattr(term, "value", "")
    return value == prefix or value.startswith(prefix + "/")
