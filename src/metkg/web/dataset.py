"""The served dataset: the store's current build, reopened when a new build is published.

``metkg build`` publishes a build by repointing the ``current`` symlink. Every request asks
:meth:`LiveStore.snapshot`, which reads the link (one ``readlink`` call) and opens the new
build read-only when it changed, so new requests see the new graph while requests already
running finish on the old one.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Store

from metkg.errors import StoreError
from metkg.iris import inferred_graph, ontology_graph
from metkg.store import StoreLayout
from metkg.vocab import METKG, RDF, RDFS

__all__ = ["LiveStore", "Snapshot"]

_log = logging.getLogger("metkg.web")

_KEYS_QUERY = """
SELECT ?key ?kind WHERE {
  ?term metkg:key ?key .
  OPTIONAL { ?term rdfs:subClassOf* metkg:AnatomicalSite . BIND("site-key" AS ?site) }
  OPTIONAL { ?term rdf:type/rdfs:subClassOf* metkg:Biomarker . BIND("marker-key" AS ?marker) }
  BIND(COALESCE(?site, ?marker, "key") AS ?kind)
}
"""


@dataclass
class Snapshot:
    """One opened build: its directory, its read-only store and what is cheap to know about it."""

    path: str
    store: Store
    base_iri: str
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ontology_graph(self) -> NamedNode:
        return NamedNode(ontology_graph(self.base_iri))

    @property
    def inferred_graph(self) -> NamedNode:
        return NamedNode(inferred_graph(self.base_iri))

    @cached_property
    def keys(self) -> dict[str, frozenset[str]]:
        """Ontology keys by parameter type: ``site-key``, ``marker-key`` and ``key`` (all)."""
        prefixes = {"metkg": str(METKG), "rdfs": str(RDFS), "rdf": str(RDF)}
        rows = self.store.query(_KEYS_QUERY, prefixes=prefixes, default_graph=[self.ontology_graph])
        found: dict[str, set[str]] = {"site-key": set(), "marker-key": set(), "key": set()}
        for row in rows:
            found[row["kind"].value].add(row["key"].value)
            found["key"].add(row["key"].value)
        return {kind: frozenset(keys) for kind, keys in found.items()}

    def known_keys(self, parameter_type: str) -> frozenset[str] | None:
        """The keys a ``*-key`` parameter may take; ``None`` when the ontology has none to check."""
        keys = self.keys.get(parameter_type)
        return keys if keys else None

    @property
    def triples(self) -> int | None:
        """Statements in the build, from its manifest (counting them would read the whole store)."""
        value = self.manifest.get("counts", {}).get("triples")
        return int(value) if value is not None else None


def _open(path: Path, base_iri: str) -> Snapshot:
    try:
        store = Store.read_only(str(path))
    except (OSError, RuntimeError) as exc:  # RocksDB reports a damaged build as RuntimeError
        raise StoreError(f"cannot open the store build {path.name!r} ({exc}); rebuild it with `metkg build`") from None
    try:
        manifest = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    return Snapshot(str(path), store, base_iri, manifest)


class LiveStore:
    """The current build of a store directory, for reading."""

    def __init__(self, layout: StoreLayout, base_iri: str):
        self.layout = layout
        self.base_iri = base_iri
        self._lock = threading.Lock()
        self._target: str | None = None
        self._snapshot: Snapshot | None = None

    def link(self) -> str | None:
        """Where ``current`` points: the name of the published build (``None`` when there is none)."""
        try:
            return os.readlink(self.layout.current)
        except OSError:
            return None

    def snapshot(self) -> Snapshot:
        """The current build, opened read-only; raises :class:`StoreError` when there is none.

        When a newly published build cannot be opened, the build already open goes on being
        served (with a warning in the log) and the new one is tried again on the next request.
        """
        target = self.link()
        snapshot = self._snapshot
        if snapshot is not None and target == self._target:
            return snapshot
        with self._lock:
            if self._snapshot is None or target != self._target:
                try:
                    opened = _open(self.layout.current_build(), self.base_iri)
                except StoreError as exc:
                    if self._snapshot is None:
                        raise
                    _log.warning("still serving %s: %s", Path(self._snapshot.path).name, exc)
                    return self._snapshot
                self._snapshot = opened
                self._target = target
            return self._snapshot

    def ready(self) -> bool:
        """Whether a build is there to serve."""
        return self.layout.exists()
