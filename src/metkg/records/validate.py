"""Checks a case record against the ontology and against itself.

The models check each value's form; this module checks what needs more than one value:
ontology keys, references between objects, duplicate ids, two results of one marker on one
specimen that contradict each other without a declared source conflict
(:func:`result_contradictions`), and that every evidence quote occurs in its source when the
source text is at hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

from metkg.errors import Issue, RecordValidationError
from metkg.records.loader import LoadedRecord
from metkg.records.models import UNLISTED_MARKER_NOTE, BiomarkerResult, CaseRecord, Evidence, Patient
from metkg.terminology import Terminology

__all__ = [
    "Duplicates",
    "corpus_file",
    "find_quote",
    "iter_evidence",
    "record_issues",
    "result_contradictions",
    "source_text",
    "validate_records",
]

_P = tuple[str | int, ...]


@lru_cache(maxsize=64)
def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def corpus_file(corpus_dir: Path, name: str) -> Path | None:
    """The file ``name`` inside ``corpus_dir``, or ``None`` when it would lie outside it.

    A record names its source by a path relative to the corpus folder: an absolute path, a
    ``..`` part or a symbolic link that leads out of the folder is refused, so a record can
    never make a check read another file of the host.

    >>> corpus_file(Path("/srv/corpus"), "/etc/passwd") is None
    True
    >>> corpus_file(Path("/srv/corpus"), "sub/../../etc/passwd") is None
    True
    """
    relative_name = Path(name)
    if not name or relative_name.is_absolute() or ".." in relative_name.parts:
        return None
    root = corpus_dir.resolve()
    try:
        target = (root / relative_name).resolve()
    except (OSError, RuntimeError):  # a symbolic link loop
        return None
    return target if target.is_relative_to(root) else None


def source_text(record: CaseRecord, source_id: str, corpus_dir: Path | None) -> str | None:
    """The text of a record's source, if it names a file found inside ``corpus_dir``."""
    source = record.sources.get(source_id)
    if source is None or source.file is None or corpus_dir is None:
        return None
    path = corpus_file(corpus_dir, source.file)
    return None if path is None else _read(path)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def find_quote(quote: str, text: str) -> bool:
    """Whether ``quote`` occurs in ``text``, exactly or up to line breaks and runs of spaces.

    >>> find_quote("PR (60%)", "ER (>90%), PR (60%), HER2 (1+)")
    True
    >>> find_quote("partial\\nresponse", "a partial response")
    True
    """
    return quote in text or _normalise(quote) in _normalise(text)


def _holds_models(annotation: Any) -> bool:
    """Whether a field's type may hold a model (and so evidence), at any depth."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_models(arg) for arg in get_args(annotation))


@cache
def _model_fields(cls: type[BaseModel]) -> tuple[str, ...]:
    """The fields of a model class that may hold evidence: the others are never walked."""
    return tuple(name for name, info in cls.model_fields.items() if _holds_models(info.annotation))


def iter_evidence(obj: Any, path: _P = ()) -> Iterator[tuple[_P, Evidence]]:
    """Every evidence item under a record or a part of it, with its YAML path."""
    if isinstance(obj, Evidence):
        yield path, obj
        return
    if isinstance(obj, BaseModel):
        for name in _model_fields(type(obj)):
            yield from iter_evidence(getattr(obj, name), (*path, name))
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from iter_evidence(item, (*path, i))
    elif isinstance(obj, dict):
        for key, item in obj.items():
            yield from iter_evidence(item, (*path, key))


_HER2_SCORE = {"0": "negative", "1+": "negative", "3+": "positive"}


def _polarity(result: BiomarkerResult) -> str | None:
    """Positive or negative as a result states it (a HER2 IHC score counts), else ``None``."""
    if result.status in ("positive", "negative"):
        return result.status
    if result.marker.lower().startswith("her2") and result.status is None and result.score:
        return _HER2_SCORE.get(result.score)
    return None


def _quotes(result: BiomarkerResult) -> str:
    return " / ".join(repr(ev.quote) for ev in result.evidence)


def result_contradictions(record: CaseRecord) -> list[tuple[_P, str]]:
    """Two results of one marker on one specimen that contradict each other (HER2 positive and
    HER2 negative), as (YAML path of the later result, message naming both quotes).

    A pair where either result declares a source conflict (``conflicts:`` with a resolution)
    is the source's own contradiction, recorded and resolved, and is not reported.
    """
    found: list[tuple[_P, str]] = []
    for i, patient in enumerate(record.patients):
        for j, specimen in enumerate(patient.specimens):
            first: dict[str, tuple[int, BiomarkerResult]] = {}
            for k, result in enumerate(specimen.results):
                polarity = _polarity(result)
                if polarity is None:
                    continue
                if result.marker not in first:
                    first[result.marker] = (k, result)
                    continue
                k0, r0 = first[result.marker]
                if _polarity(r0) != polarity and not (r0.conflicts or result.conflicts):
                    message = (
                        f"{result.marker} is stated {_polarity(r0)} (results[{k0}]: {_quotes(r0)}) and {polarity} "
                        f"({_quotes(result)}) on specimen {specimen.id!r}; correct the record, or declare the "
                        "source's contradiction: `conflicts:` on one result with both statements and a resolution"
                    )
                    found.append((("patients", i, "specimens", j, "results", k), message))
    return found


class _Checker:
    def __init__(self, loaded: LoadedRecord, terminology: Terminology, corpus_dir: Path | None):
        self.loaded = loaded
        self.record = loaded.record
        self.terms = terminology
        self.corpus_dir = corpus_dir
        self.issues: list[Issue] = []

    def issue(self, path: Sequence[str | int], message: str) -> None:
        field = ""
        for part in path:
            field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
        self.issues.append(Issue(self.loaded.name, self.loaded.lines.line(path), field or "(record)", message))

    def key(self, category: str, value: str | None, path: _P) -> None:
        if value is None or self.terms.get(category, value) is not None:
            return
        suggestions = self.terms.suggest(category, value)
        hint = f"did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        known = self.terms.keys(category)
        listing = ", ".join(known[:40]) + (", ..." if len(known) > 40 else "")
        self.issue(
            path,
            f"unknown {category} {value!r}. {hint} Allowed: {listing}. "
            f"A new {category} is added to ontology/terms.ttl with a metkg:key.".replace(".  ", ". "),
        )

    def marker(self, result: BiomarkerResult, path: _P) -> None:
        """A result's marker is an ontology key; a machine-extracted draft may keep a marker the
        ontology lacks when it says so in the note, which a curated record must resolve."""
        flagged = (result.note or "").startswith(UNLISTED_MARKER_NOTE)
        if flagged and self.record.status == "machine-extracted":
            return
        self.key("marker", result.marker, path)

    def unique(self, items: Sequence[Any], path: _P, what: str) -> set[str]:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                self.issue((*path, i, "id"), f"duplicate {what} id {item.id!r}; ids must be unique within a patient")
            seen.add(item.id)
        return seen

    def ref(self, value: str | None, known: set[str], path: _P, what: str) -> None:
        if value is not None and value not in known:
            options = ", ".join(sorted(known)) or "none defined"
            self.issue(path, f"refers to a missing {what} {value!r}; this patient's {what} ids: {options}")

    def run(self) -> list[Issue]:
        indexes: set[int] = set()
        for i, patient in enumerate(self.record.patients):
            path: _P = ("patients", i)
            if patient.index in indexes:
                self.issue((*path, "index"), f"duplicate patient index {patient.index}")
            indexes.add(patient.index)
            self.patient(patient, path)
        for path, message in result_contradictions(self.record):
            self.issue(path, message)
        self.source_files()
        self.evidence()
        return self.issues

    def patient(self, patient: Patient, path: _P) -> None:
        lesions = self.unique(patient.lesions, (*path, "lesions"), "lesion")
        specimens = self.unique(patient.specimens, (*path, "specimens"), "specimen")
        interventions = self.unique(patient.interventions, (*path, "interventions"), "intervention")
        self.unique(patient.responses, (*path, "responses"), "response")
        self.unique(patient.lab_findings, (*path, "lab_findings"), "lab finding")
        primaries = {lesion.id for lesion in patient.lesions if lesion.kind == "primary"}
        for j, lesion in enumerate(patient.lesions):
            lp = (*path, "lesions", j)
            self.key("histology", lesion.histology, (*lp, "histology"))
            self.key("site", lesion.site, (*lp, "site"))
            if lesion.primary is not None and lesion.primary not in primaries:
                kind = "lesion" if lesion.primary in lesions else "primary lesion"
                self.ref(lesion.primary, primaries, (*lp, "primary"), kind)
        for j, specimen in enumerate(patient.specimens):
            sp = (*path, "specimens", j)
            self.key("procedure", specimen.procedure, (*sp, "procedure"))
            self.key("site", specimen.site, (*sp, "site"))
            self.ref(specimen.lesion, lesions, (*sp, "lesion"), "lesion")
            for k, result in enumerate(specimen.results):
                self.marker(result, (*sp, "results", k, "marker"))
        for j, intervention in enumerate(patient.interventions):
            ip = (*path, "interventions", j)
            self.key("procedure", intervention.procedure, (*ip, "procedure"))
            for k, drug in enumerate(intervention.drugs):
                self.key("drug", drug.drug, (*ip, "drugs", k, "drug"))
            for k, target in enumerate(intervention.targets):
                self.ref(target, lesions, (*ip, "targets", k), "lesion")
        for j, response in enumerate(patient.responses):
            rp = (*path, "responses", j)
            self.ref(response.intervention, interventions, (*rp, "intervention"), "intervention")
            self.ref(response.lesion, lesions, (*rp, "lesion"), "lesion")
        for j, finding in enumerate(patient.germline):
            self.key("gene", finding.gene, (*path, "germline", j, "gene"))
        if patient.journey is not None:
            self.ref(patient.journey.confirmed_by, specimens, (*path, "journey", "confirmed_by"), "specimen")
            self.ref(patient.journey.lesion, lesions, (*path, "journey", "lesion"), "lesion")

    def source_files(self) -> None:
        """Refuse a source file named outside the corpus folder (absolute, ``..``, a link out of it)."""
        if self.corpus_dir is None:
            return
        for source_id, source in self.record.sources.items():
            if source.file is not None and corpus_file(self.corpus_dir, source.file) is None:
                self.issue(
                    ("sources", source_id, "file"),
                    f"source file {source.file!r} is not inside the corpus folder; name it by its path "
                    "relative to that folder (no absolute path, no '..', no link out of it)",
                )

    def evidence(self) -> None:
        default = self.record.default_source()
        for path, ev in iter_evidence(self.record):
            source_id = ev.source or default
            if source_id not in self.record.sources:
                known = ", ".join(self.record.sources)
                self.issue((*path, "source"), f"unknown source {source_id!r}; this record's sources: {known}")
                continue
            text = source_text(self.record, source_id, self.corpus_dir)
            if text is None:
                continue
            if ev.start is not None and ev.end is not None:
                if text[ev.start : ev.end] != ev.quote:  # never quote the file: only the record's own text
                    self.issue(path, _span_message(ev.quote, ev.start, ev.end, text))
            elif not find_quote(ev.quote, text):
                file = self.record.sources[source_id].file
                self.issue(path, f"quote {ev.quote!r} does not occur in source {file!r}; quote the source verbatim")


def _span_message(quote: str, start: int, end: int, text: str) -> str:
    """Why a quote's span is wrong, without a word of the source's text.

    >>> _span_message("ER (>90%)", 0, 9, "... ER (>90%) ...")
    "quote 'ER (>90%)' is not the text at 0-9 of its source; it occurs at 4-13"
    """
    where = text.find(quote)
    hint = f"it occurs at {where}-{where + len(quote)}" if where >= 0 else "it does not occur in the source"
    return f"quote {quote!r} is not the text at {start}-{end} of its source; {hint}"


def record_issues(loaded: LoadedRecord, terminology: Terminology, corpus_dir: Path | None = None) -> list[Issue]:
    """The problems of one record on its own (the checks across records are
    :func:`validate_records`'s): ontology keys, references, evidence quotes."""
    return _Checker(loaded, terminology, corpus_dir).run()


class Duplicates:
    """Record ids and DOIs met so far, across files: one record per id, one per report."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.dois: dict[str, str] = {}

    def check(self, record_id: str, doi: str, name: str, id_line: int | None, doi_line: int | None) -> list[Issue]:
        """The problems of the record ``name`` with these id and DOI, which are then remembered."""
        issues = []
        if record_id in self.ids:
            issues.append(
                Issue(name, id_line, "id", f"duplicate record id {record_id!r}, also used by {self.ids[record_id]}")
            )
        if doi in self.dois:
            message = f"duplicate DOI {doi!r}, also in {self.dois[doi]}; one record per report"
            issues.append(Issue(name, doi_line, "report.doi", message))
        self.ids.setdefault(record_id, name)
        self.dois.setdefault(doi, name)
        return issues


def validate_records(loaded: Sequence[LoadedRecord], terminology: Terminology, corpus_dir: Path | None = None) -> None:
    """Check every record; raise one :class:`RecordValidationError` listing all problems."""
    issues: list[Issue] = []
    duplicates = Duplicates()
    for item in loaded:
        issues += _Checker(item, terminology, corpus_dir).run()
        rec, lines = item.record, item.lines
        issues += duplicates.check(
            rec.id, rec.report.doi, item.name, lines.line(("id",)), lines.line(("report", "doi"))
        )
    if issues:
        raise RecordValidationError(issues)
