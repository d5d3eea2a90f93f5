"""The Phenopacket export: every file parses into the ``phenopackets`` package's Phenopacket
message (no unknown fields), holds what the record states, and carries no invented code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import phenopackets
import pytest
import rdflib
from google.protobuf import json_format

from metkg.settings import PROJECT_ROOT
from metkg.terminology import load_ontology_graph
from metkg.vocab import SKOS

METKG_CLI = str(Path(sys.executable).with_name("metkg"))
DCIS = "zhang-2024-dcis-bone-marrow"
#: Codes the exporter states itself (tumour progression, taxonomy, unit), not taken from the ontology.
FIXED = {"NCIT:C8509", "NCIT:C3261", "NCIT:C4798", "NCBITaxon:9606", "UCUM:%"}


def _export(output: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [METKG_CLI, "export", "--format", "phenopacket", "-o", str(output), *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("phenopackets")
    done = _export(output)
    assert done.returncode == 0, done.stderr
    assert "wrote 16 Phenopackets" in done.stderr
    return output


def _document(exported: Path, name: str) -> dict:
    return json.loads((exported / f"{name}.json").read_text(encoding="utf-8"))


def test_one_file_per_patient_each_a_valid_phenopacket(exported: Path) -> None:
    files = sorted(exported.glob("*.json"))
    assert len(files) == 16  # 15 case reports, 16 patients
    assert {f.name for f in files} >= {f"{DCIS}-patient-1.json", "yu-2024-scalp-patient-2.json"}
    for path in files:
        message = json_format.Parse(path.read_text(encoding="utf-8"), phenopackets.Phenopacket())
        assert message.id == path.stem
        assert message.meta_data.phenopacket_schema_version == "2.0"
        assert message.meta_data.external_references[0].id.startswith("DOI:10.")


def test_the_dcis_patient_holds_what_the_record_states(exported: Path) -> None:
    packet = json_format.Parse((exported / f"{DCIS}-patient-1.json").read_text(), phenopackets.Phenopacket())
    assert packet.subject.sex == phenopackets.Sex.Value("FEMALE")
    assert packet.subject.time_at_last_encounter.age.iso8601duration == "P47Y"
    assert [d.term.id for d in packet.diseases] == ["NCIT:C2924"]
    assert packet.diseases[0].onset.interval.start.ToJsonString() == "2013-01-01T00:00:00Z"
    marrow = [
        b for b in packet.biosamples if b.sampled_tissue.id.startswith("UBERON") and "marrow" in b.sampled_tissue.label
    ]
    assert marrow and all(b.tumor_progression.id == "NCIT:C3261" for b in marrow)
    primary = next(b for b in packet.biosamples if b.tumor_progression.id == "NCIT:C8509")
    er = [m.value for m in primary.measurements if m.assay.label == "estrogen receptor"]
    assert {v.ontology_class.label for v in er if v.HasField("ontology_class")} == {"positive"}
    assert {v.quantity.value for v in er if v.HasField("quantity")} == {90.0}
    radiation = [a.radiation_therapy for a in packet.medical_actions if a.HasField("radiation_therapy")]
    assert (48, 25) in {(r.dosage, r.fractions) for r in radiation}
    assert packet.meta_data.external_references[0].reference == "https://doi.org/10.3389/fonc.2024.1473896"
    prefixes = {r.namespace_prefix for r in packet.meta_data.resources}
    assert {"NCIT", "UBERON", "NCBITaxon", "metkg"} <= prefixes


def test_treatments_name_their_agents(exported: Path) -> None:
    packet = _document(exported, "cheng-2025-scalp-metastasis-patient-1")
    agents = [a["treatment"]["agent"] for a in packet.get("medicalActions", []) if "treatment" in a]
    assert agents, "the scalp report's systemic therapies carry their drugs"
    assert all(re.match(r"^(NCIT|CHEBI|metkg):\S+$", agent["id"]) for agent in agents)


def _ids(node: object) -> set[str]:
    if isinstance(node, dict):
        own = {node["id"]} if "label" in node and isinstance(node.get("id"), str) else set()
        return own.union(*(_ids(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_ids(v) for v in node))
    return set()


def test_no_code_is_invented(exported: Path) -> None:
    """Every external code is one the ontology states as an exact match; the rest stay metkg: ids."""
    graph = load_ontology_graph(PROJECT_ROOT / "ontology")
    verified = set()
    for match in graph.objects(None, rdflib.URIRef(SKOS.exactMatch)):
        found = re.match(r"^http://purl\.obolibrary\.org/obo/([A-Za-z]+)_(\w+)$", str(match))
        if found:
            verified.add(f"{found[1].upper()}:{found[2]}")
    for path in exported.glob("*.json"):
        ids = _ids(json.loads(path.read_text()))
        external = {i for i in ids if not i.startswith("metkg:") and i not in FIXED and ":" in i}
        external -= {i for i in ids if i.startswith(("DOI:", "PMID:"))}
        external -= {json.loads(path.read_text())["id"]}
        assert external <= verified, f"{path.name}: codes not verified in the ontology: {external - verified}"


def test_case_option_writes_only_that_case(tmp_path: Path) -> None:
    done = _export(tmp_path, "--case", "10.3389/FONC.2024.1473896")
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == [f"{DCIS}-patient-1.json"]
    unknown = _export(tmp_path / "none", "--case", "no-such-case")
    assert unknown.returncode != 0 and "no case record with id or DOI 'no-such-case'" in unknown.stderr
