"""Records -> N-Quads in worker processes, bulk-loaded while they work: the streamed build.

A build without SHACL and reasoning needs each record only long enough to check and map it, so
records are read, validated and mapped in chunks by a pool of worker processes (one per core),
and their N-Quads text is bulk-loaded into the new store by a loader thread while the workers go
on. Memory stays bounded (a few chunks in flight) whatever the number of cases, and every check
of :func:`metkg.build.load_and_validate` still runs: a chunk reports the problems of its files,
the parent adds the checks across files (duplicate record ids and DOIs), and a build with any
problem loads nothing that is ever published.
"""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.pool
import os
import queue
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from metkg.build import count_records
from metkg.errors import Issue, RecordValidationError
from metkg.iris import inferred_graph
from metkg.mapping import map_record_nquads, triples_nquads
from metkg.reasoning import case_inferences, classify_records, raise_contradictions
from metkg.records.loader import load_record
from metkg.records.validate import Duplicates, record_issues
from metkg.settings import Settings
from metkg.terminology import Terminology, load_terminology

__all__ = ["Chunk", "IngestResult", "ingest"]

#: Records per task sent to a worker: large enough to amortise the round trip, small enough
#: to keep every worker busy and the memory in flight small.
CHUNK_RECORDS = 100
#: Quads handed to the store's bulk loader in one call (it sorts each call's quads in memory).
LOAD_BATCH_QUADS = 500_000
#: Threads calling the store's bulk loader at once.
LOADER_THREADS = 2
#: Below this many files the records are processed in the calling process: starting workers
#: would cost more than it saves.
PARALLEL_MIN_FILES = 400

Progress = Callable[[str, int, int], None]


@dataclass
class Chunk:
    """What a worker made of a chunk of record files."""

    nquads: bytes = b""
    quads: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    #: (record id, DOI, file name, line of the id, line of the DOI) of each valid record.
    identities: list[tuple[str, str, str, int | None, int | None]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    #: Quads of the inferred graph (with the rules), and contradictions by record id.
    inferred: int = 0
    contradictions: dict[str, list[str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=lambda: {"load_validate": 0.0, "map": 0.0, "rules": 0.0})


@dataclass
class IngestResult:
    """What went into the store: counts of records and quads, and worker seconds per stage."""

    counts: Counter[str]
    quads: int
    inferred: int
    seconds: dict[str, float]
    workers: int


_WORKER: dict[str, object] = {}


def _init_worker(settings: Settings, rules: bool) -> None:
    gc.enable()  # a forked worker inherits the build's paused collector; its records are short-lived
    _WORKER.update(terms=load_terminology(settings.ontology_dir.resolve()), settings=settings, rules=rules)


def process_chunk(paths: Sequence[Path]) -> Chunk:
    """Read, validate and map ``paths`` (in a worker after :func:`_init_worker`); with the
    rules, also classify each case and derive its facts into the inferred graph."""
    terms: Terminology = _WORKER["terms"]  # type: ignore[assignment]
    settings: Settings = _WORKER["settings"]  # type: ignore[assignment]
    corpus, base = settings.corpus_dir, settings.base_iri
    inferred_graph_iri = inferred_graph(base)
    chunk = Chunk()
    parts: list[str] = []
    for path in paths:
        clock = time.process_time()
        try:
            loaded = load_record(path)
        except RecordValidationError as exc:
            chunk.issues += exc.issues
            continue
        problems = record_issues(loaded, terms, corpus)
        mapped = time.process_time()
        chunk.seconds["load_validate"] += mapped - clock
        if problems:
            chunk.issues += problems
            continue
        record = loaded.record
        text, quads = map_record_nquads(record, terms, base)
        parts.append(text)
        chunk.quads += quads
        chunk.counts.update(count_records([record]))
        lines = loaded.lines
        chunk.identities.append(
            (record.id, record.report.doi, loaded.name, lines.line(("id",)), lines.line(("report", "doi")))
        )
        derived = time.process_time()
        chunk.seconds["map"] += derived - mapped
        if _WORKER["rules"]:
            for _, view, types, contradictions in classify_records([record], terms, settings):
                if contradictions:
                    chunk.contradictions[record.id] = contradictions
                    continue
                unique = dict.fromkeys(case_inferences(view, types, terms))  # a class reached twice is one quad
                text, quads = triples_nquads(unique, inferred_graph_iri)
                parts.append(text)
                chunk.inferred += quads
            chunk.seconds["rules"] += time.process_time() - derived
    chunk.nquads = "".join(parts).encode("utf-8")
    return chunk


class _Loaders:
    """Threads that bulk-load the N-Quads handed to them, in batches, while the caller goes on.

    Oxigraph's bulk loader keeps about one core busy per call; with two threads loading
    different batches at once, the store uses the cores the workers leave idle.
    """

    def __init__(self, store: pyoxigraph.Store, threads: int, in_flight: int):
        self.store = store
        self.inbox: queue.Queue[Chunk | None] = queue.Queue(maxsize=in_flight)
        self.error: BaseException | None = None
        self.lock = threading.Lock()
        self.seconds = 0.0
        self.threads = [
            threading.Thread(target=self._run, name=f"metkg-bulk-load-{i}", daemon=True) for i in range(threads)
        ]
        for thread in self.threads:
            thread.start()

    def _run(self) -> None:
        batch: list[bytes] = []
        size = 0
        while True:
            chunk = self.inbox.get()
            if chunk is not None and self.error is None:
                batch.append(chunk.nquads)
                size += chunk.quads + chunk.inferred
            if batch and (chunk is None or size >= LOAD_BATCH_QUADS):
                self._load(b"".join(batch))
                batch, size = [], 0
            if chunk is None:
                return

    def _load(self, data: bytes) -> None:
        if self.error is not None:
            return
        clock = time.perf_counter()
        try:
            self.store.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS)
        except BaseException as exc:  # re-raised by the caller
            self.error = exc
        with self.lock:
            self.seconds += time.perf_counter() - clock

    def put(self, chunk: Chunk) -> None:
        self.inbox.put(chunk)

    def close(self) -> None:
        """Load what is left and wait for every thread."""
        for _ in self.threads:
            self.inbox.put(None)
        for thread in self.threads:
            thread.join()


def _context() -> multiprocessing.context.BaseContext:
    """Fork where it is safe (Linux, no other thread yet): workers start at once with the
    ontology already parsed; spawn elsewhere."""
    if sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _chunks(files: Sequence[Path], pool: multiprocessing.pool.Pool | None, workers: int) -> Iterator[Chunk]:
    """The chunks of ``files`` processed in order: by the pool, or here when there is none."""
    tasks = [list(files[i : i + CHUNK_RECORDS]) for i in range(0, len(files), CHUNK_RECORDS)]
    if pool is None:
        for task in tasks:
            yield process_chunk(task)
        return
    # A window of tasks in flight: the workers never wait, and no more than a few chunks'
    # N-Quads ever sit in memory when the store is the slower side.
    window = 3 * workers
    pending = [pool.apply_async(process_chunk, (task,)) for task in tasks[:window]]
    submitted = len(pending)
    while pending:
        chunk = pending.pop(0).get()
        if submitted < len(tasks):
            pending.append(pool.apply_async(process_chunk, (tasks[submitted],)))
            submitted += 1
        yield chunk


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def ingest(
    files: Sequence[Path],
    store: pyoxigraph.Store,
    settings: Settings,
    *,
    rules: bool = False,
    workers: int | None = None,
    progress: Progress | None = None,
) -> IngestResult:
    """Validate, map (and with ``rules`` classify and derive) ``files`` and bulk-load them into
    ``store``. Raise one :class:`RecordValidationError` listing every problem of every file if
    there is any, or :class:`~metkg.errors.InconsistentRecordError` for a contradictory case;
    the store then holds a part of the records and must be thrown away, as the build does.
    """
    workers = workers or default_workers()
    if workers > 1 and len(files) >= PARALLEL_MIN_FILES:
        # Before the loader threads start: forking is safe only while this is the only thread.
        pool = _context().Pool(workers, initializer=_init_worker, initargs=(settings, rules))
    else:
        pool, workers = None, 1
        _init_worker(settings, rules)
    loader = _Loaders(store, threads=LOADER_THREADS, in_flight=2 * max(workers, 2))
    counts: Counter[str] = Counter()
    seconds = {"load_validate": 0.0, "map": 0.0, "rules": 0.0}
    quads = inferred = 0
    issues: list[Issue] = []
    contradictions: dict[str, list[str]] = {}
    duplicates = Duplicates()
    done = 0
    try:
        for chunk in _chunks(files, pool, workers):
            issues += chunk.issues
            contradictions.update(chunk.contradictions)
            for identity in chunk.identities:
                issues += duplicates.check(*identity)
            for stage, value in chunk.seconds.items():
                seconds[stage] += value
            done += len(chunk.identities) + len({issue.file for issue in chunk.issues})
            if not issues and not contradictions:
                counts.update(chunk.counts)
                quads += chunk.quads
                inferred += chunk.inferred
                loader.put(chunk)
            if progress is not None:
                progress("build", min(done, len(files)), len(files))
            if loader.error is not None:
                break
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        loader.close()
    if issues:
        raise RecordValidationError(issues)
    if contradictions:
        raise_contradictions(contradictions)
    if loader.error is not None:
        raise loader.error
    if not rules:
        del seconds["rules"]
    seconds["store"] = loader.seconds
    return IngestResult(counts, quads, inferred, seconds, workers)
