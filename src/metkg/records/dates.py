"""Partial dates as case reports state them: a year, a month, or a day.

A case report says "In May 2019", "On March 17, 2020" or "in 2013"; a record keeps exactly the
precision the source gives, as ``2019-05``, ``2020-03-17`` or ``2013``. Intervals are counted in
whole months, the unit the literature reports time to metastasis in, as the range the two dates'
precision allows (:func:`months_between`).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["MonthsRange", "PartialDate", "months_between", "parse_partial_date"]

Precision = Literal["year", "month", "day"]

_ISO = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day.

    >>> parse_partial_date("2019-05")
    PartialDate(year=2019, month=5, day=None)
    >>> str(parse_partial_date("2020-03-17"))
    '2020-03-17'
    """

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def xsd_type(self) -> str:
        """The XML Schema datatype local name that keeps this precision."""
        return {"year": "gYear", "month": "gYearMonth", "day": "date"}[self.precision]

    def earliest(self) -> _dt.date:
        """The first day this partial date can mean (for ordering events)."""
        return _dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> _dt.date:
        """The last day this partial date can mean.

        >>> parse_partial_date("2024-02").latest(), parse_partial_date(2013).latest()
        (datetime.date(2024, 2, 29), datetime.date(2013, 12, 31))
        """
        if self.day is not None:
            return _dt.date(self.year, self.month or 1, self.day)
        if self.month is None:
            return _dt.date(self.year, 12, 31)
        following = _dt.date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return following - _dt.timedelta(days=1)


def parse_partial_date(value: object) -> PartialDate:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (or a :class:`datetime.date`).

    Raises :class:`ValueError` with a message that says what is allowed.

    >>> parse_partial_date(2013)
    PartialDate(year=2013, month=None, day=None)
    >>> parse_partial_date("2019-13")
    Traceback (most recent call last):
    ...
    ValueError: month 13 is not 1-12 in '2019-13'
    """
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    match = _ISO.match(value.strip())
    if not match:
        raise ValueError(f"expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}")
    year = int(match["y"])
    month = int(match["m"]) if match["m"] else None
    day = int(match["d"]) if match["d"] else None
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1-12 in {value!r}")
    if day is not None:
        try:
            _dt.date(year, month or 1, day)
        except ValueError:
            raise ValueError(f"day {day} does not exist in {value!r}") from None
    if not 1800 <= year <= 2200:
        raise ValueError(f"year {year} is out of range in {value!r}")
    return PartialDate(year, month, day)


@dataclass(frozen=True)
class MonthsRange:
    """Whole months between two partial dates: the fewest and the most the dates allow.

    Equal when both dates are known to the month (or the day); a year-only end widens it, so
    that no false month count is ever stated.
    """

    least: int
    most: int

    @property
    def exact(self) -> int | None:
        """The number of months when the dates fix it, else ``None``."""
        return self.least if self.least == self.most else None

    def __str__(self) -> str:
        return str(self.least) if self.exact is not None else f"{self.least} to {self.most}"


def _month_index(day: _dt.date) -> int:
    return day.year * 12 + day.month


def months_between(start: PartialDate, end: PartialDate) -> MonthsRange:
    """Whole months from ``start`` to ``end`` (days ignored), as the range their precision allows.

    >>> months_between(parse_partial_date("2019-10"), parse_partial_date("2023-12"))
    MonthsRange(least=50, most=50)
    >>> str(months_between(parse_partial_date("2013-01"), parse_partial_date("2024")))
    '132 to 143'
    >>> months_between(parse_partial_date("2023-12"), parse_partial_date("2024")).exact is None
    True
    """
    least = _month_index(end.earliest()) - _month_index(start.latest())
    most = _month_index(end.latest()) - _month_index(start.earliest())
    return MonthsRange(least, most)
