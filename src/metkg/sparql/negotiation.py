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
)
ALL_FORMATS: tuple[Format, ...] = SOLUTION_FORMATS + GRAPH_FORMATS + DATASET_FORMATS

_ALIASES = {
    "ttl": "turtle",
    "nt": "ntriples",
    "nq": "nquads",
    "json-ld": "jsonld",
    "rdf": "rdfxml",
    "srj": "json",
    "srx": "xml",
}


def format_by_name(name: str, formats: Sequence[Format]) -> Format | None:
    """The format called ``name`` (or a common alias such as ``ttl``) among ``formats``."""
    wanted = _ALIASES.get(name.lower(), name.lower())
    return next((f for f in formats if f.name == wanted), None)


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
