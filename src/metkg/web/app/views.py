"""What the pages show, computed from the browse index and the catalogue: charts' inputs, the
SPARQL behind a browser view, the ontology trees and defined classes in words."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from pyoxigraph import BlankNode, Literal, NamedNode, Store

from metkg.vocab import DCTERMS, METKG, OWL, RDF, XSD
from metkg.web.app.browse import ANY_CONVERSION, FACETS, BrowseIndex, Selection
from metkg.web.app.case_view import PatientView
from metkg.web.app.catalogue import Catalogue, CatalogueTerm, local_name
from metkg.web.app.charts import Bar, Dated, Heatmap, Timeline, bars, heatmap, timeline

__all__ = [
    "TreeNode",
    "case_timeline",
    "chosen_filters",
    "conversion_bars",
    "histology_by_site",
    "ontology_trees",
    "other_terms",
    "report_summary",
    "selection_query",
]

_HEAT_ROWS = 8
_HEAT_COLUMNS = 10


def _depth_below(catalogue: Catalogue, iri: str, root: str) -> int | None:
    """How many subclass steps ``iri`` is below ``root`` by its shortest path (``None``: not below)."""
    frontier, depth, seen = {iri}, 0, set()
    while frontier:
        if root in frontier:
            return depth
        seen |= frontier
        frontier = {p for f in frontier for p in (catalogue.terms[f].parents if f in catalogue.terms else ())} - seen
        depth += 1
    return None


def histology_by_site(index: BrowseIndex) -> Heatmap:
    """Primary histologies as recorded (rows) by metastatic sites one or two levels below the root
    (columns), each counting the sites below it: the skin column counts scalp metastases."""
    recorded = {iri for p in index.patients for iri in p.primaries}
    rows = sorted(
        ((index.key(iri), index.catalogue.label(iri)) for iri in recorded),
        key=lambda r: -index.count("primary", r[0]),
    )[:_HEAT_ROWS]
    columns = []
    for value, iris in index.iris["site"].items():
        depth = _depth_below(index.catalogue, iris[0], METKG.AnatomicalSite)
        if depth in (1, 2):
            columns.append((value, index.labels["site"][value]))
    columns = sorted(columns, key=lambda c: -index.count("site", c[0]))[:_HEAT_COLUMNS]
    drawn = heatmap(
        rows,
        columns,
        lambda r, c: index.count("primary", r, ("site", c)),
        lambda r, c: "/cases?" + urlencode({"primary": r, "site": c}),
    )
    # a histology with no metastasis in these columns (a primary with local invasion only) says nothing here
    return Heatmap([row for row in drawn.rows if any(cell.count for cell in row[1])], drawn.columns)


def conversion_bars(index: BrowseIndex, markers: int = 8) -> list[Bar]:
    """Gains and losses of each marker with conversions (the most converted markers first)."""
    by_marker: dict[str, dict[str, int]] = {}
    for value in index.facets["conversion"]:
        if value == ANY_CONVERSION:
            continue
        marker, _, direction = value.rpartition(":")
        by_marker.setdefault(marker, {})[direction] = index.count("conversion", value)
    ranked = sorted(by_marker.items(), key=lambda item: -sum(item[1].values()))[:markers]
    items = []
    for marker, counts in ranked:
        for direction in ("gain", "loss"):
            value = f"{marker}:{direction}"
            label = index.labels["conversion"].get(value, f"{marker} {direction}")
            items.append((label, counts.get(direction, 0), "/cases?" + urlencode({"conversion": value}), direction))
    return bars(items)


@dataclass(frozen=True)
class ChosenFilter:
    heading: str
    label: str
    remove: list[tuple[str, str]]


def chosen_filters(index: BrowseIndex, selection: Selection) -> list[ChosenFilter]:
    """The filters in force, each with the URL parameters of the view without it."""
    found = []
    if selection.q:
        found.append(ChosenFilter("Text", selection.q, selection.params(q="")))
    for facet, values in selection.chosen.items():
        for value in values:
            rest = tuple(v for v in values if v != value)
            label = index.labels.get(facet, {}).get(value, value)
            found.append(ChosenFilter(FACETS[facet], label, selection.params(**{facet: rest})))
    return found


# ---------------------------------------------------------------- the SPARQL of a browser view


def _iri(iri: str) -> str:
    return f"metkg:{local_name(iri)}" if iri.startswith(str(METKG)) and local_name(iri).isidentifier() else f"<{iri}>"


def _values(variable: str, terms: list[str]) -> str:
    return f"  VALUES ?{variable} {{ {' '.join(terms)} }}\n"


def _facet_pattern(index: BrowseIndex, facet: str, values: tuple[str, ...], n: int) -> str:
    pairs = [index.iris.get(facet, {}).get(v) for v in values]
    known = [p for p in pairs if p]
    if facet == "year":
        years = [v for v in values if v.isdigit()]
        return _values(f"year{n}", years or ["0"]) + f"  ?report metkg:year ?year{n} .\n"
    if facet == "conversion" and ANY_CONVERSION in values:
        return f"  ?conversion{n} a metkg:ReceptorConversion ; metkg:patient ?patient .\n"
    if not known:
        return "  FILTER(false)  # no such value in the graph\n"
    if facet == "primary":
        return _values(f"histology{n}", [_iri(p[0]) for p in known]) + (
            f"  ?patient metkg:hasLesion ?primary{n} . ?primary{n} a metkg:PrimaryTumor ;\n"
            f"    metkg:histology/rdfs:subClassOf* ?histology{n} .\n"
        )
    if facet == "site":
        return _values(f"site{n}", [_iri(p[0]) for p in known]) + (
            f"  ?patient metkg:hasLesion ?metastasis{n} . ?metastasis{n} a metkg:Metastasis ;\n"
            f"    metkg:hasSite/rdf:type/rdfs:subClassOf* ?site{n} .\n"
        )
    if facet == "intervention":
        return _values(f"treatment{n}", [_iri(p[0]) for p in known]) + (
            f"  ?patient metkg:hasIntervention/rdf:type ?treatment{n} .\n"
        )
    pairs_text = [f"({_iri(a)} {_iri(b)})" for a, b in known]
    if facet == "marker":
        return f"  VALUES (?marker{n} ?status{n}) {{ {' '.join(pairs_text)} }}\n" + (
            f"  ?patient metkg:hasSpecimen/metkg:hasResult ?result{n} .\n"
            f"  ?result{n} metkg:marker ?marker{n} ; metkg:status ?status{n} .\n"
        )
    return f"  VALUES (?marker{n} ?direction{n}) {{ {' '.join(pairs_text)} }}\n" + (
        f"  ?conversion{n} a metkg:ReceptorConversion ; metkg:patient ?patient ;\n"
        f"    metkg:conversionMarker ?marker{n} ; metkg:direction ?direction{n} .\n"
    )


def selection_query(index: BrowseIndex, selection: Selection, base_iri: str) -> str:
    """A SPARQL query listing the patients of a browser view (text search as a filter on titles)."""
    lines = [
        "PREFIX metkg: <https://w3id.org/metkg/ontology#>\n",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n",
        "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n\n",
        "SELECT DISTINCT ?patient ?label ?report ?title ?year WHERE {\n",
        "  ?report a metkg:CaseReport ; metkg:describes ?patient ; rdfs:label ?title .\n",
        "  ?patient rdfs:label ?label .\n",
        "  OPTIONAL { ?report metkg:year ?year }\n",
    ]
    for n, (facet, values) in enumerate(selection.chosen.items()):
        lines.append(_facet_pattern(index, facet, values, n))
    for word in selection.q.lower().split():
        escaped = word.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'  FILTER(CONTAINS(LCASE(?title), "{escaped}"))  # the browser also searches labels\n')
    lines.append("}\nORDER BY DESC(?year) ?title ?patient\nLIMIT 100\n")
    return "".join(lines)


# ---------------------------------------------------------------- the case page


def case_timeline(view: PatientView) -> Timeline | None:
    """The timeline of a patient's dated facts."""
    dated = [
        Dated(f.title, f.lane or "diagnoses", f.date, f.end, f.when, f"#{f.anchor}")
        for f in view.events
        if f.date is not None
    ]
    return timeline(dated)


def report_summary(store: Store, report: str) -> list[tuple[str, str]]:
    """Title, journal, year, authors and DOI of a case report, as (name, text)."""
    values: dict[str, list[str]] = {}
    for quad in store.quads_for_pattern(NamedNode(report), None, None, None):
        if isinstance(quad.object, Literal):
            values.setdefault(quad.predicate.value, []).append(quad.object.value)
    fields = (
        ("title", DCTERMS.title),
        ("journal", METKG.journal),
        ("year", METKG.year),
        ("DOI", METKG.doi),
        ("licence", METKG.licence),
    )
    found = [(name, values[p][0]) for name, p in fields if p in values]
    if METKG.author in values:
        found.append(("authors", ", ".join(values[METKG.author])))
    return found


# ---------------------------------------------------------------- the ontology browser

_TREES = (
    ("site", METKG.AnatomicalSite, "Anatomical sites"),
    ("histology", METKG.Histology, "Histologies"),
    ("marker", METKG.Biomarker, "Biomarkers"),
    ("drug", METKG.Drug, "Drugs"),
    ("procedure", METKG.Procedure, "Procedures"),
)


@dataclass
class TreeNode:
    term: CatalogueTerm
    anchor: str
    cases: int
    words: str | None = None
    children: list[TreeNode] = field(default_factory=list)
    elsewhere: bool = False  # shown in full under another parent: a link to it here


def _below(catalogue: Catalogue, iri: str, memo: dict[str, frozenset[str]]) -> frozenset[str]:
    """``iri`` and every term under it, whichever parent the tree shows them under."""
    if iri not in memo:
        memo[iri] = frozenset({iri})  # a cycle stops here
        kids = (_below(catalogue, c, memo) for c in catalogue.children.get(iri, ()))
        memo[iri] = frozenset({iri}.union(*kids))
    return memo[iri]


def _subtree(index: BrowseIndex, iri: str, seen: set[str], memo: dict[str, frozenset[str]]) -> TreeNode:
    term = index.catalogue.terms[iri]
    cases = index.term_count(_below(index.catalogue, iri, memo))
    if iri in seen:  # a term with two parents is drawn once, and linked from its second place
        return TreeNode(term, local_name(iri), cases, elsewhere=True)
    seen.add(iri)
    kids = [
        _subtree(index, child, seen, memo)
        for child in index.catalogue.children.get(iri, ())
        if child in index.catalogue.terms
    ]
    words = defined_in_words(index.catalogue, iri) if term.defined else None
    return TreeNode(term, local_name(iri), cases, words, kids)


def ontology_trees(index: BrowseIndex) -> list[tuple[str, str, list[TreeNode]]]:
    """One tree per value category: (anchor, heading, the root's children as trees)."""
    trees, memo = [], {}
    for category, root, heading in _TREES:
        seen: set[str] = set()
        kids = [_subtree(index, c, seen, memo) for c in index.catalogue.children.get(root, ())]
        trees.append((category, heading, kids))
    return trees


def cases_link(node: TreeNode) -> str:
    """The case browser filtered by a term: sites and histologies by facet, other terms by search."""
    facet = {"site": "site", "histology": "primary"}.get(node.term.category or "")
    if facet and node.term.key:
        return "/cases?" + urlencode({facet: node.term.key})
    return "/cases?" + urlencode({"q": node.term.key or node.term.label})


def other_terms(index: BrowseIndex) -> list[TreeNode]:
    """The metkg terms of no value category (case model classes, properties, defined classes)."""
    found = []
    for term in sorted(index.catalogue.terms.values(), key=lambda t: t.label.lower()):
        if term.category is None and term.iri.startswith(str(METKG)) and term.iri != str(METKG):
            words = defined_in_words(index.catalogue, term.iri) if term.defined else None
            found.append(TreeNode(term, local_name(term.iri), 0, words))
    return found


def _list(catalogue: Catalogue, node: Any) -> list[Any]:
    items = []
    while isinstance(node, BlankNode):
        statements = dict(catalogue.blank.get(node.value, ()))
        if RDF.first not in statements:
            break
        items.append(statements[RDF.first])
        node = statements.get(RDF.rest)
    return items


_CARDINALITIES = {
    OWL.maxCardinality: "at most",
    OWL.minCardinality: "at least",
    OWL.cardinality: "exactly",
    OWL.maxQualifiedCardinality: "at most",
    OWL.minQualifiedCardinality: "at least",
    OWL.qualifiedCardinality: "exactly",
}
_FACETS_IN_WORDS = {XSD.minInclusive: "≥", XSD.minExclusive: ">", XSD.maxInclusive: "≤", XSD.maxExclusive: "<"}


def _words(catalogue: Catalogue, node: Any, depth: int = 0) -> str:
    """An OWL class expression in words, with the ontology's labels."""
    if isinstance(node, NamedNode):
        return catalogue.label(node.value) if node.value.startswith(str(METKG)) else local_name(node.value)
    if isinstance(node, Literal):
        return node.value
    if not isinstance(node, BlankNode) or depth > 8:
        return "…"
    s = dict(catalogue.blank.get(node.value, ()))
    wrap = (lambda t: f"({t})") if depth else (lambda t: t)
    if OWL.intersectionOf in s:
        return wrap(" and ".join(_words(catalogue, x, depth + 1) for x in _list(catalogue, s[OWL.intersectionOf])))
    if OWL.unionOf in s:
        return wrap(" or ".join(_words(catalogue, x, depth + 1) for x in _list(catalogue, s[OWL.unionOf])))
    if OWL.inverseOf in s:
        return "(the inverse of " + _words(catalogue, s[OWL.inverseOf], depth + 1) + ")"
    if OWL.complementOf in s:
        return "not " + _words(catalogue, s[OWL.complementOf], depth + 1)
    if OWL.oneOf in s:
        return "one of " + ", ".join(_words(catalogue, x, depth + 1) for x in _list(catalogue, s[OWL.oneOf]))
    if OWL.onDatatype in s:
        limits = [dict(catalogue.blank.get(b.value, ())) for b in _list(catalogue, s.get(OWL.withRestrictions))]
        bounds = [f"{_FACETS_IN_WORDS.get(k, k)} {v.value}" for lim in limits for k, v in lim.items()]
        return "a number " + " and ".join(bounds)
    if OWL.onProperty in s:
        prop = _words(catalogue, s[OWL.onProperty], depth + 1)
        for key, phrase in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only"), (OWL.hasValue, "")):
            if key in s:
                target = _words(catalogue, s[key], depth + 1)
                return f"{prop} {phrase + ' ' if phrase else ''}{target}"
        for key, phrase in _CARDINALITIES.items():
            if key in s:
                return f"{prop} {phrase} {_words(catalogue, s[key], depth + 1)}"
    return "…"


def defined_in_words(catalogue: Catalogue, iri: str) -> str | None:
    """What a defined class means, from its equivalence axiom: "specimen and has result some (...)"."""
    expressions = [e for e in catalogue.equivalents.get(iri, ()) if isinstance(e, BlankNode)]
    return "; or equally ".join(_words(catalogue, e) for e in expressions) or None


# ---------------------------------------------------------------- pickers of the named-query forms

_MAX_CHOICES = 500


def picker_choices(index: BrowseIndex, parameter_type: str) -> list[tuple[str, str]]:
    """Values from the data for a named-query parameter: (value, what it says), most used first."""
    if parameter_type == "doi":
        seen = dict.fromkeys(p.doi for p in index.patients if p.doi)
        titles = {p.doi: p.title for p in index.patients}
        return [(doi, titles[doi]) for doi in list(seen)[:_MAX_CHOICES]]
    facet = {"site-key": "site", "marker-key": "marker"}.get(parameter_type)
    if facet is None:
        return []
    if facet == "marker":
        markers = {iri for p in index.patients for iri in p.markers}
        keyed = [(index.key(m), index.catalogue.label(m)) for m in markers]
        return sorted(keyed, key=lambda c: c[0].lower())
    counted = [(v, index.labels["site"][v], index.count("site", v)) for v in index.facets["site"]]
    return [(v, f"{label} ({n:,})") for v, label, n in sorted(counted, key=lambda c: -c[2])][:_MAX_CHOICES]
