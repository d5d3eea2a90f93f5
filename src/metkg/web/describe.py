"""Resource descriptions for linked data: a resource's own statements, labels and incoming links.

All lookups are index reads on the store (``quads_for_pattern``), never SPARQL, so a page
costs a few milliseconds however large the graph is; lists that can grow with the data
(incoming links, a named graph's statements) are cut at a limit.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store, Triple

from metkg.vocab import DCTERMS, METKG, OWL, RDF, RDFS, SKOS

__all__ = ["Description", "describe", "graph_statements", "is_named_graph", "label_of", "ontology_terms"]

_LABELS = (RDFS.label, SKOS.prefLabel, DCTERMS.title)
_MAX_CLOSURE = 500


def label_of(store: Store, term: NamedNode | BlankNode) -> str | None:
    """The resource's label (English or untagged preferred), or ``None``."""
    for predicate in _LABELS:
        labels = [q.object for q in store.quads_for_pattern(term, NamedNode(predicate), None, None)]
        literals = [x for x in labels if isinstance(x, Literal)]
        if literals:
            preferred = [x for x in literals if x.language in (None, "en")]
            return (preferred or literals)[0].value
    return None


def _closure(store: Store, quads: list[Quad]) -> Iterator[Triple]:
    """The statements, then those of blank nodes they reach (OWL restrictions, lists)."""
    seen: set[Triple] = set()
    todo = list(quads)
    while todo and len(seen) < _MAX_CLOSURE:
        quad = todo.pop(0)
        triple = Triple(quad.subject, quad.predicate, quad.object)
        if triple in seen:
            continue
        seen.add(triple)
        yield triple
        if isinstance(quad.object, BlankNode):
            todo.extend(store.quads_for_pattern(quad.object, None, None, None))


def is_named_graph(store: Store, iri: str) -> bool:
    return store.contains_named_graph(NamedNode(iri))


@dataclass(frozen=True)
class Description:
    """A resource: its statements as subject (all graphs) and a sample of statements pointing to it."""

    iri: str
    triples: list[Triple]
    incoming: list[Quad]
    graphs: list[str]

    @property
    def exists(self) -> bool:
        return bool(self.triples)


def describe(store: Store, iri: str, incoming_limit: int = 200) -> Description:
    """Everything the store says about ``iri`` as subject, with blank-node closure."""
    node = NamedNode(iri)
    quads = list(store.quads_for_pattern(node, None, None, None))
    graphs = sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, NamedNode)})
    triples = sorted(_closure(store, quads), key=_triple_order)
    incoming = list(itertools.islice(store.quads_for_pattern(None, None, node, None), incoming_limit))
    return Description(iri, triples, incoming, graphs)


def _triple_order(triple: Triple) -> tuple[int, str, str]:
    first = 0 if triple.predicate.value == RDF.type else 1 if triple.predicate.value in _LABELS else 2
    return first, triple.predicate.value, str(triple.object)


def graph_statements(store: Store, graph: str, limit: int | None = None) -> Iterator[Triple]:
    """The statements of one named graph (the first ``limit`` of them)."""
    quads = store.quads_for_pattern(None, None, None, NamedNode(graph))
    for quad in itertools.islice(quads, limit):
        yield Triple(quad.subject, quad.predicate, quad.object)


@dataclass(frozen=True)
class OntologyTerm:
    """One term of the ontology for the documentation page."""

    local_name: str
    iri: str
    kind: str
    label: str | None
    definition: str | None
    key: str | None
    parents: list[str]


_KINDS = (
    (OWL.Class, "class"),
    (OWL.ObjectProperty, "object property"),
    (OWL.DatatypeProperty, "datatype property"),
    (OWL.AnnotationProperty, "annotation property"),
    (OWL.NamedIndividual, "individual"),
)


def _literal(store: Store, subject: NamedNode, predicate: str, graph: NamedNode) -> str | None:
    for quad in store.quads_for_pattern(subject, NamedNode(predicate), None, graph):
        if isinstance(quad.object, Literal):
            return quad.object.value
    return None


def ontology_terms(store: Store, graph: NamedNode) -> list[OntologyTerm]:
    """Every term of the metkg namespace declared in the ontology graph, sorted by kind and name."""
    terms: dict[str, OntologyTerm] = {}
    for rank, (cls, kind) in enumerate(_KINDS):
        for quad in store.quads_for_pattern(None, NamedNode(RDF.type), NamedNode(cls), graph):
            subject = quad.subject
            if not isinstance(subject, NamedNode) or not subject.value.startswith(str(METKG)) or subject.value in terms:
                continue
            parents = [
                q.object.value
                for q in store.quads_for_pattern(subject, NamedNode(RDFS.subClassOf), None, graph)
                if isinstance(q.object, NamedNode)
            ]
            terms[subject.value] = OntologyTerm(
                local_name=subject.value[len(str(METKG)) :],
                iri=subject.value,
                kind=f"{rank}{kind}",
                label=_literal(store, subject, RDFS.label, graph),
                definition=_literal(store, subject, SKOS.definition, graph),
                key=_literal(store, subject, METKG.key, graph),
                parents=sorted(parents),
            )
    ordered = sorted(terms.values(), key=lambda t: (t.kind, t.local_name.lower()))
    return [OntologyTerm(t.local_name, t.iri, t.kind[1:], t.label, t.definition, t.key, t.parents) for t in ordered]
