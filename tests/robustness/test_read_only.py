"""Read-only by default: SPARQL Update, LOAD and SERVICE to hosts not allowed are refused (403),
whatever way the request is sent, and the check cannot be fooled by strings, comments or escapes."""

from __future__ import annotations

import httpx
import pyoxigraph
import pytest
from tests.robustness.conftest import serving
from tests.web.conftest import LiveServer, free_port

from metkg.errors import QueryRefusedError
from metkg.settings import Settings
from metkg.sparql.execute import QueryRequest, run_query
from metkg.sparql.federation import check_services
from metkg.sparql.scan import scan_query

UPDATE_REFUSED = "this endpoint is read-only"


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://ex/s> <http://ex/p> <http://ex/o> }",
        "PREFIX ex: <http://ex/>\nDELETE WHERE { ?s ex:p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "LOAD SILENT <http://127.0.0.1:1/x.ttl> INTO GRAPH <http://ex/g>",
        "# a comment first\nDROP ALL",
        "BASE <http://ex/> CLEAR GRAPH <g>",
        "WITH <http://ex/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_update_sent_as_a_query_is_refused_400(client_robust: httpx.Client, update: str) -> None:
    """Update text in the `query` parameter is not a query (protocol 2.2: 400), said plainly."""
    for response in (
        client_robust.get("/sparql", params={"query": update}),
        client_robust.post("/sparql", data={"query": update}),
        client_robust.post("/sparql", content=update, headers={"Content-Type": "application/sparql-query"}),
    ):
        assert response.status_code == 400, (update, response.text)
        assert response.json()["detail"].startswith(UPDATE_REFUSED), response.json()


def test_update_operation_of_the_protocol_is_refused_403(client_robust: httpx.Client) -> None:
    update = "INSERT DATA { <http://ex/s> <http://ex/p> <http://ex/o> }"
    responses = [
        client_robust.post("/sparql", data={"update": update}),
        client_robust.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"}),
        client_robust.get("/sparql", params={"update": update}),
    ]
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert all(UPDATE_REFUSED in r.json()["detail"] for r in responses)
    count = client_robust.get("/sparql", params={"query": "ASK { <http://ex/s> ?p ?o }"})
    assert count.json()["boolean"] is False


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?s WHERE { ?s ?p "SERVICE <http://evil.example/sparql> { ?a ?b ?c }" } LIMIT 1',
        "SELECT ?s WHERE { ?s ?p 'INSERT DATA { <a:b> <a:c> <a:d> }' } LIMIT 1",
        "# SERVICE <http://evil.example/sparql> { ?s ?p ?o }\nSELECT ?s WHERE { ?s ?p ?o } LIMIT 1",
        'SELECT ?s WHERE { ?s ?p """LOAD <http://evil.example/x>\nSERVICE <http://evil.example/>""" } LIMIT 1',
        "SELECT ?service WHERE { ?service ?p <http://example.org/SERVICE> } LIMIT 1",
        "PREFIX service: <http://ex/> SELECT ?s WHERE { ?s service:load ?o } LIMIT 1",
    ],
)
def test_keywords_inside_strings_comments_and_names_are_allowed(client_robust: httpx.Client, query: str) -> None:
    response = client_robust.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    assert response.json()["head"]["vars"]


REAL_SERVICE = [
    "SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
    "select * where { service silent <http://evil.example/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { \\u0053ERVICE <http://evil.example/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE # a comment\n <http://evil.example/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://evil.example/sparql> { ?s ?p ?o } } }",
    "BASE <http://evil.example/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } VALUES ?endpoint { <http://evil.example/sparql> } }",
    # a prefixed name's escaped quote or hash is not a string or comment ...
    "PREFIX ex: <http://ex/> SELECT * { ?s ex:a\\' ?o . SERVICE <http://evil.example/> { ?s ?p ?o } FILTER(?o = 'x') }",
    # ... and a less-than before a string is not an IRI
    "SELECT * { ?s ?p ?o FILTER(?o<'>') SERVICE <http://evil.example/> { ?s ?p ?o } FILTER(?o='x') }",
]


@pytest.mark.parametrize("query", REAL_SERVICE)
def test_real_service_calls_are_refused_403(client_robust: httpx.Client, query: str) -> None:
    response = client_robust.post("/sparql", data={"query": query})
    assert response.status_code == 403, response.text
    assert "federated query (SERVICE" in response.json()["detail"]


@pytest.mark.parametrize("query", REAL_SERVICE)
def test_worker_refuses_service_from_the_parsed_algebra(query: str) -> None:
    """The check where queries run does not rely on the scan: it reads the parser's algebra."""
    store = pyoxigraph.Store()
    with pytest.raises(QueryRefusedError, match=r"federated query \(SERVICE"):
        run_query(store, QueryRequest(query, base_iri="https://w3id.org/metkg/"))


def test_scan_alone_misses_a_less_than_before_a_string_that_the_algebra_catches() -> None:
    """Why the algebra check exists: a lexer without the grammar takes `<'>` for an IRI."""
    query = REAL_SERVICE[-1]
    assert scan_query(query).services == ()
    with pytest.raises(QueryRefusedError):
        check_services(query, ())


def test_unparseable_query_mentioning_service_fails_closed() -> None:
    with pytest.raises(QueryRefusedError, match="could not check which hosts"):
        check_services("SELECT * { SERVICE <http://evil.example/> { ?s ?p ?o } ", ())


def test_service_to_an_allowed_host_runs(robust_settings: Settings) -> None:
    """With 127.0.0.1 and the server's port on the allow-list, SERVICE calls that host (here: the
    server itself); the same host on another port, or another host name, is refused.

    The query calls back from the same address as the client that sent it: the client may use
    both workers here, or its share (one) would wait on itself."""
    robust_settings = robust_settings.model_copy(update={"max_client_queries": 2})
    with serving(robust_settings) as live, live.client() as http:
        port = live.url.rsplit(":", 1)[1]
        service = live.app.state.service
        service.settings = robust_settings.model_copy(update={"service_allow": [f"127.0.0.1:{port}"]})
        query = (
            f"SELECT ?c WHERE {{ SERVICE <{live.url}/sparql> {{ ?c a <https://w3id.org/metkg/ontology#CaseReport> }} }}"
        )
        response = http.post("/sparql", data={"query": query})
        assert response.status_code == 200, response.text
        assert len(response.json()["results"]["bindings"]) == 3
        other = http.post("/sparql", data={"query": query.replace("127.0.0.1", "localhost")})
        assert other.status_code == 403
        assert f"SERVICE may call: 127.0.0.1:{port}" in other.json()["detail"]
        service.settings = robust_settings.model_copy(update={"service_allow": ["127.0.0.1"]})
        assert http.post("/sparql", data={"query": query}).status_code == 403, "a host allows its default port only"


def test_failed_service_call_says_so_not_store_unavailable(robust_settings: Settings) -> None:
    closed = free_port()  # nothing listens there
    with serving(robust_settings) as live, live.client() as http:
        live.app.state.service.settings = robust_settings.model_copy(update={"service_allow": [f"127.0.0.1:{closed}"]})
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{closed}/sparql> {{ ?s ?p ?o }} }}"
        response = http.post("/sparql", data={"query": query})
    assert response.status_code == 502, response.text
    detail = response.json()["detail"]
    assert detail.startswith("a SERVICE call of the query failed") and "store" not in detail


@pytest.fixture(scope="module")
def client_robust(robust: LiveServer):
    with robust.client() as http:
        yield http
