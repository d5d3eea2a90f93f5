"""The biomarker-expression parser: every form the corpus uses, and properties of the parser."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metkg.extract.biomarkers import MarkerMention, parse_results, parse_value

# Marker names as the term matcher would find them in these examples.
_NAMES = {
    "estrogen receptor (ER)": "ER",
    "progesterone receptor (PR)": "PR",
    "human epidermal growth factor receptor-2 (HER2)": "HER2",
    "H-caldesmon": "h-caldesmon",
    "c-erbB-2": "HER2",
    "GATA-3": "GATA3",
    "GATA 3": "GATA3",
    "Ki-67": "Ki-67",
    "Ki67": "Ki-67",
    "PgR": "PR",
    "HER2": "HER2",
    "ER": "ER",
    "PR": "PR",
    "SMA": "SMA",
    "desmin": "desmin",
    "vimentin": "vimentin",
    "TTF-1": "TTF-1",
    "napsin A": "napsin-A",
    "CK20": "CK20",
    "CK7": "CK7",
    "PD-L1": "PD-L1",
    "P120": "p120",
    "E-cad": "E-cadherin",
    "CD34": "CD34",
}
_PATTERN = re.compile("|".join(rf"(?<![\w-]){re.escape(n)}(?![\w])" for n in sorted(_NAMES, key=len, reverse=True)))


def _mentions(text: str) -> list[MarkerMention]:
    return [MarkerMention(m.start(), m.end(), _NAMES[m.group(0)]) for m in _PATTERN.finditer(text)]


def _results(text: str) -> list[tuple]:
    return [(r.marker, r.status, r.percent, r.comparator, r.score) for r in parse_results(text, _mentions(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("estrogen receptor (ER) positivity at 40%", [("ER", "positive", 40.0, None, None)]),
        ("progesterone receptor (PR) negativity", [("PR", "negative", None, None, None)]),
        ("human epidermal growth factor receptor-2 (HER2) expression of 0", [("HER2", None, None, None, "0")]),
        ("ER (+90%)", [("ER", "positive", 90.0, None, None)]),
        ("PgR (+5%)", [("PR", "positive", 5.0, None, None)]),
        ("c-erbB-2 (1+)", [("HER2", None, None, None, "1+")]),
        ("Ki67 (+ 50%)", [("Ki-67", "positive", 50.0, None, None)]),
        ("ER (-)", [("ER", "negative", None, None, None)]),
        ("GATA-3 (±)", [("GATA3", "equivocal", None, None, None)]),
        # a bare percent states no status; the specimen stage applies the hormone-receptor rule
        ("ER (>90%)", [("ER", None, 90.0, ">", None)]),
        ("HER2 (1+)", [("HER2", None, None, None, "1+")]),
        ("ER positivity >90%", [("ER", "positive", 90.0, ">", None)]),
        ("Ki-67 (<10%)", [("Ki-67", None, 10.0, "<", None)]),
        ("GATA 3(+)", [("GATA3", "positive", None, None, None)]),
        ("The expression level of Ki67 was determined to exceed 15%.", [("Ki-67", None, 15.0, ">", None)]),
        (
            "ER+/PR-/HER2-",
            [
                ("ER", "positive", None, None, None),
                ("PR", "negative", None, None, None),
                ("HER2", "negative", None, None, None),
            ],
        ),
        ("ER-positive, PR-negative", [("ER", "positive", None, None, None), ("PR", "negative", None, None, None)]),
        ("HER2 3+", [("HER2", None, None, None, "3+")]),
        ("PD-L1 expression (TPS) was 60%", [("PD-L1", None, 60.0, None, None)]),
        ("ER and PR positivity", [("ER", "positive", None, None, None), ("PR", "positive", None, None, None)]),
        (
            "H-caldesmon, SMA, and vimentin were positive, while desmin and CD34 were negative",
            [
                ("h-caldesmon", "positive", None, None, None),
                ("SMA", "positive", None, None, None),
                ("vimentin", "positive", None, None, None),
                ("desmin", "negative", None, None, None),
                ("CD34", "negative", None, None, None),
            ],
        ),
        (
            "positive for TTF-1 and napsin A and negative for CK20 and CK7",
            [
                ("TTF-1", "positive", None, None, None),
                ("napsin-A", "positive", None, None, None),
                ("CK20", "negative", None, None, None),
                ("CK7", "negative", None, None, None),
            ],
        ),
        (
            "diffuse expression of SMA and vimentin",
            [("SMA", "positive", None, None, None), ("vimentin", "positive", None, None, None)],
        ),
        ("P120 (membrane +)", [("p120", "positive", None, None, None)]),
    ],
)
def test_result_forms(text: str, expected: list[tuple]) -> None:
    assert _results(text) == expected, text


@pytest.mark.parametrize(
    "text",
    [
        "achieved a partial response (PR) according to RECIST 1.1",
        "ER, PR and HER2 status was not assessed (Figure 2)",
        "markers such as ER and HER2",
    ],
)
def test_a_marker_without_a_value_is_no_result(text: str) -> None:
    assert _results(text) == [], text


def test_pattern_and_evidence_spans() -> None:
    text = "P120 (membrane +), SMA (+)"
    results = parse_results(text, _mentions(text))
    assert [r.pattern for r in results] == ["membrane", None]
    assert [text[slice(*r.value_span)] for r in results] == ["(membrane +)", "(+)"]
    assert [text[slice(*r.marker_span)] for r in results] == ["P120", "SMA"]


@given(st.text(max_size=80))
def test_parse_value_never_fails_and_stays_in_range(text: str) -> None:
    value = parse_value(text)
    if value is not None:
        assert value.status in (None, "positive", "negative", "equivocal", "low")
        assert value.percent is None or 0 <= value.percent <= 100
        assert value.score in (None, "0", "1+", "2+", "3+")
        assert value.comparator is None or value.percent is not None


signs = st.sampled_from([("+", "positive"), ("-", "negative"), ("±", "equivocal"), ("", None)])
comparators = st.sampled_from([("", None), (">", ">"), ("<", "<"), ("≥", ">=")])


@given(
    st.sampled_from(["ER", "PgR", "HER2", "Ki67", "SMA"]), signs, comparators, st.integers(min_value=0, max_value=100)
)
def test_parenthesised_values_read_back(marker: str, sign: tuple, cmp: tuple, percent: int) -> None:
    text = f"{marker} ({sign[0]}{cmp[0]}{percent}%)"
    [(key, status, got_percent, comparator, score)] = _results(text)
    assert key == _NAMES[marker]
    assert (status, got_percent, comparator, score) == (sign[1], float(percent), cmp[1], None), text


@given(
    st.lists(st.sampled_from(["ER", "PR", "HER2", "SMA", "desmin", "CD34"]), min_size=1, max_size=5, unique=True),
    st.sampled_from([("positive", "positive"), ("negative", "negative")]),
)
def test_a_shared_value_goes_to_every_marker_of_the_list(markers: list[str], word: tuple) -> None:
    listing = markers[0] if len(markers) == 1 else ", ".join(markers[:-1]) + " and " + markers[-1]
    text = f"{listing} were {word[0]}"
    assert [(r[0], r[1]) for r in _results(text)] == [(_NAMES[m], word[1]) for m in markers], text


@given(st.text(alphabet="ERPHG2()+-±%<> ,/0123456789and", max_size=60))
def test_results_are_inside_the_text(text: str) -> None:
    for r in parse_results(text, _mentions(text)):
        for start, end in (r.marker_span, r.value_span):
            assert 0 <= start < end <= len(text)
