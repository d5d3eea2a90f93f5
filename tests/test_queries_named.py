"""Named queries: the #+ header, typed parameters bound as terms (metkg.sparql.named), and
running them with run_query on a small in-memory store (metkg.sparql.execute)."""

from __future__ import annotations

import json
import re

import pyoxigraph
import pytest

from metkg.errors import ConfigurationError, NotAcceptableError, QueryError, QueryParameterError, UnknownQueryError
from metkg.settings import PROJECT_ROOT
from metkg.sparql.execute import QueryRequest, run_query
from metkg.sparql.named import get_named_query, load_named_queries, parse_named_query

BASE = "https://w3id.org/metkg/"
XSD = "http://www.w3.org/2001/XMLSchema#"
HEADER = """#+ title: Things by key
#+ description: >
#+   Every thing with a key.
#+ params:
#+   - name: key
#+     type: key
#+     default: null
#+     description: a key
#+   - name: limit
#+     type: integer
#+     default: 10
#+   - name: thing
#+     type: iri
"""
QUERY = HEADER + "SELECT ?thing ?key ?limit WHERE { ?thing <https://w3id.org/metkg/ontology#key> ?key }\n"


def test_every_project_query_loads() -> None:
    queries = load_named_queries(PROJECT_ROOT / "queries")
    assert len(queries) >= 8
    for query in queries.values():
        assert query.title and query.description, query.name
        assert all(p.description for p in query.parameters), query.name


def test_header_is_parsed() -> None:
    query = parse_named_query("things", QUERY)
    assert query.title == "Things by key"
    assert query.description == "Every thing with a key."
    assert [(p.name, p.type, p.default, p.required) for p in query.parameters] == [
        ("key", "key", None, False),
        ("limit", "integer", "10", False),
        ("thing", "iri", None, True),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT * { ?s ?p ?o }", "no header"),
        ("#+ title: [unclosed\nSELECT * {}", "not valid YAML"),
        ("#+ description: x\nSELECT * {}", "needs a `title`"),
        ("#+ title: x\n#+ author: me\nSELECT * {}", "unknown header field(s) author"),
        ("#+ title: x\n#+ params: [{name: site}]\nSELECT ?site {}", "needs `name` and `type`"),
        ("#+ title: x\n#+ params: [{name: site, type: place}]\nSELECT ?site {}", "unknown type 'place'"),
        ("#+ title: x\n#+ params: [{name: site, type: site-key}]\nSELECT ?s {}", "not a variable (?site)"),
        ("#+ title: x\n#+ params: [{name: 1x, type: string}]\nSELECT ?s {}", "not a SPARQL variable name"),
    ],
)
def test_bad_headers(text: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        parse_named_query("bad", text)


def test_parameters_become_typed_terms() -> None:
    query = parse_named_query("things", QUERY)
    bound = query.substitutions({"thing": "case/10.1/x", "limit": "+7"}, BASE)
    assert {v.value: t for v, t in bound.items()} == {
        "thing": pyoxigraph.NamedNode(f"{BASE}case/10.1/x"),
        "limit": pyoxigraph.Literal("7", datatype=pyoxigraph.NamedNode(XSD + "integer")),
    }


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "needs parameter 'thing'"),
        ({"thing": "http://x", "limit": "ten"}, "'ten' is not a whole number"),
        ({"thing": 'http://x"> } DROP ALL {'}, "is not an absolute IRI"),
        ({"thing": "http://x", "key": "a b"}, "'a b' is not an ontology key"),
        ({"thing": "http://x", "kye": "ER"}, "has no parameter 'kye'"),
        ({"thing": "http://x", "key": "ERR"}, "did you mean 'ER'"),
    ],
)
def test_parameter_errors(values: dict[str, str], message: str) -> None:
    query = parse_named_query("things", QUERY)
    with pytest.raises(QueryParameterError, match=message):
        query.substitutions(values, BASE, lambda kind: {"ER", "PR"})


def test_doi_parameter_is_normalised() -> None:
    query = parse_named_query("d", "#+ title: d\n#+ params: [{name: doi, type: doi}]\nSELECT ?doi {}")
    [term] = query.substitutions({"doi": "https://doi.org/10.3389/FONC.2025.1709244"}, BASE).values()
    assert term == pyoxigraph.Literal("10.3389/fonc.2025.1709244")


def test_unknown_named_query() -> None:
    with pytest.raises(UnknownQueryError, match="named queries: a, b"):
        get_named_query({"a": None, "b": None}, "c")  # type: ignore[dict-item]


INJECTION = '"} ; DROP ALL ; {"'


@pytest.fixture
def store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    key = pyoxigraph.NamedNode("https://w3id.org/metkg/ontology#key")
    graph = pyoxigraph.NamedNode(f"{BASE}graph/ontology")
    for i, k in enumerate(["ER", "PR", "HER2"]):
        store.add(pyoxigraph.Quad(pyoxigraph.NamedNode(f"http://ex/{i}"), key, pyoxigraph.Literal(k), graph))
    return store


def _json_rows(store: pyoxigraph.Store, request: QueryRequest) -> list[dict[str, str]]:
    answer = run_query(store, request)
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(answer.body)["results"]["bindings"]]


def test_injection_is_a_value_not_query_text(store: pyoxigraph.Store) -> None:
    """A string parameter holding SPARQL syntax matches nothing and changes nothing."""
    query = parse_named_query("s", "#+ title: s\n#+ params: [{name: key, type: string}]\n" + QUERY.split("\n")[-2])
    bound = tuple((v.value, t) for v, t in query.substitutions({"key": INJECTION}, BASE).items())
    assert bound == (("key", pyoxigraph.Literal(INJECTION)),)
    assert _json_rows(store, QueryRequest(query.text, substitutions=bound)) == []
    assert len(store) == 3
    bound = (("key", pyoxigraph.Literal("PR")),)
    assert _json_rows(store, QueryRequest(query.text, substitutions=bound)) == [{"thing": "http://ex/1", "key": "PR"}]


PAGED = """#+ title: The first thing after a key
#+ params: [{name: after, type: string, default: null}, {name: key, type: string, default: null}]
SELECT ?thing ?key WHERE {
  { SELECT ?thing WHERE { ?thing metkg:key ?k FILTER(?k > COALESCE(?after, "") && ?k = COALESCE(?key, ?k)) }
    ORDER BY ?k LIMIT 1 }
  ?thing metkg:key ?key
}
"""


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, [{"thing": "http://ex/0", "key": "ER"}]),
        ({"after": "ER"}, [{"thing": "http://ex/2", "key": "HER2"}]),  # ER < HER2 < PR
        ({"after": "HER2", "key": "HER2"}, []),
        ({"key": "PR"}, [{"thing": "http://ex/1", "key": "PR"}]),  # projected, and used in the sub-select
        ({"after": INJECTION}, [{"thing": "http://ex/0", "key": "ER"}]),  # '"' sorts before letters
    ],
)
def test_parameters_reach_a_sub_select(store: pyoxigraph.Store, values: dict[str, str], expected: list) -> None:
    """A parameter the query does not project (Oxigraph cannot substitute it), and a projected
    one used in a sub-select (Oxigraph's substitutions do not reach it), are bound there as
    typed terms in VALUES blocks: the same answers as on an external engine, and still a value."""
    query = parse_named_query("paged", PAGED)
    bound = tuple((v.value, t) for v, t in query.substitutions(values, BASE).items())
    assert _json_rows(store, QueryRequest(query.text, substitutions=bound)) == expected
    assert len(store) == 3


def test_union_default_graph_and_max_rows(store: pyoxigraph.Store) -> None:
    request = QueryRequest("SELECT ?k WHERE { ?s metkg:key ?k } ORDER BY ?k", max_rows=2)
    answer = run_query(store, request)
    assert answer.truncated
    assert [b["k"]["value"] for b in json.loads(answer.body)["results"]["bindings"]] == ["ER", "HER2"]


def test_errors(store: pyoxigraph.Store) -> None:
    with pytest.raises(QueryError, match=r"^malformed query: error at 1:"):
        run_query(store, QueryRequest("SELECT WHERE"))
    with pytest.raises(NotAcceptableError):
        run_query(store, QueryRequest("ASK {}", solutions_format=None))
    with pytest.raises(NotAcceptableError):
        run_query(store, QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", graph_format=None))
