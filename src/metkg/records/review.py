"""A record's facts, each beside the passage of its source that states it: what a reviewer reads.

:func:`facts` walks a record and yields one :class:`Fact` per item that carries evidence (a
lesion, a specimen, a biomarker result, an intervention, an outcome ...), in the record's own
order, with a one-line summary of its values and each quote placed in its source text. A quote
with a character span is placed there; a quote without one is looked for in the text. The
context is the sentence-sized window around the quote, so a reviewer sees the negation, the
hedge or the other patient that a quote taken alone would hide.

>>> from metkg.records.models import CaseRecord
>>> text = "A 62-year-old man. The liver biopsy was negative for TTF-1 and positive for CDX2."
>>> record = CaseRecord.model_validate({
...     "id": "x", "status": "machine-extracted", "report": {"doi": "10.1000/x"},
...     "sources": {"main": {"file": "x.txt"}},
...     "patients": [{"index": 1, "sex": "male", "age": 62, "evidence": ["A 62-year-old man"],
...         "specimens": [{"id": "liver-biopsy", "procedure": "biopsy", "site": "liver",
...             "evidence": ["liver biopsy"],
...             "results": [{"marker": "CDX2", "status": "positive", "evidence": ["positive for CDX2"]}]}]}]})
>>> [f.path for f in facts(record, {"main": text})]
['patient 1', 'patient 1 / specimen liver-biopsy', 'patient 1 / specimen liver-biopsy / result 1']
>>> last = list(facts(record, {"main": text}))[-1]
>>> last.summary, last.quotes[0].start, last.quotes[0].before[-23:]
('CDX2 positive', 63, 'negative for TTF-1 and ')
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from metkg.records.models import (
    BiomarkerResult,
    CaseRecord,
    Evidence,
    Intervention,
    Lesion,
    Outcome,
    Patient,
    Specimen,
)

__all__ = ["Fact", "PlacedQuote", "facts"]

#: Characters of context shown on each side of a quote, cut back to a sentence or line boundary.
CONTEXT = 160


@dataclass(frozen=True)
class PlacedQuote:
    """A quote and where it stands in its source; ``start`` is ``None`` when it was not found."""

    quote: str
    source: str
    start: int | None
    before: str = ""
    after: str = ""

    @property
    def found(self) -> bool:
        return self.start is not None


@dataclass
class Fact:
    """One item of a record that carries evidence."""

    path: str
    kind: str
    summary: str
    quotes: list[PlacedQuote] = field(default_factory=list)
    note: str | None = None


def _words(*values: Any) -> str:
    return " ".join(str(v) for v in values if v not in (None, "", []))


def _summary(item: BaseModel) -> str:
    """The values of a fact in a few words, in the order a clinician would say them."""
    if isinstance(item, Patient):
        return _words(item.sex, f"aged {item.age}" if item.age is not None else None)
    if isinstance(item, Lesion):
        return _words(item.kind, item.histology, "of the" if item.site else None, item.site, item.diagnosis_date)
    if isinstance(item, Specimen):
        return _words(item.procedure, "of the" if item.site else None, item.site, item.date)
    if isinstance(item, BiomarkerResult):
        percent = f"{item.comparator or ''}{item.percent:g}%" if item.percent is not None else None
        assay = item.assay if item.assay != "IHC" else None
        return _words(item.marker, assay, item.status, item.score, percent, item.pattern)
    if isinstance(item, Intervention):
        drugs = ", ".join(d.drug for d in item.drugs) or None
        dose = f"{item.dose_gy:g} Gy" if item.dose_gy is not None else None
        return _words(item.type, item.procedure, drugs, dose, item.start)
    if isinstance(item, Outcome):
        return _words(item.vital_status, item.disease_status, item.death_date or item.last_follow_up)
    values = item.model_dump(exclude={"evidence", "conflicts", "note"}, exclude_none=True, exclude_defaults=True)
    return _words(*(v for v in values.values() if not isinstance(v, list | dict)))


def _cut_before(text: str) -> str:
    """The end of ``text`` from the last sentence or paragraph start in it."""
    ends = [m.end() for m in re.finditer(r"[.!?]\s+|\n\s*\n", text)]
    return text[ends[-1] :] if ends else text


def _cut_after(text: str) -> str:
    """The start of ``text`` up to its first sentence or paragraph end."""
    match = re.search(r"[.!?](?=\s)|\n\s*\n", text)
    return text[: match.end()] if match else text


def _flat(text: str) -> str:
    """Line breaks of the source (PDF text is broken at every line) read as spaces."""
    return re.sub(r"\s+", " ", text)


def place(evidence: Evidence, source: str, text: str | None) -> PlacedQuote:
    """Where a quote stands in its source text, with the sentence around it."""
    if text is None:
        return PlacedQuote(evidence.quote, source, None)
    start = evidence.start
    if start is None or text[start : start + len(evidence.quote)] != evidence.quote:
        found = text.find(evidence.quote)
        start = found if found >= 0 else None
    if start is None:
        return PlacedQuote(evidence.quote, source, None)
    end = start + len(evidence.quote)
    before = _flat(_cut_before(text[max(0, start - CONTEXT) : start]))
    after = _flat(_cut_after(text[end : end + CONTEXT]))
    return PlacedQuote(evidence.quote, source, start, before, after)


def _name(item: BaseModel, position: int) -> str:
    if isinstance(item, Patient):
        return f"patient {item.index}"
    ident = getattr(item, "id", None)
    kind = type(item).__name__
    kind = {"BiomarkerResult": "result", "ResponseAssessment": "response"}.get(kind, kind.lower())
    return f"{kind} {ident}" if ident else f"{kind} {position + 1}"


def _walk(item: Any, path: tuple[str, ...], position: int) -> Iterator[tuple[tuple[str, ...], BaseModel]]:
    if isinstance(item, list):
        for i, child in enumerate(item):
            yield from _walk(child, path, i)
        return
    if not isinstance(item, BaseModel) or isinstance(item, Evidence):
        return
    here = path
    if "evidence" in type(item).model_fields:
        here = (*path, _name(item, position))
        yield here, item
    for name in type(item).model_fields:
        if name not in ("evidence", "conflicts"):
            yield from _walk(getattr(item, name), here, 0)


def facts(record: CaseRecord, texts: Mapping[str, str | None]) -> Iterator[Fact]:
    """Every fact of ``record`` with its quotes placed in ``texts`` (source id -> text or ``None``)."""
    default = record.default_source()
    for patient in record.patients:
        for path, item in _walk(patient, (), 0):
            quotes = [
                place(ev, ev.source or default, texts.get(ev.source or default)) for ev in getattr(item, "evidence", [])
            ]
            kind = _name(item, 0).split()[0]
            yield Fact(" / ".join(path), kind, _summary(item), quotes, getattr(item, "note", None))
