"""Paging on Virtuoso: the same pages as the embedded store, report for report.

The 300 synthetic reports' DOIs share their first 21 characters (``10.99999/synthetic.11.``), and
Virtuoso is reported to order strings longer than about 20 characters by a prefix only; the
listings sort on a computed key, which it sorts fully. A page that skips, repeats or reorders a
report fails here. Virtuoso runs as its own server, so these reports never meet the fixture
records of the other backend tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from tests import paging

from metkg.backends.endpoint import SparqlEndpoint
from metkg.backends.remote_store import RemoteStore, UnionPolicy
from metkg.backends.virtuoso import VirtuosoServer, bulk_load, virtuoso_available
from metkg.settings import Settings
from metkg.sparql.named import NamedQuery, load_named_queries


@pytest.fixture(scope="module")
def embedded(synthetic_build: Path) -> pyoxigraph.Store:
    return pyoxigraph.Store.read_only(str(synthetic_build))


@pytest.fixture(scope="module")
def virtuoso_store(tmp_path_factory: pytest.TempPathFactory, embedded: pyoxigraph.Store) -> Iterator[RemoteStore]:
    """The synthetic build's quads bulk-loaded into a Virtuoso of their own."""
    if not virtuoso_available():
        pytest.skip("virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource-7-bin)")
    server = VirtuosoServer.start(tmp_path_factory.mktemp("virtuoso-paging"), memory_mb=300)
    try:
        folder = server.load_dir / "paging"
        folder.mkdir(parents=True, exist_ok=True)
        embedded.dump(str(folder / "all.nq"), format=pyoxigraph.RdfFormat.N_QUADS)
        bulk_load(server.isql_address, server.user, server.password, folder, loaders=1)
        store = RemoteStore(SparqlEndpoint(server.query_endpoint, timeout=120), paging.BASE, UnionPolicy("native"))
        yield store
        store.close()
    finally:
        server.stop()


@pytest.fixture(scope="module")
def queries() -> dict[str, NamedQuery]:
    return load_named_queries(Settings().queries_dir)


def _reports(pages: list[list[dict[str, str]]]) -> list[list[str]]:
    return [list(dict.fromkeys(row["doi"] for row in rows)) for rows in pages]


#: (named query, parameters, reports a page): more than two pages of each listing.
LISTINGS = [
    ("receptor-conversion", {}, 40),
    ("receptor-conversion", {"marker": "HER2"}, 9),
    ("treatments-by-site", {"site": "skin"}, 2),
]


@pytest.mark.slow
@pytest.mark.parametrize("listing", LISTINGS, ids=[f"{n}-{'-'.join(v.values()) or 'all'}" for n, v, _ in LISTINGS])
def test_virtuoso_pages_are_the_embedded_stores(
    embedded: pyoxigraph.Store,
    virtuoso_store: Any,
    queries: dict[str, NamedQuery],
    listing: tuple[str, dict[str, str], int],
) -> None:
    name, values, page = listing
    expected = _reports(paging.pages(embedded, queries[name], values, page))
    assert len(expected) > 2 and all(len(p) == page for p in expected[:-1])
    assert len({doi[:21] for p in expected for doi in p}) == 1, "the DOIs share their first 21 characters"
    assert _reports(paging.pages(virtuoso_store, queries[name], values, page)) == expected
