"""Synthetic case records of realistic shape, for benchmarks and scale tests.

:func:`synthetic_records` makes any number of :class:`~metkg.records.models.CaseRecord`
objects, deterministic given a seed (record ``i`` depends only on the seed and ``i``), using
only ontology keys that exist in the loaded terminology. Their shape follows the curated
corpus: mostly breast carcinomas with ER/PR/HER2/Ki-67 on the primary and on metastasis
specimens (with receptor conversions), other primaries with their own marker panels, metastases
to bone, lung, liver, brain, meninges, bone marrow, skin and scalp, local invasion of the skull
and dura, chemotherapy, endocrine and targeted drugs with doses, radiotherapy in Gy and
fractions, partial dates, diagnostic journeys, outcomes, and a few declared source conflicts.

Records are valid (they pass :func:`metkg.records.validate.validate_records`) and consistent
(the reasoner finds no contradiction). Evidence quotes are synthetic strings: synthetic sources
have no file. For speed (pydantic validation costs about half a millisecond per record), the
models are built without validation from values of the right types; the tests prove that the
records round-trip through validation unchanged.

>>> from metkg.settings import Settings
>>> from metkg.terminology import load_terminology
>>> terms = load_terminology(Settings().ontology_dir)
>>> first = next(iter(synthetic_records(1, seed=7, terms=terms)))
>>> first.id, first == next(iter(synthetic_records(1, seed=7, terms=terms)))
('synthetic-7-0', True)
"""

from __future__ import annotations

import gc
import random
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, TypeVar

from pydantic import BaseModel

from metkg.errors import ConfigurationError
from metkg.records.dates import PartialDate
from metkg.records.models import (
    BiomarkerResult,
    CaseRecord,
    Conflict,
    ConflictingStatement,
    DiagnosticJourney,
    DrugAdministration,
    Evidence,
    GermlineFinding,
    HistoryItem,
    Intervention,
    LabFinding,
    Lesion,
    Misdiagnosis,
    Outcome,
    Patient,
    Publication,
    ResponseAssessment,
    Source,
    Specimen,
)
from metkg.terminology import Terminology

__all__ = ["SyntheticCases", "synthetic_records"]

_M = TypeVar("_M", bound=BaseModel)
Weighted = Sequence[tuple[Any, float]]

# ---------------------------------------------------------------- distributions

# primary: (histology keys, primary sites, metastatic sites, marker panel, sex, treatments)
_BREAST_HISTOLOGY: Weighted = (
    ("invasive-ductal-carcinoma", 70),
    ("invasive-lobular-carcinoma", 12),
    ("invasive-breast-carcinoma", 6),
    ("dcis", 4),
    ("mucinous-breast-carcinoma", 4),
    ("breast-adenocarcinoma", 4),
)
_BREAST_METASTASIS_SITES: Weighted = (
    ("spine", 10), ("thoracic-vertebra", 6), ("lumbar-vertebra", 5), ("rib", 5), ("pelvic-bone", 5), ("femur", 4),
    ("skull", 2), ("calvaria", 1), ("frontal-bone", 1), ("bone", 4),
    ("lung", 12), ("pleura", 5), ("liver", 11), ("brain", 7), ("cerebellum", 1), ("meninges", 2), ("leptomeninges", 2),
    ("bone-marrow", 2), ("bone-marrow-of-iliac-crest", 1),
    ("scalp", 2), ("frontal-scalp", 1), ("parietal-scalp", 1), ("skin-of-chest-wall", 3), ("skin", 2),
    ("axillary-lymph-node", 6), ("supraclavicular-lymph-node", 3), ("mediastinal-lymph-node", 2),
    ("internal-mammary-lymph-node", 1),
    ("orbit", 1), ("ovary", 1), ("stomach", 1), ("adrenal-gland", 1), ("peritoneum", 1), ("eyelid", 1),
)  # fmt: skip
_OTHER_PRIMARIES: Weighted = (
    (("lung-adenocarcinoma", "lung", ("TTF-1", "napsin-A", "CK7"), None), 8),
    (("colorectal-adenocarcinoma", "colon", ("CDX2", "CK20", "CK7"), None), 5),
    (("rectal-adenocarcinoma", "rectum", ("CDX2", "CK20"), None), 2),
    (("cutaneous-melanoma", "skin-of-trunk", ("S-100", "SOX10", "HMB-45", "Melan-A"), None), 3),
    (("cutaneous-melanoma", "scalp", ("S-100", "SOX10", "HMB-45"), None), 1),
    (("clear-cell-renal-cell-carcinoma", "kidney", ("PAX8", "CK7", "CD117"), None), 4),
    (("leiomyosarcoma", "scalp", ("SMA", "desmin", "h-caldesmon", "vimentin", "ER", "PR"), None), 2),
    (("uterine-leiomyosarcoma", "uterus", ("SMA", "desmin", "h-caldesmon", "ER", "PR"), "female"), 2),
    (("papillary-thyroid-carcinoma", "thyroid", ("TTF-1", "CK7"), None), 3),
    (("prostate-adenocarcinoma", "prostate", ("PSA", "AR"), "male"), 3),
    (("high-grade-serous-ovarian-carcinoma", "ovary", ("PAX8", "WT1", "p53", "ER"), "female"), 3),
    (("gastric-adenocarcinoma", "stomach", ("CK7", "CK20", "CDX2"), None), 2),
    (("hepatocellular-carcinoma", "liver", ("AE1/AE3",), None), 2),
)
_OTHER_METASTASIS_SITES: Weighted = (
    ("liver", 14), ("lung", 14), ("bone", 8), ("spine", 8), ("brain", 8), ("adrenal-gland", 4), ("peritoneum", 4),
    ("pleura", 4), ("skin", 3), ("scalp", 2), ("skull", 2), ("orbit", 1), ("bone-marrow", 1), ("meninges", 1),
    ("cervical-lymph-node", 4), ("mediastinal-lymph-node", 4), ("retroperitoneal-lymph-node", 2), ("lymph-node", 3),
)  # fmt: skip
_LOCAL_INVASION_SITES: Weighted = (
    ("skull", 4),
    ("calvaria", 2),
    ("dura-mater", 3),
    ("cranial-dura-mater", 1),
    ("skeletal-muscle", 1),
)
_PRIMARY_BIOPSY: Weighted = (("core-biopsy", 6), ("fna", 3), ("biopsy", 2), ("incisional-biopsy", 1))
_BREAST_SURGERY: Weighted = (
    ("mastectomy", 3),
    ("modified-radical-mastectomy", 2),
    ("total-mastectomy", 1),
    ("lumpectomy", 3),
)
_OTHER_SURGERY: Weighted = (("resection", 4), ("excision", 3), ("wide-local-excision", 2))
_METASTASIS_BIOPSY: Weighted = (
    ("core-biopsy", 5),
    ("fna", 4),
    ("excision", 2),
    ("excisional-biopsy", 1),
    ("biopsy", 2),
)
_SKIN_BIOPSY: Weighted = (("punch-biopsy", 3), ("fna", 2), ("excision", 2))
_MARROW_BIOPSY: Weighted = (("bone-marrow-biopsy", 3), ("bone-marrow-aspiration", 1))

_CHEMO_BREAST = (
    (("docetaxel", 75, "mg/m2"), ("epirubicin", 75, "mg/m2")),
    (("paclitaxel", 80, "mg/m2"),),
    (("doxorubicin", 60, "mg/m2"), ("cyclophosphamide", 600, "mg/m2")),
    (("capecitabine", 1000, "mg/m2"),),
    (("nab-paclitaxel", 260, "mg/m2"),),
    (("eribulin", 1.4, "mg/m2"),),
)
_ENDOCRINE = (
    (("letrozole", 2.5, "mg"),),
    (("anastrozole", 1, "mg"),),
    (("tamoxifen", 20, "mg"),),
    (("exemestane", 25, "mg"),),
    (("fulvestrant", 500, "mg"), ("palbociclib", 125, "mg")),
    (("letrozole", 2.5, "mg"), ("ribociclib", 600, "mg")),
    (("fulvestrant", 500, "mg"), ("dalpiciclib", 150, "mg")),
    (("letrozole", 2.5, "mg"), ("goserelin", 3.6, "mg")),
)
_HER2_TARGETED = (
    (("trastuzumab", 6, "mg/kg"), ("pertuzumab", 420, "mg")),
    (("trastuzumab-deruxtecan", 5.4, "mg/kg"),),
    (("trastuzumab-emtansine", 3.6, "mg/kg"),),
    (("pyrotinib", 400, "mg"), ("capecitabine", 1000, "mg/m2")),
)
_CHEMO_OTHER = (
    (("carboplatin", 5, "AUC"), ("paclitaxel", 175, "mg/m2")),
    (("cisplatin", 75, "mg/m2"), ("gemcitabine", 1000, "mg/m2")),
    (("oxaliplatin", 130, "mg/m2"), ("capecitabine", 1000, "mg/m2")),
    (("fluorouracil", 400, "mg/m2"), ("oxaliplatin", 85, "mg/m2"), ("bevacizumab", 5, "mg/kg")),
    (("doxorubicin", 75, "mg/m2"), ("ifosfamide", 2000, "mg/m2")),
    (("trabectedin", 1.5, "mg/m2"),),
    (("s-1", 40, "mg/m2"), ("oxaliplatin", 130, "mg/m2")),
)
_IMMUNO = ((("pembrolizumab", 200, "mg"),), (("nivolumab", 240, "mg"),), (("atezolizumab", 1200, "mg"),))
_RADIOTHERAPY: Weighted = (
    ((50.0, 25, "external-beam-radiotherapy"), 4),
    ((42.5, 16, "conformal-radiotherapy"), 2),
    ((30.0, 10, "external-beam-radiotherapy"), 4),
    ((20.0, 5, "external-beam-radiotherapy"), 2),
    ((8.0, 1, "external-beam-radiotherapy"), 2),
    ((60.0, 30, "intensity-modulated-radiotherapy"), 2),
)
_BRAIN_RADIOTHERAPY: Weighted = (
    ((30.0, 10, "whole-brain-radiotherapy"), 2),
    ((24.0, 3, "stereotactic-radiosurgery"), 2),
)
_MISDIAGNOSES = (
    "epidermoid cyst", "lipoma", "dermatofibroma", "hemangioma", "benign cyst", "osteoporosis", "arthritis",
    "anemia of chronic disease", "sebaceous cyst", "pneumonia",
)  # fmt: skip
_SYMPTOMS = (
    "painless nodule",
    "bone pain",
    "headache",
    "cough",
    "fatigue",
    "back pain",
    "scalp nodule",
    "jaundice",
    "dyspnea",
)
_HISTORY: Weighted = (
    (("hormone replacement therapy", "risk-factor"), 3),
    (("hypertension", "condition"), 4),
    (("type 2 diabetes", "condition"), 3),
    (("smoking", "exposure"), 3),
    (("family history of breast cancer", "family-history"), 2),
)
_CHUNK = 500
_JOURNALS = ("Synthetic Oncology Reports", "Journal of Synthetic Cases", "Synthetic Frontiers in Oncology")


def _cumulative(table: Weighted) -> tuple[list[Any], list[float]]:
    values = [v for v, _ in table]
    bounds = list(accumulate(w for _, w in table))
    return values, [b / bounds[-1] for b in bounds]


_DATES: dict[tuple[int, int | None, int | None], PartialDate] = {}


def _date(year: int, month: int | None = None, day: int | None = None) -> PartialDate:
    """A shared PartialDate (immutable, so one object per date serves every record)."""
    key = (year, month, day)
    found = _DATES.get(key)
    if found is None:
        found = _DATES.setdefault(key, PartialDate(year, month, day))
    return found


def _with_date(date: PartialDate, months: int) -> PartialDate:
    """``date`` moved by whole months, at the same precision (clamped to the 28th for days)."""
    if date.month is None:
        return _date(date.year + months // 12)
    total = date.year * 12 + date.month - 1 + months
    day = min(date.day, 28) if date.day is not None else None
    return _date(total // 12, total % 12 + 1, day)


# ---------------------------------------------------------------- fast model construction


_TEMPLATES: dict[type, dict[str, Any]] = {}
_FIELDS_SET: dict[tuple[type, tuple[str, ...]], set[str]] = {}
_EMPTY: list[Any] = []  # shared by every empty list field: records are never changed in place
_set = object.__setattr__


def _template(cls: type[BaseModel]) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        if info.default_factory is not None:
            plain[name] = _EMPTY
        elif not info.is_required():
            plain[name] = info.default
    _TEMPLATES[cls] = plain
    return plain


def _make(cls: type[_M], **values: Any) -> _M:
    """A model instance from values already of the right type, without validation.

    Empty list fields share one list and instances with the same fields share one
    ``fields_set``: fewer objects for the garbage collector to track.
    """
    state = (_TEMPLATES.get(cls) or _template(cls)).copy()
    state.update(values)
    key = (cls, tuple(values))
    fields_set = _FIELDS_SET.get(key)
    if fields_set is None:
        fields_set = _FIELDS_SET.setdefault(key, set(values))
    obj = object.__new__(cls)
    _set(obj, "__dict__", state)
    _set(obj, "__pydantic_fields_set__", fields_set)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


# ---------------------------------------------------------------- the generator


@dataclass(frozen=True)
class _Tables:
    breast_histology: tuple[list[Any], list[float]]
    breast_sites: tuple[list[Any], list[float]]
    other_primaries: tuple[list[Any], list[float]]
    other_sites: tuple[list[Any], list[float]]
    invasion_sites: tuple[list[Any], list[float]]


class SyntheticCases:
    """A deterministic source of synthetic case records for one seed.

    Every key the generator uses is checked against the terminology when it is created;
    a table entry whose key no longer exists is dropped, and an emptied table is an error.
    """

    def __init__(self, terms: Terminology, seed: int = 0):
        self.seed = seed
        self.terms = terms
        self._evidence: dict[str, list[Evidence]] = {}
        self._shared: dict[tuple[Any, ...], BaseModel] = {}
        self._sources = {"main": _make(Source, title="synthetic source")}
        self.tables = _Tables(
            breast_histology=self._checked("histology", _BREAST_HISTOLOGY),
            breast_sites=self._checked("site", _BREAST_METASTASIS_SITES),
            other_primaries=self._checked_primaries(),
            other_sites=self._checked("site", _OTHER_METASTASIS_SITES),
            invasion_sites=self._checked("site", _LOCAL_INVASION_SITES),
        )
        self.biopsy = self._checked("procedure", _PRIMARY_BIOPSY)
        self.breast_surgery = self._checked("procedure", _BREAST_SURGERY)
        self.other_surgery = self._checked("procedure", _OTHER_SURGERY)
        self.metastasis_biopsy = self._checked("procedure", _METASTASIS_BIOPSY)
        self.skin_biopsy = self._checked("procedure", _SKIN_BIOPSY)
        self.marrow_biopsy = self._checked("procedure", _MARROW_BIOPSY)
        self.radiotherapy = self._checked_radiotherapy(_RADIOTHERAPY)
        self.brain_radiotherapy = self._checked_radiotherapy(_BRAIN_RADIOTHERAPY)
        self.regimens = {
            name: [
                [_make(DrugAdministration, drug=d, dose=float(dose), unit=unit) for d, dose, unit in r]
                for r in regimens
                if all(terms.get("drug", d) for d, _, _ in r)
            ]
            for name, regimens in (
                ("chemo-breast", _CHEMO_BREAST),
                ("endocrine", _ENDOCRINE),
                ("her2", _HER2_TARGETED),
                ("chemo-other", _CHEMO_OTHER),
                ("immuno", _IMMUNO),
            )
        }
        for name, regimens in self.regimens.items():
            if not regimens:
                raise ConfigurationError(f"no {name} regimen of the synthetic generator has drugs in the ontology")
        self.skin = {t.key for t in terms.terms["site"].values() if terms.is_a(t.iri, _iri(terms, "site", "skin"))}
        self.brain = {
            t.key
            for t in terms.terms["site"].values()
            if terms.is_a(t.iri, _iri(terms, "site", "central-nervous-system"))
        }
        self.marrow = {
            t.key for t in terms.terms["site"].values() if terms.is_a(t.iri, _iri(terms, "site", "bone-marrow"))
        }
        self.has_gene = terms.get("gene", "BRCA1") is not None and terms.get("gene", "BRCA2") is not None

    def _checked(self, category: str, table: Weighted) -> tuple[list[Any], list[float]]:
        kept = [(key, w) for key, w in table if self.terms.get(category, key) is not None]
        if not kept:
            raise ConfigurationError(f"none of the synthetic generator's {category} keys is in the ontology")
        return _cumulative(kept)

    def _checked_primaries(self) -> tuple[list[Any], list[float]]:
        kept = []
        for (histology, site, markers, sex), w in _OTHER_PRIMARIES:
            if self.terms.get("histology", histology) and self.terms.get("site", site):
                panel = tuple(m for m in markers if self.terms.get("marker", m))
                kept.append(((histology, site, panel, sex), w))
        if not kept:
            raise ConfigurationError("none of the synthetic generator's primary tumours is in the ontology")
        return _cumulative(kept)

    def _checked_radiotherapy(self, table: Weighted) -> tuple[list[Any], list[float]]:
        kept = [(v, w) for v, w in table if self.terms.get("procedure", v[2])]
        return _cumulative(kept or [((30.0, 10, None), 1)])

    # ---- one record
    def record(self, index: int) -> CaseRecord:
        """Record ``index`` of this seed (the same every time)."""
        rng = random.Random(self.seed * 1_000_003 + index)
        doi = f"10.99999/synthetic.{self.seed}.{index}"
        year = 2000 + int(rng.random() * 26)
        report = _make(
            Publication,
            doi=doi,
            title=f"Synthetic case report {self.seed}-{index}",
            journal=_JOURNALS[index % len(_JOURNALS)],
            year=year,
            authors=[f"Synthetic {chr(65 + index % 26)}"],
            licence="CC0",
        )
        patients = [_PatientMaker(self, rng, 1).patient()]
        if rng.random() < 0.03:
            patients.append(_PatientMaker(self, rng, 2).patient())
        return _make(
            CaseRecord,
            id=f"synthetic-{self.seed}-{index}",
            status="curated" if index % 10 else "machine-extracted",
            report=report,
            sources=self._sources,
            patients=patients,
        )

    def records(self, n: int, start: int = 0) -> Iterator[CaseRecord]:
        """Records ``start`` to ``start + n - 1``.

        Made in chunks with the cyclic garbage collector paused: records are trees (no
        cycles), and collections triggered by their many small objects would otherwise cost
        more than making them.
        """
        for chunk in range(start, start + n, _CHUNK):
            paused = gc.isenabled()
            gc.disable()
            try:
                made = [self.record(i) for i in range(chunk, min(chunk + _CHUNK, start + n))]
            finally:
                if paused:
                    gc.enable()
            yield from made

    def shared(self, cls: type[_M], quote: str, **values: Any) -> _M:
        """One instance per distinct value set, shared by every record that needs it.

        Sharing is safe because records are never changed in place, and it leaves the
        garbage collector far fewer objects to track.
        """
        key = (cls, quote, *values.items())
        found = self._shared.get(key)
        if found is None:
            found = _make(cls, evidence=self.evidence(quote), **values)
            if len(self._shared) < 200_000:
                self._shared[key] = found
        return found  # type: ignore[return-value]

    def evidence(self, quote: str) -> list[Evidence]:
        """A shared one-quote evidence list (records never change their evidence)."""
        found = self._evidence.get(quote)
        if found is None:
            found = [_make(Evidence, quote=quote)]
            if len(self._evidence) < 50_000:
                self._evidence[quote] = found
        return found


def _iri(terms: Terminology, category: str, key: str) -> str:
    term = terms.get(category, key)
    return term.iri if term else ""


def _pick(rng: random.Random, table: tuple[list[Any], list[float]]) -> Any:
    values, bounds = table
    return values[min(bisect(bounds, rng.random()), len(values) - 1)]


class _PatientMaker:
    """Builds one synthetic patient; methods are the parts of a record."""

    def __init__(self, gen: SyntheticCases, rng: random.Random, index: int):
        self.gen = gen
        self.rng = rng
        self.index = index
        self.lesions: list[Lesion] = []
        self.specimens: list[Specimen] = []
        self.interventions: list[Intervention] = []
        self.last_date: PartialDate | None = None

    def ev(self, quote: str) -> list[Evidence]:
        return self.gen.evidence(quote)

    def date(self, year: int) -> PartialDate:
        r = self.rng.random()
        if r < 0.15:
            return _date(year)
        month = 1 + int(self.rng.random() * 12)
        if r < 0.75:
            return _date(year, month)
        return _date(year, month, 1 + int(self.rng.random() * 28))

    def later(self, date: PartialDate, months: int) -> PartialDate:
        moved = _with_date(date, months)
        if moved.year > 2025:
            moved = _date(2025, 12 if moved.month else None, moved.day and min(moved.day, 28))
        if self.last_date is None or moved.earliest() > self.last_date.earliest():
            self.last_date = moved
        return moved

    # ---- the patient
    def patient(self) -> Patient:
        rng = self.rng
        breast = rng.random() < 0.62
        if breast:
            histology, site, panel, sex = (
                _pick(rng, self.gen.tables.breast_histology),
                "breast",
                ("ER", "PR", "HER2", "Ki-67"),
                None,
            )
            sex = "female" if rng.random() < 0.98 else "male"
        else:
            histology, site, panel, sex = _pick(rng, self.gen.tables.other_primaries)
            sex = sex or ("female" if rng.random() < 0.5 else "male")
        age = max(18, min(95, int(rng.gauss(56, 12))))
        dx = self.date(1995 + int(rng.random() * 29))
        self.last_date = dx
        primary = _make(
            Lesion,
            id="primary",
            kind="primary",
            histology=histology,
            site=site,
            laterality=("left" if rng.random() < 0.5 else "right") if site == "breast" else None,
            diagnosis_date=dx,
            stage=rng.choice(("T1N0M0", "T2N1M0", "T3N2M0", "T4bN3M0", "T2N0M1")) if rng.random() < 0.5 else None,
            evidence=self.ev(f"synthetic: {histology} of the {site}"),
        )
        self.lesions.append(primary)
        phenotype = _Phenotype.draw(rng) if breast else None
        self.primary_specimens(primary, panel, phenotype, breast)
        self.secondary_lesions(primary, panel, phenotype, breast, site)
        self.treatments(breast, phenotype)
        return _make(
            Patient,
            index=self.index,
            sex=sex,
            age=age,
            evidence=self.ev(f"synthetic: {age}-year-old {'woman' if sex == 'female' else 'man'}"),
            history=self.history(),
            germline=self.germline(breast),
            lesions=self.lesions,
            specimens=self.specimens,
            interventions=self.interventions,
            responses=self.responses(),
            lab_findings=self.labs(breast, dx),
            journey=self.journey(),
            outcome=self.outcome(),
        )

    def primary_specimens(
        self, primary: Lesion, panel: tuple[str, ...], phenotype: _Phenotype | None, breast: bool
    ) -> None:
        rng = self.rng
        dx = primary.diagnosis_date
        assert dx is not None
        if rng.random() < 0.85:
            self.specimen("primary-biopsy", _pick(rng, self.gen.biopsy), primary, dx, panel, phenotype)
        if rng.random() < 0.6:
            surgery = _pick(rng, self.gen.breast_surgery if breast else self.gen.other_surgery)
            when = self.later(dx, int(rng.random() * 8))
            self.specimen("primary-resection", surgery, primary, when, panel, phenotype and phenotype.drift(rng, 0.05))
            self.interventions.append(
                _make(
                    Intervention,
                    id="primary-surgery",
                    type="surgery",
                    procedure=surgery,
                    start=when,
                    targets=["primary"],
                    status="completed",
                    evidence=self.ev(f"synthetic: {surgery}"),
                )
            )

    def secondary_lesions(
        self, primary: Lesion, panel: tuple[str, ...], phenotype: _Phenotype | None, breast: bool, site: str
    ) -> None:
        rng = self.rng
        dx = primary.diagnosis_date
        assert dx is not None
        count = 1 + (rng.random() < 0.45) + (rng.random() < 0.2)
        scalp_sarcoma = primary.histology == "leiomyosarcoma" and site == "scalp"
        months = 0 if rng.random() < 0.1 else int(rng.lognormvariate(3.4, 0.9))
        for n in range(1, count + 1):
            r = rng.random()
            if scalp_sarcoma and r < 0.7:
                kind, where = "local-invasion", _pick(rng, self.gen.tables.invasion_sites)
            elif r < 0.08 and breast:
                kind, where = "recurrence", "skin-of-chest-wall" if rng.random() < 0.5 else "breast"
            else:
                kind = "metastasis"
                where = _pick(rng, self.gen.tables.breast_sites if breast else self.gen.tables.other_sites)
            lesion_id = f"{kind}-{n}"
            when = self.later(dx, months + int(rng.random() * 6) * (n - 1))
            lesion = _make(
                Lesion,
                id=lesion_id,
                kind=kind,
                site=where,
                primary="primary",
                diagnosis_date=when if rng.random() < 0.9 else None,
                evidence=self.ev(f"synthetic: {kind} of the {where}"),
            )
            self.lesions.append(lesion)
            if kind != "local-invasion" and rng.random() < 0.7:
                procedure = self.secondary_procedure(where)
                self.specimen(
                    f"{lesion_id}-specimen", procedure, lesion, when, panel, phenotype and phenotype.drift(rng, 0.25)
                )

    def secondary_procedure(self, site: str) -> str:
        if site in self.gen.marrow:
            return _pick(self.rng, self.gen.marrow_biopsy)
        if site in self.gen.skin:
            return _pick(self.rng, self.gen.skin_biopsy)
        return _pick(self.rng, self.gen.metastasis_biopsy)

    def specimen(  # noqa: PLR0917 - the parts of one specimen, in the order a report gives them
        self,
        sid: str,
        procedure: str,
        lesion: Lesion,
        date: PartialDate,
        panel: tuple[str, ...],
        phenotype: _Phenotype | None,
    ) -> None:
        results = phenotype.results(self) if phenotype else self.panel_results(panel)
        self.specimens.append(
            _make(
                Specimen,
                id=sid,
                procedure=procedure,
                site=lesion.site,
                date=date,
                lesion=lesion.id,
                diagnosis="metastatic carcinoma" if lesion.kind == "metastasis" else None,
                results=results,
                evidence=self.ev(f"synthetic: {procedure} of the {lesion.site}"),
            )
        )

    def panel_results(self, panel: tuple[str, ...]) -> list[BiomarkerResult]:
        out = []
        for marker in panel:
            if self.rng.random() < 0.8:
                status = "positive" if self.rng.random() < 0.7 else "negative"
                out.append(self.result(marker, status=status, pattern="diffuse" if status == "positive" else None))
        return out

    def result(self, marker: str, **values: Any) -> BiomarkerResult:
        status = values.get("status")
        quote = f"synthetic: {marker} {status or ''}{values.get('percent') or values.get('score') or ''}"
        if status not in ("positive", "negative") or self.rng.random() >= 0.01:
            return self.gen.shared(BiomarkerResult, quote, marker=marker, **values)
        other = "negative" if status == "positive" else "positive"
        statements = [
            _make(ConflictingStatement, value=status, evidence=self.ev(f"synthetic: {marker} {status}")),
            _make(ConflictingStatement, value=other, evidence=self.ev(f"synthetic: {marker} {other} (legend)")),
        ]
        note = "Synthetic contradiction between text and figure legend; the text is followed."
        conflict = _make(Conflict, field="status", statements=statements, resolution=status, note=note)
        return _make(BiomarkerResult, marker=marker, conflicts=[conflict], evidence=self.ev(quote), **values)

    # ---- treatment and course
    def regimen(self, name: str) -> list[DrugAdministration]:
        return self.rng.choice(self.gen.regimens[name])

    def treatments(self, breast: bool, phenotype: _Phenotype | None) -> None:
        rng = self.rng
        dx = self.lesions[0].diagnosis_date
        assert dx is not None
        plans: list[tuple[str, str, str]] = []
        if breast and phenotype is not None:
            plans.append(("chemotherapy", "chemo-breast", "neoadjuvant" if rng.random() < 0.4 else "adjuvant"))
            if phenotype.hormone_positive:
                plans.append(("endocrine", "endocrine", "adjuvant" if rng.random() < 0.6 else "first-line"))
            if phenotype.her2 == "positive":
                plans.append(("targeted", "her2", "first-line"))
        else:
            plans.append(("chemotherapy", "chemo-other", "first-line"))
            if rng.random() < 0.3:
                plans.append(("immunotherapy", "immuno", "second-line"))
        for n, (kind, regimen, setting) in enumerate(plans, 1):
            if rng.random() < 0.85:
                start = self.later(dx, 1 + int(rng.random() * 12) + 6 * n)
                self.interventions.append(
                    _make(
                        Intervention,
                        id=f"{kind}-{n}",
                        type=kind,
                        drugs=self.regimen(regimen),
                        cycles=(4 + int(rng.random() * 5)) if kind == "chemotherapy" else None,
                        start=start,
                        setting=setting,
                        targets=["primary"],
                        status="completed" if rng.random() < 0.7 else "ongoing",
                        evidence=self.ev(f"synthetic: {kind} {setting}"),
                    )
                )
        if rng.random() < 0.6:
            self.radiation(dx)

    def radiation(self, dx: PartialDate) -> None:
        rng = self.rng
        target = rng.choice(self.lesions)
        table = self.gen.brain_radiotherapy if target.site in self.gen.brain else self.gen.radiotherapy
        dose, fractions, technique = _pick(rng, table)
        start = self.later(target.diagnosis_date or dx, 1 + int(rng.random() * 3))
        end = _with_date(start, fractions // 20)
        self.interventions.append(
            _make(
                Intervention,
                id="radiotherapy",
                type="radiotherapy",
                procedure=technique,
                dose_gy=dose,
                fractions=fractions,
                start=start,
                end=end,
                targets=[target.id],
                status="completed",
                adherence="adherent",
                evidence=self.ev(f"synthetic: {dose:g} Gy in {fractions} fractions"),
            )
        )

    def responses(self) -> list[ResponseAssessment]:
        chemo = [i for i in self.interventions if i.type in ("chemotherapy", "targeted", "immunotherapy")]
        if not chemo or self.rng.random() < 0.5:
            return []
        recist = self.rng.choice(("CR", "PR", "PR", "SD", "PD"))
        quote = f"synthetic: {recist}"
        return [self.gen.shared(ResponseAssessment, quote, id="response-1", intervention=chemo[0].id, recist=recist)]

    def labs(self, breast: bool, dx: PartialDate) -> list[LabFinding]:
        if self.rng.random() < 0.7:
            return []
        analyte = "CA15-3" if breast else "CEA"
        value = round(self.rng.uniform(2, 120), 1)
        return [
            _make(
                LabFinding,
                id=f"{analyte.lower().replace('.', '')}-1",
                analyte=analyte,
                value=value,
                unit="U/mL" if breast else "ng/mL",
                interpretation="elevated" if value > 30 else "normal",
                date=dx,
                evidence=self.ev(f"synthetic: {analyte} {value}"),
            )
        ]

    def history(self) -> list[HistoryItem]:
        if self.rng.random() < 0.75:
            return []
        condition, kind = _pick(self.rng, _cumulative(_HISTORY))
        return [self.gen.shared(HistoryItem, f"synthetic: {condition}", condition=condition, kind=kind)]

    def germline(self, breast: bool) -> list[GermlineFinding]:
        if not breast or not self.gen.has_gene or self.rng.random() < 0.95:
            return []
        gene = "BRCA1" if self.rng.random() < 0.6 else "BRCA2"
        return [
            self.gen.shared(
                GermlineFinding, f"synthetic: {gene}", gene=gene, finding="pathogenic variant", pathogenic=True
            )
        ]

    def journey(self) -> DiagnosticJourney | None:
        rng = self.rng
        later = [s for s in self.specimens if s.lesion != "primary" and s.date is not None]
        if not later or rng.random() < 0.6:
            return None
        confirming = later[0]
        assert confirming.date is not None
        first = _with_date(confirming.date, -int(rng.random() * 24))
        kinds = ("differential", "misdiagnosis")
        misdiagnoses = [
            self.gen.shared(Misdiagnosis, f"synthetic: {label}", label=label, kind=kinds[rng.random() < 0.5])
            for label in rng.sample(_MISDIAGNOSES, int(rng.random() * 3))
        ]
        return _make(
            DiagnosticJourney,
            lesion=confirming.lesion,
            first_symptom=rng.choice(_SYMPTOMS),
            first_symptom_date=first,
            misdiagnoses=misdiagnoses,
            confirmed_by=confirming.id,
            confirmed_date=confirming.date,
            evidence=self.ev("synthetic: first symptom"),
        )

    def outcome(self) -> Outcome | None:
        rng = self.rng
        r = rng.random()
        if r < 0.1:
            return None
        if r < 0.45:
            assert self.last_date is not None
            death = _with_date(self.last_date, 1 + int(rng.random() * 30))
            if death.year > 2025:
                death = _date(2026) if death.month is None else _date(2026, 1)
            cause = "disease progression"
            return self.gen.shared(
                Outcome, "synthetic: died", vital_status="dead", death_date=death, cause_of_death=cause
            )
        status = "alive" if r < 0.9 else "unknown"
        disease = "stable disease" if status == "alive" else None
        return self.gen.shared(Outcome, f"synthetic: {status}", vital_status=status, disease_status=disease)


@dataclass(frozen=True)
class _Phenotype:
    """A breast tumour's receptor phenotype; specimens express it in varied ways."""

    er: bool
    pr: bool
    her2: str  # positive, low, zero, negative
    ki67: int

    @property
    def hormone_positive(self) -> bool:
        return self.er or self.pr

    @staticmethod
    def draw(rng: random.Random) -> _Phenotype:
        er = rng.random() < 0.75
        pr = rng.random() < (0.8 if er else 0.1)
        r = rng.random()
        her2 = "positive" if r < 0.15 else "low" if r < 0.6 else "zero" if r < 0.9 else "negative"
        return _Phenotype(er, pr, her2, 5 + int(rng.random() * 60))

    def drift(self, rng: random.Random, rate: float) -> _Phenotype:
        """The phenotype of a later specimen: each receptor converts with probability ``rate``."""
        er = self.er != (rng.random() < rate * (0.6 if self.er else 0.3))
        pr = self.pr != (rng.random() < rate * (1.0 if self.pr else 0.4))
        her2 = self.her2
        if rng.random() < rate:
            her2 = rng.choice(("positive", "low", "zero", "negative"))
        return _Phenotype(er, pr, her2, max(1, min(95, self.ki67 + int(rng.gauss(0, 10)))))

    def results(self, maker: _PatientMaker) -> list[BiomarkerResult]:
        rng = maker.rng
        out = [self.receptor(maker, "ER", self.er), self.receptor(maker, "PR", self.pr), *self.her2_results(maker)]
        if rng.random() < 0.8:
            out.append(maker.result("Ki-67", percent=float(self.ki67), comparator="~" if rng.random() < 0.1 else None))
        if rng.random() < 0.15:
            out.append(maker.result("GATA3", status="positive"))
        return out

    @staticmethod
    def receptor(maker: _PatientMaker, marker: str, positive: bool) -> BiomarkerResult:
        rng = maker.rng
        style = rng.random()
        if positive:
            low = rng.random() < 0.04
            percent = float(1 + int(rng.random() * 9)) if low else float(10 + 5 * int(rng.random() * 19))
            status = "low" if low else "positive"
            if style < 0.4:
                return maker.result(marker, status=status, percent=percent)
            if style < 0.75:
                return maker.result(marker, percent=percent)
            if style < 0.95:
                return maker.result(marker, status=status)
            return maker.result(marker, status="positive", percent=90.0, comparator=">")
        if style < 0.4:
            return maker.result(marker, status="negative", percent=0.0)
        if style < 0.75:
            return maker.result(marker, percent=0.0)
        if style < 0.95:
            return maker.result(marker, status="negative")
        return maker.result(marker, status="negative", percent=1.0, comparator="<")

    def her2_results(self, maker: _PatientMaker) -> list[BiomarkerResult]:
        rng = maker.rng
        if self.her2 == "positive":
            if rng.random() < 0.6:
                return [maker.result("HER2", score="3+")]
            if rng.random() < 0.5:
                return [
                    maker.result("HER2", score="2+", status="equivocal"),
                    maker.result("HER2", assay="FISH", status="positive"),
                ]
            return [maker.result("HER2", status="positive")]
        if self.her2 == "low":
            r = rng.random()
            if r < 0.6:
                return [maker.result("HER2", score="1+")]
            if r < 0.8:
                return [maker.result("HER2", score="2+"), maker.result("HER2", assay="ISH", status="negative")]
            return [maker.result("HER2", score="2+", status="negative")]
        if self.her2 == "zero":
            return [maker.result("HER2", score="0", status="negative" if rng.random() < 0.3 else None)]
        return [maker.result("HER2", status="negative")]


def synthetic_records(n: int, seed: int = 0, *, terms: Terminology, start: int = 0) -> Iterator[CaseRecord]:
    """``n`` synthetic case records for ``seed`` (records ``start`` .. ``start + n - 1``)."""
    return SyntheticCases(terms, seed).records(n, start)
