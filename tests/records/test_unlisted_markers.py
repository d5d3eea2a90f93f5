"""A marker the vocabulary lacks: kept in a machine-extracted draft, flagged for the curator,
refused in a curated record, and built into the graph under ``metkg:UnlistedMarker``."""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.errors import RecordValidationError
from metkg.mapping import map_record
from metkg.records.loader import LoadedRecord, parse_record_text
from metkg.records.models import UNLISTED_MARKER_NOTE
from metkg.records.validate import validate_records
from metkg.settings import PROJECT_ROOT
from metkg.shacl import shacl_validate
from metkg.terminology import load_ontology_graph, load_terminology
from metkg.vocab import METKG

FIXTURE = Path(__file__).parents[1] / "fixtures" / "records" / "minimal.yaml"
ONTOLOGY = PROJECT_ROOT / "ontology"
_FLAGGED = (
    f'{{marker: adipophilin, status: positive, note: "{UNLISTED_MARKER_NOTE}: adipophilin", '
    'evidence: ["adipophilin (+)"]}'
)


def _record(status: str, result: str = _FLAGGED) -> LoadedRecord:
    text = FIXTURE.read_text(encoding="utf-8")
    text = text.replace('{marker: HER2, score: "0", evidence: ["HER2 (0)"]}', result, 1)
    text = text.replace("id: minimal-case\n", f"id: minimal-case\nstatus: {status}\n", 1)
    record, lines, issues = parse_record_text(text, "case.yaml")
    assert not issues and record is not None, issues
    return LoadedRecord(record, Path("case.yaml"), lines)


@pytest.fixture(scope="module")
def terms():
    return load_terminology(ONTOLOGY)


def test_a_draft_keeps_a_flagged_marker_the_vocabulary_lacks(terms) -> None:
    validate_records([_record("machine-extracted")], terms, None)


def test_a_curated_record_must_resolve_it(terms) -> None:
    with pytest.raises(RecordValidationError) as excinfo:
        validate_records([_record("curated")], terms, None)
    [issue] = excinfo.value.issues
    assert issue.field.endswith("results[1].marker") and "unknown marker 'adipophilin'" in issue.message


def test_a_draft_marker_without_the_flag_is_still_an_error(terms) -> None:
    unflagged = '{marker: adipophilin, status: positive, evidence: ["adipophilin (+)"]}'
    with pytest.raises(RecordValidationError) as excinfo:
        validate_records([_record("machine-extracted", unflagged)], terms, None)
    assert "unknown marker 'adipophilin'" in excinfo.value.issues[0].message


def test_the_flagged_result_builds_and_conforms_to_the_shapes(terms) -> None:
    quads = map_record(_record("machine-extracted").record, terms, "https://example.org/metkg/")
    markers = {q.object.value for q in quads if q.predicate.value == METKG.marker}
    assert METKG.UnlistedMarker in markers
    labels = {q.object.value for q in quads if q.predicate.value.endswith("#label")}
    assert "adipophilin positive" in labels, "the result's label names the marker as written"
    report = shacl_validate(quads, load_ontology_graph(ONTOLOGY), ONTOLOGY / "shapes.ttl")
    assert report.conforms, report.text
