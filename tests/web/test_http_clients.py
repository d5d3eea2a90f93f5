"""HTTP as real clients use it: HEAD wherever GET answers, 405 naming every method, the answer
formats SPARQLWrapper asks for in ``format=``, every export format, and a 413 a client that
sends its whole body before reading can see. Against the real app on uvicorn."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import httpx
import pyoxigraph
import pytest
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper
from tests.web.conftest import SCALP, LiveServer

#: Every GET route of the app, and an IRI the build minted.
GET_PATHS = [
    "/",
    "/sparql",
    "/sparql?query=ASK%7B%7D",
    "/queries",
    "/queries/receptor-conversion",
    "/export",
    "/.well-known/void",
    "/health",
    "/ontology",
    "/openapi.json",
    f"/case/{SCALP}",
    "/no/such/resource",
]
#: Headers that may differ between two answers to the same request.
_VOLATILE = {"date", "content-length", "transfer-encoding"}


def _stable(headers: httpx.Headers) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k not in _VOLATILE}


@pytest.mark.parametrize("path", GET_PATHS)
def test_head_answers_as_get_does_without_a_body(client: httpx.Client, path: str) -> None:
    """RFC 9110 9.3.2: HEAD gets GET's status and headers, and no content."""
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code, f"HEAD {path}: {head.status_code}, GET: {got.status_code}"
    assert _stable(head.headers) == _stable(got.headers)
    assert head.content == b""


def test_head_of_a_fixed_size_answer_states_its_length(client: httpx.Client) -> None:
    got = client.get("/.well-known/void")
    head = client.head("/.well-known/void")
    assert head.headers["content-length"] == str(len(got.content))


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/sparql", {"GET", "HEAD", "POST"}),
        ("DELETE", "/sparql", {"GET", "HEAD", "POST"}),
        ("POST", "/export", {"GET", "HEAD"}),
        ("POST", "/queries", {"GET", "HEAD"}),
    ],
)
def test_405_lists_every_method_of_the_resource(client: httpx.Client, method: str, path: str, allowed: set) -> None:
    response = client.request(method, path)
    assert response.status_code == 405, response.text
    listed = {m.strip() for m in response.headers["allow"].split(",")}
    assert listed == allowed


# ---------------------------------------------------------------- format= as media types


@pytest.mark.parametrize(
    ("query", "format", "content_type"),
    [
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/tab-separated-values", "text/tab-separated-values"),
        ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "application/sparql-results+json", "application/sparql-results+json"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/rdf+xml", "application/rdf+xml"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/ld+json", "application/ld+json"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "text/n3", "text/turtle"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "json", "application/ld+json"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "xml", "application/rdf+xml"),
        ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "n3", "text/turtle"),
    ],
)
def test_format_parameter_takes_media_types_and_short_names(
    client: httpx.Client, query: str, format: str, content_type: str
) -> None:
    response = client.get("/sparql", params={"query": query, "format": format})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == content_type


def test_describe_asked_for_json_answers_json_ld(client: httpx.Client) -> None:
    query = f"DESCRIBE <https://w3id.org/metkg/case/{SCALP}>"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.JSON_LD))


def _wrapper(live: LiveServer, query: str, return_format: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(f"{live.url}/sparql", agent="metkg-tests")
    sparql.setQuery("PREFIX metkg: <https://w3id.org/metkg/ontology#> " + query)
    sparql.setReturnFormat(return_format)
    return sparql


SELECT_DOIS = "SELECT ?doi WHERE { ?c a metkg:CaseReport ; metkg:doi ?doi } ORDER BY ?doi"
CONSTRUCT_DOIS = "CONSTRUCT { ?c metkg:doi ?doi } WHERE { ?c a metkg:CaseReport ; metkg:doi ?doi }"


@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_in_every_format(live: LiveServer, return_format: str) -> None:
    result = _wrapper(live, SELECT_DOIS, return_format).query()
    body = result.response.read()
    assert SCALP.encode() in body, f"{return_format}: {body[:200]!r}"


@pytest.mark.filterwarnings("ignore:Sending Accept header '\\*/\\*':RuntimeWarning")  # SPARQLWrapper on JSON
@pytest.mark.parametrize(
    ("return_format", "rdf_format"),
    [
        (TURTLE, pyoxigraph.RdfFormat.TURTLE),
        (N3, pyoxigraph.RdfFormat.TURTLE),
        (RDFXML, pyoxigraph.RdfFormat.RDF_XML),
        (XML, pyoxigraph.RdfFormat.RDF_XML),
        (JSONLD, pyoxigraph.RdfFormat.JSON_LD),
        (JSON, pyoxigraph.RdfFormat.JSON_LD),
    ],
)
def test_sparqlwrapper_construct_and_describe_in_every_format(
    live: LiveServer, return_format: str, rdf_format: pyoxigraph.RdfFormat
) -> None:
    for query in (CONSTRUCT_DOIS, f"DESCRIBE <https://w3id.org/metkg/case/{SCALP}>"):
        body = _wrapper(live, query, return_format).query().response.read()
        triples = list(pyoxigraph.parse(body, format=rdf_format))
        assert any(t.object.value == SCALP for t in triples), f"{return_format} {query}: {body[:200]!r}"


# ---------------------------------------------------------------- /export


@pytest.mark.parametrize(
    ("params", "accept", "rdf_format"),
    [
        ({"format": "jsonld"}, None, pyoxigraph.RdfFormat.JSON_LD),
        ({"format": "rdfxml"}, None, pyoxigraph.RdfFormat.RDF_XML),
        ({}, "application/ld+json", pyoxigraph.RdfFormat.JSON_LD),
        ({}, "application/rdf+xml", pyoxigraph.RdfFormat.RDF_XML),
        ({"format": "application/trig"}, None, pyoxigraph.RdfFormat.TRIG),
    ],
)
def test_export_in_every_format_metkg_export_writes(
    client: httpx.Client, params: dict, accept: str | None, rdf_format: pyoxigraph.RdfFormat
) -> None:
    response = client.get("/export", params=params, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200, response.text
    statements = list(pyoxigraph.parse(response.content, format=rdf_format))
    assert any(getattr(s.object, "value", None) == SCALP for s in statements)


def test_export_json_ld_keeps_the_named_graphs(client: httpx.Client) -> None:
    response = client.get("/export", params={"format": "jsonld"})
    graphs = {q.graph_name.value for q in pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.JSON_LD)}
    assert f"https://w3id.org/metkg/graph/case/{SCALP}" in graphs
    assert json.loads(response.content)  # one JSON document


# ---------------------------------------------------------------- 413 seen by a client that writes first


def _post_then_read(url: str, body_size: int, *, chunked: bool = False) -> bytes:
    """Send a whole POST body before reading a byte of the answer, as simple clients do."""
    parts = urlsplit(url)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {body_size}"
    head = (
        f"POST /sparql HTTP/1.1\r\nHost: {parts.hostname}\r\nContent-Type: application/sparql-query\r\n{length}\r\n\r\n"
    ).encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
        sock.sendall(head)
        chunk = b"#" * (1 << 20)
        sent = 0
        while sent < body_size:
            piece = chunk[: body_size - sent]
            sock.sendall(b"%x\r\n%b\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
        if chunked:
            sock.sendall(b"0\r\n\r\n")
        answer = b""
        while data := sock.recv(65536):
            answer += data
    return answer


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_twenty_megabyte_body_gets_413_not_a_reset(live: LiveServer, chunked: bool) -> None:
    answer = _post_then_read(live.url, 20 * 1024 * 1024, chunked=chunked)
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large", answer[:300]
    assert b"connection: close" in answer.lower()


def test_a_body_over_the_limit_in_its_last_message_is_413_not_500() -> None:
    """A body that passes the limit in the message that ends it: the rest is already read, and
    reading the stream a second time raised 'Stream consumed' (a 500)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from starlette.requests import Request

    from metkg.errors import RequestTooLargeError
    from metkg.web.limits import read_body

    messages = [{"type": "http.request", "body": b"x" * 3_000, "more_body": False}]

    async def receive() -> dict:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    request = Request({"type": "http", "method": "POST", "headers": [], "path": "/sparql"}, receive)
    # a loop of its own in a thread: the browser tests keep an event loop running in this one
    with ThreadPoolExecutor(1) as pool, pytest.raises(RequestTooLargeError, match="longer than the limit of 2,000"):
        pool.submit(lambda: asyncio.run(read_body(request, 2_000))).result()
