"""The date parser: the forms case reports use, and properties over generated dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metkg.extract.dates import (
    Offset,
    find_dates,
    format_date,
    is_metadata_date,
    parse_date,
    publication_date,
    resolve,
    word_number,
)
from metkg.records.dates import PartialDate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In May 2019, the patient palpated a mass", "2019-05"),
        ("On March 17, 2020, she underwent surgery", "2020-03-17"),
        ("in 2013", "2013"),
        ("17 March 2020", "2020-03-17"),
        ("17th of March 2020", "2020-03-17"),
        ("Sept. 2018", "2018-09"),
        ("2020-03-17", "2020-03-17"),
        ("March, 2021", "2021-03"),
        ("in the year 2011", "2011"),
    ],
)
def test_absolute_forms(text: str, expected: str) -> None:
    assert str(parse_date(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("11 years after the diagnosis", Offset(11, "year", "after")),
        ("two weeks later", Offset(2, "week", "after")),
        ("Eight weeks after surgery", Offset(8, "week", "after")),
        ("15 years ago", Offset(15, "year", "before")),
        ("one month later", Offset(1, "month", "after")),
        ("the following day", Offset(1, "day", "after")),
        ("After 11 years of disease-free survival", Offset(11, "year", "after")),
        ("twenty-two months later", Offset(22, "month", "after")),
    ],
)
def test_relative_forms(text: str, offset: Offset) -> None:
    mentions = find_dates(text)
    assert [m.offset for m in mentions] == [offset], text


def test_a_day_without_year_takes_the_year_of_its_range_or_the_context() -> None:
    both = find_dates("From July 6 to August 11, 2020, radiotherapy")
    assert [str(m.date) for m in both] == ["2020-07-06", "2020-08-11"]
    alone = find_dates("On March 2, she had a fever", default_year=2024)
    assert [(str(m.date), m.year_inferred) for m in alone] == [("2024-03-02", True)]
    assert find_dates("On March 2, she had a fever") == []


@pytest.mark.parametrize("text", ["at the age of 35", "COVID-19 infection", "She may 2 times", "a 45-year-old woman"])
def test_non_dates(text: str) -> None:
    assert [m for m in find_dates(text) if m.date is not None] == [], text


def test_resolve_keeps_the_precision_the_anchor_supports() -> None:
    assert str(resolve(Offset(2, "week", "after"), PartialDate(2024, 2, 24))) == "2024-03-09"
    assert str(resolve(Offset(8, "week", "after"), PartialDate(2013, 1))) == "2013-03"
    assert str(resolve(Offset(11, "year", "after"), PartialDate(2013, 1))) == "2024"
    assert resolve(Offset(None, "week", "after"), PartialDate(2013, 1)) is None
    assert resolve(Offset(3, "day", "after"), PartialDate(2013)) is None


@pytest.mark.parametrize(("word", "value"), [("11", 11), ("eleven", 11), ("Seventy-two", 72), ("several", None)])
def test_word_number(word: str, value: int | None) -> None:
    assert word_number(word) == value


dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
precisions = st.sampled_from(["year", "month", "day"])


def _partial(date: dt.date, precision: str) -> PartialDate:
    if precision == "year":
        return PartialDate(date.year)
    if precision == "month":
        return PartialDate(date.year, date.month)
    return PartialDate(date.year, date.month, date.day)


@given(
    dates, precisions, st.sampled_from(["long", "day-first", "iso"]), st.sampled_from(["In ", "in ", "By ", "Since "])
)
def test_every_written_form_parses_back(date: dt.date, precision: str, style: str, lead: str) -> None:
    partial = _partial(date, precision)
    text = f"{lead}{format_date(partial, style)}, the patient was seen."
    assert parse_date(text) == partial, text


@given(dates, st.sampled_from(["long", "day-first", "iso"]))
def test_a_day_reads_the_same_after_on(date: dt.date, style: str) -> None:
    partial = _partial(date, "day")
    assert parse_date(f"On {format_date(partial, style)} she was admitted.") == partial


@given(st.text(max_size=200))
def test_find_dates_never_fails_and_spans_stay_inside(text: str) -> None:
    for m in find_dates(text, default_year=2020):
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        assert (m.date is None) != (m.offset is None)


@given(dates, st.integers(min_value=0, max_value=40), st.sampled_from(["day", "week", "month", "year"]))
def test_resolve_moves_forward_after_and_backward_before(date: dt.date, amount: int, unit: str) -> None:
    anchor = PartialDate(date.year, date.month, date.day)
    after = resolve(Offset(amount, unit, "after"), anchor)  # type: ignore[arg-type]
    before = resolve(Offset(amount, unit, "before"), anchor)  # type: ignore[arg-type]
    if after is not None:
        assert after.earliest() >= dt.date(anchor.year, 1 if unit == "year" else anchor.month, 1)
    if before is not None:
        assert before.earliest() <= anchor.earliest()


@pytest.mark.parametrize(
    ("text", "start", "metadata"),
    [
        ("Published online: 3 May 2021", 18, True),
        ("Received 2 January 2020; accepted 9 March 2020", 9, True),
        ("© 2019 The Authors", 2, True),
        ("Accessed on 12 June 2023", 12, True),
        ("In May 2021 she noticed a mass", 3, False),
        ("She was admitted on 3 May 2021", 20, False),
        ("The specimen was received on 3 May 2021", 29, False),
    ],
)
def test_dates_of_page_metadata(text: str, start: int, metadata: bool) -> None:
    assert is_metadata_date(text, start) is metadata


def test_the_publication_date_comes_from_the_front_matter() -> None:
    assert str(publication_date("Case Reports\nPublished: 14 March 2020\nA 50-year-old man")) == "2020-03-14"
    assert str(publication_date("© 2019 The Authors. Published by a press.")) == "2019"
    assert publication_date("A 50-year-old man presented in May 2018.") is None
    assert publication_date("Our earlier case was published in 2015.") is None


def _case_dates(extract, text: str) -> list[str]:
    return [str(lesion.diagnosis_date) for lesion in extract(text).patients[0].lesions if lesion.diagnosis_date]


def test_a_relative_time_is_not_anchored_to_a_publication_line(extract) -> None:
    text = (
        "Published online: 5 June 2022\n\n"
        "A 58-year-old woman was treated for breast cancer. Two years later, liver metastases were found.\n"
    )
    assert _case_dates(extract, text) == []


def test_a_relative_time_is_anchored_to_a_date_the_case_states(extract) -> None:
    text = "A 58-year-old woman had breast cancer diagnosed in May 2015. Two years later, liver metastases were found."
    assert _case_dates(extract, text) == ["2017"]


@pytest.mark.parametrize(("later", "expected"), [("One year", ["2019"]), ("Three years", [])])
def test_no_derived_date_falls_after_publication(extract, later: str, expected: list[str]) -> None:
    text = (
        "Published: 10 January 2020\n\n"
        f"A 58-year-old woman had breast cancer diagnosed in May 2018. {later} later, liver metastases were found.\n"
    )
    assert _case_dates(extract, text) == expected


def test_a_relative_time_beside_a_stated_year_glosses_it(extract) -> None:
    text = (
        "A 61-year-old man underwent gastrectomy for gastric cancer in 2014. "
        "In 2020, 70 months after gastrectomy, liver metastases were found. One year later, bone metastases appeared."
    )
    assert _case_dates(extract, text) == ["2014", "2020", "2021"]  # not counted on from 2020 plus 70 months


def test_a_year_of_the_literature_is_no_anchor(extract) -> None:
    text = (
        "A 61-year-old man had gastric cancer. The first such case was published by Smith et al. in 1961. "
        "Two years later, liver metastases were found."
    )
    assert _case_dates(extract, text) == []


def test_no_derived_date_falls_in_the_future(extract) -> None:
    text = "A 61-year-old man had gastric cancer diagnosed in 2025. Eight years later, liver metastases were found."
    assert _case_dates(extract, text) == []
