"""The spaCy pipeline: thin components around the pure functions of this package.

A blank English pipeline with scispacy's rule tokenizer, a sentencizer and scispacy's
abbreviation detector, then:

- ``metkg_terms``: ontology terms (:class:`~metkg.extract.terms.TermMatcher`) and lesion cue
  words (:func:`~metkg.extract.context.find_cues`) into ``doc.spans["terms"]`` (biomarkers,
  whose results carry their own polarity, into ``doc._.marker_mentions``); an
  abbreviation defined in the text ("bone marrow metastasis (BMM)") carries the terms and
  cues of its long form wherever it is used;
- ``negex`` (negspacy) marks negated spans (``span._.negex``);
- ``metkg_context`` marks spans in hypothetical clauses (``span._.hypothetical``).

:func:`get_pipeline` builds it once per process and ontology directory.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, SpanGroup

from metkg.extract.biomarkers import (
    MarkerMention,
    antibody_sources,
    implied_marker_mentions,
    tested_in_the_tumour,
    unlisted_marker_mentions,
)
from metkg.extract.context import NEGATION_TERMSET, find_cues, hypothetical_spans
from metkg.extract.drugs import DrugSpeller, find_regimens, find_unlisted_drugs
from metkg.extract.shortforms import title_short_forms, undefined_short_forms
from metkg.extract.terms import TermMatcher, TermMention, word_stems
from metkg.terminology import load_terminology

__all__ = ["SPAN_KEY", "annotate", "get_pipeline", "term_matcher"]

#: The span group the components write to.
SPAN_KEY = "terms"

if not Doc.has_extension("term_mentions"):
    Doc.set_extension("term_mentions", default=None)
if not Doc.has_extension("marker_mentions"):
    Doc.set_extension("marker_mentions", default=None)
if not Doc.has_extension("report_title"):
    Doc.set_extension("report_title", default="")
if not Span.has_extension("hypothetical"):
    Span.set_extension("hypothetical", default=False)


@lru_cache(maxsize=4)
def term_matcher(ontology_dir: str) -> TermMatcher:
    """The term matcher of the ontology in ``ontology_dir``, compiled once per process."""
    return TermMatcher.from_terminology(load_terminology(Path(ontology_dir)))


@lru_cache(maxsize=4)
def drug_speller(ontology_dir: str) -> DrugSpeller:
    """The misspelt-drug finder of the ontology in ``ontology_dir``, built once per process."""
    return DrugSpeller.from_terminology(load_terminology(Path(ontology_dir)))


#: What an abbreviation looks like: "BMM", "HER-2", "CK5/6", "ctDNA", with a capital or a digit; not
#: a result in parentheses such as "EMA (focal+)" or "(3+)", nor a word left in empty parentheses
#: ("INI1 expression ( and )"), which the abbreviation detector may take for one.
_ABBREVIATION = re.compile(r"(?=[^\s]*[A-ZΑ-Ω0-9])(?:[A-Za-zα-ωΑ-Ω][\w\-/.]*\w|[A-Z])")


def _abbreviation_mentions(doc: Doc, matcher: TermMatcher, found: list[TermMention]) -> list[TermMention]:
    """Terms and cues of an abbreviation's long form, placed on each use of the short form."""
    taken = {(m.start, m.end, m.category) for m in found}
    extra: list[TermMention] = []
    for short in getattr(doc._, "abbreviations", []) or []:
        long_form = short._.long_form
        if long_form is None or short.start_char == long_form.start_char or not _ABBREVIATION.fullmatch(short.text):
            continue
        text = long_form.text
        span = (short.start_char, short.end_char)
        for term in _without_reagent_names(text, matcher.find(text)):  # MDA5: no melanoma
            if (*span, term.category) not in taken:
                extra.append(TermMention(*span, term.category, term.key, short.text))
                taken.add((*span, term.category))
        for cue in find_cues(text):
            category = f"cue-{cue.kind}"
            if (*span, category) not in taken:
                extra.append(TermMention(*span, category, cue.kind, short.text))
                taken.add((*span, category))
    return extra


def _without_redefined_short_forms(doc: Doc, matcher: TermMatcher, found: list[TermMention]) -> list[TermMention]:
    """The mentions without those of a short form the text defines as something else: "epidural
    spinal cord compression scale (ESCC)" is no oesophageal squamous cell carcinoma, though the
    vocabulary knows ESCC as one, nor "Rathke's cleft cyst (RCC)" a renal cell carcinoma. A long
    form sharing a word with the term's names keeps it ("glioblastoma (GBM)"), and markers keep
    theirs ("caudal type homeobox 2 (CDX2)": the vocabulary names markers by their short forms)."""
    long_forms: dict[str, list[str]] = {}
    for short in getattr(doc._, "abbreviations", []) or []:
        if short._.long_form is not None:
            long_forms.setdefault(short.text, []).append(short._.long_form.text)
    return [m for m in found if not _redefined(matcher, m, long_forms.get(m.text, []))]


def _redefined(matcher: TermMatcher, mention: TermMention, long_forms: list[str]) -> bool:
    if mention.category in ("marker", "gene"):
        return False  # the vocabulary lists markers by their short names, which a long form may not share
    stems = word_stems(*matcher.names(mention.category, mention.key))
    return bool(long_forms) and all(not (word_stems(long) & stems) for long in long_forms)


def _defined_short_forms(doc: Doc, matcher: TermMatcher) -> frozenset[str]:
    """Short forms the text defines by a long form that names a term ("HEHE" defined as just
    "hemangioendothelioma", a word the vocabulary lacks, is still open to its initials)."""
    return frozenset(
        short.text
        for short in getattr(doc._, "abbreviations", []) or []
        if short._.long_form is None or matcher.find(short._.long_form.text)
    )


#: "hilar and mediastinal lymph nodes", "axillary, supraclavicular or cervical nodes", "inguinal
#: and external iliac lymph nodes": modifiers that share the nodes named after them.
_SHARED_NODES = re.compile(
    r"(?<![A-Za-z-])(?P<mods>(?:[A-Za-z-]{4,}+\s*+,\s*+){0,4}[A-Za-z-]{4,}+,?\s++(?:and|or)\s++)"
    r"(?:[A-Za-z-]++\s++){1,2}?(?:lymph\s++)?nodes?\b",
    re.IGNORECASE,
)
_MODIFIER = re.compile(r"[A-Za-z-]{4,}")


def _shared_node_mentions(text: str, matcher: TermMatcher, found: list[TermMention]) -> list[TermMention]:
    """Each nodal station of a coordinated list: "supraclavicular" in "left supraclavicular and
    mediastinal lymph nodes" is the supraclavicular lymph node, though the nodes are named once;
    "axillary" there is the axillary nodes, not the axilla."""
    sites = {(m.start, m.end) for m in found if m.category == "site"}
    extra: list[TermMention] = []
    for shared in _SHARED_NODES.finditer(text):
        for word in _MODIFIER.finditer(shared.group("mods")):
            start, end = shared.start("mods") + word.start(), shared.start("mods") + word.end()
            name = f"{word.group(0)} lymph node"
            station = [m for m in matcher.find(name, ["site"]) if m.start == 0 and m.end == len(name)]
            inside_other = any(m.start <= start < m.end and (m.start, m.end) not in sites for m in found)
            if station and not inside_other:
                extra.append(TermMention(start, end, "site", station[0].key, word.group(0)))
    return extra


def _unlisted_drug_mentions(
    text: str, matcher: TermMatcher, speller: DrugSpeller, found: list[TermMention]
) -> list[TermMention]:
    """Misspelt drugs (``drug-misspelt``, the drug's key, the text as written), drugs the ontology
    does not list (``drug-unlisted``, class key by INN stem) and regimen acronyms (their drugs)."""
    drugs = [m for m in found if m.category == "drug"]
    extra: list[TermMention] = []
    for start, end, name, key in speller.find(text):
        if not any(d.start < end and start < d.end for d in drugs):
            extra.append(TermMention(start, end, "drug-misspelt", key, name))
    taken = drugs + extra
    for start, end, name, key in find_unlisted_drugs(text):
        if matcher.has_key("drug", key) and not any(d.start < end and start < d.end for d in taken):
            extra.append(TermMention(start, end, "drug-unlisted", key, name))
    for start, end, acronym, keys in find_regimens(text):
        extra += [TermMention(start, end, "drug", k, acronym) for k in keys if matcher.has_key("drug", k)]
    return extra


def _with_long_forms(doc: Doc, markers: list[TermMention]) -> list[TermMention]:
    """A marker written as "cluster of differentiation 10 (CD10)" spans its long form too, so
    that a value before the long form reaches it."""
    long_forms: dict[int, Span] = {}  # a short form's start: its long form before it (the first one)
    for short in getattr(doc._, "abbreviations", []) or []:
        long_form = short._.long_form
        if long_form is not None and long_form.start_char < short.start_char:
            long_forms.setdefault(short.start_char, long_form)
    out = []
    for m in markers:
        extended = m
        long_form = long_forms.get(m.start)
        if long_form is not None:
            between = doc.text[long_form.end_char : m.start]
            close = re.match(r"\s*\)", doc.text[m.end :])
            inner = [o for o in markers if long_form.start_char <= o.start < long_form.end_char]
            if re.fullmatch(r"\s*\(\s*", between) and close and not inner:
                extended = TermMention(long_form.start_char, m.end + close.end(), m.category, m.key, m.text)
        out.append(extended)
    return out


#: Family names whose members are numbered or lettered: "cytokeratin 8", "chromogranin B".
_MARKER_FAMILIES = frozenset({"cytokeratin", "cytokeratins", "keratin", "ck", "chromogranin"})
_MEMBER = re.compile(
    r"(?P<abbreviation>\s*\(\s*[A-Za-z]{1,6}\s*\))?[\s-](?P<member>\d{1,2}(?:/\d{1,2})?|[A-C])\b(?!\s*[+%])"
)


def _numbered_member(text: str, matcher: TermMatcher, marker: TermMention) -> TermMention:
    """A family name followed by a member is that member: "cytokeratin (CK) 7" is cytokeratin 7; one
    the vocabulary lacks is kept as written for the curator: "cytokeratin 8" is no pan-cytokeratin,
    "chromogranin B" no chromogranin A."""
    member = _MEMBER.match(text, marker.end) if marker.text.lower() in _MARKER_FAMILIES else None
    if member is None:
        return marker
    written = text[marker.start : member.end()]
    name = f"{marker.text} {member.group('member')}"
    known = [m.key for m in matcher.find(name, ["marker"]) if m.start == 0 and m.end == len(name)]
    if member.group("abbreviation") and not known:
        return marker  # "cytokeratin (CK) 8": left to the abbreviation's own reading
    return TermMention(marker.start, member.end(), "marker", known[0] if known else written, written)


def _outermost(markers: list[TermMention]) -> list[TermMention]:
    """The mentions not inside another: the "CK" of "cytokeratin (CK) 7"."""
    return [m for m in markers if not any(o.start <= m.start and m.end <= o.end and o != m for o in markers)]


def _marker_mentions(doc: Doc, matcher: TermMatcher, markers: list[TermMention]) -> list[TermMention]:
    """The vocabulary's markers, the markers a phrase implies, misspelt markers and marker-shaped
    names the vocabulary lacks (kept under the name as written, for the curator)."""
    text = doc.text
    markers = _outermost([_numbered_member(text, matcher, m) for m in _with_long_forms(doc, markers)])
    listed = [MarkerMention(m.start, m.end, m.key) for m in markers]
    known = listed + [
        m for m in implied_marker_mentions(text) if not any(k.start < m.end and m.start < k.end for k in listed)
    ]
    known += unlisted_marker_mentions(text, known, lambda name: matcher.closest("marker", name))
    out = markers + [TermMention(m.start, m.end, "marker", m.key, text[m.start : m.end]) for m in known[len(markers) :]]
    sources = antibody_sources(text)  # "CD20 (DAKO)" is no abbreviation, nor "Glostrup" a marker
    out = [m for m in out if not any(start < m.start and m.end < end for start, end in sources)]
    return sorted(out, key=lambda m: (m.start, -m.end))


#: A drug name used for a laboratory test, not a treatment ("interferon-gamma release assay").
_NOT_A_TREATMENT = re.compile(r"[\s-]*(?:gamma|γ)\b", re.IGNORECASE)


#: The rest of a longer acronym an abbreviation is the start of: the "RT" of "RT-PCR" is no radiotherapy.
_ACRONYM_GOES_ON = re.compile(r"-q?[A-Z]{2,}\b")


def _treatments_only(text: str, found: list[TermMention]) -> list[TermMention]:
    return [
        m
        for m in found
        if not (m.category == "drug" and _NOT_A_TREATMENT.match(text, m.end))
        and not (m.category != "marker" and m.text.isupper() and _ACRONYM_GOES_ON.match(text, m.end))
    ]


#: Words of the body's regions that also name the parts of an organ: the head of the pancreas, the
#: neck of the gall bladder.
_ORGAN_PARTS = frozenset({"head", "neck"})
_PART_OF = re.compile(r"\s+of\s+(?:the\s+)?$", re.IGNORECASE)


def _organ_parts(text: str, found: list[TermMention]) -> list[TermMention]:
    """The mentions with a region word that names a part of the organ beside it read as the organ:
    "pancreatic head and neck", "the head of the pancreas" are the pancreas, not the head."""
    sites = sorted((m for m in found if m.category == "site"), key=lambda m: m.start)
    merged: dict[int, TermMention] = {}  # index in ``sites`` of a mention replaced -> the organ mention
    for i, m in enumerate(sites):
        if m.text.lower() not in _ORGAN_PARTS:
            continue
        previous = merged.get(i - 1, sites[i - 1]) if i else None
        gap = text[previous.end : m.start] if previous else ""
        if previous is not None and (not gap.strip() or (gap.strip() == "and" and i - 1 in merged)):
            organ = TermMention(previous.start, m.end, "site", previous.key, text[previous.start : m.end])
            merged[i - 1] = merged[i] = organ
        elif i + 1 < len(sites) and _PART_OF.fullmatch(text[m.end : sites[i + 1].start]):
            following = sites[i + 1]
            organ = TermMention(m.start, following.end, "site", following.key, text[m.start : following.end])
            merged[i] = merged[i + 1] = organ
    replaced = {sites[i] for i in merged}
    return [m for m in found if m not in replaced] + list(dict.fromkeys(merged.values()))


#: "muscle-invasive bladder cancer", "muscularis propria invasion": how deep a tumour grows in its
#: organ's wall, no site of its own.
_DEPTH_OF_INVASION = re.compile(r"[\s-]+(?:invasive|invading|invasion)\b", re.IGNORECASE)


def _depth_of_invasion(text: str, m: TermMention) -> bool:
    return (
        m.category == "site"
        and re.match(r"muscle|muscularis", m.text, re.IGNORECASE) is not None
        and _DEPTH_OF_INVASION.match(text, m.end) is not None
    )


class TermsComponent:
    """Writes ontology terms and cue words to ``doc.spans["terms"]`` and ``doc._.term_mentions``."""

    def __init__(self, matcher: TermMatcher, speller: DrugSpeller):
        self.matcher = matcher
        self.speller = speller

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        found = _without_redefined_short_forms(doc, self.matcher, self.matcher.find(text))
        found += [TermMention(c.start, c.end, f"cue-{c.kind}", c.kind, c.text) for c in find_cues(text)]
        found += _abbreviation_mentions(doc, self.matcher, found)
        defined = _defined_short_forms(doc, self.matcher)
        found += undefined_short_forms(text, found, self.matcher, defined)
        spelt_out = frozenset(a.text for a in getattr(doc._, "abbreviations", []) or [] if a._.long_form is not None)
        found += title_short_forms(doc._.report_title, text, found, self.matcher, defined | spelt_out)
        shared = _shared_node_mentions(text, self.matcher, found)
        stations = {(m.start, m.end) for m in shared}  # the station replaces the region its word names
        found = [m for m in found if not (m.category == "site" and (m.start, m.end) in stations)] + shared
        found = [m for m in found if not _depth_of_invasion(text, m)]
        found += _unlisted_drug_mentions(text, self.matcher, self.speller, found)
        found = _organ_parts(text, _treatments_only(text, found))
        found = _without_reagent_names(text, [_as_tumour_marker(text, m) for m in found])
        found.sort(key=lambda m: (m.start, -m.end))
        markers = [m for m in found if m.category == "marker"]
        spans: list[Span] = []
        kept: list[TermMention] = []
        for mention in found:
            if mention.category == "marker" or _inside_marker(mention, markers):
                continue
            span = doc.char_span(mention.start, mention.end, label=mention.category, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            spans.append(span)
            kept.append(mention)
        doc.spans[SPAN_KEY] = SpanGroup(doc, name=SPAN_KEY, spans=spans)
        doc._.term_mentions = kept
        # A marker's result states its own polarity ("ER (-)"), so markers skip negation.
        doc._.marker_mentions = _marker_mentions(doc, self.matcher, [m for m in found if m.category == "marker"])
        return doc


#: What a tumour's name before it makes a reagent: "renal cell carcinoma antibodies were negative".
_REAGENT = re.compile(
    r"[\s-]+(?:antibod(?:y|ies)|antigens?|markers?|antisera|immunostains?|"
    # a molecule named after a tumour: "melanoma differentiation-associated gene 5" (MDA5), "melanoma-associated
    # antigen", "melanoma inhibitory activity"
    r"differentiation[\s-]+associated|associated\s+antigens?|inhibitory\s+activity)\b",
    re.IGNORECASE,
)


def _without_reagent_names(text: str, found: list[TermMention]) -> list[TermMention]:
    """The mentions without tumour names that name a stain's reagent, and the terms inside them:
    "renal cell carcinoma antibodies" is no renal cell carcinoma, nor its "renal" a kidney."""
    reagents = [m for m in found if m.category == "histology" and _REAGENT.match(text, m.end)]
    return [m for m in found if not any(r.start <= m.start and m.end <= r.end for r in reagents)]


def _as_tumour_marker(text: str, mention: TermMention) -> TermMention:
    """A gene the tumour's own testing names ("sequencing of the biopsy showed a TP53 mutation")
    is one of its markers, not an inherited variant of the patient."""
    if mention.category != "gene" or not tested_in_the_tumour(text, mention.start, mention.end):
        return mention
    return TermMention(mention.start, mention.end, "marker", mention.key, mention.text)


def _inside_marker(mention: TermMention, markers: list[TermMention]) -> bool:
    """Whether a term lies inside a marker's name: the muscle of "smooth muscle actin" (and of its
    abbreviation, SMA), the thyroid of "thyroid transcription factor 1", are no sites."""
    return any(m.start <= mention.start and mention.end <= m.end for m in markers)


class ContextComponent:
    """Marks term spans that fall in a hypothetical clause of their sentence."""

    def __call__(self, doc: Doc) -> Doc:
        clauses: list[tuple[int, int]] = []
        for sent in doc.sents:
            clauses += [(sent.start_char + s, sent.start_char + e) for s, e in hypothetical_spans(sent.text)]
        for span in doc.spans.get(SPAN_KEY, []):
            span._.hypothetical = any(s <= span.start_char < e for s, e in clauses)
        return doc


@Language.factory("metkg_terms", default_config={"ontology_dir": ""})
def _make_terms(nlp: Language, name: str, ontology_dir: str) -> TermsComponent:
    return TermsComponent(term_matcher(ontology_dir), drug_speller(ontology_dir))


@Language.factory("metkg_context")
def _make_context(nlp: Language, name: str) -> ContextComponent:
    return ContextComponent()


@lru_cache(maxsize=2)
def get_pipeline(ontology_dir: Path) -> Language:
    """The extraction pipeline for the ontology in ``ontology_dir``, built once per process."""
    import scispacy.abbreviation  # noqa: F401  (registers the abbreviation_detector factory)
    from negspacy.negation import Negex  # noqa: F401  (registers the negex factory)
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    nlp = spacy.blank("en")
    with warnings.catch_warnings():
        # scispacy's tokenizer rules trip a FutureWarning of Python's regex compiler
        warnings.simplefilter("ignore", FutureWarning)
        nlp.tokenizer = combined_rule_tokenizer(nlp)
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("abbreviation_detector")
    nlp.add_pipe("metkg_terms", config={"ontology_dir": str(Path(ontology_dir).resolve())})
    nlp.add_pipe(
        "negex",
        config={"neg_termset": NEGATION_TERMSET, "span_keys": [SPAN_KEY], "extension_name": "negex"},
    )
    nlp.add_pipe("metkg_context")
    return nlp


def annotate(nlp: Language, text: str, title: str = "") -> Doc:
    """Run the pipeline on ``text``, whose ``title`` (read apart from it) may spell out its short forms.

    scispacy's abbreviation detector warns (spaCy W036) on a text that defines no abbreviation;
    that is not a problem here, so the warning is silenced.
    """
    doc = nlp.make_doc(text)
    doc._.report_title = title
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W036\]")
        return nlp(doc)
