"""A case record as a flat per-report summary: the schema of hand-made extraction gold standards.

Gold annotations of case reports (``../shared/devset``) describe one patient per report as a flat
JSON object: the patient, the primary tumour's organ, the distant metastatic sites, the specimens
with their marker results, the interventions with their drugs, the outcome and the receptor
conversions. :func:`summarise` writes a record in that shape so that a draft can be scored
against such a gold standard (``benchmarks/devset.py``).

Keys become labels (``ki67`` -> ``Ki-67``), so that names compare as people write them. The
conventions of the gold are followed where the record keeps more detail: a HER2 result by in-situ
hybridisation is the marker ``HER2 FISH``; a HER2 immunohistochemistry score without a stated
status takes the status ASCO/CAP give it (0 and 1+ negative, 2+ equivocal, 3+ positive); a
"low" status is reported as the negative it is for the gold's three values; regional lymph nodes
of the primary's organ are not distant metastases; a part of the brain or the heart is written
after its organ ("brain (frontal lobe)").

>>> from metkg.settings import Settings
>>> from metkg.extract import extract_text
>>> from metkg.terminology import load_terminology
>>> record = extract_text("A 62-year-old man with lung adenocarcinoma had brain metastases.",
...                       "abstract.txt", Settings().ontology_dir)
>>> flat = summarise(record, load_terminology(Settings().ontology_dir))
>>> flat["patient"], flat["primary_tumor"]["organ"], [m["site"] for m in flat["metastases"]]
({'age_at_diagnosis': None, 'sex': 'male', 'age_at_presentation': 62}, 'lung', ['brain'])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from metkg.records.models import BiomarkerResult, CaseRecord, Lesion, Patient, Specimen
from metkg.terminology import Terminology

__all__ = ["ConvertedMarker", "summarise"]


class ConvertedMarker(Protocol):
    """A receptor conversion as the build derives it (:class:`metkg.reasoning.derived.Conversion`)."""

    @property
    def patient_index(self) -> int: ...
    @property
    def marker_key(self) -> str: ...
    @property
    def from_category(self) -> str: ...
    @property
    def to_category(self) -> str: ...
    @property
    def site_key(self) -> str | None: ...


#: Intervention types as the gold names them.
_INTERVENTION_TYPES = {
    "surgery": "surgery",
    "chemotherapy": "chemotherapy",
    "radiotherapy": "radiotherapy",
    "endocrine": "endocrine therapy",
    "targeted": "targeted therapy",
    "immunotherapy": "immunotherapy",
}
#: Molecular results that are not the alteration of one gene.
_NOT_GENES = {"MSI", "MMR", "TMB"}
_HER2_SCORE_STATUS = {"0": "negative", "1+": "negative", "2+": "equivocal", "3+": "positive"}
#: Organs whose parts the gold names after the organ: "brain (frontal lobe)", "heart (cardiac atrium)".
_ORGANS_OF_PARTS = ("brain", "heart")
#: Words of a lymph-node site that make it regional for a primary in the organ (AJCC N categories).
_REGIONAL_NODES = {
    "breast": ("axilla", "internal mammary", "intramammary", "sentinel"),
}


def _label(terms: Terminology, category: str, key: str | None) -> str | None:
    if key is None:
        return None
    term = terms.get(category, key)
    return term.label if term else key


def _site_label(terms: Terminology, key: str | None) -> str | None:
    """A site as the gold writes it: a part of an organ after the organ ("brain (frontal lobe)")."""
    label = _label(terms, "site", key)
    term = terms.get("site", key) if key else None
    for organ in _ORGANS_OF_PARTS:
        whole = terms.get("site", organ)
        if term is not None and whole is not None and term.key != organ and terms.is_a(term.iri, whole.iri):
            return f"{whole.label} ({label})"
    return label


def _primary(patient: Patient) -> Lesion | None:
    return next((lesion for lesion in patient.lesions if lesion.kind == "primary"), None)


def _regional(site: str, primary_site: str | None) -> bool:
    words = _REGIONAL_NODES.get((primary_site or "").lower(), ())
    lowered = site.lower()
    return "node" in lowered and any(word in lowered for word in words)


def _metastases(patient: Patient, terms: Terminology, primary_site: str | None) -> list[dict[str, Any]]:
    primary = _primary(patient)
    out = []
    for lesion in patient.lesions:
        if lesion.kind not in ("metastasis", "recurrence"):
            continue
        site = _site_label(terms, lesion.site) or lesion.site_text
        if site is None:
            continue  # "the metastatic tumour" of a specimen: a metastasis, at no site the text names
        same_organ = primary is not None and terms.related("site", lesion.site, primary.site)
        if lesion.kind == "recurrence" and (lesion.site is None or same_organ):
            continue  # a local recurrence is not a distant site
        if _regional(site, primary_site) or lesion.description == "regional lymph node":
            continue
        out.append({"site": site, "diagnosis_date": str(lesion.diagnosis_date) if lesion.diagnosis_date else None})
    return out


def _marker(result: BiomarkerResult, terms: Terminology) -> dict[str, Any]:
    name = _label(terms, "marker", result.marker) or result.marker
    status = result.status
    if result.marker.lower().startswith("her2"):
        name = "HER2"
        if result.assay in ("ISH", "FISH"):
            name = "HER2 FISH"
        elif status is None and result.score is not None:
            status = _HER2_SCORE_STATUS[result.score]
    elif result.assay in ("PCR", "NGS") and result.marker not in _NOT_GENES:
        name = f"{name} mutation"  # the gold names a gene alteration "<gene> mutation"
    if result.marker == "Ki-67":
        status = None  # a proliferation index: the schema keeps its number and no status
    if status == "low":
        status = "equivocal" if result.score == "2+" else "negative"
    return {"marker": name, "status": status, "percent": result.percent, "score": result.score, "raw": result.raw}


def _role(specimen: Specimen, lesions: dict[str, Lesion]) -> str:
    lesion = lesions.get(specimen.lesion or "")
    if lesion is None:
        return "unattributed"
    return "primary" if lesion.kind in ("primary", "local-invasion") else lesion.kind


def _specimens(patient: Patient, terms: Terminology) -> list[dict[str, Any]]:
    lesions = {lesion.id: lesion for lesion in patient.lesions}
    return [
        {
            "from": _role(sp, lesions),
            "site": _label(terms, "site", sp.site),
            "procedure": sp.procedure,
            "markers": [_marker(r, terms) for r in sp.results],
        }
        for sp in patient.specimens
        if sp.results
    ]


def _interventions(patient: Patient, terms: Terminology) -> list[dict[str, Any]]:
    return [
        {
            "type": _INTERVENTION_TYPES.get(iv.type, "other"),
            "drugs": [_label(terms, "drug", d.drug) or d.drug for d in iv.drugs],
            "start": str(iv.start) if iv.start else None,
        }
        for iv in patient.interventions
        if iv.adherence != "declined" and iv.status != "planned"  # given, not turned down nor only meant
    ]


#: The build's categories (HER2 ones included) as the gold's three statuses.
_CATEGORY_STATUS = {"HER2-positive": "positive", "HER2-zero": "negative", "HER2-low": "negative"}


def _conversions(conversions: Iterable[ConvertedMarker], patient: Patient, terms: Terminology) -> list[dict[str, Any]]:
    """The patient's conversions whose statuses differ once put in the gold's terms (HER2 0 to
    HER2-low is a conversion of the build but not a discordant status)."""
    out: list[dict[str, Any]] = []
    for c in conversions:
        before = _CATEGORY_STATUS.get(c.from_category, c.from_category)
        after = _CATEGORY_STATUS.get(c.to_category, c.to_category)
        if c.patient_index != patient.index or before == after:
            continue
        name = "HER2" if c.marker_key.lower().startswith("her2") else _label(terms, "marker", c.marker_key)
        entry = {"marker": name, "primary": before, "metastasis": after, "site": _label(terms, "site", c.site_key)}
        if entry not in out:
            out.append(entry)
    return out


def _outcome(patient: Patient) -> dict[str, Any]:
    vital = patient.outcome.vital_status if patient.outcome else "unknown"
    return {"status": {"dead": "died"}.get(vital, vital)}


def summarise(
    record: CaseRecord,
    terms: Terminology,
    patient_index: int = 1,
    conversions: Iterable[ConvertedMarker] | None = None,
) -> dict[str, Any]:
    """One patient of ``record`` (the first, the index patient, by default) in the flat gold schema.

    ``conversions`` are the record's receptor conversions as the build derives them
    (:func:`metkg.reasoning.record_conversions`); given, they become ``receptor_conversion``.
    """
    patient = next((p for p in record.patients if p.index == patient_index), record.patients[0])
    primary = _primary(patient)
    organ = _site_label(terms, primary.site) if primary else None
    flat: dict[str, Any] = {
        "id": record.id,
        "source": f"https://doi.org/{record.report.doi}",
        "patient": {"age_at_diagnosis": None, "sex": patient.sex, "age_at_presentation": patient.age},
        "primary_tumor": {
            "organ": organ,
            "laterality": primary.laterality if primary else None,
            "histology": _label(terms, "histology", primary.histology) if primary else None,
        },
        "metastases": _metastases(patient, terms, organ),
        "specimens": _specimens(patient, terms),
        "interventions": _interventions(patient, terms),
        "outcome": _outcome(patient),
    }
    if conversions is not None:
        flat["receptor_conversion"] = _conversions(conversions, patient, terms)
    return flat
