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
from collections.abc import Sequence
from dataclasses import dataclass, replace

__all__ = ["MarkerMention", "ParsedResult", "ResultValue", "merge_parenthesised", "parse_results", "parse_value"]

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

    @property
    def empty(self) -> bool:
        return self.status is None and self.percent is None and self.score is None


@dataclass(frozen=True)
class ParsedResult:
    """One marker's result in a text, with the spans that state it.

    ``marker_span`` is the mention, ``value_span`` the value expression (they may be far
    apart when a value is shared by a list of markers).
    """

    marker: str
    status: Status | None
    percent: float | None
    comparator: str | None
    score: str | None
    pattern: str | None
    marker_span: tuple[int, int]
    value_span: tuple[int, int]


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
    (r"negativ(?:e|ity)|loss|lost|absent|not\s+expressed|no\s+expression", "negative"),
    (r"equivocal|borderline|indeterminate", "equivocal"),
    (r"low(?:\s+expression)?(?!\s*(?:-|grade))", "low"),
    (
        r"positiv(?:e|ity)|over-?expressed|over-?expression|amplified|amplification|retained|intact|reactive|expressed",
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
    ResultValue(status='positive', percent=90.0, comparator=None, score=None, pattern=None)
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
    r"expression|expressions|expressed|staining|stain|stained|status|immunostaining|immunoreactivity|"
    r"immunohistochemistry|immunohistochemical|IHC|index|labell?ing|proliferation|proliferative|score|scoring|"
    r"level|levels|rate|protein|result|results|TPS|CPS|tumou?r\s+proportion\s+score|combined\s+positive\s+score|"
    r"was|were|is|are|be|been|being|showed|shows|show|showing|demonstrated|demonstrating|revealed|revealing|"
    r"displayed|exhibited|determined|found|noted|observed|estimated|measured|reported|to|also|all|both|each|the|"
    r"of|in|at|with|tumou?r|cells?|approximately|about|around|nearly|which|had|has|value|by|as"
)
_FILLER = re.compile(
    r"(?:\s*(?:(?:"
    + _FILLER_WORDS
    + r")\b|[:=]|\((?:TPS|CPS|IHC|clone\s+)?[A-Z0-9][\w\- ]{0,8}\)(?=\s+(?:was|were|is|of|:))|"
    r",(?=\s*(?:all|both|which|and\s+(?:was|were)))))*\s*",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\s*\((?P<inner>[^()]{1,40})\)")
_GLUED = re.compile(r"(?P<sign>\+{1,3}|[-−–](?![\w\d])|±)(?![\w\d])")
_HYPHEN_WORD = re.compile(
    r"[-\s]?(?P<mod>(?:strongly|weakly|focally|diffusely)[-\s])?(?P<word>positive|negative|low|equivocal)\b",
    re.IGNORECASE,
)
_WORD_VALUE = re.compile(
    r"(?P<mod>(?:strongly|weakly|focally|diffusely|moderately|partially|strong|weak|focal|diffuse|moderate|partial)\s+)?"
    r"(?P<word>not\s+amplified|non-?amplified|no\s+amplification|positiv(?:e|ity)|negativ(?:e|ity)|equivocal|"
    r"over-?expressed|over-?expression|amplified|amplification|retained|intact|lost|loss\b|low\b)"
    r"(?P<tail>(?:\s*(?:at|of|in|,|with|was|was\s+about|about|approximately|score)?\s*(?:"
    + _CMP
    + r"\s*)?"
    + _NUM
    + r"\s*%"
    r"(?:\s+of\s+(?:the\s+)?(?:tumou?r\s+)?(?:cells|nuclei))?)?"
    r"(?:\s*\(?\s*[0-3]\s*\+\s*\)?)?)",
    re.IGNORECASE,
)
_NUMERIC_VALUE = re.compile(
    r"(?:" + _CMP + r"\s*)?(?P<num>" + _NUM + r")\s*%|(?P<score>[0-3])\s*\+(?!\d)|(?P<zero>0)(?![\d%]|[.,]\d)",
    re.IGNORECASE,
)
_CONNECTOR = re.compile(r"\s*(?:,\s*(?:and|or)\s+|,|and|or|&|/|as\s+well\s+as|plus)\s*", re.IGNORECASE)
_PREFIX = re.compile(
    r"(?P<mod>diffuse(?:ly)?|focal(?:ly)?|strong(?:ly)?|weak(?:ly)?|moderate(?:ly)?|partial(?:ly)?)?\s*"
    r"(?P<word>positiv(?:e|ity)|negativ(?:e|ity)|immunoreactiv(?:e|ity)|reactiv(?:e|ity)|express(?:ion|ed)|"
    r"(?:immuno)?stain(?:ing|ed)|lack\s+of\s+(?:expression|staining)|loss\s+of(?:\s+expression)?|"
    r"over-?expression)"
    r"(?:\s+(?:result|results|staining|expression))?\s+(?:for|of|with|to)\s+(?:the\s+)?",
    re.IGNORECASE,
)
_LIST_GAP = re.compile(
    r"^(?:(?:(?!positiv|negativ|express|stain|react)[\w\-/αβ .]){1,25}?(?:\([\w\-/ ]{1,15}\))?"
    r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)){0,3}$",
    re.IGNORECASE,
)


def merge_parenthesised(mentions: Sequence[MarkerMention], text: str) -> list[MarkerMention]:
    """Join "estrogen receptor (ER)" and "ER (estrogen receptor)" into one mention of the marker."""
    out: list[MarkerMention] = []
    for m in sorted(mentions, key=lambda x: x.start):
        if out:
            last = out[-1]
            between = text[last.end : m.start]
            if last.key == m.key and re.fullmatch(r"\s*\(\s*", between) and re.match(r"\s*\)", text[m.end :]):
                close = m.end + re.match(r"\s*\)", text[m.end :]).end()  # type: ignore[union-attr]
                out[-1] = MarkerMention(last.start, close, last.key)
                continue
            if m.start < last.end:
                continue
        out.append(m)
    return out


def _postfix(text: str, pos: int, end: int) -> tuple[ResultValue, int, int] | None:
    """The value written right after a marker ending at ``pos``: (value, value start, value end)."""
    glued = _GLUED.match(text, pos, end)
    if glued:
        value = parse_value(glued.group("sign"))
        if value is not None:
            return value, glued.start(), glued.end()
    hyphen = _HYPHEN_WORD.match(text, pos, end)
    if hyphen:
        value = parse_value(hyphen.group("word"))
        if value is not None:
            pattern = _pattern_name(hyphen.group("mod").strip()) if hyphen.group("mod") else None
            value_end = hyphen.end()
            paren = _PAREN.match(text, value_end, end)
            extra = parse_value(paren.group(0)) if paren else None
            if extra is not None and extra.status in (None, value.status):
                # "HER2-positive (3+)": the parenthesis adds the score or percent
                value = replace(value, percent=extra.percent, comparator=extra.comparator, score=extra.score)
                value_end = paren.end()  # type: ignore[union-attr]
            return replace(value, pattern=pattern or value.pattern), hyphen.start(), value_end
    filler = _FILLER.match(text, pos, end)
    start = filler.end() if filler else pos
    if start - pos > 60:
        return None
    for pattern in (_PAREN, _WORD_VALUE, _NUMERIC_VALUE):
        m = pattern.match(text, start, end)
        if not m or m.end() == m.start():
            continue
        if pattern is _WORD_VALUE and re.match(r"\s+(?:for|to)\b", text[m.end() : end]):
            return None  # "positive for X": the value of what follows, not of this marker
        value = parse_value(m.group(0))
        if value is not None:
            value_start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            return value, value_start, m.end()
    # A bare "(+)" after a filler-free gap such as "GATA 3(+)" is caught by _PAREN above.
    return None


def _prefix(text: str, pos: int, begin: int) -> tuple[ResultValue, int, int] | None:
    """A value written before a list of markers starting at ``pos``: "positive for", "expression of"."""
    window_start = max(begin, pos - 120)
    window = text[window_start:pos]
    best = None
    for m in _PREFIX.finditer(window):
        gap = window[m.end() :]
        if _LIST_GAP.match(gap) and (best is None or m.end() > best.end()):
            best = m
    if best is None:
        return None
    word = best.group("word").lower()
    if word.startswith(("negativ", "lack", "loss")):
        status: Status = "negative"
    else:
        status = "positive"
    pattern = _pattern_name(best.group("mod")) if best.group("mod") else None
    start = window_start + best.start() + (len(best.group(0)) - len(best.group(0).lstrip()))
    end = window_start + best.end()
    return ResultValue(status=status, pattern=pattern), start, end


def _lists(text: str, mentions: list[MarkerMention], end: int) -> list[list[int]]:
    """Group mentions into runs joined by commas, "and", "/"; a mention with its own value stands alone."""
    runs: list[list[int]] = []
    for i, m in enumerate(mentions):
        if runs:
            prev = mentions[runs[-1][-1]]
            between = text[prev.end : m.start]
            if _CONNECTOR.fullmatch(between) and _postfix(text, prev.end, end) is None:
                runs[-1].append(i)
                continue
        runs.append([i])
    return runs


def parse_results(
    text: str, mentions: Sequence[MarkerMention], start: int = 0, end: int | None = None
) -> list[ParsedResult]:
    """Attach a value to each marker mention in ``text[start:end]``; markers without one are left out.

    Mentions are ontology term matches of the marker category; their offsets are offsets of
    ``text``. Results come out in the order of the mentions.
    """
    end = len(text) if end is None else end
    inside = [m for m in merge_parenthesised(mentions, text) if start <= m.start and m.end <= end]
    results: list[ParsedResult] = []
    for run in _lists(text, inside, end):
        members = [inside[i] for i in run]
        own = [_postfix(text, m.end, end) for m in members]
        shared = own[-1]
        if shared is None:
            shared = _prefix(text, members[0].start, start)
        for mention, value in zip(members, own, strict=True):
            chosen = value if value is not None else shared
            if chosen is None:
                continue
            v, vs, ve = chosen
            results.append(
                ParsedResult(
                    mention.key,
                    v.status,
                    v.percent,
                    v.comparator,
                    v.score,
                    v.pattern,
                    (mention.start, mention.end),
                    (vs, ve),
                )
            )
    return results
