"""The exception tree of metkg.

Every error metkg raises on purpose is a :class:`MetkgError`. Messages show the bad value
with ``!r``, say where it is (file, line, field) and what to do about it. The CLI maps
them to exit codes; the web layer maps them to HTTP statuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "AuthenticationError",
    "BuildError",
    "ConfigurationError",
    "ConflictError",
    "DataDirectoryError",
    "DraftConflictError",
    "ExtractionError",
    "FederationError",
    "InconsistentRecordError",
    "Issue",
    "JavaNotFoundError",
    "MetkgError",
    "NotAcceptableError",
    "NothingToCheckError",
    "PreconditionFailedError",
    "ProtocolError",
    "QueryError",
    "QueryMemoryError",
    "QueryParameterError",
    "QueryRefusedError",
    "QueryTimeoutError",
    "RecordConflictError",
    "RecordValidationError",
    "RequestTooLargeError",
    "ResourceNotFoundError",
    "ServerBusyError",
    "StoreError",
    "UnknownQueryError",
    "UnsupportedMediaTypeError",
    "WritesDisabledError",
]


class MetkgError(Exception):
    """Root of every error metkg raises on purpose."""

    exit_code = 1


class ConfigurationError(MetkgError):
    """A setting, a path or a command-line option is wrong."""

    exit_code = 2


class JavaNotFoundError(ConfigurationError):
    """No Java runtime for the OWL reasoner."""


@dataclass(frozen=True)
class Issue:
    """One problem found in one case record: where it is and what is wrong."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}"


class RecordValidationError(MetkgError):
    """One or more case records are invalid; nothing was loaded."""

    def __init__(self, issues: list[Issue]):
        self.issues = list(issues)
        noun = "problem" if len(self.issues) == 1 else "problems"
        lines = [f"{len(self.issues)} {noun} in case records; nothing was loaded:"]
        lines += [f"  {issue}" for issue in self.issues]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[type, tuple[list[Issue]]]:  # crosses to and from a write process
        return type(self), (self.issues,)


class InconsistentRecordError(MetkgError):
    """The reasoner found a case record logically inconsistent."""

    def __init__(self, case: str, explanation: str):
        self.case = case
        self.explanation = explanation
        super().__init__(
            f"case {case!r} is inconsistent: {explanation}. "
            "Fix the record, or declare the contradiction with a `conflicts:` entry "
            "if the source itself states both."
        )

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return type(self), (self.case, self.explanation)


class BuildError(MetkgError):
    """The graph build failed; the store from the last good build is untouched."""


class StoreError(MetkgError):
    """The store directory is missing, locked or damaged."""


class DataDirectoryError(MetkgError):
    """A case record could not be written to the data folder (full, read-only, not a folder)."""


class QueryError(MetkgError):
    """A SPARQL query is malformed or not allowed."""


class QueryTimeoutError(QueryError):
    """A query ran longer than the configured timeout and was stopped."""


class UnknownQueryError(QueryError):
    """No named query has that name."""


class QueryParameterError(QueryError):
    """A named query's parameter is missing or has the wrong type."""


class QueryRefusedError(QueryError):
    """The query asks for what this server does not do: SPARQL Update, or SERVICE to a host not allowed."""


class ServerBusyError(QueryError):
    """Every query worker is busy and too many queries are waiting; retry later."""


class QueryMemoryError(ServerBusyError):
    """A query's worker went over its memory ceiling and was stopped."""


class FederationError(QueryError):
    """A SERVICE call to an allowed endpoint failed (unreachable, or a bad answer)."""


class ProtocolError(MetkgError):
    """An HTTP request the server cannot answer as asked."""


class PreconditionFailedError(ProtocolError):
    """A write's ``If-Match`` names a version of the record that is not the current one."""


class NotAcceptableError(ProtocolError):
    """None of the formats the request accepts can express the answer."""


class RequestTooLargeError(ProtocolError):
    """The request body or the query is longer than the configured limit."""


class UnsupportedMediaTypeError(ProtocolError):
    """The request body has a content type the endpoint does not read."""


class ResourceNotFoundError(ProtocolError):
    """No resource with that IRI in the graph."""


class AuthenticationError(ProtocolError):
    """A write without the server's bearer token, or with a wrong one."""


class WritesDisabledError(ProtocolError):
    """The server has no write token configured, so it accepts no writes."""


class ConflictError(ProtocolError):
    """A write would overwrite what someone else saved since the writer read it (HTTP 409)."""


class RecordConflictError(ConflictError):
    """A write would replace a record other than the one it names."""


class DraftConflictError(ConflictError):
    """A draft under review was saved by another curator since this save's revision."""


class ExtractionError(MetkgError):
    """A case report could not be read or extracted."""


class NothingToCheckError(MetkgError):
    """A check found nothing to check (no records, no pairs to compare): it did not pass."""


def relative(path: Path | str) -> str:
    """Show ``path`` relative to the working directory when it is below it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
