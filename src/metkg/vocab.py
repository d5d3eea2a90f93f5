"""Every namespace and IRI the code uses, defined once.

The ontology's own terms live in :data:`METKG` (``https://w3id.org/metkg/ontology#``), which
does not move with the deployment. Resources the build mints live under the configurable
base IRI (:class:`metkg.settings.Settings.base_iri`); :mod:`metkg.iris` derives them.
"""

from __future__ import annotations

__all__ = [
    "ASSAY_CLASSES",
    "BFO",
    "CHEBI",
    "DCTERMS",
    "IAO",
    "IHC_SCORES",
    "INTERVENTION_CLASSES",
    "METKG",
    "NCIT",
    "OBI",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "RESULT_STATUS",
    "RO",
    "SD",
    "SH",
    "SKOS",
    "TUMOR_PROGRESSION",
    "UBERON",
    "VOID",
    "XSD",
    "Namespace",
    "sparql_prefixes",
]


class Namespace:
    """An IRI prefix; attribute or item access gives the full IRI as ``str``.

    Not a ``str`` subclass, so that names such as ``DCTERMS.title`` are never shadowed by
    string methods.

    >>> XSD.integer
    'http://www.w3.org/2001/XMLSchema#integer'
    >>> METKG["Ki-67"]
    'https://w3id.org/metkg/ontology#Ki-67'
    >>> str(DCTERMS), DCTERMS.title
    ('http://purl.org/dc/terms/', 'http://purl.org/dc/terms/title')
    """

    __slots__ = ("__dict__", "_prefix")

    def __init__(self, prefix: str):
        self._prefix = prefix

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        iri = self.__dict__[name] = self._prefix + name  # later lookups never reach here
        return iri

    def __getitem__(self, name: str) -> str:
        return self._prefix + name

    def __str__(self) -> str:
        return self._prefix

    def __repr__(self) -> str:
        return f"Namespace({self._prefix!r})"


METKG = Namespace("https://w3id.org/metkg/ontology#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")
OBO = Namespace("http://purl.obolibrary.org/obo/")
NCIT = Namespace("http://purl.obolibrary.org/obo/NCIT_")
UBERON = Namespace("http://purl.obolibrary.org/obo/UBERON_")
CHEBI = Namespace("http://purl.obolibrary.org/obo/CHEBI_")
OBI = Namespace("http://purl.obolibrary.org/obo/OBI_")
IAO = Namespace("http://purl.obolibrary.org/obo/IAO_")
RO = Namespace("http://purl.obolibrary.org/obo/RO_")
BFO = Namespace("http://purl.obolibrary.org/obo/BFO_")

#: Prefixes used in Turtle output and offered to every SPARQL query.
PREFIXES: dict[str, str] = {
    "metkg": str(METKG),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "obo": str(OBO),
}

#: The ontology class of each assay a record may name (``BiomarkerResult.assay``).
ASSAY_CLASSES: dict[str, str] = {
    "IHC": METKG.IHC,
    "ISH": METKG.ISH,
    "FISH": METKG.FISH,
    "PCR": METKG.PCR,
    "NGS": METKG.NGS,
    "serum": METKG.SerumAssay,
}

#: The NCIt tumour progression of each kind of lesion (a local invasion has none).
TUMOR_PROGRESSION: dict[str, str] = {
    "primary": NCIT.C8509,
    "metastasis": NCIT.C3261,
    "recurrence": NCIT.C4798,
}
#: The ontology class of each kind of intervention a record may name (``Intervention.type``).
INTERVENTION_CLASSES: dict[str, str] = {
    "surgery": METKG.Surgery,
    "chemotherapy": METKG.Chemotherapy,
    "endocrine": METKG.EndocrineTherapy,
    "targeted": METKG.TargetedTherapy,
    "immunotherapy": METKG.Immunotherapy,
    "radiotherapy": METKG.Radiotherapy,
    "embolization": METKG.Embolization,
    "supportive": METKG.SupportiveCare,
    "other": METKG.OtherIntervention,
}
#: The individual of each result status and IHC score a record may name.
RESULT_STATUS: dict[str, str] = {
    "positive": METKG.Positive,
    "negative": METKG.Negative,
    "equivocal": METKG.Equivocal,
    "low": METKG.Low,
}
IHC_SCORES: dict[str, str] = {"0": METKG.Score0, "1+": METKG.Score1Plus, "2+": METKG.Score2Plus, "3+": METKG.Score3Plus}


def sparql_prefixes() -> str:
    """The PREFIX lines for :data:`PREFIXES`, for building SPARQL text."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
