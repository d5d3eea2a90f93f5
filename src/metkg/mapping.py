"""Case records -> RDF: individuals of the metkg ontology, one named graph per case report.

The mapping is a pure function from a validated :class:`~metkg.records.models.CaseRecord` to
a list of pyoxigraph quads; it never reads files or the store. Values named by ontology key
(sites, markers, histologies...) become the ontology term's IRI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad

from metkg.iris import CaseIris, agent, doi_url
from metkg.records.dates import PartialDate
from metkg.records.models import (
    BiomarkerResult,
    CaseRecord,
    Conflict,
    DiagnosticJourney,
    Evidence,
    Intervention,
    Lesion,
    Outcome,
    Patient,
    Provenance,
    Specimen,
)
from metkg.terminology import Terminology
from metkg.vocab import (
    ASSAY_CLASSES,
    DCTERMS,
    IHC_SCORES,
    INTERVENTION_CLASSES,
    METKG,
    PROV,
    RDF,
    RDFS,
    RESULT_STATUS,
    TUMOR_PROGRESSION,
    XSD,
)

__all__ = ["map_record", "map_record_nquads", "map_records", "triples_nquads"]


@lru_cache(maxsize=4096)
def _nn(iri: str) -> NamedNode:
    return NamedNode(iri)


_LESION_CLASS = {
    "primary": METKG.PrimaryTumor,
    "metastasis": METKG.Metastasis,
    "local-invasion": METKG.LocalInvasion,
    "recurrence": METKG.Recurrence,
}
_SETTING = {
    "neoadjuvant": METKG.Neoadjuvant,
    "adjuvant": METKG.Adjuvant,
    "first-line": METKG.FirstLine,
    "second-line": METKG.SecondLine,
    "later-line": METKG.LaterLine,
    "palliative": METKG.Palliative,
    "salvage": METKG.Salvage,
    "supportive": METKG.Supportive,
}
_RECIST = {"CR": METKG.RecistCR, "PR": METKG.RecistPR, "SD": METKG.RecistSD, "PD": METKG.RecistPD}
_VITAL = {"alive": METKG.Alive, "dead": METKG.Dead, "unknown": METKG.VitalStatusUnknown}
_SEX = {"female": METKG.Female, "male": METKG.Male}
_LATERALITY = {"left": METKG.Left, "right": METKG.Right, "bilateral": METKG.Bilateral, "midline": METKG.Midline}


def _decimal_text(value: float) -> str:
    """The canonical xsd:decimal form: no exponent, no trailing zeros.

    >>> _decimal_text(50.0), _decimal_text(5.93), _decimal_text(0.1)
    ('50', '5.93', '0.1')
    """
    text = format(Decimal(repr(float(value))).normalize(), "f")
    return text


def _fmt_number(value: float) -> str:
    return f"{value:g}"


def result_label(marker: str, result: BiomarkerResult) -> str:
    """A short human label for a result, e.g. ``ER positive >90%`` or ``HER2 1+``."""
    parts = [marker]
    if result.status:
        parts.append(result.status)
    if result.percent is not None:
        parts.append(f"{result.comparator or ''}{_fmt_number(result.percent)}%")
    if result.score is not None:
        parts.append(result.score)
    return " ".join(parts)


class _Emitter:
    """Collects the quads of one case report's named graph."""

    def __init__(self, record: CaseRecord, terms: Terminology, base: str):
        self.record = record
        self.terms = terms
        self.iris = CaseIris(base, record.report.doi)
        self.graph = _nn(self.iris.graph)
        self.quads: list[Quad] = []
        self.default_source = record.default_source()

    # -- the sink: overridden by :class:`_NQuadsEmitter`
    def add_iri(self, s: str, p: str, o: str) -> None:
        self.quads.append(Quad(_nn(s), _nn(p), _nn(o), self.graph))

    def add_literal(self, s: str, p: str, lexical: str, datatype: str | None = None) -> None:
        obj = Literal(lexical, datatype=_nn(datatype)) if datatype else Literal(lexical)
        self.quads.append(Quad(_nn(s), _nn(p), obj, self.graph))

    # -- primitives
    def iri(self, s: str, p: str, o: str | None) -> None:
        if o is not None:
            self.add_iri(s, p, o)

    def text(self, s: str, p: str, value: str | None) -> None:
        if value is not None:
            self.add_literal(s, p, value)

    def integer(self, s: str, p: str, value: int | None) -> None:
        if value is not None:
            self.add_literal(s, p, str(value), XSD.integer)

    def decimal(self, s: str, p: str, value: float | None) -> None:
        if value is not None:
            self.add_literal(s, p, _decimal_text(value), XSD.decimal)

    def date(self, s: str, p: str, value: PartialDate | None) -> None:
        if value is not None:
            self.add_literal(s, p, str(value), XSD[value.xsd_type])

    def term(self, category: str, key: str | None) -> str | None:
        if key is None:
            return None
        term = self.terms.get(category, key)
        return term.iri if term else None

    def typed(self, s: str, cls: str, label: str | None) -> None:
        self.add_iri(s, RDF.type, cls)
        self.text(s, RDFS.label, label)

    # -- shared parts of every fact
    def fact(self, s: str, fact: Any) -> None:
        for i, ev in enumerate(fact.evidence, 1):
            self.evidence(CaseIris.child(s, "evidence", i), ev)
            self.iri(s, METKG.hasEvidence, CaseIris.child(s, "evidence", i))
        for i, conflict in enumerate(getattr(fact, "conflicts", ()), 1):
            self.conflict(s, CaseIris.child(s, "conflict", i), conflict)
        self.text(s, METKG.note, getattr(fact, "note", None))

    def evidence(self, s: str, ev: Evidence) -> None:
        self.add_iri(s, RDF.type, METKG.Evidence)
        self.text(s, METKG.quote, ev.quote)
        self.iri(s, METKG.inDocument, self.iris.source(ev.source or self.default_source))
        self.integer(s, METKG.start, ev.start)
        self.integer(s, METKG.end, ev.end)

    def conflict(self, owner: str, s: str, conflict: Conflict) -> None:
        self.iri(owner, METKG.hasConflict, s)
        self.typed(s, METKG.Conflict, f"conflict over {conflict.field}")
        self.text(s, METKG.field, conflict.field)
        self.text(s, METKG.resolution, conflict.resolution)
        self.text(s, METKG.note, conflict.note)
        for i, statement in enumerate(conflict.statements, 1):
            st = CaseIris.child(s, "statement", i)
            self.iri(s, METKG.hasStatement, st)
            self.typed(st, METKG.ConflictingStatement, statement.value)
            self.text(st, METKG.statedValue, statement.value)
            self.fact(st, statement)

    def site(self, owner: str, site_key: str | None, text: str | None, laterality: str | None) -> None:
        site_iri = self.term("site", site_key)
        if site_iri is None and text is None:
            return
        s = f"{owner}/site"
        self.iri(owner, METKG.hasSite, s)
        self.add_iri(s, RDF.type, site_iri or METKG.AnatomicalSite)
        label = text or self.terms.get("site", site_key).label if site_key else text  # type: ignore[union-attr]
        self.text(s, RDFS.label, label)
        self.text(s, METKG.siteText, text)
        self.iri(s, METKG.laterality, _LATERALITY.get(laterality or ""))

    # -- the record
    def run(self) -> list[Quad]:
        rec, case = self.record, self.iris.case
        report = rec.report
        first_author = report.authors[0].split()[0] if report.authors else None
        label = report.title or f"case report {report.doi}"
        self.typed(case, METKG.CaseReport, label)
        self.text(case, DCTERMS.title, report.title)
        self.text(case, METKG.doi, report.doi)
        self.text(case, DCTERMS.identifier, rec.id)
        self.iri(case, RDFS.seeAlso, doi_url(report.doi))
        self.text(case, METKG.journal, report.journal)
        self.integer(case, METKG.year, report.year)
        for author in report.authors:
            self.text(case, METKG.author, author)
        self.text(case, METKG.licence, report.licence)
        self.iri(case, METKG.curationStatus, METKG.Curated if rec.status == "curated" else METKG.MachineExtracted)
        if rec.provenance is not None:
            self.provenance(case, rec.provenance)
        self.text(case, METKG.note, rec.note)
        for source_id, source in rec.sources.items():
            s = self.iris.source(source_id)
            self.typed(s, METKG.SourceDocument, source.title or source.locator or source.file or source_id)
            if source.doi:
                self.text(s, METKG.doi, source.doi)
                self.iri(s, RDFS.seeAlso, doi_url(source.doi))
            self.text(s, METKG.fileName, source.file)
            self.text(s, METKG.locator, source.locator)
        who = f"{first_author} {report.year}" if first_author and report.year else report.doi
        for patient in rec.patients:
            self.patient(case, patient, who)
        return self.quads

    def provenance(self, case: str, prov: Provenance) -> None:
        """PROV-O: the extraction and the review that made the record, and who did them."""
        extraction = review = None
        if prov.extracted_by is not None:
            extraction = f"{case}/activity/extraction"
            software = agent(self.iris.base, "software", prov.extracted_by)
            self.activity(extraction, METKG.Extraction, f"extraction by {prov.extracted_by}", software)
            self.typed(software, PROV.SoftwareAgent, prov.extracted_by)
            self.date_time(extraction, PROV.endedAtTime, prov.extracted_at)
        if prov.reviewed_by is not None:
            review = f"{case}/activity/review"
            curator = agent(self.iris.base, "curator", prov.reviewed_by)
            self.activity(review, METKG.Review, f"review by {prov.reviewed_by}", curator)
            self.typed(curator, PROV.Person, prov.reviewed_by)
            self.iri(case, PROV.wasAttributedTo, curator)
            self.date_time(review, PROV.endedAtTime, prov.reviewed_at)
            self.iri(review, PROV.wasInformedBy, extraction)
            if prov.draft is not None:
                draft = f"{case}/draft"
                self.typed(draft, PROV.Entity, f"draft {prov.draft}")
                self.iri(review, PROV.used, draft)
                self.iri(case, PROV.wasDerivedFrom, draft)
        last = review or extraction
        if last is not None:
            self.iri(case, PROV.wasGeneratedBy, last)
            self.date_time(case, PROV.generatedAtTime, prov.reviewed_at if review else prov.extracted_at)

    def activity(self, s: str, cls: str, label: str, who: str) -> None:
        self.typed(s, cls, label)
        self.iri(s, PROV.wasAssociatedWith, who)

    def date_time(self, s: str, p: str, value: datetime | None) -> None:
        if value is not None:
            self.add_literal(s, p, value.isoformat(), XSD.dateTime)

    def patient(self, case: str, patient: Patient, who: str) -> None:
        p = self.iris.patient(patient.index)
        self.iri(case, METKG.describes, p)
        self.iri(p, METKG.reportedIn, case)
        self.typed(p, METKG.Patient, patient.label or f"patient {patient.index} of {who}")
        self.integer(p, METKG.patientIndex, patient.index)
        self.iri(p, METKG.sex, _SEX.get(patient.sex or ""))
        self.integer(p, METKG.age, patient.age)
        self.fact(p, patient)
        part = lambda kind, local: self.iris.part(patient.index, kind, local)  # noqa: E731
        for i, item in enumerate(patient.history, 1):
            s = part("history", str(i))
            self.iri(p, METKG.hasHistory, s)
            self.typed(s, METKG.HistoryItem, item.condition)
            self.text(s, METKG.condition, item.condition)
            self.text(s, METKG.historyKind, item.kind)
            self.date(s, METKG.date, item.date)
            self.date(s, METKG.endDate, item.end)
            self.integer(s, METKG.age, item.age)
            self.fact(s, item)
        for i, finding in enumerate(patient.germline, 1):
            s = part("germline", str(i))
            self.iri(p, METKG.hasGermlineFinding, s)
            self.typed(s, METKG.GermlineFinding, f"{finding.gene}: {finding.finding}")
            self.iri(s, METKG.gene, self.term("gene", finding.gene))
            self.text(s, METKG.finding, finding.finding)
            if finding.pathogenic is not None:
                self.add_literal(s, METKG.pathogenic, str(finding.pathogenic).lower(), XSD.boolean)
            self.fact(s, finding)
        for lesion in patient.lesions:
            self.lesion(p, part("lesion", lesion.id), lesion, part)
        for specimen in patient.specimens:
            self.specimen(p, part("specimen", specimen.id), specimen, part)
        for intervention in patient.interventions:
            self.intervention(p, part("intervention", intervention.id), intervention, part)
        for response in patient.responses:
            s = part("response", response.id)
            self.iri(p, METKG.hasResponse, s)
            label = response.description or (
                f"RECIST {response.recist}" if response.recist else f"Miller-Payne grade {response.miller_payne}"
            )
            self.typed(s, METKG.ResponseAssessment, label)
            self.iri(s, METKG.assesses, part("intervention", response.intervention) if response.intervention else None)
            self.iri(s, METKG.assessedLesion, part("lesion", response.lesion) if response.lesion else None)
            self.iri(s, METKG.responseCategory, _RECIST.get(response.recist or ""))
            if response.miller_payne is not None:
                self.iri(s, METKG.responseCategory, METKG[f"MillerPayne{response.miller_payne}"])
                self.integer(s, METKG.millerPayneGrade, response.miller_payne)
            self.text(s, METKG.description, response.description)
            self.date(s, METKG.date, response.date)
            self.fact(s, response)
        for finding in patient.lab_findings:
            s = part("lab", finding.id)
            self.iri(p, METKG.hasLabFinding, s)
            value = f" {_fmt_number(finding.value)}" if finding.value is not None else ""
            self.typed(s, METKG.LabFinding, f"{finding.analyte}{value}{' ' + finding.unit if finding.unit else ''}")
            self.text(s, METKG.analyte, finding.analyte)
            self.decimal(s, METKG.value, finding.value)
            self.text(s, METKG.unit, finding.unit)
            self.text(s, METKG.interpretation, finding.interpretation)
            self.date(s, METKG.date, finding.date)
            self.fact(s, finding)
        if patient.journey is not None:
            self.journey(p, f"{self.iris.patient(patient.index)}/journey", patient.journey, part)
        if patient.outcome is not None:
            self.outcome(p, f"{self.iris.patient(patient.index)}/outcome", patient.outcome)

    def lesion(self, p: str, s: str, lesion: Lesion, part: Any) -> None:
        self.iri(p, METKG.hasLesion, s)
        histology = self.terms.get("histology", lesion.histology) if lesion.histology else None
        site = self.terms.get("site", lesion.site) if lesion.site else None
        where = lesion.site_text or (site.label if site else None)
        what = histology.label if histology and lesion.kind == "primary" else lesion.kind.replace("-", " ")
        self.typed(s, _LESION_CLASS[lesion.kind], f"{what} ({where})" if where else what)
        self.iri(s, METKG.histology, histology.iri if histology else None)
        self.site(s, lesion.site, lesion.site_text, lesion.laterality)
        self.date(s, METKG.diagnosisDate, lesion.diagnosis_date)
        self.text(s, METKG.stage, lesion.stage)
        self.text(s, METKG.grade, lesion.grade)
        self.text(s, METKG.description, lesion.description)
        self.iri(s, METKG.primaryTumor, part("lesion", lesion.primary) if lesion.primary else None)
        self.iri(s, METKG.tumorProgression, TUMOR_PROGRESSION.get(lesion.kind))
        self.fact(s, lesion)

    def specimen(self, p: str, s: str, specimen: Specimen, part: Any) -> None:
        self.iri(p, METKG.hasSpecimen, s)
        procedure = self.terms.get("procedure", specimen.procedure)
        where = specimen.site_text or (self.terms.get("site", specimen.site).label if specimen.site else None)  # type: ignore[union-attr]
        label = procedure.label if procedure else specimen.procedure
        self.typed(
            s,
            METKG.Specimen,
            f"{label} ({where}{', ' + str(specimen.date) if specimen.date else ''})" if where else label,
        )
        self.iri(s, METKG.collectedBy, procedure.iri if procedure else None)
        self.site(s, specimen.site, specimen.site_text, specimen.laterality)
        self.date(s, METKG.collectionDate, specimen.date)
        self.iri(s, METKG.samples, part("lesion", specimen.lesion) if specimen.lesion else None)
        self.text(s, METKG.diagnosis, specimen.diagnosis)
        self.fact(s, specimen)
        used: dict[str, int] = {}
        for result in specimen.results:
            used[result.marker] = used.get(result.marker, 0) + 1
            local = result.marker if used[result.marker] == 1 else f"{result.marker}-{used[result.marker]}"
            self.result(s, CaseIris.child(s, "result", local), result)

    def result(self, specimen: str, s: str, result: BiomarkerResult) -> None:
        self.iri(specimen, METKG.hasResult, s)
        self.iri(s, METKG.resultOf, specimen)
        marker = self.terms.get("marker", result.marker)
        self.typed(s, METKG.BiomarkerResult, result_label(marker.label if marker else result.marker, result))
        # a draft's marker the ontology lacks (validation lets only drafts through) stays a result
        self.iri(s, METKG.marker, marker.iri if marker else METKG.UnlistedMarker)
        self.iri(s, METKG.assay, ASSAY_CLASSES[result.assay])
        self.iri(s, METKG.status, RESULT_STATUS.get(result.status or ""))
        self.decimal(s, METKG.percent, result.percent)
        self.text(s, METKG.comparator, result.comparator)
        self.iri(s, METKG.ihcScore, IHC_SCORES.get(result.score or ""))
        self.text(s, METKG.pattern, result.pattern)
        self.text(s, METKG.rawText, result.raw)
        self.fact(s, result)

    def intervention(self, p: str, s: str, item: Intervention, part: Any) -> None:
        self.iri(p, METKG.hasIntervention, s)
        procedure = self.terms.get("procedure", item.procedure) if item.procedure else None
        drugs = [self.terms.get("drug", d.drug) for d in item.drugs]
        if item.description:
            label = item.description
        elif drugs:
            label = " + ".join(d.label if d else "?" for d in drugs)
        elif procedure:
            label = procedure.label
        else:
            label = item.type
        self.typed(s, INTERVENTION_CLASSES[item.type], label)
        self.iri(s, METKG.interventionProcedure, procedure.iri if procedure else None)
        self.text(s, METKG.description, item.description)
        for i, (admin, drug) in enumerate(zip(item.drugs, drugs, strict=True), 1):
            d = CaseIris.child(s, "drug", i)
            self.iri(s, METKG.hasDrug, d)
            self.typed(d, METKG.DrugAdministration, drug.label if drug else admin.drug)
            self.iri(d, METKG.agent, drug.iri if drug else None)
            self.decimal(d, METKG.dose, admin.dose)
            self.text(d, METKG.doseUnit, admin.unit)
            self.text(d, METKG.schedule, admin.schedule)
            self.text(d, METKG.route, admin.route)
        self.integer(s, METKG.cycles, item.cycles)
        self.decimal(s, METKG.totalDoseGy, item.dose_gy)
        self.integer(s, METKG.fractions, item.fractions)
        self.date(s, METKG.startDate, item.start)
        self.date(s, METKG.endDate, item.end)
        self.iri(s, METKG.setting, _SETTING.get(item.setting or ""))
        for target in item.targets:
            self.iri(s, METKG.treats, part("lesion", target))
        self.text(s, METKG.adherence, item.adherence)
        self.text(s, METKG.interventionStatus, item.status)
        self.fact(s, item)

    def journey(self, p: str, s: str, journey: DiagnosticJourney, part: Any) -> None:
        self.iri(p, METKG.hasDiagnosticJourney, s)
        self.typed(s, METKG.DiagnosticJourney, "diagnostic journey")
        self.text(s, METKG.firstSymptom, journey.first_symptom)
        self.date(s, METKG.firstSymptomDate, journey.first_symptom_date)
        self.iri(s, METKG.confirmedBy, part("specimen", journey.confirmed_by) if journey.confirmed_by else None)
        self.date(s, METKG.confirmedDate, journey.confirmed_date)
        self.iri(s, METKG.journeyLesion, part("lesion", journey.lesion) if journey.lesion else None)
        self.decimal(s, METKG.statedDelayMonths, journey.stated_delay_months)
        self.fact(s, journey)
        for i, mis in enumerate(journey.misdiagnoses, 1):
            m = CaseIris.child(s, "misdiagnosis", i)
            self.iri(s, METKG.hasMisdiagnosis, m)
            self.typed(m, METKG.Misdiagnosis, mis.label)
            self.text(m, METKG.misdiagnosisKind, mis.kind)
            self.fact(m, mis)

    def outcome(self, p: str, s: str, outcome: Outcome) -> None:
        self.iri(p, METKG.hasOutcome, s)
        self.typed(s, METKG.Outcome, outcome.disease_status or outcome.vital_status)
        self.iri(s, METKG.vitalStatus, _VITAL[outcome.vital_status])
        self.text(s, METKG.diseaseStatus, outcome.disease_status)
        self.date(s, METKG.lastFollowUp, outcome.last_follow_up)
        self.date(s, METKG.deathDate, outcome.death_date)
        self.text(s, METKG.causeOfDeath, outcome.cause_of_death)
        self.fact(s, outcome)


def map_record(record: CaseRecord, terms: Terminology, base: str) -> list[Quad]:
    """The quads of one case report's named graph."""
    return _Emitter(record, terms, base).run()


#: What an N-Quads string literal must escape (the grammar's STRING_LITERAL_QUOTE).
_LITERAL_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r'[\\"\n\r]')


def _nquads_literal(lexical: str, datatype: str | None) -> str:
    if _NEEDS_ESCAPE.search(lexical):
        lexical = lexical.translate(_LITERAL_ESCAPES)
    return f'"{lexical}"^^<{datatype}>' if datatype else f'"{lexical}"'


class _NQuadsEmitter(_Emitter):
    """The same quads as N-Quads lines: no Python RDF objects, several times faster to make and
    what the store's bulk loader parses natively. Every IRI the mapping writes is already safe
    (minted IRIs escape their segments, ontology IRIs are checked by the store when it loads them).
    """

    def __init__(self, record: CaseRecord, terms: Terminology, base: str):
        super().__init__(record, terms, base)
        self.lines: list[str] = []
        self.tail = f"<{self.iris.graph}> .\n"

    def add_iri(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"<{s}> <{p}> <{o}> {self.tail}")

    def add_literal(self, s: str, p: str, lexical: str, datatype: str | None = None) -> None:
        self.lines.append(f"<{s}> <{p}> {_nquads_literal(lexical, datatype)} {self.tail}")


def triples_nquads(triples: Iterable[tuple[str, str, Any]], graph: str) -> tuple[str, int]:
    """Triples as N-Quads lines in ``graph``: an object is an IRI (``str``) or a literal
    ``(lexical, datatype or None)``, as :mod:`metkg.reasoning` derives them."""
    tail = f"<{graph}> .\n"
    lines = []
    for s, p, o in triples:
        obj = _nquads_literal(*o) if isinstance(o, tuple) else f"<{o}>"
        lines.append(f"<{s}> <{p}> {obj} {tail}")
    return "".join(lines), len(lines)


def map_record_nquads(record: CaseRecord, terms: Terminology, base: str) -> tuple[str, int]:
    """The quads of one case report's named graph as N-Quads text, and how many there are.

    The same quads as :func:`map_record` (the test suite checks it), for bulk loading.
    """
    emitter = _NQuadsEmitter(record, terms, base)
    emitter.run()
    return "".join(emitter.lines), len(emitter.lines)


def map_records(records: Iterable[CaseRecord], terms: Terminology, base: str) -> Iterable[Quad]:
    """The quads of many case reports, one report after another."""
    for record in records:
        yield from map_record(record, terms, base)
