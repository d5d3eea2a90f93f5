"""Fixtures of the extraction tests: the ontology's matcher, the spaCy pipeline built once per
session, and the corpus reports extracted once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.extract import extract_text
from metkg.extract.pipeline import get_pipeline, term_matcher
from metkg.extract.record import build_record
from metkg.extract.report import Report, read_report
from metkg.records.models import CaseRecord
from metkg.settings import PROJECT_ROOT, Settings
from metkg.terminology import Terminology, load_terminology

FIXTURES = Path(__file__).parents[1] / "fixtures" / "extract"
ONTOLOGY = PROJECT_ROOT / "ontology"

#: The corpus reports and the curated records about their own patients.
CORPUS_RECORDS = {
    "000_9006ff49866c3799.txt": "cheng-2025-scalp-metastasis",
    "003_97742390b567a0be.txt": "zhang-2024-dcis-bone-marrow",
    "004_ce6a147cc74f495e.txt": "gao-2025-scalp-leiomyosarcoma",
}


@pytest.fixture(scope="session")
def ontology_dir() -> Path:
    return ONTOLOGY


@pytest.fixture(scope="session")
def terminology() -> Terminology:
    return load_terminology(ONTOLOGY)


@pytest.fixture(scope="session")
def matcher():
    return term_matcher(str(ONTOLOGY.resolve()))


@pytest.fixture(scope="session")
def nlp():
    """The spaCy pipeline, built once for the whole test session."""
    return get_pipeline(ONTOLOGY)


@pytest.fixture(scope="session")
def extract(nlp):
    """Extract a record from text with the session's pipeline."""

    def run(text: str, name: str = "report.txt") -> CaseRecord:
        return extract_text(text, name, ONTOLOGY)

    return run


@pytest.fixture(scope="session")
def corpus_path() -> Path:
    path = Settings().corpus_dir
    if path is None or not path.is_dir():
        pytest.skip("../shared/corpus is not present")
    return path


@pytest.fixture(scope="session")
def corpus_reports(corpus_path: Path, nlp) -> dict[str, Report]:
    """The three corpus reports, read once per session."""
    out = {}
    for name in CORPUS_RECORDS:
        path = corpus_path / name
        if not path.is_file():
            pytest.skip(f"{name} is not in the corpus")
        out[name] = read_report(path.read_text(encoding="utf-8"), name, ONTOLOGY)
    return out


@pytest.fixture(scope="session")
def corpus_records(corpus_reports: dict[str, Report]) -> dict[str, CaseRecord]:
    """The drafts of the three corpus reports, extracted once per session."""
    return {name: build_record(report) for name, report in corpus_reports.items()}
