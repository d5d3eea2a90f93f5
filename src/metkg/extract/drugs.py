"""Drugs beyond the term matcher: misspellings, unlisted names by INN stem, regimen acronyms.

The ontology lists drugs one by one; a report about another cancer may name one it lacks
(sunitinib, osimertinib, ipilimumab). International Nonproprietary Names carry their class in
their stem (``-tinib`` kinase inhibitor, ``-lizumab``/``-limab`` checkpoint antibody,
``-platin`` platinum agent), so such a drug is recorded under its class term, with the name
kept in the intervention's description. A drug the ontology does name is always found by the
term matcher first; adding it to ``ontology/terms.ttl`` makes this fallback unnecessary.

A misspelt drug ("pacitaxel", "cisplatine", "Trastuzamab") is the drug it is one or two edits
away from (:class:`DrugSpeller`), never its class; the text as written stays in the draft.

>>> drug_class("sunitinib"), drug_class("Nivolumab"), drug_class("aspirin")
('targeted-agent', 'immune-checkpoint-inhibitor', None)
>>> REGIMENS["FOLFOX"]
('fluorouracil', 'leucovorin', 'oxaliplatin')
>>> speller = DrugSpeller({"paclitaxel": "paclitaxel", "5-fluorouracil": "fluorouracil"})
>>> speller.find("received pacitaxel and 5-fluoro-Uracil")
[(9, 18, 'pacitaxel', 'paclitaxel'), (23, 38, '5-fluoro-Uracil', 'fluorouracil')]
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from metkg.terminology import Terminology

__all__ = ["REGIMENS", "STEMS", "DrugSpeller", "drug_class", "find_regimens", "find_unlisted_drugs"]

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

#: Regimen acronyms and the ontology keys of their drugs. Acronyms that name different regimens
#: in different cancers ("TC", "GP", "EP") are left out: a report that uses one defines it, and
#: the abbreviation detector gives it the drugs of its long form.
REGIMENS: dict[str, tuple[str, ...]] = {
    "FOLFOX": ("fluorouracil", "leucovorin", "oxaliplatin"),
    "mFOLFOX6": ("fluorouracil", "leucovorin", "oxaliplatin"),
    "FOLFIRI": ("fluorouracil", "leucovorin", "irinotecan"),
    "FOLFIRINOX": ("fluorouracil", "leucovorin", "irinotecan", "oxaliplatin"),
    "mFOLFIRINOX": ("fluorouracil", "leucovorin", "irinotecan", "oxaliplatin"),
    "FOLFOXIRI": ("fluorouracil", "leucovorin", "oxaliplatin", "irinotecan"),
    "FLOT": ("fluorouracil", "leucovorin", "oxaliplatin", "docetaxel"),
    "CAPOX": ("capecitabine", "oxaliplatin"),
    "XELOX": ("capecitabine", "oxaliplatin"),
    "CAPIRI": ("capecitabine", "irinotecan"),
    "XELIRI": ("capecitabine", "irinotecan"),
    "GEMOX": ("gemcitabine", "oxaliplatin"),
    "GemCis": ("gemcitabine", "cisplatin"),
    "GEMCIS": ("gemcitabine", "cisplatin"),
    "GemCarbo": ("gemcitabine", "carboplatin"),
    "SOX": ("s-1", "oxaliplatin"),
    "DCF": ("docetaxel", "cisplatin", "fluorouracil"),
    "ECF": ("epirubicin", "cisplatin", "fluorouracil"),
    "EOX": ("epirubicin", "oxaliplatin", "capecitabine"),
    "AC": ("doxorubicin", "cyclophosphamide"),
    "EC": ("epirubicin", "cyclophosphamide"),
    "AC-T": ("doxorubicin", "cyclophosphamide", "paclitaxel"),
    "EC-T": ("epirubicin", "cyclophosphamide", "paclitaxel"),
    "AC-TH": ("doxorubicin", "cyclophosphamide", "paclitaxel", "trastuzumab"),
    "TAC": ("docetaxel", "doxorubicin", "cyclophosphamide"),
    "TCH": ("docetaxel", "carboplatin", "trastuzumab"),
    "TCHP": ("docetaxel", "carboplatin", "trastuzumab", "pertuzumab"),
    "FEC": ("fluorouracil", "epirubicin", "cyclophosphamide"),
    "CEF": ("cyclophosphamide", "epirubicin", "fluorouracil"),
    "FAC": ("fluorouracil", "doxorubicin", "cyclophosphamide"),
    "CAF": ("cyclophosphamide", "doxorubicin", "fluorouracil"),
    "CMF": ("cyclophosphamide", "methotrexate", "fluorouracil"),
    "CHOP": ("cyclophosphamide", "doxorubicin", "vincristine", "prednisone"),
    "R-CHOP": ("rituximab", "cyclophosphamide", "doxorubicin", "vincristine", "prednisone"),
    "ABVD": ("doxorubicin", "bleomycin", "vinblastine", "dacarbazine"),
    "BEP": ("bleomycin", "etoposide", "cisplatin"),
    "MVAC": ("methotrexate", "vinblastine", "doxorubicin", "cisplatin"),
    "MAID": ("mesna", "doxorubicin", "ifosfamide", "dacarbazine"),
}
#: Words near a regimen acronym that show it names a treatment ("four cycles of AC").
_REGIMEN_CONTEXT = re.compile(
    r"\b(?:chemo\w*|regimens?|cycles?|courses?|treated|treatment|therapy|received|receiving|given|administered|"
    r"protocol|adjuvant|neoadjuvant|followed\s+by|mg)\b",
    re.IGNORECASE,
)
_REGIMEN = re.compile(
    r"(?<![A-Za-z0-9-])(?:"
    + "|".join(re.escape(a) for a in sorted(REGIMENS, key=len, reverse=True))
    + r")(?![A-Za-z0-9-])"
)


def find_regimens(text: str) -> list[tuple[int, int, str, tuple[str, ...]]]:
    """Regimen acronyms named as a treatment: (start, end, acronym, drug keys).

    >>> find_regimens("She received four cycles of AC-T. Lung AC was confirmed.")
    [(28, 32, 'AC-T', ('doxorubicin', 'cyclophosphamide', 'paclitaxel'))]
    """
    out = []
    for m in _REGIMEN.finditer(text):
        before = re.split(r"[.;:]\s", text[max(0, m.start() - 60) : m.start()])[-1]
        after = re.split(r"[.;:]\s", text[m.end() : m.end() + 40])[0]
        if _REGIMEN_CONTEXT.search(before) or _REGIMEN_CONTEXT.search(after):
            out.append((m.start(), m.end(), m.group(0), REGIMENS[m.group(0)]))
    return out


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
    "androsterone",
    "corticosterone",
    "emtricitabine",
}


#: Antibodies whose INN names a target outside cancer: interleukins (-ki-), nerves (-ne-), the
#: circulation (-ci-), viruses (-vi-), bacteria (-ba-).
_NON_TUMOUR_ANTIBODY = re.compile(r"(?:ki|ne|ci|vi|ba)[nzx]?umab$")


def drug_class(name: str) -> str | None:
    """The ontology key of the class a drug name's stem gives, or ``None``."""
    word = name.strip().lower()
    if len(word) < 6 or any(word.endswith(other) for other in _NOT_DRUGS) or _NON_TUMOUR_ANTIBODY.search(word):
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


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance of ``a`` and ``b``, or ``limit + 1`` once it is sure to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


_CANDIDATE = re.compile(r"(?<![\w-])(?:\d+-?)?[A-Za-z]{3,}(?:-[A-Za-z]{2,})*(?![\w-])")


def _folded(name: str) -> str:
    return re.sub(r"[\s\-‐‑–]", "", name.lower())


class DrugSpeller:
    """Finds misspelt drug names: a word one edit (two from twelve letters on) away from a drug's name.

    Words are compared without case or hyphens ("5-fluoro-Uracil") with the one-word names of
    seven letters or more (no class names such as "AKT inhibitor", no numbered names such as
    "interleukin-2") that start with the same two characters, so ordinary words ("medicine",
    "combine") stay words. A word spelt as a drug name is the term matcher's.
    """

    def __init__(self, names: Mapping[str, str]):
        """``names`` maps a drug name (label or synonym) to its ontology key."""
        self._known = {n.lower() for n in names}
        #: (folded name, key, whether it is a brand: a capitalised name, misspelt only capitalised)
        self._by_letter: dict[str, list[tuple[str, str, bool]]] = {}
        for name, key in names.items():
            folded = _folded(name)
            if not re.search(r"\s", name.strip()) and re.fullmatch(r"\d*[a-z]{7,}", folded):
                self._by_letter.setdefault(folded[:2], []).append((folded, key, name[:1].isupper()))
        self._cache: dict[tuple[str, bool], str | None] = {}

    @classmethod
    def from_terminology(cls, terminology: Terminology) -> DrugSpeller:
        names: dict[str, str] = {}
        for term in terminology.all_terms():
            if term.category == "drug":
                for name in (term.label, *term.synonyms):
                    names.setdefault(name, term.key)
        return cls(names)

    def correct(self, word: str) -> str | None:
        """The key of the drug ``word`` is a misspelling of, or ``None``. A brand name ("Prograf")
        is matched only by a capitalised word: "program" is a word, not a misspelt brand."""
        cached = (word.lower(), word[:1].isupper())
        if cached not in self._cache:
            self._cache[cached] = self._closest(*cached)
        return self._cache[cached]

    def _closest(self, word: str, capitalised: bool) -> str | None:
        folded = _folded(word)
        if word in self._known or word.rstrip("s") in self._known or len(folded) < 7:
            return None
        limit = 1 if len(folded) < 12 else 2
        best: tuple[int, str] | None = None
        for name, key, brand in self._by_letter.get(folded[:2], ()):
            if abs(len(name) - len(folded)) > limit or (brand and not capitalised):
                continue
            d = _distance(folded, name, limit)
            if d <= limit and (best is None or d < best[0]):
                best = (d, key)
        return best[1] if best else None

    def find(self, text: str) -> list[tuple[int, int, str, str]]:
        """Every misspelt drug name in ``text``: (start, end, text as written, drug key)."""
        out = []
        for m in _CANDIDATE.finditer(text):
            key = self.correct(m.group(0))
            if key is not None:
                out.append((m.start(), m.end(), m.group(0), key))
        return out
