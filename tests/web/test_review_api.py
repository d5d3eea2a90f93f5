"""Review in the browser, its API: upload, extract in the background, save with revisions, publish.

A real server on 127.0.0.1 with a real store; extraction runs in its worker process; publishing
goes through the write path of PUT /cases/{id}.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from metkg.store import StoreLayout

from .conftest import LiveServer, start_server, stop_server, unreasoned_store

pytestmark = pytest.mark.slow

# A short report written for this test.
REPORT = (
    "A case report. doi: 10.5555/review.test.1\n\n"
    "Case presentation\n"
    "A 58-year-old woman had invasive ductal carcinoma of the left breast in 2015. "
    "In 2019 she presented with a liver mass. A liver biopsy showed metastatic carcinoma. "
    "The tumor cells were positive for GATA3 and negative for ER.\n"
)
ADA, GRACE = {"Authorization": "Bearer ada-token"}, {"Authorization": "Bearer grace-token"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("review")
    settings = unreasoned_store(
        root, drafts_dir=root / "drafts", curators={"Ada Lovelace": "ada-token", "Grace Hopper": "grace-token"}
    )
    live = start_server(settings)
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


def _ready(http: httpx.Client, draft_id: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = http.get(f"/review/api/drafts/{draft_id}", headers=ADA).json()
        if body["draft"]["status"] != "extracting":
            return body
        time.sleep(0.3)
    raise AssertionError("the draft was not extracted in time")


@pytest.fixture(scope="module")
def draft(http: httpx.Client) -> dict:
    answer = http.post("/review/api/drafts", params={"name": "liver-report.txt"}, content=REPORT, headers=ADA)
    assert answer.status_code == 202, answer.text
    return _ready(http, answer.json()["id"])


def test_the_api_needs_a_curators_token(http: httpx.Client) -> None:
    assert http.get("/review/api/drafts").status_code == 401
    assert http.get("/review/api/drafts", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert http.post("/review/api/drafts", content=REPORT).status_code == 401


def test_an_upload_is_extracted_in_the_background(draft: dict) -> None:
    assert draft["draft"]["status"] == "ready", draft["draft"]
    assert draft["text"] == REPORT
    paths = {f["path"]: f for f in draft["facts"]}
    results = [f for f in draft["facts"] if f["kind"] == "result"]
    assert {f["summary"] for f in results} >= {"GATA3 positive", "ER negative"}, paths
    for fact in draft["facts"]:
        for quote in fact["quotes"]:
            assert REPORT[quote["start"] : quote["start"] + len(quote["quote"])] == quote["quote"]


def test_a_stale_save_is_refused_and_loses_nothing(http: httpx.Client, draft: dict) -> None:
    draft_id, revision = draft["draft"]["id"], draft["draft"]["revision"]
    record = draft["record"]
    first = http.put(
        f"/review/api/drafts/{draft_id}",
        json={"record": record, "decisions": {}},
        headers={**ADA, "If-Match": f'"{revision}"'},
    )
    assert first.status_code == 200, first.text
    second = http.put(
        f"/review/api/drafts/{draft_id}",
        json={"record": {**record, "note": "Grace's edit"}, "decisions": {}},
        headers={**GRACE, "If-Match": f'"{revision}"'},
    )
    assert second.status_code == 409, second.text
    assert "saved by someone else" in second.json()["detail"]
    now = http.get(f"/review/api/drafts/{draft_id}", headers=ADA).json()
    assert now["draft"]["revision"] == revision + 1
    assert now["record"].get("note") != "Grace's edit"
    assert now["draft"]["history"][-1]["by"] == "Ada Lovelace"


def test_publish_needs_every_flag_decided_then_names_the_reviewer(
    http: httpx.Client, draft: dict, server: LiveServer
) -> None:
    draft_id = draft["draft"]["id"]
    current = http.get(f"/review/api/drafts/{draft_id}", headers=ADA).json()
    revision = current["draft"]["revision"]
    flagged = [f for f in current["facts"] if f["flags"]]
    if flagged:
        refused = http.post(
            f"/review/api/drafts/{draft_id}/publish", json={}, headers={**ADA, "If-Match": f'"{revision}"'}
        )
        assert refused.status_code == 422, refused.text
        assert {i["field"] for i in refused.json()["issues"]} == {f["path"] for f in flagged}
    decisions = {f["pointer"]: "accepted" for f in current["facts"]}
    er = next(f for f in current["facts"] if f["summary"] == "ER negative")
    decisions[er["pointer"]] = "rejected"
    record = current["record"]
    record["report"]["doi"] = "10.5555/review.test.1"
    saved = http.put(
        f"/review/api/drafts/{draft_id}",
        json={"record": record, "decisions": decisions},
        headers={**ADA, "If-Match": f'"{revision}"'},
    )
    assert saved.status_code == 200, saved.text
    published = http.post(
        f"/review/api/drafts/{draft_id}/publish", json={}, headers={**GRACE, "If-Match": f'"{revision + 1}"'}
    )
    assert published.status_code == 201, published.text
    assert published.json()["reviewer"] == "Grace Hopper"
    settings = server.app.state.service.settings
    store = StoreLayout(settings.store).open_read_only()
    query = """PREFIX prov: <http://www.w3.org/ns/prov#>
    PREFIX metkg: <https://w3id.org/metkg/ontology#>
    SELECT ?name ?status WHERE { ?case metkg:doi "10.5555/review.test.1" ; prov:wasAttributedTo ?who ;
      metkg:curationStatus ?status . ?who <http://www.w3.org/2000/01/rdf-schema#label> ?name }"""
    rows = [(r["name"].value, r["status"].value) for r in store.query(query, use_default_graph_as_union=True)]
    assert rows == [("Grace Hopper", "https://w3id.org/metkg/ontology#Curated")]
    saved_file = Path(settings.data_dir) / "cases" / f"{published.json()['record']}.yaml"
    text = saved_file.read_text(encoding="utf-8")
    assert "reviewed_by: Grace Hopper" in text
    assert "marker: ER" not in text  # the rejected result is not published
    assert "GATA3" in text


def test_the_review_pages_are_served(http: httpx.Client, draft: dict) -> None:
    assert http.get("/review").status_code == 200
    page = http.get(f"/review/{draft['draft']['id']}")
    assert page.status_code == 200
    assert 'src="/static/review.js"' in page.text
    assert http.get("/review/..%2Fetc").status_code == 404


def test_a_re_extraction_is_compared_with_the_curated_record(http: httpx.Client, draft: dict) -> None:
    """After the record of REPORT is published (above), a fresh draft of the same report shows
    what it says differently: the ER result the reviewer rejected comes back as an addition."""
    answer = http.post("/review/api/drafts", params={"name": "again.txt"}, content=REPORT, headers=ADA)
    again = _ready(http, answer.json()["id"])
    diff = http.get(f"/review/api/drafts/{again['draft']['id']}/diff", headers=ADA).json()
    assert diff["curated"] is not None, diff
    assert diff["same"] > 3
    assert any("ER" in fact and "negative" in fact for fact in diff["added"]), diff


def test_a_curated_record_opens_for_review(http: httpx.Client, server: LiveServer) -> None:
    assert http.post("/review/api/records/no-such-record", headers=ADA).status_code == 404
    assert http.post("/review/api/records/..%2Fsecrets", headers=ADA).status_code in (404, 405)


def test_a_pdf_upload_is_read_by_content(http: httpx.Client, tmp_path: Path) -> None:
    from tests.extract.readers.renderings import render_pdf

    pdf = render_pdf(REPORT.replace("doi: 10.5555/review.test.1", "doi: 10.5555/review.test.2"), tmp_path / "r.pdf")
    answer = http.post("/review/api/drafts", params={"name": "liver report.pdf"}, content=pdf.read_bytes(), headers=ADA)
    body = _ready(http, answer.json()["id"])
    assert body["draft"]["status"] == "ready", body["draft"]
    assert body["record"]["id"] == "liver-report"
    assert body["record"]["report"]["doi"] == "10.5555/review.test.2"
    assert "GATA3 positive" in {f["summary"] for f in body["facts"]}
    for fact in body["facts"]:
        for quote in fact["quotes"]:
            assert body["text"][quote["start"] : quote["start"] + len(quote["quote"])] == quote["quote"]


def test_a_file_no_reader_takes_fails_with_what_to_do(http: httpx.Client) -> None:
    zipped = (Path(__file__).parents[1] / "fixtures" / "readers" / "reports.zip").read_bytes()
    answer = http.post("/review/api/drafts", params={"name": "reports.zip"}, content=zipped, headers=ADA)
    body = _ready(http, answer.json()["id"])
    assert body["draft"]["status"] == "failed"
    assert "zip archive" in body["draft"]["message"]
    assert "unpack" in body["draft"]["message"]
