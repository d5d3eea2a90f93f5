"""Defined-class memberships and contradictions computed by rules, in agreement with HermiT.

Each defined class of ``ontology/classes.ttl`` has a rule here that decides membership the way
its OWL equivalence does, over the same individuals (:mod:`metkg.reasoning.view`). The test
suite realises curated, fixture and synthetic cases with HermiT and checks that the rules give
every individual exactly the named types the reasoner gives it. The rules run in linear time
over the records; HermiT classifies the ontology and checks the consistency of every batch of
cases (:mod:`metkg.reasoning.owl`).

Metastasis-by-site classes (``Metastasis and hasSite some X``) are read from the ontology
itself, so a new one needs no code; receptor phenotypes are spelled out below.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

import rdflib
from rdflib.namespace import OWL as _OWL
from rdflib.namespace import RDF as _RDF

from metkg.reasoning.names import OWL_, M
from metkg.records.dates import PartialDate
from metkg.terminology import Terminology

if TYPE_CHECKING:
    from metkg.reasoning.view import CaseView, PatientView, ResultView, SpecimenView

__all__ = [
    "LESION_CLASS",
    "SiteDefinition",
    "ancestors",
    "asserted_types",
    "case_contradictions",
    "classify_case",
    "definitely_before",
    "her2_category",
    "receptor_category",
    "result_classes",
    "result_contradiction",
    "site_definitions",
    "specimen_classes",
    "threshold_negative",
    "threshold_positive",
    "withhold_declared_siblings",
]

_ISH = {M.ISH, M.FISH}

#: The asserted class of each kind of lesion (as :mod:`metkg.mapping` types them).
LESION_CLASS = {
    "primary": M.PrimaryTumor,
    "metastasis": M.Metastasis,
    "local-invasion": M.LocalInvasion,
    "recurrence": M.Recurrence,
}


# ---------------------------------------------------------------- results


def threshold_positive(result: ResultView) -> bool:
    """Whether the percent entails >= 1% of cells (ASCO/CAP positive), comparator included.

    >>> from metkg.reasoning.view import ResultView
    >>> r = lambda p, c=None: ResultView("r", "m", "ER", "a", None, p, c, None)
    >>> [threshold_positive(r(p, c)) for p, c in [(40, None), (1, ">"), (0.5, ">"), (5, "<")]]
    [True, True, False, False]
    """
    p, c = result.percent, result.comparator
    if p is None or c in ("<", "<="):
        return False
    return p >= 1


def threshold_negative(result: ResultView) -> bool:
    """Whether the percent entails < 1% of cells (ASCO/CAP negative), comparator included.

    >>> from metkg.reasoning.view import ResultView
    >>> r = lambda p, c=None: ResultView("r", "m", "ER", "a", None, p, c, None)
    >>> [threshold_negative(r(p, c)) for p, c in [(0, None), (1, "<"), (1, "<="), (0, ">")]]
    [True, True, False, False]
    """
    p, c = result.percent, result.comparator
    if p is None or c in (">", ">="):
        return False
    if c == "<":
        return p <= 1
    return p < 1


@lru_cache(maxsize=8192)
def ancestors(terms: Terminology, iri: str) -> frozenset[str]:
    """The told ancestors of a class or individual (itself included), memoised."""
    return frozenset(terms.ancestors(iri))


def _is_hormone_receptor(result: ResultView, terms: Terminology) -> bool:
    return M.HormoneReceptor in ancestors(terms, result.marker)


def _her2_flags(result: ResultView) -> tuple[bool, bool, bool, bool]:
    """(positive, zero, low, negative) of one HER2 result, as classes.ttl defines them."""
    positive = result.score == "3+" or result.status == "positive"
    zero = result.score == "0"
    low = result.score == "1+" or result.status == "low" or (result.score == "2+" and result.status == "negative")
    negative = result.status == "negative" or zero or low
    return positive, zero, low, negative


def result_classes(result: ResultView, terms: Terminology) -> set[str]:
    """The defined classes of classes.ttl one (not withheld) result belongs to."""
    out: set[str] = set()
    if result.status is None:
        out.add(M.ResultWithoutStatus)
    if _is_hormone_receptor(result, terms):
        out.add(M.HormoneReceptorResult)
        above, below = threshold_positive(result), threshold_negative(result)
        if above:
            out.add(M.ThresholdPositiveResult)
        if below:
            out.add(M.ThresholdNegativeResult)
        if result.status in ("positive", "low") or (result.status is None and above):
            out.add(M.ReceptorPositiveResult)
        if result.status == "negative" or (result.status is None and below):
            out.add(M.ReceptorNegativeResult)
    if result.marker == M.HER2:
        out.add(M.HER2Result)
        positive, zero, low, negative = _her2_flags(result)
        for flag, cls in (
            (positive, M.HER2PositiveResult),
            (zero, M.HER2ZeroResult),
            (low, M.HER2LowResult),
            (negative, M.HER2NegativeResult),
        ):
            if flag:
                out.add(cls)
        if result.assay in _ISH and result.status == "negative":
            out.add(M.HER2ISHNegativeResult)
    return out


def result_contradiction(result: ResultView, terms: Terminology) -> str | None:
    """Why one result is both positive and negative, or ``None`` if it is not."""
    if _is_hormone_receptor(result, terms):
        pct = f"{result.comparator or ''}{result.percent:g}%" if result.percent is not None else ""
        if result.status == "negative" and threshold_positive(result):
            return (
                f"result {result.describe()!r} is stated negative, "
                f"but {pct} of cells is positive by the ASCO/CAP 1% threshold"
            )
        if result.status in ("positive", "low") and threshold_negative(result):
            return (
                f"result {result.describe()!r} is stated {result.status}, "
                f"but {pct} of cells is negative by the ASCO/CAP 1% threshold"
            )
    if result.marker == M.HER2:
        positive, zero, low, negative = _her2_flags(result)
        if positive and negative:
            return f"result {result.describe()!r} is both HER2-positive and HER2-negative"
        if zero and low:
            return f"result {result.describe()!r} is both HER2 IHC 0 and HER2-low"
    return None


# ---------------------------------------------------------------- specimens

_MARKER_CLASSES = ((M.ER, M.ERPositive, M.ERNegative), (M.PR, M.PRPositive, M.PRNegative))


def _active(specimen: SpecimenView) -> list[ResultView]:
    return [r for r in specimen.results if not r.withheld]


def specimen_classes(specimen: SpecimenView, classes: dict[str, set[str]]) -> set[str]:
    """The defined classes of a specimen, given the classes of its results."""
    out: set[str] = set()
    results = _active(specimen)
    for marker, pos_cls, neg_cls in _MARKER_CLASSES:
        for r in results:
            if r.marker == marker and M.ReceptorPositiveResult in classes[r.iri]:
                out.add(pos_cls)
            if r.marker == marker and M.ReceptorNegativeResult in classes[r.iri]:
                out.add(neg_cls)
    has = lambda cls: any(cls in classes[r.iri] for r in results)  # noqa: E731
    if has(M.HER2PositiveResult):
        out.add(M.HER2Positive)
    if has(M.HER2NegativeResult):
        out.add(M.HER2Negative)
    if has(M.HER2ZeroResult):
        out.add(M.HER2Zero)
    two_plus = any(r.marker == M.HER2 and r.score == "2+" for r in results)
    if has(M.HER2LowResult) or (two_plus and has(M.HER2ISHNegativeResult)):
        out.add(M.HER2Low)
    if M.ERPositive in out or M.PRPositive in out:
        out.add(M.HormoneReceptorPositive)
    if M.ERNegative in out and M.PRNegative in out:
        out.add(M.HormoneReceptorNegative)
        if M.HER2Negative in out:
            out.add(M.TripleNegative)
        if M.HER2Positive in out:
            out.add(M.HormoneReceptorNegativeHER2Positive)
    if M.HormoneReceptorPositive in out and M.HER2Negative in out:
        out.add(M.HormoneReceptorPositiveHER2Negative)
    if M.HormoneReceptorPositive in out and M.HER2Positive in out:
        out.add(M.HormoneReceptorPositiveHER2Positive)
    return out


_SPECIMEN_DISJOINT = (
    (M.ERPositive, M.ERNegative, "ER-positive", "ER-negative"),
    (M.PRPositive, M.PRNegative, "PR-positive", "PR-negative"),
    (M.HER2Positive, M.HER2Negative, "HER2-positive", "HER2-negative"),
    (M.HER2Zero, M.HER2Low, "HER2 IHC 0", "HER2-low"),
)


def _specimen_contradictions(specimen: SpecimenView, types: set[str]) -> Iterator[str]:
    for a, b, a_text, b_text in _SPECIMEN_DISJOINT:
        if a in types and b in types:
            marker = M.HER2 if a in (M.HER2Positive, M.HER2Zero) else (M.ER if a == M.ERPositive else M.PR)
            shown = ", ".join(repr(r.describe()) for r in _active(specimen) if r.marker == marker)
            yield f"specimen {specimen.id!r} is both {a_text} and {b_text} (results {shown})"


def withhold_declared_siblings(specimen: SpecimenView, terms: Terminology) -> None:
    """Withhold results that contradict a sibling carrying a declared conflict (same marker)."""
    by_marker: dict[str, list[ResultView]] = {}
    for r in specimen.results:
        by_marker.setdefault(r.marker, []).append(r)
    for group in by_marker.values():
        if len(group) < 2 or not any(r.declared for r in group):
            continue
        probe = _with_results(specimen, group)
        classes = {r.iri: result_classes(r, terms) for r in group}
        types = specimen_classes(probe, classes)
        if any(a in types and b in types for a, b, _, _ in _SPECIMEN_DISJOINT):
            keep = {r.iri for r in group if r.declared}
            specimen.results = [
                replace(r, withheld=True) if r in group and r.iri not in keep else r for r in specimen.results
            ]


def _with_results(specimen: SpecimenView, results: list[ResultView]) -> SpecimenView:
    """A copy of the specimen with only these results (to probe one marker's group)."""
    return replace(specimen, results=list(results))


# ---------------------------------------------------------------- categories for conversions


def receptor_category(result: ResultView, terms: Terminology) -> str | None:
    """``positive``/``negative`` of an ER, PR or other marker's result, or ``None`` if undecided.

    The stated status wins; otherwise the percent threshold (>= 1% positive) decides.
    """
    if result.status in ("positive", "low"):
        return "positive"
    if result.status == "negative":
        return "negative"
    if result.status is None and threshold_positive(result):
        return "positive"
    if result.status is None and threshold_negative(result):
        return "negative"
    return None


def her2_category(types: set[str]) -> str | None:
    """The HER2 category of a specimen from its classes (docs/derived-facts.md)."""
    if M.HER2Positive in types:
        return "HER2-positive"
    if M.HER2Zero in types:
        return "HER2-zero"
    if M.HER2Low in types:
        return "HER2-low"
    if M.HER2Negative in types:
        return "negative"
    return None


# ---------------------------------------------------------------- lesions


@dataclass(frozen=True)
class SiteDefinition:
    """A defined class ``Kind and (hasSite some (S1 or S2 ...))`` read from the ontology."""

    cls: str
    kind: str
    sites: frozenset[str]


def site_definitions(graph: rdflib.Graph) -> list[SiteDefinition]:
    """Every defined class of the form ``K and hasSite some (S | S1 or S2 ...)`` in the ontology."""
    out: list[SiteDefinition] = []
    has_site = rdflib.URIRef(M.hasSite)
    for cls, eq in graph.subject_objects(_OWL.equivalentClass):
        members = _rdf_list(graph, graph.value(eq, _OWL.intersectionOf))
        if len(members) != 2:
            continue
        kind, restriction = members
        if not isinstance(kind, rdflib.URIRef) or graph.value(restriction, _OWL.onProperty) != has_site:
            continue
        filler = graph.value(restriction, _OWL.someValuesFrom)
        union = graph.value(filler, _OWL.unionOf)
        sites = [filler] if isinstance(filler, rdflib.URIRef) else _rdf_list(graph, union)
        if sites and all(isinstance(s, rdflib.URIRef) for s in sites):
            out.append(SiteDefinition(str(cls), str(kind), frozenset(str(s) for s in sites)))
    return sorted(out, key=lambda d: d.cls)


def _rdf_list(graph: rdflib.Graph, head: rdflib.term.Node | None) -> list[rdflib.term.Node]:
    items: list[rdflib.term.Node] = []
    while head is not None and head != _RDF.nil:
        first = graph.value(head, _RDF.first)
        if first is None:
            return []
        items.append(first)
        head = graph.value(head, _RDF.rest)
    return items


_LESION_PHENOTYPE = (
    (M.HormoneReceptorPositive, M.HormoneReceptorPositiveLesion),
    (M.HormoneReceptorNegative, M.HormoneReceptorNegativeLesion),
    (M.TripleNegative, M.TripleNegativeLesion),
    (M.HER2Positive, M.HER2PositiveLesion),
)


def _lesion_classes(
    patient: PatientView, specimen_types: dict[str, set[str]], sites: list[SiteDefinition], terms: Terminology
) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for lesion in patient.lesions:
        classes: set[str] = set()
        kinds = ancestors(terms, LESION_CLASS[lesion.kind])
        site_ancestors = ancestors(terms, lesion.site.cls) if lesion.site else frozenset()
        for d in sites:
            if d.kind in kinds and site_ancestors & d.sites:
                classes.add(d.cls)
        for specimen in patient.specimens:
            if specimen.lesion == lesion.iri:
                for specimen_cls, lesion_cls in _LESION_PHENOTYPE:
                    if specimen_cls in specimen_types[specimen.iri]:
                        classes.add(lesion_cls)
        out[lesion.iri] = classes
    for lesion in patient.lesions:
        primary = out.get(lesion.primary or "", set())
        if lesion.kind == "metastasis" and M.HormoneReceptorPositiveLesion in primary:
            out[lesion.iri].add(M.MetastasisOfHormoneReceptorPositivePrimary)
            if M.TripleNegativeLesion in out[lesion.iri]:
                out[lesion.iri].add(M.TripleNegativeMetastasisOfHormoneReceptorPositivePrimary)
    return out


# ---------------------------------------------------------------- one case


def asserted_types(view: CaseView) -> dict[str, str]:
    """The class each individual of the case is asserted to have (as the mapping types it)."""
    out: dict[str, str] = {}
    for lesion in view.lesions():
        out[lesion.iri] = LESION_CLASS[lesion.kind]
        if lesion.site:
            out[lesion.site.iri] = lesion.site.cls
    for specimen in view.specimens():
        out[specimen.iri] = M.Specimen
        if specimen.site:
            out[specimen.site.iri] = specimen.site.cls
        for r in specimen.results:
            out[r.iri] = M.BiomarkerResult
    return out


def classify_case(view: CaseView, terms: Terminology, sites: list[SiteDefinition]) -> dict[str, set[str]]:
    """Every named class each individual of the case belongs to (asserted, told and defined).

    Withheld results (superseded by a declared conflict) keep only their asserted types.
    """
    classes: dict[str, set[str]] = {}
    for specimen in view.specimens():
        for r in specimen.results:
            classes[r.iri] = set() if r.withheld else result_classes(r, terms)
    specimen_types: dict[str, set[str]] = {}
    for specimen in view.specimens():
        specimen_types[specimen.iri] = specimen_classes(specimen, classes)
    lesion_types: dict[str, set[str]] = {}
    for patient in view.patients:
        lesion_types.update(_lesion_classes(patient, specimen_types, sites, terms))
    types: dict[str, set[str]] = {}
    for iri, cls in asserted_types(view).items():
        found = classes.get(iri) or specimen_types.get(iri) or lesion_types.get(iri) or set()
        types[iri] = _closure(terms, {cls, *found})
    return types


def _closure(terms: Terminology, classes: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for cls in classes:
        out |= ancestors(terms, cls)
    out.discard(OWL_.Thing)
    return out


def case_contradictions(view: CaseView, terms: Terminology) -> list[str]:
    """Every contradiction in the case that no declared conflict accounts for."""
    found: list[str] = []
    classes: dict[str, set[str]] = {}
    for patient in view.patients:
        for specimen in patient.specimens:
            for r in _active(specimen):
                classes[r.iri] = result_classes(r, terms)
                why = result_contradiction(r, terms)
                if why:
                    found.append(f"patient {patient.record.index}, specimen {specimen.id!r}: {why}")
            types = specimen_classes(specimen, classes)
            found += [f"patient {patient.record.index}: {why}" for why in _specimen_contradictions(specimen, types)]
        found += _date_contradictions(patient)
    return found


def _date_contradictions(patient: PatientView) -> list[str]:
    outcome = patient.record.outcome
    if outcome is None or outcome.death_date is None or any(c.field.endswith("death_date") for c in outcome.conflicts):
        return []
    death = outcome.death_date
    found = []
    if outcome.vital_status == "alive" and not any(c.field.endswith("vital_status") for c in outcome.conflicts):
        found.append(f"patient {patient.record.index}: vital status is alive, but a date of death ({death}) is given")
    for lesion in patient.lesions:
        if lesion.date is not None and definitely_before(death, lesion.date):
            found.append(
                f"patient {patient.record.index}: date of death {death} is before "
                f"the diagnosis of lesion {lesion.id!r} ({lesion.date})"
            )
    return found


def definitely_before(a: PartialDate, b: PartialDate) -> bool:
    """Whether partial date ``a`` is certainly before ``b`` (its latest day before b's earliest)."""
    if a.year != b.year:
        return a.year < b.year
    if a.month is None or b.month is None:
        return False
    if a.month != b.month:
        return a.month < b.month
    if a.day is None or b.day is None:
        return False
    return a.day < b.day
