"""metkg on Virtuoso: build into it, query it, serve from it; answers equal the embedded store's."""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph
import pytest

from metkg.backends.endpoint import SparqlEndpoint
from metkg.backends.remote_store import RemoteStore, UnionPolicy, metkg_graphs, probe_union
from metkg.backends.virtuoso import VirtuosoServer, isql
from metkg.build import build_graph
from metkg.errors import QueryError
from metkg.settings import Settings
from metkg.sparql.execute import QueryRequest, run_query
from metkg.sparql.named import load_named_queries
from metkg.store import StoreLayout

from .conftest import BASE, MARROW, RECORDS, SCALP, serving

#: Every named query with the parameters a user would give it (and once with the defaults).
#: A DOI before every fixture report's: a page after it is the first page, read through the
#: paging parameter (bound in a sub-select).
BEFORE_ALL = "10.9999/metkg-web.0000"

PARAMETERS: list[tuple[str, dict[str, str]]] = [
    ("biomarker-profile", {"doi": SCALP}),
    ("biomarker-profile", {"doi": MARROW}),
    ("case-timeline", {"doi": SCALP}),
    ("co-occurring-metastases", {}),
    ("co-occurring-metastases", {"site": "bone"}),
    ("diagnostic-delay", {}),
    ("metastatic-sites-by-primary", {}),
    ("receptor-conversion", {}),
    ("receptor-conversion", {"marker": "HER2"}),
    ("receptor-conversion", {"marker": "HER2", "after": BEFORE_ALL}),
    ("time-to-metastasis", {"doi": SCALP}),
    ("treatments-by-site", {"site": "skin"}),
    ("treatments-by-site", {"site": "skin", "after": BEFORE_ALL}),
]


#: Where Virtuoso 7.2 departs from SPARQL 1.1 and the answers differ by design, per query: columns
#: computed with CONCAT over a possibly unbound variable (Virtuoso yields "%" where the spec makes
#: the expression an error, so COALESCE moves on). Everything else must be equal.
VIRTUOSO_DEVIATIONS = {"receptor-conversion": {"primary_value", "metastasis_value"}}


def _value(term: dict[str, Any]) -> tuple[str, str]:
    """A result term compared by meaning: numbers by value (5.0 and 5), and xsd:boolean as the
    integer Virtuoso answers with (it has no boolean type: true is 1).
    """
    value, datatype = term["value"], term.get("datatype", "")
    if datatype.endswith("#boolean"):
        value = "1" if value in ("true", "1") else "0"
    elif datatype.endswith(("#integer", "#decimal", "#double", "#float")):
        with contextlib.suppress(InvalidOperation):
            value = str(Decimal(value).normalize())
    return term["type"].replace("typed-literal", "literal"), value


def _rows(body: bytes, ignore: set[str] = frozenset()) -> list[tuple[tuple[str, tuple[str, str]], ...]]:
    document = json.loads(body)
    bindings = document["results"]["bindings"]
    return sorted(tuple(sorted((k, _value(v)) for k, v in b.items() if k not in ignore)) for b in bindings)


def _named(settings: Settings, store: Any, name: str, values: dict[str, str]) -> list[Any]:
    query = load_named_queries(settings.queries_dir)[name]
    bound = query.substitutions(values, settings.base_iri)
    request = QueryRequest(query.text, substitutions=tuple((v.value, t) for v, t in bound.items()), base_iri=BASE)
    return _rows(run_query(store, request).body, VIRTUOSO_DEVIATIONS.get(name, set()))


@pytest.fixture(scope="module")
def oxigraph(reference: Settings) -> pyoxigraph.Store:
    return StoreLayout(reference.store).open_read_only()


@pytest.fixture(scope="module")
def remote_store(remote: Settings) -> Any:
    store = RemoteStore.from_settings(remote)
    yield store
    store.close()


def test_build_publishes_every_graph_and_statement(oxigraph: pyoxigraph.Store, remote_store: RemoteStore) -> None:
    local = sorted(g.value for g in oxigraph.named_graphs())
    assert metkg_graphs(remote_store.endpoint, BASE) == local, "the server holds exactly the build's graphs"
    count = remote_store.endpoint.select(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), '{BASE}graph/')) }}"
    )
    assert int(next(iter(count))["n"].value) == len(oxigraph)


class _SeparateDefaultGraph(SparqlEndpoint):
    """The same server, seen as engines like Fuseki are by default: a query that names no dataset
    reads a default graph of its own (here an empty one), not the union of the named graphs.
    """

    def select(self, query: str, default_graphs: Any = (), named_graphs: Any = (), timeout: Any = None) -> Any:
        if not default_graphs and not named_graphs:
            default_graphs = ["urn:metkg:test:empty-default-graph"]
        return super().select(query, default_graphs, named_graphs, timeout)


def _separate(settings: Settings, policy: str) -> RemoteStore:
    plain = SparqlEndpoint.from_settings(settings)
    endpoint = _SeparateDefaultGraph(
        plain.query_url, plain.update_url, plain.graph_store_url, plain.auth, plain.timeout
    )
    return RemoteStore(endpoint, BASE, UnionPolicy.from_setting(policy))


def test_virtuoso_default_graph_is_the_union(remote_store: RemoteStore) -> None:
    assert probe_union(remote_store.endpoint) is True
    assert remote_store.resolve_union() == UnionPolicy("native")


@pytest.mark.parametrize(
    ("name", "values"), PARAMETERS, ids=[f"{n}-{'-'.join(v.values()) or 'defaults'}" for n, v in PARAMETERS]
)
def test_named_query_answers_equal_the_embedded_store(
    name: str, values: dict[str, str], reference: Settings, oxigraph: pyoxigraph.Store, remote_store: RemoteStore
) -> None:
    expected = _named(reference, oxigraph, name, values)
    assert _named(reference, remote_store, name, values) == expected


def test_every_named_query_is_compared(reference: Settings) -> None:
    assert {name for name, _ in PARAMETERS} == set(load_named_queries(reference.queries_dir))


def test_named_queries_find_something(reference: Settings, oxigraph: pyoxigraph.Store) -> None:
    """The comparisons above are not between empty answers."""
    empty = [n for n, v in PARAMETERS if not _named(reference, oxigraph, n, v)]
    assert len(empty) <= 2, f"named queries with no answer on the fixture data: {empty}"


def test_separate_default_graph_is_detected_and_each_graph_named(
    reference: Settings, oxigraph: pyoxigraph.Store, remote: Settings
) -> None:
    native = _separate(remote, "native")
    assert _named(reference, native, "receptor-conversion", {}) == [], "the default graph alone holds no case"
    auto = _separate(remote, "auto")
    assert auto.resolve_union() == UnionPolicy("graphs")
    # Paging is left out: with every graph named, Virtuoso's query compiler runs out of its memory
    # pool on receptor-conversion's nested sub-selects (docs/external-engines.md).
    for name, values in PARAMETERS:
        if "after" not in values:
            assert _named(reference, auto, name, values) == _named(reference, oxigraph, name, values), name


def test_union_graph_iri_a_virtuoso_graph_group(
    virtuoso: VirtuosoServer, reference: Settings, oxigraph: pyoxigraph.Store, remote: Settings
) -> None:
    group = f"{BASE}graph/all"
    members = metkg_graphs(SparqlEndpoint.from_settings(remote), BASE)
    sql = f"DB.DBA.RDF_GRAPH_GROUP_CREATE('{group}', 1);\n" + "".join(
        f"DB.DBA.RDF_GRAPH_GROUP_INS('{group}', '{g}');\n" for g in members
    )
    isql(virtuoso.isql_address, virtuoso.user, virtuoso.password, sql)
    store = RemoteStore(SparqlEndpoint.from_settings(remote), BASE, UnionPolicy.from_setting(group))
    for name, values in PARAMETERS[:4]:
        assert _named(reference, store, name, values) == _named(reference, oxigraph, name, values)


def test_malformed_query_is_a_query_error_with_the_servers_message(remote_store: RemoteStore) -> None:
    with pytest.raises(QueryError, match="SP030: SPARQL compiler, line 1: syntax error"):
        run_query(remote_store, QueryRequest("SELEC * WHERE { ?s ?p ?o }"))


@pytest.fixture(scope="module")
def clients(reference: Settings, remote: Settings) -> Any:
    with serving(reference) as local, serving(remote) as external:
        yield local, external


@pytest.mark.parametrize(
    "path",
    [
        f"/queries/biomarker-profile?format=csv&doi={MARROW}",
        f"/queries/case-timeline?format=tsv&doi={SCALP}",
        "/queries/treatments-by-site?format=csv&site=skin",
        "/queries/metastatic-sites-by-primary?format=csv",
    ],
)
def test_served_named_queries_equal(clients: Any, path: str) -> None:
    local, external = clients
    want, got = local.get(path), external.get(path)
    assert (got.status_code, got.headers["content-type"]) == (want.status_code, want.headers["content-type"])
    assert sorted(got.text.splitlines()) == sorted(want.text.splitlines())


def test_served_sparql_protocol(clients: Any) -> None:
    local, external = clients
    json_results = {"Accept": "application/sparql-results+json"}
    query = {"query": "SELECT ?doi WHERE { ?c a metkg:CaseReport ; metkg:doi ?doi } ORDER BY DESC(?doi)"}
    select = external.get("/sparql", params=query, headers=json_results)
    assert select.status_code == 200
    # Sorted: Virtuoso 7.2 orders strings longer than about 20 characters by a prefix only.
    want = local.get("/sparql", params=query, headers=json_results).json()["results"]["bindings"]
    assert sorted(select.json()["results"]["bindings"], key=str) == sorted(want, key=str)
    ask = external.post("/sparql", data={"query": "ASK { ?s a metkg:Patient }"}, headers=json_results)
    assert ask.json() == {"head": {}, "boolean": True}
    construct = external.get(
        "/sparql",
        params={"query": "CONSTRUCT { ?c metkg:doi ?d } WHERE { ?c a metkg:CaseReport ; metkg:doi ?d }"},
        headers={"Accept": "text/turtle"},
    )
    assert construct.headers["content-type"].startswith("text/turtle")
    assert len(list(pyoxigraph.parse(construct.content, format=pyoxigraph.RdfFormat.TURTLE))) == 3
    bad = external.get("/sparql", params={"query": "SELEC nothing"}, headers=json_results)
    assert (bad.status_code, bad.headers["content-type"]) == (400, "application/problem+json")
    assert "syntax error" in bad.json()["detail"]
    assert external.get("/health").status_code == 200


def test_linked_data_through_the_server(clients: Any) -> None:
    local, external = clients
    path = f"/case/{SCALP}/patient/1"
    want = local.get(path, headers={"Accept": "application/n-triples"})
    got = external.get(path, headers={"Accept": "application/n-triples"})
    assert got.status_code == 200
    assert sorted(got.text.splitlines()) == sorted(want.text.splitlines())
    assert external.get(path, headers={"Accept": "text/html"}).status_code == 200
    assert external.get(f"/graph/case/{SCALP}", headers={"Accept": "text/turtle"}).status_code == 200
    assert external.get("/case/10.9999/nothing-here", headers={"Accept": "text/turtle"}).status_code == 404


def test_query_timeout_is_503(remote: Settings) -> None:
    settings = remote.model_copy(update={"query_timeout": 0.001})
    with serving(settings) as client:
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
        response = client.get("/sparql", params={"query": slow}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 503
    assert "did not answer within" in response.json()["detail"]


def test_rebuild_removes_graphs_of_removed_cases(tmp_path: Any, remote: Settings) -> None:
    subset = tmp_path / "records"
    subset.mkdir()
    for path in sorted(RECORDS.glob("*.yaml"))[1:]:
        (subset / path.name).write_text(path.read_text())
    try:
        build_graph(remote, [subset], reason=False, shacl=False)
        graphs = metkg_graphs(SparqlEndpoint.from_settings(remote), BASE)
        assert len([g for g in graphs if "/graph/case/" in g]) == 2
    finally:
        build_graph(remote, [RECORDS], reason=False, shacl=False)


def test_virtuoso_bulk_loader_publishes_the_same(remote: Settings, oxigraph: pyoxigraph.Store) -> None:
    bulk = remote.model_copy(update={"sparql_loader": "virtuoso"})
    result = build_graph(bulk, [RECORDS], reason=False, shacl=False)
    graphs = metkg_graphs(SparqlEndpoint.from_settings(remote), BASE)
    assert [g for g in graphs if "/graph/case/" in g] == sorted(
        g.value for g in oxigraph.named_graphs() if "/graph/case/" in g.value
    )
    assert result.counts["triples"] > 0
