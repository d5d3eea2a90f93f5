"""Operations and other procedures a sentence names, and the organ an operation removes.

:func:`procedure_mentions` gives a sentence's procedure terms with those named otherwise: an
"-ectomy" word, a plural ("biopsies"), a verb ("the tumour was excised"). :func:`implied_site` gives
the organ an operation removes: a nephrectomy a kidney, a hysterectomy the uterus; a named operation
of one organ (the low anterior resection, breast-conserving surgery) says its organ in the ontology
(``metkg:typicalSite``).
"""

from __future__ import annotations

import re

from metkg.extract.report import Mention, Report, Sentence

__all__ = ["ECTOMY", "VERB_PROCEDURES", "implied_site", "procedure_mentions"]

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


#: Procedures named by a verb ("the tumor was excised"): the noun's term.
VERB_PROCEDURES = {
    "excised": "excision",
    "resected": "resection",
    "removed": "surgical removal",
    "biopsied": "biopsy",
    "aspirated": "fine-needle aspiration",
    "amputated": "amputation",
}
_VERBS = re.compile(
    r"\b(?:surgically\s+|completely\s+|totally\s+|partially\s+)?(" + "|".join(VERB_PROCEDURES) + r")\b", re.IGNORECASE
)
#: Plural procedure nouns ("cervical biopsies were obtained"): the singular's term.
_PLURAL_SINGULAR = {"biopsies": "biopsy", "excisions": "excision", "resections": "resection"}
_PLURAL = re.compile(r"\b(" + "|".join(_PLURAL_SINGULAR) + r")\b", re.IGNORECASE)


_NOT_BEFORE = re.compile(r"\b(?:not|no|never)\s+(?:\w+\s+)?$", re.IGNORECASE)


def procedure_mentions(report: Report, s: Sentence) -> list[Mention]:
    """Procedure terms of a sentence, plus procedures named by a verb ("the tumor was excised")."""
    found = [
        m
        for m in s.of("procedure")
        if not any(o is not m and o.start <= m.start and m.end <= o.end for o in s.of("procedure"))
    ]
    for e in ECTOMY.finditer(s.text):
        start, end = s.start + e.start(), s.start + e.end()
        resection = report.vocabulary.matcher.find("resection", ["procedure"])
        if resection and not any(m.start < end and start < m.end for m in found):
            negated = _NOT_BEFORE.search(s.text[: e.start()]) is not None
            found.append(Mention(start, end, "procedure", resection[0].key, e.group(0), negated=negated))
    for p in _PLURAL.finditer(s.text):
        start, end = s.start + p.start(), s.start + p.end()
        key = report.vocabulary.matcher.find(_PLURAL_SINGULAR[p.group(1).lower()], ["procedure"])
        if key and not any(m.start < end and start < m.end for m in found):
            negated = _NOT_BEFORE.search(s.text[: p.start()]) is not None
            found.append(Mention(start, end, "procedure", key[0].key, p.group(0), negated=negated))
    for v in _VERBS.finditer(s.text):
        start, end = s.start + v.start(1), s.start + v.end(1)
        if any(m.start <= start < m.end for m in found):
            continue
        key = report.vocabulary.matcher.find(VERB_PROCEDURES[v.group(1).lower()], ["procedure"])
        if key:
            negated = _NOT_BEFORE.search(s.text[: v.start()]) is not None
            found.append(Mention(start, end, "procedure", key[0].key, v.group(1), negated=negated))
    return sorted(found, key=lambda m: m.start)
