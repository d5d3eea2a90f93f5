"""PUT /cases/{id}: one case record added or replaced over HTTP, with the write token, validated like
a build, applied atomically and served at once."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.robustness.conftest import FIXTURES, TOKEN
from tests.web.conftest import RECORDS, LiveServer, start_server, stop_server, web_settings

from metkg.build import build_graph
from metkg.settings import Settings

MINIMAL = (FIXTURES / "records" / "minimal.yaml").read_text(encoding="utf-8")
CASE = "/case/10.9999/example.0001"
COUNT = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a metkg:CaseReport }"
AGE = "SELECT ?age WHERE { <https://w3id.org/metkg/case/10.9999/example.0001/patient/1> metkg:age ?age }"
YAML = {"Content-Type": "application/yaml"}
AUTH = {"Authorization": f"Bearer {TOKEN}", **YAML}


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Settings]]:
    """A server with a write token over its own store and data directory."""
    root = tmp_path_factory.mktemp("writes")
    shutil.copytree(RECORDS, root / "data" / "cases")
    settings = web_settings(root, data_dir=root / "data", write_token=TOKEN, query_workers=1)
    build_graph(settings, [settings.data_dir], reason=False, shacl=False)
    server = start_server(settings)
    yield server, settings
    stop_server(server)


@pytest.fixture(scope="module")
def http(writable: tuple[LiveServer, Settings]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=writable[0].url, timeout=120.0) as client:
        yield client


def _count(http: httpx.Client) -> int:
    response = http.get("/sparql", params={"query": COUNT})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_writes_disabled_without_a_token_403(robust: LiveServer) -> None:
    with robust.client() as http:
        response = http.put("/cases/minimal-case", content=MINIMAL, headers=AUTH)
    assert response.status_code == 403
    assert response.json()["detail"].startswith("writes are disabled on this server")


@pytest.mark.parametrize(
    "authorization",
    [None, f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Basic {TOKEN}", "Bearer", f"bearer  {TOKEN[::-1]}"],
)
def test_missing_or_wrong_token_401(http: httpx.Client, authorization: str | None) -> None:
    headers = dict(YAML) | ({"Authorization": authorization} if authorization else {})
    response = http.put("/cases/minimal-case", content=MINIMAL, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="metkg"'
    assert TOKEN not in response.text


def test_body_not_yaml_415_and_too_large_413(http: httpx.Client) -> None:
    assert (
        http.put("/cases/minimal-case", json={"id": "x"}, headers={"Authorization": AUTH["Authorization"]}).status_code
        == 415
    )
    big = MINIMAL + "#" + "x" * 1_000_001
    assert http.put("/cases/minimal-case", content=big, headers=AUTH).status_code == 413


def test_malformed_yaml_422_with_line(http: httpx.Client) -> None:
    body = MINIMAL.replace("    age: 52\n", "    age: [52\n")
    response = http.put("/cases/minimal-case", content=body, headers=AUTH)
    assert response.status_code == 422
    [issue] = response.json()["issues"]
    assert issue["file"] == "request body" and issue["field"] == "(yaml)" and issue["line"] == 13
    assert issue["message"].startswith("not valid YAML")


def test_invalid_record_422_lists_every_problem_with_line_and_field(http: httpx.Client) -> None:
    body = MINIMAL.replace('{marker: HER2, score: "1+"', '{marker: HER9, score: "1+"').replace(
        "vital_status: alive", "vital_status: undead"
    )
    response = http.put("/cases/minimal-case", content=body, headers=AUTH)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "Unprocessable Entity"
    by_field = {issue["field"]: issue for issue in problem["issues"]}
    assert by_field["patients[0].outcome.vital_status"]["line"] == 55, problem
    assert all(issue["file"] == "request body" for issue in problem["issues"])
    assert "/tmp" not in response.text and "metkg-put-" not in response.text


def test_unknown_ontology_key_422_from_the_build_validation(http: httpx.Client) -> None:
    body = MINIMAL.replace('{marker: HER2, score: "1+"', '{marker: HER9, score: "1+"')
    response = http.put("/cases/minimal-case", content=body, headers=AUTH)
    assert response.status_code == 422, response.text
    [issue] = response.json()["issues"]
    assert issue["file"] == "request body" and issue["line"] == 46
    assert "unknown marker 'HER9'" in issue["message"]


def test_record_id_must_match_the_url_422(http: httpx.Client) -> None:
    response = http.put("/cases/another-id", content=MINIMAL, headers=AUTH)
    assert response.status_code == 422
    [issue] = response.json()["issues"]
    assert issue["field"] == "id" and issue["line"] == 1
    assert issue["message"] == (
        "the record's id 'minimal-case' differs from 'another-id' in the URL; the URL must end with its id"
    )


def test_add_then_replace_a_case_served_at_once(writable: tuple[LiveServer, Settings], http: httpx.Client) -> None:
    """Readers during a write see 3 or 4 case reports, never an error; the next request sees the new graph."""
    _, settings = writable
    assert _count(http) == 3
    assert http.get(CASE, headers={"Accept": "text/turtle"}).status_code == 404
    seen: set[int] = set()
    done = threading.Event()

    def read_while_writing() -> None:
        with writable[0].client() as reader:
            while not done.is_set():
                seen.add(_count(reader))

    reader = threading.Thread(target=read_while_writing)
    reader.start()
    try:
        added = http.put("/cases/minimal-case", content=MINIMAL, headers=AUTH)
    finally:
        done.set()
        reader.join()
    assert added.status_code == 201, added.text
    assert added.headers["location"] == CASE
    assert added.json() | {"triples": 0} == {
        "record": "minimal-case",
        "doi": "10.9999/example.0001",
        "iri": "https://w3id.org/metkg" + CASE,
        "replaced": False,
        "triples": 0,
    }
    assert seen <= {3, 4} and 3 in seen, seen
    assert _count(http) == 4
    assert http.get(CASE, headers={"Accept": "text/turtle"}).status_code == 200
    assert (settings.data_dir / "cases" / "minimal-case.yaml").read_text(encoding="utf-8") == MINIMAL

    replaced = http.put("/cases/minimal-case", content=MINIMAL.replace("age: 52", "age: 53"), headers=AUTH)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["replaced"] is True
    ages = http.get("/sparql", params={"query": AGE}).json()["results"]["bindings"]
    assert [row["age"]["value"] for row in ages] == ["53"]
    assert _count(http) == 4
    assert not list(Path(settings.store).glob("builds/*.tmp"))
