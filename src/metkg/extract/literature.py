"""Literature-review tables: one draft case record per cited publication, one patient per row.

Most rare-metastasis reports summarise earlier published patients in a table (author or
reference, year, age, sex, primary, histology, site, interval, IHC, treatment, outcome). A
table is taken for such a review when its header names a publication column (reference,
author, study) and at least two clinical ones. Columns are mapped by their header text
(:func:`column_roles`), never by position, so tables headed in the usual ways are read alike.

Each row becomes a :class:`~metkg.records.models.Patient` of the record of the publication it
cites: the reference number in the row is looked up in the report's reference list for its DOI,
year, authors and title (an author-and-year cell is matched against the list the same way). A
row with neither reference nor author nor year goes on the publication of the row above, as its
next patient ("a report of two cases"). Every fact's evidence is its cell (quotes point into
the saved normalised text), blank cells ("", "-", "/", "NA", "not reported", a text column
without letters) stay absent, and the report's own (index) patient is never among the rows.

Cells are read with the extraction's own parts: ontology terms for histologies and sites
(:class:`~metkg.extract.terms.TermMatcher`), and :func:`~metkg.extract.treatments.find_interventions`
and :func:`~metkg.extract.patient.find_outcome` on a treatment or outcome cell read as a short text,
:func:`~metkg.extract.specimens.find_specimens` on an IHC cell. An interval column is recognised
but not read (a record has no field for a time from primary to metastasis).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from metkg.extract.patient import find_outcome, laterality_before
from metkg.extract.pipeline import term_matcher
from metkg.extract.readers.document import Cell, Document, Reference, Table
from metkg.extract.record import _intervention_models, _to_specimen, slug
from metkg.extract.report import Report, Vocabulary, read_report
from metkg.extract.specimens import find_specimens
from metkg.extract.terms import TermMention
from metkg.extract.treatments import find_interventions
from metkg.records.models import (
    CaseRecord,
    Evidence,
    Intervention,
    Lesion,
    Outcome,
    Patient,
    Publication,
    Source,
    Specimen,
)
from metkg.terminology import load_terminology

__all__ = ["ROLES", "column_roles", "is_literature_table", "literature_records"]

#: Column roles and the header words that give them, in the order they are tried.
ROLES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (role, re.compile(pattern, re.IGNORECASE))
    for role, pattern in (
        ("reference", r"\bref(?:erence)?s?\b|\bcitations?\b|\bsources?\b|^no\.?$|^#$"),
        ("ignored", r"subtype|phenotype|sequence|timing|presentation|appearance|symptom|size|clinical feature"),
        ("age-sex", r"\bage\b.*\b(?:sex|gender)\b|\b(?:sex|gender)\b.*\bage\b"),
        ("author", r"\bauthors?\b|\bstudy\b|\bcases?\b|\breport\b|\bpublication\b"),
        ("age", r"\bage\b"),
        ("sex", r"\bsex\b|\bgender\b"),
        ("year", r"\byear\b|\bdate\b|\bpublished\b"),
        ("histology", r"histolog|patholog|\bdiagnosis\b|tumou?r type|cell type"),
        ("recurrence", r"local(?:ly)?[\s-]*(?:recurren|relapse)|locoregional"),
        ("other-sites", r"\bother\b|\badditional\b|\bdistant\b|\bmetastases\b|\bextra"),
        ("interval", r"interval|latency|time to|\bdfi\b|\bdfs\b|months? to"),
        ("ihc", r"\bihc\b|immuno|receptor|marker"),
        ("treatment", r"treat|therap|management|intervention"),
        ("outcome", r"outcome|follow|prognosis|status|survival"),
        ("site", r"locali[sz]ation|location|\bsites?\b|region|metastasis"),
        ("primary", r"\bprimary\b|origin"),
    )
)

_CLINICAL = {"age", "sex", "age-sex", "histology", "site", "other-sites", "treatment", "outcome", "primary", "ihc"}
_BLANK = re.compile(r"^(?:[-–—/.]*|n/?a|n\.?r\.?|none reported|not (?:reported|available|stated|mentioned))$", re.I)
_NONE = re.compile(r"^(?:no(?:ne)?|absent|nil)\.?$", re.IGNORECASE)
_YES = re.compile(r"^(?:yes|y|present|\+|positive)\.?$", re.IGNORECASE)
_ALIVE = re.compile(
    r"\b(?:alive|stable|remission|disease[\s-]free|tumou?r[\s-]free|no evidence of|ned|survived)\b", re.I
)
_UNKNOWN = re.compile(r"\b(?:unknown|lost to follow|not known)\b", re.IGNORECASE)
_FEMALE = re.compile(r"\b(?:she|her|female|woman|f)\b", re.IGNORECASE)
_MALE = re.compile(r"\b(?:he|his|him|male|man|m)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def column_roles(header: list[str]) -> list[str | None]:
    """The role of each column, from its header text (``None`` when no role fits).

    >>> column_roles(["Author (year)", "Age/Sex", "Primary tumour", "Site of metastasis", "Outcome"])
    ['author', 'age-sex', 'primary', 'site', 'outcome']
    """
    roles: list[str | None] = []
    for name in header:
        role = next((r for r, pattern in ROLES if pattern.search(name.strip())), None)
        roles.append(None if role == "ignored" else role)
    return roles


def is_literature_table(table: Table) -> bool:
    """Whether a table lists published patients: a publication column and two clinical ones."""
    roles = set(column_roles([c.text for c in table.header]))
    return bool(roles & {"reference", "author"}) and len(roles & _CLINICAL) >= 2 and len(table.rows) >= 1


def _blank(text: str, role: str | None) -> bool:
    text = text.strip()
    if _BLANK.match(text):
        return True
    numeric = role in ("age", "year", "reference", "interval", "age-sex")
    return not numeric and not re.search(r"[^\W\d_]", text)


@dataclass
class _Row:
    cells: dict[str, Cell]
    index: int

    def get(self, role: str) -> Cell | None:
        return self.cells.get(role)


def _rows(table: Table) -> Iterator[_Row]:
    roles = column_roles([c.text for c in table.header])
    for n, row in enumerate(table.rows, start=1):
        cells = {}
        for role, cell in zip(roles, row, strict=False):
            if role is not None and role not in cells and not _blank(cell.text, role):
                cells[role] = cell
        if cells:
            yield _Row(cells, n)


def _ev(cell: Cell, start: int = 0, end: int | None = None) -> Evidence:
    end = len(cell.text) if end is None else end
    return Evidence(quote=cell.text[start:end], start=cell.start + start, end=cell.start + end)


#: What a cell is read after: a case section's heading, so that the cell is a sentence of the case.
_CASE_CONTEXT = "Case presentation\n\n"


def _shift(models: list[Any], offset: int) -> list[Any]:
    """Models whose evidence spans are moved by ``offset`` (from cell to document offsets)."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            if "quote" in value and value.get("start") is not None:
                return {**value, "start": value["start"] + offset, "end": value["end"] + offset}
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return [type(m).model_validate(walk(m.model_dump())) for m in models]


@dataclass
class _Cited:
    """The publication a row cites."""

    publication: Publication
    key: str
    note: str | None = None
    patients: list[Patient] = field(default_factory=list)


class _TableReader:
    def __init__(self, document: Document, table: Table, ontology_dir: Path):
        self.document = document
        self.table = table
        self.ontology_dir = ontology_dir
        self.matcher = term_matcher(str(Path(ontology_dir).resolve()))
        self.vocabulary = Vocabulary(load_terminology(Path(ontology_dir)), self.matcher)
        self.by_label = {r.label: r for r in document.references}
        header = {
            role: cell
            for role, cell in zip(column_roles([c.text for c in table.header]), table.header, strict=False)
            if role
        }
        caption = Cell(table.caption, table.caption_start + len(table.label) + 1, 0)
        self.caption = Cell(caption.text, caption.start, caption.start + len(caption.text))
        self.site_default = self._default_site(header.get("site"))
        self.primary_default = self._caption_primary()

    # ------------------------------------------------------------ context from header and caption

    def _default_site(self, header: Cell | None) -> str | None:
        """The site a site column is about when its cells name only a region ("Scalp location")."""
        for text in (header.text if header else "", self.caption.text):
            sites = [m for m in self.matcher.find(text, ["site"]) if not self._implied_by_histology(text, m)]
            if sites:
                return sites[0].key
        return None

    def _implied_by_histology(self, text: str, site: TermMention) -> bool:
        return any(h.start <= site.start < h.end for h in self.matcher.find(text, ["histology"]))

    def _caption_primary(self) -> tuple[str | None, str | None, Evidence | None]:
        """Histology and primary site a caption states for every row ("... in breast cancer")."""
        for h in self.matcher.find(self.caption.text, ["histology"]):
            sites = self.vocabulary.implied_sites("histology", h.key)
            if sites:
                return h.key, sites[0], _ev(self.caption, h.start, h.end)
        return None, None, None

    # ------------------------------------------------------------ cells

    def sites(self, cell: Cell) -> list[tuple[str, str | None, Evidence]]:
        """Sites a cell names, with laterality, lymph-node regions joined ("axillary ... nodal")."""
        text = cell.text
        found = [m for m in self.matcher.find(text, ["site"]) if not self._implied_by_histology(text, m)]
        out: list[tuple[str, str | None, Evidence]] = []
        nodal = re.search(r"\bnod(?:al|es?)\b", text, re.IGNORECASE)
        for m in found:
            key = m.key
            if nodal and key not in ("lymph-node",) and m.end <= nodal.start():
                joined = self.matcher.find(f"{m.text} lymph node", ["site"])
                if joined and joined[0].key.endswith("lymph-node") and joined[0].end > len(m.text):
                    key = joined[0].key
            elif key == "lymph-node" and any(o.end <= m.start and o.key != key for o in found):
                continue
            side, _ = laterality_before(text, m.start)
            out.append((key, side, _ev(cell, m.start, m.end)))
        for word in re.finditer(r"[^\W\d_]{3,}", text):
            if re.search(r"\bnod(?:al|es?)\b", word.group(0), re.IGNORECASE):
                continue
            candidate = self.matcher.find(f"{word.group(0)} lymph node", ["site"])
            key = candidate[0].key if candidate and candidate[0].end > len(word.group(0)) else None
            new = all(k != key for k, _, _ in out) and not any(
                e.start <= cell.start + word.start() < e.end for _, _, e in out
            )
            if nodal and key and key.endswith("-lymph-node") and word.end() <= nodal.start() and new:
                side, _ = laterality_before(text, word.start())
                out.append((key, side, _ev(cell, word.start(), word.end())))
        return out

    def index_sites(self, cell: Cell) -> list[tuple[str, str | None, Evidence]]:
        """Sites of the metastasis a site column describes, refined by region words when needed."""
        named = self.sites(cell)
        if named or self.site_default is None:
            return named
        default_label = self.vocabulary.label("site", self.site_default)
        out = []
        for word in re.finditer(r"[^\W\d_]{4,}", cell.text):
            found = self.matcher.find(f"{word.group(0)} {default_label}", ["site"])
            if found and found[0].start == 0 and found[0].end > len(word.group(0)):
                side, _ = laterality_before(cell.text, word.start())
                out.append((found[0].key, side, _ev(cell, word.start(), word.end())))
        if out:
            return out
        side, _ = laterality_before(cell.text, len(cell.text))
        return [(self.site_default, side if side else _side_anywhere(cell.text), _ev(cell))]

    def histology(self, cell: Cell | None) -> tuple[str | None, Evidence | None]:
        if cell is None:
            return None, None
        found = self.matcher.find(cell.text, ["histology"])
        return (found[0].key, _ev(cell, found[0].start, found[0].end)) if found else (None, None)

    def read_cell(self, cell: Cell) -> Report:
        """A cell read as a case sentence (alone it would be read as a title, which states nothing)."""
        return read_report(f"{_CASE_CONTEXT}{cell.text}", "cell.txt", self.ontology_dir)

    def interventions(self, cell: Cell) -> list[Intervention]:
        models, _ = _intervention_models(find_interventions(self.read_cell(cell), []))
        return _shift(models, cell.start - len(_CASE_CONTEXT))

    def stains(self, cell: Cell) -> list[Specimen]:
        """Biomarker results of an IHC cell, on a specimen of tissue the table does not name.

        The cell is read after a stated context ("Immunohistochemistry of the biopsy showed")
        so that the extraction's result parser takes it; quotes that fall in that context are
        replaced by the cell.
        """
        context = "Case presentation\n\nImmunohistochemistry of the biopsy showed "
        report = read_report(f"{context}{cell.text}.", "cell.txt", self.ontology_dir)
        specimens = []
        for n, draft in enumerate(find_specimens(report), start=1):
            draft.results = [r for r in draft.results if all(e.start >= len(context) for e in r.evidence)]
            if not draft.results:
                continue
            draft.evidence, draft.site, draft.date = [_ev(cell)], None, None
            for result in draft.results:
                result.evidence = [_ev(cell, e.start - len(context), e.end - len(context)) for e in result.evidence]
            specimen = _to_specimen(draft, f"ihc-{n}", None)
            specimens.append(
                specimen.model_copy(update={"note": "The table gives the stains without the tissue stained."})
            )
        return specimens

    def outcome(self, cell: Cell) -> Outcome | None:
        found = find_outcome(self.read_cell(cell))
        if found is not None:
            return _shift(
                [Outcome(vital_status=found.vital_status, death_date=found.death_date, evidence=found.evidence)],
                cell.start - len(_CASE_CONTEXT),
            )[0]  # type: ignore[arg-type]
        for pattern, status in ((_ALIVE, "alive"), (_UNKNOWN, "unknown")):
            if pattern.search(cell.text):
                return Outcome(vital_status=status, evidence=[_ev(cell)])  # type: ignore[arg-type]
        return None

    # ------------------------------------------------------------ rows

    def patient(self, row: _Row, index: int) -> Patient:
        histology, histology_ev = self.histology(row.get("histology"))
        caption_histology, caption_site, caption_ev = self.primary_default
        primary_site, primary_ev = None, []
        if row.get("primary"):
            sites = self.sites(row.get("primary"))  # type: ignore[arg-type]
            if sites:
                primary_site, primary_ev = sites[0][0], [sites[0][2]]
            if histology is None:
                histology, histology_ev = self.histology(row.get("primary"))
        if primary_site is None and histology:
            implied = self.vocabulary.implied_sites("histology", histology)
            primary_site = implied[0] if implied else None
        if primary_site is None and caption_site:
            primary_site, primary_ev = caption_site, [caption_ev]
        lesions: list[Lesion] = []
        if histology or primary_site:
            evidence = [e for e in (*primary_ev, histology_ev) if e is not None] or [caption_ev]
            lesions.append(
                Lesion(
                    id="primary",
                    kind="primary",
                    histology=histology or caption_histology,
                    site=primary_site,
                    evidence=evidence,
                )  # type: ignore[arg-type]
            )
        lesions += self.secondary_lesions(row, primary_site, bool(lesions))
        cited = row.get("reference") or row.get("author") or row.get("year") or next(iter(row.cells.values()))
        sex, age, demographic_ev = self.demographics(row)
        interventions = self.interventions(row.get("treatment")) if row.get("treatment") else []
        return Patient(
            index=index,
            label=f"{self.table.label} row {row.index}"
            + (f" of reference {cited.text}" if row.get("reference") else ""),
            sex=sex,  # type: ignore[arg-type]
            age=age,
            evidence=demographic_ev or [_ev(cited)],
            lesions=lesions,
            specimens=self.stains(row.get("ihc")) if row.get("ihc") else [],  # type: ignore[arg-type]
            interventions=interventions,
            outcome=self.outcome(row.get("outcome")) if row.get("outcome") else None,
        )

    def secondary_lesions(self, row: _Row, primary_site: str | None, has_primary: bool) -> list[Lesion]:
        out: list[Lesion] = []
        ids: set[str] = set()
        link = "primary" if has_primary else None

        def add(kind: str, site: str, side: str | None, evidence: Evidence) -> None:
            base = f"{site}-{'recurrence' if kind == 'recurrence' else 'metastasis'}"
            lesion_id, n = base, 2
            while lesion_id in ids:
                lesion_id, n = f"{base}-{n}", n + 1
            ids.add(lesion_id)
            out.append(Lesion(id=lesion_id, kind=kind, site=site, laterality=side, primary=link, evidence=[evidence]))  # type: ignore[arg-type]

        if row.get("site"):
            for site, side, evidence in self.index_sites(row.get("site")):  # type: ignore[arg-type]
                add("metastasis", site, side, evidence)
        other = row.get("other-sites")
        if other and not _NONE.match(other.text.strip()):
            for site, side, evidence in self.sites(other):
                if site != primary_site and all(lesion.site != site for lesion in out):
                    add("metastasis", site, side, evidence)
        recurrence = row.get("recurrence")
        if recurrence and _YES.match(recurrence.text.strip()) and primary_site:
            add("recurrence", primary_site, None, _ev(recurrence))
        return out

    def demographics(self, row: _Row) -> tuple[str | None, int | None, list[Evidence]]:
        sex, age, evidence = None, None, []
        for role in ("age-sex", "age"):
            cell = row.get(role)
            m = re.search(r"\b(\d{1,3})\b", cell.text) if cell else None
            if cell and m and int(m.group(1)) <= 120:
                age = int(m.group(1))
                evidence.append(_ev(cell))
                break
        for role in ("sex", "age-sex"):
            cell = row.get(role)
            if cell:
                sex = _sex(re.sub(r"\d", " ", cell.text))
                if sex:
                    evidence.append(_ev(cell))
                    break
        if sex is None:
            for cell in row.cells.values():
                pronoun = re.search(r"\b(?:she|her|he|his|him)\b", cell.text, re.IGNORECASE)
                if pronoun:
                    sex = "female" if pronoun.group(0).lower() in ("she", "her") else "male"
                    break
        return sex, age, evidence

    # ------------------------------------------------------------ publications

    def citation(self, row: _Row) -> Reference | None:
        ref = row.get("reference")
        if ref is not None:
            for label in re.findall(r"\d{1,3}", ref.text):
                if label in self.by_label:
                    return self.by_label[label]
        author = row.get("author")
        if author is not None:
            surname = re.match(r"\s*([^\W\d_][\w'’\-]+)", author.text)
            year = _YEAR.search(author.text) or (_YEAR.search(row.get("year").text) if row.get("year") else None)  # type: ignore[union-attr]
            name = surname.group(1).lower() if surname else None
            for reference in self.document.references:
                named = name is not None and f" {name} " in f" {reference.text.lower()[:60]}"
                if named and (year is None or year.group(0) in reference.text):
                    return reference
        return None

    def publication(self, row: _Row) -> _Cited:
        reference = self.citation(row)
        year_cell = row.get("year")
        if reference is not None and reference.doi:
            return _Cited(_publication_of(reference), reference.doi)
        name = (row.get("author") or row.get("reference") or year_cell or next(iter(row.cells.values()))).text
        year = _YEAR.search(name) or (_YEAR.search(year_cell.text) if year_cell else None)
        placeholder = f"10.0000/unknown.{slug(name, 40)}-{row.index}"
        note = (
            f"{self.table.label} row {row.index} cites {name!r}, which has no DOI in the reference list; "
            "the report DOI is a placeholder to replace before curation."
        )
        return _Cited(Publication(doi=placeholder, year=int(year.group(0)) if year else None), placeholder, note)


def _side_anywhere(text: str) -> str | None:
    m = re.search(r"\b(left|right|bilateral)\b", text, re.IGNORECASE)
    return m.group(1).lower() if m else None


def _sex(text: str) -> str | None:
    if _FEMALE.search(text):
        return "female"
    if _MALE.search(text):
        return "male"
    return None


def _publication_of(reference: Reference) -> Publication:
    body = re.sub(r"^\s*\[?\d{1,3}[.\])]\s*", "", reference.text)
    m = re.match(r"^(?P<authors>.+?\b(?:[A-Z]{1,4}|et al))\.\s+(?P<title>.+?[^A-Z\s])\.\s", body)
    authors = [a.strip() for a in m.group("authors").split(",") if a.strip() and a.strip() != "et al"] if m else []
    year = re.search(r"\((\d{4})\)|\b((?:19|20)\d{2})\b", body)
    title = m.group("title").strip(" .*") if m else None
    return Publication(
        doi=reference.doi,  # type: ignore[arg-type]
        title=title or None,
        year=int(year.group(1) or year.group(2)) if year else None,
        authors=[a for a in authors if len(a) < 60][:20],
    )


def _record_id(cited: _Cited, source_id: str) -> str:
    surname = cited.publication.authors[0].split()[0] if cited.publication.authors else "case"
    surname = unicodedata.normalize("NFKD", surname).encode("ascii", "ignore").decode() or "case"
    year = cited.publication.year or "n-d"
    return slug(f"{surname} {year} from {source_id}", 60)


def literature_records(
    document: Document, source_file: str, source_id: str, source_doi: str | None, ontology_dir: Path
) -> list[CaseRecord]:
    """One draft record per publication cited in the document's literature-review tables.

    ``source_file`` is the saved normalised text the quotes point into, ``source_id`` the id of
    the report's own draft and ``source_doi`` its DOI (``None`` when unknown).
    """
    records: list[CaseRecord] = []
    used: set[str] = set()
    for table in document.tables:
        if not is_literature_table(table):
            continue
        reader = _TableReader(document, table, ontology_dir)
        cited: dict[str, _Cited] = {}
        last: _Cited | None = None
        for row in _rows(table):
            continues = last is not None and not any(row.get(r) for r in ("reference", "author", "year"))
            current = last if continues else reader.publication(row)
            assert current is not None
            current = cited.setdefault(current.key, current)
            current.patients.append(reader.patient(row, len(current.patients) + 1))
            last = current
        locator = table.label[:1].upper() + table.label[1:].lower()
        source_key = re.sub(r"\W", "", locator.lower()) or "table"
        for item in cited.values():
            if source_doi and item.publication.doi == source_doi.lower():
                continue  # a table row citing the report itself is its index patient
            record_id = _record_id(item, source_id)
            while record_id in used:
                record_id = f"{record_id}-x"
            used.add(record_id)
            records.append(
                CaseRecord(
                    id=record_id,
                    status="machine-extracted",
                    report=item.publication,
                    sources={source_key: Source(file=source_file, doi=source_doi, locator=locator)},
                    patients=item.patients,
                    note=item.note,
                )
            )
    return records
