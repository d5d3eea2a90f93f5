"""SHACL validation of the mapped graph against ontology/shapes.ttl (pySHACL)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph
import rdflib
from pyshacl import validate

from metkg.errors import BuildError

__all__ = ["ShaclReport", "shacl_validate"]


class ShaclReport:
    """The outcome of one SHACL run."""

    def __init__(self, conforms: bool, text: str, violations: int):
        self.conforms = conforms
        self.text = text
        self.violations = violations


def _to_rdflib(quads: Iterable[pyoxigraph.Quad]) -> rdflib.Graph:
    triples = (pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads)
    data = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    graph.parse(data=data, format="nt")
    return graph


def shacl_validate(quads: Iterable[pyoxigraph.Quad], ontology: rdflib.Graph, shapes_path: Path) -> ShaclReport:
    """Validate data quads (as one graph) with the shapes, using the ontology for class hierarchy."""
    if not shapes_path.is_file():
        raise BuildError(f"SHACL shapes not found at {str(shapes_path)!r}")
    shapes = rdflib.Graph().parse(shapes_path, format="turtle")
    data = _to_rdflib(quads)
    conforms, results_graph, text = validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True, allow_warnings=True
    )
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    violations = sum(1 for _ in results_graph.subjects(sh.resultSeverity, sh.Violation))
    return ShaclReport(bool(conforms), str(text), violations)
