"""Score extracted case records against curated ones, per field group, by content.

Ids differ between the extractor and the curator, so nothing is matched by id. The rules:

**Records** are paired by report DOI, else by the file name of their first source. A curated
record with no extracted counterpart is not scored (a report's Table-1 cases are records of
their own and the extractor is not asked for them); an extracted record with no curated
counterpart is listed as unpaired. **Patients** are paired by ``index``.

Values agree when:

- *sites, histologies, procedures*: the keys are equal or one term is below the other in the
  ontology (``frontal-scalp`` agrees with ``scalp``; ``fna`` with ``biopsy``);
- *dates*: they are equal at the coarser of the two precisions (``2024-03`` agrees with
  ``2024-03-09`` and with ``2024``);
- *stages*: equal ignoring case and spaces; *percents*: within one point.

Field groups:

- **patient**: ``sex`` and ``age``, one fact each.
- **primary**: the primary lesion's ``histology``, ``site``, ``laterality``,
  ``diagnosis_date``, ``stage`` and ``grade``, one fact per field either side states.
- **metastatic sites**: each metastasis, local invasion or recurrence is one fact; it matches
  when the kind is equal and the sites agree.
- **specimens**: each specimen is one fact; it matches when the procedures agree, the sites
  agree (both absent counts as agreeing) and the dates agree or either is absent.
- **biomarker results**: each result is one fact; it matches when the marker is equal, the
  specimens are matched to each other (above), and the values agree: status, score and
  percent each agree wherever both state them, and at least one of the three is stated by
  both (``ER positive 90%`` matches ``ER (+90%)``; ``HER2 1+`` does not match ``HER2 positive``).
- **interventions**: each intervention is one fact; it matches when the type is equal and,
  where both state them, the drug sets share a drug, the procedures agree, the radiotherapy
  doses are equal (within 0.5 Gy), the start dates agree, and descriptions share a word of
  four letters or more or are equal (for interventions with neither drugs nor procedure).
- **outcome**: ``vital_status`` and ``death_date``, one fact each.

A field or item only one side states is a miss (curated only) or a false fact (extracted
only); a field both state with different values is both. Items are matched one to one,
best-agreeing pairs first. Precision, recall and F1 are micro-averaged over all paired
records.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metkg.errors import Issue, RecordValidationError
from metkg.records.dates import PartialDate
from metkg.records.loader import find_record_files, load_record
from metkg.records.models import BiomarkerResult, CaseRecord, Intervention, Lesion, Patient, Specimen
from metkg.terminology import Terminology

__all__ = [
    "GROUPS",
    "Evaluation",
    "GroupScore",
    "compare",
    "evaluate",
    "evaluate_directories",
    "load_directory",
    "markdown_table",
]

GROUPS = ("patient", "primary", "metastatic sites", "specimens", "biomarker results", "interventions", "outcome")


@dataclass
class GroupScore:
    """Counts of one field group, with every miss and every false fact described."""

    name: str
    matched: int = 0
    misses: list[str] = field(default_factory=list)
    false_facts: list[str] = field(default_factory=list)

    @property
    def gold(self) -> int:
        return self.matched + len(self.misses)

    @property
    def extracted(self) -> int:
        return self.matched + len(self.false_facts)

    @property
    def precision(self) -> float:
        return self.matched / self.extracted if self.extracted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Evaluation:
    """Scores per field group over every paired record."""

    groups: dict[str, GroupScore]
    pairs: list[tuple[str, str]] = field(default_factory=list)
    unpaired: list[str] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)


class _Agree:
    """Value comparisons shared by the groups."""

    def __init__(self, terminology: Terminology):
        self.terms = terminology

    def key(self, category: str, a: str | None, b: str | None) -> bool:
        if a is None or b is None:
            return a is None and b is None
        if a == b:
            return True
        ta, tb = self.terms.get(category, a), self.terms.get(category, b)
        return (
            ta is not None and tb is not None and (self.terms.is_a(ta.iri, tb.iri) or self.terms.is_a(tb.iri, ta.iri))
        )

    @staticmethod
    def date(a: PartialDate | None, b: PartialDate | None) -> bool:
        if a is None or b is None:
            return a is None and b is None
        if a.year != b.year:
            return False
        if a.month is None or b.month is None:
            return True
        if a.month != b.month:
            return False
        return a.day is None or b.day is None or a.day == b.day

    @staticmethod
    def loose_date(a: PartialDate | None, b: PartialDate | None) -> bool:
        return a is None or b is None or _Agree.date(a, b)

    @staticmethod
    def stage(a: str | None, b: str | None) -> bool:
        norm = (lambda s: re.sub(r"\s+", "", s).lower()) if a and b else None
        return a == b if norm is None else norm(a) == norm(b)  # type: ignore[misc]


def _describe(kind: str, **values: Any) -> str:
    parts = [f"{k}={v}" for k, v in values.items() if v not in (None, [], "")]
    return f"{kind} " + " ".join(parts)


def _fields(
    score: GroupScore,
    *,
    record: str,
    what: str,
    gold: dict[str, Any],
    extracted: dict[str, Any],
    same: dict[str, Callable[[Any, Any], bool]],
) -> None:
    for name in gold.keys() | extracted.keys():
        g, e = gold.get(name), extracted.get(name)
        if g is None and e is None:
            continue
        if g is not None and e is not None and same.get(name, lambda x, y: x == y)(g, e):
            score.matched += 1
            continue
        if g is not None:
            score.misses.append(f"{record}: {what}.{name} = {g}" + (f" (extracted {e})" if e is not None else ""))
        if e is not None:
            score.false_facts.append(f"{record}: {what}.{name} = {e}" + (f" (curated {g})" if g is not None else ""))


def _match(
    gold: Sequence[Any], extracted: Sequence[Any], score_pair: Callable[[Any, Any], int | None]
) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, extracted index), best-agreeing first; ``None`` means no match."""
    candidates = []
    for i, g in enumerate(gold):
        for j, e in enumerate(extracted):
            s = score_pair(g, e)
            if s is not None:
                candidates.append((s, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_g: set[int] = set()
    used_e: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_g and j not in used_e:
            pairs.append((i, j))
            used_g.add(i)
            used_e.add(j)
    return pairs


def _items(
    score: GroupScore,
    *,
    record: str,
    gold: Sequence[Any],
    extracted: Sequence[Any],
    score_pair: Callable[[Any, Any], int | None],
    describe: Callable[[Any], str],
) -> list[tuple[int, int]]:
    pairs = _match(gold, extracted, score_pair)
    score.matched += len(pairs)
    matched_g = {i for i, _ in pairs}
    matched_e = {j for _, j in pairs}
    score.misses += [f"{record}: {describe(g)}" for i, g in enumerate(gold) if i not in matched_g]
    score.false_facts += [f"{record}: {describe(e)}" for j, e in enumerate(extracted) if j not in matched_e]
    return pairs


_WORD = re.compile(r"[a-z]{4,}")
_STOP = {
    "therapy",
    "treatment",
    "care",
    "with",
    "from",
    "after",
    "before",
    "given",
    "then",
    "that",
    "this",
    "were",
    "was",
}


class _Scorer:
    def __init__(self, terminology: Terminology):
        self.agree = _Agree(terminology)
        self.groups = {name: GroupScore(name) for name in GROUPS}

    def patient(self, record: str, g: Patient, e: Patient) -> None:
        _fields(
            self.groups["patient"],
            record=record,
            what="patient",
            gold={"sex": g.sex, "age": g.age},
            extracted={"sex": e.sex, "age": e.age},
            same={},
        )
        self.primary(record, g, e)
        self.lesions(record, g, e)
        specimen_pairs = self.specimens(record, g, e)
        self.results(record, g, e, specimen_pairs)
        self.interventions(record, g, e)
        self.outcome(record, g, e)

    def primary(self, record: str, g: Patient, e: Patient) -> None:
        def facts(p: Patient) -> dict[str, Any]:
            lesion = next((x for x in p.lesions if x.kind == "primary"), None)
            if lesion is None:
                return {}
            return {
                "histology": lesion.histology,
                "site": lesion.site,
                "laterality": lesion.laterality,
                "diagnosis_date": lesion.diagnosis_date,
                "stage": lesion.stage,
                "grade": lesion.grade,
            }

        same = {
            "histology": lambda a, b: self.agree.key("histology", a, b),
            "site": lambda a, b: self.agree.key("site", a, b),
            "diagnosis_date": self.agree.date,
            "stage": self.agree.stage,
        }
        _fields(self.groups["primary"], record=record, what="primary", gold=facts(g), extracted=facts(e), same=same)

    def lesions(self, record: str, g: Patient, e: Patient) -> None:
        def secondary(p: Patient) -> list[Lesion]:
            return [x for x in p.lesions if x.kind != "primary"]

        def pair(a: Lesion, b: Lesion) -> int | None:
            if a.kind != b.kind or not self.agree.key("site", a.site, b.site):
                return None
            return 2 * (a.site == b.site) + self.agree.date(a.diagnosis_date, b.diagnosis_date)

        _items(
            self.groups["metastatic sites"],
            record=record,
            gold=secondary(g),
            extracted=secondary(e),
            score_pair=pair,
            describe=lambda x: _describe(x.kind, site=x.site, date=x.diagnosis_date),
        )

    def specimens(self, record: str, g: Patient, e: Patient) -> list[tuple[Specimen, Specimen]]:
        def pair(a: Specimen, b: Specimen) -> int | None:
            if not self.agree.key("procedure", a.procedure, b.procedure) or not self.agree.key("site", a.site, b.site):
                return None
            if not self.agree.loose_date(a.date, b.date):
                return None
            results = len({r.marker for r in a.results} & {r.marker for r in b.results})
            return (
                4 * (a.procedure == b.procedure)
                + 2 * (a.site == b.site)
                + 2 * self.agree.date(a.date, b.date)
                + results
            )

        pairs = _items(
            self.groups["specimens"],
            record=record,
            gold=g.specimens,
            extracted=e.specimens,
            score_pair=pair,
            describe=lambda x: _describe("specimen", procedure=x.procedure, site=x.site, date=x.date),
        )
        return [(g.specimens[i], e.specimens[j]) for i, j in pairs]

    def results(self, record: str, g: Patient, e: Patient, specimen_pairs: list[tuple[Specimen, Specimen]]) -> None:
        partner = {id(gs): es for gs, es in specimen_pairs}

        def flat(p: Patient) -> list[tuple[Specimen, BiomarkerResult]]:
            return [(sp, r) for sp in p.specimens for r in sp.results]

        def pair(a: tuple[Specimen, BiomarkerResult], b: tuple[Specimen, BiomarkerResult]) -> int | None:
            (sa, ra), (sb, rb) = a, b
            if partner.get(id(sa)) is not sb or ra.marker != rb.marker or not _same_result(ra, rb):
                return None
            return 1

        def describe(item: tuple[Specimen, BiomarkerResult]) -> str:
            sp, r = item
            value = r.status or (
                f"score {r.score}"
                if r.score
                else f"{r.comparator or ''}{r.percent:g}%"
                if r.percent is not None
                else ""
            )
            return f"{r.marker} {value} on {sp.procedure} {sp.site or ''} {sp.date or ''}".rstrip()

        _items(
            self.groups["biomarker results"],
            record=record,
            gold=flat(g),
            extracted=flat(e),
            score_pair=pair,
            describe=describe,
        )

    def interventions(self, record: str, g: Patient, e: Patient) -> None:
        def pair(a: Intervention, b: Intervention) -> int | None:
            if a.type != b.type:
                return None
            points = 0
            drugs_a, drugs_b = {d.drug for d in a.drugs}, {d.drug for d in b.drugs}
            if drugs_a or drugs_b:
                if not drugs_a & drugs_b:
                    return None
                points += 2 * len(drugs_a & drugs_b)
            if a.procedure and b.procedure:
                if not self.agree.key("procedure", a.procedure, b.procedure):
                    return None
                points += 2 + (a.procedure == b.procedure)
            if a.dose_gy is not None and b.dose_gy is not None:
                if abs(a.dose_gy - b.dose_gy) > 0.5:
                    return None
                points += 2
            if a.start is not None and b.start is not None:
                if not self.agree.date(a.start, b.start):
                    return None
                points += 1
            if not (drugs_a or drugs_b or a.procedure or b.procedure) and a.description and b.description:
                shared = _words(a.description) & _words(b.description)
                if not shared and a.description.lower() != b.description.lower():
                    return None
                points += len(shared)
            return points

        def describe(x: Intervention) -> str:
            what = ", ".join(d.drug for d in x.drugs) or x.procedure or x.description or ""
            return _describe(x.type, of=what, dose_gy=x.dose_gy, start=x.start)

        _items(
            self.groups["interventions"],
            record=record,
            gold=g.interventions,
            extracted=e.interventions,
            score_pair=pair,
            describe=describe,
        )

    def outcome(self, record: str, g: Patient, e: Patient) -> None:
        def facts(p: Patient) -> dict[str, Any]:
            return (
                {}
                if p.outcome is None
                else {"vital_status": p.outcome.vital_status, "death_date": p.outcome.death_date}
            )

        _fields(
            self.groups["outcome"],
            record=record,
            what="outcome",
            gold=facts(g),
            extracted=facts(e),
            same={"death_date": self.agree.date},
        )


def _words(text: str) -> set[str]:
    return {w[:6] for w in _WORD.findall(text.lower()) if w not in _STOP}


def _same_result(a: BiomarkerResult, b: BiomarkerResult) -> bool:
    """Statuses agree where both state one, scores and percents where both state them, and at
    least one of the three was compared."""
    if a.status is not None and b.status is not None and a.status != b.status:
        return False
    if a.score is not None and b.score is not None and a.score != b.score:
        return False
    if a.percent is not None and b.percent is not None and abs(a.percent - b.percent) > 1:
        return False
    return (
        (a.status is not None and b.status is not None)
        or (a.score is not None and b.score is not None)
        or (a.percent is not None and b.percent is not None)
    )


def _pair_key(record: CaseRecord) -> tuple[str, str | None]:
    first = record.sources[record.default_source()]
    return record.report.doi.lower(), first.file


def evaluate(extracted: Iterable[CaseRecord], gold: Iterable[CaseRecord], terminology: Terminology) -> Evaluation:
    """Score extracted records against curated ones (see the module docstring for the rules)."""
    scorer = _Scorer(terminology)
    gold_list = list(gold)
    by_doi = {r.report.doi.lower(): r for r in gold_list}
    by_file = {_pair_key(r)[1]: r for r in gold_list if _pair_key(r)[1]}
    evaluation = Evaluation(scorer.groups)
    for record in extracted:
        doi, file = _pair_key(record)
        curated = by_doi.get(doi) or (by_file.get(file) if file else None)
        if curated is None:
            evaluation.unpaired.append(record.id)
            continue
        evaluation.pairs.append((record.id, curated.id))
        _score_pair(scorer, record, curated)
    return evaluation


def _score_pair(scorer: _Scorer, extracted: CaseRecord, curated: CaseRecord) -> None:
    for patient in curated.patients:
        other = next((p for p in extracted.patients if p.index == patient.index), None)
        scorer.patient(curated.id, patient, other or Patient(index=patient.index, evidence=[{"quote": "-"}]))  # type: ignore[list-item]


def compare(extracted: CaseRecord, curated: CaseRecord, terminology: Terminology) -> Evaluation:
    """Score one draft against one curated record, paired whatever their DOIs say."""
    scorer = _Scorer(terminology)
    evaluation = Evaluation(scorer.groups, pairs=[(extracted.id, curated.id)])
    _score_pair(scorer, extracted, curated)
    return evaluation


def load_directory(path: Path) -> tuple[list[CaseRecord], list[Issue]]:
    """Every record under ``path`` that loads; the problems of those that do not."""
    records, issues = [], []
    for file in find_record_files([path]):
        try:
            records.append(load_record(file).record)
        except RecordValidationError as exc:
            issues += exc.issues
    return records, issues


def evaluate_directories(extracted_dir: Path, gold_dir: Path, terminology: Terminology) -> Evaluation:
    """Load both directories and score; records that fail to load are reported, not scored."""
    extracted, bad_extracted = load_directory(extracted_dir)
    gold, bad_gold = load_directory(gold_dir)
    evaluation = evaluate(extracted, gold, terminology)
    evaluation.skipped = bad_extracted + bad_gold
    return evaluation


def markdown_table(evaluation: Evaluation) -> str:
    """The scores as a Markdown table, one row per field group and a total."""
    lines = [
        "| field group | curated | extracted | matched | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for g in evaluation.groups.values():
        lines.append(
            f"| {g.name} | {g.gold} | {g.extracted} | {g.matched} | {g.precision:.2f} | {g.recall:.2f} | {g.f1:.2f} |"
        )
    return "\n".join(lines)
