"""Exports of the graph, one module per format family.

- :mod:`metkg.export.rdf`: the dataset, one case or the ontology in the RDF formats, streamed
  from the store (``owl``: RDF/XML with one ontology header, :mod:`metkg.export.owl`).
- :mod:`metkg.export.phenopacket`: GA4GH Phenopacket v2 JSON, one document per patient, from
  the curated records.
"""

from metkg.export.rdf import FORMATS, CaseReport, case_graph, case_reports, export_graph, iter_quads

__all__ = ["FORMATS", "CaseReport", "case_graph", "case_reports", "export_graph", "iter_quads"]
