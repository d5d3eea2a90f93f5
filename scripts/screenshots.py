"""Take the README's screenshots (docs/screenshots/*.png) of the people's pages in Chromium.

Builds data/cases plus the browser tests' fixture case (whose source text is the project's own,
tests/fixtures/app/corpus) into a temporary store, serves it on 127.0.0.1 and saves each page
at 1200 px wide, reduced to a small palette so the files stay small::

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from pages import BASE, serve  # noqa: E402  (the page benchmark's server on loopback)

from metkg.build import build_graph  # noqa: E402
from metkg.settings import Settings  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
FIXTURES = ROOT / "tests" / "fixtures" / "app"
SHOTS: dict[str, tuple[str, str | None]] = {
    "home": ("/", None),
    "cases": ("/cases?site=skin&intervention=endocrinetherapy", None),
    "case": ("/case/10.9999/metkg-app.0001/patient/1", None),
    "passage": ("/case/10.9999/metkg-app.0001/patient/1", "passage"),
    "query": ("/sparql", "query"),
    "ontology": ("/ontology#Scalp", None),
}


def _settings(root: Path) -> Settings:
    data = root / "data" / "cases"
    shutil.copytree(ROOT / "data" / "cases", data)
    shutil.copy(FIXTURES / "records" / "eyelid-fixture.yaml", data)
    settings = Settings(
        store=root / "store", data_dir=root / "data", corpus_dir=FIXTURES / "corpus", base_iri=BASE, query_workers=1
    )
    build_graph(settings, [data], reason=True, shacl=False, owl=False)
    return settings


def _act(page: object, action: str | None) -> None:
    if action == "query":
        page.select_option("#examples", "receptor-conversion")  # type: ignore[attr-defined]
        page.get_by_role("button", name="Run query").click()  # type: ignore[attr-defined]
        page.wait_for_selector("#results table tbody tr")  # type: ignore[attr-defined]
        page.locator("#results").scroll_into_view_if_needed()  # type: ignore[attr-defined]
    elif action == "passage":
        quote = page.locator("li", has=page.locator("q", has_text="took letrozole"))  # type: ignore[attr-defined]
        quote.get_by_role("link").click()
        page.wait_for_selector("mark#passage")  # type: ignore[attr-defined]


def main() -> None:
    from PIL import Image
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server, _clock, url = serve(_settings(Path(tmp)))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1200, "height": 760})
                for name, (path, action) in SHOTS.items():
                    page.goto(url + path)
                    _act(page, action)
                    target = OUT / f"{name}.png"
                    page.screenshot(path=str(target))
                    Image.open(target).convert("RGB").quantize(colors=96).save(target, optimize=True)
                    print(f"{target.relative_to(ROOT)}: {target.stat().st_size:,} bytes")
                browser.close()
        finally:
            server.should_exit = True


if __name__ == "__main__":
    main()
