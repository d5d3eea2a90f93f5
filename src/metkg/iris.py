"""Stable slash IRIs for everything the build mints.

IRIs derive from the report's DOI, the patient's index in the report and the curator's local
ids, never from load order, so rebuilding never renames a resource::

    {base}case/10.3389/fonc.2025.1709244                      the case report
    {base}case/10.3389/fonc.2025.1709244/patient/1            its first patient
    {base}case/10.3389/fonc.2025.1709244/patient/1/specimen/scalp-fna
    {base}case/10.3389/fonc.2025.1709244/patient/1/specimen/scalp-fna/result/ER
    {base}graph/case/10.3389/fonc.2025.1709244                the named graph of that report
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

__all__ = ["CaseIris", "agent", "doi_path", "doi_url", "inferred_graph", "ontology_graph"]


_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")


def _segment(local_id: str) -> str:
    """One IRI path segment: slashes escaped, and a segment of dots (``.``, ``..``), which a
    client would resolve as a relative path, written as ``%2E``."""
    if not local_id.strip("."):
        return local_id.replace(".", "%2E")
    if _SAFE_SEGMENT.fullmatch(local_id):  # the usual case, ten times cheaper than quote()
        return local_id
    return quote(local_id, safe="-._~")


def doi_path(doi: str) -> str:
    """The DOI as two IRI path segments, prefix and suffix: lower-cased (DOIs are case-insensitive),
    unsafe characters escaped.

    A slash in the suffix is escaped too, and a suffix of dots: otherwise the DOI ``10.1/x/patient/1``
    would mint the IRI of the first patient of ``10.1/x``, and ``10.1/..`` one that resolves to
    another path. So no case IRI is another resource's IRI, nor lies under another case's IRI.

    >>> doi_path("10.1002/(SICI)1097-0142(20000415)88:8<1769::AID-CNCR3>3.0.CO;2-H")
    '10.1002/%28sici%291097-0142%2820000415%2988%3A8%3C1769%3A%3Aaid-cncr3%3E3.0.co%3B2-h'
    >>> doi_path("10.3389/fonc.2025.1709244/patient/1")
    '10.3389/fonc.2025.1709244%2Fpatient%2F1'
    >>> doi_path("10.1234/..")
    '10.1234/%2E%2E'
    """
    prefix, _, suffix = doi.strip().lower().partition("/")
    return f"{quote(prefix, safe='-._~')}/{_segment(suffix)}"


def doi_url(doi: str) -> str:
    """The doi.org link of a DOI, with the characters an IRI may not hold percent-escaped.

    >>> doi_url("10.3389/fonc.2025.1709244")
    'https://doi.org/10.3389/fonc.2025.1709244'
    >>> doi_url("10.1002/(SICI)1097-0142(20000415)88:8<1769::AID-CNCR3>3.0.CO;2-H")
    'https://doi.org/10.1002/(SICI)1097-0142(20000415)88:8%3C1769::AID-CNCR3%3E3.0.CO;2-H'
    """
    return "https://doi.org/" + quote(doi.strip(), safe="/-._~:;()[]!$&'*+,=@")


def ontology_graph(base: str) -> str:
    """The named graph holding the ontology."""
    return f"{base}graph/ontology"


def agent(base: str, kind: str, name: str) -> str:
    """The IRI of a curator or a piece of software that made records, by a slug of its name.

    >>> agent("https://w3id.org/metkg/", "curator", "Ada Lovelace")
    'https://w3id.org/metkg/agent/curator/ada-lovelace'
    """
    return f"{base}agent/{kind}/{re.sub(r'[^a-z0-9.]+', '-', name.lower()).strip('-.') or 'unnamed'}"


def inferred_graph(base: str) -> str:
    """The named graph holding reasoner output and derived facts."""
    return f"{base}graph/inferred"


@dataclass(frozen=True)
class CaseIris:
    """The IRIs of one case report's resources."""

    base: str
    doi: str

    @cached_property
    def case(self) -> str:
        return f"{self.base}case/{doi_path(self.doi)}"

    @cached_property
    def graph(self) -> str:
        return f"{self.base}graph/case/{doi_path(self.doi)}"

    def source(self, source_id: str) -> str:
        return f"{self.case}/source/{_segment(source_id)}"

    def patient(self, index: int) -> str:
        return f"{self.case}/patient/{index}"

    def part(self, patient: int, kind: str, local_id: str) -> str:
        """A patient's lesion, specimen, intervention... by kind and local id."""
        return f"{self.patient(patient)}/{kind}/{_segment(local_id)}"

    @staticmethod
    def child(parent: str, kind: str, local_id: str | int) -> str:
        """A resource nested under another (a result under a specimen, evidence under a fact)."""
        return f"{parent}/{kind}/{_segment(str(local_id))}"
