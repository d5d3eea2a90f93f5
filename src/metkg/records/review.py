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
from metkg.terminology import Terminology

__all__ = ["Fact", "PlacedQuote", "facts", "flags", "place"]

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
    pointer: str = ""
    flags: list[str] = field(default_factory=list)


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


def _walk(
    item: Any, path: tuple[str, ...], pointer: str, position: int
) -> Iterator[tuple[tuple[str, ...], str, BaseModel]]:
    """Every item with evidence under ``item``: its readable path, its JSON pointer, the item."""
    if isinstance(item, list):
        for i, child in enumerate(item):
            yield from _walk(child, path, f"{pointer}/{i}", i)
        return
    if not isinstance(item, BaseModel) or isinstance(item, Evidence):
        return
    here = path
    if "evidence" in type(item).model_fields:
        here = (*path, _name(item, position))
        yield here, pointer, item
    for name in type(item).model_fields:
        if name not in ("evidence", "conflicts"):
            yield from _walk(getattr(item, name), here, f"{pointer}/{name}", 0)


def _contradicted(specimen: Specimen) -> set[str]:
    """Markers of a specimen stated with incompatible statuses."""
    statuses: dict[str, set[str]] = {}
    for result in specimen.results:
        if result.status in ("positive", "negative"):
            statuses.setdefault(result.marker, set()).add(result.status)
    return {marker for marker, found in statuses.items() if len(found) > 1}


def flags(item: BaseModel, terms: Terminology | None = None, draft: bool = True) -> list[str]:
    """What a curator must decide about a fact before the record can be published; in a
    ``draft``, the extractor's notes too (a curated record's notes are the curator's own)."""
    out: list[str] = []
    if isinstance(item, BiomarkerResult) and terms is not None and terms.get("marker", item.marker) is None:
        out.append(f"marker {item.marker!r} is not in the vocabulary: choose a term, or keep it as written")
    if isinstance(item, Intervention) and terms is not None:
        out += [
            f"drug {d.drug!r} is not in the vocabulary: choose a term, or keep it as written"
            for d in item.drugs
            if terms.get("drug", d.drug) is None
        ]
    if isinstance(item, Specimen):
        if item.lesion is None and item.results:
            out.append("unattributed: say which lesion this specimen samples")
        out += [f"contradiction: {marker} is stated both positive and negative" for marker in _contradicted(item)]
    if getattr(item, "conflicts", None):
        out.append("the source states this more than once with different values: check the resolution")
    note = getattr(item, "note", None)
    if draft and note:
        out.append(f"extractor's note: {note}")
    return out


def facts(record: CaseRecord, texts: Mapping[str, str | None], terms: Terminology | None = None) -> Iterator[Fact]:
    """Every fact of ``record`` with its quotes placed in ``texts`` (source id -> text or ``None``)
    and, given the ontology's ``terms``, the flags a curator must decide."""
    default = record.default_source()
    draft = record.status == "machine-extracted"
    for i, patient in enumerate(record.patients):
        for path, pointer, item in _walk(patient, (), f"/patients/{i}", 0):
            quotes = [
                place(ev, ev.source or default, texts.get(ev.source or default)) for ev in getattr(item, "evidence", [])
            ]
            kind = _name(item, 0).split()[0]
            note = getattr(item, "note", None)
            yield Fact(" / ".join(path), kind, _summary(item), quotes, note, pointer, flags(item, terms, draft))
