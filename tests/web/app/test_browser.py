"""The people's pages in a real browser: Debian's Chromium driven by Playwright.

A researcher's path (home -> a facet -> a case -> a quote -> its passage in the source), the
query page running a query without a page load, the ontology tree by keyboard, and on every
page: no console error, WCAG AA contrast of its text, no sideways scrolling at phone width.
Each page's screenshot is saved to ``tests/.screenshots/`` (ignored by git).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from tests.web.app.conftest import CHENG_PATIENT, FIXTURE_DOI, FIXTURE_PATIENT, SCREENSHOTS
from tests.web.conftest import LiveServer

pytestmark = pytest.mark.slow

PAGES = {
    "home": "/",
    "cases": "/cases?site=skin",
    "case": FIXTURE_PATIENT,
    "case-cheng": CHENG_PATIENT,
    "report": f"/case/{FIXTURE_DOI}",
    "source": f"/case/{FIXTURE_DOI}/source/main",
    "ontology": "/ontology",
    "sparql": "/sparql",
    "named-query": "/queries/receptor-conversion?marker=ER",
    "queries": "/queries",
}

#: Text whose WCAG contrast against its background is below AA (4.5:1, 3:1 for large text).
_LOW_CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const low = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest("svg") || el.offsetParent === null) continue;
    const style = getComputedStyle(el);
    const [a, b] = [lum(rgb(style.color).slice(0, 3)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const large = parseFloat(style.fontSize) >= 24 || (parseFloat(style.fontSize) >= 18.66 && style.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5)) low.push(`${el.tagName} ${el.textContent.trim().slice(0, 40)} ${ratio.toFixed(2)}`);
  }
  return low;
}"""


class Tab:
    """A browser page that records console errors and uncaught exceptions."""

    def __init__(self, page: Any, base: str):
        self.page, self.base = page, base
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def open(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        return response

    def shot(self, name: str, *, full: bool = True) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full)


@pytest.fixture
def tab(chromium: Any, app_live: LiveServer) -> Iterator[Tab]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield Tab(page, app_live.url)
    context.close()


@pytest.fixture
def phone(chromium: Any, app_live: LiveServer) -> Iterator[Tab]:
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    yield Tab(context.new_page(), app_live.url)
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_console_error_and_aa_contrast(tab: Tab, name: str) -> None:
    tab.open(PAGES[name])
    tab.page.wait_for_load_state("networkidle")
    tab.shot(name)
    assert tab.errors == [], f"console errors on {PAGES[name]}: {tab.errors}"
    assert tab.page.evaluate(_LOW_CONTRAST) == [], "text below WCAG AA contrast"


@pytest.mark.parametrize("name", ["home", "cases", "case", "ontology", "sparql"])
def test_page_fits_a_phone(phone: Tab, name: str) -> None:
    phone.open(PAGES[name])
    phone.shot(f"{name}-phone", full=False)
    overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{PAGES[name]} scrolls sideways by {overflow}px at 390px"
    assert phone.errors == []


def test_from_home_to_a_passage_in_the_source(tab: Tab) -> None:
    """Home -> the case browser -> the eyelid facet -> the case -> a quote -> its passage, marked."""
    tab.open("/")
    tab.page.get_by_role("link", name="browse all").click()
    tab.page.wait_for_url("**/cases")
    site = tab.page.locator("section.facet", has=tab.page.locator("#facet-site"))
    eyelid = site.get_by_role("link", name="eyelid", exact=True)
    if not eyelid.is_visible():  # past the first values: under "more", opened by keyboard
        site.locator("summary").focus()
        tab.page.keyboard.press("Enter")
    eyelid.click()
    tab.page.wait_for_url("**/cases?site=eyelid")
    assert tab.page.locator("#hits-title").inner_text().startswith("1 patient")
    tab.shot("journey-1-facet")
    tab.page.locator("a.hit").first.click()
    tab.page.wait_for_url(f"**{FIXTURE_PATIENT}")
    assert tab.page.locator("svg.timeline").is_visible()
    assert tab.page.locator("td.conversion.loss").inner_text().startswith("negative")
    tab.shot("journey-2-case")
    quote = tab.page.locator("li", has=tab.page.locator("q", has_text="took letrozole from July 2014"))
    quote.get_by_role("link", name="in the source").click()
    tab.page.wait_for_url("**/source/main?evidence=**")
    mark = tab.page.locator("mark#passage")
    assert mark.inner_text() == "took letrozole from July 2014 to July 2019"
    assert mark.is_visible() and tab.page.evaluate("location.hash") == "#passage"
    box = mark.bounding_box()
    assert box is not None and 0 <= box["y"] <= 900, "the passage is scrolled into view"
    tab.shot("journey-3-passage", full=False)
    assert tab.errors == []


def test_heatmap_cell_opens_its_cases(tab: Tab) -> None:
    tab.open("/")
    cell = tab.page.locator("table.heatmap td a").first
    expected = int(cell.inner_text())
    cell.click()
    tab.page.wait_for_url("**/cases?primary=*&site=*")
    shown = int(tab.page.locator("#hits-title").inner_text().split()[0].replace(",", ""))
    assert shown == expected


def test_query_page_shows_rows_without_a_page_load(tab: Tab) -> None:
    tab.open("/sparql")
    assert tab.page.locator(".editor-host").count() == 1, "the editor bundle attached"
    tab.page.evaluate("window.__stillHere = true")
    tab.page.select_option("#examples", "receptor-conversion")
    tab.page.get_by_role("button", name="Run query").click()
    tab.page.wait_for_selector("#results table tbody tr")
    assert tab.page.evaluate("window.__stillHere") is True, "the page was not reloaded"
    columns = tab.page.locator("#results thead th").count()
    assert columns == 13, "every column of the answer is kept"
    assert "rows" in tab.page.locator("#status").inner_text()
    assert tab.page.locator("#downloads a").all_inner_texts() == ["csv", "tsv", "json", "xml"]
    tab.shot("sparql-results", full=False)
    assert tab.errors == []


def test_query_page_works_without_the_editor_bundle(tab: Tab) -> None:
    """If the editor's script fails, the textarea is the editor and results still come in place."""
    tab.page.route("**/static/vendor/editor.js", lambda route: route.abort())
    tab.open("/sparql")
    assert tab.page.locator("textarea#query").is_visible()
    tab.page.fill("textarea#query", "SELECT ?n WHERE { VALUES ?n { 1 2 3 } }")
    tab.page.get_by_role("button", name="Run query").click()
    tab.page.wait_for_selector("#results table tbody tr")
    assert tab.page.locator("#results tbody tr").count() == 3


def test_query_error_is_shown_in_place(tab: Tab) -> None:
    """A bad query typed in the editor and run with Ctrl+Enter: the server's 400 is shown, no page load."""
    tab.open("/sparql")
    tab.page.locator(".editor-host .cm-content").click()
    tab.page.keyboard.press("Control+a")
    tab.page.keyboard.type("SELEKT nonsense")
    tab.page.keyboard.press("Control+Enter")
    # (a locator waits in Playwright's own world: wait_for_function would poll with eval, which the CSP refuses)
    tab.page.locator("#status").filter(has_text=re.compile(r"^400 ")).wait_for()
    assert tab.page.locator("#results").inner_text() == ""


def test_ontology_tree_by_keyboard(tab: Tab) -> None:
    tab.open("/ontology#Scalp")
    assert tab.page.locator("li#Scalp").is_visible(), "a term's anchor opens its branch"
    summary = tab.page.locator("li#CentralNervousSystem > details > summary")
    children = tab.page.locator("li#CentralNervousSystem > details > ul")
    was_open = children.is_visible()
    summary.focus()
    tab.page.keyboard.press("Enter")
    assert children.is_visible() != was_open, "Enter on a branch opens or closes it"
    tab.shot("ontology-tree", full=False)


def test_keyboard_reaches_the_content_first(tab: Tab) -> None:
    tab.open("/cases")
    tab.page.keyboard.press("Tab")
    assert tab.page.evaluate("document.activeElement.textContent") == "Skip to content"
    tab.page.keyboard.press("Enter")
    tab.page.keyboard.press("Tab")
    assert tab.page.evaluate("document.activeElement.closest('main') !== null")
