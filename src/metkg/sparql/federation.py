"""Federated queries: which hosts a query's ``SERVICE`` clauses would call, and whether that is allowed.

Oxigraph evaluates ``SERVICE <http://host/sparql> { ... }`` by calling that endpoint over HTTP,
so a public endpoint must refuse SERVICE to any host not on ``Settings.service_allow`` (empty
by default: no federation at all). Two checks, both failing closed:

- :func:`metkg.sparql.scan.scan_query` finds SERVICE keywords outside strings, IRIs and
  comments, cheaply, before a query reaches a worker;
- :func:`check_services` runs where a query runs (a worker process, stopped at the timeout):
  when the word SERVICE occurs anywhere in the text, it parses the query with rdflib's SPARQL
  parser and reads every ``ServiceGraphPattern`` of the algebra. A query the parser cannot
  read is refused rather than guessed at.

>>> check_services('SELECT * { ?s ?p "SERVICE <http://example.org/sparql>" }', ())
>>> check_services("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", ("example.org",))
>>> check_services("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", ())  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
metkg.errors.QueryRefusedError: federated query (SERVICE to 'http://example.org/sparql') is not allowed...
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from metkg.errors import QueryRefusedError
from metkg.sparql.scan import unescape_codepoints

__all__ = ["check_services", "host_allowed", "mentions_service", "refusal", "service_endpoints"]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SERVICE_WORD = re.compile(r"SERVICE", re.IGNORECASE)


def host_allowed(iri: str, allowed: Iterable[str]) -> bool:
    """Whether ``iri`` is an http(s) IRI whose host and port are allowed.

    An entry ``host`` allows that host on its scheme's default port only (80, 443); an entry
    ``host:port`` allows that port only. So allowing a SPARQL server does not open its other
    services (SSH, a database, an admin port) to the server's queries.

    >>> host_allowed("http://user@allowed.org@evil.example/sparql", ["allowed.org"])
    False
    >>> host_allowed("https://allowed.org/sparql", ["allowed.org"])
    True
    >>> host_allowed("http://allowed.org:22/", ["allowed.org"])
    False
    >>> host_allowed("http://allowed.org:8890/sparql", ["allowed.org:8890"])
    True
    """
    parts = urlsplit(iri)
    if parts.scheme not in ("http", "https") or parts.hostname is None:
        return False
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:  # a port that is not a number
        return False
    entries = set(allowed)
    default = port == _DEFAULT_PORTS[parts.scheme] and parts.hostname in entries
    return default or f"{parts.hostname}:{port}" in entries


def refusal(iri: str, allowed: Iterable[str]) -> QueryRefusedError:
    """The 403 error for a SERVICE call to ``iri`` ("" for a variable or a name the check cannot read)."""
    where = f"to {iri!r}" if iri else "on a variable or an endpoint the server cannot read"
    hosts = ", ".join(sorted(set(allowed))) or "no host"
    return QueryRefusedError(
        f"federated query (SERVICE {where}) is not allowed on this server; SERVICE may call: {hosts}"
    )


@lru_cache(maxsize=256)
def mentions_service(query: str) -> bool:
    """Whether the letters SERVICE occur anywhere in the query (after codepoint escapes), in any case."""
    return bool(_SERVICE_WORD.search(unescape_codepoints(query)))


def service_endpoints(query: str, base_iri: str | None = None, prefixes: Mapping[str, str] | None = None) -> list[str]:
    """The endpoint of every SERVICE clause in the parsed query ("" for a variable).

    Raises :class:`QueryRefusedError` when the query cannot be parsed: its SERVICE calls cannot
    be known, so it is not run.
    """
    from rdflib.plugins.sparql import algebra, parser
    from rdflib.term import URIRef

    try:
        tree = parser.parseQuery(query)
        translated = algebra.translateQuery(tree, base=base_iri, initNs=dict(prefixes or {}))
    except Exception:  # any parser failure (syntax, recursion depth, unknown prefix) fails closed
        raise QueryRefusedError(
            "the query mentions SERVICE, and the server could not check which hosts it would call; "
            "federated queries are not allowed on this server"
        ) from None
    found: list[str] = []

    def visit(node: Any) -> None:
        if getattr(node, "name", None) == "ServiceGraphPattern":
            term = node.get("term")
            found.append(str(term) if isinstance(term, URIRef) else "")

    algebra.traverse(translated.algebra, visitPre=visit)
    return found


def check_services(
    query: str, allowed: Iterable[str], base_iri: str | None = None, prefixes: Mapping[str, str] | None = None
) -> None:
    """Refuse (:class:`QueryRefusedError`) a query whose SERVICE clauses call a host not in ``allowed``."""
    if not mentions_service(query):
        return
    allowed = tuple(allowed)
    for iri in service_endpoints(query, base_iri, prefixes):
        if not host_allowed(iri, allowed):
            raise refusal(iri, allowed)
