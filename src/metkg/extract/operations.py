"""The organ an operation removes: named in the procedure's term, or by its "-ectomy" word.

A nephrectomy removes a kidney, a hysterectomy the uterus; a named operation of one organ (the low
anterior resection, breast-conserving surgery) says its organ in the ontology (``metkg:typicalSite``).
"""

from __future__ import annotations

import re

from metkg.extract.report import Report

__all__ = ["ECTOMY", "implied_site"]

#: An operation named by its "-ectomy" word.
ECTOMY = re.compile(r"\b[a-z]{3,}ectomy\b", re.IGNORECASE)

#: The organ an operation removes, by its "-ectomy" word (a named operation of one organ, such as the
#: low anterior resection, says its organ in the ontology: ``metkg:typicalSite``).
_OPERATED_ORGAN = {
    "mastectomy": "breast",
    "lumpectomy": "breast",
    "nephrectomy": "kidney",
    "lobectomy": "lung",
    "pneumonectomy": "lung",
    "hepatectomy": "liver",
    "colectomy": "colon",
    "cecectomy": "cecum",
    "caecectomy": "cecum",
    "gastrectomy": "stomach",
    "thyroidectomy": "thyroid",
    "prostatectomy": "prostate",
    "hysterectomy": "uterus",
    "oophorectomy": "ovary",
    "orchiectomy": "testis",
    "pancreatectomy": "pancreas",
    "splenectomy": "spleen",
    "esophagectomy": "esophagus",
    "adrenalectomy": "adrenal gland",
    "cystectomy": "bladder",
    "laryngectomy": "larynx",
    "appendectomy": "appendix",
    "appendicectomy": "appendix",
    "proctectomy": "rectum",
    "sigmoidectomy": "colon",
    "salpingectomy": "fallopian tube",
    "parotidectomy": "parotid gland",
    "glossectomy": "tongue",
    "myomectomy": "uterus",
    "nephroureterectomy": "kidney",
    "parathyroidectomy": "parathyroid gland",
    "thymectomy": "thymus",
    "cholecystectomy": "gallbladder",
    "vulvectomy": "vulva",
    "penectomy": "penis",
    "orchidectomy": "testis",
}
#: Longer names first: a parathyroidectomy is no thyroidectomy, a nephroureterectomy no ureterectomy.
_OPERATION_WORDS = sorted(_OPERATED_ORGAN, key=len, reverse=True)


def implied_site(report: Report, key: str, text: str) -> str | None:
    """The organ a procedure implies: named in its term (breast-conserving surgery), if the report
    speaks of that organ, or its "-ectomy" word (a nephrectomy removes a kidney)."""
    vocab = report.vocabulary
    implied = vocab.implied_sites("procedure", key)
    if implied:
        return implied[0] if _organ_spoken_of(report, implied[0], text) else None
    for stem in _OPERATION_WORDS:
        if stem in key or stem in text.lower():
            return vocab.site_for(_OPERATED_ORGAN[stem])  # None for an organ the vocabulary lacks
    return None


def _organ_spoken_of(report: Report, site: str, text: str) -> bool:
    """Whether the organ a procedure's other names imply is the report's: named in the words
    written ("breast-conserving surgery"), or in the report, by name or by a histology that
    implies it ("lumpectomy" of a ductal carcinoma, not the lumpectomy of a mesenteric mass)."""
    vocab = report.vocabulary
    if any(m.key == site for m in vocab.matcher.find(text, ["site"])):
        return True
    for sentence in report.sentences:
        named = [m.key for m in sentence.of("site")]
        named += [k for m in sentence.of("histology") for k in vocab.implied_sites("histology", m.key)[:1]]
        if any(vocab.related("site", key, site) for key in named):
            return True
    return False
