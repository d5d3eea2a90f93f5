"""Answers a stranger may read: errors without tracebacks or file paths, pages that escape everything
from the data, and security headers on every HTML page."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.robustness.conftest import serving
from tests.web.conftest import RECORDS, LiveServer, web_settings

from metkg.build import build_graph
from metkg.settings import PROJECT_ROOT, Settings
from metkg.web.server import create_app

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
DOI = "10.9999/metkg-web.0003"
CASE = f"/case/{DOI}"


def hostile_record() -> str:
    """The leiomyosarcoma fixture with markup in its title and in other free-text fields."""
    text = (RECORDS / "leiomyosarcoma.yaml").read_text(encoding="utf-8")
    for old, new in {
        '"Fixture: primary leiomyosarcoma of the scalp"': repr(f"Fixture {SCRIPT}"),
        "journal: Fixture Journal": f"journal: {IMG!r}",
        "authors: [Gao X]": f"authors: [{IMG!r}]",
        "first_symptom: scalp mass": f"first_symptom: {IMG!r}",
        '{label: hemangioma, kind: misdiagnosis, evidence: ["hemangioma"]}': (
            f"{{label: {IMG!r}, kind: misdiagnosis, evidence: ['hemangioma']}}"
        ),
    }.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("hostile")
    (root / "cases").mkdir()
    (root / "cases" / "hostile.yaml").write_text(hostile_record(), encoding="utf-8")
    settings = web_settings(root, data_dir=root, query_workers=1)
    build_graph(settings, [root / "cases"], reason=False, shacl=False)
    with serving(settings) as live:
        yield live


@pytest.fixture(scope="module")
def http(hostile: LiveServer) -> Iterator[httpx.Client]:
    with hostile.client(headers={"Accept": "text/html"}) as client:
        yield client


def _page_paths(http: httpx.Client) -> list[str]:
    listing = http.get(CASE + "/patient/1", headers={"Accept": "application/n-triples"}).text
    parts = sorted({line.split()[2].strip("<>") for line in listing.splitlines() if "/patient/1/" in line.split()[2]})
    return [
        "/",
        CASE,
        CASE + "/patient/1",
        *(p.replace("https://w3id.org/metkg", "") for p in parts),
        f"/graph/case/{DOI}",
        "/sparql?" + str(httpx.QueryParams({"query": "SELECT ?t ?j WHERE { ?c dcterms:title ?t ; ?p ?j }"})),
        f"/queries/case-timeline?doi={DOI}",
    ]


def test_pages_escape_markup_from_the_data(http: httpx.Client) -> None:
    paths = _page_paths(http)
    shown_script = shown_img = 0
    for path in paths:
        response = http.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        assert response.headers["content-type"].startswith("text/html")
        assert SCRIPT not in response.text, path
        assert "<img" not in response.text, path
        shown_script += "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
        shown_img += "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in response.text
    assert shown_script >= 3, "the title is shown, escaped, on the case page, the graph page and the results"
    assert shown_img >= 3, "the journal, authors and journey fields are shown, escaped"


def test_error_page_escapes_the_requested_path(http: httpx.Client) -> None:
    response = http.get("/case/" + SCRIPT.replace("/", "%2F"))
    assert response.status_code == 404
    assert "<script>" not in response.text and "&lt;script&gt;" in response.text


HTML_PATHS = ["/", "/sparql", "/queries", CASE, "/ontology", "/no/such/thing", "/queries/no-such-query"]


@pytest.mark.parametrize("path", HTML_PATHS)
def test_security_headers_on_html(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.headers["content-type"].startswith("text/html"), path
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


def test_nosniff_on_every_answer(http: httpx.Client) -> None:
    for path in ("/sparql?query=ASK{}", "/health", "/openapi.json", "/export?format=nquads", "/static/style.css"):
        response = http.get(path, headers={"Accept": "*/*"})
        assert response.headers["x-content-type-options"] == "nosniff", path


LEAKS = ("Traceback", 'File "', "site-packages", str(PROJECT_ROOT), "/tmp/", ".py")


def _assert_clean(response: httpx.Response) -> None:
    for leak in LEAKS:
        assert leak not in response.text, (leak, response.text)


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/sparql", {"params": {"query": "SELECT WHERE {"}}, 400),
        ("GET", "/sparql", {"params": {"query": "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }"}}, 200),
        ("GET", "/sparql", {"params": {"query": "SELECT (<file:///etc/x>(?s) AS ?x) { ?s ?p ?o } LIMIT 1"}}, 400),
        ("GET", "/sparql", {"params": {"query": "ASK {}", "format": "yaml"}}, 400),
        ("POST", "/sparql", {"content": b"\xff\xfe", "headers": {"Content-Type": "application/sparql-query"}}, 400),
        ("POST", "/sparql", {"content": b"x", "headers": {"Content-Type": "text/x-python"}}, 415),
        ("GET", "/queries/case-timeline", {"params": {"doi": "../../etc/passwd"}}, 400),
        ("GET", "/../../etc/passwd", {}, 404),
        ("DELETE", "/sparql", {}, 405),
        ("GET", "/export", {"headers": {"Accept": "image/png"}}, 406),
    ],
)
def test_error_answers_carry_no_traceback_or_path(
    http: httpx.Client, method: str, path: str, kwargs: dict, status: int
) -> None:
    kwargs = {"headers": {"Accept": "application/json"}} | kwargs
    response = http.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    _assert_clean(response)


def test_unexpected_error_is_500_without_traceback_or_path(tmp_path: Path) -> None:
    app = create_app(web_settings(tmp_path))

    def explode() -> None:
        raise RuntimeError(f"secret detail in {tmp_path}/module.py line 3")

    app.add_api_route("/explode", explode, methods=["POST"])

    async def ask(accept: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://metkg.test") as client:
            return await client.post("/explode", headers={"Accept": accept})

    for accept in ("application/json", "text/html"):
        response = asyncio.run(ask(accept))
        assert response.status_code == 500
        assert "the server failed to answer" in response.text
        assert "secret detail" not in response.text
        _assert_clean(response)


def _metkg(*args: str, cwd: Path, stdout: Any = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from metkg.cli import main; main()", *args]
    return subprocess.run(command, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=300, check=False)


def test_a_symbolic_link_loop_is_said_not_traced(tmp_path: Path) -> None:
    (tmp_path / "loop").symlink_to("loop")
    done = _metkg("build", str(RECORDS), "--store", "loop/store", "--no-reason", cwd=tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "a symbolic link on that path points back to itself" in done.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full to stand for a full disk")
def test_a_full_disk_is_said_not_traced(robust_settings: Settings, tmp_path: Path) -> None:
    """The export written to standard output, which is /dev/full: every write fails with ENOSPC."""
    with Path("/dev/full").open("wb") as full:
        done = _metkg("export", "--store", str(robust_settings.store), cwd=tmp_path, stdout=full)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "No space left on device" in done.stderr and "free some space" in done.stderr
