"""Answers of an external SPARQL server as pyoxigraph reads them, whatever the server's dialect."""

from __future__ import annotations

import json

import pytest
from pyoxigraph import BlankNode, NamedNode, QueryBoolean

from metkg.backends.endpoint import _parse_solutions
from metkg.errors import StoreError


def _answer(*rows: dict[str, dict[str, str]]) -> bytes:
    names = sorted({name for row in rows for name in row})
    return json.dumps({"head": {"vars": names}, "results": {"bindings": list(rows)}}).encode()


def test_virtuoso_blank_node_names_become_labels_that_stay_shared() -> None:
    body = _answer(
        {"s": {"type": "bnode", "value": "nodeID://b10001"}, "o": {"type": "uri", "value": "http://example.org/a"}},
        {"s": {"type": "bnode", "value": "nodeID://b10001"}, "o": {"type": "bnode", "value": "nodeID://b10002"}},
    )
    rows = list(_parse_solutions(body))  # type: ignore[arg-type]
    first, second = rows[0]["s"], rows[1]["s"]
    assert isinstance(first, BlankNode) and first == second
    assert rows[1]["o"] != first and isinstance(rows[1]["o"], BlankNode)
    assert rows[0]["o"] == NamedNode("http://example.org/a")


def test_valid_blank_node_labels_are_kept() -> None:
    rows = list(_parse_solutions(_answer({"s": {"type": "bnode", "value": "b0"}})))  # type: ignore[arg-type]
    assert rows[0]["s"] == BlankNode("b0")


def test_virtuoso_ask_as_a_result_set_is_a_boolean() -> None:
    assert bool(_parse_solutions(_answer({"__ASK_RETVAL": {"type": "literal", "value": "1"}}))) is True
    empty = _parse_solutions(json.dumps({"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": []}}).encode())
    assert isinstance(empty, QueryBoolean) and not bool(empty)


def test_an_answer_that_is_not_json_names_the_problem() -> None:
    with pytest.raises(StoreError, match="not SPARQL JSON results"):
        _parse_solutions(b"<html>proxy error</html>")


def test_relabelled_blank_nodes_never_meet_a_label_the_server_gave() -> None:
    taken = "x" + b"nodeID://b1".hex()  # a valid label that the hex of another name would give
    rows = list(  # type: ignore[call-overload]
        _parse_solutions(
            _answer(
                {"s": {"type": "bnode", "value": "nodeID://b1"}},
                {"s": {"type": "bnode", "value": taken}},
            )
        )
    )
    assert rows[0]["s"] != rows[1]["s"]
