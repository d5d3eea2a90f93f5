"""The pictures of the pages, as geometry for the templates: a heatmap, bars and a case timeline.

Charts are computed here and drawn by the macros of ``templates/_charts.html`` as HTML tables
and inline SVG with presentation attributes and classes from ``static/style.css``: no script,
no inline style (the pages' Content-Security-Policy forbids both), every text escaped by the
template engine.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from metkg.records.dates import PartialDate

__all__ = ["Bar", "HeatCell", "Heatmap", "Mark", "Timeline", "bars", "heatmap", "timeline"]

#: Shades of the heatmap (classes heat-0 ... heat-5 in style.css; text contrast AA on each).
SHADES = 6


@dataclass(frozen=True)
class HeatCell:
    count: int
    shade: int
    link: str | None
    title: str


@dataclass(frozen=True)
class Heatmap:
    """Rows by columns of counts, each cell shaded by its share of the largest."""

    rows: list[tuple[str, list[HeatCell]]]
    columns: list[str]


def shade(count: int, largest: int) -> int:
    """The shade class of a count: 0 for none, 1..5 by its share of the largest.

    >>> [shade(n, 10) for n in (0, 1, 5, 10)]
    [0, 1, 3, 5]
    """
    if count <= 0 or largest <= 0:
        return 0
    return max(1, min(SHADES - 1, math.ceil(count / largest * (SHADES - 1))))


def heatmap(
    rows: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    count: Callable[[str, str], int],
    link: Callable[[str, str], str],
) -> Heatmap:
    """A heatmap of ``count(row, column)`` over (value, label) rows and columns; cells with a count link."""
    counts = {(r, c): count(r, c) for r, _ in rows for c, _ in columns}
    largest = max(counts.values(), default=0)
    table = []
    for r, row_label in rows:
        cells = []
        for c, column_label in columns:
            n = counts[(r, c)]
            title = f"{n} patient{'s' if n != 1 else ''}: {row_label}, metastasis in {column_label}"
            cells.append(HeatCell(n, shade(n, largest), link(r, c) if n else None, title))
        table.append((row_label, cells))
    return Heatmap(table, [label for _, label in columns])


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: float
    link: str | None
    kind: str = ""


def bars(items: Sequence[tuple[str, int, str | None, str]], width: float = 290, height: int = 22) -> list[Bar]:
    """Horizontal bars of (label, value, link, kind) scaled to ``width`` for the largest value."""
    largest = max((value for _, value, _, _ in items), default=0) or 1
    return [
        Bar(label, value, i * height, max(1.0, value / largest * width) if value else 0, link, kind)
        for i, (label, value, link, kind) in enumerate(items)
    ]


# ---------------------------------------------------------------- the timeline


@dataclass(frozen=True)
class Mark:
    """One fact on the timeline: a point (a day), or a span (a period, or a month or year when only that is known)."""

    x: float
    width: float
    y: float
    label: str
    when: str
    precision: str  # day, month, year or period
    lane: str
    link: str


@dataclass(frozen=True)
class Timeline:
    """Lanes of marks over a time axis, in SVG user units."""

    width: int
    height: int
    left: int
    lanes: list[tuple[str, float]]
    ticks: list[tuple[float, str]]
    marks: list[Mark]


_LANES = ("history", "diagnoses", "specimens", "interventions", "responses", "labs", "outcome")
_LANE_NAMES = {
    "history": "History",
    "diagnoses": "Diagnoses",
    "specimens": "Specimens",
    "interventions": "Treatments",
    "responses": "Responses",
    "labs": "Laboratory",
    "outcome": "Outcome",
}


def _bounds(date: PartialDate) -> tuple[dt.date, dt.date]:
    """The first and the last day a date at its precision may be."""
    start = date.earliest()
    if date.day is not None:
        return start, start
    if date.month is not None:
        following = dt.date(date.year + (date.month == 12), date.month % 12 + 1, 1)
        return start, following - dt.timedelta(days=1)
    return start, dt.date(date.year, 12, 31)


@dataclass(frozen=True)
class Dated:
    """What the timeline needs of a fact."""

    label: str
    lane: str
    start: PartialDate
    end: PartialDate | None
    when: str
    link: str


def timeline(facts: Sequence[Dated], width: int = 960, left: int = 110, lane_height: int = 34) -> Timeline | None:
    """The timeline of dated facts (``None`` when no fact has a date)."""
    if not facts:
        return None
    spans = [(f, _bounds(f.start)[0], _bounds(f.end or f.start)[1]) for f in facts]
    first = min(s for _, s, _ in spans).replace(month=1, day=1)
    last = dt.date(max(e for _, _, e in spans).year, 12, 31)
    days = (last - first).days or 1
    scale = (width - left - 10) / days
    lanes = [lane for lane in _LANES if any(f.lane == lane for f in facts)]
    y_of = {lane: 28 + i * lane_height for i, lane in enumerate(lanes)}
    marks = []
    for fact, start, end in spans:
        precision = "period" if fact.end is not None else fact.start.precision
        x, span = left + (start - first).days * scale, max((end - start).days * scale, 0)
        marks.append(Mark(x, span, y_of[fact.lane], fact.label, fact.when, precision, fact.lane, fact.link))
    step = max(1, round((last.year - first.year + 1) / 10))
    ticks = [
        (left + (dt.date(year, 1, 1) - first).days * scale, str(year))
        for year in range(first.year, last.year + 1, step)
    ]
    height = 28 + len(lanes) * lane_height
    return Timeline(width, height, left, [(_LANE_NAMES[lane], y_of[lane]) for lane in lanes], ticks, marks)
