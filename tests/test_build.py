"""The graph build: all or nothing, stable IRIs, a store readers can open."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest

from metkg.build import build_graph, count_case_graph, count_records
from metkg.errors import RecordValidationError
from metkg.mapping import map_record
from metkg.records.loader import load_records
from metkg.settings import Settings
from metkg.store import StoreLayout
from metkg.terminology import load_terminology
from metkg.vocab import sparql_prefixes

FIXTURES = Path(__file__).parent / "fixtures" / "records"


def _records_dir(tmp_path: Path, text: str | None = None) -> Path:
    folder = tmp_path / "records"
    folder.mkdir(exist_ok=True)
    target = folder / "minimal.yaml"
    if text is None:
        shutil.copy(FIXTURES / "minimal.yaml", target)
    else:
        target.write_text(text, encoding="utf-8")
    return folder


def _subjects(store: pyoxigraph.Store) -> set[str]:
    return {
        q.subject.value
        for q in store.quads_for_pattern(None, None, None, None)
        if isinstance(q.subject, pyoxigraph.NamedNode)
    }


def test_build_publishes_a_store_with_counts(make_settings, tmp_path: Path) -> None:
    settings = make_settings()
    result = build_graph(settings, [_records_dir(tmp_path)], reason=False)
    assert result.counts["case_reports"] == 1
    assert result.counts["patients"] == 1
    assert result.counts["lesions"] == 2
    assert result.counts["specimens"] == 2
    assert result.counts["biomarker_results"] == 4
    assert result.counts["interventions"] == 1
    assert result.shacl_conforms is True
    layout = StoreLayout(settings.store)
    assert layout.manifest()["counts"]["triples"] == result.counts["triples"]
    store = layout.open_read_only()
    query = (
        sparql_prefixes()
        + """
        SELECT ?status WHERE { ?s metkg:collectedBy ?p ; metkg:hasResult ?r .
          ?r metkg:marker metkg:ER ; metkg:status ?status . ?s metkg:samples/a metkg:Metastasis }"""
    )
    rows = list(store.query(query, use_default_graph_as_union=True))
    assert [r["status"].value for r in rows] == ["https://w3id.org/metkg/ontology#Negative"]


def test_iris_are_stable_across_rebuilds(make_settings, tmp_path: Path) -> None:
    settings = make_settings()
    records = _records_dir(tmp_path)
    build_graph(settings, [records], reason=False)
    first = _subjects(StoreLayout(settings.store).open_read_only())
    build_graph(settings, [records], reason=False)
    second = _subjects(StoreLayout(settings.store).open_read_only())
    assert first == second
    assert "https://w3id.org/metkg/case/10.9999/example.0001/patient/1/specimen/scalp-fna/result/HER2" in first


def test_base_iri_is_configurable(make_settings, tmp_path: Path) -> None:
    settings = make_settings(base_iri="http://example.org/kg")
    build_graph(settings, [_records_dir(tmp_path)], reason=False, shacl=False)
    subjects = _subjects(StoreLayout(settings.store).open_read_only())
    assert "http://example.org/kg/case/10.9999/example.0001/patient/1" in subjects


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('{marker: HER2, score: "0"', '{marker: HER-2, score: "0"', "unknown marker 'HER-2'"),
        ("diagnosis_date: 2021-06", "diagnosis_date: June 2021", "YYYY, YYYY-MM or YYYY-MM-DD"),
        ("percent: 80", "percent: 101", "less than or equal to 100"),
        ("primary: primary", "primary: nowhere", "missing primary lesion 'nowhere'"),
        ("id: scalp-fna", "id: core", "duplicate specimen id 'core'"),
    ],
)
def test_bad_record_leaves_the_store_untouched(
    make_settings, tmp_path: Path, old: str, new: str, expected: str
) -> None:
    settings = make_settings()
    good = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    build_graph(settings, [_records_dir(tmp_path)], reason=False, shacl=False)
    layout = StoreLayout(settings.store)
    before_target = layout.current_build()
    before = set(layout.open_read_only().quads_for_pattern(None, None, None, None))

    folder = _records_dir(tmp_path, good.replace(old, new))
    (folder / "another.yaml").write_text(
        good.replace("minimal-case", "another-case").replace("example.0001", "example.0002")
    )
    with pytest.raises(RecordValidationError, match=expected) as excinfo:
        build_graph(settings, [folder], reason=False, shacl=False)
    assert "minimal.yaml:" in str(excinfo.value)
    assert layout.current_build() == before_target
    after = set(layout.open_read_only().quads_for_pattern(None, None, None, None))
    assert after == before
    assert [p for p in layout.builds.iterdir() if p.is_dir()] == [before_target]


def test_a_case_graph_counts_as_its_record() -> None:
    """`metkg add` counts a replaced case from its graph: the same numbers as from its record."""
    settings = Settings(corpus_dir=None)
    terms = load_terminology(settings.ontology_dir.resolve())
    records = [item.record for item in load_records([settings.data_dir])]
    assert records
    for record in records:
        assert count_case_graph(map_record(record, terms, settings.base_iri)) == count_records([record]), record.id


def test_overlapping_collector_pauses_resume_the_collector_when_the_last_ends() -> None:
    import gc

    from metkg.build import no_cyclic_gc

    assert gc.isenabled()
    first, second = no_cyclic_gc(), no_cyclic_gc()
    first.__enter__()
    second.__enter__()  # another thread's pause, begun while the first holds
    first.__exit__(None, None, None)
    assert not gc.isenabled(), "the collector ran again while a pause was still held"
    second.__exit__(None, None, None)
    assert gc.isenabled(), "the collector stayed off after every pause ended"
