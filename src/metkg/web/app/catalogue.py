"""The ontology as the pages need it: labels, synonyms, codes, hierarchy and categories of its terms.

Read once per published build from the build's own ontology graph (so pages always name terms
the way the served data does), then answered from memory.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store

from metkg.terminology import CATEGORIES
from metkg.vocab import METKG, OWL, RDF, RDFS, SKOS

__all__ = ["Catalogue", "CatalogueTerm", "local_name", "read_catalogue"]

#: The external mapping predicates, strongest first, and how a page names them.
MATCHES = {
    SKOS.exactMatch: "exact",
    SKOS.closeMatch: "close",
    SKOS.broadMatch: "broader",
    SKOS.narrowMatch: "narrower",
    SKOS.relatedMatch: "related",
}
_EXTERNAL = {
    "http://purl.obolibrary.org/obo/NCIT_": "NCIt",
    "http://purl.obolibrary.org/obo/UBERON_": "UBERON",
    "http://purl.obolibrary.org/obo/CHEBI_": "ChEBI",
    "http://purl.obolibrary.org/obo/OBI_": "OBI",
    "http://purl.obolibrary.org/obo/": "OBO",
    "https://identifiers.org/hgnc:": "HGNC",
}
_NOT_PARENTS = {OWL.NamedIndividual, OWL.Class, OWL.Thing}


def local_name(iri: str) -> str:
    """The part of a metkg term IRI after ``#`` (or the IRI itself)."""
    return iri[len(str(METKG)) :] if iri.startswith(str(METKG)) else iri


def code_of(iri: str) -> str:
    """A short name of an external term: ``NCIt C38349``, ``UBERON 0000403``.

    >>> code_of("http://purl.obolibrary.org/obo/UBERON_0000403")
    'UBERON 0000403'
    """
    for prefix, name in _EXTERNAL.items():
        if iri.startswith(prefix):
            return f"{name} {iri[len(prefix) :]}"
    return iri


@dataclass
class CatalogueTerm:
    """One named term of the ontology."""

    iri: str
    label: str
    key: str | None = None
    definition: str | None = None
    synonyms: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    matches: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, code, iri)
    category: str | None = None
    defined: bool = False


@dataclass
class Catalogue:
    """Every named term of one build's ontology graph, and the blank nodes of its class axioms."""

    terms: dict[str, CatalogueTerm]
    children: dict[str, list[str]]
    blank: dict[str, list[tuple[str, object]]]  # blank node id -> (predicate, object)
    equivalents: dict[str, list[object]]

    def label(self, iri: str) -> str:
        """The term's label, or its local name when the ontology has none."""
        term = self.terms.get(iri)
        return term.label if term else local_name(iri)

    def ancestors(self, iri: str) -> set[str]:
        """``iri`` and every term above it (classes of an individual included)."""
        seen, todo = {iri}, [iri]
        while todo:
            term = self.terms.get(todo.pop())
            for parent in term.parents if term else ():
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def in_category(self, category: str) -> list[CatalogueTerm]:
        return [t for t in self.terms.values() if t.category == category]


def _text(term: object) -> str | None:
    return term.value if isinstance(term, Literal) and term.language in (None, "en") else None


def _add(terms: dict[str, CatalogueTerm], quad: Quad, blank: dict[str, list[tuple[str, object]]]) -> None:
    subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
    if isinstance(subject, BlankNode):
        blank[subject.value].append((predicate, obj))
        return
    if not isinstance(subject, NamedNode):
        return
    term = terms.setdefault(subject.value, CatalogueTerm(subject.value, local_name(subject.value)))
    if predicate == RDFS.label and _text(obj):
        term.label = _text(obj) or term.label
    elif predicate == METKG.key and isinstance(obj, Literal):
        term.key = obj.value
    elif predicate == SKOS.definition and _text(obj):
        term.definition = _text(obj)
    elif predicate == SKOS.altLabel and _text(obj):
        term.synonyms.append(obj.value)  # type: ignore[union-attr]
    elif predicate in (RDFS.subClassOf, RDF.type) and isinstance(obj, NamedNode) and obj.value not in _NOT_PARENTS:
        if not obj.value.startswith(str(OWL)) and not obj.value.startswith(str(RDFS)):
            term.parents.append(obj.value)
    elif predicate in MATCHES and isinstance(obj, NamedNode):
        term.matches.append((MATCHES[predicate], code_of(obj.value), obj.value))


def read_catalogue(store: Store, ontology_graph: NamedNode) -> Catalogue:
    """The catalogue of the ontology graph of ``store``."""
    terms: dict[str, CatalogueTerm] = {}
    blank: dict[str, list[tuple[str, object]]] = defaultdict(list)
    equivalents: dict[str, list[object]] = defaultdict(list)
    for quad in store.quads_for_pattern(None, None, None, ontology_graph):
        _add(terms, quad, blank)
        if quad.predicate.value == OWL.equivalentClass and isinstance(quad.subject, NamedNode):
            equivalents[quad.subject.value].append(quad.object)
    catalogue = Catalogue(terms, defaultdict(list), dict(blank), dict(equivalents))
    for term in terms.values():
        term.synonyms = sorted(set(term.synonyms) - {term.label})
        term.matches.sort(key=lambda m: list(MATCHES.values()).index(m[0]))
        term.defined = any(isinstance(e, BlankNode) for e in equivalents.get(term.iri, ()))
        for parent in term.parents:
            catalogue.children[parent].append(term.iri)
    roots = {root: name for name, root in CATEGORIES.items()}
    for term in terms.values():
        above = catalogue.ancestors(term.iri) - {term.iri}
        term.category = next((roots[r] for r in roots if r in above), None)
    for kids in catalogue.children.values():
        kids.sort(key=lambda iri: catalogue.label(iri).lower())
    return catalogue
