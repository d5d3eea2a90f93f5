"""A bounded schemathesis run against the real app over HTTP: no 5xx, and every status code, content
type, header and body as /openapi.json declares it. The full run is scripts/fuzz.sh."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from tests.robustness.conftest import TOKEN, serving
from tests.web.conftest import LiveServer

from metkg.settings import Settings

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzzed(robust_settings: Settings) -> Iterator[LiveServer]:
    """The fixture store served with a write token (writes are fuzzed past authentication)."""
    with serving(robust_settings.model_copy(update={"write_token": TOKEN})) as live:
        yield live


@pytest.fixture(scope="module")
def api_schema(fuzzed: LiveServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{fuzzed.url}/openapi.json")


#: Every operation of /openapi.json (a test below checks the list is complete).
OPERATIONS = [
    ("GET", "/sparql"),
    ("POST", "/sparql"),
    ("GET", "/queries"),
    ("GET", "/queries/{name}"),
    ("PUT", "/cases/{record_id}"),
    ("GET", "/ontology"),
    ("GET", "/export"),
    ("GET", "/.well-known/void"),
    ("GET", "/health"),
    ("GET", "/graph-store"),
    ("GET", "/{path}"),
]


#: Operations with nothing a request could break (no parameters, or one free string) have no negative cases.
UNBREAKABLE = {("GET", "/queries"), ("GET", "/queries/{name}"), ("GET", "/health")}
RUNS = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path in OPERATIONS
    for mode in schemathesis.GenerationMode
    if mode is schemathesis.GenerationMode.POSITIVE or (method, path) not in UNBREAKABLE
]


@pytest.mark.parametrize(("method", "path", "mode"), RUNS)
def test_operation_conforms_to_its_schema(
    api_schema: schemathesis.BaseSchema, method: str, path: str, mode: schemathesis.GenerationMode
) -> None:
    """Requests that follow the schema (positive) and requests that break it (negative)."""
    operation = api_schema[path][method]

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case: schemathesis.Case) -> None:
        case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS, timeout=30)

    fuzz()


def test_every_operation_is_fuzzed(api_schema: schemathesis.BaseSchema) -> None:
    documented = {(result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()}
    assert documented == set(OPERATIONS)


def test_path_with_an_invalid_percent_encoding_is_404_not_500(fuzzed: LiveServer) -> None:
    """Found by schemathesis: `%25` decoded once left `%%C`, which no IRI may hold."""
    with fuzzed.client() as http:
        response = http.get("/%F3%B1%80%96%C2%8F%C2%81%40%25%C3%8E")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
