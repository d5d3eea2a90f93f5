"""One case report read for extraction: cleaned text, sections, sentences, terms, dates, evidence.

:func:`read_report` runs the stages that do not depend on what is being extracted: find the
regions of the original text, clean the narrative (captions, tables and references cut out),
run the spaCy pipeline, and turn its output into plain :class:`Sentence` records with their
term :class:`Mention` objects (negated? hypothetical?) and dates on a timeline. The fact
extractors (:mod:`~metkg.extract.patient`, :mod:`~metkg.extract.specimens`,
:mod:`~metkg.extract.treatments`) read these records, never spaCy objects.

Every clean-text span becomes :class:`~metkg.records.models.Evidence` through
:meth:`Report.evidence`, which quotes the original file at the original offsets.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from metkg.extract.context import about_other_patients, refers_to_patient
from metkg.extract.dates import DateMention, find_dates, is_metadata_date, publication_date, resolve
from metkg.extract.pipeline import SPAN_KEY, annotate, get_pipeline, term_matcher
from metkg.extract.sections import NARRATIVE, Region, segment, title_span
from metkg.extract.terms import TermMatcher
from metkg.extract.text import CleanText, clean_text
from metkg.records.dates import PartialDate
from metkg.records.models import Evidence
from metkg.terminology import Terminology, load_terminology
from metkg.vocab import METKG

__all__ = ["Caption", "Mention", "Report", "Sentence", "Vocabulary", "read_report"]


@dataclass(frozen=True)
class Mention:
    """A term or cue in the clean text, with its context flags."""

    start: int
    end: int
    category: str
    key: str
    text: str
    negated: bool = False
    hypothetical: bool = False

    @property
    def asserted(self) -> bool:
        return not self.negated and not self.hypothetical


@dataclass
class Sentence:
    """A sentence of the narrative with what the extractors need to know about it."""

    index: int
    start: int
    end: int
    text: str
    section: str
    mentions: list[Mention]
    dates: list[DateMention] = field(default_factory=list)
    date: PartialDate | None = None
    anchor: PartialDate | None = None
    other_patients: bool = False
    self_reference: bool = False

    def of(self, category: str) -> list[Mention]:
        return [m for m in self.mentions if m.category == category]

    def local(self, start: int, end: int) -> str:
        """The text between two absolute clean offsets inside this sentence."""
        return self.text[max(start, self.start) - self.start : min(end, self.end) - self.start]

    def date_before(self, position: int, stop_at: list[int] | None = None) -> PartialDate | None:
        """The last date of the sentence stated before ``position`` (not crossing ``stop_at``)."""
        barrier = max([p for p in (stop_at or []) if p < position], default=-1)
        candidates = [d for d in self.dates if barrier < d.start < position and d.date is not None]
        return candidates[-1].date if candidates else None


@dataclass
class Caption:
    """A figure caption, cleaned on its own, with its terms."""

    clean: CleanText
    mentions: list[Mention]


class Vocabulary:
    """Questions about ontology keys the extractors ask: is this procedure a biopsy? a drug's class?"""

    def __init__(self, terminology: Terminology, matcher: TermMatcher):
        self.terms = terminology
        self.matcher = matcher
        self._has_children: set[str] = set()
        self._implied: dict[tuple[str, str], list[str]] = {}
        for term in terminology.all_terms():
            self._has_children.update(term.parents)

    def is_a(self, category: str, key: str | None, class_name: str) -> bool:
        term = self.terms.get(category, key) if key else None
        return term is not None and self.terms.is_a(term.iri, METKG[class_name])

    def related(self, category: str, a: str | None, b: str | None) -> bool:
        """Equal keys, or one term below the other."""
        return self.terms.related(category, a, b)

    def below(self, category: str, key: str, ancestor: str) -> bool:
        """Whether ``key`` is strictly below ``ancestor``."""
        ta, tb = self.terms.get(category, key), self.terms.get(category, ancestor)
        return ta is not None and tb is not None and key != ancestor and self.terms.is_a(ta.iri, tb.iri)

    def is_class(self, category: str, key: str) -> bool:
        """Whether a term has narrower terms (a drug class rather than a drug)."""
        term = self.terms.get(category, key)
        return term is not None and term.iri in self._has_children

    def implied_sites(self, category: str, key: str) -> list[str]:
        """The sites a term implies: its typical sites (``liver`` for hepatoblastoma), else those named
        inside its own names (``lung`` for lung adenocarcinoma); worked out once per term."""
        if (category, key) not in self._implied:
            term = self.terms.get(category, key)
            typical = (
                [self.terms.by_iri[iri].key for iri in term.typical_sites if iri in self.terms.by_iri] if term else []
            )
            counts: dict[str, int] = {}
            for name in (term.label, *term.synonyms) if term else ():
                for site in self.matcher.find(name, ["site"]):
                    counts[site.key] = counts.get(site.key, 0) + 1
            self._implied[category, key] = typical or sorted(counts, key=lambda k: -counts[k])
        return self._implied[category, key]

    def site_for(self, word: str) -> str | None:
        """The site a plain word names (``breast`` -> ``breast``), if any."""
        found = self.matcher.find(word, ["site"])
        return found[0].key if found else None

    def label(self, category: str, key: str) -> str:
        term = self.terms.get(category, key)
        return term.label if term else key


@dataclass
class Report:
    """A case report read for extraction."""

    original: str
    source_file: str
    clean: CleanText
    regions: list[Region]
    sentences: list[Sentence]
    captions: list[Caption]
    title: str
    title_mentions: list[Mention]
    vocabulary: Vocabulary

    @property
    def has_case_section(self) -> bool:
        return any(s.section == "case" for s in self.sentences)

    def is_title(self, s: Sentence) -> bool:
        """Whether a sentence is the report's title (or begins with it, where no full stop ends the title).

        A first line that ends with a full stop is a sentence of the text, not a title.
        """
        if not self.title or self.title.rstrip().endswith((".", "?", "!")):
            return False
        text = re.sub(r"\s+", " ", re.sub(r"[*_]", "", s.text)).strip()
        return bool(text) and (text in self.title or text.startswith(self.title))

    def case_sentences(self) -> Iterator[Sentence]:
        """Sentences that state facts about this patient.

        The case section when there is one. Otherwise the abstract: its case-presentation part
        when it is labelled, else every sentence from the one that introduces the patient ("We
        report...", "A 62-year-old man...") on, except concluding remarks.
        """
        if self.has_case_section:
            yield from (s for s in self.sentences if s.section == "case" and not s.other_patients)
            return
        if any(s.section == "abstract-case" for s in self.sentences):
            yield from (s for s in self.sentences if s.section == "abstract-case" and not s.other_patients)
            return
        # the title states nothing about the patient on its own
        candidates = [s for s in self.sentences if s.section in ("abstract", "body") and not self.is_title(s)]
        start = next((i for i, s in enumerate(candidates) if _INTRODUCES.search(s.text)), 0)
        for s in candidates[start:]:
            if not s.other_patients and not _CONCLUDES.search(s.text):
                yield s

    def summary_sentences(self) -> Iterator[Sentence]:
        """Sentences of the abstract's case summary (when a case section exists as well): its
        case part when labelled, else the sentences from the one that introduces the patient on,
        but concluding remarks, and any that speak of this patient."""
        if not self.has_case_section:
            return
        labelled = any(s.section == "abstract-case" for s in self.sentences)
        abstract = [s for s in self.sentences if s.section == "abstract" and not self.is_title(s)]
        narrative = set() if labelled else {s.index for s in _narrative(abstract)}
        for s in self.sentences:
            summary = s.section == "abstract-case" or (s.section == "abstract" and s.self_reference)
            general = _DEFINITION.search(s.text) is not None and not s.self_reference
            if (summary or s.index in narrative) and not s.other_patients and not self.is_title(s) and not general:
                yield s

    def patient_sentences(self) -> Iterator[Sentence]:
        """Case sentences first, then summary sentences."""
        yield from self.case_sentences()
        yield from self.summary_sentences()

    def self_referential_sentences(self) -> Iterator[Sentence]:
        """Discussion or conclusion sentences that speak of this patient ("In this case, ...")."""
        for s in self.sentences:
            if s.section in ("discussion", "conclusion", "introduction") and s.self_reference and not s.other_patients:
                yield s

    def evidence(self, start: int, end: int, clean: CleanText | None = None) -> list[Evidence]:
        """Quotes of the original for a clean span, split where the span jumps over cut text."""
        ct = clean or self.clean
        while start < end and ct.text[start].isspace():
            start += 1
        while end > start and ct.text[end - 1] in " \n\t,;":
            end -= 1
        if end <= start:
            return []
        pieces: list[tuple[int, int]] = []
        piece_start = start
        for i in range(start, end - 1):
            if ct.starts[i + 1] - ct.ends[i] > 3:
                pieces.append((piece_start, i + 1))
                piece_start = i + 1
        pieces.append((piece_start, end))
        out = []
        for s, e in pieces:
            quote, ostart, oend = ct.quote(s, e)
            if quote.strip():
                out.append(Evidence(quote=quote, start=ostart, end=oend))
        return out


_PARAGRAPH = re.compile(r"\n\s*\n")
_INTRODUCES = re.compile(
    r"\b(?:we\s+(?:report|present|describe|discuss)|(?:a|an)\s+\d{1,3}[\s-]*(?:years?|yrs?)[\s-]*old|"
    r"this\s+(?:report|paper|article)\s+(?:describes|presents)|(?:the\s+)?case\s+of\s+an?\b)",
    re.IGNORECASE,
)


def _narrative(abstract: list[Sentence]) -> list[Sentence]:
    """An unlabelled abstract's account of the case: from the sentence that introduces the patient
    to the first concluding one, less general claims ("lung cancer usually spreads to ...")."""
    told = next((i for i, s in enumerate(abstract) if _INTRODUCES.search(s.text)), len(abstract))
    out: list[Sentence] = []
    for s in abstract[told:]:
        if _CONCLUDES.search(s.text) or _IN_CONCLUSION.search(s.text):
            break
        if not _GENERAL_CLAIM.search(s.text):
            out.append(s)
    return out


#: What a kind of tumour is, opening an abstract: "Teratomas are germ cell tumors that arise from ...".
_DEFINITION = re.compile(
    r"^\s*(?:[A-Z][\w-]*\s+){0,3}[\w-]*s\s+are\s+(?:an?\s+)?(?:[\w-]+\s+){0,4}?"
    r"(?:tumou?rs|neoplasms|cancers|carcinomas|sarcomas|lesions|diseases|malignancies|entities)\b"
)
_IN_CONCLUSION = re.compile(r"^\s*(?:in\s+conclusion|in\s+summary|to\s+conclude|we\s+conclude|conclusions?\s*:)", re.I)
_GENERAL_CLAIM = re.compile(
    r"\b(?:usually|commonly|most\s+common(?:ly)?|frequently|often|typically|generally|rarely|is\s+rare|are\s+rare|"
    r"uncommon|in\s+general)\b",
    re.IGNORECASE,
)
_CONCLUDES = re.compile(
    r"\bth(?:is|e\s+present)\s+(?:case|report)\s+(?:highlights|illustrates|suggests|shows|emphasi[sz]es|underscores|"
    r"demonstrates|indicates|reminds|adds)|\bclinicians\s+should|\bshould\s+be\s+(?:considered|included|aware)|"
    r"\bto\s+our\s+knowledge\b",
    re.IGNORECASE,
)
_AT_THAT_TIME = re.compile(
    r"^\s*(?:at\s+(?:that|the\s+same)\s+time|simultaneously|concurrently|meanwhile|during\s+(?:that|this|the\s+same)\s+"
    r"(?:admission|hospitali[sz]ation|operation|surgery|procedure))\b",
    re.IGNORECASE,
)
_ADMISSION = re.compile(r"\b(?:upon|on|at|after)\s+(?:(?:the\s+patient'?s|her|his|this)\s+)?admission\b", re.IGNORECASE)
_PRESENTS = re.compile(r"\b(?:presented|was\s+admitted|admitted|was\s+referred|visited|came)\b", re.IGNORECASE)


def _mentions(doc) -> list[Mention]:  # type: ignore[no-untyped-def]
    out = []
    for span, term in zip(doc.spans[SPAN_KEY], doc._.term_mentions, strict=True):
        out.append(
            Mention(
                term.start, term.end, term.category, term.key, term.text, bool(span._.negex), bool(span._.hypothetical)
            )
        )
    out += [Mention(m.start, m.end, m.category, m.key, m.text) for m in doc._.marker_mentions]
    return sorted(out, key=lambda m: (m.start, -m.end))


#: How the sentence after a title opens ("A 58-year-old man ...", "We report ..."); a title's
#: second line ("Presenting As A Primary Thyroid Carcinoma") does not, and stays with the title.
_OPENS_A_SENTENCE = re.compile(
    r"(?:A|An|The|We|This|These|Our|In|On|At|Here|Herein|After|During|Since|Although|Background)\s+[a-z0-9]"
)


#: "... was reported by Lee et al. Here, we report ...": the abbreviation's full stop ends the sentence
#: where this report's case begins (not "Lee et al. reported", "et al. (2019)", "et al. He presented").
_ET_AL_ENDS = re.compile(
    # only where this report's own case begins, not "He presented ..." of the case cited
    r"\bet\s+al\.(?:\s*\[[\d,\s–-]+\])?(?P<gap>\s+)(?=(?:Here(?:in)?|We|Our)\b|In\s+(?:this|the\s+present)\b|"
    r"This\s+(?:case|report|patient)\b|An?\s+\d{1,3}[-\s](?:year|yr|month))"
)


def _sentence_bounds(doc, title_end: int | None = None) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """spaCy sentences, split further at paragraph breaks, after "et al." where a new sentence
    begins, and at the end of the title (a title without a full stop runs into the sentence after it
    once its line break is joined)."""
    bounds: list[tuple[int, int]] = []
    text = doc.text
    for sent in doc.sents:
        start = sent.start_char
        breaks = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text, sent.start_char, sent.end_char)]
        breaks += [(m.start("gap"), m.end("gap")) for m in _ET_AL_ENDS.finditer(text, sent.start_char, sent.end_char)]
        breaks.sort()
        rest = text[title_end : sent.end_char].lstrip() if title_end is not None else ""
        if title_end is not None and sent.start_char < title_end < sent.end_char and _OPENS_A_SENTENCE.match(rest):
            breaks = sorted([*breaks, (title_end, sent.end_char - len(rest))])
        for stop, resume in breaks:
            if stop > start:
                bounds.append((start, stop))
            start = max(start, resume)
        if sent.end_char > start:
            bounds.append((start, sent.end_char))
    return [(s, e) for s, e in bounds if text[s:e].strip()]


def _section_of(position: int, sections: list[tuple[int, int, str]]) -> str:
    for start, end, label in sections:
        if start <= position < end:
            return label
    return "body"


def _later_than(date: PartialDate, bound: PartialDate | None) -> bool:
    """Whether ``date`` is surely after ``bound``, compared at the precision of ``bound``."""
    if bound is None:
        return False
    if bound.month is None:
        return date.year > bound.year
    if bound.day is None:
        return (date.year, date.month or 0) > (bound.year, bound.month)
    return (date.year, date.month or 0, date.day or 0) > (bound.year, bound.month, bound.day)


def _in_apposition(text: str, offset: DateMention, stated_end: int | None) -> bool:
    """Whether a relative time glosses the date stated right before it: "In 2021, 67 months after
    esophagectomy, ..." dates the sentence to 2021 and counts the months from the surgery."""
    return stated_end is not None and not text[stated_end : offset.start].strip(" ,")


def _timeline(sentences: list[Sentence], sections: frozenset[str], published: PartialDate | None = None) -> None:
    """Give each sentence of ``sections`` its dates: absolute ones, and relative ones resolved in order.

    A day without a year takes the latest year stated so far; "upon admission" returns to the
    date the patient presented. A date of page metadata ("Published: 3 May 2021") or of a sentence
    about other patients is no anchor, and a derived date (relative, or a year supplied from
    context) never falls after ``published``, nor after today.
    """
    anchor: PartialDate | None = None
    presentation: PartialDate | None = None
    latest_year: int | None = None
    today = datetime.date.today()
    bound = published or PartialDate(today.year, today.month, today.day)  # nothing derived lies ahead
    for s in sentences:
        if s.section not in sections:
            continue
        if _ADMISSION.search(s.text) and presentation is not None:
            anchor = presentation
        s.anchor = anchor
        if s.other_patients:  # "first published in 1952 by ...": the literature's dates are no anchor
            continue
        resolved: list[DateMention] = []
        stated_end: int | None = None  # where the sentence's last absolute date ends
        for d in find_dates(s.text, default_year=latest_year):
            if is_metadata_date(s.text, d.start):
                continue
            date = d.date
            glosses = _in_apposition(s.text, d, stated_end)
            if date is None and d.offset is not None and anchor is not None and not glosses:
                date = resolve(d.offset, anchor)
            if d.date is not None:
                stated_end = d.end
            derived = d.date is None or d.year_inferred
            if date is not None and derived and _later_than(date, bound):
                date = None
            shifted = DateMention(d.start + s.start, d.end + s.start, d.text, date, d.offset, d.year_inferred)
            resolved.append(shifted)
            if date is not None:
                anchor = date
                if d.date is not None and not d.year_inferred:
                    latest_year = max(latest_year or date.year, date.year)
                if presentation is None and _PRESENTS.search(s.text):
                    presentation = date
        s.dates = resolved
        stated = [d.date for d in resolved if d.date is not None]
        if stated:
            s.date = stated[0]
        elif (_AT_THAT_TIME.search(s.text) or _ADMISSION.search(s.text)) and s.anchor is not None:
            s.date = s.anchor


def _captions(original: str, regions: list[Region], matcher: TermMatcher) -> list[Caption]:
    captions = []
    for region in regions:
        if region.label != "caption":
            continue
        drop = [(0, region.start), (region.end, len(original))]
        ct = clean_text(original, drop=[(s, e) for s, e in drop if e > s])
        mentions = [Mention(m.start, m.end, m.category, m.key, m.text) for m in matcher.find(ct.text)]
        captions.append(Caption(ct, mentions))
    return captions


def read_report(text: str, source_file: str, ontology_dir: Path) -> Report:
    """Segment, clean and annotate one report's text (the original file's full text)."""
    regions = segment(text)
    drop = [(r.start, r.end) for r in regions if r.label not in NARRATIVE]
    gaps = _uncovered(text, regions)
    ct = clean_text(text, drop=drop + gaps)
    span = title_span(text, regions)
    title = re.sub(r"\s+", " ", re.sub(r"[*_]", "", text[span[0] : span[1]])).strip() if span else ""
    doc = annotate(get_pipeline(ontology_dir), ct.text, title)
    mentions = _mentions(doc)
    sections = [(ct.clean_offset(r.start), ct.clean_offset(r.end), r.label) for r in regions if r.label in NARRATIVE]
    sentences: list[Sentence] = []
    for i, (start, end) in enumerate(_sentence_bounds(doc, ct.clean_offset(span[1]) if span else None)):
        sent_text = ct.text[start:end]
        inside = [m for m in mentions if start <= m.start < end]
        sentences.append(
            Sentence(
                i,
                start,
                end,
                sent_text,
                _section_of(start, sections),
                inside,
                other_patients=about_other_patients(sent_text),
                self_reference=refers_to_patient(sent_text),
            )
        )
    published = publication_date(text)
    _timeline(sentences, frozenset({"case"}), published)
    _timeline(sentences, frozenset({"body", "abstract", "abstract-case"}), published)
    matcher = term_matcher(str(Path(ontology_dir).resolve()))
    vocabulary = Vocabulary(load_terminology(Path(ontology_dir)), matcher)
    title_mentions = [Mention(m.start, m.end, m.category, m.key, m.text) for m in matcher.find(title)]
    return Report(
        text, source_file, ct, regions, sentences, _captions(text, regions, matcher), title, title_mentions, vocabulary
    )


def _uncovered(text: str, regions: list[Region]) -> list[tuple[int, int]]:
    """Spans of the original between regions that are not blank (nothing to read there)."""
    gaps = []
    pos = 0
    for r in regions:
        if r.start > pos and text[pos : r.start].strip():
            gaps.append((pos, r.start))
        pos = max(pos, r.end)
    return gaps
