"""The curator's path in a real browser: upload a corpus report, check the highlighted facts,
reject one, correct one, add one from a selection of the text, decide the flags, publish.

Debian's chromium driven by Playwright; skipped with the reason where either is missing, and
where ../shared/corpus is absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from tests.web.conftest import LiveServer, start_server, stop_server, unreasoned_store

from metkg.settings import Settings

pytestmark = pytest.mark.slow

SCREENSHOTS = Path(__file__).parents[2] / ".screenshots"
REPORT = "003_97742390b567a0be.txt"
TOKEN = "ada-token"

SELECT_TEXT = """(needle) => {
  const pre = document.getElementById("source");
  const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.textContent.indexOf(needle);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + needle.length);
      const selection = document.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return true;
    }
  }
  return false;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, corpus_module: Path) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("review-browser")
    settings = unreasoned_store(root, drafts_dir=root / "drafts", curators={"Ada Lovelace": TOKEN})
    live = start_server(settings)
    yield live
    stop_server(live)


@pytest.fixture(scope="module")
def corpus_module() -> Path:
    path = Settings().corpus_dir
    if path is None or not (path / REPORT).is_file():
        pytest.skip("../shared/corpus is not present")
    return path


def _card(page, summary_start: str):
    return page.locator("article.fact", has=page.locator(".summary", has_text=summary_start)).first


def test_the_curators_path(chromium, server: LiveServer, corpus_module: Path) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{server.url}/review")
    page.fill("#token", TOKEN)
    page.click("#token-form button")
    page.wait_for_selector("#drafts-empty:text('No drafts yet')")
    page.set_input_files("#upload-file", str(corpus_module / REPORT))
    page.click("#upload-form button")
    page.wait_for_url("**/review/003-*")
    page.wait_for_selector("#draft-status:text('Revision')", timeout=120_000)
    assert page.locator("#source mark").count() >= 10  # the facts' quotes highlighted
    page.screenshot(path=str(SCREENSHOTS / "review.png"), full_page=False)

    # Selecting a fact marks its passage in the text.
    first = page.locator("article.fact .quote").first
    first.click()
    assert page.locator("#source mark.active").count() >= 1

    # Reject one fact.
    rejected = _card(page, "p53")
    rejected.get_by_role("button", name="Reject").click()
    page.wait_for_selector("#draft-status:text('Saved')")
    assert _card(page, "p53").get_attribute("data-decision") == "rejected"

    # Correct one: Ki-67 gets another percent.
    ki67 = _card(page, "Ki-67")
    ki67.get_by_role("button", name="Edit").click()
    ki67.locator("select[name=comparator]").select_option("")
    ki67.locator("input[name=percent]").fill("42")
    ki67.get_by_role("button", name="Apply").click()
    page.wait_for_selector("article.fact .summary:text('Ki-67 42%')")

    # Add one from a selection of the text.
    assert page.evaluate(SELECT_TEXT, "conservative supportive treatment")
    page.click("#add-fact")
    page.select_option("#add-kind", "intervention")
    page.select_option("#edit-type", "supportive")
    page.click("#add-form button[value=add]")
    page.wait_for_selector("article.fact .quote:text('conservative supportive treatment')")

    # Decide every flag, then publish.
    for card in page.locator("article.fact:has(.flags)").all():
        if not card.get_attribute("data-decision"):
            card.get_by_role("button", name="Accept").click()
            page.wait_for_selector("#draft-status:text('Saved')")
    page.click("#publish")
    page.wait_for_selector("#draft-status:text('Published')", timeout=120_000)
    page.screenshot(path=str(SCREENSHOTS / "review-published.png"))
    assert errors == []

    settings = server.app.state.service.settings
    record_id = page.locator("#draft-status").inner_text().split()[1]
    published = yaml.safe_load((settings.data_dir / "cases" / f"{record_id}.yaml").read_text(encoding="utf-8"))
    assert published["status"] == "curated"
    assert published["provenance"]["reviewed_by"] == "Ada Lovelace"
    results = [r for p in published["patients"] for s in p["specimens"] for r in s.get("results", [])]
    assert not any(r["marker"] == "p53" for r in results)
    assert any(r["marker"] == "Ki-67" and r.get("percent") == 42 for r in results)
    text = (corpus_module / REPORT).read_text(encoding="utf-8")
    added = [i for p in published["patients"] for i in p.get("interventions", []) if i["type"] == "supportive"]
    evidence = [e for i in added for e in i["evidence"] if e["quote"] == "conservative supportive treatment"]
    assert evidence, added
    assert text[evidence[0]["start"] : evidence[0]["end"]] == "conservative supportive treatment"

    answer = page.request.get(
        f"{server.url}/sparql",
        params={
            "query": "ASK { ?case <http://www.w3.org/ns/prov#wasAttributedTo> ?who . "
            '?who <http://www.w3.org/2000/01/rdf-schema#label> "Ada Lovelace" }'
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.json()["boolean"] is True
