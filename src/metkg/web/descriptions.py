"""Descriptions of the service for machines: SPARQL 1.1 Service Description and VoID.

Both state what a SPARQL client needs to know before its first query: the default graph is
the union of every case report's graph, the ontology graph and the inferred graph, and each
of those can also be queried by name with ``GRAPH``.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from metkg.sparql.negotiation import DATASET_FORMATS, GRAPH_FORMATS, SOLUTION_FORMATS
from metkg.vocab import DCTERMS, METKG, RDF, SD, VOID, XSD
from metkg.web.dataset import Snapshot

__all__ = ["DEFAULT_GRAPH_NOTE", "service_description", "void_description"]

DEFAULT_GRAPH_NOTE = (
    "The default graph is the union of all named graphs: one graph per case report "
    "({base}graph/case/{{doi}}), the ontology ({base}graph/ontology) and the inferred graph "
    "({base}graph/inferred: reasoner output and derived facts such as receptor conversions). "
    "Use GRAPH, FROM / FROM NAMED, or the default-graph-uri / named-graph-uri parameters to "
    "query single graphs."
)
_FORMAT_IRIS = {
    "json": "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    "xml": "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    "csv": "http://www.w3.org/ns/formats/SPARQL_Results_CSV",
    "tsv": "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    "turtle": "http://www.w3.org/ns/formats/Turtle",
    "ntriples": "http://www.w3.org/ns/formats/N-Triples",
    "jsonld": "http://www.w3.org/ns/formats/JSON-LD",
    "rdfxml": "http://www.w3.org/ns/formats/RDF_XML",
    "trig": "http://www.w3.org/ns/formats/TriG",
    "nquads": "http://www.w3.org/ns/formats/N-Quads",
}
#: More named graphs than this are counted in the description, not listed one by one.
MAX_LISTED_GRAPHS = 1000


def _n(iri: str) -> NamedNode:
    return NamedNode(iri)


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=_n(XSD.integer))


def default_graph_note(base_iri: str) -> str:
    return DEFAULT_GRAPH_NOTE.format(base=base_iri)


def _named_graphs(snapshot: Snapshot) -> list[NamedNode]:
    graphs: list[NamedNode] = []
    for graph in snapshot.store.named_graphs():
        if isinstance(graph, NamedNode):
            graphs.append(graph)
        if len(graphs) > MAX_LISTED_GRAPHS:
            break
    return sorted(graphs, key=lambda g: g.value)


def service_description(endpoint: str, snapshot: Snapshot) -> list[Triple]:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``."""
    service, dataset, default = _n(endpoint), BlankNode(), BlankNode()
    triples = [
        Triple(service, _n(RDF.type), _n(SD.Service)),
        Triple(service, _n(SD.endpoint), service),
        Triple(service, _n(SD.supportedLanguage), _n(SD.SPARQL11Query)),
        Triple(service, _n(SD.feature), _n(SD.UnionDefaultGraph)),
        Triple(service, _n(DCTERMS.description), Literal(default_graph_note(snapshot.base_iri))),
        Triple(service, _n(SD.defaultDataset), dataset),
        Triple(dataset, _n(RDF.type), _n(SD.Dataset)),
        Triple(dataset, _n(SD.defaultGraph), default),
        Triple(default, _n(RDF.type), _n(SD.Graph)),
        Triple(default, _n(DCTERMS.description), Literal("union of every named graph")),
    ]
    for fmt in (*SOLUTION_FORMATS, *GRAPH_FORMATS):
        if fmt.name in _FORMAT_IRIS:
            triples.append(Triple(service, _n(SD.resultFormat), _n(_FORMAT_IRIS[fmt.name])))
    if snapshot.triples is not None:
        triples.append(Triple(default, _n(VOID.triples), _integer(snapshot.triples)))
    graphs = _named_graphs(snapshot)
    if len(graphs) <= MAX_LISTED_GRAPHS:
        triples += _graph_entries(dataset, graphs)
    return triples


def _graph_entries(dataset: BlankNode, graphs: Iterable[NamedNode]) -> list[Triple]:
    triples = []
    for graph in graphs:
        entry = BlankNode()
        triples += [
            Triple(dataset, _n(SD.namedGraph), entry),
            Triple(entry, _n(RDF.type), _n(SD.NamedGraph)),
            Triple(entry, _n(SD.name), graph),
        ]
    return triples


def void_description(site: str, snapshot: Snapshot) -> list[Triple]:
    """The VoID description of the dataset served at ``site`` (the server's root URL)."""
    dataset = _n(f"{site}.well-known/void#metkg")
    triples = [
        Triple(dataset, _n(RDF.type), _n(VOID.Dataset)),
        Triple(
            dataset,
            _n(DCTERMS.title),
            Literal("metkg: a knowledge graph of rare metastasis case reports", language="en"),
        ),
        Triple(dataset, _n(DCTERMS.description), Literal(default_graph_note(snapshot.base_iri), language="en")),
        Triple(dataset, _n(VOID.sparqlEndpoint), _n(f"{site}sparql")),
        Triple(dataset, _n(VOID.uriSpace), Literal(snapshot.base_iri)),
        Triple(dataset, _n(VOID.vocabulary), _n(str(METKG))),
        Triple(dataset, _n(VOID.rootResource), _n(f"{site}ontology")),
        Triple(dataset, _n(VOID.feature), _n(_FORMAT_IRIS["turtle"])),
    ]
    for fmt in DATASET_FORMATS:
        triples.append(Triple(dataset, _n(VOID.dataDump), _n(f"{site}export?format={fmt.name}")))
    if snapshot.triples is not None:
        triples.append(Triple(dataset, _n(VOID.triples), _integer(snapshot.triples)))
    cases = snapshot.manifest.get("counts", {}).get("case_reports")
    if cases is not None:
        triples.append(Triple(dataset, _n(DCTERMS.description), Literal(f"{cases} case reports", language="en")))
    for name in ("ontology", "inferred"):
        subset = _n(f"{snapshot.base_iri}graph/{name}")
        triples += [Triple(dataset, _n(VOID.subset), subset), Triple(subset, _n(RDF.type), _n(VOID.Dataset))]
    return triples
