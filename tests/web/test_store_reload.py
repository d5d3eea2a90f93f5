"""A new build published while the server runs is served to the next requests."""

from __future__ import annotations

from pathlib import Path

from tests.web.conftest import BASE, LMS, RECORDS, start_server, stop_server, web_settings

from metkg.build import build_graph

COUNT = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a metkg:CaseReport }"


def _count(http) -> int:
    response = http.get("/sparql", params={"query": COUNT})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_new_build_is_served_without_restart(tmp_path: Path) -> None:
    settings = web_settings(tmp_path, query_workers=1)
    build_graph(settings, [RECORDS / "scalp.yaml", RECORDS / "bone-marrow.yaml"], reason=False, shacl=False)
    live = start_server(settings)
    try:
        with live.client() as http:
            assert _count(http) == 2
            assert http.get(f"/case/{LMS}", headers={"Accept": "text/turtle"}).status_code == 404
            build_graph(settings, [RECORDS], reason=False, shacl=False)
            assert _count(http) == 3
            page = http.get(f"/case/{LMS}", headers={"Accept": "text/turtle"})
            assert page.status_code == 200 and f"<{BASE}case/{LMS}>" in page.text
            assert http.get("/health").json()["triples"] > 0
    finally:
        stop_server(live)


def test_no_store_yet_is_503_not_a_path(tmp_path: Path) -> None:
    """Without a build the server still starts; queries and pages answer 503 without leaking paths."""
    settings = web_settings(tmp_path, query_workers=1)
    live = start_server(settings)
    try:
        with live.client() as http:
            assert http.get("/health").status_code == 503
            response = http.get("/sparql", params={"query": COUNT})
            assert response.status_code == 503
            assert str(tmp_path) not in response.text
            assert "metkg build" in response.json()["detail"]
            assert http.get("/").status_code == 200
            for path in ("/ontology", f"/case/{LMS}", "/export"):
                page = http.get(path)
                assert page.status_code == 503, path
                assert str(tmp_path) not in page.text
    finally:
        stop_server(live)
