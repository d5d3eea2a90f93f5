"""Content negotiation: the HTTP ``Accept`` header and the formats metkg can answer in.

The parser follows RFC 9110 section 12.5.1: media ranges with ``q`` weights, the most specific
range that matches a media type decides its weight, ``q=0`` means "not acceptable". Among the
offers the client weighs highest, the server's own order decides, so ``*/*`` (or no header at
all) gives the first offer.

>>> negotiate("text/csv;q=0.5, application/sparql-results+json", ["application/sparql-results+json", "text/csv"])
'application/sparql-results+json'
>>> negotiate("text/*;q=0.3, text/csv", ["application/sparql-results+json", "text/csv"])
'text/csv'
>>> negotiate("image/png", ["text/turtle"]) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "ALL_FORMATS",
    "DATASET_FORMATS",
    "GRAPH_FORMATS",
    "QUAD_FORMATS",
    "SOLUTION_FORMATS",
    "Format",
    "MediaRange",
    "choose_format",
    "format_by_name",
    "negotiate",
    "parse_accept",
]


@dataclass(frozen=True)
class MediaRange:
    """One element of an ``Accept`` header: ``type/subtype`` with its weight."""

    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        """2 for ``text/csv``, 1 for ``text/*``, 0 for ``*/*``."""
        return (self.type != "*") + (self.subtype != "*")

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


def _weight(params: list[str]) -> float | None:
    """The ``q`` parameter of a media range; ``None`` when it is malformed."""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return None
            return q if 0.0 <= q <= 1.0 else None
    return 1.0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed elements are skipped.

    >>> parse_accept("text/html, application/xml;q=0.9, */*;q=0.8")[1]
    MediaRange(type='application', subtype='xml', q=0.9)
    >>> parse_accept("nonsense, text/turtle;q=2")
    []
    """
    ranges: list[MediaRange] = []
    for element in (header or "").split(","):
        media, *params = element.split(";")
        kind, slash, sub = media.strip().lower().partition("/")
        q = _weight(params)
        if not slash or not kind or not sub or q is None or (kind == "*" and sub != "*"):
            continue
        ranges.append(MediaRange(kind, sub, q))
    return ranges


def _quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int]:
    """The weight the client gives ``media_type`` and how specific the deciding range is."""
    matching = [r for r in ranges if r.matches(media_type)]
    if not matching:
        return 0.0, -1
    best = max(matching, key=lambda r: (r.specificity, r.q))
    return best.q, best.specificity


def negotiate(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client accepts best, or ``None`` when it accepts none of them.

    An absent or empty header (or one with no valid element) accepts anything: the first
    offer is the server's default.
    """
    ranges = parse_accept(header)
    if not ranges:
        return offers[0] if offers else None
    best: str | None = None
    best_key = (0.0, -1)
    for offer in offers:
        key = _quality(ranges, offer.lower())
        if key[0] > 0 and key > best_key:
            best, best_key = offer, key
    return best


@dataclass(frozen=True)
class Format:
    """A serialization metkg answers in: a name (for ``?format=``) and its media types.

    The first media type is the canonical one; the others are accepted aliases.
    """

    name: str
    media_types: tuple[str, ...]
    kind: str  # "solutions" (SELECT/ASK), "graph" (CONSTRUCT/DESCRIBE, resources) or "dataset"
    extension: str
    label: str

    @property
    def media_type(self) -> str:
        return self.media_types[0]


SOLUTION_FORMATS: tuple[Format, ...] = (
    Format("json", ("application/sparql-results+json", "application/json"), "solutions", "srj", "SPARQL JSON"),
    Format("xml", ("application/sparql-results+xml", "application/xml"), "solutions", "srx", "SPARQL XML"),
    Format("csv", ("text/csv",), "solutions", "csv", "CSV"),
    Format("tsv", ("text/tab-separated-values",), "solutions", "tsv", "TSV"),
    Format("html", ("text/html", "application/xhtml+xml"), "solutions", "html", "HTML table"),
)
GRAPH_FORMATS: tuple[Format, ...] = (
    Format("turtle", ("text/turtle", "application/x-turtle"), "graph", "ttl", "Turtle"),
    Format("ntriples", ("application/n-triples", "text/plain"), "graph", "nt", "N-Triples"),
    Format("jsonld", ("application/ld+json", "application/json"), "graph", "jsonld", "JSON-LD"),
    Format("rdfxml", ("application/rdf+xml", "application/xml"), "graph", "rdf", "RDF/XML"),
    Format("html", ("text/html", "application/xhtml+xml"), "graph", "html", "HTML page"),
)
DATASET_FORMATS: tuple[Format, ...] = (
    Format("turtle", ("text/turtle", "application/x-turtle"), "dataset", "ttl", "Turtle (graphs merged)"),
    Format("trig", ("application/trig",), "dataset", "trig", "TriG"),
    Format("nquads", ("application/n-quads",), "dataset", "nq", "N-Quads"),
    Format("ntriples", ("application/n-triples",), "dataset", "nt", "N-Triples (graphs merged)"),
    Format("jsonld", ("application/ld+json",), "dataset", "jsonld", "JSON-LD"),
    Format("rdfxml", ("application/rdf+xml",), "dataset", "rdf", "RDF/XML (graphs merged)"),
)
#: Dataset formats that keep the named graphs; the others merge them into one graph.
QUAD_FORMATS = ("trig", "nquads", "jsonld")
ALL_FORMATS: tuple[Format, ...] = SOLUTION_FORMATS + GRAPH_FORMATS + DATASET_FORMATS

_ALIASES = {
    "ttl": "turtle",
    "n3": "turtle",  # SPARQLWrapper's N3; Turtle is N3 without its extensions
    "nt": "ntriples",
    "nq": "nquads",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "srj": "json",
    "srx": "xml",
}
#: Where a family of formats has no format of a name, the one a client asking for it means:
#: ``json`` and ``xml`` for a CONSTRUCT or DESCRIBE are JSON-LD and RDF/XML.
_FALLBACKS = {"json": "jsonld", "xml": "rdfxml"}
#: Media types clients send that no format lists as its own (N3 and old Turtle and JSON-LD names).
_MEDIA_ALIASES = {
    "text/n3": "turtle",
    "text/rdf+n3": "turtle",
    "application/n3": "turtle",
    "application/turtle": "turtle",
    "application/x-json+ld": "jsonld",
}


def format_by_name(name: str, formats: Sequence[Format]) -> Format | None:
    """The format called ``name`` among ``formats``: a name, a common alias, or a media type.

    Clients such as SPARQLWrapper put either in ``format=``, or a list of media types, of
    which the first one known decides.

    >>> format_by_name("text/tab-separated-values", SOLUTION_FORMATS).name
    'tsv'
    >>> [format_by_name(n, GRAPH_FORMATS).name for n in ("json", "xml", "n3", "application/ld+json")]
    ['jsonld', 'rdfxml', 'turtle', 'jsonld']
    >>> format_by_name("application/x-unknown,application/rdf+xml", GRAPH_FORMATS).name
    'rdfxml'
    """
    found = (_one_format(part, formats) for part in name.split(","))
    return next((fmt for fmt in found if fmt is not None), None)


def _one_format(name: str, formats: Sequence[Format]) -> Format | None:
    wanted = name.split(";", maxsplit=1)[0].strip().lower()
    if "/" in wanted:
        owner = next((f for f in formats if wanted in f.media_types), None)
        return owner or _named(_MEDIA_ALIASES.get(wanted, ""), formats)
    wanted = _ALIASES.get(wanted, wanted)
    return _named(wanted, formats) or _named(_FALLBACKS.get(wanted, ""), formats)


def _named(name: str, formats: Sequence[Format]) -> Format | None:
    return next((f for f in formats if f.name == name), None)


def choose_format(header: str | None, formats: Sequence[Format]) -> tuple[Format, str] | None:
    """The format the ``Accept`` header prefers and the media type to label the answer with.

    The answer carries the media type the client asked for when it named one (``application/json``
    stays ``application/json``) and the canonical one when it matched through a wildcard.
    """
    offers = [media for fmt in formats for media in fmt.media_types]
    chosen = negotiate(header, offers)
    if chosen is None:
        return None
    fmt = next(f for f in formats if chosen in f.media_types)
    named = any(r.specificity == 2 and r.matches(chosen) and r.q > 0 for r in parse_accept(header))
    return fmt, chosen if named else fmt.media_type
