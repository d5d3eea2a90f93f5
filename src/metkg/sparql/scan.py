"""What a SPARQL query's text declares, found without a full parse.

Oxigraph decides two things the server must know before it runs a query: whether the query
names its own dataset (``FROM`` / ``FROM NAMED``: then the union default graph must not
replace it) and which endpoints ``SERVICE`` would call over the network. Both are keywords;
this module finds them outside strings, IRIs and comments, after the codepoint escapes that
SPARQL resolves before parsing (``\\u0053ERVICE`` is ``SERVICE``).

>>> scan_query('SELECT * FROM <http://ex/g> { ?s ?p "FROM SERVICE" } # SERVICE').declares_dataset
True
>>> scan_query('SELECT ?from { ?from ?p ?o }').declares_dataset
False
>>> scan_query('SELECT * { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }').services
('http://example.org/sparql',)
>>> scan_query('PREFIX ex: <http://ex/> LOAD <http://ex/data.ttl>').update_operation
'LOAD'

A backslash outside strings is a prefixed name's escape (``ex:a\\'b``, ``ex:a\\#b``): it is
skipped with the character it escapes, so that quote or ``#`` opens no string or comment.
The scan is the server's quick first check; :mod:`metkg.sparql.federation` confirms from the
parser's algebra that a query mentioning ``SERVICE`` calls only allowed hosts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["QueryScan", "scan_query", "unescape_codepoints"]

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Long strings first, then short strings, IRIs, comments. IRIREF cannot hold spaces, so
# a less-than operator ("?a < ?b") is never taken for an IRI.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|#[^\n\r]*"
    r"|\\[^\n\r]",  # PN_LOCAL_ESC: ex:a\'b is one prefixed name
    re.DOTALL,
)
_KEYWORD = r"(?<![\w?$:@-]){}(?![\w:-])"
_FROM = re.compile(_KEYWORD.format("FROM"), re.IGNORECASE)
_SERVICE = re.compile(_KEYWORD.format("SERVICE") + r"(?:\s+SILENT)?\s*(\S*)", re.IGNORECASE)
_IRI_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")
# The prologue (BASE and PREFIX declarations), then the first keyword of the operation.
_PROLOGUE = re.compile(r"\s*(?:(?:BASE\s*\x00\d+\x00|PREFIX\s+[^\s:]*:\s*\x00\d+\x00)\s*)*", re.IGNORECASE)
_BRACKET = re.compile(r"[(){}\[\]]")
_UPDATE_VERBS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})


@dataclass(frozen=True)
class QueryScan:
    """The keywords found in a query's text."""

    declares_dataset: bool
    services: tuple[str, ...]  # IRIs of SERVICE clauses; "" for a SERVICE on a variable
    update_operation: str | None = None  # INSERT, LOAD, DROP...: the text is a SPARQL Update
    nesting: int = 0  # the deepest nesting of (), {} and [] outside strings, IRIs and comments


def unescape_codepoints(text: str) -> str:
    r"""Resolve ``\uXXXX`` and ``\UXXXXXXXX`` escapes as SPARQL does before parsing.

    >>> unescape_codepoints(r"\u0053ERVICE")
    'SERVICE'
    """

    def char(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(1) or match.group(2), 16))
        except ValueError:
            return match.group(0)

    return _CODEPOINT.sub(char, text)


def _mask(text: str) -> tuple[str, list[str]]:
    """The text with strings and comments blanked and IRIs replaced by numbered placeholders."""
    iris: list[str] = []

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("<"):
            iris.append(token[1:-1])
            return f" \x00{len(iris) - 1}\x00 "
        return "_" if token.startswith("\\") else " "

    return _TOKEN.sub(replace, text), iris


@lru_cache(maxsize=256)  # a server sees the same texts again and again: its named queries
def scan_query(query: str) -> QueryScan:
    """Find ``FROM`` and ``SERVICE`` keywords in a query, and the verb of an update."""
    masked, iris = _mask(unescape_codepoints(query))
    services = []
    for match in _SERVICE.finditer(masked):
        placeholder = _IRI_PLACEHOLDER.match(match.group(1))
        services.append(iris[int(placeholder.group(1))] if placeholder else "")
    first = re.match(r"[A-Za-z]+", masked[_PROLOGUE.match(masked).end() :])  # type: ignore[union-attr]
    verb = first.group(0).upper() if first else None
    return QueryScan(
        declares_dataset=bool(_FROM.search(masked)),
        services=tuple(services),
        update_operation=verb if verb in _UPDATE_VERBS else None,
        nesting=_nesting(masked),
    )


def _nesting(masked: str) -> int:
    """The deepest nesting of brackets.

    >>> _nesting("SELECT * { FILTER((1)) }")
    3
    """
    depth = deepest = 0
    for bracket in _BRACKET.findall(masked):
        depth = depth + 1 if bracket in "({[" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest
