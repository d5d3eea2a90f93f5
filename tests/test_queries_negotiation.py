"""The Accept parser and format choice of metkg.sparql.negotiation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metkg.sparql.negotiation import (
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    MediaRange,
    choose_format,
    format_by_name,
    negotiate,
    parse_accept,
)

OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("text/csv", [MediaRange("text", "csv", 1.0)]),
        ("TEXT/CSV ; q=0.5", [MediaRange("text", "csv", 0.5)]),
        ("text/*;q=0.2, */*;q=0.1", [MediaRange("text", "*", 0.2), MediaRange("*", "*", 0.1)]),
        ("text/turtle;charset=utf-8;q=0.7", [MediaRange("text", "turtle", 0.7)]),
        ("text/csv;q=2, text/tsv;q=abc, */csv, garbage, , text/", []),
        ("", []),
        (None, []),
    ],
)
def test_parse_accept(header: str | None, expected: list[MediaRange]) -> None:
    assert parse_accept(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("text/csv;q=0.4, text/tab-separated-values;q=0.5", "text/tab-separated-values"),
        ("text/*", "text/csv"),
        ("text/*, text/csv;q=0", "text/tab-separated-values"),
        ("*/*;q=0.1, application/sparql-results+xml", "application/sparql-results+xml"),
        ("*/*, text/csv", "text/csv"),
        ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
        ("image/png", None),
        ("image/*, text/html", None),
        ("nonsense", "application/sparql-results+json"),
    ],
)
def test_negotiate(header: str | None, expected: str | None) -> None:
    assert negotiate(header, OFFERS) == expected


@given(st.text(max_size=200))
def test_negotiate_never_fails(header: str) -> None:
    assert negotiate(header, OFFERS) in [*OFFERS, None]


@given(st.lists(st.sampled_from(OFFERS), min_size=1), st.floats(min_value=0.001, max_value=1.0))
def test_negotiate_picks_a_named_type(named: list[str], q: float) -> None:
    header = ", ".join(f"{m};q={q:.3f}" for m in named)
    assert negotiate(header, OFFERS) in named


def test_choose_format_keeps_the_media_type_asked_for() -> None:
    fmt, media = choose_format("application/json", SOLUTION_FORMATS)  # type: ignore[misc]
    assert (fmt.name, media) == ("json", "application/json")
    fmt, media = choose_format("*/*", GRAPH_FORMATS)  # type: ignore[misc]
    assert (fmt.name, media) == ("turtle", "text/turtle")
    assert choose_format("text/csv", GRAPH_FORMATS) is None


def test_browsers_get_html() -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert choose_format(browser, SOLUTION_FORMATS)[0].name == "html"  # type: ignore[index]
    assert choose_format(browser, GRAPH_FORMATS)[0].name == "html"  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "expected"), [("ttl", "turtle"), ("TURTLE", "turtle"), ("nt", "ntriples"), ("rdf", "rdfxml")]
)
def test_format_by_name_aliases(name: str, expected: str) -> None:
    assert format_by_name(name, GRAPH_FORMATS).name == expected  # type: ignore[union-attr]
