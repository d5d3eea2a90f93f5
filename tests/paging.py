"""Paging helpers shared by the paging tests (embedded store and Virtuoso): a streamed build of
synthetic records, and walking a listing's pages through ``after``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from metkg.build import build_graph
from metkg.settings import Settings
from metkg.sparql.execute import QueryRequest, run_query
from metkg.sparql.named import NamedQuery
from metkg.store import StoreLayout
from metkg.synthetic import synthetic_records
from metkg.terminology import load_terminology

BASE = "https://w3id.org/metkg/"
PAGE = 100


def build_synthetic(folder: Path, count: int = 300, seed: int = 11) -> Path:
    """A real streamed build with the rules (``--no-shacl --no-owl``) of ``count`` synthetic
    records; the build's directory. Their DOIs share their first 21 characters."""
    settings = Settings(store=folder / "store", data_dir=folder / "records", corpus_dir=None, build_workers=2)
    terms = load_terminology(settings.ontology_dir.resolve())
    (folder / "records").mkdir()
    for record in synthetic_records(count, seed=seed, terms=terms):
        data = record.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
        (folder / "records" / f"{record.id}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    build_graph(settings, [folder / "records"], reason=True, shacl=False, owl=False)
    return StoreLayout(settings.store).current_build()


def rows(store: Any, query: NamedQuery, values: dict[str, str], page: int = PAGE) -> list[dict[str, str]]:
    """One page of a listing (``page`` reports a page instead of 100 when given), as plain values."""
    text = query.text
    if page != PAGE:
        assert text.count(f"LIMIT {PAGE}") == 1
        text = text.replace(f"LIMIT {PAGE}", f"LIMIT {page}")
    bound = query.substitutions(values, BASE)
    substitutions = tuple((v.value, t) for v, t in bound.items())
    request = QueryRequest(text, substitutions=substitutions, base_iri=BASE, max_rows=100_000)
    answer = json.loads(run_query(store, request).body)["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in answer]


def pages(store: Any, query: NamedQuery, values: dict[str, str], page: int) -> list[list[dict[str, str]]]:
    """Every page of a listing, asking with the last row's DOI until the answer is empty."""
    found, after = [], ""
    while True:
        found_rows = rows(store, query, {**values, "after": after}, page)
        if not found_rows:
            return found
        found.append(found_rows)
        after = found_rows[-1]["doi"]
        assert len(found) < 1000, "paging does not end"
