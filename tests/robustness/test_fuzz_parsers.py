"""Property-based tests of the parsers that read text from outside: the record loader never raises
(it returns issues), and the biomarker parser never raises and keeps its spans inside the text."""

from __future__ import annotations

import time
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.robustness.conftest import FIXTURES

from metkg.extract.biomarkers import MarkerMention, ParsedResult, ResultValue, parse_results, parse_value
from metkg.records.loader import parse_record_text
from metkg.records.models import CaseRecord

VALID = (FIXTURES / "records" / "minimal.yaml").read_text(encoding="utf-8")
NAME = "fuzz.yaml"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_outcome(outcome: Any) -> None:
    record, _lines, issues = outcome
    if record is None:
        assert issues, "a record that does not load must say why"
    else:
        assert isinstance(record, CaseRecord) and issues == []
    for issue in issues:
        assert issue.file == NAME
        assert issue.line is None or issue.line >= 1
        assert issue.field and issue.message


# ---------------------------------------------------------------- record loader

yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20), st.dates().map(str)
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(st.text(max_size=400))
def test_loader_on_any_text_returns_issues(text: str) -> None:
    _check_outcome(parse_record_text(text, NAME))


@FUZZ
@given(st.integers(0, len(VALID)), st.integers(0, 40), st.text(max_size=30))
def test_loader_on_a_damaged_record_returns_issues(at: int, cut: int, insert: str) -> None:
    _check_outcome(parse_record_text(VALID[:at] + insert + VALID[at + cut :], NAME))


@FUZZ
@given(st.data())
def test_loader_on_a_record_with_a_field_replaced_returns_issues(data: st.DataObject) -> None:
    record = yaml.safe_load(VALID)
    target: Any = record
    while isinstance(target, dict | list) and target and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(target) if isinstance(target, dict) else range(len(target))))
        if not isinstance(target[key], dict | list):
            break
        target = target[key]
    if isinstance(target, dict):
        target[data.draw(st.sampled_from([*sorted(target), "extra"]))] = data.draw(yaml_values)
    text = yaml.safe_dump(record, sort_keys=False, allow_unicode=True)
    _check_outcome(parse_record_text(text, NAME))


def test_loader_on_yaml_bombs_answers_fast() -> None:
    """Aliases that expand exponentially, or that contain themselves, and very deep nesting."""
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
    )
    for text in (laughs, "a: &a [*a]\n", "id: &x {a: *x}\n", "[" * 3000 + "]" * 3000, "{a: " * 3000 + "}" * 3000):
        started = time.monotonic()
        record, _, issues = parse_record_text(text, NAME)
        assert record is None and issues
        assert time.monotonic() - started < 2.0, (text[:40], issues)


def test_loader_refuses_python_tags_and_collection_keys() -> None:
    record, _, [issue] = parse_record_text("id: !!python/name:os.system ''\n", NAME)
    assert record is None and issue.field == "(yaml)" and "could not determine a constructor" in issue.message
    record, _, [issue] = parse_record_text("? [a, b]\n: 1\n", NAME)
    assert record is None and issue.message.endswith("a key must be a plain value, not a list or mapping")


# ---------------------------------------------------------------- biomarker parser

MARKER_WORDS = ["ER", "PR", "HER2", "Ki-67", "AR", "SMA"]
VALUE_WORDS = ["(+90%)", "(1+)", "(-)", "positive", "negativity", ">", "<", "%", "±", "3+", "0", "and", ",", "or", "/"]
report_text = st.lists(st.sampled_from(MARKER_WORDS + VALUE_WORDS) | st.text(max_size=6), max_size=25).map(" ".join)


@FUZZ
@given(st.text(max_size=80) | st.lists(st.sampled_from(VALUE_WORDS), max_size=6).map(" ".join))
def test_parse_value_never_raises(text: str) -> None:
    value = parse_value(text)
    assert value is None or (isinstance(value, ResultValue) and not value.empty)
    if value is not None and value.percent is not None:
        assert value.percent >= 0


@FUZZ
@given(report_text, st.data())
def test_parse_results_never_raises_and_keeps_spans_in_the_text(text: str, data: st.DataObject) -> None:
    found = [
        MarkerMention(i, i + len(word), word)
        for word in MARKER_WORDS
        for i in range(len(text))
        if text.startswith(word, i)
    ]
    extra = data.draw(
        st.lists(st.tuples(st.integers(0, len(text)), st.integers(0, 8), st.sampled_from(MARKER_WORDS)), max_size=3)
    )
    mentions = found + [MarkerMention(s, min(s + n, len(text)), k) for s, n, k in extra]
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    results = parse_results(text, mentions, start, end)
    for result in results:
        assert isinstance(result, ParsedResult)
        assert result.marker in MARKER_WORDS
        assert 0 <= result.marker_span[0] <= result.marker_span[1] <= len(text)
        assert 0 <= result.value_span[0] <= result.value_span[1] <= len(text)
        assert result.status or result.percent is not None or result.score
