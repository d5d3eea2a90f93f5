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
    ``service_allow`` names the hosts SERVICE clauses may call (none by default).
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


@dataclass(frozen=True)
class QueryAnswer:
    """A serialized answer: the bytes, the format they are in and whether rows were cut."""

    body: bytes
    format: str
    kind: str  # "solutions", "boolean" or "graph"
    truncated: bool = False


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


def _limited_solutions(solutions: QuerySolutions, max_rows: int) -> tuple[QuerySolutions, bool]:
    """The first ``max_rows`` solutions (evaluation stops there) and whether more existed."""
    names = [v.value for v in solutions.variables]
    rows = list(itertools.islice(solutions, max_rows + 1))
    truncated = len(rows) > max_rows
    rows = rows[:max_rows]
    if names and not any(isinstance(term, Triple) for row in rows for term in row):
        # SPARQL TSV holds each term in its N-Triples form, which pyoxigraph writes itself: about
        # ten times faster than a JSON object per term in Python, which dominated large answers.
        lines = ["\t".join(f"?{name}" for name in names)]
        lines.extend("\t".join("" if term is None else str(term) for term in row) for row in rows)
        tsv = ("\n".join(lines) + "\n").encode()
        return pyoxigraph.parse_query_results(tsv, format=QueryResultsFormat.TSV), truncated  # type: ignore[return-value]
    bindings = [{name: _term_json(row[name]) for name in names if row[name] is not None} for row in rows]
    document = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}).encode()
    return pyoxigraph.parse_query_results(document, format=QueryResultsFormat.JSON), truncated  # type: ignore[return-value]


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
        limited, truncated = _limited_solutions(result, request.max_rows)
        return QueryAnswer(limited.serialize(format=_RESULTS_FORMATS[name]), name, "solutions", truncated)
    name = request.graph_format
    if name is None:
        raise NotAcceptableError("a CONSTRUCT or DESCRIBE query answers with triples; accept an RDF format")
    triples = list(itertools.islice(result, request.max_rows + 1))
    body = pyoxigraph.serialize(triples[: request.max_rows], format=_GRAPH_FORMATS[name], prefixes=PREFIXES)
    return QueryAnswer(body or b"", name, "graph", len(triples) > request.max_rows)


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
