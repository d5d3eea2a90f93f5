"""Run one SPARQL query on a store and serialize its answer: the work a query worker does.

Everything here is plain data in, bytes out, so that it can run in a worker process that
the server kills when the query takes too long (:mod:`metkg.sparql.pool`), and equally in
the calling process (tests, scripts).

The dataset follows the SPARQL 1.1 Protocol (section 2.1.4): ``default-graph-uri`` and
``named-graph-uri`` replace any dataset the query names; without them a query's own
``FROM``/``FROM NAMED`` decide; without either, the default graph is the union of every
named graph (case reports, ontology, inferred facts) and every named graph can be queried
with ``GRAPH``.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

import pyoxigraph
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    Variable,
)

from metkg.backends.rewrite import projected_variables, with_values
from metkg.errors import FederationError, MetkgError, NotAcceptableError, QueryError, StoreError
from metkg.sparql.federation import check_services, mentions_service
from metkg.sparql.scan import scan_query
from metkg.vocab import PREFIXES, XSD

__all__ = ["QueryAnswer", "QueryRequest", "rdf_format", "run_query"]

_RESULTS_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
    "html": QueryResultsFormat.JSON,  # the web layer renders the table from JSON
}
_GRAPH_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
    "html": RdfFormat.N_TRIPLES,  # the web layer renders the table from N-Triples
    "trig": RdfFormat.TRIG,
    "nquads": RdfFormat.N_QUADS,
}
_PATH = re.compile(r"(?<![\w:/.~-])(?:/[^\s'\"/]+){2,}/?")

Term = NamedNode | BlankNode | Literal | Triple


@dataclass(frozen=True)
class QueryRequest:
    """One query to run, in picklable form.

    ``solutions_format`` and ``graph_format`` name the formats (see
    :mod:`metkg.sparql.negotiation`) to answer a SELECT/ASK or a CONSTRUCT/DESCRIBE query in;
    ``None`` means the client accepts no format for that kind of answer (406).
    ``service_allow`` names the hosts SERVICE clauses may call (none by default). An answer
    stops at ``max_rows`` rows or, cut at a row, at ``max_bytes`` bytes, whichever comes first.
    """

    query: str
    solutions_format: str | None = "json"
    graph_format: str | None = "turtle"
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    substitutions: tuple[tuple[str, Term], ...] = ()
    base_iri: str | None = None
    max_rows: int = 10_000
    service_allow: tuple[str, ...] = ()
    max_bytes: int = 16_000_000
    offset: int = 0  # rows skipped before the first one answered (pages of an HTML answer)


@dataclass(frozen=True)
class QueryAnswer:
    """A serialized answer: the bytes, the format they are in and whether rows were cut.

    ``cut_at_bytes`` says the answer stopped at the byte limit rather than the row limit.
    ``chunks``, set by the server's query pool, streams the body from the worker instead.
    """

    body: bytes
    format: str
    kind: str  # "solutions", "boolean" or "graph"
    truncated: bool = False
    cut_at_bytes: bool = False
    chunks: Any = None  # an async iterator of bytes, never pickled


def rdf_format(name: str) -> RdfFormat:
    """The pyoxigraph format for a format name of :mod:`metkg.sparql.negotiation`."""
    return _GRAPH_FORMATS[name]


def _dataset_options(request: QueryRequest) -> dict[str, Any]:
    if request.default_graphs is not None or request.named_graphs is not None:
        return {
            "default_graph": [NamedNode(g) for g in request.default_graphs or ()],
            "named_graphs": [NamedNode(g) for g in request.named_graphs or ()],
        }
    if scan_query(request.query).declares_dataset:
        return {}
    return {"use_default_graph_as_union": True}


def _term_json(term: Term) -> dict[str, Any]:
    """A term in the SPARQL 1.1 (and SPARQL-star) JSON results form."""
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD.string:
            out["datatype"] = term.datatype.value
        return out
    parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
    return {"type": "triple", "value": {k: _term_json(v) for k, v in parts.items()}}


def _tsv_term(term: Term | None) -> str:
    return "" if term is None else str(term)


def _rows_within(rows: list[Any], sizes: list[int], max_bytes: int) -> int:
    """How many of ``rows`` fit in ``max_bytes``, by their estimated sizes."""
    total = 0
    for count, size in enumerate(sizes):
        total += size
        if total > max_bytes:
            return count
    return len(rows)


def _fit(rows: list[Any], serialize: Any, max_bytes: int) -> tuple[bytes, int]:
    """``rows`` serialized, cut at a row so that the bytes stay within ``max_bytes``; the rows kept."""
    keep = len(rows)
    body = serialize(rows)
    while keep and len(body) > max_bytes:
        keep = min(keep - 1, int(keep * max_bytes / len(body) * 0.95))
        body = serialize(rows[:keep])
    return body, keep


def _solutions_bytes(names: list[str], rows: list[Any], fmt: QueryResultsFormat) -> bytes:
    """Solutions serialized by pyoxigraph, handed over through TSV when no term is a triple.

    SPARQL TSV holds each term in its N-Triples form, which pyoxigraph writes itself: about ten
    times faster than a JSON object per term in Python, which dominated large answers.
    """
    if names and not any(isinstance(term, Triple) for row in rows for term in row):
        lines = ["\t".join(f"?{name}" for name in names)]
        lines.extend("\t".join(_tsv_term(term) for term in row) for row in rows)
        document = ("\n".join(lines) + "\n").encode()
        parsed = pyoxigraph.parse_query_results(document, format=QueryResultsFormat.TSV)
    else:
        bindings = [{name: _term_json(row[name]) for name in names if row[name] is not None} for row in rows]
        document = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}).encode()
        parsed = pyoxigraph.parse_query_results(document, format=QueryResultsFormat.JSON)
    return parsed.serialize(format=fmt)  # type: ignore[union-attr]


def _limited_solutions(solutions: QuerySolutions, request: QueryRequest, fmt: QueryResultsFormat) -> QueryAnswer:
    """The solutions from ``offset`` on, at most ``max_rows`` (evaluation stops there) and ``max_bytes``."""
    names = [v.value for v in solutions.variables]
    rows = list(itertools.islice(solutions, request.offset, request.offset + request.max_rows + 1))
    truncated = len(rows) > request.max_rows
    rows = rows[: request.max_rows]
    sizes = [sum(len(_tsv_term(term)) + 1 for term in row) for row in rows]
    within = _rows_within(rows, sizes, request.max_bytes)
    body, kept = _fit(rows[:within], lambda part: _solutions_bytes(names, part, fmt), request.max_bytes)
    cut = kept < len(rows)
    return QueryAnswer(body, request.solutions_format or "", "solutions", truncated or cut, cut)


def _limited_graph(triples_iter: Any, request: QueryRequest, name: str) -> QueryAnswer:
    triples = list(itertools.islice(triples_iter, request.offset, request.offset + request.max_rows + 1))
    truncated = len(triples) > request.max_rows
    triples = triples[: request.max_rows]
    within = _rows_within(triples, [len(str(t)) + 3 for t in triples], request.max_bytes)

    def serialize(part: list[Any]) -> bytes:
        return pyoxigraph.serialize(part, format=_GRAPH_FORMATS[name], prefixes=PREFIXES) or b""

    body, kept = _fit(triples[:within], serialize, request.max_bytes)
    cut = kept < len(triples)
    return QueryAnswer(body, name, "graph", truncated or cut, cut)


def _serialize(result: Any, request: QueryRequest) -> QueryAnswer:
    if isinstance(result, QueryBoolean):
        name = request.solutions_format
        if name is None:
            raise NotAcceptableError("an ASK query answers true or false; accept a SPARQL results format")
        return QueryAnswer(result.serialize(format=_RESULTS_FORMATS[name]), name, "boolean")
    if isinstance(result, QuerySolutions):
        name = request.solutions_format
        if name is None:
            raise NotAcceptableError("a SELECT query answers with solutions; accept a SPARQL results format")
        return _limited_solutions(result, request, _RESULTS_FORMATS[name])
    name = request.graph_format
    if name is None:
        raise NotAcceptableError("a CONSTRUCT or DESCRIBE query answers with triples; accept an RDF format")
    return _limited_graph(result, request, name)


def _clean(message: str) -> str:
    """An engine message without file system paths."""
    return _PATH.sub("<path>", message)


_AT = re.compile(r"^error at (\d+):(\d+): ")
_PREFIXED_NAME_END = re.compile(r"([A-Za-z][\w.-]*)?:[\w.%-]*$")


def _syntax_message(message: str, query: str) -> str:
    """Oxigraph's parser message, with an undeclared prefix said plainly instead of a character list.

    >>> _syntax_message("error at 1:14: expected one of Prefix not found, ['%']", "ASK { ?s ex:p")
    "error at 1:14: the prefix 'ex:' is not declared; add PREFIX ex: <...> before the query"
    """
    at = _AT.match(message)
    if at is None or "Prefix not found" not in message:
        return message
    line, column = int(at.group(1)), int(at.group(2))
    lines = query.splitlines()
    before = lines[line - 1][: column - 1] if 0 < line <= len(lines) else ""
    name = _PREFIXED_NAME_END.search(before)
    prefix = (name.group(1) or "") if name else "?"
    declared = f"the prefix {prefix + ':'!r} is not declared; add PREFIX {prefix}: <...> before the query"
    return f"error at {line}:{column}: {declared}"


def bind_parameters(query: str, bindings: tuple[tuple[str, Term], ...]) -> tuple[str, dict[Variable, Term]]:
    """The query text and the substitutions for Oxigraph, for ``bindings`` of query variables.

    Oxigraph substitutes only variables the outer query projects, and not inside sub-selects.
    The other bindings are written into the query as ``VALUES`` blocks, typed terms and never
    text, as for an external engine (:func:`metkg.backends.rewrite.with_values`): a parameter
    the query does not project in every ``WHERE`` group, and every parameter in each
    sub-select (where a named query chooses its page).
    """
    if not bindings:
        return query, {}
    projected = projected_variables(query)
    if projected is None:
        return query, {Variable(n): t for n, t in bindings}
    inline = [(n, t) for n, t in bindings if n not in projected]
    outer = [(n, t) for n, t in bindings if n in projected]
    query = with_values(query, inline, outer)  # type: ignore[arg-type]
    return query, {Variable(n): t for n, t in outer}


def run_query(store: Store, request: QueryRequest) -> QueryAnswer:
    """Run the query and serialize the answer.

    Raises :class:`QueryError` (malformed query, with the parser's message),
    :class:`~metkg.errors.QueryRefusedError` (SERVICE to a host not allowed),
    :class:`NotAcceptableError` (no acceptable format for this kind of answer) and
    :class:`StoreError` (the store could not be read).
    """
    query, substitutions = bind_parameters(request.query, request.substitutions)
    try:
        check_services(request.query, request.service_allow, request.base_iri, PREFIXES)
        result = store.query(
            query,
            base_iri=request.base_iri,
            prefixes=PREFIXES,
            substitutions=substitutions or None,
            **_dataset_options(request),
        )
        return _serialize(result, request)
    except MetkgError:
        raise
    except SyntaxError as exc:
        raise QueryError(f"malformed query: {_clean(_syntax_message(str(exc), request.query))}") from None
    except (RuntimeError, ValueError, TypeError) as exc:
        raise QueryError(f"the query could not be evaluated: {_clean(str(exc))}") from None
    except OSError as exc:
        if mentions_service(request.query):  # Oxigraph reports a failed SERVICE call as an OSError
            raise FederationError(f"a SERVICE call of the query failed: {_clean(str(exc))}") from None
        raise StoreError(f"the query failed while reading the store: {_clean(str(exc))}") from None
