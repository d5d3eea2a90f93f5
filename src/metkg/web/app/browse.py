"""The case browser's index: every patient with its facets and search words, built once per build.

A few index scans of the store read every patient's report, primary histologies, metastatic sites,
marker statuses, receptor conversions and treatments in one pass when a build is first served;
the index then answers each request from memory. Facet values are bitsets over the patients
(Python ints, one bit per patient in display order): a filter is an AND of ORs, a facet count
is ``bit_count()`` of an AND, so a page costs microseconds per facet value however many cases
the graph holds. Sites and histologies count through the ontology's hierarchy: ``site=skin``
finds scalp metastases.
"""

from __future__ import annotations

import gc
import logging
import os
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode, QueryResultsFormat

from metkg.build import no_cyclic_gc
from metkg.errors import StoreError
from metkg.vocab import METKG, RDF, RDFS
from metkg.web.app.catalogue import Catalogue, local_name, read_catalogue
from metkg.web.dataset import Snapshot

__all__ = ["ANY_CONVERSION", "FACETS", "BrowseIndex", "FacetValue", "PatientEntry", "Selection", "browse_index"]

#: Facets in page order: URL parameter -> heading.
FACETS = {
    "primary": "Primary histology",
    "site": "Metastatic site",
    "marker": "Marker status",
    "conversion": "Receptor conversion",
    "intervention": "Intervention",
    "year": "Year of report",
}

_WORD = re.compile(r"[a-z0-9]+(?:[+][a-z0-9]*)?")
#: The conversion facet's value for "any receptor conversion".
ANY_CONVERSION = "any"


def words(text: str) -> list[str]:
    """The search words of a text: lower-case runs of letters and digits.

    >>> words("HER2-low, Ki-67 (30%)")
    ['her2', 'low', 'ki', '67', '30']
    """
    return _WORD.findall(text.lower())


@dataclass
class PatientEntry:
    """One patient as the browser lists it."""

    iri: str
    label: str
    case_iri: str
    title: str
    doi: str
    index: int = 1
    year: int | None = None
    sex: str | None = None
    age: int | None = None
    primaries: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    site_texts: list[str] = field(default_factory=list)
    markers: list[str] = field(default_factory=list)
    statuses: list[tuple[str, str]] = field(default_factory=list)  # (marker IRI, status IRI)
    conversions: list[tuple[str, str | None]] = field(default_factory=list)  # (marker, direction)
    interventions: list[str] = field(default_factory=list)
    treatments: list[str] = field(default_factory=list)
    drugs: list[str] = field(default_factory=list)
    procedures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: its URL form, what it says, how many patients it leaves, whether chosen."""

    value: str
    label: str
    count: int
    chosen: bool = False


@dataclass(frozen=True)
class Selection:
    """What a browser URL asks for: search words, chosen facet values, the page."""

    q: str = ""
    chosen: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    page: int = 1

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The URL parameters of this selection with ``changes`` (``facet=(values)``, ``q``, ``page``)."""
        q = changes.pop("q", self.q)
        page = changes.pop("page", 1)
        chosen = {**self.chosen, **changes}
        items = [("q", q)] if q else []
        items += [(facet, v) for facet in FACETS for v in chosen.get(facet, ())]
        return [*items, ("page", str(page))] if page != 1 else items


def _members(mask: int) -> list[int]:
    """The positions of the set bits of ``mask``, lowest first.

    >>> _members(0b10110)
    [1, 2, 4]
    """
    reversed_bits = bin(mask)[:1:-1]
    return [m.start() for m in re.finditer("1", reversed_bits)]


def _mask(positions: Iterable[int], size: int) -> int:
    bits = bytearray(size // 8 + 1)
    for i in positions:
        bits[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(bits, "little")


class BrowseIndex:
    """Patients in display order (newest report first) with their facet bitsets and search words."""

    def __init__(self, patients: list[PatientEntry], catalogue: Catalogue, build: str = ""):
        self.catalogue = catalogue
        self.build = build  # the build it was read from
        self.patients = sorted(patients, key=lambda p: (-(p.year or 0), p.title.lower(), p.doi, p.index))
        self.size = len(self.patients)
        self.all = (1 << self.size) - 1
        self.by_iri = {p.iri: i for i, p in enumerate(self.patients)}
        self.facets: dict[str, dict[str, int]] = {}
        self.labels: dict[str, dict[str, str]] = {}
        self.iris: dict[str, dict[str, tuple[str, ...]]] = {}
        self.term_use: dict[str, int] = {}
        self._memo: dict[str, Any] = {}
        self._build_facets()
        self._build_words()

    def memo(self, name: str, compute: Callable[[], Any]) -> Any:
        """What ``compute()`` gives, computed once per index (so once per build): the home page's
        charts, the ontology trees, the query forms' suggestions."""
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    # -- building
    def is_of(self, snapshot: Snapshot) -> bool:
        """Whether this index was read from ``snapshot``'s build (not a previous one, still answering)."""
        return self.build == snapshot.path

    def key(self, iri: str) -> str:
        """The ontology key of a term (``ER``, ``scalp``), or its local name when it has none."""
        term = self.catalogue.terms.get(iri)
        return term.key if term and term.key else local_name(iri)

    def _through_hierarchy(self, iris: Iterable[str], category: str) -> set[str]:
        found: set[str] = set()
        for iri in iris:
            found |= {a for a in self.catalogue.ancestors(iri) if self._category(a) == category}
        return found

    def _category(self, iri: str) -> str | None:
        term = self.catalogue.terms.get(iri)
        return term.category if term else None

    def _facet_values(self, patient: PatientEntry) -> dict[str, dict[str, tuple[str, tuple[str, ...]]]]:
        """Facet -> {URL value: (label, the IRIs it stands for)} of one patient."""
        label = self.catalogue.label
        values: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = defaultdict(dict)
        for iri in self._through_hierarchy(patient.primaries, "histology"):
            values["primary"][self.key(iri)] = (label(iri), (iri,))
        for iri in self._through_hierarchy(patient.sites, "site"):
            values["site"][self.key(iri)] = (label(iri), (iri,))
        for marker, status in patient.statuses:
            text = f"{self.key(marker)} {label(status).lower()}"
            values["marker"][f"{self.key(marker)}:{local_name(status).lower()}"] = (text, (marker, status))
        for marker, direction in patient.conversions:
            values["conversion"][ANY_CONVERSION] = ("any conversion", ())
            if direction:
                value = f"{self.key(marker)}:{local_name(direction).lower()}"
                values["conversion"][value] = (f"{self.key(marker)} {label(direction).lower()}", (marker, direction))
        for iri in patient.interventions:
            values["intervention"][local_name(iri).lower()] = (label(iri), (iri,))
        if patient.year:
            values["year"][str(patient.year)] = (str(patient.year), ())
        return values

    def _build_facets(self) -> None:
        positions: dict[str, dict[str, list[int]]] = {f: defaultdict(list) for f in FACETS}
        labels: dict[str, dict[str, str]] = {f: {} for f in FACETS}
        iris: dict[str, dict[str, tuple[str, ...]]] = {f: {} for f in FACETS}
        use: dict[str, list[int]] = defaultdict(list)
        for i, patient in enumerate(self.patients):
            for facet, values in self._facet_values(patient).items():
                for value, (text, terms) in values.items():
                    positions[facet][value].append(i)
                    labels[facet][value] = text
                    iris[facet][value] = terms
            used = {*patient.primaries, *patient.sites, *patient.markers, *patient.drugs, *patient.procedures}
            for iri in used:
                use[iri].append(i)
        self.facets = {f: {v: _mask(p, self.size) for v, p in values.items()} for f, values in positions.items()}
        self.labels = labels
        self.iris = iris
        self.term_use = {iri: _mask(p, self.size) for iri, p in use.items()}

    def _build_words(self) -> None:
        by_word: dict[str, list[int]] = defaultdict(list)
        for i, patient in enumerate(self.patients):
            for word in set(words(" ".join(self._texts(patient)))):
                by_word[word].append(i)
        self.words = sorted(by_word)
        self.word_masks = [_mask(by_word[w], self.size) for w in self.words]

    def _texts(self, patient: PatientEntry) -> Iterable[str]:
        label = self.catalogue.label
        yield from (patient.title, patient.doi, patient.label, *patient.site_texts, *patient.treatments)
        for iri in (*patient.primaries, *patient.sites, *patient.markers, *patient.drugs):
            term = self.catalogue.terms.get(iri)
            yield label(iri)
            if term is not None:
                yield from (term.key or "", *term.synonyms)

    # -- answering
    def search(self, q: str) -> int:
        """The patients whose text has every word of ``q`` (a word matches words it begins)."""
        import bisect

        mask = self.all
        for word in words(q):
            start = bisect.bisect_left(self.words, word)
            found = 0
            for j in range(start, len(self.words)):
                if not self.words[j].startswith(word):
                    break
                found |= self.word_masks[j]
            mask &= found
        return mask

    def _facet_mask(self, facet: str, values: Iterable[str]) -> int:
        masks = self.facets.get(facet, {})
        found = 0
        for value in values:
            found |= masks.get(value, 0)
        return found

    def matching(self, selection: Selection, without: str | None = None) -> int:
        """The patients the selection leaves (ignoring the facet ``without``, to count its values)."""
        mask = self.search(selection.q) if selection.q.strip() else self.all
        for facet, values in selection.chosen.items():
            if facet != without and values:
                mask &= self._facet_mask(facet, values)
        return mask

    def facet_values(self, selection: Selection, facet: str) -> list[FacetValue]:
        """A facet's values with counts under the rest of the selection: chosen ones first, then the
        largest (years newest first); values no patient of the selection has are left out."""
        base = self.matching(selection, without=facet)
        chosen = set(selection.chosen.get(facet, ()))
        counted = [
            FacetValue(value, self.labels[facet].get(value, value), (mask & base).bit_count(), value in chosen)
            for value, mask in self.facets[facet].items()
        ]
        if facet == "year":
            counted.sort(key=lambda v: v.value, reverse=True)
        else:
            counted.sort(key=lambda v: (-v.count, v.label.lower()))
        counted.sort(key=lambda v: not v.chosen)
        return [v for v in counted if v.chosen or v.count]

    def page(self, mask: int, page: int, size: int) -> list[PatientEntry]:
        members = _members(mask)
        return [self.patients[i] for i in members[(page - 1) * size : page * size]]

    def count(self, facet: str, value: str, other: tuple[str, str] | None = None) -> int:
        """Patients with a facet value (and, with ``other``, a second facet's value too)."""
        mask = self.facets[facet].get(value, 0)
        if other is not None:
            mask &= self.facets[other[0]].get(other[1], 0)
        return mask.bit_count()

    def term_count(self, iris: Iterable[str]) -> int:
        """Patients whose records use any of these terms."""
        mask = 0
        for iri in iris:
            mask |= self.term_use.get(iri, 0)
        return mask.bit_count()


# ---------------------------------------------------------------- reading the store


class _Graph:
    """Lookups over every graph of the store by index scans: a predicate's statements at once, or one
    subject's values. Each read is one pass over an index of the store, never a SPARQL join."""

    def __init__(self, store: Any):
        self.store = store

    def pairs(self, predicate: str) -> dict[str, list[str]]:
        """Subject -> the values (IRIs, or literals' lexical forms) of one predicate, in every graph
        (a statement in two graphs is listed twice: the readers below add each value once)."""
        found: dict[str, list[str]] = defaultdict(list)
        for subject, value in self._select(f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o }}"):
            found[subject].append(value)
        return found

    def subjects(self, predicate: str, obj: str) -> set[str]:
        return {row[0] for row in self._select(f"SELECT ?s WHERE {{ ?s <{predicate}> <{obj}> }}")}

    def _select(self, query: str) -> Iterator[list[str]]:
        """The rows of a one-pattern SELECT as strings. The embedded store serializes them as TSV
        in Rust, several times faster than making a Python term per value."""
        answer = self.store.query(query, use_default_graph_as_union=True)
        if not hasattr(answer, "serialize"):  # an external server's answer
            for row in answer:
                yield [term.value for term in row]
            return
        lines = answer.serialize(format=QueryResultsFormat.TSV).decode("utf-8").split("\n")
        for line in lines[1:]:
            if line:
                yield [_tsv_value(cell) for cell in line.split("\t")]

    def values(self, subject: str, predicate: str) -> list[Any]:
        return [q.object for q in self.store.quads_for_pattern(NamedNode(subject), NamedNode(predicate), None, None)]

    def text(self, subject: str, predicate: str) -> str | None:
        found = [v.value for v in self.values(subject, predicate) if isinstance(v, Literal)]
        return found[0] if found else None


_TSV_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "'": "'", "\\": "\\"}


def _tsv_value(cell: str) -> str:
    """An IRI or a literal's lexical form from a SPARQL TSV cell.

    >>> _tsv_value("<https://w3id.org/metkg/ontology#ER>"), _tsv_value('"a \\"b\\""@en'), _tsv_value("2019")
    ('https://w3id.org/metkg/ontology#ER', 'a "b"', '2019')
    """
    if cell.startswith("<"):
        return cell[1:-1]
    if cell.startswith('"'):
        text = cell[1 : cell.rindex('"')]
        return re.sub(r"\\(.)", lambda m: _TSV_ESCAPES.get(m.group(1), m.group(1)), text) if "\\" in text else text
    return cell


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def read_patients(snapshot: Snapshot, catalogue: Catalogue) -> list[PatientEntry]:
    """Every patient of the build with what the facets and the search need."""
    graph = _Graph(snapshot.store)
    facts = {p: graph.pairs(p) for p in (METKG.doi, METKG.year, METKG.patientIndex, METKG.sex, METKG.age)}

    def first(subject: str, predicate: str) -> str | None:
        values = facts[predicate].get(subject)
        return values[0] if values else None

    patients: dict[str, PatientEntry] = {}
    for case, described in graph.pairs(METKG.describes).items():
        title = graph.text(case, RDFS.label) or case
        for node in described:
            sex = first(node, METKG.sex)
            patients[node] = PatientEntry(
                iri=node,
                label=graph.text(node, RDFS.label) or node,
                case_iri=case,
                title=title,
                doi=first(case, METKG.doi) or "",
                index=_int(first(node, METKG.patientIndex)) or 1,
                year=_int(first(case, METKG.year)),
                sex=catalogue.label(sex) if sex else None,
                age=_int(first(node, METKG.age)),
            )
    _read_lesions(graph, patients, catalogue)
    _read_results(graph, patients)
    _read_interventions(graph, patients, catalogue)
    return list(patients.values())


def _read_lesions(graph: _Graph, patients: dict[str, PatientEntry], catalogue: Catalogue) -> None:
    primaries = graph.subjects(RDF.type, METKG.PrimaryTumor)
    metastases = graph.subjects(RDF.type, METKG.Metastasis)
    histology = graph.pairs(METKG.histology)
    # the build's rules materialise each metastasis's site class: one scan instead of a walk per lesion
    site_class = graph.pairs(METKG.metastasisSite)
    site_of, site_text = graph.pairs(METKG.hasSite), graph.pairs(METKG.siteText)
    for p, lesions in graph.pairs(METKG.hasLesion).items():
        patient = patients.get(p)
        for lesion in (x for x in lesions) if patient is not None else ():
            if lesion in primaries:
                for h in histology.get(lesion, ()):
                    _add_once(patient.primaries, h)  # type: ignore[union-attr]
            elif lesion in metastases:
                sites = [c for c in site_class.get(lesion, ())] or _site_classes(graph, lesion)
                for site in sites:
                    if site in catalogue.terms and catalogue.terms[site].category == "site":
                        _add_once(patient.sites, site)  # type: ignore[union-attr]
                for text in (t for s in site_of.get(lesion, ()) for t in site_text.get(s, ())):
                    _add_once(patient.site_texts, text)  # type: ignore[union-attr]
    for patient in patients.values():
        patient.sites = _most_specific(patient.sites, catalogue)


def _site_classes(graph: _Graph, lesion: str) -> list[str]:
    """The site classes of a lesion read from its site individual (a build without the rules)."""
    return [c.value for s in graph.values(lesion, METKG.hasSite) for c in graph.values(s.value, RDF.type)]


def _read_results(graph: _Graph, patients: dict[str, PatientEntry]) -> None:
    results, markers, statuses = graph.pairs(METKG.hasResult), graph.pairs(METKG.marker), graph.pairs(METKG.status)
    for p, specimens in graph.pairs(METKG.hasSpecimen).items():
        patient = patients.get(p)
        if patient is None:
            continue
        for result in (r for s in specimens for r in results.get(s, ())):
            for marker in markers.get(result, ()):
                _add_once(patient.markers, marker)
                for status in statuses.get(result, ()):
                    _add_once(patient.statuses, (marker, status))
    marker_of, direction_of = graph.pairs(METKG.conversionMarker), graph.pairs(METKG.direction)
    for conversion, owners in graph.pairs(METKG.patient).items():
        patient = patients.get(owners[0])
        if patient is None or conversion not in marker_of:
            continue
        marker = marker_of[conversion][0]
        directions = direction_of.get(conversion)
        _add_once(patient.conversions, (marker, directions[0] if directions else None))
        _add_once(patient.markers, marker)


def _read_interventions(graph: _Graph, patients: dict[str, PatientEntry], catalogue: Catalogue) -> None:
    drugs, agents = graph.pairs(METKG.hasDrug), graph.pairs(METKG.agent)
    procedures, described = graph.pairs(METKG.interventionProcedure), graph.pairs(METKG.description)
    kinds = [k for k in catalogue.terms if k != METKG.Intervention and METKG.Intervention in catalogue.ancestors(k)]
    typed = {kind: graph.subjects(RDF.type, kind) for kind in kinds}
    collected = graph.pairs(METKG.collectedBy)
    for p, specimens in graph.pairs(METKG.hasSpecimen).items():
        for procedure in (c for s in specimens for c in collected.get(s, ())):
            if p in patients:
                _add_once(patients[p].procedures, procedure)
    for p, interventions in graph.pairs(METKG.hasIntervention).items():
        patient = patients.get(p)
        for i in (x for x in interventions) if patient is not None else ():
            for kind in (k for k in kinds if i in typed[k]):
                _add_once(patient.interventions, kind)  # type: ignore[union-attr]
            for text in described.get(i, ()):
                _add_once(patient.treatments, text)  # type: ignore[union-attr]
            for drug in (a for d in drugs.get(i, ()) for a in agents.get(d, ())):
                _add_once(patient.drugs, drug)  # type: ignore[union-attr]
            for procedure in procedures.get(i, ()):
                _add_once(patient.procedures, procedure)  # type: ignore[union-attr]


def _most_specific(iris: list[str], catalogue: Catalogue) -> list[str]:
    """The terms of ``iris`` no other one is below (a site individual is typed by every class above it)."""
    above = {a for iri in iris for a in catalogue.ancestors(iri) - {iri}}
    return [iri for iri in iris if iri not in above]


def _add_once(items: list[Any], item: Any) -> None:
    if item not in items:
        items.append(item)


# ---------------------------------------------------------------- one index per build


def read_index(snapshot: Snapshot) -> BrowseIndex:
    """The browse index of one build, read from its store: seconds at 10,000 cases, a tenth more
    with the cyclic garbage collector running (paused here: everything the read makes is kept)."""
    with no_cyclic_gc():
        catalogue = read_catalogue(snapshot.store, snapshot.ontology_graph)  # type: ignore[arg-type]
        return BrowseIndex(read_patients(snapshot, catalogue), catalogue, snapshot.path)


class _IndexCache:
    """The index of the served build. When a new build is published, the index of the previous one
    goes on answering while the new one is read in a thread (pages stay fast; lists and counts lag
    the publish by that long); only a server with no index at all reads it while a request waits.

    A build is known by its path (build names are never reused), not by the snapshot object: two
    readers of one store (a server and a script, two apps in one process) share the index rather
    than reading it again, each time the other one asks.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: BrowseIndex | None = None
        self.reading: str | None = None  # the path of the build being read in a thread

    def get(self, snapshot: Snapshot) -> BrowseIndex:
        with self.lock:
            if self.index is not None and self.index.is_of(snapshot):
                return self.index
            if self.index is not None:
                if self.reading != snapshot.path:
                    self.reading = snapshot.path
                    threading.Thread(target=self._read, args=(snapshot,), name="metkg-index", daemon=True).start()
                return self.index
            index = read_index(snapshot)
            self._store(index)
        _settle()
        return index

    def _read(self, snapshot: Snapshot) -> None:
        try:
            index = read_index(snapshot)
        except Exception:
            with self.lock:
                self.reading = None
            return
        with self.lock:
            self._store(index)
        _settle()

    def _store(self, index: BrowseIndex) -> None:
        self.index = index
        if self.reading == index.build:
            self.reading = None


def _settle() -> None:
    """Set what is alive now, a newly read index with it, apart from the garbage collector's work.

    An index is a few hundred thousand objects that live as long as their build is served.
    Every few dozen requests Python's full collection traversed them all (80 ms at 10,000
    cases, a pause of whichever request set it off). Frozen, they are skipped; unfrozen first,
    so that what the previous index left in reference cycles is collected now, once per build.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


_log = logging.getLogger("metkg.web")
_caches: dict[str, _IndexCache] = {}
_caches_lock = threading.Lock()


def browse_index(snapshot: Snapshot) -> BrowseIndex:
    """The index of the served build: read on first use, then kept; after a new build is published,
    the previous build's index answers until the new one is read (in a thread). One cache per
    store (the folder of its builds), so servers of two stores in one process never mix them."""
    with _caches_lock:
        cache = _caches.setdefault(os.path.dirname(snapshot.path), _IndexCache())
    return cache.get(snapshot)


def catalogue_of(snapshot: Snapshot) -> Catalogue:
    """The ontology catalogue of ``snapshot``'s build (the browse index's)."""
    return browse_index(snapshot).catalogue


def warm_in_background(snapshot: Callable[[], Snapshot]) -> threading.Thread:
    """Read the served build's index in a thread now (at server start), so the first page need not
    wait for it; a server without a build yet reads it on first use instead."""

    def warm() -> None:
        try:
            browse_index(snapshot())
        except StoreError:
            return

    thread = threading.Thread(target=warm, name="metkg-browse-index", daemon=True)
    thread.start()
    return thread
