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
   :mod:`~metkg.extract.dates` parse results and dates;
5. :mod:`~metkg.extract.record` assembles a ``machine-extracted``
   :class:`~metkg.records.models.CaseRecord`.

>>> from metkg.settings import Settings
>>> record = extract_text("A 62-year-old man with lung adenocarcinoma had brain metastases.",
...                       "abstract.txt", Settings().ontology_dir)
>>> record.patients[0].age, [lesion.site for lesion in record.patients[0].lesions]
(62, ['lung', 'brain'])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from metkg.errors import ExtractionError, RecordValidationError
from metkg.extract.record import build_record, extract_text, record_yaml
from metkg.records.loader import LoadedRecord, load_records, parse_record_text
from metkg.records.models import CaseRecord
from metkg.records.validate import validate_records
from metkg.terminology import load_terminology

__all__ = [
    "build_record",
    "check_draft",
    "check_drafts",
    "derived_comments",
    "draft_yaml",
    "extract_file",
    "extract_files",
    "extract_text",
    "output_path",
    "record_yaml",
]

#: Called as ``progress(done, total)`` after each file.
Progress = Callable[[int, int], None]


def extract_file(path: Path, ontology_dir: Path) -> CaseRecord:
    """Extract the draft record of one report file (plain UTF-8 text)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExtractionError(f"cannot read {str(path)!r}: {exc}; give a plain-text (UTF-8) case report") from None
    if not text.strip():
        raise ExtractionError(f"{str(path)!r} is empty; give the text of a case report")
    return extract_text(text, path.name, ontology_dir)


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


def output_path(source: Path, out_dir: Path) -> Path:
    """Where the draft of ``source`` goes in ``out_dir``: the same stem, ``.yaml``."""
    return out_dir / f"{source.stem}.yaml"


def extract_files(
    sources: Sequence[Path], out_dir: Path, ontology_dir: Path, progress: Progress | None = None
) -> list[Path]:
    """Extract every source into ``out_dir`` (created if missing); return the files written.

    A report that cannot be extracted does not stop the others: every draft that can be made
    is written, then one :class:`~metkg.errors.ExtractionError` names the reports that failed.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    failures: list[str] = []
    for i, source in enumerate(sources, start=1):
        try:
            record = extract_file(source, ontology_dir)
        except ExtractionError as exc:
            failures.append(str(exc))
        except Exception as exc:  # a bug on one report must not lose the drafts of the others
            failures.append(f"{source.name}: {type(exc).__name__}: {exc}")
        else:
            target = output_path(source, out_dir)
            target.write_text(draft_yaml(record, _header(source), ontology_dir), encoding="utf-8")
            written.append(target)
        if progress is not None:
            progress(i, len(sources))
    if failures:
        listing = "\n  ".join(failures)
        raise ExtractionError(
            f"{len(failures)} of {len(sources)} reports could not be extracted "
            f"({len(written)} drafts were written to {str(out_dir)!r}):\n  {listing}"
        )
    return written


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
