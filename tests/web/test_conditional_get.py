"""Conditional GET on the real server: an ETag per build and request, 304 without running anything,
and a new tag once a new build is published."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from tests.robustness.conftest import serving
from tests.web.conftest import SCALP, LiveServer, unreasoned_store

from metkg.build import build_graph

TIMELINE = f"/queries/case-timeline?doi={quote(SCALP, safe='')}"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serving(unreasoned_store(tmp_path_factory.mktemp("conditional"), query_workers=1)) as server:
        yield server


def test_an_unchanged_answer_is_not_sent_again(live: LiveServer) -> None:
    with live.client() as http:
        first = http.get(TIMELINE, headers=JSON)
        assert first.status_code == 200 and first.json()["results"]["bindings"]
        tag = first.headers["ETag"]
        assert tag.startswith('"') and first.headers["Cache-Control"] == "no-cache"
        again = http.get(TIMELINE, headers={**JSON, "If-None-Match": tag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["ETag"] == tag and again.headers["Access-Control-Allow-Origin"] == "*"
        for listed in (f'"other", {tag}', f"W/{tag}", "*"):
            assert http.get(TIMELINE, headers={**JSON, "If-None-Match": listed}).status_code == 304, listed
        assert http.head(TIMELINE, headers={**JSON, "If-None-Match": tag}).status_code == 304
        assert http.get(TIMELINE, headers={**JSON, "If-None-Match": '"other"'}).status_code == 200


def test_each_representation_and_each_request_has_its_own_tag(live: LiveServer) -> None:
    with live.client() as http:
        json_tag = http.get(TIMELINE, headers=JSON).headers["ETag"]
        csv = http.get(TIMELINE, headers={"Accept": "text/csv", "If-None-Match": json_tag})
        assert csv.status_code == 200 and csv.headers["ETag"] != json_tag
        other = http.get(TIMELINE + "&format=csv", headers={"If-None-Match": csv.headers["ETag"]})
        assert other.status_code == 200 and other.headers["ETag"] not in (json_tag, csv.headers["ETag"])
        turtle = {"Accept": "text/turtle"}
        case = http.get(f"/case/{SCALP}", headers=turtle)
        assert case.status_code == 200 and "ETag" in case.headers
        assert http.get(f"/case/{SCALP}", headers={**turtle, "If-None-Match": case.headers["ETag"]}).status_code == 304


def test_a_304_runs_no_query(live: LiveServer) -> None:
    service = live.app.state.service
    with live.client() as http:
        tag = http.get(TIMELINE, headers=JSON).headers["ETag"]
        pool, service.pool = service.pool, None  # a query now fails: the workers are gone
        try:
            assert http.get(TIMELINE, headers=JSON).status_code == 503
            assert http.get(TIMELINE, headers={**JSON, "If-None-Match": tag}).status_code == 304
        finally:
            service.pool = pool


def test_answers_that_may_change_without_a_new_build_are_not_tagged(live: LiveServer) -> None:
    with live.client() as http:
        sparql = http.get("/sparql", params={"query": "SELECT (NOW() AS ?t) WHERE {}"}, headers=JSON)
        assert sparql.status_code == 200 and "ETag" not in sparql.headers
        assert "ETag" not in http.get("/health").headers
        refused = http.get("/queries/case-timeline?doi=", headers=JSON)
        assert refused.status_code == 400 and "ETag" not in refused.headers


def test_a_new_build_makes_every_earlier_tag_stale(live: LiveServer) -> None:
    settings = live.app.state.service.settings
    with live.client() as http:
        tag = http.get(TIMELINE, headers=JSON).headers["ETag"]
        build_graph(settings, [Path(settings.data_dir)], reason=False, shacl=False)  # the same records, a new build
        after = http.get(TIMELINE, headers={**JSON, "If-None-Match": tag})
        assert after.status_code == 200 and after.headers["ETag"] != tag
        assert after.json()["results"]["bindings"]


def test_if_none_match_any_is_304_only_for_a_resource_that_exists(live: LiveServer) -> None:
    with live.client() as http:
        assert http.get(f"/case/{SCALP}", headers={"If-None-Match": "*"}).status_code == 304
        missing = http.get("/case/10.9999/no-such-case", headers={"If-None-Match": "*", "Accept": "text/turtle"})
        assert missing.status_code == 404


def test_answers_naming_the_server_are_tagged_per_host(live: LiveServer) -> None:
    """VoID names the server by the request's Host: a cache must not serve one host's answer to another."""
    with live.client() as http:
        first = http.get("/.well-known/void", headers={"Host": "a.example", "Accept": "text/turtle"})
        second = http.get("/.well-known/void", headers={"Host": "b.example", "Accept": "text/turtle"})
        assert "a.example" in first.text and "b.example" in second.text
        assert first.headers["ETag"] != second.headers["ETag"]
        stale = http.get(
            "/.well-known/void",
            headers={"Host": "b.example", "Accept": "text/turtle", "If-None-Match": first.headers["ETag"]},
        )
        assert stale.status_code == 200 and "b.example" in stale.text
