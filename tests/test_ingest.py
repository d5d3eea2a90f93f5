"""The streamed build: worker processes validate and map, the store bulk-loads N-Quads.

Each test runs the real pool (forked worker processes) and the real on-disk store, on small
chunks so that several chunks and several bulk-load calls happen.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest
import yaml

from metkg import ingest
from metkg.build import build_graph
from metkg.errors import InconsistentRecordError, RecordValidationError
from metkg.mapping import map_record, map_record_nquads
from metkg.records.loader import load_records
from metkg.settings import Settings
from metkg.store import StoreLayout
from metkg.synthetic import synthetic_records
from metkg.terminology import load_terminology

DATA = Path(__file__).resolve().parents[1] / "data" / "cases"


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parallel from the first file, three records a chunk, a bulk load every ~1,000 quads."""
    monkeypatch.setattr(ingest, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(ingest, "CHUNK_RECORDS", 3)
    monkeypatch.setattr(ingest, "LOAD_BATCH_QUADS", 1000)


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """The curated records and 40 synthetic ones, as YAML files."""
    folder = tmp_path / "records"
    shutil.copytree(DATA, folder / "curated")
    terms = load_terminology(Settings().ontology_dir.resolve())
    (folder / "synthetic").mkdir()
    for record in synthetic_records(40, seed=3, terms=terms):
        data = record.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        (folder / "synthetic" / f"{record.id}.yaml").write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        )
    return folder


def _quads(store: pyoxigraph.Store) -> tuple[set[pyoxigraph.Quad], int]:
    """The quads without blank nodes (the ontology's are renamed at each parse), and how many have one."""
    named, blank = set(), 0
    for quad in store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.subject, pyoxigraph.BlankNode) or isinstance(quad.object, pyoxigraph.BlankNode):
            blank += 1
        else:
            named.add(quad)
    return named, blank


def test_streamed_build_stores_what_the_in_memory_build_stores(
    make_settings, records: Path, small_chunks: None
) -> None:
    streamed = make_settings(store=records.parent / "streamed", corpus_dir=None, build_workers=2)
    result = build_graph(streamed, [records], reason=False, shacl=False)
    assert result.workers == 2
    assert result.counts["case_reports"] == 55
    assert result.counts["patients"] >= 56

    # The same records through the in-memory path (SHACL on), which maps to Python quads.
    in_memory = make_settings(store=records.parent / "in-memory", corpus_dir=None)
    build_graph(in_memory, [records], reason=False, shacl=True)
    a = _quads(StoreLayout(streamed.store).open_read_only())
    b = _quads(StoreLayout(in_memory.store).open_read_only())
    assert len(a[0]) + a[1] == result.counts["triples"]
    assert a == b


def test_every_problem_of_every_chunk_is_reported_and_nothing_published(
    make_settings, records: Path, small_chunks: None
) -> None:
    settings = make_settings(store=records.parent / "store", corpus_dir=None, build_workers=2)
    build_graph(settings, [records / "curated"], reason=False, shacl=False)
    before = StoreLayout(settings.store).current.resolve()

    synthetic = sorted((records / "synthetic").glob("*.yaml"))
    first, last = synthetic[0], synthetic[-1]
    first.write_text(first.read_text().replace("kind: metastasis", "kind: metastasys", 1))
    twin = yaml.safe_load(last.read_text())
    twin["id"] = "a-twin-of-the-last"
    (records / "synthetic" / "zz-twin.yaml").write_text(yaml.safe_dump(twin, sort_keys=False))

    with pytest.raises(RecordValidationError) as caught:
        build_graph(settings, [records], reason=False, shacl=False)
    messages = [str(issue) for issue in caught.value.issues]
    assert any(first.name in m and "metastasys" in m for m in messages), messages
    assert any("zz-twin.yaml" in m and "report.doi" in m and "duplicate DOI" in m for m in messages), messages
    assert all(":" in m.split(" ", 1)[0] for m in messages)  # file:line
    assert StoreLayout(settings.store).current.resolve() == before
    assert not [p for p in (settings.store / "builds").iterdir() if p.is_dir() and p != before]


def test_nquads_mapping_is_the_quad_mapping() -> None:
    """The text the streamed build loads parses to exactly the quads of :func:`map_record`,
    for the curated records and for literals that need escaping."""
    settings = Settings(corpus_dir=None)
    terms = load_terminology(settings.ontology_dir.resolve())
    records = [item.record for item in load_records([DATA])]
    tricky = records[0].model_copy(update={"note": 'a "quoted" back\\slash,\nnew line\r and tab\t \u00e9 \U0001f600'})
    for record in [*records, tricky, *synthetic_records(20, seed=5, terms=terms)]:
        text, count = map_record_nquads(record, terms, settings.base_iri)
        parsed = list(pyoxigraph.parse(text.encode(), format=pyoxigraph.RdfFormat.N_QUADS))
        expected = map_record(record, terms, settings.base_iri)
        assert count == len(parsed) == len(expected)
        assert set(parsed) == set(expected)


def test_rules_in_the_stream_give_the_reasoners_inferred_graph_less_its_ontology_classification(
    make_settings, records: Path, small_chunks: None
) -> None:
    """``--no-owl``: workers classify and derive; the inferred graph is the full reasoning
    build's, except the subsumptions between ontology classes that only HermiT computes."""
    streamed = make_settings(store=records.parent / "rules", corpus_dir=None, build_workers=2)
    result = build_graph(streamed, [records], reason=True, owl=False, shacl=False)
    assert result.counts["inferred_triples"] > 0
    full = make_settings(store=records.parent / "owl", corpus_dir=None)
    build_graph(full, [records], reason=True, shacl=False)

    inferred = pyoxigraph.NamedNode("https://w3id.org/metkg/graph/inferred")
    subclass = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
    a = set(StoreLayout(streamed.store).open_read_only().quads_for_pattern(None, None, None, inferred))
    b = set(StoreLayout(full.store).open_read_only().quads_for_pattern(None, None, None, inferred))
    assert len(a) == result.counts["inferred_triples"]
    assert a <= b
    assert {q.predicate for q in b - a} == {subclass}
    conversions = [
        q for q in a if q.object == pyoxigraph.NamedNode("https://w3id.org/metkg/ontology#ReceptorConversion")
    ]
    assert conversions


def test_a_contradictory_case_fails_the_streamed_rules_build(make_settings, records: Path, small_chunks: None) -> None:
    target = records / "curated" / "cheng-2025-scalp-metastasis.yaml"
    data = yaml.safe_load(target.read_text())
    specimen = next(s for p in data["patients"] for s in p.get("specimens", []) if s.get("results"))
    first = specimen["results"][0]
    assert first["marker"] == "ER" and first["percent"] >= 1, first
    first["status"] = "negative"  # stated negative at a positive percent: only the rules see the clash
    target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    settings = make_settings(store=records.parent / "store", corpus_dir=None, build_workers=2)
    with pytest.raises(InconsistentRecordError, match="cheng-2025"):
        build_graph(settings, [records], reason=True, owl=False, shacl=False)
    assert not StoreLayout(settings.store).exists()
