"""Provenance: a reviewed record names its reviewer, time and draft, and the graph says so in PROV-O."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from metkg.build import build_graph
from metkg.cli import app
from metkg.errors import RecordValidationError
from metkg.records.loader import load_record, parse_record_text
from metkg.records.provenance import stamp_review
from metkg.store import StoreLayout

FIXTURE = Path(__file__).parents[1] / "fixtures" / "records" / "minimal.yaml"
runner = CliRunner()

REVIEWED = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX metkg: <https://w3id.org/metkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?doi ?curator ?when ?made WHERE {
  ?case metkg:doi ?doi ; prov:wasGeneratedBy ?activity ; prov:generatedAtTime ?when .
  ?activity a ?made ; prov:wasAssociatedWith ?agent .
  ?agent rdfs:label ?curator .
  FILTER(?made IN (metkg:Review, metkg:Extraction))
}
"""


def _draft(tmp_path: Path, doi: str = "10.9999/example.0002", record_id: str = "second-case") -> Path:
    data = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    data["id"] = record_id
    data["status"] = "machine-extracted"
    data["report"]["doi"] = doi
    data["provenance"] = {"extracted_by": "metkg 0.1.0", "extracted_at": "2026-12-01T09:00:00+00:00"}
    path = tmp_path / "second-case-draft.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def built(make_settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    data = tmp_path / "data"
    (data / "cases").mkdir(parents=True)
    shutil.copy(FIXTURE, data / "cases" / "minimal-case.yaml")
    settings = make_settings(data_dir=data)
    build_graph(settings, reason=False)
    monkeypatch.setenv("METKG_STORE", str(settings.store))
    monkeypatch.setenv("METKG_DATA_DIR", str(data))
    return settings


def test_add_with_a_reviewer_publishes_who_reviewed_what_and_when(built, tmp_path: Path) -> None:
    draft = _draft(tmp_path)
    result = runner.invoke(app, ["add", str(draft), "--no-reason", "--reviewer", "Ada Lovelace"])
    assert result.exit_code == 0, result.output
    stamped = load_record(draft).record
    assert stamped.status == "curated"
    assert stamped.provenance is not None
    assert stamped.provenance.reviewed_by == "Ada Lovelace"
    assert stamped.provenance.draft == "second-case-draft.yaml"
    assert stamped.provenance.extracted_by == "metkg 0.1.0"
    saved = load_record(built.data_dir / "cases" / "second-case.yaml").record
    assert saved.provenance == stamped.provenance

    store = StoreLayout(built.store).open_read_only()
    rows = {
        (r["doi"].value, r["curator"].value, r["made"].value.rsplit("#")[-1])
        for r in store.query(REVIEWED, use_default_graph_as_union=True)
    }
    assert rows == {("10.9999/example.0002", "Ada Lovelace", "Review")}
    ask = "ASK { ?c <http://www.w3.org/ns/prov#wasDerivedFrom> ?d . ?d a <http://www.w3.org/ns/prov#Entity> }"
    assert store.query(ask, use_default_graph_as_union=True)


def test_a_draft_is_attributed_to_the_extractor_not_a_person(built, tmp_path: Path) -> None:
    draft = _draft(tmp_path)
    result = runner.invoke(app, ["add", str(draft), "--no-reason", "--no-write-data"])
    assert result.exit_code == 0, result.output
    store = StoreLayout(built.store).open_read_only()
    rows = {
        (r["curator"].value, r["made"].value.rsplit("#")[-1])
        for r in store.query(REVIEWED, use_default_graph_as_union=True)
    }
    assert rows == {("metkg 0.1.0", "Extraction")}


def test_a_failed_add_leaves_the_record_file_as_it_was(built, tmp_path: Path) -> None:
    draft = _draft(tmp_path, doi="not a doi")
    before = draft.read_text(encoding="utf-8")
    result = runner.invoke(app, ["add", str(draft), "--no-reason", "--reviewer", "Ada Lovelace"])
    assert result.exit_code == 1
    assert draft.read_text(encoding="utf-8") == before


def test_a_review_needs_its_time() -> None:
    text = FIXTURE.read_text(encoding="utf-8") + "provenance:\n  reviewed_by: Ada Lovelace\n"
    record, _, issues = parse_record_text(text, "x.yaml")
    assert record is None
    assert any("reviewed_at" in issue.message for issue in issues)


def test_stamping_keeps_the_curators_text() -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    stamped = stamp_review("# checked against the PDF\n" + text, "Grace Hopper")
    assert stamped.startswith("# checked against the PDF\n")
    assert stamped.count("\nstatus:") + stamped.startswith("status:") == 1
    body = [line for line in stamped.splitlines() if not line.startswith(("status:", "provenance:", "  reviewed"))]
    assert "\n".join(body[1:]) + "\n" == text.replace("status: curated\n", "")


def test_stamping_refuses_what_is_not_a_record() -> None:
    with pytest.raises(RecordValidationError):
        stamp_review("- just\n- a list\n", "Grace Hopper")
