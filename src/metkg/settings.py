"""The one settings object. Nothing else in metkg reads the environment.

Every setting can be given as an environment variable prefixed ``METKG_`` (``METKG_STORE``,
``METKG_BASE_IRI``, ...); command-line options override them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pyoxigraph import NamedNode

__all__ = ["PROJECT_ROOT", "Settings", "get_settings"]

#: The checkout this package runs from (src layout: src/metkg/settings.py).
PROJECT_ROOT = Path(__file__).resolve().parents[2]

DEFAULT_BASE_IRI = "https://w3id.org/metkg/"


def _default_corpus_dir() -> Path | None:
    for candidate in (Path.cwd() / ".." / "shared" / "corpus", PROJECT_ROOT / ".." / "shared" / "corpus"):
        if candidate.is_dir():
            return candidate.resolve()
    return None


class Settings(BaseSettings):
    """metkg's configuration, read from ``METKG_*`` environment variables."""

    model_config = SettingsConfigDict(env_prefix="METKG_", extra="ignore")

    store: Path = Field(default=Path("store"), description="Directory of the on-disk graph store.")
    data_dir: Path = Field(default=Path("data"), description="Directory of the curated case records.")
    corpus_dir: Path | None = Field(
        default_factory=_default_corpus_dir,
        description="Directory of case-report source texts that evidence quotes are checked against.",
    )
    ontology_dir: Path = Field(default=PROJECT_ROOT / "ontology", description="The OWL ontology and SHACL shapes.")
    queries_dir: Path = Field(default=PROJECT_ROOT / "queries", description="Named SPARQL queries (*.rq).")
    base_iri: str = Field(default=DEFAULT_BASE_IRI, description="Base of every IRI the build mints.")
    reasoner: str = Field(default="hermit", description="OWL reasoner: hermit or pellet.")
    java: str | None = Field(default=None, description="Path of the java executable for the reasoner.")
    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = Field(default=30.0, gt=0, description="Seconds before a query is stopped (503).")
    max_rows: int = Field(
        default=10_000,
        gt=0,
        description="Result rows returned before the answer is cut (flagged in a header and the body).",
    )
    max_answer_bytes: int = Field(
        default=16_000_000,
        gt=0,
        description="Bytes of one query answer before it is cut at a row (flagged like the row limit).",
    )
    html_max_rows: int = Field(default=500, gt=0, description="Rows of one HTML result page; the next page follows.")
    query_memory_mb: int = Field(
        default=1_024,
        gt=0,
        description="Resident memory (MB) of one query worker; beyond it the query stops (503), a new worker starts.",
    )
    max_client_queries: int = Field(
        default=0,
        ge=0,
        description="Queries one client may have running at once; more wait behind its own (0: query workers - 1, "
        "at least 1).",
    )
    max_client_pending: int = Field(
        default=8, gt=0, description="Queries one client may have running or waiting; one more is refused (503)."
    )
    max_connections_per_client: int = Field(
        default=64, gt=0, description="Open connections from one client address; one more is refused (503)."
    )
    header_timeout: float = Field(
        default=10.0, gt=0, description="Seconds a client has to send a request's headers before it is dropped."
    )
    send_timeout: float = Field(
        default=30.0, gt=0, description="Seconds a client may leave an answer unread before it is dropped."
    )
    max_exports: int = Field(default=4, gt=0, description="Downloads of /export at once; one more is refused (503).")
    forwarded_allow_ips: str | None = Field(
        default=None,
        description="Addresses of reverse proxies whose X-Forwarded-For names the client (comma-separated); "
        "unset, the peer address is the client.",
    )
    max_query_length: int = Field(default=20_000, gt=0, description="Characters in one SPARQL query (413 beyond).")
    max_body_bytes: int = Field(default=1_000_000, gt=0, description="Bytes in one request body (413 beyond).")
    max_concurrent_queries: int = Field(
        default=32,
        gt=0,
        description="Queries running or waiting for a worker at once; one more is refused (503, Retry-After).",
    )
    query_workers: int = Field(default=2, gt=0, description="Worker processes that run SPARQL queries.")
    build_workers: int = Field(
        default=0,
        ge=0,
        description="Processes that validate and map records in a build without SHACL and reasoning (0: one per core).",
    )
    service_allow: list[str] = Field(default_factory=list, description="Hosts SERVICE may call (none by default).")
    write_token: SecretStr | None = Field(
        default=None, description="Bearer token of PUT /cases/{id}; unset, the server refuses every write (403)."
    )
    curators: dict[str, SecretStr] = Field(
        default_factory=dict,
        description='Curators and their bearer tokens, as JSON ({"Ada Lovelace": "token"}): each may review drafts '
        "and write records, which then name them as reviewer.",
    )
    drafts_dir: Path = Field(
        default=Path("drafts"), description="Directory of drafts under review in the browser (uploads, edits)."
    )
    sparql_endpoint: str | None = Field(default=None, description="External SPARQL 1.1 query endpoint.")
    sparql_update_endpoint: str | None = None
    graph_store_endpoint: str | None = Field(default=None, description="External Graph Store Protocol endpoint.")
    backend: Literal["oxigraph", "sparql"] = Field(
        default="oxigraph",
        description="Where the graph lives: the embedded Oxigraph store, or an external SPARQL 1.1 server "
        "(sparql_endpoint, sparql_update_endpoint, graph_store_endpoint; see docs/external-engines.md).",
    )
    sparql_user: str | None = Field(default=None, description="User name for the external server's write endpoints.")
    sparql_password: SecretStr | None = None
    sparql_auth: Literal["basic", "digest"] = Field(
        default="basic", description="HTTP authentication scheme (Virtuoso: digest)."
    )
    sparql_default_graph: str = Field(
        default="auto",
        description="How queries see every metkg graph as the default graph on the external server: 'auto' "
        "(checked at start), 'native' (the server's default graph is the union), 'graphs' (name each graph), "
        "or the IRI of a union graph to name (Fuseki: urn:x-arq:UnionGraph).",
    )
    sparql_loader: Literal["gsp", "virtuoso"] = Field(
        default="gsp",
        description="How `metkg build` loads the external server: Graph Store Protocol, or Virtuoso's bulk loader.",
    )
    virtuoso_isql: str = Field(default="127.0.0.1:1111", description="Virtuoso's SQL port, for its bulk loader.")
    virtuoso_isql_command: str = Field(default="isql-vt", description="Virtuoso's isql client (isql-vt on Debian).")
    bulk_load_dir: Path | None = Field(
        default=None,
        description="A directory both metkg and the server can read (Virtuoso: in DirsAllowed) for bulk loads.",
    )

    @field_validator("store", "data_dir")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        """Resolved once, where the settings are read: a server started in another folder (or
        a process it spawns) reads and writes the same folders, never a stray relative one."""
        return value.expanduser().absolute()

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"base IRI must be an http(s) IRI, got {value!r}")
        try:
            NamedNode(value)
        except ValueError as exc:
            raise ValueError(f"base IRI {value!r} is not a valid IRI: {exc}") from None
        return value if value.endswith("/") else value + "/"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings read from the environment, built once per process."""
    return Settings()
