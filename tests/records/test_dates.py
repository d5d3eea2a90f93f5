"""Partial dates: parsing keeps the source's precision; intervals count whole months."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metkg.records.dates import MonthsRange, PartialDate, months_between, parse_partial_date


@pytest.mark.parametrize(
    ("text", "expected", "xsd"),
    [
        ("2013", PartialDate(2013), "gYear"),
        ("2019-05", PartialDate(2019, 5), "gYearMonth"),
        ("2020-03-17", PartialDate(2020, 3, 17), "date"),
        (2024, PartialDate(2024), "gYear"),
        (dt.date(2025, 4, 30), PartialDate(2025, 4, 30), "date"),
    ],
)
def test_parse_keeps_precision(text: object, expected: PartialDate, xsd: str) -> None:
    parsed = parse_partial_date(text)
    assert parsed == expected
    assert parsed.xsd_type == xsd


@pytest.mark.parametrize("bad", ["2019-5", "May 2019", "2019-02-30", "2019-00", "20190", "", "1700", True, 3.5])
def test_parse_rejects(bad: object) -> None:
    with pytest.raises(ValueError, match=r"YYYY|month|day|year"):
        parse_partial_date(bad)


@given(
    st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 12, 31)), st.sampled_from(["year", "month", "day"])
)
def test_round_trip_through_text(day: dt.date, precision: str) -> None:
    value = PartialDate(day.year, day.month if precision != "year" else None, day.day if precision == "day" else None)
    assert parse_partial_date(str(value)) == value
    assert value.earliest() <= day


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
)
def test_months_between_is_antisymmetric_and_whole(a: dt.date, b: dt.date) -> None:
    pa, pb = PartialDate(a.year, a.month), PartialDate(b.year, b.month)
    assert months_between(pa, pb).exact == -months_between(pb, pa).exact
    assert months_between(pa, pb).exact == (b.year - a.year) * 12 + b.month - a.month


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(["year", "month", "day"]),
    st.sampled_from(["year", "month", "day"]),
)
def test_months_between_holds_every_pair_of_days_the_dates_can_mean(
    a: dt.date, b: dt.date, precision_a: str, precision_b: str
) -> None:
    """The range contains the month count of the true days, whatever precision hides them."""
    vague_a, vague_b = _at_precision(a, precision_a), _at_precision(b, precision_b)
    months = months_between(vague_a, vague_b)
    true = (b.year - a.year) * 12 + b.month - a.month
    assert months.least <= true <= months.most
    assert (months.exact is not None) == (precision_a != "year" and precision_b != "year")


def _at_precision(day: dt.date, precision: str) -> PartialDate:
    return PartialDate(day.year, None if precision == "year" else day.month, day.day if precision == "day" else None)


def test_a_year_only_end_gives_a_range_never_a_false_count() -> None:
    """The DCIS report's axillary metastasis: primary 2013-01, metastasis only '2024' (really 134-135
    months later); before, 132 months was stated as if known."""
    months = months_between(PartialDate(2013, 1), PartialDate(2024))
    assert (months.least, months.most, months.exact) == (132, 143, None)
    assert str(months) == "132 to 143"
    assert months_between(PartialDate(2013), PartialDate(2024, 2, 24)) == MonthsRange(122, 133)
