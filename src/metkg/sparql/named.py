"""Named queries: ``queries/*.rq`` files with a header, and their typed parameters.

A query file starts with a header of ``#+`` comment lines that together are one YAML
document (the format is documented in ``queries/README.md``)::

    #+ title: Treatments of metastases at a site
    #+ description: Interventions aimed at metastases at the given site.
    #+ params:
    #+   - name: site
    #+     type: site-key
    #+     default: skin
    #+     description: ontology key of the site; every site below it matches

Each parameter binds the query variable of the same name to a typed RDF term through
Oxigraph's ``substitutions`` (never by editing the query text), so a value can never change
what the query does. A parameter without ``default`` is required; ``default: null`` leaves
the variable free when no value is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pyoxigraph import Literal, NamedNode, Variable

from metkg.errors import ConfigurationError, QueryParameterError, UnknownQueryError
from metkg.vocab import XSD

__all__ = [
    "PARAMETER_TYPES",
    "NamedQuery",
    "Parameter",
    "get_named_query",
    "load_named_queries",
    "parse_named_query",
]

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$")
_RELATIVE = re.compile(r"^[^\s<>\"{}|^`\\:]+(?:[/?#][^\s<>\"{}|^`\\]*)?$")
_INTEGER = re.compile(r"^[+-]?\d{1,18}$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+._-]*$")

#: Parameter type -> what a value must look like, for error messages and the query pages.
PARAMETER_TYPES: dict[str, str] = {
    "string": "any text",
    "integer": "a whole number such as 12",
    "iri": "an absolute IRI, or a path relative to the server's base IRI",
    "doi": "a DOI such as 10.3389/fonc.2025.1709244 (case-insensitive)",
    "key": "an ontology key such as ER or scalp",
    "site-key": "the ontology key of an anatomical site, such as skin or scalp",
    "marker-key": "the ontology key of a biomarker, such as ER, PR or HER2",
}

#: Looks up the keys the store knows for a parameter type (``site-key`` -> site keys).
KeyLookup = Callable[[str], Iterable[str] | None]


@dataclass(frozen=True)
class Parameter:
    """One parameter of a named query."""

    name: str
    type: str
    description: str = ""
    default: str | None = None
    required: bool = False

    def term(self, value: str, base_iri: str, known_keys: KeyLookup | None = None) -> Literal | NamedNode:
        """The RDF term for ``value``; raise :class:`QueryParameterError` when it has the wrong form."""
        value = value.strip()
        checker = getattr(self, "_" + self.type.replace("-", "_"))
        return checker(value, base_iri, known_keys)

    def _fail(self, value: str, hint: str = "") -> QueryParameterError:
        expected = PARAMETER_TYPES[self.type]
        return QueryParameterError(f"parameter {self.name!r}: {value!r} is not {expected}{hint}")

    def _string(self, value: str, *_: Any) -> Literal:
        return Literal(value)

    def _integer(self, value: str, *_: Any) -> Literal:
        if not _INTEGER.match(value):
            raise self._fail(value)
        return Literal(str(int(value)), datatype=NamedNode(XSD.integer))

    def _iri(self, value: str, base_iri: str, *_: Any) -> NamedNode:
        if _IRI.match(value):
            return NamedNode(value)
        if _RELATIVE.match(value):
            return NamedNode(base_iri + value.lstrip("/"))
        raise self._fail(value)

    def _doi(self, value: str, *_: Any) -> Literal:
        doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", "", value, flags=re.IGNORECASE).lower()
        if not _DOI.match(doi):
            raise self._fail(value)
        return Literal(doi)

    def _key(self, value: str, _base: str, known_keys: KeyLookup | None) -> Literal:
        if not _KEY.match(value):
            raise self._fail(value)
        known = known_keys(self.type) if known_keys else None
        if known is not None and value not in set(known):
            raise self._fail(value, _suggestion(value, known))
        return Literal(value)

    _site_key = _key
    _marker_key = _key


def _suggestion(value: str, known: Iterable[str]) -> str:
    import difflib

    keys = sorted(set(known))
    close = difflib.get_close_matches(value, keys, n=3, cutoff=0.6)
    close += [k for k in keys if k.lower() == value.lower() and k not in close]
    if close:
        return "; did you mean " + " or ".join(repr(k) for k in close) + "?"
    return f"; known keys: {', '.join(keys[:30])}{', ...' if len(keys) > 30 else ''}"


@dataclass(frozen=True)
class NamedQuery:
    """A query from ``queries/NAME.rq`` with its header."""

    name: str
    title: str
    description: str
    text: str
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)

    def substitutions(
        self, values: Mapping[str, str], base_iri: str, known_keys: KeyLookup | None = None
    ) -> dict[Variable, Literal | NamedNode]:
        """The variable bindings for the given parameter values (defaults filled in).

        Raises :class:`QueryParameterError` for unknown names, missing required values and
        values of the wrong form.
        """
        names = {p.name for p in self.parameters}
        unknown = sorted(set(values) - names)
        if unknown:
            allowed = ", ".join(sorted(names)) or "none"
            raise QueryParameterError(f"query {self.name!r} has no parameter {unknown[0]!r}; its parameters: {allowed}")
        bound: dict[Variable, Literal | NamedNode] = {}
        for param in self.parameters:
            value = values.get(param.name)
            if value is None or value.strip() == "":
                value = param.default
            if value is None:
                if param.required:
                    raise QueryParameterError(
                        f"query {self.name!r} needs parameter {param.name!r}: {PARAMETER_TYPES[param.type]}"
                    )
                continue
            bound[Variable(param.name)] = param.term(value, base_iri, known_keys)
        return bound


def _header(text: str) -> tuple[str, int]:
    """The YAML of the leading ``#+`` lines, and how many lines they are."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        lines.append(line[3:] if line.startswith("#+ ") else line[2:])
    return "\n".join(lines), len(lines)


def _parameter(raw: Any, where: str, text: str) -> Parameter:
    if not isinstance(raw, dict) or "name" not in raw or "type" not in raw:
        raise ConfigurationError(f"{where}: each entry of `params` needs `name` and `type`, got {raw!r}")
    name, kind = str(raw["name"]), str(raw["type"])
    if not _VARIABLE.match(name):
        raise ConfigurationError(f"{where}: parameter name {name!r} is not a SPARQL variable name")
    if kind not in PARAMETER_TYPES:
        raise ConfigurationError(
            f"{where}: parameter {name!r} has unknown type {kind!r}; types: {', '.join(PARAMETER_TYPES)}"
        )
    if not re.search(rf"[?$]{name}\b", text):
        raise ConfigurationError(f"{where}: parameter {name!r} is not a variable (?{name}) of the query")
    unknown = set(raw) - {"name", "type", "default", "description"}
    if unknown:
        raise ConfigurationError(f"{where}: parameter {name!r} has unknown field(s) {', '.join(sorted(unknown))}")
    default = raw.get("default")
    return Parameter(
        name=name,
        type=kind,
        description=str(raw.get("description") or ""),
        default=None if default is None else str(default),
        required="default" not in raw,
    )


def parse_named_query(name: str, text: str, where: str | None = None) -> NamedQuery:
    """Read a named query from its file text; raise :class:`ConfigurationError` on a bad header."""
    where = where or f"{name}.rq"
    header, count = _header(text)
    if count == 0:
        raise ConfigurationError(
            f"{where}: no header; start the file with `#+ title: ...` lines (see queries/README.md)"
        )
    try:
        meta = yaml.safe_load(header) or {}
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"{where}: the #+ header is not valid YAML: {exc}") from None
    if not isinstance(meta, dict) or not meta.get("title"):
        raise ConfigurationError(f"{where}: the header needs a `title`")
    unknown = set(meta) - {"title", "description", "params"}
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown header field(s) {', '.join(sorted(unknown))}; allowed: title, description, params"
        )
    params = tuple(_parameter(raw, where, text) for raw in meta.get("params") or [])
    return NamedQuery(
        name=name,
        title=str(meta["title"]).strip(),
        description=" ".join(str(meta.get("description") or "").split()),
        text=text,
        parameters=params,
    )


def load_named_queries(directory: Path) -> dict[str, NamedQuery]:
    """Every ``*.rq`` file of ``directory`` by name (file name without ``.rq``), sorted."""
    if not directory.is_dir():
        raise ConfigurationError(f"no named-query directory at {str(directory)!r}; set METKG_QUERIES_DIR")
    queries: dict[str, NamedQuery] = {}
    for path in sorted(directory.glob("*.rq")):
        name = path.stem
        if not _NAME.match(name):
            raise ConfigurationError(f"{path.name}: query names are lower-case words joined by '-'")
        queries[name] = parse_named_query(name, path.read_text(encoding="utf-8"), where=f"queries/{path.name}")
    return queries


def get_named_query(queries: Mapping[str, NamedQuery], name: str) -> NamedQuery:
    """The query called ``name``; raise :class:`UnknownQueryError` listing the others."""
    try:
        return queries[name]
    except KeyError:
        raise UnknownQueryError(f"no named query {name!r}; named queries: {', '.join(queries) or 'none'}") from None
