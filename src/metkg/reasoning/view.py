"""What classification sees of a case record: lesions, sites, specimens and results, with IRIs.

The OWL reasoner and the rules that stand in for it both work on this view, never on the
record directly, so that they see exactly the same facts. The view

- names every individual with the IRI :mod:`metkg.mapping` gives it;
- keeps only what classification needs (no dates for the reasoner, no evidence);
- applies declared source conflicts: a result that carries a ``conflicts:`` entry holds the
  curator's resolution, so a value it contradicts is withheld from classification, and so
  are sibling results for the same marker on the same specimen that contradict it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from urllib.parse import quote

from metkg.iris import CaseIris
from metkg.reasoning.names import M as METKG
from metkg.reasoning.rules import result_contradiction, withhold_declared_siblings
from metkg.records.dates import PartialDate
from metkg.records.models import BiomarkerResult, CaseRecord, Conflict, Lesion, Patient, Specimen
from metkg.terminology import Terminology
from metkg.vocab import ASSAY_CLASSES

__all__ = [
    "CaseView",
    "ConflictNote",
    "LesionView",
    "PatientView",
    "ResultView",
    "SiteView",
    "SpecimenView",
    "case_view",
    "segment",
]


_Part = Callable[[str, str], str]  # (kind, local id) -> IRI of a patient's part


def segment(local_id: str) -> str:
    """A local id as one IRI path segment, escaped as :mod:`metkg.iris` does."""
    return quote(local_id, safe="-._~")


@dataclass(frozen=True, slots=True)
class SiteView:
    """The site individual of a lesion or specimen, typed by a site class."""

    iri: str
    cls: str


@dataclass(frozen=True, slots=True)
class ResultView:
    """One biomarker result as classification sees it."""

    iri: str
    marker: str
    marker_key: str
    assay: str
    status: str | None
    percent: float | None
    comparator: str | None
    score: str | None
    withheld: bool = False
    declared: bool = False

    def describe(self) -> str:
        """A short text of the values, e.g. ``ER negative 5%``."""
        parts = [self.marker_key]
        if self.status:
            parts.append(self.status)
        if self.percent is not None:
            parts.append(f"{self.comparator or ''}{self.percent:g}%")
        if self.score is not None:
            parts.append(f"IHC {self.score}")
        return " ".join(parts)


@dataclass(slots=True)
class SpecimenView:
    """A specimen: the lesion it samples, its site, its results."""

    iri: str
    id: str
    date: PartialDate | None
    lesion: str | None
    site: SiteView | None
    results: list[ResultView]


@dataclass(slots=True)
class LesionView:
    """A lesion: its kind, site, primary tumour and diagnosis date."""

    iri: str
    id: str
    kind: str
    site: SiteView | None
    primary: str | None
    date: PartialDate | None


@dataclass(slots=True)
class PatientView:
    """One patient's lesions and specimens, and the record's patient it came from."""

    iri: str
    record: Patient
    lesions: list[LesionView]
    specimens: list[SpecimenView]

    def lesion(self, iri: str | None) -> LesionView | None:
        return next((lesion for lesion in self.lesions if lesion.iri == iri), None)


@dataclass(frozen=True, slots=True)
class ConflictNote:
    """A contradiction the source itself states and the record declares."""

    case: str
    where: str
    field: str
    statements: tuple[str, ...]
    resolution: str
    withheld: str | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "case": self.case,
            "where": self.where,
            "field": self.field,
            "statements": list(self.statements),
            "resolution": self.resolution,
        }
        if self.withheld:
            out["withheld"] = self.withheld
        return out


@dataclass(slots=True)
class CaseView:
    """A case record as classification sees it."""

    case: str
    patients: list[PatientView]
    conflicts: list[ConflictNote] = field(default_factory=list)
    base: str = ""  # the base IRI the view's IRIs are minted under
    doi: str = ""  # the case report's DOI

    def specimens(self) -> Iterator[SpecimenView]:
        for patient in self.patients:
            yield from patient.specimens

    def lesions(self) -> Iterator[LesionView]:
        for patient in self.patients:
            yield from patient.lesions


@lru_cache(maxsize=4096)
def _term_iri(terms: Terminology, category: str, key: str) -> str | None:
    term = terms.get(category, key)
    return term.iri if term else None


def _site(terms: Terminology, owner: str, key: str | None, text: str | None) -> SiteView | None:
    if key is None and text is None:
        return None
    cls = _term_iri(terms, "site", key) if key else None
    return SiteView(f"{owner}/site", cls or METKG.AnatomicalSite)


def _result(terms: Terminology, iri: str, result: BiomarkerResult) -> ResultView:
    return ResultView(
        iri=iri,
        marker=_term_iri(terms, "marker", result.marker) or METKG[result.marker],
        marker_key=result.marker,
        assay=ASSAY_CLASSES[result.assay],
        status=result.status,
        percent=result.percent,
        comparator=result.comparator,
        score=result.score,
        declared=bool(result.conflicts),
    )


def _resolved(result: ResultView, conflicts: list[Conflict]) -> ResultView:
    """The result with only the conflicted field's resolved value (and the status otherwise)."""
    fields = {c.field.split(".")[-1] for c in conflicts}
    if fields & {"percent", "comparator", "score"}:
        return replace(result, status=None)
    return replace(result, percent=None, comparator=None, score=None)


class _Builder:
    def __init__(self, record: CaseRecord, terms: Terminology, base: str):
        self.record = record
        self.terms = terms
        self.iris = CaseIris(base, record.report.doi)
        self.view = CaseView(record.id, [], base=base, doi=record.report.doi)

    def run(self) -> CaseView:
        for patient in self.record.patients:
            self.view.patients.append(self.patient(patient))
        for specimen in self.view.specimens():
            withhold_declared_siblings(specimen, self.terms)
        self.note_conflicts()
        return self.view

    def patient(self, patient: Patient) -> PatientView:
        part = lambda kind, local: self.iris.part(patient.index, kind, local)  # noqa: E731
        lesions = [self.lesion(part("lesion", lesion.id), lesion, part) for lesion in patient.lesions]
        specimens = [self.specimen(part("specimen", s.id), s, part) for s in patient.specimens]
        return PatientView(self.iris.patient(patient.index), patient, lesions, specimens)

    def lesion(self, iri: str, lesion: Lesion, part: _Part) -> LesionView:
        return LesionView(
            iri=iri,
            id=lesion.id,
            kind=lesion.kind,
            site=_site(self.terms, iri, lesion.site, lesion.site_text),
            primary=part("lesion", lesion.primary) if lesion.primary else None,
            date=lesion.diagnosis_date,
        )

    def specimen(self, iri: str, specimen: Specimen, part: _Part) -> SpecimenView:
        used: dict[str, int] = {}
        results: list[ResultView] = []
        for result in specimen.results:
            used[result.marker] = used.get(result.marker, 0) + 1
            local = result.marker if used[result.marker] == 1 else f"{result.marker}-{used[result.marker]}"
            view = _result(self.terms, CaseIris.child(iri, "result", local), result)
            if result.conflicts and result_contradiction(view, self.terms):
                view = _resolved(view, result.conflicts)
            results.append(view)
        return SpecimenView(
            iri=iri,
            id=specimen.id,
            date=specimen.date,
            lesion=part("lesion", specimen.lesion) if specimen.lesion else None,
            site=_site(self.terms, iri, specimen.site, specimen.site_text),
            results=results,
        )

    def note_conflicts(self) -> None:
        for p_view in self.view.patients:
            patient = p_view.record
            for s_view, specimen in zip(p_view.specimens, patient.specimens, strict=True):
                for r_view, result in zip(s_view.results, specimen.results, strict=True):
                    for conflict in result.conflicts:
                        where = f"patient {patient.index}, specimen {specimen.id!r}, result {r_view.marker_key}"
                        self.add_conflict(where, conflict, _withheld(self.terms, s_view, r_view, result))
            for lesion, l_view in zip(patient.lesions, p_view.lesions, strict=True):
                for conflict in lesion.conflicts:
                    self.add_conflict(f"patient {patient.index}, lesion {l_view.id!r}", conflict)
            for label, fact in _other_facts(patient):
                for conflict in fact.conflicts:
                    self.add_conflict(f"patient {patient.index}, {label}", conflict)

    def add_conflict(self, where: str, conflict: Conflict, withheld: str | None = None) -> None:
        statements = tuple(s.value for s in conflict.statements)
        self.view.conflicts.append(
            ConflictNote(self.view.case, where, conflict.field, statements, conflict.resolution, withheld)
        )


def _withheld(terms: Terminology, specimen: SpecimenView, view: ResultView, result: BiomarkerResult) -> str | None:
    """What classification leaves out because of a declared conflict on this result."""
    parts = []
    stated = _result(terms, view.iri, result)
    if stated != replace(view, withheld=stated.withheld):
        parts.append(f"classified as {view.describe()!r}, not {stated.describe()!r}")
    siblings = [r.describe() for r in specimen.results if r.withheld and r.marker == view.marker]
    if siblings:
        parts.append("contradicting results withheld: " + ", ".join(repr(x) for x in siblings))
    return "; ".join(parts) or None


def _other_facts(patient: Patient) -> Iterator[tuple[str, object]]:
    yield "patient", patient
    for s in patient.specimens:
        yield f"specimen {s.id!r}", s
    for i in patient.interventions:
        yield f"intervention {i.id!r}", i
    for r in patient.responses:
        yield f"response {r.id!r}", r
    for f in patient.lab_findings:
        yield f"lab finding {f.id!r}", f
    for n, h in enumerate(patient.history, 1):
        yield f"history item {n}", h
    for n, g in enumerate(patient.germline, 1):
        yield f"germline finding {n}", g
    if patient.journey is not None:
        yield "diagnostic journey", patient.journey
    if patient.outcome is not None:
        yield "outcome", patient.outcome


def case_view(record: CaseRecord, terms: Terminology, base: str) -> CaseView:
    """The classification view of one record, with declared conflicts applied."""
    return _Builder(record, terms, base).run()
