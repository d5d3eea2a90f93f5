"""Fixtures of the robustness tests: a store built once from the web fixture records (without the
reasoner, which these tests do not need), served by real uvicorn with settings chosen per test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from tests.web.conftest import LiveServer, start_server, stop_server, unreasoned_store

from metkg.settings import Settings

FIXTURES = Path(__file__).parents[1] / "fixtures"
MALFORMED = FIXTURES / "malformed"
TOKEN = "s3cret-write-token-for-tests"


@pytest.fixture(scope="session")
def robust_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a store built from the three web fixture records (no reasoner, no SHACL)."""
    return unreasoned_store(tmp_path_factory.mktemp("robust"), query_workers=2)


@pytest.fixture(scope="session")
def robust(robust_settings: Settings) -> Iterator[LiveServer]:
    """The app on uvicorn with the default limits, serving the fixture store."""
    server = start_server(robust_settings)
    yield server
    stop_server(server)


@contextmanager
def serving(settings: Settings) -> Iterator[LiveServer]:
    """A server for ``settings`` for the length of a ``with`` block."""
    server = start_server(settings)
    try:
        yield server
    finally:
        stop_server(server)


def write_synthetic_records(target: Path, count: int, seed: int) -> Path:
    """``count`` synthetic case records (metkg.synthetic) as YAML files in ``target``."""
    import yaml

    from metkg.synthetic import synthetic_records
    from metkg.terminology import load_terminology

    terms = load_terminology(Settings(corpus_dir=None).ontology_dir.resolve())
    target.mkdir(parents=True, exist_ok=True)
    for record in synthetic_records(count, seed=seed, terms=terms):
        data = record.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=200)
        (target / f"{record.id}.yaml").write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def synthetic_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Synthetic records: ``small`` (20, built in a second) and ``large`` (300, a build of several seconds)."""
    root = tmp_path_factory.mktemp("synthetic")
    return {
        "small": write_synthetic_records(root / "small", 20, seed=7),
        "large": write_synthetic_records(root / "large", 300, seed=8),
    }
