"""OWL for ontology editors: RDF/XML with one ``owl:Ontology`` header.

Protégé and owlready2 name an ontology after its ``owl:Ontology`` header. The export carries
exactly one, ``https://w3id.org/metkg/ontology`` with its ``owl:versionIRI``; the header of any
other ontology among the statements (a part file's own) is left out, so a tool never names the
ontology after a part. owlready2 reads RDF/XML, N-Triples and OWL/XML but not Turtle; Protégé
reads all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pyoxigraph import NamedNode, Triple

from metkg.vocab import METKG, OWL, RDF

__all__ = ["ONTOLOGY_IRI", "one_ontology_header", "ontology_headers"]

#: The IRI of the metkg ontology, the header an OWL export carries.
ONTOLOGY_IRI = str(METKG).rstrip("#")
_ONTOLOGY = NamedNode(ONTOLOGY_IRI)
_TYPE, _OWL_ONTOLOGY, _IMPORTS = NamedNode(RDF.type), NamedNode(OWL.Ontology), NamedNode(OWL.imports)


def one_ontology_header(triples: Iterable[Triple], headers: Iterable[NamedNode]) -> Iterator[Triple]:
    """``triples`` with one ontology header: the statements about the other ``headers`` left out.

    ``headers`` are the subjects typed ``owl:Ontology`` among ``triples``; when the metkg
    ontology is not one of them, its header is added first.

    >>> a, b = NamedNode(ONTOLOGY_IRI), NamedNode(ONTOLOGY_IRI + "/classes")
    >>> header = [Triple(a, _TYPE, _OWL_ONTOLOGY), Triple(b, _TYPE, _OWL_ONTOLOGY), Triple(a, _IMPORTS, b)]
    >>> [t.subject.value for t in one_ontology_header(header, [a, b])]
    ['https://w3id.org/metkg/ontology']
    """
    listed = set(headers)
    others = listed - {_ONTOLOGY}
    if _ONTOLOGY not in listed:
        yield Triple(_ONTOLOGY, _TYPE, _OWL_ONTOLOGY)
    for triple in triples:
        if triple.subject in others or (triple.predicate == _IMPORTS and triple.object in others):
            continue
        yield triple


def ontology_headers(triples: Iterable[Triple]) -> list[NamedNode]:
    """The subjects typed ``owl:Ontology`` among ``triples``."""
    return [t.subject for t in triples if t.predicate == _TYPE and t.object == _OWL_ONTOLOGY]  # type: ignore[misc]
