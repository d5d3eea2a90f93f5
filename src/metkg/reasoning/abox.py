"""The reasoner's input: the ontology's logical axioms and each case's classification facts.

The reasoner gets only what classification needs, as N-Triples:

- the TBox: every ontology file except the SHACL shapes, without annotations (labels,
  synonyms, definitions, external mappings) and ontology headers;
- per case: lesions (kind, site, primary tumour), site individuals (site class), specimens
  (the lesion sampled, site, results) and results (marker, assay, status, IHC score, percent).

No dates, evidence, interventions or free text reach the reasoner: HermiT rejects xsd:date,
xsd:gYear and xsd:gYearMonth literals, and none of them bears on a defined class. Two closures
make the record's closed world explicit: a result without a stated status is typed
``metkg:ResultWithoutStatus`` (``status max 0``), and a percent given with a comparator
(``<1%``, ``>90%``) becomes an existential datatype restriction (``percent some decimal[< 1]``)
instead of an exact value.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pyoxigraph

from metkg.reasoning.names import OWL_ as OWL
from metkg.reasoning.names import RDF_ as RDF
from metkg.reasoning.names import RDFS_ as RDFS
from metkg.reasoning.names import XSD_ as XSD
from metkg.reasoning.names import M as METKG
from metkg.reasoning.rules import LESION_CLASS
from metkg.reasoning.view import CaseView, ResultView
from metkg.terminology import ontology_files

__all__ = ["case_abox", "reasoner_tbox"]

_STATUS = {"positive": METKG.Positive, "negative": METKG.Negative, "equivocal": METKG.Equivocal, "low": METKG.Low}
_SCORE = {"0": METKG.Score0, "1+": METKG.Score1Plus, "2+": METKG.Score2Plus, "3+": METKG.Score3Plus}
_FACET = {">": XSD.minExclusive, ">=": XSD.minInclusive, "<": XSD.maxExclusive, "<=": XSD.maxInclusive}
_ANNOTATION_PREDICATES = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo, OWL.versionIRI}


def _decimal(value: float) -> str:
    return format(Decimal(repr(float(value))).normalize(), "f")


def _iri(value: str) -> str:
    return f"<{value}>"


@lru_cache(maxsize=4)
def _tbox_cached(key: tuple[tuple[str, float, int], ...]) -> bytes:
    triples: list[pyoxigraph.Triple] = []
    for path, _, _ in key:
        triples += pyoxigraph.parse(path=path, format=pyoxigraph.RdfFormat.TURTLE)
    typed = {}
    for t in triples:
        if t.predicate.value == RDF.type and isinstance(t.object, pyoxigraph.NamedNode):
            typed.setdefault(t.subject.value, set()).add(t.object.value)
    logical = {OWL.ObjectProperty, OWL.DatatypeProperty}
    annotation = {s for s, types in typed.items() if OWL.AnnotationProperty in types and not types & logical}
    headers = {s for s, types in typed.items() if OWL.Ontology in types}
    kept = [
        t
        for t in triples
        if t.predicate.value not in annotation
        and t.predicate.value not in _ANNOTATION_PREDICATES
        and t.subject.value not in headers
        and not (t.predicate.value == RDF.type and t.object.value == OWL.AnnotationProperty)
    ]
    return pyoxigraph.serialize(kept, format=pyoxigraph.RdfFormat.N_TRIPLES)


def reasoner_tbox(ontology_dir: Path) -> bytes:
    """The ontology's logical axioms as N-Triples, read once per version of the files."""
    files = ontology_files(ontology_dir)
    key = tuple((str(p.resolve()), p.stat().st_mtime, p.stat().st_size) for p in files)
    return _tbox_cached(key)


class _Writer:
    def __init__(self, label: str):
        self.label = label
        self.lines: list[str] = []
        self.blank = 0

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} .")

    def bnode(self) -> str:
        self.blank += 1
        return f"_:{self.label}b{self.blank}"

    def percent(self, r: ResultView) -> None:
        if r.percent is None:
            return
        value = f'"{_decimal(r.percent)}"^^{_iri(XSD.decimal)}'
        facet = _FACET.get(r.comparator or "")
        if facet is None:  # exact, or "~": the stated figure
            self.add(_iri(r.iri), _iri(METKG.percent), value)
            return
        restriction, datatype, head, item = self.bnode(), self.bnode(), self.bnode(), self.bnode()
        self.add(_iri(r.iri), _iri(RDF.type), restriction)
        self.add(restriction, _iri(RDF.type), _iri(OWL.Restriction))
        self.add(restriction, _iri(OWL.onProperty), _iri(METKG.percent))
        self.add(restriction, _iri(OWL.someValuesFrom), datatype)
        self.add(datatype, _iri(RDF.type), _iri(RDFS.Datatype))
        self.add(datatype, _iri(OWL.onDatatype), _iri(XSD.decimal))
        self.add(datatype, _iri(OWL.withRestrictions), head)
        self.add(head, _iri(RDF.first), item)
        self.add(head, _iri(RDF.rest), _iri(RDF.nil))
        self.add(item, _iri(facet), value)


def case_abox(view: CaseView, label: str = "c") -> list[str]:
    """The N-Triples lines the reasoner needs for one case; ``label`` keeps blank nodes apart."""
    w = _Writer(label)
    typ = _iri(RDF.type)
    for lesion in view.lesions():
        w.add(_iri(lesion.iri), typ, _iri(LESION_CLASS[lesion.kind]))
        if lesion.site:
            w.add(_iri(lesion.iri), _iri(METKG.hasSite), _iri(lesion.site.iri))
            w.add(_iri(lesion.site.iri), typ, _iri(lesion.site.cls))
        if lesion.primary:
            w.add(_iri(lesion.iri), _iri(METKG.primaryTumor), _iri(lesion.primary))
    for specimen in view.specimens():
        s = _iri(specimen.iri)
        w.add(s, typ, _iri(METKG.Specimen))
        if specimen.lesion:
            w.add(s, _iri(METKG.samples), _iri(specimen.lesion))
        if specimen.site:
            w.add(s, _iri(METKG.hasSite), _iri(specimen.site.iri))
            w.add(_iri(specimen.site.iri), typ, _iri(specimen.site.cls))
        for r in specimen.results:
            _result(w, s, r)
    return w.lines


def _result(w: _Writer, specimen: str, r: ResultView) -> None:
    typ, node = _iri(RDF.type), _iri(r.iri)
    w.add(node, typ, _iri(METKG.BiomarkerResult))
    if r.withheld:
        return
    w.add(specimen, _iri(METKG.hasResult), node)
    w.add(node, _iri(METKG.marker), _iri(r.marker))
    w.add(node, _iri(METKG.assay), _iri(r.assay))
    if r.status is None:
        w.add(node, typ, _iri(METKG.ResultWithoutStatus))
    else:
        w.add(node, _iri(METKG.status), _iri(_STATUS[r.status]))
    if r.score is not None:
        w.add(node, _iri(METKG.ihcScore), _iri(_SCORE[r.score]))
    w.percent(r)


def iter_individuals(view: CaseView) -> Iterator[str]:
    """Every case individual the reasoner is given (lesions, sites, specimens, results)."""
    for lesion in view.lesions():
        yield lesion.iri
        if lesion.site:
            yield lesion.site.iri
    for specimen in view.specimens():
        yield specimen.iri
        if specimen.site:
            yield specimen.site.iri
        for r in specimen.results:
            yield r.iri
