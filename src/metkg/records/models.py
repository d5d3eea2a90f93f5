"""The case record: typed models every pipeline stage speaks.

A case record is one YAML file under ``data/cases/`` describing one published case report and
the patients it reports. Every fact object carries ``evidence``: the shortest quotes from a source
document that state it. Values drawn from the ontology (markers, sites, histologies, procedures,
drugs) are the ontology's *keys* (``metkg:key`` annotations, e.g. ``ER``, ``scalp``, ``invasive-ductal-carcinoma``);
:mod:`metkg.records.validate` checks them against the ontology, since the models alone cannot.

Enumerations that are part of the format itself (kinds of lesion, result status, RECIST
categories...) are checked here, with the allowed values named in the error.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, field_validator, model_validator

from metkg.records.dates import PartialDate, parse_partial_date

__all__ = [
    "UNLISTED_MARKER_NOTE",
    "BiomarkerResult",
    "CaseRecord",
    "Conflict",
    "ConflictingStatement",
    "DiagnosticJourney",
    "DrugAdministration",
    "Evidence",
    "GermlineFinding",
    "HistoryItem",
    "Intervention",
    "LabFinding",
    "Lesion",
    "Misdiagnosis",
    "Outcome",
    "Patient",
    "Provenance",
    "Publication",
    "ResponseAssessment",
    "Source",
    "Specimen",
]

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _to_date(value: Any) -> PartialDate | None:
    return None if value is None else parse_partial_date(value)


#: A date at the precision the source gives: ``2019``, ``2019-10`` or ``2019-10-02``.
DateField = Annotated[PartialDate, BeforeValidator(_to_date), PlainSerializer(str, return_type=str)]


def _to_str(value: Any) -> Any:
    """YAML reads ``0`` or ``2.5`` as numbers where the format wants text."""
    if isinstance(value, bool):
        return value
    return str(value) if isinstance(value, int | float) else value


Text = Annotated[str, BeforeValidator(_to_str)]
LocalId = Annotated[str, Field(pattern=_ID.pattern, description="lower-case letters, digits and '-'")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Evidence(_Model):
    """A quote from a source document that states a fact.

    In YAML a bare string is a quote from the record's first source; a mapping names the
    ``source`` and may give the character span (``start``, ``end``) the quote was taken from.
    """

    quote: str = Field(min_length=1)
    source: str | None = None
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)
    page: int | None = Field(default=None, ge=1, description="page of a paged source (PDF) the quote is on")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"quote": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _span_is_ordered(self) -> Evidence:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither")
        if self.start is not None and self.end is not None and self.end - self.start != len(self.quote):
            raise ValueError(f"span {self.start}-{self.end} is not as long as the quote ({len(self.quote)} characters)")
        return self


EvidenceList = Annotated[list[Evidence], Field(min_length=1)]


class ConflictingStatement(_Model):
    """One of two or more statements a source makes about the same fact."""

    value: Text
    evidence: EvidenceList


class Conflict(_Model):
    """A fact the source states in contradictory ways, with the curator's resolution.

    The fact object's own field holds the resolved value; queries see that value.
    """

    field: str
    statements: Annotated[list[ConflictingStatement], Field(min_length=2)]
    resolution: Text
    note: str = Field(min_length=1)


class _Fact(_Model):
    evidence: EvidenceList
    conflicts: list[Conflict] = Field(default_factory=list)
    note: str | None = None


class Source(_Model):
    """A document that evidence quotes come from."""

    doi: str | None = None
    file: str | None = Field(default=None, description="file name of the text in the corpus directory")
    locator: str | None = Field(default=None, description="where in the document, e.g. 'Table 1'")
    title: str | None = None


class Publication(_Model):
    """The published case report a record describes."""

    doi: str = Field(pattern=r"^10\.\d{4,9}/\S+$")
    title: str | None = None
    journal: str | None = None
    year: int | None = Field(default=None, ge=1800, le=2200)
    authors: list[str] = Field(default_factory=list)
    licence: str | None = None
    pmid: str | None = None

    @field_validator("doi")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.strip().lower()


Laterality = Literal["left", "right", "bilateral", "midline"]


class HistoryItem(_Fact):
    """Medical history, risk factors and exposures (e.g. hormone replacement therapy)."""

    condition: str
    kind: Literal["condition", "risk-factor", "exposure", "procedure", "infection", "family-history"] = "condition"
    date: DateField | None = None
    end: DateField | None = None
    age: int | None = Field(default=None, ge=0, le=130)


class GermlineFinding(_Fact):
    """A germline test result such as a BRCA1 variant."""

    gene: str
    finding: str
    pathogenic: bool | None = None


class Lesion(_Fact):
    """A primary tumour, a metastasis, a local invasion or a recurrence."""

    id: LocalId
    kind: Literal["primary", "metastasis", "local-invasion", "recurrence"]
    histology: str | None = None
    site: str | None = None
    site_text: str | None = None
    laterality: Laterality | None = None
    diagnosis_date: DateField | None = None
    stage: str | None = None
    grade: Text | None = None
    primary: LocalId | None = Field(default=None, description="id of the primary lesion it arises from")
    description: str | None = None

    @model_validator(mode="after")
    def _primary_only_for_secondary(self) -> Lesion:
        if self.kind == "primary" and self.primary is not None:
            raise ValueError("a primary lesion has no `primary`")
        return self


#: How a machine-extracted result names a marker the ontology does not know: its ``note``
#: starts with this, and its ``marker`` is the name as the text writes it.
UNLISTED_MARKER_NOTE = "marker not in the vocabulary"


class BiomarkerResult(_Fact):
    """One marker's result on one specimen: status, percent of cells, IHC score.

    ``marker`` is an ontology key; a draft may keep a marker the ontology lacks under its
    name in the text, with a note starting with :data:`UNLISTED_MARKER_NOTE`.
    """

    marker: str
    assay: Literal["IHC", "ISH", "FISH", "PCR", "NGS", "serum"] = "IHC"
    status: Literal["positive", "negative", "equivocal", "low"] | None = None
    percent: float | None = Field(default=None, ge=0, le=100)
    comparator: Literal[">", "<", ">=", "<=", "~"] | None = None
    score: Literal["0", "1+", "2+", "3+"] | None = None
    pattern: str | None = Field(default=None, description="staining pattern: diffuse, focal, membrane...")
    raw: str | None = Field(default=None, description="the result as the source writes it")

    @field_validator("score", mode="before")
    @classmethod
    def _score_text(cls, value: Any) -> Any:
        return _to_str(value)

    @model_validator(mode="after")
    def _has_a_value(self) -> BiomarkerResult:
        if self.status is None and self.percent is None and self.score is None:
            raise ValueError("a result needs at least one of status, percent or score")
        if self.comparator is not None and self.percent is None:
            raise ValueError("a comparator needs a percent")
        return self


class Specimen(_Fact):
    """Tissue or cells taken by one procedure on one date; the hub results hang on."""

    id: LocalId
    procedure: str
    site: str | None = None
    site_text: str | None = None
    laterality: Laterality | None = None
    date: DateField | None = None
    lesion: LocalId | None = Field(default=None, description="id of the lesion sampled")
    diagnosis: str | None = Field(default=None, description="the pathologist's finding, as stated")
    results: list[BiomarkerResult] = Field(default_factory=list)


class DrugAdministration(_Model):
    """A drug given within an intervention, with dose and schedule."""

    drug: str
    dose: float | None = Field(default=None, gt=0)
    unit: str | None = None
    schedule: str | None = None
    route: str | None = None


InterventionType = Literal[
    "surgery",
    "chemotherapy",
    "endocrine",
    "targeted",
    "immunotherapy",
    "radiotherapy",
    "embolization",
    "supportive",
    "other",
]


class Intervention(_Fact):
    """A treatment: surgery, systemic therapy, radiotherapy, embolization or supportive care."""

    id: LocalId
    type: InterventionType
    procedure: str | None = Field(default=None, description="ontology key of the procedure, if any")
    description: str | None = None
    drugs: list[DrugAdministration] = Field(default_factory=list)
    cycles: int | None = Field(default=None, gt=0)
    dose_gy: float | None = Field(default=None, gt=0, le=200)
    fractions: int | None = Field(default=None, gt=0)
    start: DateField | None = None
    end: DateField | None = None
    setting: (
        Literal[
            "neoadjuvant", "adjuvant", "first-line", "second-line", "later-line", "palliative", "salvage", "supportive"
        ]
        | None
    ) = None
    targets: list[LocalId] = Field(default_factory=list, description="ids of the lesions treated")
    adherence: Literal["adherent", "non-adherent", "discontinued", "declined"] | None = None
    status: Literal["planned", "ongoing", "completed", "stopped"] | None = None

    @model_validator(mode="after")
    def _dose_only_for_radiotherapy(self) -> Intervention:
        if (self.dose_gy is not None or self.fractions is not None) and self.type != "radiotherapy":
            raise ValueError("dose_gy and fractions belong to radiotherapy")
        if self.start is not None and self.end is not None and self.end.earliest() < self.start.earliest():
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class ResponseAssessment(_Fact):
    """A response to treatment: RECIST category, Miller-Payne grade, or as described."""

    id: LocalId
    intervention: LocalId | None = None
    lesion: LocalId | None = None
    recist: Literal["CR", "PR", "SD", "PD"] | None = None
    miller_payne: int | None = Field(default=None, ge=1, le=5)
    description: str | None = None
    date: DateField | None = None

    @model_validator(mode="after")
    def _has_a_value(self) -> ResponseAssessment:
        if self.recist is None and self.miller_payne is None and self.description is None:
            raise ValueError("a response needs recist, miller_payne or description")
        return self


class LabFinding(_Fact):
    """A laboratory value such as CEA or platelets, with its unit."""

    id: LocalId
    analyte: str
    value: float | None = None
    unit: str | None = None
    interpretation: Literal["elevated", "low", "normal", "abnormal"] | None = None
    date: DateField | None = None


class Misdiagnosis(_Fact):
    """A diagnosis considered, and later ruled out, on the way to the right one."""

    label: str
    kind: Literal["misdiagnosis", "differential"] = "misdiagnosis"


class DiagnosticJourney(_Fact):
    """From first symptom to confirmed diagnosis, with the wrong turns on the way."""

    first_symptom: str | None = None
    first_symptom_date: DateField | None = None
    misdiagnoses: list[Misdiagnosis] = Field(default_factory=list)
    confirmed_by: LocalId | None = Field(default=None, description="id of the confirming specimen")
    confirmed_date: DateField | None = None
    lesion: LocalId | None = Field(default=None, description="id of the lesion whose diagnosis was delayed")
    stated_delay_months: float | None = Field(default=None, ge=0)


class Outcome(_Fact):
    """Vital status and disease status at last follow-up."""

    vital_status: Literal["alive", "dead", "unknown"]
    disease_status: str | None = None
    last_follow_up: DateField | None = None
    death_date: DateField | None = None
    cause_of_death: str | None = None


class Patient(_Fact):
    """One patient of a case report, with everything reported about them."""

    index: int = Field(ge=1, description="1-based position of the patient in the report")
    label: str | None = None
    sex: Literal["female", "male"] | None = None
    age: int | None = Field(default=None, ge=0, le=130, description="age at presentation, as stated")
    history: list[HistoryItem] = Field(default_factory=list)
    germline: list[GermlineFinding] = Field(default_factory=list)
    lesions: list[Lesion] = Field(default_factory=list)
    specimens: list[Specimen] = Field(default_factory=list)
    interventions: list[Intervention] = Field(default_factory=list)
    responses: list[ResponseAssessment] = Field(default_factory=list)
    lab_findings: list[LabFinding] = Field(default_factory=list)
    journey: DiagnosticJourney | None = None
    outcome: Outcome | None = None

    def lesion(self, lesion_id: str) -> Lesion | None:
        """The lesion with this id, or ``None``."""
        return next((lesion for lesion in self.lesions if lesion.id == lesion_id), None)

    def specimen(self, specimen_id: str) -> Specimen | None:
        """The specimen with this id, or ``None``."""
        return next((s for s in self.specimens if s.id == specimen_id), None)


class Provenance(_Model):
    """How the record's current version came to be: drafted by software, reviewed by a curator.

    A machine-extracted draft names the extractor and when it ran; a reviewed record also names
    its reviewer (the identity behind the write token, or ``metkg add --reviewer``), when the
    review was published, and the draft it started from.
    """

    extracted_by: str | None = Field(default=None, description="the software that drafted the record")
    extracted_at: datetime | None = None
    draft: str | None = Field(default=None, description="the draft the review started from (file name)")
    reviewed_by: str | None = Field(default=None, min_length=1, description="the curator who reviewed it")
    reviewed_at: datetime | None = None

    @model_validator(mode="after")
    def _review_has_a_time(self) -> Provenance:
        if (self.reviewed_by is None) != (self.reviewed_at is None):
            raise ValueError("give both reviewed_by and reviewed_at, or neither")
        return self


class CaseRecord(_Model):
    """One published case report and the patients it describes.

    ``status`` says whether a person has reviewed the record: ``curated`` (reviewed) or
    ``machine-extracted`` (a draft no one has checked yet).
    """

    id: LocalId
    status: Literal["curated", "machine-extracted"] = "curated"
    report: Publication
    sources: Annotated[dict[str, Source], Field(min_length=1)]
    patients: Annotated[list[Patient], Field(min_length=1)]
    provenance: Provenance | None = None
    note: str | None = None

    def default_source(self) -> str:
        """The source an evidence quote without ``source`` comes from."""
        return next(iter(self.sources))
