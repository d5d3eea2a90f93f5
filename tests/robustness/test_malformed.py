"""The corpus of malformed inputs (tests/fixtures/malformed): each file to the entry point that reads
its kind, refused with the message its first line expects, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.robustness.conftest import MALFORMED
from tests.web.conftest import LiveServer

from metkg.errors import ConfigurationError, RecordValidationError
from metkg.records.loader import load_record
from metkg.settings import PROJECT_ROOT
from metkg.terminology import load_ontology_graph

METKG = str(Path(sys.executable).with_name("metkg"))


def _expectation(path: Path) -> str:
    first = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ")


def _files(kind: str, suffix: str) -> list[Path]:
    files = sorted((MALFORMED / kind).glob(f"*.{suffix}"))
    assert files, kind
    return files


@pytest.mark.parametrize("path", _files("yaml", "yaml"), ids=lambda p: p.name)
def test_malformed_record_is_refused_with_field_and_line(path: Path) -> None:
    where, _, text = _expectation(path).partition(": ")
    field, _, line = where.partition(" @ ")
    with pytest.raises(RecordValidationError) as refused:
        load_record(path)
    [issue, *_] = refused.value.issues
    assert issue.field == field, refused.value
    assert issue.line == (None if line == "-" else int(line)), refused.value
    assert text in issue.message, refused.value
    assert str(refused.value).startswith("1 problem in case records; nothing was loaded:")


@pytest.mark.parametrize("path", _files("turtle", "ttl"), ids=lambda p: p.name)
def test_malformed_ontology_file_is_refused_with_line(path: Path, tmp_path: Path) -> None:
    shutil.copy(path, tmp_path / path.name)
    with pytest.raises(ConfigurationError) as refused:
        load_ontology_graph(tmp_path)
    message = str(refused.value)
    assert message.startswith(f"cannot parse ontology file {str(tmp_path / path.name)!r}: Parser error at ")
    assert _expectation(path) in message


def test_malformed_ontology_file_on_the_command_line_exits_2_without_traceback(tmp_path: Path) -> None:
    ontology = tmp_path / "ontology"
    shutil.copytree(PROJECT_ROOT / "ontology", ontology)
    (ontology / "terms.ttl").write_bytes((MALFORMED / "turtle" / "missing-dot.ttl").read_bytes())
    env = os.environ | {"METKG_ONTOLOGY_DIR": str(ontology), "METKG_CORPUS_DIR": str(tmp_path)}
    done = subprocess.run(
        [METKG, "validate", str(PROJECT_ROOT / "data")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "cannot parse ontology file" in done.stderr and "A dot is expected" in done.stderr


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["build", "--no-such-option"], "No such option: --no-such-option"),
        (["no-such-command"], "No such command 'no-such-command'"),
        (["build", "--workers", "many"], "Invalid value for '--workers'"),
        (["reason", "--reasoner", "fact++"], "--reasoner must be hermit or pellet"),
        (["serve", "--port", "99999"], "Invalid value for '--port'"),
    ],
    ids=["option", "command", "value", "checked-value", "port"],
)
def test_a_command_line_mistake_exits_2_with_usage_and_no_traceback(arguments: list[str], expected: str) -> None:
    done = subprocess.run([METKG, *arguments], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert expected in done.stderr
    assert "--help' for help" in done.stderr  # where to look next


@pytest.fixture(scope="module")
def http(robust: LiveServer) -> Iterator[httpx.Client]:
    with robust.client() as client:
        yield client


@pytest.mark.parametrize("path", _files("sparql", "rq"), ids=lambda p: p.name)
def test_malformed_query_is_refused_with_a_clear_message(http: httpx.Client, path: Path) -> None:
    status, _, text = _expectation(path).partition(": ")
    body = path.read_bytes().split(b"\n", 1)[1]
    response = http.post("/sparql", content=body, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == int(status), response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"].startswith(text), response.json()


def test_the_workers_survive_the_corpus(http: httpx.Client, robust: LiveServer) -> None:
    """No malformed query crashed a worker: the same processes still answer."""
    pids = robust.app.state.service.pool.pids
    for path in _files("sparql", "rq"):
        http.post("/sparql", content=path.read_bytes(), headers={"Content-Type": "application/sparql-query"})
    assert robust.app.state.service.pool.pids == pids
    assert http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
