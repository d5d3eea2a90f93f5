"""An external SPARQL 1.1 server: the Protocol's query and update operations and the Graph Store Protocol.

Queries go by GET, or by a form POST when the URL would be long; never as a POST of
``application/sparql-query``, which hangs Virtuoso 7 (a known upstream bug). Answers are
parsed into pyoxigraph's own result objects, so the rest of metkg handles them as it handles
the embedded store's.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Triple

from metkg.errors import ConfigurationError, QueryError, QueryTimeoutError, StoreError
from metkg.settings import Settings

__all__ = ["SparqlEndpoint"]

_SOLUTIONS = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"
_FORM = "application/x-www-form-urlencoded"
_MAX_GET_URL = 4000
_ERROR_CHARS = 600
# Virtuoso 7 answers ASK over HTTP as a one-column result set (one row: true; none: false).
_VIRTUOSO_ASK = "__ASK_RETVAL"
_ESTIMATE_REFUSED = "estimated execution time"
#: Writes the server rolled back because they deadlocked with another (Virtuoso: SR172, SQL
#: state 40001) are sent again, this many times at most, after a short pause.
_DEADLOCK_RETRIES = 4
_DEADLOCK_PAUSE = 0.2


def _first_lines(text: str) -> str:
    """An engine's error text, short, without the query it echoes back."""
    text = text.split("\nSPARQL query:", 1)[0].strip()
    return text[:_ERROR_CHARS] + ("..." if len(text) > _ERROR_CHARS else "")


@dataclass
class SparqlEndpoint:
    """The URLs and credentials of one external SPARQL server, and an HTTP client for it."""

    query_url: str
    update_url: str | None = None
    graph_store_url: str | None = None
    auth: httpx.Auth | None = None
    timeout: float = 30.0
    _client: httpx.Client | None = field(default=None, repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> SparqlEndpoint:
        """The endpoint ``METKG_SPARQL_ENDPOINT`` (and its update and Graph Store URLs) names."""
        if not settings.sparql_endpoint:
            raise ConfigurationError(
                "backend 'sparql' needs the query endpoint: set METKG_SPARQL_ENDPOINT "
                "(e.g. http://127.0.0.1:8890/sparql for Virtuoso)"
            )
        auth: httpx.Auth | None = None
        if settings.sparql_user:
            password = settings.sparql_password.get_secret_value() if settings.sparql_password else ""
            if settings.sparql_auth == "digest":
                auth = httpx.DigestAuth(settings.sparql_user, password)
            else:
                auth = httpx.BasicAuth(settings.sparql_user, password)
        return cls(
            query_url=settings.sparql_endpoint,
            update_url=settings.sparql_update_endpoint,
            graph_store_url=settings.graph_store_endpoint,
            auth=auth,
            timeout=settings.query_timeout,
        )

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            limits = httpx.Limits(max_connections=32, max_keepalive_connections=16)
            self._client = httpx.Client(timeout=self.timeout, limits=limits, follow_redirects=False)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- the query operation
    def _send_query(self, params: list[tuple[str, str]], accept: str, timeout: float | None) -> httpx.Response:
        headers = {"Accept": accept}
        request_timeout = self.timeout if timeout is None else timeout
        try:
            url = httpx.URL(self.query_url, params=params)
            if len(str(url)) <= _MAX_GET_URL:
                response = self.client.get(url, headers=headers, auth=self.auth, timeout=request_timeout)
            else:
                form = {**headers, "Content-Type": _FORM}
                response = self.client.post(
                    self.query_url, content=urlencode(params), headers=form, auth=self.auth, timeout=request_timeout
                )
        except httpx.TimeoutException:
            raise QueryTimeoutError(
                f"the SPARQL server did not answer within {request_timeout:g} s; the query was abandoned"
            ) from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL server at {self.query_url!r}: {exc}") from None
        if response.status_code == 400:
            raise QueryError(f"the SPARQL server refused the query: {_first_lines(response.text)}")
        if response.status_code in (401, 403):
            raise StoreError(f"the SPARQL server at {self.query_url!r} refused access ({response.status_code})")
        if response.status_code >= 300 and _ESTIMATE_REFUSED in response.text:
            # Virtuoso refuses before running a query its optimizer expects to exceed MaxQueryExecutionTime.
            raise QueryTimeoutError(f"the SPARQL server refused to run the query: {_first_lines(response.text)}")
        if response.status_code >= 300:
            raise StoreError(f"the SPARQL server answered {response.status_code}: {_first_lines(response.text)}")
        return response

    def select(
        self,
        query: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout: float | None = None,
    ) -> QuerySolutions | QueryBoolean:
        """Run a SELECT or ASK query; the answer as pyoxigraph's solutions or boolean."""
        params = _params(query, default_graphs, named_graphs)
        response = self._send_query(params, _SOLUTIONS, timeout)
        return _parse_solutions(response.content)

    def construct(
        self,
        query: str,
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
        timeout: float | None = None,
    ) -> list[Triple]:
        """Run a CONSTRUCT or DESCRIBE query; the triples."""
        params = _params(query, default_graphs, named_graphs)
        response = self._send_query(params, _NTRIPLES, timeout)
        try:
            return list(pyoxigraph.parse(response.content, format=RdfFormat.N_TRIPLES))
        except SyntaxError as exc:
            raise StoreError(f"the SPARQL server's answer is not N-Triples: {exc}") from None

    # -- the update operation and the Graph Store Protocol
    def _writable(self, url: str | None, what: str, setting: str) -> str:
        if not url:
            raise ConfigurationError(f"{what} needs {setting} (e.g. Virtuoso: http://127.0.0.1:8890/sparql-auth)")
        return url

    @staticmethod
    def _write(send: Callable[[], httpx.Response]) -> httpx.Response:
        """``send()``, sent again when the server rolled the write back as a deadlock victim.

        Graphs are loaded several at a time, and Virtuoso may pick one of the concurrent writes
        as the victim of a lock deadlock (500, ``SR172: Transaction deadlocked``). The write had
        no effect, so sending it again is safe; any other answer is returned as it is.
        """
        for attempt in range(_DEADLOCK_RETRIES + 1):
            response = send()
            if response.status_code < 500 or "deadlock" not in response.text.lower():
                return response
            if attempt < _DEADLOCK_RETRIES:
                time.sleep(_DEADLOCK_PAUSE * (attempt + 1))
        return response

    def _check(self, response: httpx.Response, what: str) -> None:
        if response.status_code in (401, 403):
            raise StoreError(
                f"{what}: the SPARQL server refused the credentials ({response.status_code}); "
                "set METKG_SPARQL_USER, METKG_SPARQL_PASSWORD and METKG_SPARQL_AUTH"
            )
        if response.status_code >= 300:
            raise StoreError(
                f"{what}: the SPARQL server answered {response.status_code}: {_first_lines(response.text)}"
            )

    def update(self, update: str, timeout: float | None = None) -> None:
        """Run a SPARQL Update (form POST to the update endpoint)."""
        url = self._writable(self.update_url, "a SPARQL Update", "METKG_SPARQL_UPDATE_ENDPOINT")
        try:
            response = self._write(
                lambda: self.client.post(url, data={"update": update}, auth=self.auth, timeout=timeout or self.timeout)
            )
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL update endpoint {url!r}: {exc}") from None
        self._check(response, "SPARQL Update")

    def put_graph(
        self, graph: str, triples: Iterable[Triple], *, replace: bool = True, timeout: float | None = None
    ) -> None:
        """Graph Store Protocol: replace (PUT) or add to (POST) the named graph ``graph``."""
        url = self._writable(self.graph_store_url, "loading graphs", "METKG_GRAPH_STORE_ENDPOINT")
        body = pyoxigraph.serialize(triples, format=RdfFormat.N_TRIPLES) or b""
        method = "PUT" if replace else "POST"
        try:
            response = self._write(
                lambda: self.client.request(
                    method,
                    url,
                    params={"graph": graph},
                    content=body,
                    headers={"Content-Type": _NTRIPLES},
                    auth=self.auth,
                    timeout=timeout or max(self.timeout, 300),
                )
            )
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the Graph Store endpoint {url!r}: {exc}") from None
        self._check(response, f"{method} of graph {graph!r}")

    def delete_graph(self, graph: str) -> None:
        """Graph Store Protocol: delete the named graph ``graph`` (no error when it is absent)."""
        url = self._writable(self.graph_store_url, "deleting graphs", "METKG_GRAPH_STORE_ENDPOINT")
        try:
            response = self._write(
                lambda: self.client.delete(url, params={"graph": graph}, auth=self.auth, timeout=max(self.timeout, 300))
            )
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the Graph Store endpoint {url!r}: {exc}") from None
        if response.status_code != 404:
            self._check(response, f"DELETE of graph {graph!r}")


def _params(query: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> list[tuple[str, str]]:
    params = [("query", query)]
    params += [("default-graph-uri", g) for g in default_graphs]
    params += [("named-graph-uri", g) for g in named_graphs]
    return params


_BLANK_LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)")


def _relabel_blank_nodes(document: dict[str, Any]) -> bool:
    """Give blank nodes that SPARQL cannot label a label it can; True when they were relabelled.

    Virtuoso names blank nodes ``nodeID://b10001``, which no SPARQL or N-Triples label allows.
    When any name is invalid, every blank node of the answer (in quoted triples too) is labelled
    by the hex of its name: one-to-one, so rows naming the same blank node still share it, and no
    new label can meet a name the server gave.
    """
    terms = [term for row in document.get("results", {}).get("bindings", []) for term in _terms(row.values())]
    blank = [term for term in terms if term.get("type") == "bnode"]
    if all(_BLANK_LABEL.fullmatch(term.get("value", "")) for term in blank):
        return False
    for term in blank:
        term["value"] = "x" + term.get("value", "").encode("utf-8").hex()
    return True


def _terms(values: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Every term of a row, with the subject, predicate and object of quoted triples."""
    for term in values:
        if not isinstance(term, dict):
            continue
        yield term
        if term.get("type") == "triple" and isinstance(term.get("value"), dict):
            yield from _terms(term["value"].values())


def _parse_solutions(body: bytes) -> QuerySolutions | QueryBoolean:
    try:
        document: dict[str, Any] = json.loads(body)
    except ValueError:
        raise StoreError("the SPARQL server's answer is not SPARQL JSON results") from None
    head_vars = document.get("head", {}).get("vars", [])
    if "boolean" not in document and head_vars == [_VIRTUOSO_ASK]:
        rows = document.get("results", {}).get("bindings", [])
        truth = bool(rows) and rows[0].get(_VIRTUOSO_ASK, {}).get("value") not in ("0", "false")
        body = json.dumps({"head": {}, "boolean": truth}).encode()
    elif b'"bnode"' in body and _relabel_blank_nodes(document):
        body = json.dumps(document).encode()
    try:
        return pyoxigraph.parse_query_results(body, format=QueryResultsFormat.JSON)  # type: ignore[return-value]
    except (SyntaxError, ValueError) as exc:
        raise StoreError(f"the SPARQL server's answer is not SPARQL JSON results: {exc}") from None
