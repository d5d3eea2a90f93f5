"""GA4GH Phenopacket v2: one JSON document per patient of a case record.

https://phenopacket-schema.readthedocs.io/ (schema 2.0). What each part holds:

- ``subject``: sex, the age the report states (``timeAtLastEncounter``, an ISO 8601 duration:
  the report is the encounter), vital status and time of death, taxonomy.
- ``diseases``: each primary tumour (histology, onset, primary site); a patient without a
  recorded primary gets one disease per lesion with a histology.
- ``biosamples``: one per specimen: sampled tissue, histological diagnosis, tumour progression
  (NCIT:C8509 primary, C3261 metastatic, C4798 recurrent), procedure, time of collection, and a
  measurement per stated biomarker value (status, percent of cells, IHC score).
- ``medicalActions``: a treatment per drug, radiotherapy with dose and fractions, procedures,
  and a therapeutic regimen for therapies without a named drug. Interventions declined or only
  planned are left out: a Phenopacket lists what was done.
- ``metaData``: the ontology resources the document uses and the report's DOI (and PMID).

Codes: a term carries an external code only where the ontology states a verified
``skos:exactMatch`` (sites UBERON first, histologies, procedures and drugs NCIt first); every
other term keeps its local ``metkg:`` id. Nothing is invented: a close match is not a code.
Dates keep their precision: a day is a timestamp, a month or a year the interval it covers.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib

from metkg.errors import ConfigurationError
from metkg.records.dates import PartialDate
from metkg.records.models import BiomarkerResult, CaseRecord, Intervention, Lesion, Patient, Specimen
from metkg.settings import Settings
from metkg.terminology import Terminology, load_ontology_graph, load_terminology
from metkg.vocab import IHC_SCORES, INTERVENTION_CLASSES, METKG, OWL, RESULT_STATUS, SKOS, TUMOR_PROGRESSION

__all__ = ["SCHEMA_VERSION", "Codes", "export_phenopackets", "phenopacket", "write_phenopackets"]

SCHEMA_VERSION = "2.0"
Json = dict[str, Any]

#: External prefixes in the order a term's codes are preferred, by the kind of term.
_PREFERRED = {
    "site": ("UBERON", "NCIT"),
    "histology": ("NCIT",),
    "procedure": ("NCIT",),
    "drug": ("NCIT", "CHEBI"),
    "intervention": ("NCIT",),
}
_OBO = re.compile(r"^http://purl\.obolibrary\.org/obo/(?P<prefix>[A-Za-z]+)_(?P<id>\w+)$")
_PROGRESSION_LABELS = {
    "primary": "Primary Neoplasm",
    "metastasis": "Metastatic Neoplasm",
    "recurrence": "Recurrent Neoplasm",
}
_HUMAN = {"id": "NCBITaxon:9606", "label": "Homo sapiens"}
_PERCENT = {"id": "UCUM:%", "label": "percent"}
_SEX = {"female": "FEMALE", "male": "MALE"}
_VITAL = {"alive": "ALIVE", "dead": "DECEASED"}
_REGIMEN_STATUS = {"completed": "COMPLETED", "stopped": "DISCONTINUED", "ongoing": "STARTED"}
#: Prefix -> (resource id, name, url, IRI prefix) of every resource a document may use.
_RESOURCES: dict[str, tuple[str, str, str, str]] = {
    "NCIT": (
        "ncit",
        "NCI Thesaurus",
        "http://purl.obolibrary.org/obo/ncit.owl",
        "http://purl.obolibrary.org/obo/NCIT_",
    ),
    "UBERON": (
        "uberon",
        "Uber-anatomy ontology",
        "http://purl.obolibrary.org/obo/uberon.owl",
        "http://purl.obolibrary.org/obo/UBERON_",
    ),
    "CHEBI": (
        "chebi",
        "Chemical Entities of Biological Interest",
        "http://purl.obolibrary.org/obo/chebi.owl",
        "http://purl.obolibrary.org/obo/CHEBI_",
    ),
    "NCBITaxon": (
        "ncbitaxon",
        "NCBI organismal classification",
        "http://purl.obolibrary.org/obo/ncbitaxon.owl",
        "http://purl.obolibrary.org/obo/NCBITaxon_",
    ),
    "UCUM": ("ucum", "Unified Code for Units of Measure", "https://ucum.org", "https://ucum.org/ucum#"),
    "metkg": ("metkg", "metkg ontology", str(METKG).rstrip("#"), str(METKG)),
}


@dataclass
class Codes:
    """Labels and verified external codes of the ontology's terms."""

    labels: dict[str, str]
    exact: dict[str, list[str]]
    version: str
    used: set[str] = field(default_factory=set)

    @classmethod
    def from_ontology(cls, ontology_dir: Path) -> Codes:
        graph = load_ontology_graph(ontology_dir)
        labels = {str(s): str(o) for s, o in graph.subject_objects(rdflib.RDFS.label) if isinstance(s, rdflib.URIRef)}
        exact: dict[str, list[str]] = {}
        for s, o in graph.subject_objects(rdflib.URIRef(SKOS.exactMatch)):
            exact.setdefault(str(s), []).append(str(o))
        version = graph.value(rdflib.URIRef(str(METKG).rstrip("#")), rdflib.URIRef(OWL.versionInfo))
        return cls(labels, exact, str(version or "unversioned"))

    def term(self, iri: str, kind: str | None = None) -> Json:
        """The OntologyClass of a term: its preferred verified code, else its local ``metkg:`` id."""
        label = self.labels.get(iri, iri.rsplit("#", 1)[-1])
        for prefix in _PREFERRED.get(kind or "", ()):
            for match in sorted(self.exact.get(iri, ())):
                found = _OBO.match(match)
                if found and found["prefix"].upper() == prefix:
                    self.used.add(prefix)
                    return {"id": f"{prefix}:{found['id']}", "label": label}
        self.used.add("metkg")
        return {"id": f"metkg:{iri.rsplit('#', 1)[-1]}", "label": label}

    def code(self, prefix: str, term: Json) -> Json:
        """An OntologyClass of a fixed code (NCIt progression, taxonomy, unit)."""
        self.used.add(prefix)
        return term

    def resources(self) -> list[Json]:
        """The Resource entries of every prefix used so far.

        The release of NCIt, UBERON or ChEBI a code was checked against is not recorded; the
        version says which metkg ontology verified the codes instead of guessing one.
        """
        verified = f"codes as verified in the metkg ontology {self.version}"
        versions = {
            "metkg": self.version,
            "UCUM": "any release (the unit % is the same in all)",
            "NCBITaxon": "any release (Homo sapiens is 9606 in all)",
        }
        return [
            {
                "id": id_,
                "name": name,
                "url": url,
                "version": versions.get(prefix, verified),
                "namespacePrefix": prefix,
                "iriPrefix": iri_prefix,
            }
            for prefix in sorted(self.used)
            for id_, name, url, iri_prefix in [_RESOURCES[prefix]]
        ]


def time_element(date: PartialDate) -> Json:
    """A TimeElement at the date's precision: a day is a timestamp, a month or a year an interval.

    >>> from metkg.records.dates import parse_partial_date
    >>> time_element(parse_partial_date("2024-02"))
    {'interval': {'start': '2024-02-01T00:00:00Z', 'end': '2024-02-29T23:59:59Z'}}
    """
    if date.precision == "day":
        return {"timestamp": f"{date.earliest().isoformat()}T00:00:00Z"}
    return {
        "interval": {
            "start": f"{date.earliest().isoformat()}T00:00:00Z",
            "end": f"{date.latest().isoformat()}T23:59:59Z",
        }
    }


class _Patient:
    """One patient's Phenopacket, built part by part."""

    def __init__(self, record: CaseRecord, patient: Patient, codes: Codes, terms: Terminology):
        self.record, self.patient, self.codes, self.terms = record, patient, codes, terms
        self.id = f"{record.id}-patient-{patient.index}"

    def _key(self, category: str, key: str | None) -> Json | None:
        term = self.terms.get(category, key) if key else None
        return self.codes.term(term.iri, category) if term else None

    def subject(self) -> Json:
        subject: Json = {"id": self.id, "sex": _SEX.get(self.patient.sex or "", "UNKNOWN_SEX")}
        if self.patient.age is not None:
            subject["timeAtLastEncounter"] = {"age": {"iso8601duration": f"P{self.patient.age}Y"}}
        outcome = self.patient.outcome
        if outcome is not None:
            vital: Json = {"status": _VITAL.get(outcome.vital_status, "UNKNOWN_STATUS")}
            if outcome.death_date is not None:
                vital["timeOfDeath"] = time_element(outcome.death_date)
            subject["vitalStatus"] = vital
        subject["taxonomy"] = self.codes.code("NCBITaxon", _HUMAN)
        return subject

    def diseases(self) -> list[Json]:
        lesions = [lesion for lesion in self.patient.lesions if lesion.kind == "primary"]
        if not lesions:
            lesions = [lesion for lesion in self.patient.lesions if lesion.histology]
        return [disease for lesion in lesions if (disease := self._disease(lesion))]

    def _disease(self, lesion: Lesion) -> Json | None:
        term = self._key("histology", lesion.histology)
        if term is None:
            return None
        disease: Json = {"term": term}
        if lesion.diagnosis_date is not None:
            disease["onset"] = time_element(lesion.diagnosis_date)
        if lesion.kind == "primary" and (site := self._key("site", lesion.site)):
            disease["primarySite"] = site
        return disease

    def biosample(self, specimen: Specimen) -> Json:
        lesion = self.patient.lesion(specimen.lesion) if specimen.lesion else None
        sample: Json = {"id": f"{self.id}-{specimen.id}", "individualId": self.id}
        if specimen.diagnosis:
            sample["description"] = specimen.diagnosis
        site = self._key("site", specimen.site or (lesion.site if lesion else None))
        if site:
            sample["sampledTissue"] = site
        sample["taxonomy"] = self.codes.code("NCBITaxon", _HUMAN)
        if specimen.date is not None:
            sample["timeOfCollection"] = time_element(specimen.date)
        if lesion is not None and (histology := self._key("histology", lesion.histology)):
            sample["histologicalDiagnosis"] = histology
        if lesion is not None and lesion.kind in TUMOR_PROGRESSION:
            code = TUMOR_PROGRESSION[lesion.kind].rsplit("_", 1)[-1]
            sample["tumorProgression"] = self.codes.code(
                "NCIT", {"id": f"NCIT:{code}", "label": _PROGRESSION_LABELS[lesion.kind]}
            )
        procedure = self._procedure(specimen.procedure, site, specimen.date)
        if procedure:
            sample["procedure"] = procedure
        measurements = [m for result in specimen.results for m in self._measurements(result)]
        if measurements:
            sample["measurements"] = measurements
        return sample

    def _procedure(self, key: str | None, site: Json | None, date: PartialDate | None) -> Json | None:
        code = self._key("procedure", key)
        if code is None:
            return None
        procedure: Json = {"code": code}
        if site:
            procedure["bodySite"] = site
        if date is not None:
            procedure["performed"] = time_element(date)
        return procedure

    def _measurements(self, result: BiomarkerResult) -> Iterator[Json]:
        """One measurement per stated value of the result: status, percent of cells, IHC score."""
        marker = self._key("marker", result.marker) or {"id": f"metkg:{result.marker}", "label": result.marker}
        stated = f"{result.assay} {result.raw or result.marker}"
        base = {"assay": marker, "description": stated}
        if result.status is not None:
            yield {**base, "value": {"ontologyClass": self.codes.term(RESULT_STATUS[result.status])}}
        if result.percent is not None:
            comparator = f" ({result.comparator} {result.percent:g} %)" if result.comparator else ""
            quantity = {"unit": self.codes.code("UCUM", _PERCENT), "value": result.percent}
            yield {**base, "description": stated + comparator, "value": {"quantity": quantity}}
        if result.score is not None:
            yield {**base, "value": {"ontologyClass": self.codes.term(IHC_SCORES[result.score])}}

    def medical_actions(self) -> list[Json]:
        done = [i for i in self.patient.interventions if i.adherence != "declined" and i.status != "planned"]
        return [action for item in done for action in self._actions(item)]

    def _target_site(self, item: Intervention) -> Json | None:
        for target in item.targets:
            lesion = self.patient.lesion(target)
            if lesion is not None and (site := self._key("site", lesion.site)):
                return site
        return None

    def _actions(self, item: Intervention) -> Iterator[Json]:
        if item.drugs:
            for drug in item.drugs:
                agent = self._key("drug", drug.drug) or {"id": f"metkg:{drug.drug}", "label": drug.drug}
                yield {"treatment": {"agent": agent}}
            return
        if item.type == "radiotherapy":
            yield {"radiationTherapy": self._radiation(item)}
            return
        procedure = self._procedure(item.procedure, self._target_site(item), item.start)
        if procedure:
            yield {"procedure": procedure}
            return
        yield {"therapeuticRegimen": self._regimen(item)}

    def _radiation(self, item: Intervention) -> Json:
        modality = self._key("procedure", item.procedure) or self.codes.term(
            INTERVENTION_CLASSES["radiotherapy"], "intervention"
        )
        therapy: Json = {"modality": modality}
        if site := self._target_site(item):
            therapy["bodySite"] = site
        if item.dose_gy is not None and float(item.dose_gy).is_integer():
            therapy["dosage"] = int(item.dose_gy)  # the schema counts whole Gray; a fraction of one is left out
        if item.fractions is not None:
            therapy["fractions"] = item.fractions
        return therapy

    def _regimen(self, item: Intervention) -> Json:
        regimen: Json = {"ontologyClass": self.codes.term(INTERVENTION_CLASSES[item.type], "intervention")}
        if item.start is not None:
            regimen["startTime"] = time_element(item.start)
        if item.end is not None:
            regimen["endTime"] = time_element(item.end)
        if item.status in _REGIMEN_STATUS:
            regimen["regimenStatus"] = _REGIMEN_STATUS[item.status]
        return regimen

    def external_references(self) -> list[Json]:
        report = self.record.report
        references = [{"id": f"DOI:{report.doi}", "reference": f"https://doi.org/{report.doi}"}]
        if report.title:
            references[0]["description"] = report.title
        if report.pmid:
            references.append(
                {"id": f"PMID:{report.pmid}", "reference": f"https://pubmed.ncbi.nlm.nih.gov/{report.pmid}"}
            )
        return references


def phenopacket(record: CaseRecord, patient: Patient, codes: Codes, terms: Terminology, created: _dt.datetime) -> Json:
    """The Phenopacket of one patient of ``record`` (JSON as the schema's JSON mapping has it)."""
    built = _Patient(record, patient, codes, terms)
    codes.used.clear()
    document: Json = {"id": built.id, "subject": built.subject()}
    for name, parts in (
        ("diseases", built.diseases()),
        ("biosamples", [built.biosample(s) for s in patient.specimens]),
        ("medicalActions", built.medical_actions()),
    ):
        if parts:
            document[name] = parts
    document["metaData"] = {
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "createdBy": "metkg",
        "resources": codes.resources(),
        "phenopacketSchemaVersion": SCHEMA_VERSION,
        "externalReferences": built.external_references(),
    }
    return document


def _matches(record: CaseRecord, case: str) -> bool:
    wanted = case.strip().lower()
    return wanted in (record.id.lower(), record.report.doi.lower())


def write_phenopackets(
    records: Iterable[CaseRecord], ontology_dir: Path, directory: Path, case: str | None = None
) -> list[Path]:
    """Write one ``{record id}-patient-{n}.json`` per patient into ``directory``; return the files."""
    chosen = [r for r in records if case is None or _matches(r, case)]
    if case is not None and not chosen:
        raise ConfigurationError(f"no case record with id or DOI {case!r}; list them with `metkg cases`")
    codes, terms = Codes.from_ontology(ontology_dir), load_terminology(ontology_dir.resolve())
    created = _dt.datetime.now(_dt.UTC)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for record in chosen:
        for patient in record.patients:
            document = phenopacket(record, patient, codes, terms, created)
            path = directory / f"{document['id']}.json"
            path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            written.append(path)
    return written


def export_phenopackets(settings: Settings, directory: Path, case: str | None = None) -> list[Path]:
    """The Phenopackets of the curated records under ``settings.data_dir``, validated as a build would."""
    from metkg.build import load_and_validate

    loaded, _ = load_and_validate([settings.data_dir], settings)
    return write_phenopackets([item.record for item in loaded], settings.ontology_dir, directory, case)
