"""Fixtures of the reader tests: the corpus rendered as PDF, JATS and HTML, each extracted once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from metkg.extract import extract_files
from metkg.settings import PROJECT_ROOT, Settings

sys.path.insert(0, str(Path(__file__).parent))
from renderings import render_html, render_jats, render_pdf

ONTOLOGY = PROJECT_ROOT / "ontology"
RENDER = {"pdf": (render_pdf, ".pdf"), "jats": (render_jats, ".xml"), "html": (render_html, ".html")}


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    path = Settings().corpus_dir
    if path is None or not path.is_dir() or not list(path.glob("0*.txt")):
        pytest.skip("../shared/corpus is not present")
    return path


@pytest.fixture(scope="session")
def drafts(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Drafts directory per format ("text", "pdf", "jats", "html"), each extracted once per session."""
    made: dict[str, Path] = {}

    def get(fmt: str) -> Path:
        if fmt in made:
            return made[fmt]
        root = tmp_path_factory.mktemp(f"formats-{fmt}")
        sources = sorted(corpus_dir.glob("0*.txt"))
        if fmt != "text":
            render, suffix = RENDER[fmt]
            (root / "in").mkdir()
            sources = [render(p.read_text(encoding="utf-8"), root / "in" / f"{p.stem}{suffix}") for p in sources]
        summary = extract_files(sources, root / "out", ONTOLOGY)
        assert not summary.failures, summary.failures
        made[fmt] = root / "out"
        return made[fmt]

    return get
