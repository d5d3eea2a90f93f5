"""`metkg serve` end to end: a subprocess that builds the missing store, then serves it on
127.0.0.1; queried with SPARQLWrapper as any SPARQL client would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pyoxigraph
import pytest
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, TURTLE, XML, SPARQLWrapper
from tests.web.conftest import RECORDS, SCALP, free_port

from metkg.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, built_settings: Settings) -> Iterator[str]:
    root = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = {
        **os.environ,
        "METKG_DATA_DIR": str(RECORDS),
        "METKG_ONTOLOGY_DIR": str(built_settings.ontology_dir),
        "METKG_CORPUS_DIR": str(root / "no-corpus"),
        "METKG_QUERY_WORKERS": "1",
    }
    command = [sys.executable, "-m", "metkg.cli", "serve", "--store", str(root / "store"), "--port", str(port)]
    log = (root / "serve.log").open("w+")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"metkg serve exited with {process.returncode}:\n{log.read()}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("metkg serve did not become ready")
            time.sleep(0.2)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    assert (root / "store" / "current").is_symlink(), "serve builds the store when it is missing"


def _wrapper(url: str) -> SPARQLWrapper:
    return SPARQLWrapper(f"{url}/sparql", agent="metkg-tests")


def test_sparqlwrapper_select_json_get(served: str) -> None:
    sparql = _wrapper(served)
    sparql.setQuery(
        "PREFIX metkg: <https://w3id.org/metkg/ontology#> SELECT ?doi WHERE { ?c metkg:doi ?doi } ORDER BY ?doi"
    )
    sparql.setReturnFormat(JSON)
    result = sparql.queryAndConvert()
    assert [b["doi"]["value"] for b in result["results"]["bindings"]] == [
        SCALP,
        "10.9999/metkg-web.0002",
        "10.9999/metkg-web.0003",
    ]


def test_sparqlwrapper_select_post_form_and_direct(served: str) -> None:
    for method in (POST, POSTDIRECTLY):
        sparql = _wrapper(served)
        sparql.setMethod(POST)
        if method == POSTDIRECTLY:
            sparql.setRequestMethod(POSTDIRECTLY)
        sparql.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?c a metkg:CaseReport }")
        sparql.setReturnFormat(JSON)
        assert sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"] == "3"


def test_sparqlwrapper_ask_xml(served: str) -> None:
    sparql = _wrapper(served)
    sparql.setQuery("ASK { ?x a metkg:ReceptorConversion }")
    sparql.setReturnFormat(XML)
    document = sparql.queryAndConvert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data in ("true", "false")


def test_sparqlwrapper_construct_turtle(served: str) -> None:
    sparql = _wrapper(served)
    sparql.setQuery(f'CONSTRUCT {{ ?c metkg:doi ?doi }} WHERE {{ ?c metkg:doi ?doi FILTER(?doi = "{SCALP}") }}')
    sparql.setReturnFormat(TURTLE)
    body = sparql.queryAndConvert()
    triples = list(pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE))
    assert [t.object.value for t in triples] == [SCALP]


def test_named_query_over_the_network(served: str) -> None:
    response = httpx.get(f"{served}/queries/co-occurring-metastases", params={"site": "skin", "format": "csv"})
    assert response.text == "site,other_site,cases\r\nskin,meninges,1\r\n"
