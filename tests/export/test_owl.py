"""The OWL export as ontology editors load it: RDF/XML with one ``owl:Ontology`` header, which
owlready2 reads and HermiT classifies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from metkg.export.owl import ONTOLOGY_IRI
from metkg.reasoning.owl import find_java
from metkg.settings import Settings

pytestmark = pytest.mark.slow

METKG_CLI = str(Path(sys.executable).with_name("metkg"))
TERMS = ONTOLOGY_IRI + "#"


@pytest.fixture(scope="module")
def owl_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``metkg export --ontology --format owl -o FILE``, as a user runs it."""
    output = tmp_path_factory.mktemp("owl") / "metkg.owl"
    done = subprocess.run(
        [METKG_CLI, "export", "--ontology", "--format", "owl", "-o", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return output


def test_one_ontology_header_with_its_version_iri(owl_file: Path) -> None:
    graph = rdflib.Graph().parse(owl_file, format="xml")
    headers = set(graph.subjects(rdflib.RDF.type, rdflib.OWL.Ontology))
    assert headers == {rdflib.URIRef(ONTOLOGY_IRI)}
    assert graph.value(rdflib.URIRef(ONTOLOGY_IRI), rdflib.OWL.versionIRI) is not None


def test_turtle_stays_the_default_and_has_one_header_too(tmp_path: Path) -> None:
    output = tmp_path / "metkg.ttl"
    done = subprocess.run([METKG_CLI, "export", "--ontology", "-o", str(output)], capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    graph = rdflib.Graph().parse(output, format="turtle")
    assert set(graph.subjects(rdflib.RDF.type, rdflib.OWL.Ontology)) == {rdflib.URIRef(ONTOLOGY_IRI)}


def test_owlready2_loads_it_and_hermit_classifies_it(owl_file: Path) -> None:
    import owlready2

    owlready2.JAVA_EXE = find_java(Settings(corpus_dir=None))
    world = owlready2.World()
    try:
        ontology = world.get_ontology(owl_file.as_uri()).load()
        assert ontology.base_iri == TERMS, "owlready2 names the ontology after its one header"
        scalp = world[TERMS + "ScalpMetastasis"]
        cutaneous = world[TERMS + "CutaneousMetastasis"]
        assert scalp is not None and cutaneous is not None
        with ontology:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        assert list(world.inconsistent_classes()) == []
        assert cutaneous in scalp.ancestors(), "HermiT classifies a scalp metastasis as cutaneous"
    finally:
        world.close()
