"""Export: Turtle that other tools load unchanged and that re-parses into an isomorphic graph."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
import rdflib

from metkg.build import build_graph
from metkg.errors import ConfigurationError
from metkg.export import export_graph
from metkg.store import StoreLayout

FIXTURES = Path(__file__).parent / "fixtures" / "records"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from metkg.settings import Settings

    root = tmp_path_factory.mktemp("export")
    shutil.copy(FIXTURES / "minimal.yaml", root / "minimal.yaml")
    settings = Settings(store=root / "store")
    build_graph(settings, [root / "minimal.yaml"], reason=False)
    return settings


def _export(settings, **kwargs) -> bytes:
    buffer = io.BytesIO()
    export_graph(settings, buffer, **kwargs)
    return buffer.getvalue()


def _canonical(triples) -> pyoxigraph.Dataset:
    dataset = pyoxigraph.Dataset(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def test_turtle_round_trip_is_isomorphic(built) -> None:
    """The export loads in rdflib, and re-parsed it is isomorphic (RDFC-1.0) to the store's triples."""
    turtle = _export(built, fmt="turtle")
    assert len(rdflib.Graph().parse(data=turtle, format="turtle")) > 500
    store = StoreLayout(built.store).open_read_only()
    original = _canonical(store.quads_for_pattern(None, None, None, None))
    reparsed = _canonical(pyoxigraph.parse(turtle, format=pyoxigraph.RdfFormat.TURTLE))
    assert len(reparsed) == len(original)
    assert reparsed == original


def test_trig_keeps_named_graphs(built) -> None:
    dataset = rdflib.Dataset()
    dataset.parse(data=_export(built, fmt="trig"), format="trig")
    graphs = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert "https://w3id.org/metkg/graph/case/10.9999/example.0001" in graphs
    assert "https://w3id.org/metkg/graph/ontology" in graphs


def test_jsonld_parses(built) -> None:
    dataset = rdflib.Dataset()
    dataset.parse(data=_export(built, fmt="jsonld", case="minimal-case"), format="json-ld")
    patient = rdflib.URIRef("https://w3id.org/metkg/case/10.9999/example.0001/patient/1")
    patient_type = (patient, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/metkg/ontology#Patient"))
    assert any(len(q) == 4 and q[:3] == patient_type for q in dataset.quads(patient_type))


def test_case_by_doi_or_id(built) -> None:
    by_doi = rdflib.Graph().parse(data=_export(built, fmt="nt", case="10.9999/EXAMPLE.0001"), format="nt")
    by_id = rdflib.Graph().parse(data=_export(built, fmt="nt", case="minimal-case"), format="nt")
    assert len(by_doi) == len(by_id) > 0


def test_unknown_case_and_format(built) -> None:
    with pytest.raises(ConfigurationError, match="no case report with record id or DOI 'nope'"):
        _export(built, case="nope")
    with pytest.raises(ConfigurationError, match="unknown format 'xml'; choose one of"):
        _export(built, fmt="xml")


def test_ontology_alone_loads_in_rdflib(built) -> None:
    graph = rdflib.Graph().parse(data=_export(built, fmt="turtle", ontology_only=True), format="turtle")
    assert (rdflib.URIRef("https://w3id.org/metkg/ontology"), rdflib.RDF.type, rdflib.OWL.Ontology) in graph


METKG = str(Path(sys.executable).with_name("metkg"))


def _metkg(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([METKG, *arguments], capture_output=True, text=True, timeout=120, check=False)


def test_export_to_a_file_is_complete_or_absent(built, tmp_path: Path) -> None:
    """`-o` writes beside the file and renames it when complete: a failed export leaves an earlier
    file as it was, and a missing directory is a clear error."""
    output = tmp_path / "all.ttl"
    done = _metkg("export", "--store", str(built.store), "-o", str(output))
    assert done.returncode == 0, done.stderr
    assert "wrote" in done.stderr and output.stat().st_size > 0
    assert output.stat().st_mode & 0o777 == 0o666 & ~_umask()
    earlier = output.read_bytes()

    failed = _metkg("export", "--store", str(tmp_path / "no-store"), "-o", str(output))
    assert failed.returncode == 1 and "no graph store" in failed.stderr
    assert output.read_bytes() == earlier
    assert [p.name for p in tmp_path.iterdir()] == ["all.ttl"], "no temporary file is left"

    missing = _metkg("export", "--store", str(built.store), "-o", str(tmp_path / "no-dir" / "all.ttl"))
    assert missing.returncode == 2, missing.stderr
    assert "Traceback" not in missing.stderr and "check that its directory exists" in missing.stderr

    directory = _metkg("export", "--store", str(built.store), "-o", str(tmp_path))
    assert directory.returncode == 2 and "is a directory" in directory.stderr, directory.stderr


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
