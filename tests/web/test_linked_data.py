"""Linked data: minted IRIs dereference with content negotiation; ontology, export, VoID, home."""

from __future__ import annotations

import json

import httpx
import pyoxigraph
import pytest
from tests.web.conftest import BASE, LMS, SCALP

CASE = f"{BASE}case/{SCALP}"
PATIENT = f"{CASE}/patient/1"
METKG = "https://w3id.org/metkg/ontology#"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _path(iri: str) -> str:
    return "/" + iri[len(BASE) :]


@pytest.mark.parametrize(
    ("accept", "content_type", "rdf_format"),
    [
        ("text/turtle", "text/turtle; charset=utf-8", pyoxigraph.RdfFormat.TURTLE),
        ("application/ld+json", "application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
        ("application/n-triples", "application/n-triples; charset=utf-8", pyoxigraph.RdfFormat.N_TRIPLES),
        ("application/rdf+xml", "application/rdf+xml; charset=utf-8", pyoxigraph.RdfFormat.RDF_XML),
        ("text/turtle;q=0.4, application/ld+json;q=0.9", "application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
        ("*/*", "text/turtle; charset=utf-8", pyoxigraph.RdfFormat.TURTLE),
    ],
)
def test_resource_content_negotiation(
    client: httpx.Client, accept: str, content_type: str, rdf_format: pyoxigraph.RdfFormat
) -> None:
    """A minted IRI answers with its statements as subject, in the format Accept prefers."""
    response = client.get(_path(CASE), headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert response.headers["vary"] == "Accept"
    triples = [q.triple for q in pyoxigraph.parse(response.content, format=rdf_format)]
    assert {t.subject.value for t in triples} == {CASE}
    assert (
        pyoxigraph.Triple(pyoxigraph.NamedNode(CASE), pyoxigraph.NamedNode(METKG + "doi"), pyoxigraph.Literal(SCALP))
        in triples
    )
    assert pyoxigraph.NamedNode(PATIENT) in {t.object for t in triples}


def test_resource_statements_from_every_graph(client: httpx.Client) -> None:
    """A resource's description merges its case graph and the inferred graph."""
    lesion = f"{PATIENT}/lesion/scalp-metastasis"
    response = client.get(_path(lesion), headers={"Accept": "application/n-triples"})
    types = {
        t.object.value
        for t in pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.N_TRIPLES)
        if t.predicate.value.endswith("#type")
    }
    assert {METKG + "Metastasis", METKG + "LateMetastasis"} <= types


def test_resource_not_acceptable_406(client: httpx.Client) -> None:
    assert client.get(_path(CASE), headers={"Accept": "text/csv"}).status_code == 406


def test_resource_format_parameter(client: httpx.Client) -> None:
    response = client.get(_path(CASE), params={"format": "jsonld"}, headers={"Accept": BROWSER})
    assert response.headers["content-type"] == "application/ld+json"
    assert json.loads(response.content)


def test_resource_html_page(client: httpx.Client) -> None:
    """Browsers get a readable page: label, typed links, incoming links, security headers.

    (A patient's IRI answers browsers with its case page, tested in tests/web/app.)"""
    response = client.get(_path(PATIENT) + "/lesion/scalp-metastasis", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert "<title>metastasis (left frontal scalp) · metkg</title>" in page
    assert f'href="/case/{SCALP}/patient/1/lesion/primary"' in page
    assert 'href="/ontology#Metastasis"' in page
    assert "Referred to by" in page and f'href="/case/{SCALP}/patient/1"' in page
    for header, value in (
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "same-origin"),
    ):
        assert response.headers[header] == value
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["vary"] == "Accept"


def test_html_escapes_everything_from_the_data(client: httpx.Client) -> None:
    """A curator's note holding markup is shown as text, never interpreted."""
    response = client.get(f"/case/{LMS}/patient/1/outcome", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert '<script>alert("metkg")</script>' not in response.text
    assert "&lt;script&gt;alert(&#34;metkg&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in response.text


def test_iri_answers_whatever_the_host_name(client: httpx.Client) -> None:
    """GET /{path} answers for {base}{path} whatever host name the server is reached by."""
    response = client.get(_path(CASE), headers={"Accept": "application/n-triples", "Host": "metkg.example.org:8443"})
    assert response.status_code == 200
    assert f"<{CASE}>" in response.text


def test_unknown_iri_404(client: httpx.Client) -> None:
    response = client.get(f"/case/{SCALP}/patient/9", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.json()["detail"] == f"no resource '{CASE}/patient/9' in the graph"
    page = client.get("/no/such/thing", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")


def test_head_on_a_resource(client: httpx.Client) -> None:
    response = client.head(_path(CASE), headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.content == b""


def test_named_graph_iri_answers_with_the_graph(client: httpx.Client, live) -> None:
    """{base}graph/case/{doi} is minted too: it answers with the statements of that graph."""
    graph = f"{BASE}graph/case/{SCALP}"
    response = client.get(_path(graph), headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    triples = list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.N_TRIPLES))
    store = live.app.state.service.snapshot().store
    assert len(triples) == len(list(store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(graph))))
    page = client.get(_path(graph), headers={"Accept": "text/html"})
    assert page.status_code == 200 and "Named graph" in page.text


def test_ontology_page_documents_terms(client: httpx.Client) -> None:
    response = client.get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200
    page = response.text
    assert 'id="Scalp"' in page and 'id="ReceptorConversion"' in page and 'id="conversionMarker"' in page
    assert '<code class="key">frontal-scalp</code>' in page
    assert "https://w3id.org/metkg/ontology" in page


@pytest.mark.parametrize(
    ("fmt", "rdf_format"),
    [("turtle", pyoxigraph.RdfFormat.TURTLE), ("rdfxml", pyoxigraph.RdfFormat.RDF_XML)],
)
def test_ontology_serialized(client: httpx.Client, live, fmt: str, rdf_format: pyoxigraph.RdfFormat) -> None:
    accept = rdf_format.media_type
    response = client.get("/ontology", headers={"Accept": accept})
    assert response.status_code == 200
    triples = list(pyoxigraph.parse(response.content, format=rdf_format))
    snapshot = live.app.state.service.snapshot()
    assert len(triples) == len(list(snapshot.store.quads_for_pattern(None, None, None, snapshot.ontology_graph)))
    assert client.get("/ontology", params={"format": fmt}).headers["content-type"].startswith(accept)


@pytest.mark.parametrize(
    ("fmt", "media_type", "rdf_format"),
    [
        ("turtle", "text/turtle", pyoxigraph.RdfFormat.TURTLE),
        ("trig", "application/trig", pyoxigraph.RdfFormat.TRIG),
        ("nquads", "application/n-quads", pyoxigraph.RdfFormat.N_QUADS),
        ("ntriples", "application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
    ],
)
def test_export_streams_the_dataset(
    client: httpx.Client, live, fmt: str, media_type: str, rdf_format: pyoxigraph.RdfFormat
) -> None:
    """/export streams every statement (chunked, never built whole); TriG and N-Quads keep the graphs."""
    with client.stream("GET", "/export", params={"format": fmt}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
        assert response.headers["transfer-encoding"] == "chunked"
        assert response.headers["content-disposition"].startswith('attachment; filename="metkg.')
        body = b"".join(response.iter_bytes())
    statements = list(pyoxigraph.parse(body, format=rdf_format))
    store = live.app.state.service.snapshot().store
    assert len(statements) == len(store)
    if rdf_format.supports_datasets:
        graphs = {s.graph_name.value for s in statements}
        assert {f"{BASE}graph/ontology", f"{BASE}graph/inferred", f"{BASE}graph/case/{SCALP}"} <= graphs


def test_export_by_accept_and_406(client: httpx.Client) -> None:
    response = client.get("/export", headers={"Accept": "application/n-quads"})
    assert response.headers["content-type"] == "application/n-quads; charset=utf-8"
    assert client.get("/export", headers={"Accept": "application/sparql-results+json"}).status_code == 406


def test_void_description(client: httpx.Client, live) -> None:
    response = client.get("/.well-known/void")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    store = pyoxigraph.Store()
    store.load(response.content, format=pyoxigraph.RdfFormat.TURTLE)
    ask = f"""PREFIX void: <http://rdfs.org/ns/void#>
      ASK {{ ?d a void:Dataset ; void:sparqlEndpoint <{live.url}/sparql> ; void:uriSpace "{BASE}" ;
              void:dataDump <{live.url}/export?format=trig> ; void:triples ?n }}"""
    assert bool(store.query(ask))


def test_home_page_links_everything(client: httpx.Client) -> None:
    response = client.get("/", headers={"Accept": BROWSER})
    assert response.status_code == 200
    for link in ("/sparql", "/queries", "/ontology", "/export?format=turtle", "/.well-known/void", "/openapi.json"):
        assert f'href="{link}"' in response.text, link
    assert "<strong>3</strong> case reports" in response.text


def test_health(client: httpx.Client) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["query_workers"] == 2


def test_cors_on_linked_data(client: httpx.Client) -> None:
    response = client.get(_path(CASE), headers={"Origin": "https://example.org", "Accept": "text/turtle"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_no_interactive_docs_from_a_cdn(client: httpx.Client) -> None:
    """/docs would load Swagger UI from a CDN; it is off, and /docs is just an unknown IRI."""
    assert client.get("/docs").status_code == 404
