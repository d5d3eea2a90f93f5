"""One patient as a clinician reads it: facts with their quotes, in date order, named by label.

The patient's case graph is read once (one index scan of its named graph) and its receptor
conversions from the inferred graph; everything else is walked in memory. No raw IRIs and no
datatypes reach the page: terms are named by the ontology's labels, dates at the precision the
source gives.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Store

from metkg.errors import ResourceNotFoundError
from metkg.records.dates import PartialDate, parse_partial_date
from metkg.vocab import METKG, RDF, RDFS
from metkg.web.app.catalogue import Catalogue, local_name
from metkg.web.app.pages import href

__all__ = ["Node", "PatientView", "Quote", "SourceView", "patient_view", "source_view"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def show_date(date: PartialDate | None) -> str:
    """A date at its own precision: ``2019``, ``Oct 2019``, ``2 Oct 2019``."""
    if date is None:
        return ""
    if date.month is None:
        return str(date.year)
    if date.day is None:
        return f"{_MONTHS[date.month - 1]} {date.year}"
    return f"{date.day} {_MONTHS[date.month - 1]} {date.year}"


class Node:
    """A resource of the case graph: its statements grouped by predicate."""

    def __init__(self, iri: str, graph: dict[str, dict[str, list[object]]], catalogue: Catalogue):
        self.iri = iri
        self._statements = graph.get(iri, {})
        self._graph = graph
        self._catalogue = catalogue

    def all(self, predicate: str) -> list[object]:
        return self._statements.get(predicate, [])

    def nodes(self, predicate: str) -> list[Node]:
        return [Node(o.value, self._graph, self._catalogue) for o in self.all(predicate) if isinstance(o, NamedNode)]

    def node(self, predicate: str) -> Node | None:
        found = self.nodes(predicate)
        return found[0] if found else None

    def text(self, predicate: str) -> str | None:
        values = [o.value for o in self.all(predicate) if isinstance(o, Literal)]
        return values[0] if values else None

    def term(self, predicate: str) -> str | None:
        """The label of the ontology term the predicate points to."""
        values = [o.value for o in self.all(predicate) if isinstance(o, NamedNode)]
        return self._catalogue.label(values[0]) if values else None

    def key(self, predicate: str) -> str | None:
        """The key of the ontology term the predicate points to (``ER``), else its label."""
        values = [o.value for o in self.all(predicate) if isinstance(o, NamedNode)]
        if not values:
            return None
        term = self._catalogue.terms.get(values[0])
        return term.key if term and term.key else self._catalogue.label(values[0])

    def date(self, predicate: str) -> PartialDate | None:
        text = self.text(predicate)
        if text is None:
            return None
        try:
            return parse_partial_date(text)
        except ValueError:
            return None

    @property
    def label(self) -> str:
        return self.text(RDFS.label) or local_name(self.iri)

    @property
    def types(self) -> list[str]:
        return [o.value for o in self.all(RDF.type) if isinstance(o, NamedNode)]

    def kind(self) -> str:
        """The label of the node's most specific metkg class."""
        types = [t for t in self.types if t.startswith(str(METKG))]
        return self._catalogue.label(types[0]) if types else ""


@dataclass(frozen=True)
class Quote:
    """An evidence quote and the link to its passage in the source text."""

    text: str
    link: str


@dataclass
class Fact:
    """One statement of the record for the page: what, when, details and its quotes."""

    title: str
    kind: str
    date: PartialDate | None = None
    end: PartialDate | None = None
    details: list[tuple[str, str]] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    note: str | None = None
    anchor: str = ""
    lane: str = ""

    @property
    def when(self) -> str:
        if self.end is not None and self.end != self.date:
            return f"{show_date(self.date)} – {show_date(self.end)}"
        return show_date(self.date)

    @property
    def sort_key(self) -> tuple[str, int]:
        return (self.date.earliest().isoformat() if self.date else "9999", 0)


@dataclass
class MarkerTable:
    """Specimens (rows, in date order) by markers (columns): each cell a result and whether it converted."""

    markers: list[str]
    rows: list[tuple[Fact, list[tuple[str, str, list[Quote]] | None]]]  # cell: (value, css class, quotes)


@dataclass
class PatientView:
    """Everything the case page shows about one patient."""

    iri: str
    label: str
    report: Node
    summary: list[tuple[str, str]]
    lesions: list[Fact]
    specimens: list[Fact]
    interventions: list[Fact]
    responses: list[Fact]
    history: list[Fact]
    labs: list[Fact]
    journey: list[Fact]
    outcome: Fact | None
    conversions: list[Fact]
    intervals: list[tuple[str, str, str]]
    markers: MarkerTable
    patient_quotes: list[Quote]
    note: str | None = None

    @property
    def events(self) -> list[Fact]:
        """Every dated fact in date order (the timeline's and the list's)."""
        dated = [*self.history, *self.lesions, *self.specimens, *self.interventions, *self.responses, *self.labs]
        dated += [f for f in self.journey if f.date]
        if self.outcome is not None:
            dated.append(self.outcome)
        return sorted((f for f in dated if f.date is not None), key=lambda f: f.sort_key)


def _read_graph(store: Store, graph: NamedNode) -> dict[str, dict[str, list[object]]]:
    statements: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
    for quad in store.quads_for_pattern(None, None, None, graph):
        statements[quad.subject.value][quad.predicate.value].append(quad.object)
    return statements


class _Reader:
    """Turns a patient's nodes into facts."""

    def __init__(self, graph: dict[str, dict[str, list[object]]], catalogue: Catalogue, base_iri: str):
        self.graph, self.catalogue, self.base_iri = graph, catalogue, base_iri

    def node(self, iri: str) -> Node:
        return Node(iri, self.graph, self.catalogue)

    def quotes(self, node: Node) -> list[Quote]:
        found = []
        for evidence in sorted(node.nodes(METKG.hasEvidence), key=lambda e: _number(e.iri)):
            text = evidence.text(METKG.quote)
            source = evidence.node(METKG.inDocument)
            if text is None or source is None:
                continue
            path = href(evidence.iri, self.base_iri)
            link = f"{href(source.iri, self.base_iri)}?evidence={quote(path, safe='/')}#passage"
            found.append(Quote(text, link))
        return found

    def fact(self, node: Node, lane: str, date: str | None = None, end: str | None = None, **kw: object) -> Fact:
        details = [(name, value) for name, value in kw.pop("details", []) if value]  # type: ignore[attr-defined]
        return Fact(
            title=str(kw.pop("title", node.label)),
            kind=str(kw.pop("kind", node.kind())),
            date=node.date(date) if date else None,
            end=node.date(end) if end else None,
            details=details,
            quotes=self.quotes(node),
            note=node.text(METKG.note),
            anchor=node.iri.rsplit("/patient/", 1)[-1].replace("/", "-"),
            lane=lane,
        )

    def site(self, node: Node) -> str | None:
        site = node.node(METKG.hasSite)
        if site is None:
            return None
        terms = [t for t in site.types if t != METKG.AnatomicalSite and t.startswith(str(METKG))]
        named = self.catalogue.label(terms[0]) if terms else None
        text = site.text(METKG.siteText)
        side = site.term(METKG.laterality)
        shown = text or named or site.label
        extra = [x for x in (named if text and named and named.lower() not in text.lower() else None, side) if x]
        return f"{shown} ({', '.join(extra)})" if extra else shown

    def lesion(self, node: Node) -> Fact:
        details = [
            ("histology", node.term(METKG.histology)),
            ("site", self.site(node)),
            ("stage", node.text(METKG.stage)),
            ("grade", node.text(METKG.grade)),
            ("arises from", node.node(METKG.primaryTumor).label if node.node(METKG.primaryTumor) else None),
            ("description", node.text(METKG.description)),
        ]
        return self.fact(node, "diagnoses", METKG.diagnosisDate, details=details)

    def specimen(self, node: Node) -> Fact:
        details = [
            ("procedure", node.term(METKG.collectedBy)),
            ("site", self.site(node)),
            ("lesion sampled", node.node(METKG.samples).label if node.node(METKG.samples) else None),
            ("diagnosis", node.text(METKG.diagnosis)),
        ]
        return self.fact(node, "specimens", METKG.collectionDate, details=details)

    def intervention(self, node: Node) -> Fact:
        drugs = [d.label + _dose(d) for d in node.nodes(METKG.hasDrug)]
        details = [
            ("drugs", "; ".join(drugs)),
            ("procedure", node.term(METKG.interventionProcedure)),
            ("setting", node.term(METKG.setting)),
            ("cycles", node.text(METKG.cycles)),
            ("dose", f"{node.text(METKG.totalDoseGy)} Gy" if node.text(METKG.totalDoseGy) else None),
            ("fractions", node.text(METKG.fractions)),
            ("treats", ", ".join(t.label for t in node.nodes(METKG.treats))),
            ("status", node.text(METKG.interventionStatus)),
            ("adherence", node.text(METKG.adherence)),
        ]
        return self.fact(node, "interventions", METKG.startDate, METKG.endDate, details=details)

    def response(self, node: Node) -> Fact:
        details = [
            ("category", node.term(METKG.responseCategory)),
            ("to", node.node(METKG.assesses).label if node.node(METKG.assesses) else None),
            ("lesion", node.node(METKG.assessedLesion).label if node.node(METKG.assessedLesion) else None),
        ]
        return self.fact(node, "responses", METKG.date, details=details)

    def outcome(self, node: Node) -> Fact:
        details = [
            ("vital status", node.term(METKG.vitalStatus)),
            ("disease status", node.text(METKG.diseaseStatus)),
            ("died", show_date(node.date(METKG.deathDate))),
            ("cause of death", node.text(METKG.causeOfDeath)),
        ]
        date = METKG.deathDate if node.text(METKG.deathDate) else METKG.lastFollowUp
        return self.fact(node, "outcome", date, title=f"Outcome: {node.label}", kind="outcome", details=details)

    def journey(self, node: Node) -> list[Fact]:
        facts = []
        if node.text(METKG.firstSymptom) or node.text(METKG.firstSymptomDate):
            facts.append(
                Fact(
                    f"First symptom: {node.text(METKG.firstSymptom) or 'not stated'}",
                    "first symptom",
                    node.date(METKG.firstSymptomDate),
                    quotes=self.quotes(node),
                    lane="diagnoses",
                    anchor="journey",
                )
            )
        for wrong in node.nodes(METKG.hasMisdiagnosis):
            kind = wrong.text(METKG.misdiagnosisKind) or "misdiagnosis"
            facts.append(self.fact(wrong, "", title=f"{kind.capitalize()}: {wrong.label}", kind=kind))
        confirmed = node.node(METKG.confirmedBy)
        if confirmed or node.text(METKG.confirmedDate):
            delay = node.text(METKG.statedDelayMonths)
            details = [("stated delay", f"{delay} months" if delay else None)]
            facts.append(
                Fact(
                    f"Confirmed by {confirmed.label}" if confirmed else "Diagnosis confirmed",
                    "confirmation",
                    node.date(METKG.confirmedDate),
                    details=details,
                    anchor="journey-confirmed",
                    lane="diagnoses",
                )
            )
        return facts


def _dose(drug: Node) -> str:
    dose, unit, schedule = drug.text(METKG.dose), drug.text(METKG.doseUnit), drug.text(METKG.schedule)
    parts = " ".join(x for x in (dose, unit) if x)
    extra = ", ".join(x for x in (parts, schedule) if x)
    return f" ({extra})" if extra else ""


def _number(iri: str) -> int:
    """The trailing number of an evidence IRI, so quotes sort 1, 2, ..., 10 and not 1, 10, 2."""
    match = re.search(r"(\d+)$", iri)
    return int(match.group(1)) if match else 0


def _result_value(result: Node) -> str:
    marker = result.term(METKG.marker) or ""
    label = result.label
    return label[len(marker) :].strip() if label.startswith(marker) else label


def _marker_table(reader: _Reader, specimens: list[tuple[Node, Fact]], converted: dict[str, str]) -> MarkerTable:
    markers: list[str] = []
    cells: list[dict[str, tuple[str, str, list[Quote]]]] = []
    for node, _fact in specimens:
        row: dict[str, tuple[str, str, list[Quote]]] = {}
        for result in sorted(node.nodes(METKG.hasResult), key=lambda r: r.iri):
            marker = result.key(METKG.marker) or result.label
            if marker not in markers:
                markers.append(marker)
            css = f"conversion {converted[result.iri]}" if result.iri in converted else ""
            row[marker] = (_result_value(result), css, reader.quotes(result))
        cells.append(row)
    rows = [(fact, [row.get(m) for m in markers]) for (_node, fact), row in zip(specimens, cells, strict=True)]
    return MarkerTable(markers, rows)


def _derived_nodes(store: Store, patient: str, inferred: NamedNode, catalogue: Catalogue) -> list[Node]:
    """The facts the build derived about a patient (conversions, intervals), from the inferred graph."""
    nodes = []
    for quad in store.quads_for_pattern(None, NamedNode(METKG.patient), NamedNode(patient), inferred):
        statements: dict[str, list[object]] = defaultdict(list)
        for q in store.quads_for_pattern(quad.subject, None, None, inferred):
            statements[q.predicate.value].append(q.object)
        nodes.append(Node(quad.subject.value, {quad.subject.value: statements}, catalogue))
    return nodes


def _conversion(node: Node, converted: dict[str, str]) -> Fact:
    direction = node.term(METKG.direction) or "change"
    for iri in (o.value for o in node.all(METKG.toResult) if isinstance(o, NamedNode)):
        converted[iri] = direction.lower()
    frm = f"{node.text(METKG.fromValue) or node.text(METKG.fromCategory)} ({show_date(node.date(METKG.fromDate))})"
    to = f"{node.text(METKG.toValue) or node.text(METKG.toCategory)} ({show_date(node.date(METKG.toDate))})"
    marker = node.key(METKG.conversionMarker) or "marker"
    return Fact(f"{marker} {direction.lower()}", "receptor conversion", details=[("from", frm), ("to", to)])


def _derived(nodes: list[Node], reader: _Reader) -> tuple[list[Fact], list[tuple[str, str]], dict[str, str]]:
    """Receptor conversions (and the results they mark), and intervals as (what, how long)."""
    conversions, intervals, converted = [], [], {}
    for node in nodes:
        if METKG.ReceptorConversion in node.types:
            conversions.append(_conversion(node, converted))
        elif METKG.TimeToMetastasis in node.types or METKG.DiagnosticDelay in node.types:
            months = node.text(METKG.monthsBetween)
            to = [reader.node(o.value).label for o in node.all(METKG.toLesion) if isinstance(o, NamedNode)]
            intervals.append((node.kind(), f"{months} month{'' if months == '1' else 's'}", to[0] if to else ""))
    return sorted(conversions, key=lambda f: f.title), sorted(intervals), converted


def patient_view(store: Store, catalogue: Catalogue, patient: str, base_iri: str, inferred: NamedNode) -> PatientView:
    """The case page of ``patient``; raises :class:`ResourceNotFoundError` when it is not a patient."""
    # a list, not the store's iterator: an error's traceback would carry it to another thread
    typed = list(
        itertools.islice(
            store.quads_for_pattern(NamedNode(patient), NamedNode(RDF.type), NamedNode(METKG.Patient), None), 1
        )
    )
    first = typed[0] if typed else None
    if first is None or not isinstance(first.graph_name, NamedNode):
        raise ResourceNotFoundError(f"no patient {patient!r} in the graph")
    reader = _Reader(_read_graph(store, first.graph_name), catalogue, base_iri)
    node = reader.node(patient)
    report = node.node(METKG.reportedIn) or reader.node(patient.rsplit("/patient/", 1)[0])
    specimens = [(s, reader.specimen(s)) for s in node.nodes(METKG.hasSpecimen)]
    specimens.sort(key=lambda pair: pair[1].sort_key)
    conversions, intervals, converted = _derived(_derived_nodes(store, patient, inferred, catalogue), reader)
    journey = node.node(METKG.hasDiagnosticJourney)
    outcome = node.node(METKG.hasOutcome)
    return PatientView(
        iri=patient,
        label=node.label,
        report=report,
        summary=[
            (k, v) for k, v in (("sex", node.term(METKG.sex)), ("age at presentation", node.text(METKG.age))) if v
        ],
        lesions=sorted((reader.lesion(x) for x in node.nodes(METKG.hasLesion)), key=lambda f: f.sort_key),
        specimens=[fact for _node, fact in specimens],
        interventions=sorted((reader.intervention(x) for x in node.nodes(METKG.hasIntervention)), key=_by_date),
        responses=sorted((reader.response(x) for x in node.nodes(METKG.hasResponse)), key=_by_date),
        history=[reader.fact(x, "history", METKG.date, METKG.endDate) for x in node.nodes(METKG.hasHistory)],
        labs=[reader.fact(x, "labs", METKG.date) for x in node.nodes(METKG.hasLabFinding)],
        journey=reader.journey(journey) if journey else [],
        outcome=reader.outcome(outcome) if outcome else None,
        conversions=conversions,
        intervals=intervals,
        markers=_marker_table(reader, specimens, converted),
        patient_quotes=reader.quotes(node),
        note=node.text(METKG.note),
    )


def _by_date(fact: Fact) -> tuple[str, int]:
    return fact.sort_key


def report_patients(store: Store, report: str) -> list[tuple[str, str]]:
    """The patients a case report describes: (IRI, label), in the report's order."""
    found = []
    for quad in store.quads_for_pattern(NamedNode(report), NamedNode(METKG.describes), None, None):
        labels = store.quads_for_pattern(quad.object, NamedNode(RDFS.label), None, quad.graph_name)
        label = next((q.object.value for q in labels), quad.object.value)
        found.append((quad.object.value, label))
    return sorted(set(found), key=lambda p: _number(p[0]))


# ---------------------------------------------------------------- the source text


@dataclass
class SourceView:
    """A source document with one passage marked: the text before, the passage, the text after."""

    label: str
    report: str
    doi: str | None
    before: str = ""
    passage: str = ""
    after: str = ""
    quote: str | None = None
    available: bool = False


def _span(text: str, quote_text: str, start: int | None, end: int | None) -> tuple[int, int] | None:
    if start is not None and end is not None and text[start:end] == quote_text:
        return start, end
    pattern = r"\s+".join(re.escape(word) for word in quote_text.split())
    match = re.search(pattern, text) if pattern else None
    return (match.start(), match.end()) if match else None


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def source_view(store: Store, source: str, evidence: str | None, corpus_dir: Path | None) -> SourceView:
    """The text of ``source`` (read from ``corpus_dir``) with the passage ``evidence`` quotes marked."""
    statements: dict[str, list[object]] = defaultdict(list)
    for quad in store.quads_for_pattern(NamedNode(source), None, None, None):
        statements[quad.predicate.value].append(quad.object)
    if not statements:
        raise ResourceNotFoundError(f"no source document {source!r} in the graph")
    node = Node(source, {source: statements}, Catalogue({}, {}, {}, {}))
    view = SourceView(node.label, source.rsplit("/source/", 1)[0], node.text(METKG.doi))
    if evidence:
        ev: dict[str, list[object]] = defaultdict(list)
        for quad in store.quads_for_pattern(NamedNode(evidence), None, None, None):
            ev[quad.predicate.value].append(quad.object)
        found = Node(evidence, {evidence: ev}, node._catalogue)
        if NamedNode(source) in ev.get(METKG.inDocument, []):
            view.quote = found.text(METKG.quote)
    text = _read_text(corpus_dir, node.text(METKG.fileName))
    if text is None:
        return view
    view.available = True
    span = _span(text, view.quote, _int(found.text(METKG.start)), _int(found.text(METKG.end))) if view.quote else None
    if span is None:
        view.before = text
    else:
        view.before, view.passage, view.after = text[: span[0]], text[span[0] : span[1]], text[span[1] :]
    return view


def _read_text(corpus_dir: Path | None, name: str | None) -> str | None:
    """A source's text from the corpus directory; a name that is not a plain file name is refused."""
    if corpus_dir is None or not name or Path(name).name != name:
        return None
    try:
        return (corpus_dir / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
