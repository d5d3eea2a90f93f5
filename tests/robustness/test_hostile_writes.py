"""Holders of the write token, and records that get built, as an attacker would use them: reading
host files through a record, crashing the server with one body, minting another case's IRIs,
taking over another curator's record, alias bombs, and writes lost to a kill or a full disk.

Each test sends the real body to the real server on 127.0.0.1; the crash and kill tests run the
server as its own process (``metkg serve``), which is what dies when the attack works.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
import yaml
from tests.robustness.conftest import FIXTURES, TOKEN
from tests.web.conftest import RECORDS, SCALP, LiveServer, free_port, start_server, stop_server, web_settings

from metkg.build import build_graph
from metkg.errors import StoreError
from metkg.settings import Settings
from metkg.store import StoreLayout

MINIMAL = (FIXTURES / "records" / "minimal.yaml").read_text(encoding="utf-8")
AUTH = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/yaml"}
SCALP_CASE = f"https://w3id.org/metkg/case/{SCALP}"
COUNT = "SELECT (COUNT(?c) AS ?n) WHERE { ?c a metkg:CaseReport }"
SECRET_LINE = "secret-line-of-a-host-file: do not show me\n"


def _minimal(**changes: str) -> str:
    text = MINIMAL
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def writable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Settings]]:
    """A server with a write token, a corpus folder and a store of the three web fixtures."""
    root = tmp_path_factory.mktemp("hostile-writes")
    _copy_records_named_by_id(root / "data" / "cases")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "report.txt").write_text("A 52-year-old woman had a scalp metastasis.\n", encoding="utf-8")
    (root / "host-file.txt").write_text(SECRET_LINE * 3, encoding="utf-8")
    (corpus / "link-out.txt").symlink_to(root / "host-file.txt")
    settings = web_settings(root, data_dir=root / "data", write_token=TOKEN, query_workers=1, corpus_dir=corpus)
    build_graph(settings, [settings.data_dir], reason=False, shacl=False)
    server = start_server(settings)
    yield server, settings
    stop_server(server)


def _copy_records_named_by_id(target: Path) -> None:
    """The web fixture records as ``data/cases/{id}.yaml``, as curated records are named."""
    target.mkdir(parents=True)
    for path in RECORDS.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        (target / f"{yaml.safe_load(text)['id']}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def http(writable: tuple[LiveServer, Settings]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=writable[0].url, timeout=120.0) as client:
        yield client


def _count(http: httpx.Client, query: str = COUNT) -> int:
    response = http.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize(
    "file",
    ["HOST", "../host-file.txt", "link-out.txt"],
    ids=["absolute", "dot-dot", "symlink-out"],
)
def test_a_record_cannot_read_a_file_outside_the_corpus(
    writable: tuple[LiveServer, Settings], http: httpx.Client, file: str
) -> None:
    """A source naming a host file, with a quote span at its start, used to answer with the file's first line."""
    name = str(Path(writable[1].data_dir).parent / "host-file.txt") if file == "HOST" else file
    body = _minimal().replace("main: {title: fixture text}", f"main: {{file: {name!r}}}")
    body = body.replace(
        'evidence: ["52-year-old woman"]', 'evidence: [{quote: "012345678901234567890123456789", start: 0, end: 30}]'
    )
    response = http.put("/cases/minimal-case", content=body, headers=AUTH)
    assert response.status_code == 422, response.text
    assert "secret-line" not in response.text
    fields = {issue["field"]: issue["message"] for issue in response.json()["issues"]}
    assert "not inside the corpus folder" in fields["sources.main.file"]


def test_a_span_error_never_quotes_the_source(http: httpx.Client) -> None:
    body = _minimal().replace("main: {title: fixture text}", "main: {file: report.txt}")
    body = body.replace('evidence: ["52-year-old woman"]', "evidence: [{quote: 52-year-old woman, start: 0, end: 17}]")
    response = http.put("/cases/minimal-case", content=body, headers=AUTH)
    assert response.status_code == 422, response.text
    [span] = [i["message"] for i in response.json()["issues"] if "is not the text at" in i["message"]]
    assert span == "quote '52-year-old woman' is not the text at 0-17 of its source; it occurs at 2-19"
    assert "A 52-year-old" not in response.text


def test_an_alias_bomb_is_refused_at_once(http: httpx.Client) -> None:
    """A 1 MB body of aliases of one quote, each becoming an evidence node, took minutes of server time."""
    aliases = ", ".join(["*q"] * 240_000)
    body = _minimal().replace('evidence: ["52-year-old woman"]', f"evidence: [&q 52-year-old woman, {aliases}]")
    assert 900_000 < len(body) < 1_000_000
    started = time.monotonic()
    response = http.put("/cases/minimal-case", content=body, headers=AUTH)
    assert response.status_code == 422, response.text
    assert time.monotonic() - started < 10
    assert "more than 100 aliases" in response.json()["issues"][0]["message"]


def test_a_doi_cannot_mint_another_cases_iris(http: httpx.Client) -> None:
    """The DOI `<scalp DOI>/patient/1` made the scalp case's first patient a CaseReport, and replacing
    that record deleted the scalp case's derived facts."""
    about_scalp = f'SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{SCALP_CASE}/")) }}'
    patient_is_case = f"ASK {{ <{SCALP_CASE}/patient/1> a metkg:CaseReport }}"
    before = _count(http, about_scalp)
    body = _minimal(**{"10.9999/example.0001": f"{SCALP}/patient/1", "id: minimal-case": "id: hijack"})
    assert http.put("/cases/hijack", content=body, headers=AUTH).status_code == 201
    assert http.put("/cases/hijack", content=body.replace("age: 52", "age: 53"), headers=AUTH).status_code == 200
    assert http.get("/sparql", params={"query": patient_is_case}).json()["boolean"] is False
    assert _count(http, about_scalp) == before


def test_a_new_id_with_an_existing_doi_is_409_unless_if_match(
    writable: tuple[LiveServer, Settings], http: httpx.Client
) -> None:
    """PUT /cases/new-id with another report's DOI replaced that report and deleted its file."""
    cases = writable[1].data_dir / "cases"
    original = (cases / "web-scalp.yaml").read_text(encoding="utf-8")
    same = http.put("/cases/web-scalp", content=original, headers=AUTH)  # same id: replaced, and its ETag learnt
    assert same.status_code == 200, same.text
    typo = original.replace("id: web-scalp", "id: web-scalp-typo")
    refused = http.put("/cases/web-scalp-typo", content=typo, headers=AUTH)
    assert refused.status_code == 409, refused.text
    assert "belongs to the record 'web-scalp'" in refused.json()["detail"]
    assert (cases / "web-scalp.yaml").is_file() and not (cases / "web-scalp-typo.yaml").exists()
    stale = http.put("/cases/web-scalp-typo", content=typo, headers={**AUTH, "If-Match": '"not-its-tag"'})
    assert stale.status_code == 412, stale.text
    renamed = http.put("/cases/web-scalp-typo", content=typo, headers={**AUTH, "If-Match": same.headers["etag"]})
    assert renamed.status_code == 200, renamed.text
    assert renamed.headers["etag"] != same.headers["etag"]  # the record's id is part of its content
    assert not (cases / "web-scalp.yaml").exists() and (cases / "web-scalp-typo.yaml").read_text() == typo


def test_a_write_the_data_folder_cannot_hold_is_not_published(
    writable: tuple[LiveServer, Settings], http: httpx.Client
) -> None:
    """With data/ unwritable the PUT answered 500 while the record was live."""
    blocker = writable[1].data_dir / "cases" / "full-disk.yaml"
    blocker.mkdir()  # the record's file cannot be written
    try:
        cases = _count(http)
        body = _minimal(**{"10.9999/example.0001": "10.9999/full-disk", "id: minimal-case": "id: full-disk"})
        response = http.put("/cases/full-disk", content=body, headers=AUTH)
        assert response.status_code == 507, response.text
        assert response.json()["detail"].startswith("the record could not be saved under <path>")
        assert _count(http) == cases
    finally:
        blocker.rmdir()


# --- the server as its own process: what a crash or a kill takes down ---

_KILL_AT_PUBLISH = """
import os, signal
import metkg.store

def _publish_then_die(self, path, manifest):
    os.killpg(os.getpgrp(), signal.SIGKILL)  # the server and every process it started

metkg.store.StoreLayout.publish = _publish_then_die
"""


def _serve(settings: Settings, root: Path, *, kill_at_publish: bool = False) -> tuple[subprocess.Popen[bytes], str]:
    """``metkg serve`` for ``settings`` in its own process group; its URL once it answers."""
    port = free_port()
    env = {
        **os.environ,
        "METKG_STORE": str(settings.store),
        "METKG_DATA_DIR": str(settings.data_dir),
        "METKG_WRITE_TOKEN": TOKEN,
        "METKG_QUERY_WORKERS": "1",
        "METKG_CORPUS_DIR": str(root),
    }
    if kill_at_publish:
        hooks = root / "hooks"
        hooks.mkdir(exist_ok=True)
        (hooks / "sitecustomize.py").write_text(textwrap.dedent(_KILL_AT_PUBLISH), encoding="utf-8")
        env["PYTHONPATH"] = os.pathsep.join([str(hooks), env.get("PYTHONPATH", "")])
    command = [sys.executable, "-c", "from metkg.cli import main; main()", "serve", "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=root, start_new_session=True, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("metkg serve did not start")


def _wait_for_group_gone(group: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        members = []
        for process in psutil.process_iter():
            with contextlib.suppress(psutil.Error, ProcessLookupError):
                if os.getpgid(process.pid) == group and process.status() != psutil.STATUS_ZOMBIE:
                    members.append(process)
        if not members:
            return
        time.sleep(0.1)
    raise AssertionError(f"processes of the killed server's group {group} still run")


def _wait_for_store_lock(store: Path, seconds: float = 30) -> None:
    """Until the build lock of ``store`` is free: a killed writer's last process lets go of it a
    moment after the process group looks gone on a loaded machine."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with StoreLayout(store).lock():
                return
        except StoreError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


@pytest.fixture
def own_store(tmp_path: Path) -> Settings:
    shutil.copytree(RECORDS, tmp_path / "data" / "cases")
    settings = web_settings(tmp_path, data_dir=tmp_path / "data", write_token=TOKEN, query_workers=1)
    build_graph(settings, [settings.data_dir], reason=False, shacl=False)
    return settings


def test_one_deeply_nested_body_does_not_kill_the_server(own_store: Settings, tmp_path: Path) -> None:
    """200 KB of `x: ` and 100,000 `[` overflowed the YAML parser's C stack: SIGSEGV, server gone."""
    process, url = _serve(own_store, tmp_path)
    try:
        with httpx.Client(base_url=url, timeout=60) as http:
            response = http.put("/cases/minimal-case", content="x: " + "[" * 100_000, headers=AUTH)
            assert response.status_code == 422, response.text
            assert "nests more than 40 levels" in response.json()["issues"][0]["message"]
            assert http.get("/health").status_code == 200
        assert process.poll() is None
    finally:
        _stop(process)


def test_a_write_killed_at_publish_is_in_the_data_folder(own_store: Settings, tmp_path: Path) -> None:
    """Killed at publish, a record was live nowhere but in the store, and the next rebuild lost it."""
    process, url = _serve(own_store, tmp_path, kill_at_publish=True)
    try:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):  # the server died under the request
            httpx.put(url + "/cases/minimal-case", content=MINIMAL, headers=AUTH, timeout=600)
        process.wait(60)
        _wait_for_group_gone(process.pid)  # the write process, which held the store's lock, too
    finally:
        _stop(process)
    saved = own_store.data_dir / "cases" / "minimal-case.yaml"
    assert saved.read_text(encoding="utf-8") == MINIMAL
    _wait_for_store_lock(own_store.store)
    build_graph(own_store, [own_store.data_dir], reason=False, shacl=False)
    store = StoreLayout(own_store.store).open_read_only()
    rows = store.query(
        "SELECT (COUNT(?c) AS ?n) WHERE { ?c a <https://w3id.org/metkg/ontology#CaseReport> }",
        use_default_graph_as_union=True,
    )
    assert int(next(iter(rows))["n"].value) == 4


def test_reasoner_jvms_die_with_a_killed_build(tmp_path: Path, synthetic_dirs: dict[str, Path]) -> None:
    """A build killed outright left its HermiT JVMs running."""
    env = {**os.environ, "METKG_STORE": str(tmp_path / "store"), "METKG_CORPUS_DIR": str(tmp_path)}
    command = [sys.executable, "-c", "from metkg.cli import main; main()", "build", str(synthetic_dirs["small"])]
    build = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        javas: list[psutil.Process] = []
        while not javas and time.monotonic() < deadline and build.poll() is None:
            javas = [p for p in psutil.Process(build.pid).children(recursive=True) if "java" in p.name()]
            time.sleep(0.05)
        if not javas:
            pytest.skip("the build ran no JVM long enough to be seen (no Java, or the reasoner was too fast)")
        build.kill()
        build.wait(10)
        _, alive = psutil.wait_procs(javas, timeout=5)
        assert not alive, f"JVMs still running after their build was killed: {[p.pid for p in alive]}"
    finally:
        if build.poll() is None:
            build.kill()
        for java in javas:  # the ones this test started, should the check have failed
            if java.is_running():
                java.kill()


def test_records_of_the_fixture_have_no_aliases() -> None:
    """The alias limit costs curators nothing: no curated record uses an alias."""
    for path in sorted((Path(__file__).parents[2] / "data" / "cases").glob("*.yaml")):
        events = yaml.parse(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        assert not any(isinstance(e, yaml.AliasEvent) for e in events), path.name


def test_the_data_folder_is_absolute_wherever_the_server_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative METKG_DATA_DIR meant another folder for a server started elsewhere."""
    monkeypatch.chdir(tmp_path)
    settings = Settings(data_dir=Path("data"), store=Path("store"), corpus_dir=None)
    assert settings.data_dir == tmp_path / "data" and settings.store == tmp_path / "store"
