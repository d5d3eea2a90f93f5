"""Export: Turtle that other tools load unchanged and that re-parses into an isomorphic graph."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
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


def _read_fifo_during(fifo: Path, run: Callable[[], subprocess.CompletedProcess[str]]) -> tuple[str, bytes]:
    """Run ``run`` while a thread reads ``fifo`` to its end: ``run``'s stderr and the bytes read.

    The reader holds a writing end of its own until ``run`` is over, so it never waits forever
    on a FIFO that nothing else opened (or that was replaced by a file)."""
    reading = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    holding = os.open(fifo, os.O_WRONLY)
    os.set_blocking(reading, True)
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.extend(iter(lambda: os.read(reading, 1 << 16), b"")))
    reader.start()
    try:
        done = run()
    finally:
        os.close(holding)
        reader.join(30)
        os.close(reading)
    assert done.returncode == 0, done.stderr
    return done.stderr, b"".join(chunks)


def test_export_to_a_fifo_writes_into_it_and_leaves_it_a_fifo(built, tmp_path: Path) -> None:
    """`-o FIFO` wrote a temporary file and renamed it over the FIFO: its reader got nothing and
    the FIFO was gone, a regular file in its place."""
    fifo = tmp_path / "fifo.ttl"
    os.mkfifo(fifo)
    stderr, received = _read_fifo_during(fifo, lambda: _metkg("export", "--store", str(built.store), "-o", str(fifo)))
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced"
    assert received == _export(built), f"the FIFO's reader got {len(received):,} bytes"
    assert f"to {fifo}" in stderr
    assert [p.name for p in tmp_path.iterdir()] == ["fifo.ttl"], "no temporary file is left"


def test_export_through_a_symbolic_link_keeps_the_link(built, tmp_path: Path) -> None:
    """`-o LINK` renamed a regular file over the link: a link to /dev/null became a file, and a link
    to an earlier export left that file as it was."""
    to_null = tmp_path / "null.ttl"
    to_null.symlink_to(os.devnull)
    earlier = tmp_path / "exports" / "all.ttl"
    earlier.parent.mkdir()
    earlier.write_bytes(b"# an earlier export\n")
    to_file = tmp_path / "all.ttl"
    to_file.symlink_to(earlier)
    for link in (to_null, to_file):
        done = _metkg("export", "--store", str(built.store), "-o", str(link))
        assert done.returncode == 0, done.stderr
        assert link.is_symlink(), f"{link.name} was replaced"
    assert Path(os.devnull).is_char_device()
    assert earlier.read_bytes() == _export(built), "the file the link names holds the export"
    assert sorted(p.name for p in earlier.parent.iterdir()) == ["all.ttl"], "no temporary file is left"
