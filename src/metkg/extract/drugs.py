"""Drugs the ontology does not name yet: class by INN stem, regimens by their acronym.

The ontology lists drugs one by one; a report about another cancer may name one it lacks
(sunitinib, osimertinib, ipilimumab). International Nonproprietary Names carry their class in
their stem (``-tinib`` kinase inhibitor, ``-lizumab``/``-limab`` checkpoint antibody,
``-platin`` platinum agent), so such a drug is recorded under its class term, with the name
kept in the intervention's description. A drug the ontology does name is always found by the
term matcher first; adding it to ``ontology/terms.ttl`` makes this fallback unnecessary.

>>> drug_class("sunitinib"), drug_class("Nivolumab"), drug_class("aspirin")
('targeted-agent', 'immune-checkpoint-inhibitor', None)
>>> REGIMENS["FOLFOX"]
('fluorouracil', 'oxaliplatin')
"""

from __future__ import annotations

import re

__all__ = ["REGIMENS", "STEMS", "drug_class", "find_unlisted_drugs"]

#: INN stem -> ontology key of the drug class (checked against the ontology by the caller).
STEMS: tuple[tuple[str, str], ...] = (
    ("vedotin", "antibody-drug-conjugate"),
    ("deruxtecan", "antibody-drug-conjugate"),
    ("govitecan", "antibody-drug-conjugate"),
    ("emtansine", "antibody-drug-conjugate"),
    ("lizumab", "immune-checkpoint-inhibitor"),
    ("limumab", "immune-checkpoint-inhibitor"),
    ("lumab", "immune-checkpoint-inhibitor"),
    ("limab", "immune-checkpoint-inhibitor"),
    ("ciclib", "cdk4-6-inhibitor"),
    ("lisib", "pi3k-inhibitor"),
    ("parib", "parp-inhibitor"),
    ("limus", "mtor-inhibitor"),
    ("tinib", "targeted-agent"),
    ("fenib", "targeted-agent"),
    ("rafenib", "targeted-agent"),
    ("nib", "targeted-agent"),
    ("mab", "targeted-agent"),
    ("platin", "platinum-agent"),
    ("taxel", "taxane"),
    ("rubicin", "anthracycline"),
    ("citabine", "antimetabolite"),
    ("trexed", "antimetabolite"),
    ("trexate", "antimetabolite"),
    ("fosfamide", "alkylating-agent"),
    ("mustine", "alkylating-agent"),
    ("zolomide", "alkylating-agent"),
    ("tecan", "cytotoxic-agent"),
    ("poside", "cytotoxic-agent"),
    ("vine", "cytotoxic-agent"),
    ("rozole", "aromatase-inhibitor"),
    ("relin", "gnrh-analogue"),
    ("relix", "gnrh-analogue"),
    ("strant", "serd"),
    ("oxifene", "serm"),
    ("lutamide", "endocrine-agent"),
    ("terone", "endocrine-agent"),
    ("dronate", "bone-modifying-agent"),
    ("dronic", "bone-modifying-agent"),
)

#: Regimen acronyms and the ontology keys of their drugs.
REGIMENS: dict[str, tuple[str, ...]] = {
    "FOLFOX": ("fluorouracil", "oxaliplatin"),
    "mFOLFOX6": ("fluorouracil", "oxaliplatin"),
    "FOLFIRI": ("fluorouracil",),
    "FOLFIRINOX": ("fluorouracil", "oxaliplatin"),
    "FOLFOXIRI": ("fluorouracil", "oxaliplatin"),
    "CAPOX": ("capecitabine", "oxaliplatin"),
    "XELOX": ("capecitabine", "oxaliplatin"),
    "GEMOX": ("gemcitabine", "oxaliplatin"),
    "SOX": ("s-1", "oxaliplatin"),
}

_WORD = re.compile(r"\b[A-Za-z][a-z]{3,}(?:" + "|".join(stem for stem, _ in STEMS) + r")\b")
_NOT_DRUGS = {
    "combine",
    "machine",
    "routine",
    "medicine",
    "vaccine",
    "examine",
    "determine",
    "genuine",
    "feminine",
    "testosterone",
    "progesterone",
    "aldosterone",
    "pregnenolone",
    "grapevine",
}


def drug_class(name: str) -> str | None:
    """The ontology key of the class a drug name's stem gives, or ``None``."""
    word = name.strip().lower()
    if word in _NOT_DRUGS or len(word) < 6:
        return None
    for stem, key in STEMS:
        if word.endswith(stem):
            return key
    return None


def find_unlisted_drugs(text: str) -> list[tuple[int, int, str, str]]:
    """Every word of ``text`` that looks like a drug by its stem: (start, end, name, class key)."""
    out = []
    for m in _WORD.finditer(text):
        key = drug_class(m.group(0))
        if key is not None:
            out.append((m.start(), m.end(), m.group(0), key))
    return out
