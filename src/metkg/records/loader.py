"""Read case records from YAML, keeping the line of every value for error messages.

:func:`load_records` reads a directory and either returns every record or raises one
:class:`~metkg.errors.RecordValidationError` listing every problem in every file: a run
with an error loads nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from metkg.errors import Issue, RecordValidationError, relative
from metkg.records.models import CaseRecord

__all__ = ["LineMap", "LoadedRecord", "find_record_files", "load_record", "load_records", "parse_record_text"]

Path_ = tuple[str | int, ...]


@dataclass
class LineMap:
    """The 1-based line of each value in a YAML document, by its path of keys and indexes."""

    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), None)


@dataclass(frozen=True)
class LoadedRecord:
    """A validated case record with where it came from."""

    record: CaseRecord
    path: Path
    lines: LineMap

    @property
    def name(self) -> str:
        return relative(self.path)


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads timestamps as text so partial dates keep their form."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

#: The same, parsed by libyaml when PyYAML has it: composing a record is ten times faster, and
#: nodes keep their line marks. The values are still built by :func:`_construct`.
_Composer: type = _Loader
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):  # type: ignore[misc,name-defined]
        """libyaml's SafeLoader, with timestamps read as text like :class:`_Loader`.

        libyaml calls back into Python to resolve the tag of every node; these callbacks do the
        same as PyYAML's, without path resolvers (a record uses none): a third of the time.
        """

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            return None

        def ascend_resolver(self) -> None:
            return None

        def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
            if kind is yaml.ScalarNode:
                if implicit[0]:
                    for tag, regexp in _IMPLICIT.get(value[:1], _WILDCARD):
                        if regexp.match(value):
                            return tag
                return _STR
            return _SEQ if kind is yaml.SequenceNode else _MAP

    _CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _Composer = _CLoader

_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_WILDCARD = _Loader.yaml_implicit_resolvers.get(None, [])
#: Implicit resolvers by a scalar's first character ("" for the empty scalar), wildcards included.
_IMPLICIT = {
    first: resolvers + _WILDCARD for first, resolvers in _Loader.yaml_implicit_resolvers.items() if first is not None
}


_MAX_DEPTH = 40  # a record nests about 6 levels; deeper YAML is not a record
_MAX_ALIASES = 100  # a record needs none; each alias repeats its anchor's value wherever it is used
#: Above this many characters that may open a level ([, {, -, ?, line breaks), :func:`_precheck`
#: reads the YAML's events to measure its real depth; a record has a few hundred.
_DEPTH_SUSPECT = 5_000
_EVENTS = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader


def _precheck(text: str, name: str) -> Issue | None:
    """Refuse YAML nested deeper than :data:`_MAX_DEPTH` or with more than :data:`_MAX_ALIASES`
    aliases before it is composed.

    Composing (building the tree of nodes) recurses once per level, in C with libyaml: 100,000
    nested ``[`` overflow the stack and kill the process, which no exception can catch. Reading
    the events does not recurse, so it measures the depth safely. It runs only when a cheap
    count of the characters that can open a level (or of ``*``) is high: never for a real record.
    """
    opening = sum(text.count(c) for c in "[{-?\n")
    if opening <= _DEPTH_SUSPECT and text.count("*") <= _MAX_ALIASES:
        return None
    depth = aliases = 0
    try:
        for event in yaml.parse(text, Loader=_EVENTS):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > _MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    return Issue(
                        name,
                        line,
                        "(yaml)",
                        f"the YAML nests more than {_MAX_DEPTH} levels deep; a case record nests far less",
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > _MAX_ALIASES:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    message = (
                        f"the YAML has more than {_MAX_ALIASES} aliases (*name); "
                        "a case record needs none: write the values out"
                    )
                    return Issue(name, line, "(yaml)", message)
    except yaml.YAMLError:
        return None  # composing reports the syntax error with its line
    return None


class _ShapeError(Exception):
    """YAML no record has: an alias of a mapping or list, or nesting deeper than :data:`_MAX_DEPTH`."""

    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


def _check_shape(node: yaml.Node, path: Path_, seen: set[int]) -> None:
    """Refuse a collection met twice (an alias: nested aliases expand exponentially, "billion
    laughs", and an alias inside itself never ends) or nested too deep."""
    if id(node) in seen:
        message = "YAML aliases of mappings or lists (*name) are not allowed in a case record; write them out"
        raise _ShapeError(node.start_mark.line + 1, message)
    if len(path) >= _MAX_DEPTH:
        message = f"the YAML nests more than {_MAX_DEPTH} levels deep; a case record nests far less"
        raise _ShapeError(node.start_mark.line + 1, message)
    seen.add(id(node))


def _scalar(node: yaml.Node, loader: _Loader) -> Any:
    """A scalar's value: most are plain strings, taken as they are; the constructor does the rest."""
    if node.tag == _STR and type(node) is yaml.ScalarNode:
        return node.value
    return loader.construct_object(node, deep=True)


def _construct(node: yaml.Node, loader: _Loader, path: Path_, lines: LineMap, seen: set[int]) -> Any:
    lines.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        _check_shape(node, path, seen)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, loader)
            if key in result:
                raise _DuplicateKeyError(str(key), key_node.start_mark.line + 1, path)
            lines.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _construct(value_node, loader, (*path, key), lines, seen)
            lines.lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        _check_shape(node, path, seen)
        return [_construct(item, loader, (*path, i), lines, seen) for i, item in enumerate(node.value)]
    return _scalar(node, loader)


class _DuplicateKeyError(Exception):
    def __init__(self, key: str, line: int, path: Path_):
        self.key, self.line, self.path = key, line, path


def _field_name(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(record)"


def _pydantic_issues(error: ValidationError, name: str, lines: LineMap) -> list[Issue]:
    issues = []
    for err in error.errors():
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal[")))]
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            message = "unknown field; check the spelling against the record format in data/README.md"
        elif err["type"] == "literal_error":
            message = f"{message}; got {err.get('input')!r}"
        elif err["type"] == "missing":
            message = "required field is missing"
        elif "input" in err and err["type"] not in ("model_type", "value_error"):
            message = f"{message}; got {err['input']!r}"
        message = message.removeprefix("Value error, ")
        issues.append(Issue(name, lines.line(loc), _field_name(loc), message))
    return issues


def _parse_with_lines(text: str, name: str, lines: LineMap) -> tuple[CaseRecord | None, list[Issue]]:
    """Compose the YAML (libyaml), build the values, record their lines, type-check."""
    refused = _precheck(text, name)
    if refused is not None:
        return None, [refused]
    try:
        node = yaml.compose(text, Loader=_Composer)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [Issue(name, mark.line + 1 if mark else None, "(yaml)", f"not valid YAML: {problem}")]
    except RecursionError:
        return None, [Issue(name, None, "(yaml)", f"the YAML nests more than {_MAX_DEPTH} levels deep")]
    if node is None:
        return None, [Issue(name, 1, "(record)", "the file is empty; a record needs id, report, sources and patients")]
    try:
        data = _construct(node, _Loader(""), (), lines, set())
    except _DuplicateKeyError as dup:
        return None, [Issue(name, dup.line, _field_name((*dup.path, dup.key)), "key appears twice in one mapping")]
    except _ShapeError as shape:
        return None, [Issue(name, shape.line, "(yaml)", shape.message)]
    except (yaml.YAMLError, TypeError) as exc:  # a tag SafeLoader refuses; a list or mapping as a key
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "a key must be a plain value, not a list or mapping"
        line = mark.line + 1 if mark else None
        return None, [Issue(name, line, "(yaml)", f"not a case record's YAML: {problem}")]
    if not isinstance(data, dict):
        return None, [Issue(name, 1, "(record)", f"a record is a mapping, got {type(data).__name__}")]
    try:
        return CaseRecord.model_validate(data), []
    except ValidationError as exc:
        return None, _pydantic_issues(exc, name, lines)


def parse_record_text(text: str, name: str) -> tuple[CaseRecord | None, LineMap, list[Issue]]:
    """Parse and type-check one record's YAML text; return the record or the issues.

    Every value's line is kept, for the messages of the checks that come later.
    """
    lines = LineMap()
    record, issues = _parse_with_lines(text, name, lines)
    return record, lines, issues


def load_record(path: Path) -> LoadedRecord:
    """Read and type-check one record file; raise :class:`RecordValidationError` on any problem."""
    name = relative(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordValidationError([Issue(name, None, "(file)", f"cannot read: {exc}")]) from None
    record, lines, issues = parse_record_text(text, name)
    if issues or record is None:
        raise RecordValidationError(issues)
    return LoadedRecord(record, path, lines)


def find_record_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories into their ``*.yaml``/``*.yml`` files, sorted; keep files as given."""
    found: list[Path] = []
    for p in paths:
        if p.is_dir():
            found += sorted(q for q in p.rglob("*") if q.suffix in (".yaml", ".yml") and q.is_file())
        else:
            found.append(p)
    return found


def load_records(paths: Iterable[Path]) -> list[LoadedRecord]:
    """Read and type-check every record; raise one error listing all problems if there are any."""
    loaded: list[LoadedRecord] = []
    issues: list[Issue] = []
    for path in find_record_files(paths):
        try:
            loaded.append(load_record(path))
        except RecordValidationError as exc:
            issues += exc.issues
    if issues:
        raise RecordValidationError(issues)
    return loaded
