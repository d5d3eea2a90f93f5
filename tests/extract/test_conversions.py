"""Receptor conversions of a draft, derived by the build's own rules and shown to the reviewer."""

from __future__ import annotations

import pytest

from metkg.extract import draft_yaml
from metkg.reasoning import infer, record_conversions
from metkg.records.loader import parse_record_text
from metkg.records.summary import summarise
from metkg.settings import Settings

TEXT = (
    "A 58-year-old woman had invasive ductal carcinoma of the left breast. The primary tumour was ER positive and "
    "HER2 negative. Two years later CT showed liver metastases. Biopsy of the liver lesion showed ER negative and "
    "HER2 positive tumour cells."
)


@pytest.fixture(scope="module")
def settings(ontology_dir) -> Settings:  # type: ignore[no-untyped-def]
    return Settings(ontology_dir=ontology_dir, corpus_dir=None)


def test_a_draft_yields_its_conversions(extract, terminology, settings) -> None:  # type: ignore[no-untyped-def]
    conversions = record_conversions(extract(TEXT), terminology, settings)
    assert [(c.marker_key, c.from_category, c.to_category, c.word) for c in conversions] == [
        ("ER", "positive", "negative", "loss"),
        ("HER2", "negative", "HER2-positive", "gain"),
    ]


def test_the_summary_lists_them_as_receptor_conversion(extract, terminology, settings) -> None:  # type: ignore[no-untyped-def]
    record = extract(TEXT)
    flat = summarise(record, terminology, conversions=record_conversions(record, terminology, settings))
    assert flat["receptor_conversion"] == [
        {"marker": "estrogen receptor", "primary": "positive", "metastasis": "negative", "site": "liver"},
        {"marker": "HER2", "primary": "negative", "metastasis": "positive", "site": "liver"},
    ]


def test_the_draft_yaml_shows_them_read_only_and_still_loads(extract, ontology_dir) -> None:  # type: ignore[no-untyped-def]
    record = extract(TEXT, "conversion.txt")
    text = draft_yaml(record, ["a draft"], ontology_dir)
    tail = text[text.index("# Derived (read-only") :]
    assert "ER loss: positive" in tail and "HER2 gain: negative" in tail
    loaded, _, issues = parse_record_text(text, "conversion.yaml")
    assert issues == [] and loaded == record


def test_no_conversion_without_a_metastasis_result(extract, terminology, settings) -> None:  # type: ignore[no-untyped-def]
    record = extract("A 58-year-old woman had breast cancer. The primary tumour was ER positive.")
    assert record_conversions(record, terminology, settings) == []


@pytest.mark.slow
def test_the_build_derives_the_same_conversions(extract, terminology, settings) -> None:  # type: ignore[no-untyped-def]
    record = extract(TEXT)
    quads, _ = infer([record], [], settings)
    conversion = "https://w3id.org/metkg/ontology#ReceptorConversion"
    built = sorted(q.subject.value for q in quads if q.object.value == conversion)
    drafted = record_conversions(record, terminology, settings)
    assert len(built) == len(drafted) == 2
    assert [b.split("/conversion/")[1].split("/")[0] for b in built] == sorted(c.marker_key for c in drafted)


def test_metkg_extract_prints_the_conversions_and_writes_them_in_a_directory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from metkg.cli import app

    source = tmp_path / "in" / "conversion.txt"
    source.parent.mkdir()
    source.write_text(TEXT, encoding="utf-8")
    printed = CliRunner().invoke(app, ["extract", str(source)])
    assert printed.exit_code == 0, printed.output
    assert "#   patient 1: ER loss: positive" in printed.stdout
    written = CliRunner().invoke(app, ["extract", str(source.parent), "-o", str(tmp_path / "out")])
    assert written.exit_code == 0, written.output
    assert "HER2 gain" in (tmp_path / "out" / "conversion.yaml").read_text(encoding="utf-8")
