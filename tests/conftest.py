"""Shared fixtures: settings pointing at temporary stores, the corpus when it is there."""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.settings import PROJECT_ROOT, Settings

FIXTURES = Path(__file__).parent / "fixtures"
DATA_DIR = PROJECT_ROOT / "data"


def corpus_dir() -> Path | None:
    """The case-report corpus beside the project (../shared/corpus), if present."""
    return Settings().corpus_dir


@pytest.fixture
def corpus() -> Path:
    """The corpus directory; skips the test cleanly when ../shared is absent."""
    path = corpus_dir()
    if path is None:
        pytest.skip("../shared/corpus is not present")
    return path


@pytest.fixture
def make_settings(tmp_path: Path):
    """Settings with a temporary store and any overrides."""

    def make(**overrides) -> Settings:
        values = {"store": tmp_path / "store", "data_dir": DATA_DIR, **overrides}
        return Settings(**values)

    return make


@pytest.fixture(scope="session")
def synthetic_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A streamed build (rules, no SHACL, no OWL) of 300 synthetic records: more than one page
    of every cross-case listing. The build's directory; open it read-only."""
    from tests.paging import build_synthetic

    return build_synthetic(tmp_path_factory.mktemp("synthetic-build"))
