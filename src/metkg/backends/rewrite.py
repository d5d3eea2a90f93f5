"""SPARQL text for an external engine: what Oxigraph takes as arguments, written into the query.

The embedded store receives prefixes, a base IRI and variable bindings as arguments of
``Store.query``. A server reached over the SPARQL 1.1 Protocol only receives text, so those
arguments are written into the query: ``PREFIX``/``BASE`` lines in front (only those the query
does not declare itself), bindings as an inline ``VALUES`` block at the start of the ``WHERE``
group. Everything here is a pure function of strings and terms.

>>> query_form("PREFIX ex: <http://e/> # SELECT in a comment\\nASK { ?s ex:p 'SELECT' }")
'ASK'
>>> with_values("SELECT ?s WHERE { ?s ?p ?o }", [("p", NamedNode("http://e/p"))])
'SELECT ?s WHERE { VALUES (?p) { (<http://e/p>) } ?s ?p ?o }'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

from pyoxigraph import BlankNode, Literal, NamedNode

from metkg.errors import QueryError

__all__ = [
    "declared_prefixes",
    "mask",
    "mentions_graph",
    "projected_variables",
    "query_form",
    "sparql_term",
    "with_prologue",
    "with_values",
    "without_lateral",
]

# Strings (long ones first), IRIs and comments: where keywords and braces do not count.
# An IRIREF holds no spaces, so "?a < ?b" is never taken for an IRI.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\s]*>'
    r"|#[^\n\r]*",
    re.DOTALL,
)
_WORD = r"(?<![\w?$:@-]){}(?![\w:-])"
_FORM = re.compile(_WORD.format("(SELECT|CONSTRUCT|DESCRIBE|ASK)"), re.IGNORECASE)
_PREFIX_DECL = re.compile(r"(?<![\w?$:@-])PREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.IGNORECASE)
_BASE_DECL = re.compile(_WORD.format("BASE"), re.IGNORECASE)
_GRAPH = re.compile(_WORD.format("GRAPH"), re.IGNORECASE)
_WHERE_GROUP = re.compile(_WORD.format("WHERE") + r"\s*\{", re.IGNORECASE)
_LATERAL = re.compile(_WORD.format("LATERAL") + r"(?=\s*\{)", re.IGNORECASE)
_SUBSELECT = re.compile(r"\s*SELECT(?![\w:-])", re.IGNORECASE)
_SELECT_CLAUSE = re.compile(
    _WORD.format("SELECT") + r"(.*?)(?:" + _WORD.format("WHERE") + r"|\{)", re.IGNORECASE | re.DOTALL
)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]*)")


def mask(query: str) -> str:
    """The query with strings, IRIs and comments blanked out, every character keeping its offset.

    >>> mask('SELECT * { ?s <http://e/x> "a { b" } # }')
    'SELECT * { ?s              "     " }    '
    """

    def blank(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith(("'", '"')):
            return token[0] + " " * (len(token) - 2) + token[-1]
        return " " * len(token)

    return _TOKEN.sub(blank, query)


def query_form(query: str) -> str:
    """``SELECT``, ``CONSTRUCT``, ``DESCRIBE`` or ``ASK``: the first query-form keyword.

    ``SELECT`` when there is none, so that the server, not metkg, reports the syntax error.
    """
    match = _FORM.search(mask(query))
    return match.group(1).upper() if match else "SELECT"


def without_lateral(query: str) -> str:
    """The query with Oxigraph's ``LATERAL { ... }`` (a SPARQL 1.2 proposal) unwrapped in place.

    metkg's named queries use ``LATERAL`` only to make Oxigraph seed the inner group with the
    rows of the outer one. Unwrapping the group (its patterns join the enclosing group, where
    they see the same outer variables) gives the same answers on engines without it; keeping
    it as a plain ``{ ... }`` would not: ``{ OPTIONAL { ?x ?p ?v } }`` on its own matches every
    ``?x`` of the store, and joining it drops the outer rows whose ``?x`` has no ``?v``.

    >>> without_lateral("SELECT * { ?c ?p ?x LATERAL { OPTIONAL { ?x ?q 'LATERAL { x }' } } }")
    "SELECT * { ?c ?p ?x   OPTIONAL { ?x ?q 'LATERAL { x }' }  }"
    >>> without_lateral("SELECT * { ?a ?b ?c LATERAL { OPTIONAL { ?c ?d ?e LATERAL { ?e ?f ?g } } } }")
    'SELECT * { ?a ?b ?c   OPTIONAL { ?c ?d ?e   ?e ?f ?g  }  }'

    A ``LATERAL`` sub-select keeps its braces (a sub-select needs them); it sees the parameters
    because :func:`with_values` binds them in every ``WHERE`` group that uses them:

    >>> without_lateral("SELECT * { LATERAL { SELECT ?x WHERE { ?x ?p ?o } LIMIT 1 } }")
    'SELECT * {         { SELECT ?x WHERE { ?x ?p ?o } LIMIT 1 } }'
    """
    masked = mask(query)
    cuts: list[tuple[int, int, str]] = []
    for match in _LATERAL.finditer(masked):
        opening = masked.index("{", match.end())
        if _SUBSELECT.match(masked, opening + 1):  # the keyword goes, the braces stay
            cuts.append((match.start(), match.end(), " " * (match.end() - match.start())))
            continue
        closing = _closing_brace(masked, opening)
        if closing < 0:  # unbalanced: leave it to the server's parser to report
            continue
        # The keyword and its braces go; line breaks stay, so the line numbers hold.
        keep = " " + "\n" * query.count("\n", match.start(), opening + 1)
        cuts += [(match.start(), opening + 1, keep), (closing, closing + 1, "")]
    for start, end, keep in sorted(cuts, reverse=True):
        query = query[:start] + keep + query[end:]
    return query


def mentions_graph(query: str) -> bool:
    """Whether the query has a ``GRAPH`` pattern (outside strings, IRIs and comments).

    >>> mentions_graph("SELECT ?g { GRAPH ?g { ?s ?p ?o } }"), mentions_graph("SELECT ?graph { ?graph ?p 'GRAPH' }")
    (True, False)
    """
    return bool(_GRAPH.search(mask(query)))


def declared_prefixes(query: str) -> set[str]:
    """The prefix names the query declares itself (``""`` for the empty prefix)."""
    return {m.group(1) or "" for m in _PREFIX_DECL.finditer(mask(query))}


def with_prologue(query: str, prefixes: Mapping[str, str] | None = None, base_iri: str | None = None) -> str:
    """The query with ``BASE`` and the ``PREFIX`` lines it lacks put in front.

    >>> with_prologue("PREFIX ex: <http://x/> SELECT * {}", {"ex": "http://e/", "rdfs": "http://r#"})
    'PREFIX rdfs: <http://r#> PREFIX ex: <http://x/> SELECT * {}'
    """
    masked = mask(query)
    parts = []
    if base_iri and not _BASE_DECL.search(masked):
        parts.append(f"BASE <{base_iri}> ")
    own = declared_prefixes(query)
    parts += [f"PREFIX {name}: <{iri}> " for name, iri in (prefixes or {}).items() if name not in own]
    # On the query's first line, so that the line numbers of the server's error messages hold.
    return "".join(parts) + query


def sparql_term(term: NamedNode | Literal) -> str:
    """An IRI or literal in SPARQL syntax (its N-Triples form, which SPARQL reads as is).

    >>> sparql_term(Literal('say "hi"')), sparql_term(NamedNode("http://e/x"))
    ('"say \\\\"hi\\\\""', '<http://e/x>')
    """
    if isinstance(term, BlankNode) or not isinstance(term, NamedNode | Literal):
        raise QueryError(f"cannot send {term!r} to a SPARQL server as a bound value; bind an IRI or a literal")
    return str(term)


def with_values(
    query: str,
    bindings: Sequence[tuple[str, NamedNode | Literal]],
    sub_select_bindings: Sequence[tuple[str, NamedNode | Literal]] = (),
) -> str:
    """The query with ``VALUES (?a ?b) { (x y) }`` opening each of its ``WHERE`` groups.

    For the named queries this gives what Oxigraph's ``substitutions`` give in the outer query:
    the variable holds the value wherever it occurs in the group. A sub-select (which Oxigraph's
    substitutions do not reach) gets the block too, so a named query can choose a page in a
    sub-select from its parameters; ``sub_select_bindings`` are written there alone. Raises
    :class:`QueryError` when the query has no group to put it in.

    A group whose variable occurs only inside its own sub-selects gets no block: it would only
    join one row to every solution, and Virtuoso plans such a join so badly that a paged listing
    did not answer in minutes.

    >>> query = "SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 } }"
    >>> print(with_values(query, [("p", NamedNode("x:p")), ("s", NamedNode("x:s"))]))  # doctest: +NORMALIZE_WHITESPACE
    SELECT ?s WHERE { VALUES (?s) { (<x:s>) }
      { SELECT ?s WHERE { VALUES (?p ?s) { (<x:p> <x:s>) } ?s ?p ?o } LIMIT 1 } }
    >>> print(with_values(query, [], [("p", NamedNode("x:p"))]))
    SELECT ?s WHERE { { SELECT ?s WHERE { VALUES (?p) { (<x:p>) } ?s ?p ?o } LIMIT 1 } }
    """
    if not bindings and not sub_select_bindings:
        return query
    positions = _where_groups(query)
    if not positions:
        raise QueryError("the query has no WHERE group to bind parameters in")
    for i in reversed(range(len(positions))):
        given = [*bindings, *sub_select_bindings] if i else bindings
        block = _values_block([(name, term) for name, term in given if _needed(query, name)[i]])
        query = query[: positions[i]] + block + query[positions[i] :]
    return query


def _closing_brace(masked: str, opening: int) -> int:
    """The index of the ``}`` that closes the ``{`` at ``opening`` in a masked query (-1: none)."""
    depth = 0
    for i in range(opening, len(masked)):
        if masked[i] == "{":
            depth += 1
        elif masked[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return -1


@functools.lru_cache(maxsize=256)
def _group_bodies(query: str) -> tuple[tuple[int, int], ...]:
    """Where each ``WHERE`` group's body starts and ends (as :func:`_where_groups` finds them)."""
    masked = mask(query)
    bodies = []
    for start in _where_groups(query):
        closing = _closing_brace(masked, start - 1)
        bodies.append((start, closing + 1 if closing >= 0 else len(masked)))
    return tuple(bodies)


@functools.lru_cache(maxsize=1024)
def _needed(query: str, name: str) -> tuple[bool, ...]:
    """Per ``WHERE`` group, whether ``?name`` occurs anywhere but inside the group's own sub-selects.

    Anywhere counts: the group's body, its query's projection and modifiers, enclosing queries.
    A variable that does not occur at all is kept everywhere, as before.
    """
    masked, bodies = mask(query), _group_bodies(query)
    found = [m.start() for m in re.finditer(rf"[?$]{re.escape(name)}(?![\w])", masked)]
    if not found:
        return (True,) * len(bodies)
    needed = []
    for start, end in bodies:
        nested = [(s, e) for s, e in bodies if start < s and e <= end]
        needed.append(not all(any(s <= at < e for s, e in nested) for at in found))
    return tuple(needed)


def _values_block(bindings: Sequence[tuple[str, NamedNode | Literal]]) -> str:
    if not bindings:
        return ""
    names = " ".join(f"?{name}" for name, _ in bindings)
    values = " ".join(sparql_term(term) for _, term in bindings)
    return f" VALUES ({names}) {{ ({values}) }}"


@functools.lru_cache(maxsize=256)
def _where_groups(query: str) -> tuple[int, ...]:
    """Where each ``WHERE {`` group of the query opens (the first ``{`` when it has none).

    Cached: masking a named query's text takes longer than running a per-case query's lookups.
    """
    masked = mask(query)
    positions = tuple(match.end() for match in _WHERE_GROUP.finditer(masked))
    opening = masked.find("{")
    return positions or ((opening + 1,) if opening >= 0 else ())


@functools.lru_cache(maxsize=256)
def projected_variables(query: str) -> frozenset[str] | None:
    """The variables a ``SELECT`` query projects (``None`` for ``SELECT *`` and other forms).

    Only the variable an ``(expression AS ?v)`` binds is projected, not those it reads.

    >>> sorted(projected_variables("SELECT DISTINCT ?a (COUNT(?b) AS ?n) $c WHERE { }"))
    ['a', 'c', 'n']
    >>> projected_variables("SELECT * { ?s ?p ?o }") is None, projected_variables("ASK { ?s ?p ?o }")
    (True, None)
    """
    masked = mask(query)
    form = _FORM.search(masked)
    if (form and form.group(1).upper() != "SELECT") or not (clause := _SELECT_CLAUSE.search(masked)):
        return None
    projection, depth, names = clause.group(1), 0, set()
    for i, char in enumerate(projection):
        depth += (char == "(") - (char == ")")
        if char == "*" and depth == 0:
            return None
        if char in "?$" and depth == 0 and (match := _VARIABLE.match(projection, i)):
            names.add(match.group(1))
    names.update(m.group(1) for m in re.finditer(r"(?<![\w:-])AS\s+[?$]([A-Za-z_]\w*)\s*\)", projection, re.I))
    return frozenset(names)
