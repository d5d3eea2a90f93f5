"""The /sparql endpoint against the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/).

Each test names the section of the specification it checks. They run against the real app on
uvicorn, over a store built from the fixture records.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import httpx
import pyoxigraph
import pytest
from tests.web.conftest import BASE, MARROW, SCALP

COUNT_CASES = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a metkg:CaseReport }"
CASE_DOIS = "SELECT ?doi WHERE { ?c a metkg:CaseReport ; metkg:doi ?doi } ORDER BY ?doi"
CONSTRUCT_CASES = "CONSTRUCT { ?c metkg:doi ?doi } WHERE { ?c a metkg:CaseReport ; metkg:doi ?doi }"
SRJ = "application/sparql-results+json"


def _count(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def _dois(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [b["doi"]["value"] for b in response.json()["results"]["bindings"]]


# ---------------------------------------------------------------- 2.1 query operation


def test_2_1_1_query_via_get(client: httpx.Client) -> None:
    """2.1.1 query via GET: the query in the URL, JSON results when Accept says nothing."""
    response = client.get("/sparql", params={"query": CASE_DOIS})
    assert response.status_code == 200
    assert response.headers["content-type"] == SRJ
    assert _dois(response) == [SCALP, MARROW, "10.9999/metkg-web.0003"]


def test_2_1_2_query_via_post_with_url_encoded_parameters(client: httpx.Client) -> None:
    """2.1.2 query via POST with URL-encoded parameters."""
    response = client.post("/sparql", data={"query": COUNT_CASES}, headers={"Accept": SRJ})
    assert _count(response) == 3


def test_2_1_3_query_via_post_directly(client: httpx.Client) -> None:
    """2.1.3 query via POST directly: the body is the query, Content-Type application/sparql-query."""
    response = client.post(
        "/sparql", content=COUNT_CASES.encode(), headers={"Content-Type": "application/sparql-query", "Accept": SRJ}
    )
    assert _count(response) == 3


def test_2_1_3_post_directly_with_dataset_in_url(client: httpx.Client) -> None:
    """2.1.3: with a direct POST, default-graph-uri travels in the URL."""
    response = client.post(
        "/sparql",
        params={"default-graph-uri": f"{BASE}graph/case/{SCALP}"},
        content=CASE_DOIS.encode(),
        headers={"Content-Type": "application/sparql-query; charset=utf-8"},
    )
    assert _dois(response) == [SCALP]


def test_2_1_4_default_graph_is_union_of_all_graphs(client: httpx.Client) -> None:
    """2.1.4 without a dataset in the request or query, the default graph is the union of every graph."""
    query = "ASK { ?c a metkg:CaseReport . metkg:Scalp rdfs:subClassOf+ metkg:Skin . ?r a metkg:ReceptorConversion }"
    response = client.get("/sparql", params={"query": query})
    assert response.json()["boolean"] is True


def test_2_1_4_default_graph_uri(client: httpx.Client) -> None:
    """2.1.4 default-graph-uri: the default graph is that graph only."""
    params = [("query", CASE_DOIS), ("default-graph-uri", f"{BASE}graph/case/{MARROW}")]
    assert _dois(client.get("/sparql", params=params)) == [MARROW]


def test_2_1_4_several_default_graph_uris_merge(client: httpx.Client) -> None:
    """2.1.4: several default-graph-uri parameters: their merge is the default graph."""
    params = [
        ("query", CASE_DOIS),
        ("default-graph-uri", f"{BASE}graph/case/{MARROW}"),
        ("default-graph-uri", f"{BASE}graph/case/{SCALP}"),
    ]
    assert _dois(client.get("/sparql", params=params)) == [SCALP, MARROW]


def test_2_1_4_named_graph_uri(client: httpx.Client) -> None:
    """2.1.4 named-graph-uri: only the named graphs given are visible to GRAPH, the default graph is empty."""
    query = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { { GRAPH ?g { ?s ?p ?o } } "
        "UNION { ?s ?p ?o BIND(<urn:default> AS ?g) } } GROUP BY ?g"
    )
    params = [("query", query), ("named-graph-uri", f"{BASE}graph/case/{SCALP}")]
    response = client.get("/sparql", params=params)
    graphs = [b["g"]["value"] for b in response.json()["results"]["bindings"]]
    assert graphs == [f"{BASE}graph/case/{SCALP}"]


def test_2_1_4_query_from_clause_without_protocol_dataset(client: httpx.Client) -> None:
    """2.1.4: a query's own FROM decides the dataset when the request names none."""
    query = f"SELECT ?doi FROM <{BASE}graph/case/{SCALP}> WHERE {{ ?c metkg:doi ?doi }}"
    assert _dois(client.get("/sparql", params={"query": query})) == [SCALP]


def test_2_1_4_protocol_dataset_overrides_query_dataset(client: httpx.Client) -> None:
    """2.1.4: when both the request and the query name a dataset, the request's wins."""
    query = f"SELECT ?doi FROM <{BASE}graph/case/{SCALP}> WHERE {{ ?c metkg:doi ?doi }}"
    params = [("query", query), ("default-graph-uri", f"{BASE}graph/case/{MARROW}")]
    assert _dois(client.get("/sparql", params=params)) == [MARROW]


def test_2_1_4_graph_uri_must_be_an_iri(client: httpx.Client) -> None:
    """2.1.4: a default-graph-uri that is not an IRI is a bad request."""
    response = client.get("/sparql", params={"query": CASE_DOIS, "default-graph-uri": "not an iri"})
    assert response.status_code == 400
    assert "absolute IRI" in response.json()["detail"]


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/json", "application/json"),
        ("application/sparql-results+xml", "application/sparql-results+xml; charset=utf-8"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("*/*", "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
        ("text/*;q=0.2, application/sparql-results+xml;q=0.1", "text/csv; charset=utf-8"),
    ],
)
def test_2_1_5_select_response_formats(client: httpx.Client, accept: str, content_type: str) -> None:
    """2.1.5 accepted response formats for SELECT: JSON, XML, CSV, TSV chosen by Accept with q-values."""
    response = client.get("/sparql", params={"query": CASE_DOIS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["vary"] == "Accept"
    media = content_type.split(";", maxsplit=1)[0]
    if media == "text/csv":  # lossy: pyoxigraph does not read it back
        values = [row[0] for row in csv.reader(io.StringIO(response.text))][1:]
    else:
        fmt = pyoxigraph.QueryResultsFormat.from_media_type(media) or pyoxigraph.QueryResultsFormat.JSON
        values = [row["doi"].value for row in pyoxigraph.parse_query_results(response.content, format=fmt)]
    assert values == [SCALP, MARROW, "10.9999/metkg-web.0003"]


def test_2_1_5_csv_is_plain_values(client: httpx.Client) -> None:
    """2.1.5 CSV results: a header of variable names and the plain values."""
    response = client.get("/sparql", params={"query": CASE_DOIS}, headers={"Accept": "text/csv"})
    assert list(csv.reader(io.StringIO(response.text))) == [["doi"], [SCALP], [MARROW], ["10.9999/metkg-web.0003"]]


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_2_1_5_ask_response_formats(client: httpx.Client, accept: str) -> None:
    """2.1.5 ASK answers as a boolean in JSON or XML."""
    response = client.get("/sparql", params={"query": "ASK { ?c a metkg:CaseReport }"}, headers={"Accept": accept})
    assert response.status_code == 200
    if "json" in accept:
        assert response.json() == {"head": {}, "boolean": True}
    else:
        boolean = ET.fromstring(response.content).find("{http://www.w3.org/2005/sparql-results#}boolean")
        assert boolean is not None and boolean.text == "true"


@pytest.mark.parametrize(
    ("accept", "content_type", "rdf_format"),
    [
        ("text/turtle", "text/turtle; charset=utf-8", pyoxigraph.RdfFormat.TURTLE),
        ("application/n-triples", "application/n-triples; charset=utf-8", pyoxigraph.RdfFormat.N_TRIPLES),
        ("application/ld+json", "application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
        ("application/rdf+xml", "application/rdf+xml; charset=utf-8", pyoxigraph.RdfFormat.RDF_XML),
        ("*/*", "text/turtle; charset=utf-8", pyoxigraph.RdfFormat.TURTLE),
    ],
)
def test_2_1_5_construct_response_formats(
    client: httpx.Client, accept: str, content_type: str, rdf_format: pyoxigraph.RdfFormat
) -> None:
    """2.1.5 CONSTRUCT answers in Turtle, N-Triples, JSON-LD or RDF/XML (Turtle by default)."""
    response = client.get("/sparql", params={"query": CONSTRUCT_CASES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    triples = list(pyoxigraph.parse(response.content, format=rdf_format))
    assert sorted(t.object.value for t in triples) == [SCALP, MARROW, "10.9999/metkg-web.0003"]


def test_2_1_5_describe_response(client: httpx.Client) -> None:
    """2.1.5 DESCRIBE answers with the resource's triples."""
    iri = f"{BASE}case/{SCALP}"
    response = client.get("/sparql", params={"query": f"DESCRIBE <{iri}>"}, headers={"Accept": "application/n-triples"})
    triples = list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert {t.subject.value for t in triples} == {iri}
    assert pyoxigraph.Literal(SCALP) in {t.object for t in triples}


def test_2_1_5_format_parameter_overrides_accept(client: httpx.Client) -> None:
    """2.1.5 (extension): ?format=csv answers CSV whatever Accept says, for links from pages."""
    response = client.get("/sparql", params={"query": CASE_DOIS, "format": "csv"}, headers={"Accept": "text/html"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        (CASE_DOIS, "image/png"),
        (CASE_DOIS, "text/turtle"),  # solutions cannot be Turtle
        (CONSTRUCT_CASES, "text/csv"),  # triples cannot be CSV
        ("ASK { ?s ?p ?o }", "application/ld+json"),
        (CASE_DOIS, "application/sparql-results+json;q=0"),
    ],
)
def test_2_1_5_not_acceptable_406(client: httpx.Client, query: str, accept: str) -> None:
    """2.1.5: when no acceptable format can express the answer, 406 Not Acceptable."""
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 406


def test_2_1_6_success_response(client: httpx.Client) -> None:
    """2.1.6 success responses: 200 with the results in the body."""
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE { BIND(1 AS ?x) }"})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == [
        {"x": {"type": "literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}
    ]


@pytest.mark.parametrize(
    "query",
    [
        "SELEC * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p ?o ",
        "SELECT * WHERE { ?s undeclared:p ?o }",
        "PREFIX : <http://example.org/> SELECT (COUNT(*) AS ?n) WHERE { :a :b }",
    ],
)
def test_2_1_7_malformed_query_400(client: httpx.Client, query: str) -> None:
    """2.1.7 failure responses: a malformed query is 400 Bad Request with the parser's message."""
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("malformed query: error at 1:"), body
    assert "Traceback" not in response.text and "/tmp/" not in response.text and "/work/" not in response.text


def test_2_1_7_malformed_query_400_for_browsers_is_a_page(client: httpx.Client) -> None:
    """2.1.7: the same failure, asked for by a browser, is an HTML page with the message."""
    response = client.post("/sparql", data={"query": "SELECT <oops"}, headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "malformed query" in response.text


def test_2_1_query_parameter_repeated_is_400(client: httpx.Client) -> None:
    """2.1.1: a request carries exactly one query string."""
    response = client.get("/sparql", params=[("query", CASE_DOIS), ("query", COUNT_CASES)])
    assert response.status_code == 400
    assert "exactly one" in response.json()["detail"]


def test_2_1_2_form_without_query_is_400(client: httpx.Client) -> None:
    """2.1.2: a form POST without a query parameter is a bad request."""
    response = client.post("/sparql", data={"default-graph-uri": f"{BASE}graph/ontology"})
    assert response.status_code == 400


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_2_1_3_wrong_media_type_415(client: httpx.Client, content_type: str | None) -> None:
    """2.1.3: a POST body that is neither a form nor application/sparql-query is refused (415)."""
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/sparql", content=COUNT_CASES.encode(), headers=headers)
    assert response.status_code == 415


def test_2_1_3_non_utf8_charset_415(client: httpx.Client) -> None:
    """2.1.3: the query must be UTF-8."""
    response = client.post(
        "/sparql",
        content=COUNT_CASES.encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=utf-16"},
    )
    assert response.status_code == 415


def test_2_1_3_query_in_body_and_url_is_400(client: httpx.Client) -> None:
    """2.1.3: a direct POST with a query in the URL too carries two queries."""
    response = client.post(
        "/sparql",
        params={"query": CASE_DOIS},
        content=COUNT_CASES.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400


# ---------------------------------------------------------------- 2.2 update operation: refused


def test_2_2_1_update_via_post_form_403(client: httpx.Client) -> None:
    """2.2.1 update via POST with URL-encoded parameters: refused, the endpoint is read-only."""
    response = client.post("/sparql", data={"update": "DROP ALL"})
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_2_2_2_update_via_post_directly_403(client: httpx.Client) -> None:
    """2.2.2 update via POST directly (application/sparql-update): refused."""
    response = client.post("/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert response.status_code == 403


def test_2_2_update_via_get_403(client: httpx.Client) -> None:
    """2.2: an update parameter on GET is refused too."""
    assert client.get("/sparql", params={"update": "CLEAR ALL"}).status_code == 403


def test_2_2_update_in_query_parameter_is_a_malformed_query(client: httpx.Client) -> None:
    """2.2: update text sent as a query does not parse as a query (400), and changes nothing."""
    response = client.post("/sparql", data={"query": "DROP ALL"})
    assert response.status_code == 400
    assert _count(client.get("/sparql", params={"query": COUNT_CASES})) == 3


# ---------------------------------------------------------------- limits and federation


def test_413_body_over_limit(client: httpx.Client, live) -> None:
    """A body longer than max_body_bytes is refused before it is read whole (413)."""
    limit = live.app.state.service.settings.max_body_bytes
    response = client.post("/sparql", content=b"#" * (limit + 1), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413


def test_413_query_over_length_limit(client: httpx.Client, live) -> None:
    """A query longer than max_query_length characters is refused (413)."""
    limit = live.app.state.service.settings.max_query_length
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * limit
    assert client.post("/sparql", data={"query": query}).status_code == 413


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/x> { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?e ?p ?o SERVICE ?e { ?s ?p ?o } }",
    ],
)
def test_service_calls_refused_403(client: httpx.Client, query: str) -> None:
    """Federated SERVICE calls to hosts not in METKG_SERVICE_ALLOW are refused before running (403)."""
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403
    assert "SERVICE" in response.json()["detail"]


def test_rows_over_max_rows_are_cut_and_flagged(built_settings, tmp_path) -> None:
    """Answers stop at max_rows rows, and say so in a header."""
    from tests.web.conftest import start_server, stop_server

    settings = built_settings.model_copy(update={"max_rows": 5, "query_workers": 1})
    live = start_server(settings)
    try:
        with live.client() as http:
            response = http.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    finally:
        stop_server(live)
    assert response.headers["metkg-truncated"] == "true"
    assert len(response.json()["results"]["bindings"]) == 5


# ---------------------------------------------------------------- service description and query page


def test_service_description_turtle(client: httpx.Client, live) -> None:
    """SPARQL 1.1 Service Description, 2 Accessing a Service Description: GET on the endpoint without a query."""
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    store = pyoxigraph.Store()
    store.load(response.content, format=pyoxigraph.RdfFormat.TURTLE)
    endpoint = f"{live.url}/sparql"
    ask = f"""PREFIX sd: <http://www.w3.org/ns/sparql-service-description#>
      ASK {{ <{endpoint}> a sd:Service ; sd:endpoint <{endpoint}> ; sd:supportedLanguage sd:SPARQL11Query ;
               sd:feature sd:UnionDefaultGraph ; sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_CSV> ;
               sd:defaultDataset/sd:namedGraph/sd:name <{BASE}graph/ontology> , <{BASE}graph/inferred> ,
                                                   <{BASE}graph/case/{SCALP}> }}"""
    assert bool(store.query(ask))
    assert "union of all named graphs" in response.text


def test_service_description_other_rdf_formats(client: httpx.Client) -> None:
    """The Service Description in JSON-LD when asked for."""
    response = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200
    assert isinstance(json.loads(response.content), list | dict)


def test_query_page_for_browsers(client: httpx.Client) -> None:
    """A browser's GET without a query gets the query page: plain editor, examples, nothing from other hosts."""
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<textarea id="query" name="query"' in page
    assert "receptor-conversion" in page and "Receptor conversion" in page
    assert "union of all named graphs" in page
    assert 'src="http' not in page and 'href="http' not in page.split("<main>")[0]
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    script = client.get("/static/query.js")
    assert script.status_code == 200 and "innerHTML" not in script.text


def test_query_page_form_post_renders_results_table(client: httpx.Client) -> None:
    """The query page's form, posted by a browser without scripts, answers with an HTML table."""
    response = client.post("/sparql", data={"query": CASE_DOIS}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "<th>doi</th>" in response.text
    assert f">{SCALP}<" in response.text


# ---------------------------------------------------------------- HTTP details


def test_cors_on_get(client: httpx.Client) -> None:
    """Any origin may read: Access-Control-Allow-Origin: * on GET answers."""
    response = client.get("/sparql", params={"query": COUNT_CASES}, headers={"Origin": "https://example.org"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_cors_preflight(client: httpx.Client) -> None:
    response = client.options(
        "/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"}
    )
    assert response.status_code == 204
    assert "POST" in response.headers["access-control-allow-methods"]


def test_error_statuses_declared_in_openapi(client: httpx.Client) -> None:
    """400, 403, 404, 406, 413 and 503 are declared once and appear on the SPARQL operations."""
    spec = client.get("/openapi.json").json()
    for method in ("get", "post"):
        responses = spec["paths"]["/sparql"][method]["responses"]
        assert {"400", "403", "404", "406", "413", "503"} <= set(responses), method
    assert set(spec["paths"]["/sparql"]["post"]["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded",
        "application/sparql-query",
    }


def test_method_not_allowed_is_a_problem_document(client: httpx.Client) -> None:
    response = client.put("/sparql", content=b"x")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
