"""Assemble the extracted facts into a draft :class:`~metkg.records.models.CaseRecord` and YAML.

Ids are made from content (``frontal-scalp-metastasis``, ``breast-fna``,
``chemotherapy-docetaxel-epirubicin``); references between facts (a specimen's lesion, a
response's intervention, a metastasis's primary) use them. The record's status is
``machine-extracted`` and its first source names the input file, so that
:mod:`metkg.records.validate` checks every quote against it.

A specimen is linked to the lesion its role names (primary, metastasis, recurrence) or to the
lesion at its site; a specimen the text ties to no lesion is left **unattributed**: no
``lesion`` and a ``note`` saying so, for the curator to decide (never the primary by default).
A report of several patients gives one patient per part (:mod:`metkg.extract.series`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from metkg.extract.patient import (
    SEATS_OF_METASTASES,
    LesionDraft,
    find_demographics,
    find_germline,
    find_lesions,
    find_outcome,
    find_primary,
    unknown_primary,
)
from metkg.extract.report import Report, read_report
from metkg.extract.series import patient_views
from metkg.extract.specimens import SpecimenDraft, confirmed_metastases, find_specimens
from metkg.extract.treatments import InterventionDraft, ResponseDraft, find_interventions, find_responses
from metkg.records.models import (
    BiomarkerResult,
    CaseRecord,
    Conflict,
    ConflictingStatement,
    DrugAdministration,
    Evidence,
    GermlineFinding,
    Intervention,
    Lesion,
    Outcome,
    Patient,
    Publication,
    ResponseAssessment,
    Source,
    Specimen,
)

__all__ = ["build_record", "extract_text", "record_yaml", "slug"]


def slug(text: str, limit: int = 48) -> str:
    """A lower-case id fragment: ``"Ki-67 (MIB1)"`` -> ``"ki-67-mib1"``."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:limit].strip("-") or "x"


class _Ids:
    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, base: str) -> str:
        base = slug(base)
        candidate, n = base, 2
        while candidate in self.used:
            candidate, n = f"{base}-{n}", n + 1
        self.used.add(candidate)
        return candidate


_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>,;]+)")


def _publication(report: Report) -> tuple[Publication, str | None]:
    reference_spans = [(r.start, r.end) for r in report.regions if r.label == "reference"]
    doi = None
    for m in _DOI.finditer(report.original):
        if not any(s <= m.start() < e for s, e in reference_spans):
            doi = m.group(1).rstrip(".)]")
            break
    note = None
    if doi is None:
        doi = f"10.0000/unknown.{slug(Path(report.source_file).stem)}"
        note = "No DOI was found in the text; the report DOI is a placeholder to replace before curation."
    year = None
    front = report.original[:4000]
    for pattern in (r"PUBLISHED\s+\d{1,2}\s+\w+\s+((?:19|20)\d{2})", r"©\s*((?:19|20)\d{2})", r"\(((?:19|20)\d{2})\)"):
        m = re.search(pattern, front)
        if m:
            year = int(m.group(1))
            break
    title = report.title or None
    if title:
        title = re.sub(r"^.*?\(\d{4}\)\s*", "", title) if re.search(r"\(\d{4}\)", title[:80]) else title
        title = re.split(r"\s*\*?(?:Front\.|doi:)", title)[0].strip(" .*") or None
    return Publication(doi=doi, title=title, year=year), note


def _lesion_ids(primary: LesionDraft | None, lesions: list[LesionDraft], ids: _Ids) -> dict[int, str]:
    out: dict[int, str] = {}
    if primary is not None:
        out[id(primary)] = ids.make("primary")
    suffix = {"metastasis": "metastasis", "local-invasion": "invasion", "recurrence": "recurrence"}
    suffix["primary"] = "primary"  # a second primary
    for lesion in lesions:
        out[id(lesion)] = ids.make(f"{lesion.site or 'unknown'}-{suffix[lesion.kind]}")
    return out


def _to_lesion(d: LesionDraft, lesion_id: str, primary_id: str | None) -> Lesion:
    return Lesion(
        id=lesion_id,
        kind=d.kind,
        histology=d.histology,
        site=d.site,
        site_text=d.site_text,  # type: ignore[arg-type]
        laterality=d.laterality,
        diagnosis_date=d.diagnosis_date,
        stage=d.stage,
        grade=d.grade,  # type: ignore[arg-type]
        primary=primary_id if d.kind != "primary" else None,
        description=d.description,
        evidence=d.evidence,
    )


def _specimen_lesion(
    report: Report, sp: SpecimenDraft, primary: LesionDraft | None, lesions: list[LesionDraft]
) -> LesionDraft | None:
    """The lesion a specimen samples: the one its role names, else the one at its site; ``None``
    when the text says neither (the draft leaves it unattributed, never the primary by default)."""
    vocab = report.vocabulary
    if sp.role == "primary" and (primary is None or sp.site is None or vocab.related("site", sp.site, primary.site)):
        return primary
    candidates = [x for x in lesions if x.kind == sp.role] if sp.role else lesions
    if _of_the_primarys_side(sp, primary, candidates):
        return primary  # the "mastectomy" of a left breast cancer, not of its metastasis in the right breast
    # a site both invaded and called metastatic: the specimen samples the metastasis
    candidates = sorted(candidates, key=lambda x: x.kind == "local-invasion")
    for lesion in candidates:
        if sp.site and lesion.site == sp.site:
            return lesion
    for lesion in candidates:
        # a node metastasis is sampled by a node: the "pelvic mass" resected is not the pelvic nodes
        node_only = vocab.is_a("site", lesion.site, "LymphNode") and not vocab.is_a("site", sp.site, "LymphNode")
        if vocab.related("site", sp.site, lesion.site) and not node_only:
            return lesion
    if sp.role and sp.site is None and len(candidates) == 1:
        return candidates[0]  # "the metastatic tumour" of a patient with one metastasis
    of_primary = primary is not None and vocab.related("site", sp.site, primary.site)
    if sp.role is None and of_primary and not sp.metastatic:
        return primary
    first_tumour = not sp.metastatic and not any(x.position < sp.position for x in lesions)
    if first_tumour and (sp.the_tumour or sp.objectless or _primarys_tumour(report, sp, primary)):
        return primary  # "the tumour was excised", "excision was performed" when the primary is the only tumour so far
    return None


def _of_the_primarys_side(sp: SpecimenDraft, primary: LesionDraft | None, lesions: list[LesionDraft]) -> bool:
    """Whether a specimen of the primary's paired organ, on no other side, samples the primary where
    a metastasis sits in the organ's other side."""
    if sp.role is not None or sp.metastatic or primary is None or sp.site is None or sp.site != primary.site:
        return False
    if sp.laterality not in (None, primary.laterality):
        return False
    return any(x.site == sp.site and _on_the_other_side(x, primary) for x in lesions)


def _on_the_other_side(lesion: LesionDraft, primary: LesionDraft) -> bool:
    """Whether a lesion is said to be on the other side than the primary: "right" of a left one, or
    "contralateral"."""
    if lesion.laterality and lesion.laterality != primary.laterality:
        return True
    return any("contralateral" in ev.quote.lower() for ev in lesion.evidence)


def _names_the_primarys_organ(report: Report, sp: SpecimenDraft, primary: LesionDraft) -> bool:
    """Whether a specimen's diagnosis names the primary's organ ("biopsy of the liver showed breast
    carcinoma"), not the organ sampled ("a primary lung adenocarcinoma" in a lung nodule)."""
    vocab = report.vocabulary
    named = vocab.matcher.find(sp.diagnosis or "", ["site", "histology"])
    organs = [k for m in named for k in ([m.key] if m.category == "site" else vocab.implied_sites("histology", m.key))]
    return any(vocab.related("site", k, primary.site) for k in organs) and not any(
        vocab.related("site", k, sp.site) for k in organs
    )


def _primarys_tumour(report: Report, sp: SpecimenDraft, primary: LesionDraft | None) -> bool:
    """Whether "a tumour" a specimen takes is the primary's: the primary was named before it, or
    the tumour's word is the primary organ's ("a cervical tumour" of a cervical cancer, which the
    vocabulary cannot place alone: "cervical" is the neck's as much as the cervix's)."""
    if sp.a_tumour is None or primary is None:
        return False
    if primary.position < sp.position:
        return True
    term = report.vocabulary.terms.get("site", primary.site) if primary.site else None
    names = [term.label, *term.synonyms] if term else []
    words = {w.lower() for name in names for w in re.findall(r"[A-Za-z]{4,}", name)}
    word = sp.a_tumour.lower()
    return len(word) >= 4 and any(_common_prefix(word, w) >= 4 for w in words)


def _common_prefix(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def _role_lesions(
    report: Report, primary: LesionDraft | None, lesions: list[LesionDraft], specimens: list[SpecimenDraft]
) -> LesionDraft | None:
    """Lesions the text names only by a specimen's results ("the primary tumour was HR positive",
    "the metastatic tumour was HR negative") when no lesion of that kind was found: a primary, a
    metastasis or recurrence (added to ``lesions``) of the specimen's site, if any; a primary named at
    another organ than the primary's is a second primary (added to ``lesions``). No metastasis is
    made at the primary's own organ ("breast metastasis" may name where it comes from). Returns the
    primary."""
    vocab = report.vocabulary
    for sp in specimens:
        if sp.role == "primary" and primary is None:
            primary = LesionDraft("primary", sp.site, list(sp.evidence), sp.position)
        elif sp.role == "primary" and sp.site and not vocab.related("site", sp.site, primary.site):
            metastatic_here = any(x.kind == "metastasis" and vocab.related("site", x.site, sp.site) for x in lesions)
            if primary.site is not None and metastatic_here and _names_the_primarys_organ(report, sp, primary):
                sp.role = "metastasis"  # "splenic angiosarcoma metastatic to bone marrow" in a marrow biopsy
            elif not any(x.kind == "primary" and x.site == sp.site for x in lesions):  # a second primary
                lesions.append(LesionDraft("primary", sp.site, list(sp.evidence), sp.position))
        elif sp.role in ("metastasis", "recurrence") and not any(
            x.kind == sp.role and (sp.site is None or vocab.related("site", x.site, sp.site)) for x in lesions
        ):
            if primary is not None and vocab.related("site", sp.site, primary.site):
                continue  # a metastasis at the primary's own organ: the text must say more
            lesion = LesionDraft(sp.role, sp.site, list(sp.evidence), sp.position, diagnosis_date=sp.date)
            lesions.append(lesion)
    return primary


_CONFLICT_NOTE = (
    "The text states this result more than once with different values; the first statement is kept. Review."
)


_UNATTRIBUTED_NOTE = (
    "Unattributed: the text does not say which lesion this specimen samples. "
    "Set `lesion:` to the id of the lesion it comes from, or leave it unlinked."
)


def _to_specimen(sp: SpecimenDraft, specimen_id: str, lesion_id: str | None) -> Specimen:
    results = []
    for r in sp.results:
        conflicts = []
        for field_name, statements, resolution in r.conflicts:
            conflicts.append(
                Conflict(
                    field=field_name,
                    statements=[ConflictingStatement(value=v, evidence=ev) for v, ev in statements],
                    resolution=resolution,
                    note=_CONFLICT_NOTE,
                )
            )
        result = _valid(
            lambda r=r, conflicts=conflicts: BiomarkerResult(
                marker=r.marker,
                status=r.status,
                percent=r.percent,
                comparator=r.comparator,  # type: ignore[arg-type]
                score=r.score,
                pattern=r.pattern,
                raw=r.raw,
                assay=r.assay,  # type: ignore[arg-type]
                note=r.note,
                evidence=r.evidence,
                conflicts=conflicts,  # type: ignore[arg-type]
            )
        )
        if result is not None:
            results.append(result)
    return Specimen(
        id=specimen_id,
        procedure=sp.procedure,
        site=sp.site,
        site_text=sp.site_text,
        laterality=sp.laterality,  # type: ignore[arg-type]
        date=sp.date,
        lesion=lesion_id,
        diagnosis=sp.diagnosis,
        results=results,
        evidence=sp.evidence,  # type: ignore[arg-type]
        note=None if lesion_id else _UNATTRIBUTED_NOTE,
    )


def _intervention_base(d: InterventionDraft) -> str:
    if d.drugs:
        return f"{d.type}-" + "-".join(x.drug for x in d.drugs[:2])
    if d.procedure:
        return d.procedure if d.type == "surgery" else f"{d.type}-{d.procedure}"
    if d.type == "supportive" and d.description:
        return f"supportive-{' '.join(d.description.split()[:2])}"
    return d.type


def _to_intervention(d: InterventionDraft, intervention_id: str, targets: list[str]) -> Intervention:
    return Intervention(
        id=intervention_id,
        type=d.type,
        procedure=d.procedure,
        description=d.description,  # type: ignore[arg-type]
        drugs=[
            DrugAdministration(drug=x.drug, dose=x.dose, unit=x.unit, schedule=x.schedule, route=x.route)
            for x in d.drugs
        ],
        cycles=d.cycles,
        dose_gy=d.dose_gy,
        fractions=d.fractions,
        start=d.start,
        end=d.end,  # type: ignore[arg-type]
        setting=d.setting,
        adherence=d.adherence,
        status=d.status,
        targets=targets,
        evidence=d.evidence,  # type: ignore[arg-type]
    )


def _patient_evidence(report: Report) -> list[Evidence]:
    for s in report.case_sentences():
        end = s.start + min(len(s.text), 80)
        return report.evidence(s.start, end)
    return [Evidence(quote=report.original.strip()[:40] or "?", start=None, end=None)]


T = TypeVar("T")


def _valid(make: Callable[[], T]) -> T | None:
    """The model ``make`` builds, or ``None`` when a value the text gave is out of range.

    A draft drops such a fact rather than failing the whole report (a typo such as an end date
    before the start date must not lose every other fact).
    """
    try:
        return make()
    except ValidationError:
        return None


def _of_an_unknown_primary(report: Report, primary: LesionDraft | None, specimens: list[SpecimenDraft]) -> None:
    """A tumour sampled at a site in a case whose primary stays unknown is a metastasis: the
    excised axillary mass of a carcinoma of unknown primary samples a metastasis there."""
    if (primary is not None and primary.site is not None) or not unknown_primary(report):
        return
    vocab = report.vocabulary
    for sp in specimens:
        seat = sp.site is not None and any(vocab.is_a("site", sp.site, kind) for kind in SEATS_OF_METASTASES)
        if sp.role is None and seat and sp.results:  # not the tonsil or stomach where the primary was found
            sp.role, sp.metastatic = "metastasis", True


def _facts(report: Report) -> tuple[LesionDraft | None, list[LesionDraft], list[SpecimenDraft]]:
    """The primary tumour, the other lesions and the specimens, with dates and sites settled."""
    vocab = report.vocabulary
    primary = find_primary(report)
    specimens = find_specimens(report, primary)
    lesions = find_lesions(report, primary, confirmed_metastases(specimens, primary, report))
    _of_an_unknown_primary(report, primary, specimens)
    primary = _role_lesions(report, primary, lesions, specimens)
    for lesion in lesions:
        confirming = [
            sp
            for sp in specimens
            if sp.metastatic and sp.date is not None and vocab.related("site", sp.site, lesion.site)
        ]
        if confirming:
            lesion.diagnosis_date = confirming[0].date
    lesions.sort(key=lambda x: x.position)
    return primary, lesions, specimens


def _link_specimens(
    report: Report, primary: LesionDraft | None, lesions: list[LesionDraft], specimens: list[SpecimenDraft]
) -> dict[int, LesionDraft | None]:
    """Each specimen's lesion; a specimen takes the more specific site of its lesion."""
    vocab = report.vocabulary
    links = {id(sp): _specimen_lesion(report, sp, primary, lesions) for sp in specimens}
    for sp in specimens:
        linked = links[id(sp)]
        if linked is not None and linked.site and sp.site and vocab.below("site", linked.site, sp.site):
            sp.site = linked.site
            sp.laterality = sp.laterality or linked.laterality
            sp.site_text = linked.site_text or sp.site_text
    if primary is not None:
        own = [sp for sp in specimens if links[id(sp)] is primary and sp.date is not None]
        if own:
            primary.diagnosis_date = own[0].date
    return links


def _lesion_models(primary: LesionDraft | None, lesions: list[LesionDraft]) -> tuple[list[Lesion], dict[int, str]]:
    ids = _Ids()
    lesion_ids = _lesion_ids(primary, lesions, ids)
    primary_model = _valid(lambda: _to_lesion(primary, lesion_ids[id(primary)], None)) if primary else None  # type: ignore[arg-type]
    primary_id = primary_model.id if primary_model else None
    models = [primary_model] if primary_model else []
    for x in lesions:
        model = _valid(lambda x=x: _to_lesion(x, lesion_ids[id(x)], primary_id))  # type: ignore[misc]
        if model is not None:
            models.append(model)
    kept = {m.id for m in models}
    return models, {k: v for k, v in lesion_ids.items() if v in kept}


def _intervention_models(interventions: list[InterventionDraft]) -> tuple[list[Intervention], dict[int, str]]:
    ids = _Ids()
    models: list[Intervention] = []
    draft_ids: dict[int, str] = {}
    for d in interventions:
        intervention_id = ids.make(_intervention_base(d))
        model = _valid(lambda d=d, i=intervention_id: _to_intervention(d, i, []))  # type: ignore[misc]
        if model is None:
            # keep what is sure: the type, procedure, drugs and evidence
            bare = replace(d, start=None, end=None, dose_gy=None, fractions=None, cycles=None)
            bare.drugs = [replace(x, dose=None if x.dose is not None and x.dose <= 0 else x.dose) for x in d.drugs]
            model = _valid(lambda b=bare, i=intervention_id: _to_intervention(b, i, []))  # type: ignore[misc]
        if model is not None:
            models.append(model)
            draft_ids[id(d)] = intervention_id
    return models, draft_ids


def _specimen_models(
    specimens: list[SpecimenDraft], links: dict[int, LesionDraft | None], lesion_ids: dict[int, str]
) -> list[Specimen]:
    ids = _Ids()
    models = []
    for sp in specimens:
        linked = links[id(sp)]
        specimen_id = ids.make(f"{sp.site or sp.role or 'unspecified'}-{sp.procedure}")
        model = _valid(
            lambda sp=sp, i=specimen_id, ln=linked: _to_specimen(sp, i, lesion_ids.get(id(ln)) if ln else None)
        )
        if model is not None:
            models.append(model)
    return models


def _patient(report: Report, index: int, label: str | None) -> Patient:
    """The patient the sentences of ``report`` not marked as about other patients describe."""
    demographics = find_demographics(report)
    primary, lesions, specimens = _facts(report)
    interventions = find_interventions(report, ([primary] if primary else []) + lesions)
    responses = find_responses(report, interventions)
    links = _link_specimens(report, primary, lesions, specimens)
    lesion_models, lesion_ids = _lesion_models(primary, lesions)
    intervention_models, draft_ids = _intervention_models(interventions)
    responses_models = [
        m for i, r in enumerate(responses, start=1) if (m := _valid(lambda r=r, i=i: _to_response(r, i, draft_ids)))
    ]
    outcome = find_outcome(report)
    germline = [
        m
        for g in find_germline(report)
        if (m := _valid(lambda g=g: GermlineFinding(gene=g.gene, finding=g.finding, evidence=g.evidence)))
    ]
    return Patient(
        index=index,
        label=label,
        sex=demographics.sex,  # type: ignore[arg-type]
        age=demographics.age,
        evidence=demographics.evidence or _patient_evidence(report),
        germline=germline,
        lesions=lesion_models,
        specimens=_specimen_models(specimens, links, lesion_ids),
        interventions=intervention_models,
        responses=responses_models,
        outcome=_valid(
            lambda: Outcome(vital_status=outcome.vital_status, death_date=outcome.death_date, evidence=outcome.evidence)  # type: ignore[union-attr,arg-type]
        )
        if outcome
        else None,
    )


def build_record(report: Report) -> CaseRecord:
    """The draft case record of one report: one patient, or one per patient of a case series
    ("Case 1", "Case 2"; :func:`~metkg.extract.series.patient_views`)."""
    patients = [_patient(view.report, view.number, view.label) for view in patient_views(report)]
    publication, note = _publication(report)
    return CaseRecord(
        id=slug(Path(report.source_file).stem, 60),
        status="machine-extracted",
        report=publication,
        sources={"main": Source(file=Path(report.source_file).name, doi=None if note else publication.doi)},
        patients=patients,
        note=note,
    )


def _to_response(r: ResponseDraft, n: int, draft_ids: dict[int, str]) -> ResponseAssessment:
    return ResponseAssessment(
        id=f"response-{n}",
        intervention=draft_ids.get(id(r.intervention)) if r.intervention is not None else None,
        recist=r.recist,  # type: ignore[arg-type]
        miller_payne=r.miller_payne,
        description=r.description,
        date=r.date,  # type: ignore[arg-type]
        evidence=r.evidence,
    )


def extract_text(text: str, source_file: str, ontology_dir: Path) -> CaseRecord:
    """Extract the draft record of one report from its full text."""
    return build_record(read_report(text, source_file, ontology_dir))


_FIRST = ("id", "index", "kind", "type", "marker", "procedure", "drug", "gene", "analyte", "field", "value", "quote")
_LAST = ("evidence", "conflicts", "note", "results")


def _ordered(value: Any) -> Any:
    if isinstance(value, dict):
        keys = list(value)
        head = [k for k in _FIRST if k in value]
        tail = [k for k in _LAST if k in value]
        middle = [k for k in keys if k not in head and k not in tail]
        return {k: _ordered(value[k]) for k in head + middle + tail}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data and len(data) > 200 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str)


def record_yaml(record: CaseRecord, header: Iterable[str] = (), footer: Iterable[str] = ()) -> str:
    """The record as YAML in the format of ``data/cases``, with optional comment lines on top
    and at the end (a derived, read-only section such as the draft's receptor conversions)."""
    data = _ordered(record.model_dump(mode="json", exclude_none=True, exclude_defaults=True))
    data["status"] = record.status
    order = ["id", "status", "report", "sources", "note", "patients"]
    data = {k: data[k] for k in order if k in data}
    comments = "".join(f"# {line}\n" for line in header)
    tail = "".join(f"# {line}".rstrip() + "\n" for line in footer)
    return comments + yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=110) + tail
