"""Parse biomarker results as case reports write them, from marker mentions in a text.

Two pure functions do the work:

- :func:`parse_value` reads one result expression: ``(+90%)``, ``(1+)``, ``(±)``,
  ``(membrane +)``, ``positivity at 40%``, ``>90%``, ``negative``, ``expression of 0``...
- :func:`parse_results` takes a text and the marker mentions found in it (by the ontology's
  term matcher) and attaches a value to each marker: the value written right after it
  (``ER (+90%)``, ``PR negativity``, ``ER-positive``, ``ER+/PR-/HER2-``), the value after a
  list of markers (``ER and PR positivity``; ``A, B and C were all negative``), or the value
  before a list (``positive for A and B``; ``diffuse expression of A, B and C``).

A marker mentioned without a value (``partial response (PR)``) yields nothing. A status is
only given when the text states one (a sign or a word); a bare percent or score is kept as
such, never turned into a status.

>>> v = parse_value("(+ 50%)")
>>> (v.status, v.percent, v.comparator, v.score)
('positive', 50.0, None, None)
>>> text = "ER (>90%), PR and HER2 were negative"
>>> mentions = [MarkerMention(0, 2, "ER"), MarkerMention(11, 13, "PR"), MarkerMention(18, 22, "HER2")]
>>> [(r.marker, r.status, r.percent, r.comparator) for r in parse_results(text, mentions)]
[('ER', None, 90.0, '>'), ('PR', 'negative', None, None), ('HER2', 'negative', None, None)]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from metkg.extract.context import TYPICAL_OF_A_KIND
from metkg.records.models import UNLISTED_MARKER_NOTE

__all__ = [
    "MarkerMention",
    "ParsedResult",
    "ResultValue",
    "from_serology",
    "guideline_status",
    "implied_marker_mentions",
    "measured_in_blood",
    "merge_parenthesised",
    "of_a_kind",
    "parse_results",
    "parse_value",
    "result_note",
    "tested_in_the_tumour",
    "unlisted_marker_mentions",
]

Status = str  # "positive" | "negative" | "equivocal" | "low"


@dataclass(frozen=True)
class MarkerMention:
    """A marker named in a text: ``[start, end)`` and its ontology key."""

    start: int
    end: int
    key: str


@dataclass(frozen=True)
class ResultValue:
    """What a result expression states; every field ``None`` when not stated."""

    status: Status | None = None
    percent: float | None = None
    comparator: str | None = None
    score: str | None = None
    pattern: str | None = None
    assay: str | None = None
    note: str | None = None

    @property
    def empty(self) -> bool:
        return self.status is None and self.percent is None and self.score is None


@dataclass(frozen=True)
class ParsedResult:
    """One marker's result in a text, with the spans that state it.

    ``marker_span`` is the mention, ``value_span`` the value expression (they may be far
    apart when a value is shared by a list of markers). ``assay`` is ``IHC`` unless the text
    names an in-situ hybridisation (``FISH``, ``ISH``) or the result is a gene alteration
    (``PCR``, ``NGS``); ``note`` says what the status alone does not (the variant, an Allred score).
    """

    marker: str
    status: Status | None
    percent: float | None
    comparator: str | None
    score: str | None
    pattern: str | None
    marker_span: tuple[int, int]
    value_span: tuple[int, int]
    assay: str = "IHC"
    note: str | None = None


_NUM = r"\d{1,3}(?:[.,]\d+)?"
_CMP_WORDS = {
    ">": ">",
    "≥": ">=",
    ">=": ">=",
    "<": "<",
    "≤": "<=",
    "<=": "<=",
    "~": "~",
    "≈": "~",
    "exceed": ">",
    "exceeds": ">",
    "exceeded": ">",
    "exceeding": ">",
    "over": ">",
    "more than": ">",
    "greater than": ">",
    "above": ">",
    "higher than": ">",
    "in excess of": ">",
    "less than": "<",
    "below": "<",
    "under": "<",
    "lower than": "<",
    "fewer than": "<",
    "approximately": "~",
    "about": "~",
    "around": "~",
    "roughly": "~",
    "nearly": "~",
    "up to": "<=",
    "at least": ">=",
    "no less than": ">=",
    "at most": "<=",
}
_CMP = r"(?P<cmp>" + "|".join(re.escape(k) for k in sorted(_CMP_WORDS, key=len, reverse=True)) + r")"
_PERCENT = re.compile(_CMP + r"?\s*(?P<num>" + _NUM + r")\s*(?:[-–~]\s*" + _NUM + r"\s*)?%", re.IGNORECASE)
_SCORE = re.compile(r"(?<![\d.])(?P<score>[0-3])\s*\+(?!\d)")
_ZERO_SCORE = re.compile(r"(?:^|\b(?:of|score|was|is|were|:)\s*)0(?![\d%]|[.,]\d)\s*$", re.IGNORECASE)
_STATUS_WORDS: list[tuple[str, Status]] = [
    (r"not\s+amplified|non-?amplified|no\s+amplification|unamplified", "negative"),
    (
        r"(?:immuno-?)?negativ(?:e|ity|ities)|loss|lost|absent|not\s+expressed|no\s+expression|"
        r"(?:non-?|un)(?:immuno-?)?reactive",
        "negative",
    ),
    (r"equivocal|borderline|indeterminate", "equivocal"),
    (r"low(?:\s+expression)?(?!\s*(?:-|grade))", "low"),
    (
        r"(?:immuno-?)?positiv(?:e|ity|ities)|over-?expressed|over-?expression|amplified|amplification|retained|preserved|"
        r"intact|reactive|expressed",
        "positive",
    ),
]
_STATUS = re.compile("|".join(f"(?P<s{i}>\\b(?:{p})\\b)" for i, (p, _) in enumerate(_STATUS_WORDS)), re.IGNORECASE)
_PATTERN = re.compile(
    r"\b(diffuse(?:ly)?|focal(?:ly)?|patchy|membran(?:e|ous)|nuclear|cytoplasmic|strong(?:ly)?|weak(?:ly)?|moderate(?:ly)?|partial(?:ly)?|scattered)\b",
    re.IGNORECASE,
)
_SIGN = re.compile(r"(?P<eq>±|\+/-|\+/−|-/\+|−/\+)|(?P<pos>\+{1,3})|(?P<neg>(?<![\d\w])[-−–](?![\d\w]))")


def _comparator(word: str | None) -> str | None:
    return None if word is None else _CMP_WORDS[re.sub(r"\s+", " ", word.lower())]


def _pattern_name(word: str) -> str:
    w = word.lower()
    for stem, name in (
        ("diffus", "diffuse"),
        ("focal", "focal"),
        ("membran", "membrane"),
        ("strong", "strong"),
        ("weak", "weak"),
        ("moderate", "moderate"),
        ("partial", "partial"),
    ):
        if w.startswith(stem):
            return name
    return w


def parse_value(text: str) -> ResultValue | None:
    """Read one result expression; ``None`` when it states no status, percent or score.

    >>> parse_value("(+90%)")
    ResultValue(status='positive', percent=90.0, comparator=None, score=None, pattern=None, assay=None, note=None)
    >>> parse_value("(1+)").score, parse_value("(±)").status, parse_value("(membrane +)").pattern
    ('1+', 'equivocal', 'membrane')
    >>> parse_value("expression of 0").score, parse_value("(Figure 2)")
    ('0', None)
    """
    t = text.strip()
    if t.startswith("(") and t.endswith(")"):
        t = t[1:-1]
    status: Status | None = None
    percent = comparator = score = None
    rest = t
    m = _PERCENT.search(rest)
    if m:
        percent = float(m.group("num").replace(",", "."))
        comparator = _comparator(m.group("cmp"))
        if percent > 100:
            percent = comparator = None
        rest = rest[: m.start()] + " " * (m.end() - m.start()) + rest[m.end() :]
    m = _SCORE.search(rest)
    if m:
        score = m.group("score") + "+" if m.group("score") != "0" else "0"
        rest = rest[: m.start()] + " " * (m.end() - m.start()) + rest[m.end() :]
    words = _STATUS.search(rest)
    if words:
        index = int(next(k for k, v in words.groupdict().items() if v)[1:])
        status = _STATUS_WORDS[index][1]
        rest = rest[: words.start()] + " " * (words.end() - words.start()) + rest[words.end() :]
    sign = _SIGN.search(rest)
    if sign and status is None:
        status = "equivocal" if sign.group("eq") else "positive" if sign.group("pos") else "negative"
    if score is None and percent is None and status is None and _ZERO_SCORE.search(t.strip()):
        score = "0"
    if status is None and percent is None and score is None:
        return None
    found = _PATTERN.search(t)
    return ResultValue(status, percent, comparator, score, _pattern_name(found.group(1)) if found else None)


# What may stand between a marker and its value: "ER expression was", "Ki67 was determined to",
# "HER2 score of", ", all of which were".
_FILLER_WORDS = (
    # "Ki-67 staining revealed a proliferative index of 30%": the article after a verb of finding
    # (before the verbs alone, which would end the match at the article)
    r"(?:showed|shows|show|demonstrated|revealed|displayed|exhibited)\s+an?\b|"
    r"in\s+situ\s+hybridi[sz]ation|expression|expressions|expressed|staining|stains|stain|stained|status|immunostaining|immunoreactivity|"
    r"immunohistochemistry|immunohistochemical|IHC|index|labell?ing|proliferation|proliferative|proliferating|score|scoring|"
    r"level|levels|rate|protein|result|results|TPS|CPS|tumou?r\s+proportion\s+score|combined\s+positive\s+score|"
    r"was|were|is|are|be|been|being|showed|shows|show|showing|demonstrated|demonstrating|revealed|revealing|"
    r"displayed|exhibited|determined|found|noted|observed|detected|estimated|measured|reported|to|also|all|both|each|the|"
    r"of|in|at|with|tumou?r|cells?|cancer|carcinoma|neoplasm|lesion|approximately|about|around|nearly|which|had|has|"
    r"value|by|as|gene|"
    r"FISH|ISH|SISH|CISH|DISH|testing|test|tested|analysis|performed|done|on|primary|resulted|marker|antigen"
)
_FILLER = re.compile(
    r"(?:\s*(?:(?:"
    + _FILLER_WORDS
    # "Ki-67 (a grading marker) was 5%": a gloss between the marker and its value, not a value itself
    + r")\b|[:=]|/\s*neu\b|\((?![^()]*[%+])[^()]{1,40}\)(?=\s+(?:was|were|is|of|:))|"
    r",(?=\s*(?:all|both|which|were|was|are|is|and\s+(?:was|were)))|"
    # "(Ki-67, 95%)": a marker and its share in one parenthesis
    r",(?=\s*(?:[<>≤≥~]\s*)?\d{1,3}(?:[.,]\d+)?\s*%\s*\))))*\s*",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\s*\((?P<inner>[^()]{1,40})\)")
#: After a hyphen, the word it is held for: "epidermal growth factor receptor- (EGFR-) positive".
_SUSPENDED = re.compile(
    r"\s*+\)?\s*+(?:\([^()]{1,20}\)\s*+)?(?:positive|negative|mutant|mutated|amplified|expressing)\b", re.I
)
# "ER+", "HER2 −" (a sign after a space only where the phrase ends)
_GLUED = re.compile(r"(?P<sign>\+{1,3}|[-−–](?![\w\d])|±)(?![\w\d])|\s(?P<spaced>[−–-]|\+{1,3})(?=\s*(?:[.,;)]|$))")
_HYPHEN_WORD = re.compile(
    r"[-\s]?(?P<mod>(?:strongly|weakly|focally|diffusely)[-\s])?(?P<word>positive|negative|low|equivocal)\b",
    re.IGNORECASE,
)
_WORD_VALUE = re.compile(
    r"(?P<mod>(?:strongly|weakly|focally|diffusely|moderately|partially|strong|weak|focal|diffuse|moderate|partial)\s+)?"
    r"(?P<word>not\s+amplified|non-?amplified|no\s+amplification|(?:immuno-?)?positiv(?:e|ity|ities)|"
    r"(?:immuno-?)?negativ(?:e|ity|ities)|equivocal|over-?expressed|over-?expression|amplified|amplification|retained|"
    # "ER was non-reactive", not "non-reactive lymphocytes" (cells that are no tumour's)
    r"preserved|intact|lost|loss\b|absent\b|low\b|(?:non-?|un)(?:immuno-?)?reactive\b(?!\s+[a-z])|"
    # "Melan-A and HMB-45 were diffusely reactive", not "CD3 was positive in reactive T cells" nor nodes
    # "examined with CD3 and CD20" that "were reactive"
    r"(?<=ly\s)reactive(?=\s*(?:[.,;:)]|$)|\s+(?:in|with|and|but|while|whereas|within)\b))"
    r"(?P<tail>(?:\s*(?:at\s+a\s+rate\s+of|at|of|in|,|with|was|was\s+about|about|approximately|score)?\s*(?:"
    + _CMP
    + r"\s*)?"
    + _NUM
    + r"(?:\s*%?\s*[-–]\s*"
    + _NUM
    + r")?\s*%"
    r"(?:\s+of\s+(?:the\s+)?(?:tumou?r\s+)?(?:cells|nuclei))?)?"
    r"(?:\s*\(?\s*[0-3]\s*\+\s*\)?)?)",
    re.IGNORECASE,
)
_NUMERIC_VALUE = re.compile(
    r"(?:" + _CMP + r"\s*)?(?P<num>" + _NUM + r")(?:\s*%?\s*[-–~]\s*" + _NUM + r")?\s*%|"  # "70-80%": the first
    r"(?P<score>[0-3])\s*\+(?!\d)|(?P<zero>0)(?![\d%]|[.,]\d)",
    re.IGNORECASE,
)
# "ERG and the vascular markers CD31 and CD34": a panel named inside the list
_PANEL = r"(?:(?:the\s+)?(?:[A-Za-z-]+\s+){0,2}markers?\s+(?:such\s+as\s+|including\s+)?)?"
#: A parenthesis after a list item that is no value of it: "TTF-1 (Fig. 2) and CK7", "HCG
#: (choriocarcinoma component)", "S100 (Figure 2(b)), p40" (a value such as "(3+)" ends the item first:
#: see :func:`_lists`).
_GLOSS = r"(?:\s*\((?:[^()]|\([^()]{1,10}\)){1,80}\))?"
#: How the staining of one item of a list is qualified: "CK7, and nuclear TTF-1", "CD99 and focal CD45".
_ITEM_MODIFIER = r"(?P<modifier>(?:nuclear|cytoplasmic|membranous|focal|diffuse|patchy|weak|strong|partial)\s+)?"
_CONNECTOR = re.compile(
    _GLOSS
    + r"\s*(?:,\s*(?:and|or|nor)\s+|,|and|or|nor|&|/|as\s+well\s+as|plus|(?:,\s*)?along\s+with|(?<=\s)but\s+also)\s*"
    + _PANEL
    + _ITEM_MODIFIER
    + r"(?:anti(?:-\s?|\s))?",  # "positivity for anti-CK7 and anti CK20": the antibody's marker
    re.IGNORECASE,
)
_PREFIX = re.compile(
    r"(?P<mod>diffuse(?:ly)?|focal(?:ly)?|strong(?:ly)?|weak(?:ly)?|moderate(?:ly)?|partial(?:ly)?|patchy)?\s*"
    r"(?P<word>positiv(?:e|ity|ely)|negativ(?:e|ity|ely)|immuno-?positiv(?:e|ity)|immuno-?negativ(?:e|ity)|"
    r"immunoreactiv(?:e|ity)|reactiv(?:e|ity)|reacted|express(?:ion|ions|ed)|label(?:l)?ing|"
    r"(?:immuno)?stain(?:ing|ed)|lack\s+of(?:\s+(?:expression|staining))?|absence\s+of(?:\s+(?:expression|staining))?|"
    r"loss\s+of(?:\s+expression)?|retention\s+of|"
    r"over-?expression|amplification)"
    # "negative nuclear staining for CDX2"
    r"(?:\s+(?:nuclear|cytoplasmic|membranous|immunohistochemical))?"
    r"(?:\s+(?:result|results|staining|stainings|immunostainings?|expression|reactions?|rates?))?"
    # "immunopositive focally for", "negative immunostainings were observed for"
    r"(?:\s+(?:focally|diffusely|strongly|weakly|only|also))?"
    r"(?:\s+(?:was|were)\s+(?:observed|seen|noted|found|detected|obtained|demonstrated))?"
    # "showed positive results in neoplastic cells for"
    r"(?:\s+in\s+(?:the\s+)?(?:neoplastic|tumou?r|malignant|atypical|lesional)\s+cells)?"
    # "positive for both CK7 and CK20", "negative for: desmin", "positive for not only CK7 but also CK19",
    # "All other markers were negative, including CD68"
    r"(?:(?<=\bof)|\s+(?:for|of|with|to)|,\s*including(?!\s+the\b)|"
    # "highly positive myeloid markers such as MPO", "were positive (CK, vimentin, TTF1)"
    r"\s+(?:[A-Za-z-]+\s+){0,2}(?:markers?|antigens)\s*,?\s+(?:such\s+as|including)|(?<!not\spositive)(?<=positive)\s*\()"
    r"(?:\s*:)?\s*(?:the\s+|both\s+|not\s+only\s+)?(?:anti(?:-\s?|\s))?",
    re.IGNORECASE,
)
_LIST_GAP = re.compile(
    # "neuroendocrine markers", "the colon cancer markers:", "several markers, including" may name the list first
    r"^(?:(?:[A-Za-z-]+\s+){0,3}(?:markers?|proteins|stains|antigens)"
    r"(?:\s*:|,?\s+such\s+as|,?\s+including|\s+of)?(?:\s+|\s*\(\s*))?"
    # an item is a marker's name, not a phrase about cells or a tumour ("malignant cells in the fluid")
    r"(?:(?:(?!positiv|negativ|express|stain|react|cells?\b|malignan|tumou?r|\w*carcinoma|metasta|lesion|fluid|"
    r"specimen|tissue|nodes?\b|consistent|evidence|differentiat)[\w\-/αβ .]){1,60}?(?:\([\w\-/ ]{1,15}\))?"
    r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)){0,3}$",
    re.IGNORECASE,
)


def merge_parenthesised(mentions: Sequence[MarkerMention], text: str) -> list[MarkerMention]:
    """Join "estrogen receptor (ER)" and "ER (estrogen receptor)" into one mention of the marker, and
    two names of one marker side by side ("pancytokeratin AE1/AE3")."""
    out: list[MarkerMention] = []
    for m in sorted(mentions, key=lambda x: x.start):
        if out:
            last = out[-1]
            between = text[last.end : m.start]
            if last.key == m.key and between.isspace():
                out[-1] = MarkerMention(last.start, m.end, last.key)
                continue
            if last.key == m.key and re.fullmatch(r"\s*\(\s*", between) and re.match(r"\s*\)", text[m.end :]):
                close = m.end + re.match(r"\s*\)", text[m.end :]).end()  # type: ignore[union-attr]
                out[-1] = MarkerMention(last.start, close, last.key)
                continue
            if m.start < last.end:
                continue
        out.append(m)
    return out


#: Panels whose members a report may name right after them: "mismatch repair proteins (MLH1,
#: PMS2, MSH2 and MSH6)".
_PANEL_MEMBERS = {"MMR": frozenset({"MLH1", "PMS2", "MSH2", "MSH6"})}
_BEFORE_MEMBERS = re.compile(r"\s*(?:\(|:|,)?\s*")


def _without_panels_named_by_members(mentions: list[MarkerMention], text: str) -> list[MarkerMention]:
    """Leave out a panel's mention when its members follow it, so each member takes the result."""
    kept = []
    for i, m in enumerate(mentions):
        following = mentions[i + 1] if i + 1 < len(mentions) else None
        named = (
            following is not None
            and following.key in _PANEL_MEMBERS.get(m.key, ())
            and _BEFORE_MEMBERS.fullmatch(text, m.end, following.start)
        )
        if not named:
            kept.append(m)
    return kept


# ---------------------------------------------------------------- scores written by name

_ALLRED = re.compile(
    r"[\s,:(]*(?:\(\s*)?Allred(?:\s+score)?(?:\s+(?:of|was|is|=|:))?\s*(?:[0-5]\s*\+\s*[0-3]\s*=\s*)?"
    r"(?P<allred>[0-8])(?:\s*/\s*8)?(?!\d)\)?",
    re.IGNORECASE,
)
_H_SCORE = re.compile(
    r"[\s,:(]*(?:\(\s*)?H-?\s?score(?:\s+(?:of|was|is|=|:))?\s*(?P<hscore>\d{1,3})(?!\d)\)?", re.IGNORECASE
)


#: PD-L1's scores: "PD-L1 (22C3) TPS 60%", "PD-L1 (CPS=10)", "a combined positive score of <1".
_PD_L1_SCORE = re.compile(
    r"[\s,:(]*(?:\(\s*(?:clone\s+)?[A-Z0-9][\w-]{1,7}\s*\)[\s,:(]*)?"
    r"(?P<kind>CPS|TPS|combined\s+positive\s+score|tumou?r\s+proportion\s+score)(?:\s*\((?:CPS|TPS)\))?"
    r"(?:\s+(?:of|was|is|was\s+estimated\s+at))?\s*[:=]?\s*(?:" + _CMP + r"\s*)?(?P<num>" + _NUM + r")\s*(?P<pct>%)?"
    r"(?:\s*\))*",
    re.IGNORECASE,
)


def _pd_l1_score(text: str, at: int, end: int) -> tuple[ResultValue, int] | None:
    """A tumour proportion score (TPS, % of tumour cells) or combined positive score (CPS) and the
    status at the cut-off of 1 that PD-L1 results are reported by: below 1 negative, else positive."""
    m = _PD_L1_SCORE.match(text, at, end)
    if m is None:
        return None
    number = float(m.group("num").replace(",", "."))
    comparator = _CMP_WORDS.get((m.group("cmp") or "").lower())
    below = number < 1 or (comparator in ("<", "<=") and number <= 1)
    proportion = m.group("kind").upper() == "TPS" or "proportion" in m.group("kind").lower()
    name = "tumour proportion score" if proportion else "combined positive score"
    value = ResultValue(
        status="negative" if below else "positive",
        percent=number if proportion else None,
        comparator=comparator if proportion else None,
        note=f"{name} {m.group('cmp') or ''}{m.group('num')}{'%' if proportion else ''}".replace("  ", " "),
    )
    return value, m.end()


def _named_score(text: str, pos: int, end: int) -> tuple[ResultValue, int, int] | None:
    """An Allred score, an H-score or a PD-L1 score written after a marker: "ER (Allred 8/8)",
    "PR H-score 180", "PD-L1 (22C3) TPS 60%".

    An Allred total of 3 or more is positive, 0-2 negative (Allred's own cut-off); an H-score
    states no status on its own. Each is kept in the note.
    """
    filler = _FILLER.match(text, pos, end)
    start = filler.end() if filler and filler.end() - pos <= 30 else pos
    for at in dict.fromkeys((start, pos)):
        m = _ALLRED.match(text, at, end)
        if m:
            total = int(m.group("allred"))
            status = "positive" if total >= 3 else "negative"
            return ResultValue(status=status, note=f"Allred score {total}"), at, m.end()
        m = _H_SCORE.match(text, at, end)
        if m and int(m.group("hscore")) <= 300:
            hscore = int(m.group("hscore"))
            gap = re.compile(r"[\s,;]*").match(text, m.end(), end)
            at_word = gap.end() if gap else m.end()
            after = _HYPHEN_WORD.match(text, at_word, end) or _WORD_VALUE.match(text, at_word, end)
            status = parse_value(after.group(0)).status if after and parse_value(after.group(0)) else None
            if status is not None and after is not None:
                return ResultValue(status=status, note=f"H-score {hscore}"), at, after.end()
        pd_l1 = _pd_l1_score(text, at, end)
        if pd_l1 is not None:
            return pd_l1[0], at, pd_l1[1]
    return None


# ---------------------------------------------------------------- gene alterations

#: A protein change in one-letter amino acids ("V600E", "T790M", "G12D").
_AMINO_ACID_CHANGE = r"[ACDEFGHIKLMNPQRSTVWY]\d{1,4}(?:[ACDEFGHIKLMNPQRSTVWY*X]|del|ins|fs)"
#: A change in upper-case letters named as such: "L858R mutation".
_CHANGE_NAMED = r"(?-i:" + _AMINO_ACID_CHANGE + r")\b\s+(?:mutation|variant|substitution|alteration)s?\b"
_VARIANT = (
    r"(?:exon\s*\d{1,2}(?:\s*(?:in-?frame\s+)?(?:deletions?|del|insertions?|ins|skipping|duplications?|"
    r"mutations?|point\s+mutations?|substitutions?|alterations?))?"
    r"|p\.\s*\(?[A-Z][a-z]{0,2}\d{1,4}[A-Za-z*]{0,4}\)?|c\.\s*[\w>+\-_]+"
    # one-letter amino acids ("V600E", "T790M"), not a histone mark ("H3K27me3") nor a clone ("ALK (D5F3)")
    r"|(?<![A-Za-z])[ACDEFGHIKLMNPQRSTVWY]\d{1,4}(?:[ACDEFGHIKLMNPQRSTVWY*X]|del|ins|fs)(?![a-z]?\d)\w{0,6}"
    r"|(?:ex)?19del|del19"
    r"|codons?\s*\d{1,3}(?:\s*(?:,|/|and|or)\s*\d{1,3}){0,3})"  # "KRAS codon 12 mutation", "codons 12 and 13"
)
_ALTERATION = (
    r"(?P<alt>mutations?|mutated|mutant|variants?|alterations?|altered|rearrangements?|rearranged|fusions?|"
    r"translocations?|deletions?|insertions?|amplifications?|amplified|wild[-\s]?type|WT)"
)
_MOLECULAR = re.compile(
    r"(?:\s*(?:gene|status)\b)?"
    # a first variant right after the gene ("EGFR L858R and T790M", "AR, c.2108C>A", "KRAS/G12D
    # mutation", "EGFR, L858R mutation"); "CK7, H3K27me3" and "CD10, P504S" are the next item of a list
    r"(?P<variants>(?:\s*(?:,\s*(?=[cp]\.)|[,/]\s*(?=" + _CHANGE_NAMED + r"))?\(?\s*" + _VARIANT + r"\s*\)?"
    r"(?:\s*(?:,\s*|\s+and\s+|/)?\(?\s*" + _VARIANT + r"\s*\)?){0,3})?)"
    r"(?:[\s\-]*(?:gene\s+)?(?:(?:missense|nonsense|frameshift|point|activating|inactivating|truncating|hotspot|"
    r"somatic|pathogenic|likely\s+pathogenic|deleterious|splice[-\s]site|promoter|homozygous)\s+)*"
    + _ALTERATION
    + r"\b)?"
    # "BRAF V600E (VE1) immunostaining was negative": a variant-specific antibody is a test too
    r"(?P<test>(?:\s*\([^()]{1,12}\))?(?:\s+|(?<=\s))(?:testing|tests?|analys[ie]s|status|assay|screening|profiling|sequencing|"
    r"results?|immunohistochemistry|immunohistochemical\s+staining|immunostaining|IHC|staining))?"
    r"(?P<tail>\s*[-–,:]?\s*(?:\(\s*[^()]{1,30}\)\s*)?"
    # "EGFR L858R testing of the liver biopsy was negative", "the EGFR T790M mutation, which was negative"
    r"(?:(?:of|in|on)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}(?:biops(?:y|ies)|specimens?|samples?|tissues?|tumou?rs?|"
    r"metasta\w+|lesions?)\s+)?(?:which\s+)?"
    r"(?:(?:was|were|is|are|has\s+been|have\s+been|had\s+been)\s+)?"
    r"(?:(?P<neg>not\s+(?:detected|found|identified|present|seen|observed)|negative|absent|undetected|wild[-\s]?type)"
    r"|(?P<pos>detected|identified|present|positive|confirmed))(?!\s+(?:for|to|of)\b))?",  # not "negative for X"
    re.IGNORECASE,
)
_AMPLIFICATION = re.compile(r"amplif", re.IGNORECASE)
_STAINING_TEST = re.compile(r"immuno|\bIHC\b|staining", re.IGNORECASE)


_NEXT_TOKEN = re.compile(r"\s+(?P<token>[\w./-]+)")


def _marker_follows(text: str, pos: int, end: int, over_a_word: bool = False) -> bool:
    """Whether the token after ``pos`` is shaped like a marker; with ``over_a_word``, also the one
    after a lower-case word ("retained nuclear MSH2")."""
    first = _NEXT_TOKEN.match(text, pos, end)
    if first is None:
        return False
    token = first.group("token")
    if over_a_word and re.fullmatch(r"[a-z]+", token):
        second = _NEXT_TOKEN.match(text, first.end(), end)
        token = second.group("token") if second else token
    return _marker_shaped(token.rstrip(".,"))


def _leads_next_gene(text: str, m: re.Match[str], end: int) -> bool:
    """Whether a status read after a comma leads the next item: "CD99, wild-type p53, BCL2"."""
    if not m.group("neg") or not re.match(r"\s*,", m.group("tail") or ""):
        return False
    return _marker_follows(text, m.end(), end)


_NOT_DONE = re.compile(
    r"\s*(?:was|were|is|are|has\s+been|have\s+been)\s+(?:not\s+(?:done|performed|assessed|evaluated|analy[sz]ed|"
    r"available|carried\s+out|possible|feasible)|(?:planned|pending|requested|recommended|ordered)\b)",
    re.IGNORECASE,
)


_REAGENT_AFTER = re.compile(r"[^.;]{0,40}?\b(?:assays?|probes?|primers?|kits?|reagents?)\b", re.IGNORECASE)
_METHOD_LEAD = re.compile(
    r"\b(?:(?:performed|carried\s+out|done|run)\s+(?:with|using)|using)\s+(?:the\s+)?\S+\s*$", re.IGNORECASE
)


def _reagent(text: str, gene_end: int, variant_end: int, end: int) -> bool:
    """Whether a gene and variant name a method's reagent and nothing found: "performed with BRAF
    V600E (FAM-labeled mutant assay)", not "harboured KRAS G12C (detected with a kit)" nor "PCR using
    the BRAF V600E assay was positive"."""
    lead = _METHOD_LEAD.search(text, max(0, gene_end - 60), gene_end)
    reagent = _REAGENT_AFTER.match(text, variant_end, end) if lead else None
    return reagent is not None and _FOUND_LATER.match(text, reagent.end(), end) is None


_FOUND_LATER = re.compile(
    r"[^.;]{0,40}?\b(?:positive|negative|detected|showed|revealed|identified|confirmed|found)\b", re.IGNORECASE
)


#: "EGFR mutations and ALK rearrangements were negative": the next gene's verdict is shared.
_NEGATIVE_WITH_NEXT = re.compile(
    r"\s+(?:and|or|nor)\s+(?:[\w()/-]+\s+){1,8}?" + _ALTERATION + r"\s+(?:were|are)\s+(?:both\s+|all\s+)?"
    r"(?:negative|absent|not\s+(?:detected|found|identified|present)|wild[-\s]?type)\b",
    re.IGNORECASE,
)


def _molecular(text: str, pos: int, end: int) -> tuple[ResultValue, int, int] | None:
    """A gene alteration written after a gene: "EGFR exon 19 deletion", "KRAS wild-type",
    "ALK rearrangement-negative", "BRAF V600E mutation", "EGFR mutations were not detected".

    Positive means the alteration was found; the variant text goes to the note. Nothing is read
    without an alteration word or a named variant, and "EGFR mutation testing" alone is no result.
    """
    m = _MOLECULAR.match(text, pos, end)
    if m is None or m.end() == pos:
        return None
    if _leads_next_gene(text, m, end) or _NOT_DONE.match(text, m.end(), end):
        return None  # "EGFR and TP53 mutations was not done": a test not made states nothing
    which = re.search(r"\bwhich\b", m.group("tail") or "", re.IGNORECASE)
    if which and m.group("neg") and not _CLAUSE_ENDS.match(text, m.end()):
        return None  # "the T790M mutation, which was negative at diagnosis, emerged": not this verdict alone
    if not (m.group("pos") or m.group("neg")) and _reagent(text, pos, m.end(), end):
        return None  # "performed with BRAF V600E (FAM-labeled mutant assay)": a method's reagent
    alt = (m.group("alt") or "").lower()
    variants = re.sub(r"\s+", " ", m.group("variants") or "").strip(" ,/()")
    if variants.count("(") > variants.count(")"):
        variants += ")"  # "c.35G>A (p.G12D)" keeps its closing parenthesis
    exon_only = re.fullmatch(r"(?i:exon)\s*\d+", variants) is not None
    named = bool(re.search(r"\d", variants)) and (alt != "" or not exon_only)
    wild = bool(m.group("neg")) and "wild" in m.group("neg").lower()
    if m.group("test") and _STAINING_TEST.search(m.group("test")) and not named and not alt:
        return None  # "calretinin staining was negative": a protein's stain, read as such
    tested = bool(m.group("test")) and bool(m.group("neg") or m.group("pos"))  # "BRAF testing was negative"
    if not alt and not named and not wild and not tested:
        return None
    own_verdict = bool(m.group("pos") or m.group("neg"))
    shared_negative = bool(alt) and not own_verdict and _NEGATIVE_WITH_NEXT.match(text, m.end(), end) is not None
    if m.group("neg") or re.fullmatch(r"wild[-\s]?type|wt", alt) or shared_negative:
        status: Status = "negative"
    elif m.group("pos") or (not m.group("test") and (alt or named)):
        status = "positive"
    else:
        return None
    if _AMPLIFICATION.search(alt) and not variants:
        return None  # "HER2 amplification": a hybridisation result, read by the value words
    note = f"alteration: {variants}" if variants else None
    first = pos + len(m.group(0)) - len(m.group(0).lstrip())
    return ResultValue(status=status, assay="molecular", note=note), first, m.end()


def _postfix(text: str, pos: int, end: int) -> tuple[ResultValue, int, int] | None:
    """The value written right after a marker ending at ``pos``: (value, value start, value end)."""
    found = _molecular(text, pos, end) or _named_score(text, pos, end) or _stated_value(text, pos, end)
    if found is not None and found[0].note is None:
        allred = _ALLRED.match(text, found[2], end)  # "positive (Allred 8/8)"
        if allred:
            found = replace(found[0], note=f"Allred score {allred.group('allred')}"), found[1], allred.end()
    return found


# "HER2 amplification was not detected", "expression was absent", "EBV-positive cells were absent": the
# value word is denied.
_DENIED = re.compile(
    r"\s*(?:(?:tumou?r\s+|neoplastic\s+|malignant\s+|atypical\s+)?cells\s+)?(?:was|were|is|are)\s+"
    r"(?:not\s+(?:detected|found|identified|observed|seen|present)|absent)\b",
    re.IGNORECASE,
)


# "weak focal staining", "diffuse strong nuclear expression": staining described, so present
_STAINING_WORDS = r"weak(?:ly)?|focal(?:ly)?|diffuse(?:ly)?|strong(?:ly)?|moderate(?:ly)?|patchy|scattered|intense"
_DESCRIBED_STAINING = re.compile(
    r"(?:(?P<mod>" + _STAINING_WORDS + r")|nuclear|cytoplasmic|membran(?:e|ous))"
    r"(?:[\s,]+(?:and\s+)?(?:" + _STAINING_WORDS + r"|nuclear|cytoplasmic|"
    r"membran(?:e|ous)))*\s+(?:positive\s+)?(?:staining|expression|immunoreactivity|immunostaining|reactivity|"
    r"positivity)\b",
    re.IGNORECASE,
)


_STATED_AFTER = re.compile(r"\s+(?:was|were|is|are)\s+(?:\w+\s+)?(?:negative|absent|lost|not|positive)\b", re.I)
#: Staining described where the tumour's is not, or too scant to call: "only in the stromal cells",
#: "in less than 1% of tumour cells".
_IN_OTHER_TISSUE = (
    r"(?:adjacent\s+|surrounding\s+)?(?:stromal|non-?neoplastic|normal|background|internal|inflammatory|"
    r"lymphocytes|endothelial|vasculature)"
)
_STAINING_ELSEWHERE = re.compile(
    r"\s+(?:was\s+)?(?:seen\s+|present\s+|observed\s+)?(?:only\s+)?(?:in|of)\s+(?:the\s+)?(?:less\s+than|fewer\s+than|<|"
    + _IN_OTHER_TISSUE
    + r")",
    re.IGNORECASE,
)
#: "vimentin positivity in the vasculature", "positive only in the stromal cells": not the tumour's.
_POSITIVE_ELSEWHERE = re.compile(
    # not "in the lymphocytes" nor "in the endothelial cells": a lymphoma's or a vascular tumour's own
    r"\s+(?:only\s+)?(?:in|of)\s+(?:the\s+)?(?:adjacent\s+|surrounding\s+)?(?:stromal|non-?neoplastic|normal|"
    r"background|inflammatory|vasculature)\b",
    re.I,
)


# "CD3, CD5 and CD30 stained the tumour cells": the verb states a positive result of the tumour's
# cells, not of the stroma's ("highlighted reactive T cells", "stained histiocytes")
_STAINED_CELLS = re.compile(
    r"\s+(?:stained|labell?ed|highlighted|decorated)\s+(?:the\s+|a\s+|some\s+|many\s+|most\s+|all\s+|scattered\s+|"
    r"rare\s+|few\s+|numerous\s+)?(?:subset\s+of\s+|majority\s+of\s+|proportion\s+of\s+)?(?:the\s+)?"
    r"(?:tumou?r|neoplastic|malignant|atypical|lesional|carcinoma|lymphoma)\s+(?:cells|nuclei)\b",
    re.IGNORECASE,
)
#: "neither CD3 nor CD5 stained ...": the verb is denied for a marker after these words.
#: "no evidence of HER2 ...", "neither CD3 nor ...", "no observed HHV8 expression or MYC
#: overexpression": a denial before a marker, over one word, "observed" or a denied item and "or".
_DENIAL_REACH = (
    r"\s+(?:(?:evidence|sign|signs)\s+of\s+)?(?:(?:observed|detectable|detected|evident)\s+)?"
    r"(?:[\w-]+\s+(?:protein\s+)?(?:expression|staining|immunoreactivity|amplification)\s+(?:or|nor)\s+)?"
    r"(?:[\w-]+\s*,?\s+)?$"
)
_DENIED_BEFORE = re.compile(r"\b(?:neither|nor|not(?!\s+only)|no|without)" + _DENIAL_REACH, re.IGNORECASE)
#: What a denial before the marker turns into a negative: "no HER2 amplification", "no evidence of
#: EGFR overexpression" (not "no ER-positive cells were seen", read by its own words), and the
#: denials that do ("no", "without"; not "could not exclude MET amplification").
# "no HER2 amplification", "no CK7 positivity": a noun the denial before the marker reaches
_DENIABLE = re.compile(r"amplifi|over-?expres|(?:immuno)?positivity|immunoreactivity|reactivity", re.IGNORECASE)
_NO_BEFORE = re.compile(r"\b(?:no|without|absence\s+of|absent)" + _DENIAL_REACH, re.IGNORECASE)
_NO_STAINING = re.compile(
    r"(?:no|absent|lack\s+of|loss\s+of)\s+(?:(?:nuclear|cytoplasmic|membranous|detectable|specific)\s+)?"
    r"(?:staining|expression|immunoreactivity|immunostaining|reactivity)\b",
    re.IGNORECASE,
)


_BYSTANDER_CELLS = re.compile(
    # "CD3+ T-cell infiltration", but "CD20+ B-cell lymphoma" names the tumour
    r"\s+(?:plasma\s+cells|lymphocytes|[TB][\s-]+(?:cells?|lymphocytes?)"
    r"(?![\s-]+(?:lymphoma|leuka?emia|neoplasm|lymphoproliferative|proliferation|clone|clonal))|"
    r"macrophages|histiocytes|"
    r"(?:inflammatory|immune|mast|dendritic|stromal)\s+cells|neutrophils|eosinophils|"
    # "6.6x10^6 CD34+ cells/kg", "CD4+ cells 42/µl": a count or a dose of cells, not a stain
    r"(?:cells?|lymphocytes?)\s*(?:/\s*|per\s+)(?:kg|[µμu]l|microlit\w*|mm3|mm\^?3|l\b)|"
    r"(?:T[\s-]+)?lymphocyte\s+counts?|T[\s-]+cell\s+counts?)\b",
    re.IGNORECASE,
)
#: A population named in parentheses, then counted: "T lymphocytes (CD3+/CD19-) 1688 cells/µL".
_COUNTED_AFTER = re.compile(
    r"[^()]{0,20}\)\s*(?:(?:were|was|is|are|of|at|=|:)\s*)?\d[\d,.]*\s*(?:cells\b|/|[×x]\s*10)", re.IGNORECASE
)
#: "kappa light chain restriction", "lambda-restricted": the clone's one light chain, so a positive
#: result of it (not "no light chain restriction", a polyclonal population).
_RESTRICTED = re.compile(r"[-\s]+(?:light[-\s]+chains?[-\s]+)?restrict(?:ed|ion)\b", re.IGNORECASE)
_UNRESTRICTED = re.compile(
    r"\b(?:no|not|without|absence\s+of|lack\w*|negative\s+for|neither|nor|fail\w*|unlike|if|whether|would|"
    r"differential|polyclonal|polytypic)\b[^.;]{0,40}$",
    re.IGNORECASE,
)
#: ... or after it: "kappa restriction was not identified", "could not be demonstrated", "was equivocal".
_RESTRICTION_DENIED = re.compile(
    r"[^.;]{0,40}?\b(?:not|absent|excluded|equivocal|inconclusive|suspected|would|could)\b", re.IGNORECASE
)
_EXPRESSED = re.compile(
    r"\s+(?:was|were|is|are)\s+(?P<neg>not\s+)?(?:(?:only\s+)?(?!(?:hardly|rarely|barely|scarcely|seldom)\b)\w+ly\s+)?"
    r"(?P<verb>expressed)\b"
    r"(?!\s+(?:in\s+)?(?:approximately\s+|about\s+)?\d)",  # "expressed in 80%" keeps its percent
    re.IGNORECASE,
)


# "EBER was detected", "TTF-1 was not detected in the tumour cells": found in the tumour, or not
_DETECTED = re.compile(
    r"\s+(?:was|were)\s+(?P<neg>not\s+)?(?P<verb>detected|identified)(?=\s*(?:[.;,]|\(\s*(?:Fig|Figure)|$)|"
    r"\s+(?:in\s+(?:the\s+|most\s+|all\s+|many\s+)?(?:tumou?r|neoplastic|malignant|atypical|lesional)\s+(?:cells|nuclei)|"
    r"by\s+(?:in\s+situ|[CDS]?ISH\b|IHC\b|immunohisto)))",
    re.IGNORECASE,
)

#: ... unless the clause before says what was (not) detected: "no aberrant expression of CD5 or CD10
#: was detected", "mutations in SMO and TP53 were not detected" (read by those words).
_DETECTED_OF_WHAT = re.compile(
    r"\b(?:no|not|without|neither|nor|loss|lack|absence|expression|mutations?|variants?|alterations?|rearrangements?|fusions?|"
    r"amplifications?|deletions?|genes?)\b",
    re.IGNORECASE,
)

#: Where the clause of a marker begins: "ER was not detected, but PR was detected".
_CLAUSE_BREAK = re.compile(r";|,?\s+(?:but|whereas|while|although)\b", re.IGNORECASE)


def _clause_before(text: str, pos: int) -> str:
    """The words of the sentence's clause before ``pos`` (up to 200 characters back)."""
    return _CLAUSE_BREAK.split(text[max(0, pos - 200) : pos].rsplit(". ", 1)[-1])[-1]


_ANOTHER_TIME = re.compile(
    r"\b(?:previous\w*|prior|before|initial\w*|earlier|baseline|primary|biopsy|metasta\w*|recurren\w*|vs\.?|versus)\b",
    re.IGNORECASE,
)


#: A percent after a status and a comma: "ER+, approximately 70%; PR+, 30%".
_AMOUNT_AFTER = re.compile(
    r",\s*(?P<inner>(?:(?:approximately|about|around|roughly|nearly)\s+|[~<>≥≤]\s*)?\d{1,3}(?:\.\d+)?\s*%)"
    r"(?=\s*(?:[;,.)]|and\b|$))",  # not "HER2 negative, 95% of cells were ER positive"
    re.IGNORECASE,
)


#: The share a status word names after it: "Ki-67 positive rate was 30%", "p53-positive index of 40%".
_RATE_AFTER = re.compile(
    r"\s+(?:rate|index|ratio)\s+(?:was|is|of)\s+(?P<inner>(?:(?:approximately|about|around|nearly)\s+|[~<>≥≤]\s*)?"
    r"\d{1,3}(?:\.\d+)?\s*%)",
    re.IGNORECASE,
)


#: The note of a result whose sign and amount disagree ("HER2+, 0%"): no status, none by guideline.
AT_ODDS = "sign and amount at odds: read the source"


def _below_one(value: ResultValue | ParsedResult) -> bool:
    """Whether a value's percent is under 1 %: "(0%)", "(<1%)"."""
    if value.percent is None:
        return False
    return value.percent < 1 or (value.comparator in ("<", "<=") and value.percent <= 1)


def _with_amount(value: ResultValue, text: str, pos: int, end: int) -> tuple[ResultValue, int]:
    """A status with the score or percent the parenthesis or comma after it adds: "HER2-positive
    (3+)", "ER+ (70%)", "ER+, approximately 70%"; the value and where it ends."""
    amount = _PAREN.match(text, pos, end) or _AMOUNT_AFTER.match(text, pos, end) or _RATE_AFTER.match(text, pos, end)
    if amount is not None and _ANOTHER_TIME.search(amount.group("inner")):
        return value, pos  # "PR was positive (previously 0%)": another specimen's amount
    extra = parse_value(amount.group(0)) if amount else None
    if amount is None or extra is None or extra.status not in (None, value.status):
        return value, pos
    if extra.percent is None and extra.score is None:
        return value, pos
    if value.status == "positive" and extra.percent == 0:
        value = replace(value, status=None, note=AT_ODDS)  # "HER2+, 0%": neither is asserted
    return replace(value, percent=extra.percent, comparator=extra.comparator, score=extra.score), amount.end()


_FOR_WHAT_FOLLOWS = re.compile(r"\s+(?:for|to)\b", re.IGNORECASE)
_CELLS_AFTER = re.compile(
    r"\s+(?:\d|(?:the|a|an|all|most|some|many|both|over|up|about|approximately|more|less|half|tumou?r|neoplastic|"
    r"malignant|cells?|nuclei)\b)",
    re.I,
)


def _stated_value(text: str, pos: int, end: int) -> tuple[ResultValue, int, int] | None:
    """A sign, a status word, a percent or a score right after a marker."""
    glued = _GLUED.match(text, pos, end)
    sign = (glued.group("sign") or glued.group("spaced")) if glued else ""
    if glued and sign in "-−–" and _SUSPENDED.match(text, glued.end(), end):
        glued = None  # "receptor- (EGFR-) positive": a hyphen held for the word that follows
    if glued and (_BYSTANDER_CELLS.match(text, glued.end(), end) or _COUNTED_AFTER.match(text, glued.end(), end)):
        return None  # "CD3+ T-cell infiltration": the stroma's cells, not the tumour's; a count of cells
    if glued:
        value = parse_value(sign)
        if value is not None:
            value, value_end = _with_amount(value, text, glued.end(), end)
            return value, glued.start() + len(glued.group(0)) - len(sign), value_end
    restricted = _RESTRICTED.match(text, pos, end)
    if restricted:
        if _UNRESTRICTED.search(text, max(0, pos - 60), pos) or _RESTRICTION_DENIED.match(text, restricted.end(), end):
            return None
        value_start = pos + len(restricted.group(0)) - len(restricted.group(0).lstrip(" -"))
        return ResultValue(status="positive"), value_start, restricted.end()
    hyphen = _HYPHEN_WORD.match(text, pos, end)
    if hyphen and _BYSTANDER_CELLS.match(text, hyphen.end(), end):
        return None  # "IgG4-positive plasma cells", "CD8-positive T cells": the stroma's cells, not the tumour's
    if hyphen:
        value = parse_value(hyphen.group("word"))
        denied = _DENIED.match(text, hyphen.end(), end) if value is not None and value.status == "positive" else None
        if denied:  # "EBV-positive cells were absent"
            return replace(value, status="negative"), hyphen.start(), denied.end()  # type: ignore[arg-type]
        if value is not None:
            pattern = _pattern_name(hyphen.group("mod").strip()) if hyphen.group("mod") else None
            value, value_end = _with_amount(value, text, hyphen.end(), end)
            return replace(value, pattern=pattern or value.pattern), hyphen.start(), value_end
    stained = _STAINED_CELLS.match(text, pos, end)
    if stained and not _denied_before(text, pos):  # "CD30 stained the tumour cells"
        return (
            ResultValue(status="positive"),
            pos + len(stained.group(0)) - len(stained.group(0).lstrip()),
            stained.end(),
        )
    expressed = _EXPRESSED.match(text, pos, end)
    if expressed:  # "TTF-1 was expressed by the tumour cells", "CK20 was not expressed"
        status: Status = "negative" if expressed.group("neg") else "positive"
        return ResultValue(status=status), expressed.start("verb"), expressed.end()
    detected = _DETECTED.match(text, pos, end)
    if detected and not _DETECTED_OF_WHAT.search(_clause_before(text, pos)):
        status = "negative" if detected.group("neg") else "positive"
        return ResultValue(status=status), detected.start("verb"), detected.end()
    filler = _FILLER.match(text, pos, end)
    start = filler.end() if filler else pos
    if start - pos > 60:
        return None
    described = _DESCRIBED_STAINING.match(text, start, end)
    if described and _STAINING_ELSEWHERE.match(text, described.end(), end):
        return None  # "nuclear staining only in the stromal cells": the tumour's is lost
    following = _FOR_WHAT_FOLLOWS.match(text, described.end(), end) if described else None
    if following and not _CELLS_AFTER.match(text, following.end(), end):
        return None  # "DOG1 with patchy positivity for S100": the staining of what follows
    if described and described.group("mod") is None and _STATED_AFTER.match(text, described.end(), end):
        described = None  # "ER nuclear staining was negative": the status after it says
    if described:  # "showed weak focal staining": positive, with its pattern
        pattern = _pattern_name(described.group("mod")) if described.group("mod") else None
        share = _SHARE_STAINED.match(text, described.end(), end)
        if share:  # "revealed nuclear staining in approximately 15% of the tumour cells"
            value = parse_value(share.group("share"))
            if value is not None and value.percent is not None and not _below_one(value):
                value = replace(value, status="positive", pattern=pattern)
                return value, start, share.end()
        return ResultValue(status="positive", pattern=pattern), start, described.end()
    denied = _NO_STAINING.match(text, start, end)
    if denied:  # "showed no nuclear staining"
        return ResultValue(status="negative"), start, denied.end()
    for pattern in (_PAREN, _WORD_VALUE, _NUMERIC_VALUE):
        m = pattern.match(text, start, end)
        if not m or m.end() == m.start():
            continue
        if pattern is _WORD_VALUE and _FOR_WHAT_FOLLOWS.match(text, m.end(), end):
            return None  # "positive for X": the value of what follows, not of this marker
        if pattern is _WORD_VALUE and _leads_next_marker(text, pos, start, m.end(), end):
            return None  # "loss of MLH1 expression with retained MSH2": the value of MSH2
        if pattern is _WORD_VALUE and _POSITIVE_ELSEWHERE.match(text, m.end(), end):
            return None  # "vimentin positivity in the vasculature": the vessels' staining
        value = parse_value(m.group(0))
        positive_cells = pattern is _PAREN and "positiv" in m.group(0).lower()
        if positive_cells and value is not None and value.status == "positive" and _below_one(value):
            return None  # "negative for MPO (<1% positive cells)": the share says the verdict before it
        if value is not None:
            value_start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            denied = _DENIED.match(text, m.end(), end)
            if denied and value.status == "positive" and pattern is _WORD_VALUE:
                return replace(value, status="negative"), value_start, denied.end()
            deniable = pattern is _WORD_VALUE and _DENIABLE.match(m.group("word"))
            denial = _denial_before(text, pos, _NO_BEFORE) if deniable else None
            if denial is not None:  # the quote starts at the denial: "no evidence of HER2 amplification"
                return replace(value, status="negative"), denial, m.end()
            if pattern is _WORD_VALUE and value.percent is None and value.score is None:
                value, value_end = _with_amount(value, text, m.end(), end)  # "Ki-67 was positive (5%)"
                return value, value_start, value_end
            if _seen_in_a_share(text, pos, start, value, m.end()):
                value = replace(value, status="positive")  # "GFAP was observed in 20% of the tumour cells"
            return value, value_start, m.end()
    # A bare "(+)" after a filler-free gap such as "GATA 3(+)" is caught by _PAREN above.
    return None


#: The share of cells a described staining is seen in: "nuclear staining in approximately 15% of".
_SHARE_STAINED = re.compile(
    r"\s+(?:was\s+seen\s+|was\s+observed\s+)?(?:in|of)\s+(?P<share>(?:(?:approximately|about|around|nearly)\s+|"
    r"[~<>≥≤]\s*)?\d{1,3}(?:\.\d+)?\s*%)",
    re.IGNORECASE,
)
_WITH_END = re.compile(r"\bwith\s*$", re.IGNORECASE)
#: Staining found in a share of the cells: "NeuN was detected in 80%".
_SCORE_NEAR = re.compile(r"[^.;]{0,40}?\b[0-3]\s*\+", re.IGNORECASE)
_HER2_BEFORE = re.compile(r"\bHER-?2(?:/neu)?\s*$", re.IGNORECASE)


def _seen_in_a_share(text: str, pos: int, start: int, value: ResultValue, value_end: int) -> bool:
    """Whether a share without a status states staining found ("detected in 80%"): not under 1% or
    "less than", and not of HER2, whose status is its score's."""
    if value.status is not None or not value.percent or value.comparator in ("<", "<="):
        return False
    if _HER2_BEFORE.search(text, max(0, pos - 10), pos) or _SCORE_NEAR.match(text, value_end):
        return False
    return _SEEN_IN.search(text, pos, start) is not None


_SEEN_IN = re.compile(
    r"\b(?:was|were)\s+(?:\w+ly\s+)?(?:detected|observed|seen|noted|found|expressed)\s+in\s+(?:about\s+|approximately\s+)?$",
    re.IGNORECASE,
)


def _leads_next_marker(text: str, pos: int, start: int, value_end: int, end: int) -> bool:
    """Whether a status word reached over "with" stands before another marker: "... expression
    with retained MSH2" (MSH2's, as a prefix), not "... with positive staining"."""
    return bool(_WITH_END.search(text, pos, start)) and _marker_follows(text, value_end, end, over_a_word=True)


def _denied_before(text: str, pos: int) -> bool:
    """Whether the marker ending at ``pos`` follows "neither", "nor", "not" or "no"."""
    return _denial_before(text, pos) is not None


def _denial_before(text: str, pos: int, denial: re.Pattern[str] = _DENIED_BEFORE) -> int | None:
    """Where the denial before the marker ending at ``pos`` starts, if it follows one."""
    start = text.rfind(" ", 0, pos) + 1  # the marker's last word begins here
    found = denial.search(text, max(0, start - 40), start)
    return found.start() if found else None


# "positive cytokeratin 7, negative p63": a status word right before a marker, no preposition.
_BARE_PREFIX = re.compile(
    r"(?:^|(?<=[\s,;:(]))(?P<mod>(?:diffuse(?:ly)?|focal(?:ly)?|strong(?:ly)?|weak(?:ly)?|moderate(?:ly)?)\s+)?"
    r"(?P<word>positive|negative|retained|preserved|lost)\s+$",  # not "intact": "intact PTH" names an assay
    re.IGNORECASE,
)
# "tumour cells expressed CK7 and GATA3", "did not express CK20", "lacked PAX8"
_VERB_PREFIX = re.compile(
    r"\b(?P<neg>(?:did|does|do)\s+not\s+|failed\s+to\s+|not\s+|negatively\s+)?(?:positively\s+)?"
    r"(?P<mod>(?:diffusely|focally|strongly|weakly)\s+)?"
    r"(?P<word>express(?:ed|es|ing)?|lack(?:ed|s|ing)?)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# "no expression of", "without staining for", "absence of": the prefix is negated
_NEGATED = re.compile(
    r"\b(?:no|not(?!\s+only)|without|absence\s+of|absent|lack(?:ed|s|ing)?|loss\s+of)\s+(?:\w+\s+)?$", re.IGNORECASE
)
#: "non-reactive for CK7", "unreactive for": the word after it denied
_NON = re.compile(r"\b(?:non|un)-?$", re.IGNORECASE)
#: "was not positive for ER": the positive word itself denied
_NOT_RIGHT_BEFORE = re.compile(r"\bnot\s+$", re.IGNORECASE)
# "negatively stained for CK7": the adverb gives the polarity of the word after it
_NEGATIVELY = re.compile(r"\bnegatively\s+$", re.IGNORECASE)
# "no mutations in EGFR, KRAS or BRAF", "negative for EGFR mutation", "wild-type for KRAS"
#: A gene of a list before the one read, with its alteration or not, and the separator after it.
_LISTED_GENE = (
    r"(?:(?-i:(?=[\w-]*[A-Z])[A-Za-z][A-Za-z0-9-]{1,9})"
    r"(?:\s+(?:(?:gene|promoter|homozygous|exon\s+\d{1,2})\s+)?(?:mutations?|alterations?|rearrangements?|fusions?|"
    r"variants?|amplifications?|deletions?)|\s+(?:gene|promoter))?"  # "TERT promoter, H3F3A and ..."
    r"\s*(?:,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+|/)\s*)"
)
_MOLECULAR_NEGATIVE = re.compile(
    r"\b(?:no|without|absence\s+of|negative\s+for|wild[-\s]?type\s+for|excluding|excluded|ruled\s+out|"
    r"lack(?:s|ed|ing)?(?:\s+of)?)\s+"
    r"(?:the\s+presence\s+of\s+)?(?:the\s+|an?\s+)?"
    r"(?:(?:detectable|actionable|known|pathogenic|targetable|somatic|driver|significant|other|any|hot[-\s]?spot|"
    r"oncogenic|activating)\s+)*"
    r"(?:(?:mutations?|alterations?|rearrangements?|fusions?|variants?)\s+"
    r"(?:(?:was|were)\s+(?:detected|found|identified|observed|seen)\s+)?"  # "no mutation was found in KRAS"
    r"(?:in|of|for|involving)\s+(?:the\s+)?(?:genes?\s+)?(?:such\s+as\s+|including\s+|like\s+)?)?"
    # "no FGFR or NTRK fusion", "negative for KRAS mutation and ALK fusion": the genes of the list
    # before this one, named or not, each with its alteration or not
    r"(?:" + _LISTED_GENE + r"{1,10}"
    # "... and Telomerase Reverse Transcriptase (TERT)": a gene's name before its symbol, after a
    # listed gene (not "no smoking history (EGFR ...)"), and not "genes ("
    r"(?:(?:(?!genes?\b|panels?\b)[A-Za-z][\w-]*\s+){1,4}\(\s*)?|" + _LISTED_GENE + r"{0,10})$",
    re.IGNORECASE,
)
_MOLECULAR_PREFIX_WORD = re.compile(r"mutation|alteration|rearrangement|fusion|variant|wild", re.IGNORECASE)
# "pathogenic variants in the APC and TP53 genes", "mutations including KRAS and NRAS", "mutations were
# found in the TP53 and PIK3CA genes"
_MOLECULAR_POSITIVE = re.compile(
    r"\b(?:mutations?|variants?|alterations?|rearrangements?|fusions?)\s+"
    # "mutation c.410G>A (G137D) in the DUSP2 gene": the variant before its gene
    r"(?:(?-i:[cp])\.\s*[^\s,;]{2,30}\s+(?:\([^()]{1,20}\)\s+)?)?"
    r"(?:(?:was|were)\s+(?:also\s+)?(?:found|detected|identified|observed|noted)\s+)?"
    r"(?:in|of|involving|including|affecting)\s+"
    r"(?:the\s+)?(?:genes?\s+)?(?:such\s+as\s+)?$",
    re.IGNORECASE,
)
# ... unless the phrase names what was tested for; in a clause that states a finding
_MOLECULAR_TESTED = re.compile(
    r"\b(?:for|assess\w*|evaluat\w*|look\w*\s+for|search\w*\s+for)\s+(?:\w+\s+){0,2}$",
    re.IGNORECASE,
)
_FINDING_VERB = re.compile(
    r"\b(?:reveal|show|identif|detect|found|harbo|carr|confirm|demonstrat|disclos|present)\w*", re.IGNORECASE
)
_NEGATION_BEFORE = re.compile(
    r"\b(?:not|no|never|without|absence\s+of|negative\s+for|free\s+of)\b(?:\s+[\w-]+){0,3}\s*$", re.IGNORECASE
)


_SHARE_BEFORE = re.compile(
    r"(?:" + _CMP + r"\s*)?(?P<num>" + _NUM + r")\s*%\s+of\s+(?:the\s+)?(?:tumou?r\s+|neoplastic\s+|cancer\s+)?"
    r"(?:cells|nuclei)\s+(?:(?:were|was|showed|exhibited|displayed|demonstrated|had)\s+)?$",
    re.IGNORECASE,
)


_POLARITY_BY_METHOD = re.compile(
    r"\b(?P<word>positive|negative)\s+(?:by|on|with|in)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE
)


_SHOWED_BEFORE = re.compile(
    r"\b(?:showed|shows|revealed|demonstrated|confirmed|detected)\s+(?:an?\s+)?$", re.IGNORECASE
)


#: What a marker's name qualifies when it is no result: "PD-L1 testing", "HER2-targeted therapy", "ALK inhibitors".
_NOT_A_RESULT_AFTER = re.compile(
    r"[\w/.-]+(?:\s*(?:,|or|and)\s*[\w/.-]+)*[\s-]+(?:targeted|therap\w*|test\w*|inhibitors?|data|availability|"
    r"drugs?|agents?|treatment)\b",
    re.IGNORECASE,
)


def _prefix_for(text: str, pos: int, begin: int) -> tuple[ResultValue, int, int] | None:
    """A value written before a list of markers starting at ``pos``: "positive for", "expression of"."""
    window_start = max(begin, pos - 120)
    window = text[window_start:pos]
    best = None
    for m in _PREFIX.finditer(window):
        gap = window[m.end() :]
        bare = re.fullmatch(r"(?:lack|absence)\s+of", m.group("word"), re.IGNORECASE) is not None
        # "lack of approved therapies, ... IVIG", "absence of PD-L1 testing", "lack of HER2-targeted therapy"
        fits = (
            (not gap.strip() and not _NOT_A_RESULT_AFTER.match(text, pos)) if bare else _LIST_GAP.match(gap) is not None
        )
        if fits and (best is None or m.end() > best.end()):
            best = m
    denied = [m for m in _NOT_FOR.finditer(window) if _LIST_GAP.match(window[m.end() :])]
    clause = window.rfind(";", 0, denied[-1].start()) + 1 if denied else 0  # the prefix of the same clause
    earlier = list(_PREFIX.finditer(window, clause, denied[-1].start())) if denied else []
    stated = bool(earlier) and _STATUS_WORD.match(earlier[-1].group("word")) is not None
    verbs = list(_EXPRESSING.finditer(window, clause, denied[-1].start())) if denied else []
    # "negative for CK20, expressing TTF-1 but not p40": the nearer of the prefix and the verb
    verb = verbs[-1] if verbs and (not stated or verbs[-1].start() > earlier[-1].start()) else None
    bystander = bool(denied) and _BYSTANDERS.search(window, clause, denied[-1].start()) is not None
    if (stated or verb) and not bystander:
        # "immunoreactivity for Pit-1, but not for SF-1 and ER": the list after "not for" has the other status;
        # "expressed PAX8 but not GATA3": the verb's list is positive, the one after "not" negative
        was_negative = not verb and re.match(r"negativ|lack|loss|absen", earlier[-1].group("word"), re.I) is not None
        was_negative = was_negative and not denied[-1].group("not").lower().startswith("neither")
        value = ResultValue(status="positive" if was_negative else "negative")
        return value, window_start + denied[-1].start("not"), window_start + denied[-1].end()
    if best is None:
        return None
    word = best.group("word").lower()
    lead = window[: best.start() + len(best.group(0)) - len(best.group(0).lstrip())]
    lead_end = window_start + len(lead)
    non = _NON.search(lead)  # "background lymphocytes were unreactive for": the subject before "un"
    subject_end = lead_end - (len(non.group(0)) if non else 0)
    if _BYSTANDER_SUBJECT.search(text, max(begin, subject_end - 200), subject_end):
        return None  # "Follicular dendritic cells were positive for CD21 and CD23": not the tumour's
    negated = _NEGATED.search(lead) or _NEGATIVELY.search(lead) or _NON.search(lead)
    if word.startswith("amplification") and not (negated or _SHOWED_BEFORE.search(lead)):
        return None  # "testing for amplification of HER2" states no result; "no", "showed amplification of" do
    by_method = _POLARITY_BY_METHOD.search(lead)  # "negative by immunohistochemical staining for"
    if by_method and not ("positiv" in word or "negativ" in word):
        word = by_method.group("word").lower()
    if word.startswith(("lack", "loss", "absen")) and negated:
        status: Status = "positive"  # "no loss of MLH1 expression": retained
    elif (
        "negativ" in word
        or word.startswith(("lack", "loss", "absen"))
        or (negated and ("positiv" not in word or (_NOT_RIGHT_BEFORE.search(lead) and not best.group("mod"))))
    ):
        status = "negative"
    else:
        status = "positive"
    pattern = _pattern_name(best.group("mod")) if best.group("mod") else None
    start = window_start + best.start() + (len(best.group(0)) - len(best.group(0).lstrip()))
    end = window_start + best.end()
    share = _SHARE_BEFORE.search(lead)
    if share is not None:  # "90% of tumour cells were positive for ER and PR": the share of each
        return _with_share(ResultValue(status=status, pattern=pattern), share), start, end
    return ResultValue(status=status, pattern=pattern), start, end


def _with_share(value: ResultValue, share: re.Match[str]) -> ResultValue:
    """``value`` with the share of cells a :data:`_SHARE_BEFORE` match gives."""
    return replace(
        value, percent=float(share.group("num").replace(",", ".")), comparator=_comparator(share.group("cmp"))
    )


def _prefix_adjacent(text: str, pos: int, begin: int) -> tuple[ResultValue, int, int] | None:
    """A status word or verb right before a marker: "negative estrogen receptor", "expressed CK7"."""
    window_start = max(begin, pos - 60)
    window = text[window_start:pos]
    list_start = max(begin, pos - 160)  # "no mutations in IDH1, IDH2, BRAF, FGFR1, TERT promoter, H3F3A"
    molecular = _MOLECULAR_NEGATIVE.search(text, list_start, pos)
    if molecular and _MOLECULAR_PREFIX_WORD.search(molecular.group(0) + text[pos : pos + 40]):
        value = ResultValue(status="negative", assay="molecular")
        return value, molecular.start(), molecular.end()
    found = _MOLECULAR_POSITIVE.search(window)
    sentence = text[begin : pos + 60]
    if found and not _MOLECULAR_TESTED.search(window[: found.start()]) and _FINDING_VERB.search(sentence):
        denied = _NEGATION_BEFORE.search(window[: found.start()])
        value = ResultValue(status="negative" if denied else "positive", assay="molecular")
        return value, window_start + (denied or found).start(), window_start + found.end()
    for regex in (_BARE_PREFIX, _VERB_PREFIX):
        m = regex.search(window)
        if m is None:
            continue
        word = m.group("word").lower()
        negative = word.startswith(("negativ", "lack", "lost")) or bool(m.groupdict().get("neg"))
        pattern = _pattern_name(m.group("mod").strip()) if m.group("mod") else None
        value = ResultValue(status="negative" if negative else "positive", pattern=pattern)
        share = _SHARE_BEFORE.search(window, 0, m.start()) if not negative else None
        if share is not None:  # "almost 100% of the tumour cells expressed Ki67": the share of it
            value = _with_share(value, share)
        start = window_start + (share.start() if share is not None else m.start())
        return value, start, window_start + m.end() - (len(m.group(0)) - len(m.group(0).rstrip()))
    return None


def _prefix(text: str, pos: int, begin: int) -> tuple[ResultValue, int, int] | None:
    """The nearer of a prefix with a preposition ("positive for") and one right before the list."""
    found = [v for v in (_prefix_for(text, pos, begin), _prefix_adjacent(text, pos, begin)) if v is not None]
    best = max(found, key=lambda v: v[2]) if found else None
    if best is not None and _NO_SUCH_CELLS.search(text, max(begin, best[1] - 80), best[1]):
        return None  # "no evidence of plasma cells expressing kappa and lambda": no cells, no result
    if best is not None and _NON_SPECIFIC.search(text, max(begin, best[1] - 40), best[1]):
        return None  # "patchy non-specific staining for TdT": background, neither positive nor negative
    return best


_NON_SPECIFIC = re.compile(r"\bnon-?\s?specific\s+(?:[a-z]+\s+)?$", re.IGNORECASE)


#: Cells the text denies, described by the staining that follows: "showed no plasma cells expressing".
_NO_SUCH_CELLS = re.compile(
    r"\b(?:no|without|absence\s+of)\s+(?:evidence\s+of\s+)?(?:(?!and\b|or\b)[\w-]+\s+){0,3}?"
    r"(?:cells|plasmacytes|lymphocytes|blasts|population)\s+(?:showing\s+|with\s+)?(?:\w+\s+)?$",
    re.IGNORECASE,
)


#: The members of one panel in parentheses, then the next item or panel: "melanocytic markers (HMB45
#: and Melan A), neuroendocrine markers (chromogranin A and CD56) and desmin".
_PANEL_OPENS = re.compile(r"\b(?:[A-Za-z-]+\s+){0,2}markers?\s*\(\s*$", re.IGNORECASE)
_PANEL_CLOSES = re.compile(
    r"\s*\)\s*(?:,\s*(?:and\s+)?|\s+and\s+)(?:(?:[A-Za-z-]+\s+){0,2}markers?\s*\(\s*)?", re.IGNORECASE
)


def _out_of_a_panel(text: str, run_start: int, prev_end: int, start: int, begin: int) -> re.Match[str] | None:
    """The joint after the last member of a panel in parentheses opened within the list."""
    window_start = max(begin, run_start - 40)
    bracket = text.rfind("(", window_start, prev_end)
    if bracket < 0 or ")" in text[bracket:prev_end] or not _PANEL_OPENS.search(text, window_start, bracket + 1):
        return None
    return _PANEL_CLOSES.fullmatch(text, prev_end, start)


#: An item the vocabulary does not know between two of a list: ", natural killer cell antigen, and ".
_OVER_AN_ITEM = re.compile(
    r"\s*,\s*(?!(?:and|or)\b)(?:(?!positiv|negativ|express|stain|react|\b(?:was|were|is|are|but|while|whereas|"
    r"except|not|no|with|in|of)\b)[\w\-/ ]){2,30}(?:\s*\([\w\-/ ]{1,12}\))?(?:[\w\- ]{0,15})\s*,\s*(?:and\s+|or\s+)?",
    re.IGNORECASE,
)


def _lists(text: str, mentions: list[MarkerMention], begin: int, end: int) -> list[list[int]]:
    """Group mentions into runs joined by commas, "and", "/" (or over one item the vocabulary lacks);
    a mention with its own value stands alone, and so does one that opens a clause of its own
    ("positive for vimentin and CD34 was negative")."""
    runs: list[list[int]] = []
    for i, m in enumerate(mentions):
        if runs:
            prev = mentions[runs[-1][-1]]
            joined = (
                _CONNECTOR.fullmatch(text, prev.end, m.start)
                or _OVER_AN_ITEM.fullmatch(text, prev.end, m.start)
                or _out_of_a_panel(text, mentions[runs[-1][0]].start, prev.end, m.start, begin)
            )
            # "CK7, and nuclear TTF-1 was negative": a qualified item with its own value stands alone
            own = joined is not None and joined.groupdict().get("modifier") and _own_value(text, m, end) is not None
            if (
                joined
                and not own
                and _postfix(text, prev.end, end) is None
                and not _opens_own_clause(text, mentions, i, first=runs[-1][0], begin=begin, end=end)
            ):
                runs[-1].append(i)
                continue
        runs.append([i])
    return runs


_POLARITY_WORD = re.compile(r"positiv|negativ|reactiv", re.IGNORECASE)
_SINGULAR_VERB = re.compile(r"\s*(?:expression\s+|staining\s+)?(?:was|is|has\s+been)\b", re.IGNORECASE)
_PLURAL_VERB = re.compile(r"\s*(?:expression\s+|staining\s+)?(?:were|are|have\s+been)\b", re.IGNORECASE)


_COMMA_AND = re.compile(r"\s*,\s*and\s+")
_EITHER_NUMBER_VERB = re.compile(
    r"\s*(?:expression\s+|staining\s+)?(?:showed|shows|revealed|demonstrated|displayed|exhibited)\b", re.IGNORECASE
)


def _verb_takes(text: str, mentions: list[MarkerMention], i: int, last: int, verb_end: int) -> bool:
    """Whether the verb after mention ``last`` has the items from ``i`` on as its subject: a singular
    verb the last item alone, a plural one the items after the list's last comma; a verb of either
    number the item after ", and" alone ("negative for ER, and PR showed weak positivity")."""
    verb = text[mentions[last].end : verb_end]
    if _SINGULAR_VERB.match(verb):
        return last == i
    if _EITHER_NUMBER_VERB.match(verb):
        return last == i and i > 0 and _COMMA_AND.fullmatch(text, mentions[i - 1].end, mentions[i].start) is not None
    commas = ["," in text[mentions[j - 1].end : mentions[j].start] for j in range(i, last + 1)]
    return bool(_PLURAL_VERB.match(verb)) and commas[0] and not any(commas[1:])


def _opens_own_clause(text: str, mentions: list[MarkerMention], i: int, *, first: int, begin: int, end: int) -> bool:
    """Whether mention ``i`` is the subject of a clause of its own after a list a prefix governs:
    "positive for vimentin and CD34 was negative", "positive for vimentin, and S100 and CD34 were
    negative" (the verb's number says how many items it has; a plural verb takes the items after
    the list's last comma). Only a status opposite to the prefix's parts the list."""
    last = i
    while last + 1 < len(mentions) and _postfix(text, mentions[last].end, end) is None:
        if _CONNECTOR.fullmatch(text, mentions[last].end, mentions[last + 1].start) is None:
            break
        last += 1
    tested = _TESTED_AFTER_LIST.match(text, mentions[last].end, end)
    if tested and last == i and _SINGULAR_VERB.match(text, mentions[last].end, end):
        prefix = _prefix(text, mentions[first].start, begin)  # "negative for ALK and ROS1 was sent": ROS1's
        return prefix is not None and _POLARITY_WORD.search(text, prefix[1], prefix[2]) is not None
    trailing = _postfix(text, mentions[last].end, end)
    denied = _DENIED_AFTER_LIST.match(text, mentions[last].end, end)
    if denied is not None:  # "and CD34 was absent"
        trailing = ResultValue(status="negative"), denied.end(), denied.end()
    if trailing is None or trailing[0].status is None or not _verb_takes(text, mentions, i, last, trailing[1]):
        return False
    prefix = _prefix(text, mentions[first].start, begin)
    if prefix is None or not _POLARITY_WORD.search(text, prefix[1], prefix[2]):
        return False  # "Mutations in KRAS and NRAS were not detected": the list's subject, denied
    return prefix[0].status not in (None, trailing[0].status)


# Marker names that carry their result: "MSI-H", "microsatellite stable", "dMMR", "MMR-proficient".
_INTRINSIC: list[tuple[re.Pattern[str], Status]] = [
    (re.compile(r"MSI-?L\b|\blow|\bstab|\bMSS\b", re.IGNORECASE), "negative"),
    (re.compile(r"MSI-?H\b|high", re.IGNORECASE), "positive"),
    (re.compile(r"\bdMMR\b|deficien", re.IGNORECASE), "negative"),
    (re.compile(r"\bpMMR\b|proficien|intact|retained|preserved", re.IGNORECASE), "positive"),
]


def _intrinsic(name: str) -> ResultValue | None:
    for pattern, status in _INTRINSIC:
        if pattern.search(name):
            return ResultValue(status=status)
    return None


_FISH = re.compile(r"\bFISH\b|fluorescen(?:t|ce)\s+in\s+situ", re.IGNORECASE)
_ISH = re.compile(r"\b(?:[SCD]?ISH|in\s+situ\s+hybridi[sz]ation)\b", re.IGNORECASE)
_NGS = re.compile(
    r"\bNGS\b|next[-\s]generation\s+sequencing|(?:exome|genomic|panel|targeted|gene)\s+sequencing|"
    r"\bsequencing\b|\bFoundationOne|\bOncomine",
    re.IGNORECASE,
)
_PCR = re.compile(r"\bPCR\b|polymerase\s+chain\s+reaction|\bARMS\b|pyrosequencing|Sanger", re.IGNORECASE)


_IMMUNO = re.compile(r"immuno|\bIHC\b|stain|express|reactiv", re.IGNORECASE)


def _assay(value: ResultValue, between: str, sentence: str) -> tuple[str, str | None]:
    """The assay of a result and a note when it is assumed: hybridisation, molecular or IHC.

    A hybridisation is named between the marker and its value ("HER2 by FISH was negative"),
    or the value is an amplification with a hybridisation named in the sentence; a gene
    alteration is a result of sequencing when the sentence names one, of PCR otherwise.
    """
    amplification = bool(_AMPLIFICATION.search(between))
    if value.assay == "molecular":
        if re.search(r"immunohisto|immunostain|\bIHC\b", between, re.IGNORECASE):
            return "IHC", None  # "BRAF V600E immunohistochemistry was negative": a variant-specific antibody
        if _FISH.search(sentence) and re.search(r"rearrang|fusion|translocat|split", between, re.IGNORECASE):
            return "FISH", None
        if re.search(r"Sanger|pyrosequencing", sentence, re.IGNORECASE):
            return "PCR", None
        if _NGS.search(sentence):
            return "NGS", None
        if _PCR.search(sentence):
            return "PCR", None
        return "PCR", "molecular assay not named in the text; PCR assumed"
    if _FISH.search(between) or (amplification and _FISH.search(sentence)):
        return "FISH", None
    if _ISH.search(between) or (amplification and _ISH.search(sentence)):
        return "ISH", None
    if amplification:
        return ("NGS", None) if _NGS.search(sentence) else ("ISH", "hybridisation assay assumed for an amplification")
    if not _IMMUNO.search(sentence):  # "NGS was negative for EGFR and BRAF": a sentence of sequencing alone
        if _NGS.search(sentence):
            return "NGS", None
        if _PCR.search(sentence):
            return "PCR", None
    return "IHC", None


# "FISH showed no HER2 amplification", "ISH was negative": a hybridisation result of the marker
# named in the clause, or of the nearest marker before it in the sentence.
_ISH_STATEMENT = re.compile(
    r"(?P<method>\b(?:FISH|[SCD]?ISH)\b|(?i:(?:fluorescen(?:t|ce)\s+|silver\s+|chromogenic\s+|dual[-\s]colou?r\s+)?"
    r"in\s+situ\s+hybridi[sz]ation))"
    r"(?P<mid>(?:[^.;]|\.(?=\d)){0,80}?)"
    r"(?P<word>(?i:not\s+amplified|non-?amplified|unamplified|no\s+(?:\w+\s+){0,3}?(?:amplification|rearrangement)|"
    r"without\s+(?:\w+\s+){0,2}?amplification|negative|equivocal|amplified|amplification|positive|"
    r"rearranged|rearrangement|split))",
)


# "mutation analysis for EGFR was negative": a result of testing the gene, not of staining its protein
_MUTATION_TEST_BEFORE = re.compile(
    r"\b(?:mutation(?:al)?\s+(?:analys[ie]s|testing|tests?|screening|profiling|studies|study)|sequencing)\s+"
    r"(?:for|of)\s+(?:the\s+)?(?:[\w-]{2,10}\s*(?:,\s*|\s+and\s+|\s+or\s+|/)\s*){0,4}$",
    re.IGNORECASE,
)
#: Markers a gene test has no result for: their results are of staining (PD-L1, the MMR proteins).
_NOT_GENE_RESULTS = {"PD-L1", "MMR"}


# "FISH for ALK was negative": the method named right before the marker
_METHOD_BEFORE = re.compile(
    r"(?:\b(?:FISH|[SCD]?ISH)|(?i:in\s+situ\s+hybridi[sz]ation))\s+(?i:(?:analysis\s+)?(?:for|of)\s+(?:the\s+)?)$"
)


#: The method named right after a result: "positive by FISH", "negative on next-generation sequencing".
#: "ALK was positive by FISH"; not past "and" ("HER2 2+ by IHC and FISH showed no amplification": the
#: hybridisation has its own verdict, read as a statement of its own)
_BY_METHOD_AFTER = re.compile(
    r"\s+(?:by|on|with)\s+(?:the\s+)?(?!(?:no|not|without)\b)[\w-]+(?:\s+(?!(?:and|or|but)\b)[\w-]+){0,2}"
)
#: A hybridisation verdict written after the result: "HER2 was 2+ by IHC but negative by FISH".
_ISH_AFTER = re.compile(
    r"(?P<word>(?i:not\s+amplified|non-?amplified|unamplified|negative|equivocal|amplified|positive))\s+"
    r"(?i:by|on|with|at)\s+(?:the\s+)?(?P<method>\b(?:FISH|[SCD]?ISH)\b|(?i:(?:fluorescen(?:t|ce)\s+|silver\s+|"
    r"chromogenic\s+|dual[-\s]colou?r\s+)?in\s+situ\s+hybridi[sz]ation))"
)


def _ish_statements(
    text: str, mentions: Sequence[MarkerMention], start: int, end: int, done: set[tuple[str, str]]
) -> list[ParsedResult]:
    out: list[ParsedResult] = []
    statements = [*_ISH_STATEMENT.finditer(text, start, end), *_ISH_AFTER.finditer(text, start, end)]
    for m in sorted(statements, key=lambda x: x.start()):
        after = m.re is _ISH_AFTER
        inside = [] if after else [x for x in mentions if m.start("mid") <= x.start and x.end <= m.end("mid")]
        # without a marker in the clause, the one marker tested by hybridisation as a routine: HER2
        her2 = [x for x in mentions if x.key == "HER2" and x.end <= m.start()]
        target = inside[0] if inside else (her2[-1] if her2 else None)
        if target is None:
            continue
        assay = "FISH" if _FISH.search(m.group("method")) else "ISH"
        if (target.key, assay) in done or any((target.key, a) in done for a in ("FISH", "ISH")):
            continue
        word = m.group("word").lower()
        if word.startswith(("not", "non", "unampl", "no ", "without", "negative")) or _DENIED.match(text, m.end(), end):
            status: Status = "negative"
        elif word == "equivocal":
            status = "equivocal"
        else:
            status = "positive"
        done.add((target.key, assay))
        span = (target.start, target.end)
        out.append(ParsedResult(target.key, status, None, None, None, None, span, (m.start(), m.end()), assay))
    return out


def parse_results(
    text: str, mentions: Sequence[MarkerMention], start: int = 0, end: int | None = None
) -> list[ParsedResult]:
    """Attach a value to each marker mention in ``text[start:end]``; markers without one are left out.

    Mentions are ontology term matches of the marker category; their offsets are offsets of
    ``text``. Results come out in the order of the mentions, then results of hybridisation
    statements that name no value next to the marker ("FISH showed no amplification").
    """
    end = len(text) if end is None else end
    mentions, results = _triple_negative(text, [m for m in mentions if start <= m.start and m.end <= end])
    inside = _without_panels_named_by_members(merge_parenthesised(mentions, text), text)
    sentence = text[start:end]
    claimed = start  # a value already read after a marker is no prefix of the next one
    carried: tuple[ResultValue, int, int] | None = None  # the prefix of a list a bare percent interrupted
    for run in _lists(text, inside, start, end):
        members = [inside[i] for i in run]
        own = [
            _denied(text, members[0].start, start, _own_value(text, m, end)) or _expression_shown(text, m, start)
            for m in members
        ]
        own = _denied_list(text, members[0].start, start, own)
        if len(members) > 1 and own[-1] is None:  # "showed CD10, CD68 and vimentin expression"
            own[-1] = _expression_shown(text, members[-1], start, lead_end=members[0].start)
        shared = own[-1]
        prefix = None
        if shared is None or shared[0].status is None:
            prefix = _prefix(text, members[0].start, start)
            if prefix is not None and prefix[1] < claimed:
                prefix = None
            if prefix is None and carried is not None and _CONNECTOR.fullmatch(text, claimed, members[0].start):
                prefix = carried  # "expressed CD3, CD30 (30%), and BCL-2": the list goes on after the percent
            if prefix is None and results:
                prefix = _alike(text, members[0].start, results[-1])
            # "expressed CD20, BCL-2 and CD10 (30%)": the percent is the last one's, the verb everyone's
            if prefix is not None and not _TESTED_AFTER_LIST.match(text, members[-1].end, end):
                shared = _denied_after_list(text, prefix, members[-1].end, end)
            elif shared is None or shared[1] < claimed:
                shared = None
        carried = prefix if own[-1] is not None and own[-1][0].status is None else None
        own = _respective(text, members, own, shared, end)
        for mention, value in zip(members, own, strict=True):
            chosen = value if value is not None else shared
            if chosen is None:
                continue
            if value is not None and value[0].status is None and shared is not None and shared is not value:
                # "positive for ER (90%), PR (80%)": the list's status; not over a score or a
                # percent below 1 that decides by itself ("positive for ER (90%) and HER2 (1+)")
                decided = (mention.key == "HER2" and value[0].score is not None) or (
                    _below_one(value[0]) and shared[0].status == "positive"
                )
                chosen = (value[0] if decided else replace(value[0], status=shared[0].status)), value[1], value[2]
            v, vs, ve = chosen
            if value is not None:
                claimed = max(claimed, ve)
            if (
                v.assay is None
                and v.status
                and _MUTATION_TEST_BEFORE.search(text, max(start, mention.start - 80), mention.start)
            ):
                v = replace(v, assay="molecular")
            if v.assay == "molecular" and mention.key in _NOT_GENE_RESULTS:
                continue  # "no mutation was detected in the MMR genes" is no MMR status
            marker = mention.key
            if mention.key == "HER2" and v.assay == "molecular":
                if _AMPLIFIED.search(text, min(mention.end, vs), max(mention.end, ve)) or _AMPLIFIED_AFTER.match(
                    text, ve
                ):
                    continue  # an amplification without its assay: no status the reasoner may read as HER2's
                marker = "ERBB2"  # a mutation of the gene, kept apart from HER2 status, which is read from the protein
            lo, hi = min(mention.end, vs), max(mention.end, ve)
            method = _METHOD_BEFORE.search(text, max(start, mention.start - 30), mention.start)
            between = text[lo:hi] if vs >= mention.end else text[vs:ve]
            by_method = _BY_METHOD_AFTER.match(text, ve, end)  # "ALK was positive by FISH"
            between += by_method.group(0) if by_method else ""
            assay, assumed = _assay(v, (method.group(0) if method else "") + between, sentence)
            notes = [n for n in (v.note, assumed) if n]
            results.append(
                ParsedResult(
                    marker,
                    v.status,
                    v.percent,
                    v.comparator,
                    v.score,
                    v.pattern,
                    (mention.start, mention.end),
                    (vs, ve),
                    assay,
                    "; ".join(notes) or None,
                )
            )
    results += _second_verdicts(text, results, end)
    done = {(r.marker, r.assay) for r in results}
    return results + _ish_statements(text, inside, start, end, done)


#: "ER was positive in the primary tumour but negative in the liver metastasis": one marker, a verdict
#: for each of two lesions named after it.
_SECOND_VERDICT = re.compile(
    r"\s+(?:in|on)\s+(?:the|this|her|his)\s+(?:[\w-]+\s+){0,3}?[\w-]+,?\s+(?:and|but|while|whereas)\s+"
    r"(?:(?:was|were)\s+)?(?P<word>positive|negative)(?=\s+(?:in|on)\s+(?:the|this|her|his)\s)",
    re.IGNORECASE,
)


def _second_verdicts(text: str, results: list[ParsedResult], end: int) -> list[ParsedResult]:
    """The other lesion's verdict of a result given for two lesions in turn."""
    out = []
    for r in results:
        second = _SECOND_VERDICT.match(text, r.value_span[1], end)
        if second is None or r.status not in ("positive", "negative"):
            continue
        status: Status = "positive" if second.group("word").lower() == "positive" else "negative"
        span = (second.start("word"), second.end("word"))
        out.append(replace(r, status=status, percent=None, comparator=None, score=None, value_span=span, note=None))
    return out


_AMPLIFIED = re.compile(r"amplif", re.IGNORECASE)
_AMPLIFIED_AFTER = re.compile(r"\s*\(\s*amplif", re.IGNORECASE)  # "an ERBB2 alteration (amplification)"

#: Percents given in the order of the markers: "BCL-2 and MYC were 80% and 30%, respectively".
_RESPECTIVELY = re.compile(
    # "ER and PR were positive (90% and 60%, respectively)": the percents may open a parenthesis
    r"(?P<values>(?:(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+|\s*\(\s*|\s+)(?:" + _CMP + r"\s*)?" + _NUM + r"\s*%){2,})"
    r"(?:\s+of\s+(?:the\s+)?(?:tumou?r\s+)?(?:cells|nuclei))?(?P<respectively>\s*,?\s*respectively\b)?",
    re.IGNORECASE,
)
_SENTENCE_STOP = re.compile(r"[;.](?:\s|$)")
_ONE_PERCENT = re.compile("(?:" + _CMP + r"\s*)?(?P<num>" + _NUM + r")\s*%", re.IGNORECASE)


def _respective(
    text: str,
    members: list[MarkerMention],
    own: list[tuple[ResultValue, int, int] | None],
    shared: tuple[ResultValue, int, int] | None,
    end: int,
) -> list[tuple[ResultValue, int, int] | None]:
    """Each marker of a list its own percent where the text gives one percent per marker in the
    list's order: "respectively" after them, or the percents right after the list ("ER and PR
    were 80% and 30%"); otherwise ``own`` as it is."""
    clause = _SENTENCE_STOP.search(text, members[-1].end, end)
    stop = clause.start() if clause else end
    found = _RESPECTIVELY.search(text, members[-1].end, stop)
    if found is None:
        return own
    gap = _FILLER.match(text, members[-1].end, stop)
    if not found.group("respectively") and (gap is None or gap.end() < found.start("values") - 1):
        return own
    percents = list(_ONE_PERCENT.finditer(text, found.start("values"), found.end("values")))
    base = own[-1] or shared
    if len(percents) != len(members) or base is None:
        return own
    return [
        (
            replace(base[0], percent=float(p.group("num").replace(",", ".")), comparator=_comparator(p.group("cmp"))),
            p.start(),
            p.end(),
        )
        for p in percents
    ]


# "showed strong diffuse CK7 expression and patchy TTF-1 reactivity": staining shown, so present;
# "no CK7 expression, nor TTF-1 expression": absent
_SHOWN_VERBS = r"show(?:ed|s|ing)?|demonstrat\w*|reveal\w*|exhibit\w*|display\w*|there\s+(?:was|were)"
_SHOWN = r"\b(?:" + _SHOWN_VERBS + r"|with)\s+"
_STAINING_MODIFIERS = (
    r"(?:(?:" + _STAINING_WORDS + r"|nuclear|cytoplasmic|membran(?:e|ous)|immuno(?:histo)?chemical)[\s,]+(?:and\s+)?)*"
)
_SHOWN_BEFORE = re.compile(
    r"(?:" + _SHOWN + r"(?:the\s+)?|\b(?:" + _SHOWN_VERBS + r")\s+an?\s+)"  # not "with a CD30 stain pending"
    r"(?:(?:retained|preserved|intact)\s+)?" + _STAINING_MODIFIERS + r"$",
    re.IGNORECASE,
)
_EXPRESSION_NOUN = (
    r"(?:expression|immunoreactivity|reactivity|immunostaining|staining|positivity|"
    r"(?:immuno(?:histo)?chemical\s+)?(?:reaction|stain(?:ing)?))"
)
_CHAINED_BEFORE = re.compile(
    r"\b" + _EXPRESSION_NOUN + r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)" + _STAINING_MODIFIERS + r"$", re.IGNORECASE
)
_NONE_BEFORE = re.compile(
    r"\b(?:no|nor|without|absent|(?<!no\s)(?<!without\s)(?:lack|loss)\s+of|"
    # "did not show CK7 and TTF-1 expression", "failed to demonstrate CK7 expression"
    r"(?:did|does|could|can)\s*(?:not|n't)\s+(?:show|demonstrate|reveal|exhibit|display)|"
    r"failed\s+to\s+(?:show|demonstrate|reveal))\s+(?:(?:observed|detectable|evident)\s+)?"
    + _STAINING_MODIFIERS
    + r"$",
    re.I,
)
_DENIAL_NEAR = re.compile(
    r"\b(?:no|not|without|neither|nor|absen\w*|lack\w*|loss|lost|reduced|decreased|diminished)\b", re.IGNORECASE
)
#: Where staining was noted, when that is not plainly the tumour: "only in the reactive T cells", "in <1%".
_NOTED_ELSEWHERE = re.compile(r"\s+(?:only\s+)?in\b", re.IGNORECASE)
_NOT_FOR = re.compile(
    # "positive for CK7 but not for CK20", "expressed PAX8 but not GATA3", "... but neither CK7 nor p63"
    r"(?:,\s*|\s+)(?:but\s+|and\s+|while\s+|whereas\s+)?(?P<not>not(?!\s+(?:only|\w+ly)\b)|neither)\s+(?:(?:for|with)\s+)?"
    r"(?:the\s+)?",
    re.IGNORECASE,
)
#: Cells around a tumour named in the clause: "background lymphocytes expressed CD3 but not CD20".
#: The cells a tumour's stroma holds, and how a report sets them apart from the tumour's own.
_STROMAL_CELLS = r"(?:lymphocytes|[TB][\s-]cells|plasma\s+cells|inflammatory\s+cells)"
_AROUND_THE_TUMOUR = r"(?:background|reactive|surrounding|infiltrating|intervening|admixed|scattered)\s+(?:small\s+)?"
_BYSTANDERS = re.compile(
    r"\b" + _AROUND_THE_TUMOUR + r"(?:" + _STROMAL_CELLS + r"|histiocytes)\b",
    re.IGNORECASE,
)
#: A verb that states staining before a list: "the tumour cells expressed PAX8 and WT1 but not ...".
_EXPRESSING = re.compile(
    # not "stained for CK7 but not for CDX2" (which may tell what was stained, not what was found)
    r"\b(?<!not\s)(?:express(?:ed|es|ing)|(?:immuno)?stain(?:ed|s)\s+\w+ly\s+for|reacted\s+with)\b",
    re.I,
)
#: The words of a prefix that state a status, which "but not for" turns round (not "staining was repeated for").
_STATUS_WORD = re.compile(r"(?:immuno-?)?(?:positiv|negativ|reactiv|react|express)", re.IGNORECASE)
#: Cells around a tumour as the subject of a staining: "follicular dendritic cells were positive for",
#: "the background lymphocytes expressed", "the overlying epithelium was positive for".
_BYSTANDER_SUBJECT = re.compile(
    # (not histiocytes, endothelial or stromal cells: the tumour's own in a histiocytic, vascular or stromal tumour)
    r"\b(?:follicular\s+dendritic\s+cells|"
    r"(?:overlying|surface|surrounding|adjacent|normal|non-?neoplastic)\s+(?:squamous\s+)?(?:epithelium|mucosa)|"
    + _AROUND_THE_TUMOUR
    + _STROMAL_CELLS
    + r"|"
    # "intra-tumoral capillary-sized vessels were positive for CD31" (not a vascular tumour's own)
    r"(?:intra-?tumou?ral|background|surrounding|adjacent|normal|native|entrapped|intervening)\s+(?:[\w-]+\s+)?"
    r"(?:vessels|capillaries|vasculature))\s+"
    r"(?:were|was|are|is)\s+(?:(?:diffusely|focally|strongly|weakly|also|all)\s+)?$|"
    # "small lymphocytes scattered throughout the neoplastic cells, which demonstrated ... immunoreactivity to"
    r"\b(?:small\s+)?" + _STROMAL_CELLS + r"\s+(?:scattered|admixed|"
    r"interspersed|infiltrating)\b(?:(?!atypical|large|malignant|Reed|Hodgkin)[^.;]){0,80}\b(?:which|that)\s+"
    r"(?!was\b|is\b)(?:\w+\s+){1,4}$",
    re.IGNORECASE,
)
_EXPRESSION_NOTED = re.compile(
    r"\s+(?:protein\s+)?" + _EXPRESSION_NOUN + r"\s+(?:was|were)\s+(?:also\s+)?"
    r"(?:noted|seen|observed|found|detected|present|identified|demonstrated)\b",
    re.IGNORECASE,
)
_EXPRESSED_AFTER = re.compile(
    r"\s+(?:protein\s+)?" + _EXPRESSION_NOUN + r"\b(?!\s+(?:was|were|is|are|of|for|status|levels?|results?|"
    # "expression in tumour cells" is the tumour's, "expression in the stroma" is not said of it
    r"in\b(?!\s+(?:the\s+)?(?:tumou?r|neoplastic|malignant|atypical|lesional|cancer)\s+cells|"
    # "no CDX2 expression in the gastric metastasis": the specimen tested
    r"\s+(?:the|this|her|his)\s+(?:[\w-]+\s+){0,2}(?:biops(?:y|ies)|metasta\w+|lesions?|specimens?|masse?s?|"
    r"nodules?|resection)\b(?!-))|"
    r"pattern|index|score|requests?|requested|pending|orders?|ordered|only)\b)",
    re.IGNORECASE,
)


# "Mutations in KRAS, NRAS and BRAF were not detected": the denial after the list is everyone's;
# "The expression of PD-L1 (clone 22C3) by the resected specimen was negative": past the clone and
# the tissue tested
_DENIED_AFTER_LIST = re.compile(
    r"\s*(?:\([^()]{0,40}\)\s*)*(?:(?:by|in|on|of)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:specimens?|samples?|tissues?|tumou?rs?|biops(?:y|ies)|cells)\s+)?"
    r"(?:genes?\s+|(?:protein\s+)?(?:expression|staining|immunoreactivity)\s+)?(?:was|were|is|are|has\s+been|have\s+been)\s+"
    r"(?:not\s+(?:detected|found|identified|observed|seen|present|expressed)|absent|undetectable|negative)\b",
    re.IGNORECASE,
)


# "The expression of PD-1 and PD-L1 was analysed on blood cells": what was tested, not what was found
_TESTED_AFTER_LIST = re.compile(
    r"\s*(?:\(\s*\)\s*)?(?:was|were|has\s+been|have\s+been)\s+(?:not\s+|then\s+|also\s+|additionally\s+)?"
    r"(?:analy[sz]ed|evaluated|assessed|examined|tested|measured|investigated|studied|quantified|"
    # "Immunostaining for CK7 and CK20 was performed": the test named, its result told later
    r"performed|done|carried\s+out|conducted|undertaken|ordered|requested|planned|sent)\b",
    re.IGNORECASE,
)


def _denied_after_list(
    text: str, prefix: tuple[ResultValue, int, int], list_end: int, end: int
) -> tuple[ResultValue, int, int]:
    """A prefix turned round by a denial after the list: "mutations in ..." or "expression of ..."
    that "were not detected" (negative), "loss of MLH1 and PMS2 was not detected" (retained)."""
    value, value_start, _ = prefix
    denied = _DENIED_AFTER_LIST.match(text, list_end, end)
    if denied is None or value.status not in ("positive", "negative"):
        return prefix
    if value.status == "negative" and not (_LOST.match(text, value_start) and _CLAUSE_ENDS.match(text, denied.end())):
        return prefix  # not "loss ... was not detected in the normal mucosa, whereas the tumour ..."
    status: Status = "negative" if value.status == "positive" else "positive"
    return replace(value, status=status), value_start, denied.end()


_LOST = re.compile(r"(?:loss|lack|absence)\s+of\b", re.IGNORECASE)
_CLAUSE_ENDS = re.compile(r"\s*(?:[.;]|$)")
#: "ER was negative, as were PR and GATA3": the list takes the status of the result before it.
_ALIKE_BEFORE = re.compile(r",?\s+as\s+(?:were|was|did|does|do)\s+(?:the\s+)?$", re.IGNORECASE)


def _alike(text: str, run_start: int, before: ParsedResult) -> tuple[ResultValue, int, int] | None:
    """The status of the result ``before`` for a list after "as were", in the same sentence."""
    alike = _ALIKE_BEFORE.search(text, max(before.value_span[1], run_start - 20), run_start)
    if alike is None or before.status not in ("positive", "negative"):
        return None
    if _STATUS.search(text, before.value_span[1], alike.start()):
        return None  # "ER was positive; it was negative in the liver, as was PR": not the result before
    words = alike.start() + len(alike.group(0)) - len(alike.group(0).lstrip(", "))
    return ResultValue(status=before.status), words, alike.end()


def _expression_shown(
    text: str, mention: MarkerMention, begin: int, lead_end: int | None = None
) -> tuple[ResultValue, int, int] | None:
    """A marker's staining shown without a status word: "showed diffuse CK7 expression", "...,
    and patchy TTF-1 reactivity" and "focal CD45 expression was noted" (present), "showed no CK7
    expression" (absent). HER2 needs its score. ``lead_end`` is where the words before a list end,
    for the last marker of "showed CD10, CD68 and vimentin expression"."""
    noted = _EXPRESSION_NOTED.match(text, mention.end)
    after = noted or _EXPRESSED_AFTER.match(text, mention.end)
    if after is None:
        return None
    lead_end = mention.start if lead_end is None else lead_end
    near = text[max(begin, lead_end - 60) : lead_end]
    if _NONE_BEFORE.search(near):  # "there was no HER2 expression, nor PD-L1 expression"
        return ResultValue(status="negative"), mention.end, after.end()
    if mention.key == "HER2":
        return None
    if noted and (_DENIAL_NEAR.search(near) or _NOTED_ELSEWHERE.match(text, noted.end())):
        return None  # "No marked change of PD-L2 expression was observed", "... was seen only in the T cells"
    if noted:
        return ResultValue(status="positive"), mention.end, after.end()
    shown = _SHOWN_BEFORE.search(near) or (
        _CHAINED_BEFORE.search(near) and re.search(_SHOWN, text[max(begin, lead_end - 150) : lead_end], re.I)
    )
    return (ResultValue(status="positive"), mention.end, after.end()) if shown else None


_FOUND_AFTER = re.compile(
    r"\s*(?:was|were|is|are)\s+(?:also\s+)?(?:found|detected|identified|present|confirmed)\b", re.I
)
_STATED_FOUND = re.compile(r"\b(?:found|detected|identified|present|positive|confirmed|harbou?red)\b", re.IGNORECASE)


#: A denial right before the gene, which its own "was detected" after does not undo: "No EGFR mutation
#: was detected", "NGS did not detect an ERBB2 mutation".
_DENIAL_RIGHT_BEFORE = re.compile(
    r"\b(?:no|without|not\s+(?:an?|any)|(?:did|does|could)\s+not\s+(?:detect|show|reveal|identify|find|demonstrate)"
    r"(?:\s+(?:an?|any))?)\s+$",
    re.IGNORECASE,
)


def _denied(
    text: str, run_start: int, begin: int, value: tuple[ResultValue, int, int] | None
) -> tuple[ResultValue, int, int] | None:
    """A gene alteration read after the gene is denied by "no" before it: "no EGFR mutation"."""
    if value is None or value[0].assay != "molecular" or value[0].status != "positive":
        return value
    denial = _DENIAL_RIGHT_BEFORE.search(text, max(begin, run_start - 40), run_start)
    if denial:  # "No EGFR mutation was detected": the quote starts at the denial
        return replace(value[0], status="negative"), denial.start(), value[2]
    if _STATED_FOUND.search(text, value[1], value[2]) or _FOUND_AFTER.match(text, value[2]):
        return value  # "no EGFR mutation, KRAS G12D mutation was found": this one's own verdict
    if _MOLECULAR_NEGATIVE.search(text[max(begin, run_start - 120) : run_start]):
        return replace(value[0], status="negative"), value[1], value[2]
    return value


#: A denial that governs the whole list after it, so the verb after the list is denied too: "neither
#: CK7 nor CD117 was expressed", "none of the breast markers (ER, PR, GATA3) were positive", "no ER or
#: PR expression", "loss of MLH1 and PMS2 nuclear expression" (not "no loss of ...": retained).
_LIST_DENIAL = re.compile(
    r"\b(?:neither|none\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,3}(?:\(\s*)?|(?<!no\s)(?<!without\s)(?:loss|lack|absence)\s+of"
    r"(?:\s+(?:the\s+)?(?:nuclear\s+|cytoplasmic\s+|membranous\s+)?(?:expression|staining|immunoreactivity)\s+of)?|"
    r"no|without)\s*(?:the\s+)?$",
    re.IGNORECASE,
)
_OWN_VERB = re.compile(r"\b(?:was|were|is|are)\b", re.IGNORECASE)
_DENIED_ALREADY = re.compile(r"\bnot?\b|without|never", re.IGNORECASE)
#: "did not show loss of MLH1 and PMS2": a denied loss, read by the prefix
_NEGATED_LOSS = re.compile(r"\b(?:no|not|without|never)\b(?:\s+[\w-]+){0,2}\s*$", re.IGNORECASE)


def _denied_list(
    text: str, run_start: int, begin: int, own: list[tuple[ResultValue, int, int] | None]
) -> list[tuple[ResultValue, int, int] | None]:
    """The values read after a list turned round when a denial before the list governs it: a
    positive one negative; after "neither" or "none of", a negative one positive too ("neither MLH1
    nor PMS2 was lost"). Not "did not show loss of": the loss itself denied."""
    denial = _LIST_DENIAL.search(text, max(begin, run_start - 50), run_start)
    if denial is None or _NEGATED_LOSS.search(text, max(begin, denial.start() - 30), denial.start()):
        return own
    both_ways = denial.group(0).lower().startswith(("neither", "none"))
    turned: list[tuple[ResultValue, int, int] | None] = []
    for value in own:
        status = value[0].status if value is not None else None
        flips = status == "positive" or (both_ways and status == "negative")
        # "no ALK, and TTF-1 was positive": a clause of its own after "no", "without", "loss of"
        flips = flips and (both_ways or value is None or not _OWN_VERB.search(text, run_start, value[2]))
        if value is not None and flips and value[1] > run_start and not _DENIED_ALREADY.search(text, *value[1:]):
            other: Status = "negative" if status == "positive" else "positive"
            turned.append((replace(value[0], status=other), denial.start(), value[2]))
        else:
            turned.append(value)
    return turned


def _opened_before(text: str, start: int) -> bool:
    """Whether a parenthesis opened before ``start`` is still open: the marker is its last item
    ("tumour protein 63 (P63) (++)", "mismatch repair proteins (MLH1, ..., MSH6) were intact")."""
    window = max(0, start - 100)
    return text.rfind("(", window, start) > text.rfind(")", window, start)


#: An antibody's clone in parentheses after its marker: "ALK (D5F3)", "PD-L1 (SP263)", "HER2 (4B5)".
_CLONE = re.compile(r"\s*\(\s*(?:clone\s+)?(?=[A-Z0-9.\-]*\d)(?=[A-Z0-9.\-]*[A-Z])[A-Z0-9][A-Z0-9.\-]{1,9}\s*\)")


def _own_value(text: str, mention: MarkerMention, end: int) -> tuple[ResultValue, int, int] | None:
    """The value a mention states itself ("MSI-H") or right after it."""
    intrinsic = _intrinsic(text[mention.start : mention.end])
    if intrinsic is not None and mention.key in ("MSI", "MMR"):
        # microsatellite status is a molecular (PCR or sequencing) result; MMR an IHC panel
        value = replace(intrinsic, assay="molecular") if mention.key == "MSI" else intrinsic
        return value, mention.start, mention.end
    # "tumour protein 63 (P63) (++)": the value follows the parenthesis that holds the marker
    inside = text[mention.end : mention.end + 1] == ")" and _opened_before(text, mention.start)
    source = _SOURCE.match(text, mention.end + 1) if text[mention.end : mention.end + 1] == " " else None
    source = source or _CLONE.match(text, mention.end, end)  # "ALK (D5F3): negative"
    after = _postfix(text, source.end() if source else mention.end + 1 if inside else mention.end, end)
    if mention.key == "Ki-67" and (after is None or after[0].percent is None):
        before = _index_before(text, mention)
        if before is not None and after is not None:  # "5% Ki-67 positivity"
            return replace(after[0], percent=before[0].percent, comparator=before[0].comparator), before[1], after[2]
        return before or after
    return after


# "a 30% Ki-67 index", "with 5-10% Ki-67 positivity": a proliferation index written before its marker
_INDEX_BEFORE = re.compile(
    # led by a word, not by another marker whose value the percent is ("ER 90% Ki-67 index low")
    r"(?:^|[(,;]|\b(?:a|an|the|with|of|had|has|showed?|revealed|demonstrated|and|was|were))\s*"
    + _CMP
    + r"?\s*(?P<num>"
    + _NUM
    + r")\s*(?:%?\s*[-–]\s*"
    + _NUM
    + r"\s*)?%\s*$",
    re.IGNORECASE,
)
_INDEX_AFTER = re.compile(
    r"[\s-]*(?:labell?ing\s+|proliferati\w+\s+)?(?:index|rate|positivity|staining|expression)\b", re.I
)


def _index_before(text: str, mention: MarkerMention) -> tuple[ResultValue, int, int] | None:
    found = _INDEX_BEFORE.search(text, max(0, mention.start - 30), mention.start)
    named = re.search(r"(?i:index)$", text[mention.start : mention.end])  # the term "Ki-67 index"
    if found is None or not (named or _INDEX_AFTER.match(text, mention.end)):
        return None
    percent = float(found.group("num").replace(",", "."))
    return ResultValue(percent=percent, comparator=_comparator(found.group("cmp"))), found.start(), found.end()


#: ASCO/CAP: HER2 by IHC is negative at 0 and 1+, equivocal at 2+, positive at 3+.
_HER2_SCORE_STATUS: dict[str, Status] = {"0": "negative", "1+": "negative", "2+": "equivocal", "3+": "positive"}


def guideline_status(result: ParsedResult, hormone_receptor: bool) -> Status | None:
    """The status a result states or, failing that, the one ASCO/CAP give its number.

    Ki-67 with a percent keeps no status: it is an index. A hormone receptor (ER, PR) is
    positive when 1% or more of tumour cells stain, and so is PD-L1 (tumour proportion score); a HER2
    IHC score maps to its status. Anything else without a stated status keeps none.

    >>> r = ParsedResult("HER2", None, None, None, "2+", None, (0, 4), (5, 7))
    >>> guideline_status(r, hormone_receptor=False)
    'equivocal'
    >>> guideline_status(ParsedResult("ER", None, 0.5, "<", None, None, (0, 2), (3, 8)), hormone_receptor=True)
    'negative'
    """
    if result.marker == "Ki-67" and result.percent is not None:
        return None  # a proliferation index, read by its percent: "positive" says nothing more
    if result.status is not None:
        return result.status
    if result.note is not None and AT_ODDS in result.note:
        return None  # "PD-L1 positive (TPS 0%, CPS 10)": the curator reads the source
    if hormone_receptor and result.percent is not None:
        return "negative" if _below_one(result) else "positive"
    if result.marker == "HER2" and result.assay == "IHC" and result.score is not None:
        return _HER2_SCORE_STATUS[result.score]
    if result.marker == "PD-L1" and result.percent is not None and result.comparator in (None, ">", ">=", "~"):
        return "positive" if result.percent >= 1 else "negative"  # tumour proportion score, 1% cut-off
    return None


def result_note(result: ParsedResult, known: bool) -> str | None:
    """The note a draft gives a result: a marker the vocabulary lacks first, then what the
    status alone does not say (the variant, a score by name, an assumed assay)."""
    parts = [result.note] if result.note else []
    if not known:
        parts.insert(0, f"{UNLISTED_MARKER_NOTE}: {result.marker!r}; add it to the ontology or correct the name")
    return "; ".join(parts) or None


# ---------------------------------------------------------------- markers the vocabulary lacks

_TOKEN = re.compile(
    r"(?<![\w\-/.])[A-Za-z][A-Za-z0-9]*(?:[-/.](?!(?i:positive|negative)\b)[A-Za-z0-9]+)*"
    r"(?=[-–](?i:positive|negative)\b|(?![\w\-/]|\.\w))"
)
# Capitals and digits that are not markers: imaging, staging, serology, assays, anatomy.
_NOT_MARKER_NAMES = """
ELISA NIPT DENV NS1 LOH LVEF EF SAO2 SPO2 PAO2 PACO2 HCO3 ESBL MRSA FEV1 FVC DLCO GFR EGFR-TKI
TPS CPS MR NK STUMP ALCL DLBCL AML CML CLL MDS NHL MM GCT PNET MPNST PMC PMID DOI
CT MRI PET FDG SUV SPECT MIBG DWI ADC FLAIR CXR US EUS ERCP EGD ECG EEG EMG TNM WHO ISUP FIGO AJCC
UICC ECOG KPS RECIST NCCN ASCO CAP ESMO IHC ISH FISH SISH CISH DISH PCR NGS DNA RNA HE PAS GMS AFB
ZN HIV HBV HCV HBSAG CMV HSV VZV EBNA TB MTB MTBC NTM MAC COVID SARS RPR VDRL ANA ANCA RF CRP ESR WBC RBC LDH ALP ALT
AST GGT HR TN TNBC LN SLN ALND SLNB LVI PNI CRM NOS NSCLC SCLC SCC HCC RCC CUP GIST DCIS LCIS IDC
ILC BRCA BRCA1 BRCA2 PD-1 CTLA-4 TKI EGFR-TKI MDT ICU ED OR ID AND OR NOT THE FOR WITH FIG FIGURE
TBLB TBB EBUS TBNA FNA FNAB FNAC CNB VATS TURBT TURP LEEP ESD EMR
TABLE CASE VAF TMB MB CNV SNV INDEL VUS WES WGS SNP LMS RMS UPS MFH DFSP SFT
"""
_NOT_MARKERS = frozenset(_NOT_MARKER_NAMES.split())
_STAGING = re.compile(r"[pcyr]?[A-Za-z]\d{1,3}[a-d]?|[A-Z]\d+[A-Z]|[pcy]?T[0-4x][a-d]?N[0-3x][a-c]?(?:M[01x])?")
_ROMAN = re.compile(r"(?:I{1,3}|IV|VI{0,3}|IX|X)[A-C]?\d?")  # stages and grades: "IVB", "IIIA"
_ZONE_START = re.compile(
    r"\b(?:(?:positiv\w*|negativ\w*|immuno\w*|reactiv\w*|stain\w*|mutations?|variants?|alterations?|amplifications?)"
    r"(?:\s+(?-i:[cp])\.\s*[^\s,;]{2,30}(?:\s+\([^()]{1,20}\))?)?\s+(?:for|of|with|in|including|involving)|express\w*|lack\w*|loss\s+of|retained|preserved)\s+",
    re.IGNORECASE,
)
# not the stop of a cited figure or table ("EMA (Fig. 2C), SOX2 and SOX9")
_ZONE_END = re.compile(
    r"(?<!\bfig)(?<!\bfigs)(?<!\btab)[.;:]\s|\b(?:but|whereas|while|which|although|except)\b|$", re.IGNORECASE
)
_SIGN_AFTER_ABBREVIATION = re.compile(r"\)\s*\(\s*(?:\+{1,3}|[-−–]|±)\s*\)")
_RESULT_AFTER = re.compile(
    # a gene's variant in HGVS notation: "TP53 c.524G>A", "KRAS p.G12D"
    r"\s*,?\s+(?-i:c\.\s*[-*]?\d|p\.\s*\(?[A-Z][a-z]{0,2}\d)|"
    r"\s*(?:\(\s*(?:\+{1,3}|[-−–]|±)\s*\)|[-\s]+(?:positive|negative)\b|"
    r"\s+(?:expression\s+|staining\s+)?(?:was|were|is|are)\s+(?:\w+ly\s+)?(?:positive|negative|expressed|lost|retained|preserved)\b)",
    re.IGNORECASE,
)


# "TP53 and APC mutations": a gene's alteration, a result where a known marker is an item of the same list
# (an "HFE mutation" of a haemochromatosis or a "TTN variant" alone is the patient's, no tumour's)
_ALTERED_AFTER = re.compile(
    r"\s+(?:gene\s+)?(?:(?:somatic|pathogenic|activating|inactivating|missense|nonsense|frameshift|truncating)\s+)?"
    r"(?:mutations?|mutated|variants?|fusions?|rearrangements?|alterations?)\b",
    re.IGNORECASE,
)


# "microsatellite stable", "mismatch repair deficient": the word after the name states the result
_STATUS_AFTER = re.compile(r"[\s-]+(?:stable|stability|instability|deficient|deficiency|proficient)\b", re.IGNORECASE)


def _marker_shaped(token: str) -> bool:
    """Capitals with digits ("CD99", "SSTR2", "INI-1") or a run of three to seven capitals ("CAIX", "EBV")."""
    if re.fullmatch(r"[pP]\d{2,3}", token):
        return True  # a protein named by its weight ("p57", "p21"), not a T, N or M category
    parts = re.split(r"[-/.]", token.upper())  # "Fig.3c" is a figure
    if any(p in _NOT_MARKERS for p in parts) or _STAGING.fullmatch(token) or _ROMAN.fullmatch(token):
        return False
    if len(token) > 12 or sum(ch.isdigit() for ch in token) > 4:
        return False
    letters = re.sub(r"[^A-Za-z]", "", token)
    if any(ch.isdigit() for ch in token):
        return any(ch.isupper() for ch in token) and len(letters) >= 2
    return letters.isupper() and 3 <= len(letters) <= 7 and "." not in token


def _result_zones(text: str) -> list[tuple[int, int]]:
    """Stretches after "positive for", "expressed", "negative staining of"... up to the clause's end."""
    zones = []
    for m in _ZONE_START.finditer(text):
        stop = _ZONE_END.search(text, m.end(), min(len(text), m.end() + 200))
        zones.append((m.end(), stop.start() if stop else min(len(text), m.end() + 200)))
    return zones


def unlisted_marker_mentions(
    text: str, known: Sequence[MarkerMention], closest: Callable[[str], str | None]
) -> list[MarkerMention]:
    """Markers the term matcher missed where the text gives them a result.

    In a result context (a status right after the word, or the list after "positive for",
    "expressed"...), a misspelt name within a small edit distance of one marker becomes that
    marker (``closest`` gives its key); a name shaped like a marker ("CD99", "SSTR2") that the
    vocabulary lacks is kept under the name as written, for the curator. Elsewhere only
    marker-shaped names are proposed: :func:`parse_results` keeps those that have a value.

    >>> closest = {"synaptophysine": "synaptophysin"}.get
    >>> [(m.key, m.start) for m in unlisted_marker_mentions("CD99 (+), synaptophysine (+)", [], closest)]
    [('CD99', 0), ('synaptophysin', 10)]
    """
    covered = bytearray(len(text) + 1)  # 1 where a known marker is, 2 in a result context
    for m in known:
        covered[m.start : m.end] = b"\x01" * (m.end - m.start)
    for start, end in _result_zones(text):
        covered[start:end] = bytes(c | 2 for c in covered[start:end])
    corrections: dict[str, str | None] = {}
    out: list[MarkerMention] = []
    for m in _TOKEN.finditer(text):
        start, end = m.span()
        if covered[start] & 1 or covered[end - 1] & 1 or _beside_its_marker(text, start, end, covered):
            continue
        if text[start + 1 : start + 2] == "." and text[start] in "cgp":
            continue  # a variant's notation ("c.3062delT"), not a gene
        # "vascular endothelial growth factor (VEGF) (+)": a sign follows the abbreviation's parenthesis
        abbreviated = text[start - 1 : start] == "(" and bool(_SIGN_AFTER_ABBREVIATION.match(text, end))
        stated = _RESULT_AFTER.match(text, end) or _STATUS_AFTER.match(text, end)
        stated = stated or _altered_with_a_marker(text, start, end, covered)
        if not (covered[start] & 2 or abbreviated or stated or _before_listed_marker(text, end, covered)):
            continue  # only where the text states a result: a lab value or a scan is no marker
        key = None
        if len(m.group(0)) >= 5:
            key, end = _corrected(text, m, closest, corrections)
        if key is None and (_marker_shaped(m.group(0)) or _listed_among_markers(text, m, covered)):
            key = m.group(0)
        if key is not None:
            out.append(MarkerMention(start, end, key))
            covered[start:end] = b"\x01" * (end - start)
    return out


_IN_PARENTHESES = re.compile(r"\s*\)")


def _beside_its_marker(text: str, start: int, end: int, covered: bytearray) -> bool:
    """A name alone in the parenthesis right after a known marker is that marker's clone or
    abbreviation, no marker of its own: "ALK (D5F3)", "ROS1 (D4D6)", "PD-L1 (SP263)"."""
    opening = text.rfind("(", max(0, start - 3), start)
    if opening < 0 or text[opening + 1 : start].strip() or not _IN_PARENTHESES.match(text, end):
        return False
    marker_end = len(text[:opening].rstrip())
    return marker_end > 0 and bool(covered[marker_end - 1] & 1)


#: Words a list of results holds besides marker names.
_LIST_WORDS = re.compile(
    r"(?:positiv|negativ|express|stain|react|immuno|cell|tumou?r|marker|focal|diffus|strong|weak|moderat|patch|"
    r"nuclear|cytoplasm|membran|other|both|also|with|while|whereas|which|respectively|partial|only|variabl|"
    r"scatter|rare|some|most|many|several|none|neither|either|were|showed|show|component|area|region|part|"
    r"lesion|specimen|sample|tissue|stroma|epitheli|glandular|mesenchymal|lymphocyt|histiocyt|background|"
    r"control|internal|external|antibod|clone|th(?:ey|em|eir|ese|ose|is|at|ere)\b)",  # "..., and they were negative"
    re.IGNORECASE,
)
_ITEM_BEFORE = re.compile(r"(?:,|\band|\bor)\s*$", re.IGNORECASE)
_ITEM_AFTER = re.compile(r"\s*(?:,|\band\b|\bor\b|[.;)]|$)", re.IGNORECASE)


_CD_ANTIGEN = re.compile(r"CD\d{1,3}[a-z]?")
_TO_NEXT_ITEM = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|/)\s*")


def _before_listed_marker(text: str, end: int, covered: bytearray) -> bool:
    """Whether a name is the item before a known marker of a list: "CD21 and CD23 tested positive"
    (a marker-shaped name the vocabulary lacks; :func:`parse_results` keeps it if the list has a value)."""
    if not _CD_ANTIGEN.fullmatch(text[text.rfind(" ", 0, end) + 1 : end]):
        return False  # "showed CIN3 and p16 was positive": only a CD antigen is a marker by its shape alone
    joint = _TO_NEXT_ITEM.match(text, end)
    return joint is not None and joint.end() < len(covered) and bool(covered[joint.end()] & 1)


#: The end of a list item before the next: a gene with up to three words of its variant ("KRAS G12D, ").
_ITEM_THEN_SEPARATOR = re.compile(r"(?:\s+[\w.>()*/-]+){0,3}?\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|/)\s*$")


def _altered_with_a_marker(text: str, start: int, end: int, covered: bytearray) -> bool:
    """Whether a name is an altered gene of a list that holds a known marker right before or after
    it, in a sentence that reports what a test found: "Sequencing revealed KRAS G12D, TP53 and APC
    mutations", "no APC or KRAS mutations" (not "tested for KRAS and APC mutations")."""
    joint = _TO_NEXT_ITEM.match(text, end)
    if joint is not None and joint.end() < len(covered) and covered[joint.end()] & 1:
        after = joint.end()
        while after < len(covered) and covered[after] & 1:
            after += 1
        listed = _ALTERED_AFTER.match(text, after) is not None
    elif _ALTERED_AFTER.match(text, end) is None:
        return False
    else:
        before = [i for i in range(start - 1, max(0, start - 60), -1) if covered[i - 1] & 1 and not covered[i] & 1]
        listed = bool(before) and _ITEM_THEN_SEPARATOR.fullmatch(text, before[0], start) is not None
    return listed and _reports_a_finding(text, start)


#: What a sentence does with genes when it reports no finding: a test meant (before the list), a
#: general statement, a variant of no significance or the patient's own inherited one.
_TEST_MEANT = re.compile(
    r"\b(?:test(?:ed|ing)?\s+for|screen\w*|look\w*\s+for|search\w*\s+for|assess\w*|evaluat\w*|if|whether|"
    r"frequen\w*|common\w*|often|typical\w*|offered|not\s+(?:been\s+)?(?:performed|done|tested))\b",
    re.IGNORECASE,
)
_NO_TUMOUR_FINDING = re.compile(
    r"\b(?:uncertain\s+significance|VUS|germline|inherited|pharmacogen\w*|ha?emochromatosis|respond\w*|"
    r"predict\w*|associated\s+with|tumou?rs\s+with|patients\s+with)\b",
    re.IGNORECASE,
)
_DENIAL_BEFORE = re.compile(
    r"\b(?:no|without|negative\s+for|absence\s+of|wild[-\s]?type\s+for)\s+(?:[\w-]+[\s,]+){0,6}$", re.IGNORECASE
)
_DENIAL_AFTER = re.compile(r"[^.;]{0,60}?\b(?:were|was)\s+(?:not\s+(?:detected|found|identified)|absent)\b", re.I)


def _reports_a_finding(text: str, position: int) -> bool:
    """Whether the sentence around ``position`` reports what a test of the tumour found or did not find."""
    begin = max(text.rfind(". ", 0, position) + 1, position - 200, 0)
    stop = text.find(". ", position)
    end = stop if stop >= 0 else len(text)
    if _TEST_MEANT.search(text, begin, position) or _NO_TUMOUR_FINDING.search(text, begin, end):
        return False
    lead = text[max(begin, position - 60) : position]
    denied = _DENIAL_BEFORE.search(lead) or _DENIAL_AFTER.match(text, position, end)
    return bool(_FINDING_VERB.search(text, begin, end) or denied)


def _listed_among_markers(text: str, token: re.Match[str], covered: bytearray) -> bool:
    """A word of a results list that follows a known marker and is followed by the next item or the
    list's end: "negative for HER2, VEGF, maspin and EMT markers" (a name the vocabulary lacks,
    kept for the curator)."""
    word = token.group(0)
    if not re.fullmatch(r"[A-Za-z][a-z]{3,14}", word) or _LIST_WORDS.match(word):
        return False
    if re.search(r"(?:ic|oid|al|ar|ous|ive|ent|ed|ing|ly|ine)$", word):
        return False  # "negative for cytokeratins, melanocytic and myeloid markers": a panel's adjective
    before = text[max(0, token.start() - 12) : token.start()]
    separator = _ITEM_BEFORE.search(before)
    if separator is None or not (_ITEM_AFTER.match(text, token.end()) or _RESULT_AFTER.match(text, token.end())):
        return False
    item_end = token.start() - len(before) + separator.start()
    while item_end > 0 and text[item_end - 1] in " ,":
        item_end -= 1
    return item_end > 0 and bool(covered[item_end - 1] & 1)


def _corrected(
    text: str, token: re.Match[str], closest: Callable[[str], str | None], cache: dict[str, str | None]
) -> tuple[str | None, int]:
    """The marker a misspelt word (or word pair: "microsatelite stable") stands for, and its end."""
    word = token.group(0)
    if word not in cache:
        cache[word] = closest(word)
    if cache[word] is not None:
        return cache[word], token.end()
    pair = re.match(r"\s+[A-Za-z][\w-]*", text[token.end() : token.end() + 40])
    if pair is None:
        return None, token.end()
    both = word + " " + pair.group(0).strip()
    if both not in cache:
        cache[both] = closest(both)
    return cache[both], (token.end() + pair.end() if cache[both] is not None else token.end())


_TRIPLE_NEGATIVE = re.compile(r"\b[Tt]riple[-\s]negative\b|\bTNBC\b")
_HORMONE_PAIR = re.compile(
    r"\b(?P<first>o?estrogen|progesterone|progestin)(?:\s+receptors?)?\s*(?:and|/|or|&)\s*"
    r"(?P<second>o?estrogen|progesterone|progestin)\s+receptors?\b",
    re.IGNORECASE,
)


#: Where an antibody came from, in parentheses after its marker: "CD138 (Dako, Glostrup, Denmark)",
#: "ER (clone SP1; Ventana)". Nothing inside names a marker.
_SOURCE = re.compile(
    r"\((?=[^()]{0,80}\))[^()]*?\b(?:Dako|DAKO|Ventana|Roche|Leica|Novocastra|Abcam|Cell\s+Marque|Biocare|"
    r"BioGenex|Biogenex|Thermo|Santa\s+Cruz|Sigma|Invitrogen|Agilent|Zymed|Maixin|Millipore|Cell\s+Signaling|"
    r"BD\s+Biosciences|Biosystems|Diagnostics|Labvision|Lab\s+Vision|Spring\s+Bioscience|Zeta)\b[^()]*\)"
)


def antibody_sources(text: str) -> list[tuple[int, int]]:
    """The spans of parentheses that name an antibody's maker (and its town), not a marker."""
    return [m.span() for m in _SOURCE.finditer(text)]


def implied_marker_mentions(text: str) -> list[MarkerMention]:
    """Markers a phrase names without writing them out: "triple-negative" (ER, PR and HER2,
    all negative) and the first receptor of "estrogen and progesterone receptors".

    >>> [(m.key, m.start, m.end) for m in implied_marker_mentions("estrogen and progesterone receptors")]
    [('ER', 0, 8)]
    """
    out = [
        MarkerMention(m.start(), m.end(), key) for m in _TRIPLE_NEGATIVE.finditer(text) for key in ("ER", "PR", "HER2")
    ]
    for m in _HORMONE_PAIR.finditer(text):
        key = "PR" if m.group("first").lower().startswith("progest") else "ER"
        out.append(MarkerMention(m.start("first"), m.end("first"), key))
    return out


def _triple_negative(text: str, mentions: Sequence[MarkerMention]) -> tuple[list[MarkerMention], list[ParsedResult]]:
    """Mentions left to parse, and the negative ER, PR and HER2 results of "triple-negative"."""
    rest, results = [], []
    for m in mentions:
        if _TRIPLE_NEGATIVE.fullmatch(text[m.start : m.end]):
            span = (m.start, m.end)
            results.append(ParsedResult(m.key, "negative", None, None, None, None, span, span))
        else:
            rest.append(m)
    return rest, results


# A gene's sentence that speaks of the tumour's own testing, and of an inherited variant.
_TUMOUR_TESTING = re.compile(
    r"\b(?:somatic|tissue|biops\w*|specimens?|(?:next[-\s]generation\s+)?sequencing|NGS|ctDNA|cell-free|"
    r"(?:of|in|from)\s+the\s+(?:tumou?r|lesion|mass|metasta\w*|resected)|"
    r"tumou?r\s+(?:tissue|samples?|specimens?|DNA|cells|sequencing|testing|profil\w*|harbou?red|showed|revealed|"
    r"had|carried))\b",
    re.IGNORECASE,
)
_INHERITED = re.compile(
    r"\b(?:germ-?line|hereditary|inherited|familial|family|carriers?|syndrome|blood|saliva|predisposition|known|"
    r"tested\s+positive|constitutional|venipuncture|buccal|proband|genetic\s+counsel\w*|mother|father|sister|brother|siblings?)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.;!?]\s+(?=[A-Z(\[])|\n")
_PROTEIN_AFTER = re.compile(r"\s*(?:protein\s+)?(?:expression|staining|immuno\w+)\b", re.IGNORECASE)


def tested_in_the_tumour(text: str, start: int, end: int) -> bool:
    """Whether a gene named at ``[start, end)`` is a result of the tumour's own testing, not an
    inherited variant: "next-generation sequencing of the biopsy showed a TP53 mutation" and
    "positive for PTEN expression" (the tumour's markers) against "a germline BRCA1 mutation was
    found in her blood". A sentence naming neither leaves the gene to the germline findings.

    >>> tested_in_the_tumour("NGS of the tumour showed a TP53 R273H mutation.", 27, 31)
    True
    >>> tested_in_the_tumour("She was a carrier of a germline TP53 variant.", 32, 36)
    False
    """
    if _PROTEIN_AFTER.match(text, end):
        return True  # "positive for PTEN expression": the tumour's protein, stained
    ends = [m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 600), start)]  # the sentence's start
    first = ends[-1] if ends else 0
    after = _SENTENCE_END.search(text, end)
    sentence = text[first : after.start() if after else len(text)]
    return bool(_TUMOUR_TESTING.search(sentence)) and not _INHERITED.search(sentence)


# A sentence of the laboratory's: serum levels, "tumour markers", a concentration.
_CIRCULATING = re.compile(
    r"\b(?:serum|laborator\w*|tumou?r\s+markers?|levels?)\b|(?<!/)\bplasma\b(?![\s-]*(?:cells?|\+))|"
    r"\bblood\b(?!\s+vessels?)|"
    r"\d\s*(?:ng|[μµu]g|mg|pg|m?I?U|kU)\s*/\s*(?:m?l|dl)\b",
    re.IGNORECASE,
)
_OF_TISSUE = re.compile(
    r"immuno|\bIHC\b|stain|biops|specimen|(?:tumou?r|neoplastic|malignant)\s+cells|tissue|cytolog|section|"
    r"\b(?:tumou?r|neoplasm|lesion|mass)\s+(?:was|were|is|are|showed|expressed)\b|"
    r"express|reactiv|flow|cytometr|mutation|ctDNA|cell-free|liquid",
    re.IGNORECASE,
)


#: The patient's antibodies: "the serologic workup was positive for EBV", "the myositis panel was positive".
_SEROLOGY = re.compile(
    r"\bserolog\w*|\bsero-?(?:positiv|negativ)\w*|\bautoantibod\w*|\b(?:myositis|autoimmune)\s+panel\b",
    re.IGNORECASE,
)
#: Where a clause of its own begins: "EBER was positive, and serology was negative for HIV", "HIV
#: serology was negative and the biopsy was positive for GATA3", "(serologic tests were negative)".
_OWN_CLAUSE = re.compile(
    r";|[()]|,\s*(?:and|but|while|whereas|which)\b|\b(?:while|whereas|but)\b|\.\s|"
    r"\band\s+(?=(?:the|a|an|his|her|its|their)\b)",
    re.IGNORECASE,
)


def from_serology(text: str, position: int, start: int, end: int) -> bool:
    """Whether the clause around ``position`` (of the sentence ``text[start:end]``) reports the
    patient's antibodies rather than a specimen's stain.

    >>> text = "Hepatitis B serology was positive; glypican-3 was positive."
    >>> from_serology(text, text.index("glypican"), 0, len(text)), from_serology(text, 0, 0, len(text))
    (False, True)
    """
    if _SEROLOGY.search(text, start, end) is None:
        return False  # most sentences: no clause to find
    breaks = list(_OWN_CLAUSE.finditer(text, start, end))
    clause_start = max([m.end() for m in breaks if m.end() <= position], default=start)
    clause_end = min([m.start() for m in breaks if m.start() >= position], default=end)
    return bool(_SEROLOGY.search(text, clause_start, clause_end))


def of_a_kind(text: str, position: int, start: int, end: int) -> bool:
    """Whether the result at ``position`` is what a kind of tumour usually shows, said in a clause of
    the sentence ``text[start:end]`` after its own findings.

    >>> text = "It was ER-negative, unlike carcinomas that typically express ER."
    >>> of_a_kind(text, text.index("ER-"), 0, len(text)), of_a_kind(text, text.rindex("ER"), 0, len(text))
    (False, True)
    """
    typical = [m for m in TYPICAL_OF_A_KIND.finditer(text, start, end) if m.end() <= position]
    if not typical:
        return False
    return not any(m.start() >= typical[-1].end() for m in _OWN_CLAUSE.finditer(text, typical[-1].end(), position))


def measured_in_blood(sentence: str) -> bool:
    """Whether a sentence reports markers measured in the blood, not stained in a specimen:
    "Serum CEA was negative", "negative for CEA tumor marker (CEA 2.2 μg/L)".

    >>> measured_in_blood("Tumour markers CEA and CA19-9 were negative.")
    True
    >>> measured_in_blood("The tumour cells were negative for CEA.")
    False
    """
    return bool(_CIRCULATING.search(sentence)) and not _OF_TISSUE.search(sentence)
