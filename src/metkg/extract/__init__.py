"""Draft case records from case-report text, every fact with its evidence.

The stages, each a module of pure functions with a thin spaCy layer in
:mod:`~metkg.extract.pipeline`:

1. :mod:`~metkg.extract.sections` labels the regions of PDF-to-text output (sections,
   captions, tables, reference lists, running headers);
2. :mod:`~metkg.extract.text` cleans the narrative and keeps the map to the original
   characters, so every quote is ``original[start:end]``;
3. :mod:`~metkg.extract.report` runs the spaCy pipeline (ontology terms, abbreviations,
   negation, hypothetical clauses) and places dates on a timeline;
4. :mod:`~metkg.extract.patient`, :mod:`~metkg.extract.specimens` and
   :mod:`~metkg.extract.treatments` read the facts; :mod:`~metkg.extract.biomarkers` and
   :mod:`~metkg.extract.dates` parse results and dates, :mod:`~metkg.extract.operations` the
   procedures a sentence names and the organ an operation removes;
5. :mod:`~metkg.extract.record` assembles a ``machine-extracted``
   :class:`~metkg.records.models.CaseRecord`.

>>> from metkg.settings import Settings
>>> record = extract_text("A 62-year-old man with lung adenocarcinoma had brain metastases.",
...                       "abstract.txt", Settings().ontology_dir)
>>> record.patients[0].age, [lesion.site for lesion in record.patients[0].lesions]
(62, ['lung', 'brain'])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from metkg.errors import ExtractionError, RecordValidationError
from metkg.extract.literature import literature_records
from metkg.extract.readers import Document, Metadata, read_document
from metkg.extract.record import build_record, extract_text, record_yaml
from metkg.records.loader import LoadedRecord, load_records, parse_record_text
from metkg.records.models import CaseRecord, Patient, Publication
from metkg.records.validate import validate_records
from metkg.terminology import load_terminology

__all__ = [
    "BatchSummary",
    "Extraction",
    "build_record",
    "check_draft",
    "check_drafts",
    "derived_comments",
    "draft_yaml",
    "extract_document",
    "extract_file",
    "extract_files",
    "extract_text",
    "output_bases",
    "output_path",
    "record_yaml",
    "write_extraction",
]

#: Called as ``progress(done, total)`` after each file.
Progress = Callable[[int, int], None]


@dataclass
class Extraction:
    """What one report file gives: its normalised text, its draft and its literature-table drafts."""

    source: Path
    document: Document
    record: CaseRecord
    literature: list[CaseRecord] = field(default_factory=list)
    base: str = ""

    @property
    def text_name(self) -> str:
        """The file name of the normalised text the quotes refer to."""
        return _text_name(self.source, self.document, self.base or self.source.stem)

    @property
    def records(self) -> list[CaseRecord]:
        return [self.record, *self.literature]


def _with_metadata(record: CaseRecord, meta: Metadata) -> CaseRecord:
    """The record with the front matter a structured format states (JATS, HTML meta tags)."""
    if not meta.doi:
        return record
    report = Publication(
        doi=meta.doi,
        title=meta.title or record.report.title,
        journal=meta.journal,
        year=meta.year or record.report.year,
        authors=list(meta.authors),
        licence=meta.licence,
    )
    sources = {
        k: v.model_copy(update={"doi": meta.doi}) if i == 0 else v for i, (k, v) in enumerate(record.sources.items())
    }
    return record.model_copy(update={"report": report, "sources": sources, "note": None})


def _with_pages(record: CaseRecord, document: Document) -> CaseRecord:
    """Every quote of a paged document (PDF) with the page it is on."""
    if not document.page_starts:
        return record

    def walk(value: object) -> object:
        if isinstance(value, dict):
            if "quote" in value and value.get("start") is not None:
                return {**value, "page": document.page_of(value["start"])}
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return CaseRecord.model_validate(walk(record.model_dump()))


def _text_name(source: Path, document: Document, base: str) -> str:
    return source.name if document.format == "text" else f"{base}.txt"


def extract_document(path: Path, ontology_dir: Path, base: str | None = None) -> Extraction:
    """Read a report file in any supported format and extract its drafts.

    ``base`` names the outputs (``BASE.yaml``, ``BASE.txt``); the file's stem by default.
    Raises :class:`~metkg.errors.ExtractionError` naming the file, what is wrong and what to do.
    """
    base = base or path.stem
    document = read_document(path)
    name = _text_name(path, document, base)
    record = _with_metadata(extract_text(document.text, name, ontology_dir), document.metadata)
    main = record.sources[record.default_source()]
    literature = literature_records(document, name, record.id, main.doi, ontology_dir)
    literature = [_with_pages(r, document) for r in literature]
    return Extraction(path, document, _with_pages(record, document), literature, base)


def extract_file(path: Path, ontology_dir: Path) -> CaseRecord:
    """Extract the draft record of one report file (any supported format)."""
    return extract_document(path, ontology_dir).record


def output_path(source: Path, out_dir: Path, base: str | None = None) -> Path:
    """Where the draft of ``source`` goes in ``out_dir``: the same stem (or ``base``), ``.yaml``."""
    return out_dir / f"{base or source.stem}.yaml"


def output_bases(sources: Sequence[Path]) -> list[str]:
    """Names for the outputs of a batch: the stem, with the format added where stems repeat.

    >>> output_bases([Path("a.pdf"), Path("a.xml"), Path("b.txt")])
    ['a-pdf', 'a-xml', 'b']
    """
    stems = Counter(p.stem for p in sources)
    return [p.stem if stems[p.stem] == 1 else f"{p.stem}-{p.suffix.lstrip('.').lower() or 'file'}" for p in sources]


def write_extraction(extraction: Extraction, out_dir: Path, ontology_dir: Path | None = None) -> list[Path]:
    """Write the drafts and the normalised text into ``out_dir``; return the drafts written.

    Given the ``ontology_dir``, each draft ends with the receptor conversions the build derives."""
    out_dir.mkdir(parents=True, exist_ok=True)
    text_path = out_dir / extraction.text_name
    if not (text_path.exists() and text_path.resolve() == extraction.source.resolve()):
        text_path.write_text(extraction.document.text, encoding="utf-8")
    header = _header(extraction.source)
    own = output_path(extraction.source, out_dir, extraction.base)
    targets = [own] + [out_dir / f"{r.id}.yaml" for r in extraction.literature]
    for target, record in zip(targets, extraction.records, strict=True):
        text = draft_yaml(record, header, ontology_dir) if ontology_dir else record_yaml(record, header)
        target.write_text(text, encoding="utf-8")
    return targets


@dataclass
class BatchSummary:
    """What a batch did: files read, drafted and failed; patients; facts by kind.

    ``skipped`` lists literature-table drafts left out because the batch already drafts the
    same publication (from its own report, or from an earlier table that cites it).
    """

    files: int = 0
    written: list[Path] = field(default_factory=list)
    drafted: int = 0
    failures: list[str] = field(default_factory=list)
    patients: int = 0
    facts: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    _drafts: list[tuple[Path, CaseRecord, bool]] = field(default_factory=list, repr=False)

    def add(self, written: Sequence[Path], records: Sequence[CaseRecord]) -> None:
        self.drafted += 1
        for i, (path, record) in enumerate(zip(written, records, strict=True)):
            self._drafts.append((path, record, i == 0))

    def settle(self) -> None:
        """Keep one draft per publication (a report's own draft before a table's), then count."""
        kept: dict[str, Path] = {}
        for path, record, own in sorted(self._drafts, key=lambda d: not d[2]):
            doi = record.report.doi
            if not own and doi in kept:
                path.unlink(missing_ok=True)
                self.skipped.append(f"{path.name}: {doi} is drafted already in {kept[doi].name}")
                continue
            kept.setdefault(doi, path)
            self.written.append(path)
            for patient in record.patients:
                self.patients += 1
                self.facts.update(_facts_of(patient))


def _facts_of(patient: Patient) -> Counter[str]:
    facts: Counter[str] = Counter()
    facts["lesions"] += len(patient.lesions)
    facts["specimens"] += len(patient.specimens)
    facts["biomarker results"] += sum(len(s.results) for s in patient.specimens)
    facts["interventions"] += len(patient.interventions)
    facts["outcomes"] += patient.outcome is not None
    facts["demographics"] += (patient.age is not None) + (patient.sex is not None)
    return facts


def _extract_one(job: tuple[Path, str, Path, Path]) -> tuple[Path, list[Path], list[CaseRecord], str | None]:
    source, base, out_dir, ontology_dir = job
    try:
        extraction = extract_document(source, ontology_dir, base)
        return source, write_extraction(extraction, out_dir, ontology_dir), extraction.records, None
    except ExtractionError as exc:
        return source, [], [], str(exc)
    except Exception as exc:  # a bug on one report must not lose the drafts of the others
        return source, [], [], f"{source.name}: {type(exc).__name__}: {exc}"


def derived_comments(record: CaseRecord, ontology_dir: Path) -> list[str]:
    """The draft's receptor conversions, derived by the build's own rules, as comment lines for
    the end of its YAML: read-only, recomputed by every build, for the reviewer to check."""
    from metkg.reasoning import record_conversions  # the build's path; loaded only to write a draft
    from metkg.settings import Settings

    conversions = record_conversions(record, load_terminology(ontology_dir), Settings(ontology_dir=ontology_dir))
    if not conversions:
        return []
    head = "Derived (read-only, recomputed by the build): receptor conversions between this draft's specimens"
    return ["", head, *(f"  {c.describe()}" for c in conversions)]


def draft_yaml(record: CaseRecord, header: Sequence[str], ontology_dir: Path) -> str:
    """The draft as YAML with a header, and its derived receptor conversions as trailing comments."""
    return record_yaml(record, header, derived_comments(record, ontology_dir))


def extract_files(
    sources: Sequence[Path],
    out_dir: Path,
    ontology_dir: Path,
    progress: Progress | None = None,
    workers: int = 1,
) -> BatchSummary:
    """Extract every source into ``out_dir`` (created if missing), in ``workers`` processes.

    A report that cannot be extracted does not stop the others: every draft that can be made
    is written and the failures are listed in the summary.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = BatchSummary(files=len(sources))
    jobs = [(source, base, out_dir, ontology_dir) for source, base in zip(sources, output_bases(sources), strict=True)]
    if workers > 1 and len(jobs) > 1:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(min(workers, len(jobs))) as pool:
            results = pool.imap_unordered(_extract_one, jobs)
            _collect(results, summary, progress)
    else:
        _collect(map(_extract_one, jobs), summary, progress)
    return summary


def _collect(
    results: Iterable[tuple[Path, list[Path], list[CaseRecord], str | None]],
    summary: BatchSummary,
    progress: Progress | None,
) -> None:
    for i, (_, written, records, failure) in enumerate(results, start=1):
        if failure is not None:
            summary.failures.append(failure)
        else:
            summary.add(written, records)
        if progress is not None:
            progress(i, summary.files)
    summary.settle()


def check_drafts(paths: Sequence[Path], source_dir: Path, ontology_dir: Path) -> None:
    """Load and validate draft files; raise one :class:`~metkg.errors.RecordValidationError`
    listing every problem of every draft."""
    validate_records(load_records(paths), load_terminology(ontology_dir), source_dir)


def check_draft(yaml_text: str, name: str, source_dir: Path, ontology_dir: Path) -> CaseRecord:
    """Load a draft's YAML as :mod:`metkg.records.loader` does and validate it against the
    ontology, with its quotes checked against the source in ``source_dir``.

    Raises :class:`~metkg.errors.RecordValidationError` listing every problem.
    """
    record, lines, issues = parse_record_text(yaml_text, name)
    if issues or record is None:
        raise RecordValidationError(issues)
    validate_records([LoadedRecord(record, Path(name), lines)], load_terminology(ontology_dir), source_dir)
    return record


def _header(source: Path) -> list[str]:
    return [f"Draft extracted by `metkg extract` from {source.name}; review every fact before curating."]
