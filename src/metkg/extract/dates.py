"""Find dates in case-report prose: absolute ("In May 2019", "On March 17, 2020") and relative.

:func:`find_dates` returns every :class:`DateMention` in a text, in order. An absolute mention
carries a :class:`~metkg.records.dates.PartialDate` at the precision the text gives; a day
without a year ("On March 2") takes the year of the mention that follows it in a range
("From July 6 to August 11, 2020") or the ``default_year`` the caller knows from context.
A relative mention ("11 years after", "two weeks later", "15 years ago") carries a
:class:`Offset`; :func:`resolve` turns it into a date once the caller knows its anchor.

>>> [str(m.date) for m in find_dates("In May 2019 a mass; on March 17, 2020 surgery.")]
['2019-05', '2020-03-17']
>>> m = find_dates("Eight weeks after surgery")[0]
>>> m.offset
Offset(amount=8, unit='week', direction='after')
>>> str(resolve(m.offset, parse_date("January 2013")))
'2013-03'
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Literal

from metkg.records.dates import PartialDate

__all__ = [
    "DateMention",
    "Offset",
    "find_dates",
    "format_date",
    "is_metadata_date",
    "parse_date",
    "publication_date",
    "resolve",
    "word_number",
]

Unit = Literal["day", "week", "month", "year"]
Direction = Literal["after", "before"]

MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
MONTHS: dict[str, int] = {}
for _i, _name in enumerate(MONTH_NAMES, start=1):
    MONTHS[_name] = _i
    MONTHS[_name[:3]] = _i
MONTHS["sept"] = 9

_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "several": None,
    "a few": None,
    "few": None,
    "many": None,
    "some": None,
}


def word_number(text: str) -> int | None:
    """``"11"`` -> 11, ``"eight"`` -> 8, ``"twenty-two"`` -> 22, ``"72"`` -> 72; vague words -> None.

    >>> [word_number(w) for w in ("11", "Eight", "twenty-two", "several")]
    [11, 8, 22, None]
    """
    t = text.strip().lower()
    if t.isdigit():
        return int(t)
    parts = re.split(r"[\s-]+", t)
    if len(parts) == 2 and parts[0] in _NUMBER_WORDS and parts[1] in _NUMBER_WORDS:
        a, b = _NUMBER_WORDS[parts[0]], _NUMBER_WORDS[parts[1]]
        return a + b if a is not None and b is not None and a >= 20 and b < 10 else None
    return _NUMBER_WORDS.get(t)


@dataclass(frozen=True)
class Offset:
    """A time offset stated relative to an unnamed anchor: "8 weeks after", "15 years ago"."""

    amount: int | None
    unit: Unit
    direction: Direction


@dataclass(frozen=True)
class DateMention:
    """A date in a text: ``[start, end)``, and its date or its offset from an anchor."""

    start: int
    end: int
    text: str
    date: PartialDate | None = None
    offset: Offset | None = None
    year_inferred: bool = False


_MONTH = (
    r"(?P<{g}>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{g}>(?:18|19|20|21)\d{{2}})"

_ABSOLUTE = re.compile(
    r"\b(?:"
    + r"(?P<iso>(?P<iy>(?:18|19|20|21)\d{2})[-/.](?P<im>[01]?\d)(?:[-/.](?P<id>[0-3]?\d))?)(?![\d/.-]\d)"
    + "|"
    + _MONTH.format(g="m1")
    + r"\s+"
    + _DAY.format(g="d1")
    + r"(?:\s*,\s*|\s+)"
    + _YEAR.format(g="y1")
    + "|"
    + _DAY.format(g="d2")
    + r"(?:\s+of)?\s+"
    + _MONTH.format(g="m2")
    + r",?\s+"
    + _YEAR.format(g="y2")
    + "|"
    + _MONTH.format(g="m3")
    + r",?\s+(?:of\s+)?"
    + _YEAR.format(g="y3")
    + "|"
    + _MONTH.format(g="m4")
    + r"\s+"
    + _DAY.format(g="d4")
    + r"(?![\d:])(?!\s*(?:%|years?|months?|weeks?|days?|cycles?|mg|cm|mm))"
    + "|"
    + r"(?:(?:in|since|during|until|by|from|early|late|of|year|summer|winter|spring|autumn|fall)\s+"
    + r"(?:the\s+year\s+)?|mid-)"
    + _YEAR.format(g="y5")
    + r"(?![\d%]|[-/.]\d)"
    + r")",
    re.IGNORECASE,
)

_AMOUNT = (
    r"(?P<amount>\d{1,3}|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?|a\sfew|an?|one|two|three|four|five|six|seven"
    r"|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|several|few)"
)
_RELATIVE = re.compile(
    r"\b(?:"
    + _AMOUNT
    + r"[\s-]+(?P<unit>days?|weeks?|months?|years?|yrs?|hours?)"
    + r"(?:\s+(?:and\s+\w+\s+\w+\s+)?)?[\s,]*"
    + r"(?P<dir>later|after(?:wards)?|ago|before|earlier|prior|post(?=[\s-]\w)|subsequently|thereafter)"
    + r"|(?P<next>the\s+(?:following|next|subsequent)\s+(?P<nunit>day|week|month|year))"
    + r"|(?P<pdir>after|within)\s+"
    + _AMOUNT.replace("amount", "pamount")
    + r"[\s-]+(?P<punit>days?|weeks?|months?|years?)"
    + r")",
    re.IGNORECASE,
)


def _month(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")[:4] if name.lower().startswith("sept") else name.lower().rstrip(".")[:3]]


def _make(year: int | None, month: int | None, day: int | None) -> PartialDate | None:
    if year is None or not 1800 <= year <= 2200:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None:
        try:
            _dt.date(year, month or 1, day)
        except ValueError:
            return None
    return PartialDate(year, month, day)


def _absolute(m: re.Match[str], default_year: int | None) -> tuple[PartialDate | None, bool]:
    g = m.groupdict()
    if g["iso"]:
        return _make(int(g["iy"]), int(g["im"]), int(g["id"]) if g["id"] else None), False
    if g["m1"]:
        return _make(int(g["y1"]), _month(g["m1"]), int(g["d1"])), False
    if g["m2"]:
        return _make(int(g["y2"]), _month(g["m2"]), int(g["d2"])), False
    if g["m3"]:
        return _make(int(g["y3"]), _month(g["m3"]), None), False
    if g["m4"]:
        if g["m4"].lower().rstrip(".") == "may" and not m.group(0)[0].isupper():
            return None, False  # the modal verb: "may 2 ..." is not a date
        return _make(default_year, _month(g["m4"]), int(g["d4"])), True
    return _make(int(g["y5"]), None, None), False


def _offset(m: re.Match[str]) -> Offset:
    if m.group("next"):
        return Offset(1, m.group("nunit").lower(), "after")  # type: ignore[arg-type]
    if m.group("pdir"):
        return Offset(word_number(m.group("pamount")), m.group("punit").lower().rstrip("s"), "after")  # type: ignore[arg-type]
    unit = m.group("unit").lower().rstrip("s")
    unit = {"yr": "year", "hour": "day"}.get(unit, unit)
    amount = 0 if m.group("unit").lower().startswith("hour") else word_number(m.group("amount"))
    direction: Direction = "before" if m.group("dir").lower() in ("ago", "before", "earlier", "prior") else "after"
    return Offset(amount, unit, direction)  # type: ignore[arg-type]


def find_dates(text: str, default_year: int | None = None) -> list[DateMention]:
    """Every absolute and relative date mention in ``text``, in order of position.

    A day without a year takes the year of the next absolute date when the two are joined as
    a range ("From July 6 to August 11, 2020"), else ``default_year`` (``year_inferred``), else
    it is dropped.
    """
    found: list[DateMention] = []
    matches = list(_ABSOLUTE.finditer(text))
    for i, m in enumerate(matches):
        year = default_year
        if m.group("m4") and i + 1 < len(matches):
            nxt = matches[i + 1]
            between = text[m.end() : nxt.start()]
            if re.fullmatch(r"\s*(?:to|until|through|till|and|-|–|—)\s*", between, re.IGNORECASE):
                nxt_date, _ = _absolute(nxt, default_year)
                year = nxt_date.year if nxt_date else default_year
        date, inferred = _absolute(m, year)
        if date is not None:
            start = m.start("y5") if m.group("y5") else m.start()
            found.append(DateMention(start, m.end(), text[start : m.end()], date=date, year_inferred=inferred))
    taken = [(d.start, d.end) for d in found]
    for m in _RELATIVE.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        found.append(DateMention(m.start(), m.end(), m.group(0), offset=_offset(m)))
    return sorted(found, key=lambda d: d.start)


def parse_date(text: str, default_year: int | None = None) -> PartialDate | None:
    """The one absolute date ``text`` states, or ``None``.

    >>> str(parse_date("On March 17, 2020")), str(parse_date("17 March 2020")), str(parse_date("2013"))
    ('2020-03-17', '2020-03-17', '2013')
    """
    stripped = text.strip()
    if re.fullmatch(r"(?:18|19|20|21)\d{2}", stripped):
        return _make(int(stripped), None, None)
    for mention in find_dates(stripped, default_year):
        if mention.date is not None:
            return mention.date
    return None


def format_date(date: PartialDate, style: str = "long") -> str:
    """Write a date the way case reports do: ``long`` "March 17, 2020", ``day-first`` "17 March 2020",
    ``iso`` "2020-03-17". A month-precision date is "March 2020"; a year is "2020".
    """
    if date.month is None:
        return str(date.year)
    month = MONTH_NAMES[date.month - 1].capitalize()
    if style == "iso":
        return str(date)
    if date.day is None:
        return f"{month} {date.year}"
    return f"{date.day} {month} {date.year}" if style == "day-first" else f"{month} {date.day}, {date.year}"


def resolve(offset: Offset, anchor: PartialDate) -> PartialDate | None:
    """The date ``offset`` from ``anchor``, at the precision the two support.

    Years give a year; months a month (or a year if the anchor has none); weeks and days give a
    day when the anchor has one, else the month reached from the middle of the anchor's month.

    >>> str(resolve(Offset(11, "year", "after"), PartialDate(2013, 1)))
    '2024'
    >>> str(resolve(Offset(2, "week", "after"), PartialDate(2024, 3, 7)))
    '2024-03-21'
    """
    if offset.amount is None:
        return None
    sign = 1 if offset.direction == "after" else -1
    if offset.unit == "year":
        return _make(anchor.year + sign * offset.amount, None, None)
    if offset.unit == "month":
        if anchor.month is None:
            return _make(anchor.year + sign * round(offset.amount / 12), None, None) if offset.amount >= 12 else None
        index = anchor.year * 12 + anchor.month - 1 + sign * offset.amount
        return _make(index // 12, index % 12 + 1, None)
    days = offset.amount * (7 if offset.unit == "week" else 1)
    if anchor.month is None:
        return None
    if anchor.day is None:
        moved = _dt.date(anchor.year, anchor.month, 15) + _dt.timedelta(days=sign * days)
        return _make(moved.year, moved.month, None)
    moved = _dt.date(anchor.year, anchor.month, anchor.day) + _dt.timedelta(days=sign * days)
    return _make(moved.year, moved.month, moved.day)


#: Words of page metadata right before a date: the article's history, a copyright or access line.
#: A label that opens a line or a field (not "the specimen was received on 3 May 2021").
_METADATA_LEAD = re.compile(
    r"(?:(?:^|[;|•]|\.\s)\s*(?:published(?:\s+online)?|received|accepted|revised|available\s+online|"
    r"e-?pub(?:lished)?(?:\s+ahead\s+of\s+print)?|first\s+published|date\s+of\s+publication|publication\s+date|"
    r"copyright|citation|cite\s+this(?:\s+article)?|retrieved|accessed|last\s+(?:updated|modified|reviewed))\b"
    r"(?:\s+(?:on|in|at))?\s*[:.]?\s*|©\s*)$",
    re.IGNORECASE,
)


def is_metadata_date(text: str, start: int) -> bool:
    """Whether the date at ``start`` of ``text`` dates the page, not the case ("Published: 3 May 2021").

    >>> is_metadata_date("Published online: 3 May 2021", 18), is_metadata_date("In May 2021 she", 3)
    (True, False)
    """
    line_start = text.rfind("\n", 0, start) + 1
    return bool(_METADATA_LEAD.search(text, line_start, start))


_PUBLISHED = re.compile(
    r"(?:^|[;|•])\s*(?:published(?:\s+online)?|e-?pub(?:lished)?|date\s+of\s+publication|publication\s+date)\b"
    r"(?!\s+(?:in|by|as|with)\b)[^\n]{0,12}?",
    re.IGNORECASE | re.MULTILINE,
)
_COPYRIGHT_YEAR = re.compile(r"(?:©|\bcopyright\b)\s*(?:\(c\)\s*)?((?:19|20)\d{2})\b", re.IGNORECASE)


def publication_date(text: str) -> PartialDate | None:
    """When the report was published, from its front matter: a "Published" line, else a copyright year.

    >>> str(publication_date("Received: 2 Jan 2020; Published: 14 March 2020"))
    '2020-03-14'
    >>> str(publication_date("© 2019 The Authors."))
    '2019'
    """
    front = text[:6000]
    for m in _PUBLISHED.finditer(front):
        line_end = front.find("\n", m.end())
        found = find_dates(front[m.end() : line_end if line_end >= 0 else len(front)][:40])
        if found and found[0].date is not None:
            return found[0].date
    year = _COPYRIGHT_YEAR.search(front)
    return PartialDate(int(year.group(1))) if year else None
