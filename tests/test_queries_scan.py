"""Finding FROM and SERVICE in query text (metkg.sparql.scan)."""

from __future__ import annotations

import pytest

from metkg.sparql.scan import scan_query


@pytest.mark.parametrize(
    ("query", "declares"),
    [
        ("SELECT * FROM <http://ex/g> WHERE { ?s ?p ?o }", True),
        ("SELECT * from named <http://ex/g> WHERE { GRAPH ?g { ?s ?p ?o } }", True),
        ("SELECT * FROM<http://ex/g> { ?s ?p ?o }", True),
        ("SELECT ?from WHERE { ?from ?p ?o }", False),
        ("SELECT * WHERE { ?s ex:from ?o }", False),
        ('SELECT * WHERE { ?s ?p "FROM <x>" }', False),
        ("SELECT * WHERE { ?s ?p '''\nFROM\n''' }", False),
        ("SELECT * WHERE { ?s <http://ex/FROM> ?o } # FROM <g>", False),
        ("SELECT * \\u0046ROM <http://ex/g> { ?s ?p ?o }", True),
        ("SELECT * WHERE { ?s ?p ?o FILTER(?a<?b && ?c > 1) }", False),
    ],
)
def test_declares_dataset(query: str, declares: bool) -> None:
    assert scan_query(query).declares_dataset is declares


@pytest.mark.parametrize(
    ("query", "services"),
    [
        ("SELECT * { SERVICE <http://e/sparql> { ?s ?p ?o } }", ("http://e/sparql",)),
        ("SELECT * { service silent <http://e/sparql> { ?s ?p ?o } }", ("http://e/sparql",)),
        ("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", ("",)),
        ("SELECT * { SERVICE ex:endpoint { ?s ?p ?o } }", ("",)),
        ('SELECT * { ?s ?p "SERVICE <http://e/>" }', ()),
        ("SELECT ?service { ?service ?p ?o }", ()),
    ],
)
def test_services(query: str, services: tuple[str, ...]) -> None:
    assert scan_query(query).services == services
