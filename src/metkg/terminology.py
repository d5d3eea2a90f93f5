"""The ontology's value terms: keys, labels, synonyms and hierarchy, read from ontology/*.ttl.

Case records name sites, markers, histologies, procedures, drugs and genes by their
``metkg:key``; the extractor's matchers are fed from labels and ``skos:altLabel`` synonyms.
Adding a term or a synonym to the ontology is enough for both to use it.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph
import rdflib
from rdflib.namespace import OWL as _OWL
from rdflib.namespace import RDF as _RDF
from rdflib.namespace import RDFS as _RDFS
from rdflib.namespace import SKOS as _SKOS

from metkg.errors import ConfigurationError, relative
from metkg.vocab import METKG

__all__ = ["CATEGORIES", "Term", "Terminology", "load_terminology", "ontology_files"]

#: Category name -> the class whose subclasses (or instances) form it.
CATEGORIES: dict[str, str] = {
    "site": METKG.AnatomicalSite,
    "histology": METKG.Histology,
    "marker": METKG.Biomarker,
    "procedure": METKG.Procedure,
    "drug": METKG.Drug,
    "gene": METKG.Gene,
}


@dataclass(frozen=True)
class Term:
    """One value term of the ontology."""

    key: str
    iri: str
    label: str
    synonyms: tuple[str, ...]
    category: str
    parents: tuple[str, ...]
    #: For a histology, the IRIs of the organs its tumours arise in (``metkg:typicalSite``).
    typical_sites: tuple[str, ...] = ()


def ontology_files(ontology_dir: Path) -> list[Path]:
    """The Turtle files that make up the ontology (SHACL shapes excluded)."""
    files = sorted(p for p in ontology_dir.glob("*.ttl") if not p.name.startswith("shapes"))
    if not files:
        raise ConfigurationError(f"no ontology Turtle files in {str(ontology_dir)!r}; set METKG_ONTOLOGY_DIR")
    return files


class Terminology:
    """Lookups over the ontology's value terms."""

    def __init__(self, graph: rdflib.Graph):
        self._parents: dict[str, set[str]] = defaultdict(set)
        for child, parent in graph.subject_objects(_RDFS.subClassOf):
            if isinstance(child, rdflib.URIRef) and isinstance(parent, rdflib.URIRef):
                self._parents[str(child)].add(str(parent))
        for ind, cls in graph.subject_objects(_RDF.type):
            if (
                isinstance(cls, rdflib.URIRef)
                and cls != _OWL.NamedIndividual
                and (ind, _RDF.type, _OWL.Class) not in graph
            ):
                self._parents[str(ind)].add(str(cls))
        self.terms: dict[str, dict[str, Term]] = {c: {} for c in CATEGORIES}
        self.by_iri: dict[str, Term] = {}
        for subject, key in graph.subject_objects(rdflib.URIRef(METKG.key)):
            category = self._category(str(subject))
            if category is None:
                continue
            label = graph.value(subject, _RDFS.label) or graph.value(subject, _SKOS.prefLabel) or key
            synonyms = tuple(sorted({str(s) for s in graph.objects(subject, _SKOS.altLabel)}))
            typical = tuple(sorted(str(o) for o in graph.objects(subject, rdflib.URIRef(METKG.typicalSite))))
            parents = tuple(sorted(self._parents[str(subject)]))
            term = Term(str(key), str(subject), str(label), synonyms, category, parents, typical)
            self.terms[category][term.key] = term
            self.by_iri[term.iri] = term

    def _category(self, iri: str) -> str | None:
        ancestors = self.ancestors(iri)
        for name, root in CATEGORIES.items():
            if root in ancestors and iri != root:
                return name
        return None

    def ancestors(self, iri: str) -> set[str]:
        """Every class above ``iri`` (its types, for an individual), itself included."""
        seen, todo = {iri}, [iri]
        while todo:
            for parent in self._parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    def get(self, category: str, key: str) -> Term | None:
        """The term of ``category`` with this key, or ``None``."""
        return self.terms[category].get(key)

    def keys(self, category: str) -> list[str]:
        """Every key of a category, sorted."""
        return sorted(self.terms[category])

    def suggest(self, category: str, key: str) -> list[str]:
        """Keys close to ``key``, for 'did you mean' messages."""
        keys = self.keys(category)
        lowered = {k.lower(): k for k in keys}
        exact = [lowered[key.lower()]] if key.lower() in lowered else []
        by_label = [
            t.key
            for t in self.terms[category].values()
            if key.lower() in {t.label.lower(), *(s.lower() for s in t.synonyms)}
        ]
        close = difflib.get_close_matches(key, keys, n=3, cutoff=0.6)
        return list(dict.fromkeys(exact + by_label + close))

    def is_a(self, iri: str, ancestor: str) -> bool:
        """Whether ``iri`` is ``ancestor`` or below it."""
        return ancestor in self.ancestors(iri)

    def related(self, category: str, a: str | None, b: str | None) -> bool:
        """Whether two keys of a category are equal, or one term is below the other."""
        if a is None or b is None:
            return False
        if a == b:
            return True
        ta, tb = self.get(category, a), self.get(category, b)
        return ta is not None and tb is not None and (self.is_a(ta.iri, tb.iri) or self.is_a(tb.iri, ta.iri))

    def all_terms(self) -> Iterable[Term]:
        for terms in self.terms.values():
            yield from terms.values()


def load_ontology_graph(ontology_dir: Path) -> rdflib.Graph:
    """The ontology as one rdflib graph (every file of :func:`ontology_files`)."""
    graph = rdflib.Graph()
    for path in ontology_files(ontology_dir):
        _check_turtle(path)
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many types for bad Turtle
            raise ConfigurationError(f"cannot parse ontology file {str(path)!r}: {exc}") from None
    return graph


def _check_turtle(path: Path) -> None:
    """Refuse a file that is not Turtle as the store loads it: Oxigraph's parser is stricter than
    rdflib's (a literal as subject, a space in an IRI) and names the line and column."""
    try:
        for _ in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
            pass
    except (SyntaxError, ValueError, OSError) as exc:
        raise ConfigurationError(f"cannot parse ontology file {relative(path)!r}: {exc}") from None


@lru_cache(maxsize=4)
def load_terminology(ontology_dir: Path) -> Terminology:
    """The terminology of the ontology in ``ontology_dir``, read once per process."""
    return Terminology(load_ontology_graph(ontology_dir))
