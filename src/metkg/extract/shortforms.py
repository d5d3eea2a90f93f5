"""Short forms a report uses without defining them: "confirming the diagnosis of EHE" after a title
"Epithelioid Hemangioendothelioma ...", "desmoplastic MB" after "Medulloblastoma in the Elderly".

The abbreviation detector links a short form to the long form written right before it in
parentheses; a report often spells a tumour out once (in its title or first line) and uses its
initials after that without the parenthesis. A capitalised short form no term covers and the text
does not define becomes a mention of a tumour named in the text when it is the initials of that
tumour's name, each
word of the name giving its first letter (the last word perhaps one more), the name optionally led
by up to two words of its own ("Hepatic Epithelioid Hemangioendothelioma", HEHE).

>>> spells("EHE", "Epithelioid Hemangioendothelioma")
True
>>> spells("KS", "Kaposi sarcoma")
True
>>> spells("CT", "carcinoma")
False
"""

from __future__ import annotations

import re
from collections.abc import Callable

from metkg.extract.terms import TermMatcher, TermMention

__all__ = ["spells", "title_short_forms", "undefined_short_forms"]

_SHORT = re.compile(r"(?<![\w-])(?!(?:[IVX]+)\b)[A-Z]{2,6}(?![\w-]|\s*\d)")  # not "III", nor "CA 19-9"
#: Capitals of tests, imaging, scores and services, never a tumour's initials.
_NOT_TUMOURS = frozenset(
    """
    CT MRI PET FDG SUV US CXR ECG EKG EEG EMG IHC ISH FISH PCR NGS DNA RNA HE PAS WHO TNM FIGO AJCC UICC ECOG
    KPS RECIST NCCN ICU ED OR ER PR AR HIV HBV HCV CMV EBV HSV HPV TB LN SLN FNA FNAC EUS ERCP EGD CEA AFP LDH
    CRP ESR WBC RBC MDT GI GU ENT CNS IM SC BMI SD PD CR PFS OS DFS AE CTCAE USA UK EU PA AP MR BP ALT AST ADC
    DSA EM LM AB CA CC DWI ICD HR OR RR PS FS CSF BM PB CNB FNAB TBNA EBUS
    """.split()  # noqa: SIM905
)
#: Word parts a tumour's name joins on, whose first letter a short form may take besides the initials:
#: "medullo-blastoma" (MB), "hemangio-endothelioma" (EHE).
_STEMS = ("blastoma", "sarcoma", "carcinoma", "endothelioma", "cytoma", "myo", "lymphoma", "thelioma")
_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "of", "and", "or", "in", "on", "with", "for", "to", "by", "from", "as", "at"}
)
_LEAD_WORDS = re.compile(r"(?:(?<=\s)|^)([A-Za-z-]{3,}\s+){0,2}$")


def spells(short: str, name: str) -> bool:
    """Whether ``short`` is the initials of ``name``'s words, the last word perhaps giving one more:
    the first letter of a part it joins on ("MB", medulloblastoma; "EHE", epithelioid
    hemangioendothelioma)."""
    words = [w for w in re.split(r"[\s-]+", name.lower()) if w and w not in _FUNCTION_WORDS]
    if not words:
        return False
    initials = "".join(w[0] for w in words)
    letters = short.lower()
    if letters == initials and len(words) > 1:
        return True
    if letters[:-1] != initials:
        return False
    return any(
        words[-1].startswith(stem, i) for i in range(1, len(words[-1])) for stem in _STEMS if stem[0] == letters[-1]
    )


def undefined_short_forms(
    text: str, found: list[TermMention], matcher: TermMatcher, defined: frozenset[str] = frozenset()
) -> list[TermMention]:
    """Mentions for each use of a short form (not one of ``defined``, which the text spells out
    itself) that spells a tumour named before its first use: the tumour's terms (and the organ a
    lead word names) placed on the short form. A name written only after the short form is
    another's ("LC due to hepatitis B ... his father died of lung cancer")."""
    tumours = _tumour_names(found)

    def meaning(word: str, first_use: int) -> list[TermMention]:
        # the name spelt out before the first use: a title, a first line
        return _meaning(text, word, [t for t in tumours if t.end <= first_use], matcher)

    return _uses(text, found, defined, meaning) if tumours else []


def title_short_forms(
    title: str, text: str, found: list[TermMention], matcher: TermMatcher, defined: frozenset[str] = frozenset()
) -> list[TermMention]:
    """Mentions for each use in ``text`` of a short form its title spells out, where the text itself
    does not: "confirming the diagnosis of IVLBCL" under a title "Intravascular large B-cell lymphoma
    (IVLBCL) ...", "the diagnosis of MCL" under "... of mantle cell lymphoma: a case report". The
    title gives the short form its meaning only; the fact is the text's use of it."""
    tumours = _tumour_names(matcher.find(title))

    def meaning(word: str, first_use: int) -> list[TermMention]:
        return _defined_by(title, word, tumours, matcher) or _meaning(title, word, tumours, matcher)

    return _uses(text, found, defined, meaning) if tumours else []


def _tumour_names(found: list[TermMention]) -> list[TermMention]:
    """Tumour names a short form may spell: of several words, or one long word."""
    return [m for m in found if m.category == "histology" and (" " in m.text.strip() or len(m.text) >= 8)]


def _uses(
    text: str,
    found: list[TermMention],
    defined: frozenset[str],
    meaning: Callable[[str, int], list[TermMention]],
) -> list[TermMention]:
    """Each use of a short form that no term covers, with the terms its meaning (worked out at its
    first use) gives."""
    covered = sorted((m.start, m.end) for m in found)
    extra: list[TermMention] = []
    meanings: dict[str, list[TermMention]] = {}
    for short in _SHORT.finditer(text):
        word = short.group(0)
        if word in _NOT_TUMOURS or word in defined or any(s <= short.start() < e for s, e in covered):
            continue
        if word not in meanings:
            meanings[word] = meaning(word, short.start())
        extra += [TermMention(short.start(), short.end(), m.category, m.key, word) for m in meanings[word]]
    return extra


def _defined_by(title: str, short: str, tumours: list[TermMention], matcher: TermMatcher) -> list[TermMention]:
    """The terms of the tumour name (with up to two lead words) written right before "(short)"."""
    for paren in re.finditer(r"\(\s*" + re.escape(short) + r"\s*\)", title):
        for tumour in tumours:
            if tumour.end <= paren.start() and not title[tumour.end : paren.start()].strip():
                lead = _LEAD_WORDS.search(title, max(0, tumour.start - 40), tumour.start)
                name = title[lead.start() if lead else tumour.start : tumour.end]
                return [m for m in matcher.find(name) if m.category in ("histology", "site")]
    return []


def _meaning(text: str, short: str, tumours: list[TermMention], matcher: TermMatcher) -> list[TermMention]:
    """The terms of the first tumour name, with up to two lead words, that ``short`` spells."""
    for tumour in tumours:
        lead = _LEAD_WORDS.search(text, max(0, tumour.start - 40), tumour.start)
        starts = [tumour.start] if lead is None else _word_starts(text, lead.start(), tumour.start)
        for start in starts:
            name = text[start : tumour.end]
            if spells(short, name):
                return [m for m in matcher.find(name) if m.category in ("histology", "site")]
    return []


def _word_starts(text: str, first: int, tumour_start: int) -> list[int]:
    """Where the name may begin: at the tumour word, or one or two words before it (nearest first)."""
    starts = [tumour_start]
    for m in reversed(list(re.finditer(r"[A-Za-z-]+\s+", text[first:tumour_start]))):
        starts.append(first + m.start())
    return starts
