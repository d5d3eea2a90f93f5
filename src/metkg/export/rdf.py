"""Export the graph, or a part of it, in the standard RDF formats, streaming from the store.

``owl`` is RDF/XML with one ``owl:Ontology`` header (:mod:`metkg.export.owl`), the form OWL
tools such as Protégé and owlready2 load.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pyoxigraph
from pyoxigraph import NamedNode, Quad, RdfFormat, Triple

from metkg.build import ontology_quads
from metkg.errors import ConfigurationError
from metkg.export.owl import one_ontology_header, ontology_headers
from metkg.iris import inferred_graph, ontology_graph
from metkg.settings import Settings
from metkg.store import StoreLayout
from metkg.vocab import OWL, PREFIXES, RDF, sparql_prefixes

__all__ = ["FORMATS", "CaseReport", "case_graph", "case_reports", "export_graph", "iter_quads"]

#: Format name -> (pyoxigraph format, keeps named graphs).
FORMATS: dict[str, tuple[RdfFormat, bool]] = {
    "turtle": (RdfFormat.TURTLE, False),
    "ttl": (RdfFormat.TURTLE, False),
    "ntriples": (RdfFormat.N_TRIPLES, False),
    "nt": (RdfFormat.N_TRIPLES, False),
    "rdfxml": (RdfFormat.RDF_XML, False),
    "owl": (RdfFormat.RDF_XML, False),
    "jsonld": (RdfFormat.JSON_LD, True),
    "trig": (RdfFormat.TRIG, True),
    "nquads": (RdfFormat.N_QUADS, True),
    "nq": (RdfFormat.N_QUADS, True),
}


_TYPE, _OWL_ONTOLOGY = NamedNode(RDF.type), NamedNode(OWL.Ontology)


def case_graph(store: pyoxigraph.Store, case: str) -> NamedNode:
    """The named graph of a case report given its record id or DOI."""
    query = sparql_prefixes() + (
        "SELECT ?g ?case WHERE { GRAPH ?g { ?c a metkg:CaseReport . "
        "{ ?c metkg:doi ?v } UNION { ?c dcterms:identifier ?v } FILTER(LCASE(STR(?v)) = LCASE(?case)) } } LIMIT 1"
    )
    rows = list(store.query(query, substitutions={pyoxigraph.Variable("case"): pyoxigraph.Literal(case.strip())}))
    if not rows:
        raise ConfigurationError(
            f"no case report with record id or DOI {case!r} in the store; list them with `metkg cases`"
        )
    return rows[0]["g"]


@dataclass(frozen=True)
class CaseReport:
    """One case report in the store, as `metkg cases` lists it."""

    record_id: str
    doi: str
    patients: int
    title: str


_CASE_REPORTS = """
SELECT ?id ?doi (COUNT(DISTINCT ?patient) AS ?patients) (SAMPLE(?name) AS ?title) WHERE {
  GRAPH ?g {
    ?c a metkg:CaseReport ; metkg:doi ?doi .
    OPTIONAL { ?c dcterms:identifier ?id }
    OPTIONAL { ?c dcterms:title ?name }
    OPTIONAL { ?c metkg:describes ?patient }
  }
} GROUP BY ?id ?doi ORDER BY ?doi
"""


def case_reports(store: pyoxigraph.Store) -> list[CaseReport]:
    """Every case report in the store with its record id, DOI, number of patients and title, by DOI."""
    rows = store.query(sparql_prefixes() + _CASE_REPORTS)
    return [
        CaseReport(
            row["id"].value if row["id"] else "",
            row["doi"].value,
            int(row["patients"].value),
            row["title"].value if row["title"] else "",
        )
        for row in rows  # type: ignore[union-attr]
    ]


def iter_quads(store: pyoxigraph.Store, graphs: list[NamedNode] | None) -> Iterator[Quad]:
    """Every quad of the given graphs (all graphs when ``None``)."""
    if graphs is None:
        yield from store.quads_for_pattern(None, None, None, None)
        return
    for graph in graphs:
        yield from store.quads_for_pattern(None, None, None, graph)


def export_graph(
    settings: Settings,
    output: BinaryIO,
    *,
    fmt: str = "turtle",
    case: str | None = None,
    ontology_only: bool = False,
    include_inferred: bool = True,
) -> int:
    """Write the dataset (or one case, or the ontology) to ``output``; return the statement count."""
    try:
        rdf_format, keeps_graphs = FORMATS[fmt.lower()]
    except KeyError:
        raise ConfigurationError(f"unknown format {fmt!r}; choose one of {', '.join(sorted(FORMATS))}") from None
    if ontology_only:
        quads: Iterable[Quad] = ontology_quads(settings)
        headers = ontology_headers(q.triple for q in quads)  # type: ignore[attr-defined]
    else:
        store = StoreLayout(settings.store).open_read_only()
        headers = [q.subject for q in store.quads_for_pattern(None, _TYPE, _OWL_ONTOLOGY, None)]
        quads = iter_quads(store, _graphs(settings, store, case, include_inferred))
    statements: Iterable[Quad | Triple] = quads if keeps_graphs else (q.triple for q in quads)
    if fmt.lower() == "owl":
        statements = one_ontology_header(statements, headers)  # type: ignore[arg-type]
    count = 0

    def counted() -> Iterator[Quad | Triple]:
        nonlocal count
        for statement in statements:
            count += 1
            yield statement

    pyoxigraph.serialize(counted(), output, format=rdf_format, prefixes=PREFIXES)
    return count


def _graphs(
    settings: Settings, store: pyoxigraph.Store, case: str | None, include_inferred: bool
) -> list[NamedNode] | None:
    """The graphs to export: one case's with the ontology (and the inferred graph), or all (``None``)."""
    if case is not None:
        graphs = [case_graph(store, case), NamedNode(ontology_graph(settings.base_iri))]
        if include_inferred:
            graphs.append(NamedNode(inferred_graph(settings.base_iri)))
        return graphs
    if not include_inferred:
        return [g for g in store.named_graphs() if g.value != inferred_graph(settings.base_iri)]
    return None
