"""The vocabulary namespaces of :mod:`metkg.vocab`, memoised for reasoning's inner loops.

``metkg.vocab.Namespace`` builds each IRI string on every attribute access; the rules read
class and property IRIs millions of times in a large build, so this wrapper keeps each one
after the first access.

>>> M.TripleNegative
'https://w3id.org/metkg/ontology#TripleNegative'
"""

from __future__ import annotations

from metkg.vocab import METKG, OWL, RDF, RDFS, XSD, Namespace

__all__ = ["OWL_", "RDFS_", "RDF_", "XSD_", "M"]


class _Memo:
    __slots__ = ("__dict__", "_namespace")

    def __init__(self, namespace: Namespace):
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        value: str = getattr(self._namespace, name)
        setattr(self, name, value)
        return value

    def __getitem__(self, name: str) -> str:
        return self._namespace[name]

    def __str__(self) -> str:
        return str(self._namespace)


M = _Memo(METKG)
RDF_ = _Memo(RDF)
RDFS_ = _Memo(RDFS)
OWL_ = _Memo(OWL)
XSD_ = _Memo(XSD)
