"""metkg build runs reasoning: inferred facts in the inferred graph, a summary in the manifest."""

from __future__ import annotations

from metkg.build import build_graph
from metkg.iris import inferred_graph
from metkg.store import StoreLayout
from metkg.vocab import sparql_prefixes

from .conftest import FIXTURES


def test_build_writes_inferred_graph_and_reasoning_summary(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(corpus_dir=None)
    result = build_graph(settings, [FIXTURES], shacl=False)
    assert result.reasoning["classified"]["TripleNegative"] == 2
    layout = StoreLayout(settings.store)
    assert layout.manifest()["reasoning"]["derived"]["ReceptorConversion"] == 7
    store = layout.open_read_only()
    graph = inferred_graph(settings.base_iri)
    query = (
        sparql_prefixes()
        + f"""
        SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s a metkg:TripleNegative }} }}"""
    )
    assert next(iter(store.query(query)))["n"].value == "2"
    asserted_only = (
        sparql_prefixes()
        + f"""
        ASK {{ GRAPH ?g {{ ?s a metkg:TripleNegative }} FILTER(?g != <{graph}>) }}"""
    )
    assert not store.query(asserted_only), "inferred types stay out of the case graphs"


def test_build_without_reasoning_has_no_inferred_graph(make_settings) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(corpus_dir=None)
    build_graph(settings, [FIXTURES], reason=False, shacl=False)
    store = StoreLayout(settings.store).open_read_only()
    query = f"ASK {{ GRAPH <{inferred_graph(settings.base_iri)}> {{ ?s ?p ?o }} }}"
    assert not store.query(query)
