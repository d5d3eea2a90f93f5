"""Derived facts OWL cannot compute: receptor conversions and intervals between dates.

Each function takes one case's classification view and the types the rules gave its
individuals, and returns the triples of first-class nodes in exactly the shape of
docs/derived-facts.md: ReceptorConversion, TimeToMetastasis (with LateMetastasis), and
DiagnosticDelay. Intervals are whole months, as the range the two dates' precision allows
(:func:`metkg.records.dates.months_between`): ``metkg:minMonthsBetween`` and
``metkg:maxMonthsBetween`` always, ``metkg:monthsBetween`` only when the dates fix the count.

It also writes what queries across every case would otherwise reach through several hops per
row: the recorded site class of each metastasis and of the patient's other metastases, each
patient's (primary histology, metastasis site) pairs, and the specimens, dates, values and site
of each conversion (docs/derived-facts.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from metkg.mapping import result_label
from metkg.reasoning.names import RDF_ as RDF
from metkg.reasoning.names import RDFS_ as RDFS
from metkg.reasoning.names import XSD_ as XSD
from metkg.reasoning.names import M
from metkg.reasoning.rules import definitely_before, her2_category, receptor_category
from metkg.reasoning.view import CaseView, PatientView, ResultView, SpecimenView, segment
from metkg.records.dates import MonthsRange, PartialDate, months_between
from metkg.records.models import BiomarkerResult
from metkg.terminology import Terminology

__all__ = [
    "LATE_MONTHS",
    "Conversion",
    "Triple",
    "conversions",
    "derived_triples",
    "diagnostic_delay",
    "metastasis_facts",
    "patient_conversions",
    "times_to_metastasis",
]

#: A metastasis diagnosed more than this many months after its primary is late (5 years).
LATE_MONTHS = 60

#: (subject IRI, predicate IRI, object): an IRI string, or (lexical form, datatype IRI or None).
Triple = tuple[str, str, "str | tuple[str, str | None]"]

# HER2 categories in order; "negative" (stated, no score) is not compared with zero or low.
_RANK = {"negative": 0, "positive": 1, "HER2-zero": 0, "HER2-low": 1, "HER2-positive": 2}
_INCOMPARABLE = {frozenset({"negative", "HER2-zero"}), frozenset({"negative", "HER2-low"})}
_HER2_SUPPORT = {
    "HER2-positive": M.HER2PositiveResult,
    "HER2-zero": M.HER2ZeroResult,
    "HER2-low": M.HER2LowResult,
    "negative": M.HER2NegativeResult,
}
_RECEPTOR_SUPPORT = {"positive": M.ReceptorPositiveResult, "negative": M.ReceptorNegativeResult}


def _int(value: int) -> tuple[str, str]:
    return str(value), XSD.integer


def _text(value: str) -> tuple[str, None]:
    return value, None


def _date(value: PartialDate) -> tuple[str, str]:
    return str(value), XSD[value.xsd_type]


def _interval(node: str, months: MonthsRange) -> Iterator[Triple]:
    """The months of an interval node: its range, and the count when the dates fix it."""
    yield node, M.minMonthsBetween, _int(months.least)
    yield node, M.maxMonthsBetween, _int(months.most)
    if months.exact is not None:
        yield node, M.monthsBetween, _int(months.exact)


@dataclass(frozen=True)
class _Call:
    category: str
    result: ResultView


def _marker_call(specimen: SpecimenView, marker: str, types: dict[str, set[str]], terms: Terminology) -> _Call | None:
    """The category of one marker on one specimen and the result that shows it, if decided."""
    results = [r for r in specimen.results if r.marker == marker and not r.withheld]
    if not results:
        return None
    if marker == M.HER2:
        category = her2_category(types[specimen.iri])
        if category is None:
            return None
        support = _HER2_SUPPORT[category]
        shown = next((r for r in results if support in types[r.iri]), None)
        shown = shown or next((r for r in results if r.score == "2+"), results[0])
        return _Call(category, shown)
    calls = {receptor_category(r, terms) for r in results} - {None}
    if len(calls) != 1:
        return None
    category = calls.pop()
    assert category is not None
    support = _RECEPTOR_SUPPORT[category]
    shown = next((r for r in results if support in types[r.iri]), None)
    shown = shown or next(r for r in results if receptor_category(r, terms) == category)
    return _Call(category, shown)


def _direction(before: str, after: str) -> str | None:
    if before == after or frozenset({before, after}) in _INCOMPARABLE:
        return None
    return M.Gain if _RANK[after] > _RANK[before] else M.Loss


def conversions(view: CaseView, types: dict[str, set[str]], terms: Terminology) -> Iterator[Triple]:
    """ReceptorConversion nodes: a marker's category differs between a specimen of the primary
    tumour and a later specimen of a metastasis or recurrence of the same patient."""
    for patient in view.patients:
        yield from _patient_conversions(patient, view.doi, types, terms)


def _pairs(patient: PatientView) -> Iterator[tuple[SpecimenView, SpecimenView]]:
    kinds = {lesion.iri: lesion for lesion in patient.lesions}
    primaries = [s for s in patient.specimens if s.lesion in kinds and kinds[s.lesion].kind == "primary"]
    for later in patient.specimens:
        lesion = kinds.get(later.lesion or "")
        if lesion is None or lesion.kind not in ("metastasis", "recurrence"):
            continue
        for earlier in primaries:
            if lesion.primary is not None and earlier.lesion != lesion.primary:
                continue
            if earlier.date and later.date and definitely_before(later.date, earlier.date):
                continue
            yield earlier, later


@dataclass(frozen=True)
class Conversion:
    """A receptor conversion between a primary tumour's specimen and a later metastasis's or
    recurrence's specimen of one patient: the marker's category before and after."""

    patient: PatientView
    marker: str
    marker_key: str
    earlier: SpecimenView
    later: SpecimenView
    before: _Call
    after: _Call
    direction: str

    @property
    def word(self) -> str:
        """``gain`` or ``loss``."""
        return "gain" if self.direction == M.Gain else "loss"

    @property
    def patient_index(self) -> int:
        return self.patient.record.index

    @property
    def from_category(self) -> str:
        return self.before.category

    @property
    def to_category(self) -> str:
        return self.after.category

    @property
    def site_key(self) -> str | None:
        """The site key of the later specimen's lesion (else of the specimen), if recorded."""
        lesion = next((x for x in self.patient.record.lesions if x.id == self._later_lesion_id()), None)
        if lesion is not None and lesion.site:
            return lesion.site
        specimen = self.patient.record.specimen(self.later.id)
        return specimen.site if specimen else None

    def _later_lesion_id(self) -> str | None:
        specimen = self.patient.record.specimen(self.later.id)
        return specimen.lesion if specimen else None

    def describe(self) -> str:
        """One line for a reviewer: ``ER loss: positive (specimen a) to negative (specimen b)``."""
        return (
            f"patient {self.patient_index}: {self.marker_key} {self.word}: {self.from_category} "
            f"(specimen {self.earlier.id}) to {self.to_category} (specimen {self.later.id})"
        )


def patient_conversions(patient: PatientView, types: dict[str, set[str]], terms: Terminology) -> Iterator[Conversion]:
    """Every receptor conversion of one patient, by the rules of docs/derived-facts.md."""
    for earlier, later in _pairs(patient):
        markers = dict.fromkeys(r.marker for r in earlier.results if not r.withheld)
        for marker in markers:
            before = _marker_call(earlier, marker, types, terms)
            after = _marker_call(later, marker, types, terms)
            if before is None or after is None:
                continue
            direction = _direction(before.category, after.category)
            if direction is not None:
                yield Conversion(patient, marker, before.result.marker_key, earlier, later, before, after, direction)


def _patient_conversions(
    patient: PatientView, doi: str, types: dict[str, set[str]], terms: Terminology
) -> Iterator[Triple]:
    recorded = {
        seen.iri: result
        for specimen, source in zip(patient.specimens, patient.record.specimens, strict=True)
        for seen, result in zip(specimen.results, source.results, strict=True)
    }
    for c in patient_conversions(patient, types, terms):
        earlier, later, before, after = c.earlier, c.later, c.before, c.after
        node = f"{patient.iri}/conversion/{segment(c.marker_key)}/{segment(earlier.id)}/{segment(later.id)}"
        yield node, RDF.type, M.ReceptorConversion
        yield node, RDFS.label, _text(f"{c.marker_key} {c.word} ({before.category} to {after.category})")
        yield node, M.patient, patient.iri
        yield node, M.reportDoi, _text(doi)
        yield node, M.conversionMarker, c.marker
        yield node, M.fromResult, before.result.iri
        yield node, M.toResult, after.result.iri
        yield node, M.fromSpecimen, earlier.iri
        yield node, M.toSpecimen, later.iri
        if earlier.date:
            yield node, M.fromDate, _date(earlier.date)
        if later.date:
            yield node, M.toDate, _date(later.date)
        yield node, M.fromValue, _text(_value(recorded[before.result.iri]))
        yield node, M.toValue, _text(_value(recorded[after.result.iri]))
        site = patient.lesion(later.lesion)
        if site is not None and site.site is not None:
            yield node, M.toSite, site.site.cls
        if earlier.lesion:
            yield node, M.fromLesion, earlier.lesion
        if later.lesion:
            yield node, M.toLesion, later.lesion
        yield node, M.fromCategory, _text(before.category)
        yield node, M.toCategory, _text(after.category)
        yield node, M.direction, c.direction
        if earlier.date and later.date:
            yield from _interval(node, months_between(earlier.date, later.date))


def _value(result: BiomarkerResult) -> str:
    """The result as reported, its label without the marker's name (``1+``, ``positive 60%``)."""
    return result_label("", result).lstrip()


def times_to_metastasis(view: CaseView) -> Iterator[Triple]:
    """TimeToMetastasis nodes (metastases and recurrences with a dated primary tumour), and
    ``metkg:LateMetastasis`` for those more than 60 months after it."""
    for patient in view.patients:
        for lesion in patient.lesions:
            primary = patient.lesion(lesion.primary)
            if lesion.kind not in ("metastasis", "recurrence") or primary is None:
                continue
            if lesion.date is None or primary.date is None:
                continue
            months = months_between(primary.date, lesion.date)
            if months.most < 0:
                continue
            months = MonthsRange(max(months.least, 0), months.most)  # a metastasis of this primary follows it
            node = f"{lesion.iri}/time-to-metastasis"
            yield node, RDF.type, M.TimeToMetastasis
            yield node, RDFS.label, _text(f"time to {lesion.kind}: {months} months")
            yield node, M.patient, patient.iri
            yield node, M.fromLesion, primary.iri
            yield node, M.toLesion, lesion.iri
            yield from _interval(node, months)
            if months.least > LATE_MONTHS:
                yield lesion.iri, RDF.type, M.LateMetastasis


def diagnostic_delay(view: CaseView) -> Iterator[Triple]:
    """DiagnosticDelay nodes: first symptom to confirmed diagnosis, or the delay the source states."""
    for patient in view.patients:
        journey = patient.record.journey
        if journey is None:
            continue
        confirmed = journey.confirmed_date
        if confirmed is None and journey.confirmed_by:
            specimen = next((s for s in patient.specimens if s.id == journey.confirmed_by), None)
            confirmed = specimen.date if specimen else None
        months = _delay(journey.first_symptom_date, confirmed, journey.stated_delay_months)
        if months is None or months.most < 0:
            continue
        months = MonthsRange(max(months.least, 0), months.most)
        node = f"{patient.iri}/journey/delay"
        yield node, RDF.type, M.DiagnosticDelay
        yield node, RDFS.label, _text(f"diagnostic delay: {months} months")
        yield node, M.patient, patient.iri
        if journey.lesion:
            yield node, M.toLesion, f"{patient.iri}/lesion/{segment(journey.lesion)}"
        yield from _interval(node, months)


def _delay(first: PartialDate | None, confirmed: PartialDate | None, stated: float | None) -> MonthsRange | None:
    """The dates' interval when they fix it; else the delay the source states; else the dates' range."""
    dated = months_between(first, confirmed) if first and confirmed else None
    if dated is not None and dated.exact is not None:
        return dated
    if stated is not None:
        return MonthsRange(round(stated), round(stated))
    return dated


def metastasis_facts(view: CaseView, terms: Terminology) -> Iterator[Triple]:
    """Per metastasis, its recorded site class (again as the treated site when an intervention
    treats it), its report's DOI and the site classes of the patient's other metastases; per
    patient, the spread patterns (primary histology, metastatic site) its metastases show."""
    for patient in view.patients:
        histology = {
            seen.iri: _term_iri(terms, "histology", lesion.histology)
            for seen, lesion in zip(patient.lesions, patient.record.lesions, strict=True)
        }
        treated = {target for intervention in patient.record.interventions for target in intervention.targets}
        metastases = [m for m in patient.lesions if m.kind == "metastasis" and m.site is not None]
        for lesion in metastases:
            assert lesion.site is not None
            yield lesion.iri, M.metastasisSite, lesion.site.cls
            if lesion.id in treated:
                yield lesion.iri, M.treatedMetastasisSite, lesion.site.cls
            yield lesion.iri, M.metastasisReportDoi, _text(view.doi)
            for other in dict.fromkeys(o.site.cls for o in metastases if o is not lesion and o.site):
                yield lesion.iri, M.coOccurringSite, other
            found = histology.get(lesion.primary or "")
            if found is not None:
                yield from _spread_pattern(view.base, patient.iri, found, lesion.site.cls)


def _spread_pattern(base: str, patient: str, histology: str, site: str) -> Iterator[Triple]:
    node = f"{base}spread/{_local(histology)}/{_local(site)}"
    yield patient, M.hasSpreadPattern, node
    yield node, RDF.type, M.SpreadPattern
    yield node, M.patternHistology, histology
    yield node, M.patternSite, site


def _local(iri: str) -> str:
    return segment(iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1])


def _term_iri(terms: Terminology, category: str, key: str | None) -> str | None:
    term = terms.get(category, key) if key else None
    return term.iri if term else None


def derived_triples(view: CaseView, types: dict[str, set[str]], terms: Terminology) -> Iterator[Triple]:
    """Every derived fact of one case."""
    yield from conversions(view, types, terms)
    yield from times_to_metastasis(view)
    yield from diagnostic_delay(view)
    yield from metastasis_facts(view, terms)
