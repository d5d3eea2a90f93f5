"""Adding or replacing one case record: validated like a build, applied atomically."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest

from metkg.build import add_record, build_graph
from metkg.errors import RecordValidationError
from metkg.store import StoreLayout

FIXTURE = Path(__file__).parent / "fixtures" / "records" / "minimal.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")
CASE = "https://w3id.org/metkg/case/10.9999/example.0001"


@pytest.fixture
def built(make_settings, tmp_path: Path):
    data = tmp_path / "data"
    (data / "cases").mkdir(parents=True)
    shutil.copy(FIXTURE, data / "cases" / "minimal-case.yaml")
    settings = make_settings(data_dir=data)
    build_graph(settings, reason=False)
    return settings


def _objects(settings, subject: str, predicate: str) -> list[str]:
    store = StoreLayout(settings.store).open_read_only()
    return sorted(
        q.object.value
        for q in store.quads_for_pattern(pyoxigraph.NamedNode(subject), pyoxigraph.NamedNode(predicate), None, None)
    )


def test_add_a_new_case(built, tmp_path: Path) -> None:
    new = tmp_path / "new.yaml"
    new.write_text(
        TEXT.replace("minimal-case", "second-case").replace("example.0001", "example.0002"), encoding="utf-8"
    )
    counts = StoreLayout(built.store).manifest()["counts"]
    result = add_record(built, new, reason=False)
    assert not result.replaced
    added = StoreLayout(built.store).manifest()["counts"]
    assert added["case_reports"] == counts["case_reports"] + 1
    assert added["patients"] == counts["patients"] + 1
    assert added["triples"] == len(StoreLayout(built.store).open_read_only())
    assert result.data_file == built.data_dir / "cases" / "second-case.yaml"
    assert result.data_file.read_text(encoding="utf-8") == new.read_text(encoding="utf-8")
    store = StoreLayout(built.store).open_read_only()
    graphs = {g.value for g in store.named_graphs()}
    assert {
        "https://w3id.org/metkg/graph/case/10.9999/example.0001",
        "https://w3id.org/metkg/graph/case/10.9999/example.0002",
    } <= graphs


def test_replace_a_case_by_doi(built, tmp_path: Path) -> None:
    age = "https://w3id.org/metkg/ontology#age"
    assert _objects(built, f"{CASE}/patient/1", age) == ["52"]
    changed = tmp_path / "changed.yaml"
    changed.write_text(TEXT.replace("age: 52", "age: 53"), encoding="utf-8")
    before = len(StoreLayout(built.store).open_read_only())
    result = add_record(built, changed, reason=False)
    assert result.replaced
    assert _objects(built, f"{CASE}/patient/1", age) == ["53"]
    assert result.triples == before


def test_invalid_record_changes_nothing(built, tmp_path: Path) -> None:
    layout = StoreLayout(built.store)
    target = layout.current_build()
    bad = tmp_path / "bad.yaml"
    bad.write_text(TEXT.replace("{marker: ER, status: negative", "{marker: ERR, status: negative"), encoding="utf-8")
    with pytest.raises(RecordValidationError, match="unknown marker 'ERR'"):
        add_record(built, bad, reason=False)
    assert layout.current_build() == target
    assert sorted(p.name for p in (built.data_dir / "cases").iterdir()) == ["minimal-case.yaml"]


def test_record_id_of_another_case_is_refused(built, tmp_path: Path) -> None:
    clash = tmp_path / "clash.yaml"
    clash.write_text(TEXT.replace("example.0001", "example.0003"), encoding="utf-8")
    with pytest.raises(RecordValidationError, match="record id 'minimal-case' is already used by another case report"):
        add_record(built, clash, reason=False)


def _inferred(settings) -> set[pyoxigraph.Quad]:
    graph = pyoxigraph.NamedNode("https://w3id.org/metkg/graph/inferred")
    return set(StoreLayout(settings.store).open_read_only().quads_for_pattern(None, None, None, graph))


@pytest.mark.slow
def test_replacing_a_reasoned_case_leaves_what_a_fresh_build_has(make_settings, tmp_path: Path) -> None:
    """Replacing a case removes every inferred quad about its old resources (derived conversions,
    intervals and delays included) and nothing of the other cases'."""
    import yaml
    from tests.conftest import DATA_DIR

    cases = DATA_DIR / "cases"
    old, other, new = (
        cases / f"{name}.yaml"
        for name in ("cheng-2025-scalp-metastasis", "koh-2024-scalp", "zhang-2024-dcis-bone-marrow")
    )
    replaced = yaml.safe_load(new.read_text(encoding="utf-8"))
    replaced["report"]["doi"] = yaml.safe_load(old.read_text(encoding="utf-8"))["report"]["doi"]
    replacement = tmp_path / "replacement.yaml"
    replacement.write_text(yaml.safe_dump(replaced, sort_keys=False, allow_unicode=True), encoding="utf-8")

    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    for path in (old, other):
        shutil.copy(path, tmp_path / "before" / path.name)
    shutil.copy(other, tmp_path / "after" / other.name)
    shutil.copy(replacement, tmp_path / "after" / replacement.name)

    updated = make_settings(store=tmp_path / "updated", corpus_dir=None)
    build_graph(updated, [tmp_path / "before"], reason=True, shacl=True)
    before = _inferred(updated)
    add_record(updated, replacement, reason=True, shacl=False, write_data=False)
    fresh = make_settings(store=tmp_path / "fresh", corpus_dir=None)
    build_graph(fresh, [tmp_path / "after"], reason=True, shacl=True)
    assert _inferred(updated) == _inferred(fresh)
    assert before != _inferred(fresh)
    updated_counts = StoreLayout(updated.store).manifest()["counts"]
    fresh_counts = StoreLayout(fresh.store).manifest()["counts"]
    counted = ("case_reports", "patients", "lesions", "specimens", "biomarker_results", "interventions")
    for name in (*counted, "triples", "inferred_triples"):
        assert updated_counts[name] == fresh_counts[name], name
    assert updated_counts["triples"] == len(StoreLayout(updated.store).open_read_only())
    assert updated_counts["inferred_triples"] == len(_inferred(updated))
