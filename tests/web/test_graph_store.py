"""``/graph-store`` against the SPARQL 1.1 Graph Store HTTP Protocol, read side.

The requests are those of the W3C GSP tests (https://www.w3.org/2009/sparql/docs/tests/data-sparql11/http-rdf-update/)
that apply to a read-only store: GET and HEAD of a named graph and of the default graph in each
RDF format, GET and HEAD of a graph that does not exist, and the writes, answered 405 here.
Against the real app on uvicorn.
"""

from __future__ import annotations

import httpx
import pyoxigraph
import pytest
import rdflib
from tests.web.conftest import BASE, MARROW, SCALP, LiveServer

from metkg.web.methods import allowed_methods

SCALP_GRAPH = f"{BASE}graph/case/{SCALP}"
FORMATS = [
    ("text/turtle", pyoxigraph.RdfFormat.TURTLE),
    ("application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
    ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
    ("application/rdf+xml", pyoxigraph.RdfFormat.RDF_XML),
]


def _triples(response: httpx.Response, rdf_format: pyoxigraph.RdfFormat) -> set[pyoxigraph.Triple]:
    assert response.status_code == 200, response.text
    return {q.triple if isinstance(q, pyoxigraph.Quad) else q for q in pyoxigraph.parse(response.content, rdf_format)}


def _store_graph(live: LiveServer, graph: str | None) -> set[pyoxigraph.Triple]:
    store = live.app.state.service.snapshot().store
    name = pyoxigraph.NamedNode(graph) if graph else None
    return {q.triple for q in store.quads_for_pattern(None, None, None, name)}


@pytest.mark.parametrize(("media_type", "rdf_format"), FORMATS)
def test_get_of_a_named_graph_in_every_format(
    client: httpx.Client, live: LiveServer, media_type: str, rdf_format: pyoxigraph.RdfFormat
) -> None:
    """GSP "GET of PUT - Initial state": the graph's statements, nothing else, in the asked format."""
    response = client.get("/graph-store", params={"graph": SCALP_GRAPH}, headers={"Accept": media_type})
    assert response.headers["content-type"].split(";")[0] == media_type
    triples = _triples(response, rdf_format)
    assert triples == _store_graph(live, SCALP_GRAPH)
    assert any(t.object == pyoxigraph.Literal(SCALP) for t in triples)
    assert not any(t.object == pyoxigraph.Literal(MARROW) for t in triples), "another case report's graph leaked in"


@pytest.mark.parametrize(("media_type", "rdf_format"), FORMATS)
def test_get_of_the_default_graph_is_the_union(
    client: httpx.Client, live: LiveServer, media_type: str, rdf_format: pyoxigraph.RdfFormat
) -> None:
    """GSP "GET of default graph": here the union of every named graph, as on /sparql."""
    response = client.get("/graph-store?default", headers={"Accept": media_type})
    assert _triples(response, rdf_format) == _store_graph(live, None)


def test_format_parameter_overrides_accept(client: httpx.Client) -> None:
    response = client.get("/graph-store", params={"graph": SCALP_GRAPH, "format": "ntriples"})
    assert response.headers["content-type"].startswith("application/n-triples")


def test_head_on_an_existing_graph(client: httpx.Client) -> None:
    """GSP "HEAD on an existing graph": 200, the content type, no content."""
    response = client.head("/graph-store", params={"graph": SCALP_GRAPH}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == b""


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_graph_that_does_not_exist_is_404(client: httpx.Client, method: str) -> None:
    """GSP "HEAD on a non-existing graph" and "GET of non-existent graph"."""
    response = client.request(method, "/graph-store", params={"graph": f"{BASE}graph/case/10.0000/none"})
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_writes_are_405_naming_the_read_methods(client: httpx.Client, method: str) -> None:
    """GSP "PUT - Initial state", "POST - existing graph", "DELETE - existing graph": refused, read-only."""
    response = client.request(
        method,
        "/graph-store",
        params={"graph": SCALP_GRAPH},
        content=b"<http://example.org/s> <http://example.org/p> 1 .",
        headers={"Content-Type": "text/turtle"},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert client.get("/graph-store", params={"graph": SCALP_GRAPH}).status_code == 200  # still there


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "name the graph"),
        ({"graph": SCALP_GRAPH, "default": ""}, "not both"),
        ({"graph": "graph/case/x"}, "absolute IRI"),
    ],
)
def test_a_request_that_names_no_graph_is_400(client: httpx.Client, params: dict, fragment: str) -> None:
    response = client.get("/graph-store", params=params)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_a_linked_data_client_fetches_one_case_report(live: LiveServer) -> None:
    """rdflib fetches the URL as any linked-data client does: Accept header, parser by content type."""
    graph = rdflib.Graph().parse(f"{live.url}/graph-store?graph={SCALP_GRAPH}")
    assert (None, None, rdflib.Literal(SCALP)) in graph
    assert len(graph) == len(_store_graph(live, SCALP_GRAPH))


def test_the_route_answers_get_and_head_only(live: LiveServer) -> None:
    assert allowed_methods(live.app, {"path": "/graph-store"}) == ["GET", "HEAD"]
