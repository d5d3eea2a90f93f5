"""Find the ontology's terms in text: a matcher built from labels and ``skos:altLabel`` synonyms.

:class:`TermMatcher` compiles every label and synonym of every value term (sites,
histologies, markers, procedures, drugs, genes) into one pattern per category. Spelling
variants that case reports use are allowed for: ``Ki67``/``Ki-67``/``Ki 67``, ``GATA 3``,
``lymph node``/``lymph nodes``. Short upper-case abbreviations (``ER``, ``PR``, ``SMA``) match
only in upper case; everything else ignores case. Within a category the longest term wins.

Adding a synonym to ``ontology/terms.ttl`` is all it takes for the matcher to find it.

>>> m = TermMatcher({"marker": {"Ki-67": ["Ki67"], "ER": ["estrogen receptor"]}})
>>> [(t.category, t.key, t.text) for t in m.find("Ki 67 (20%), Estrogen receptor (+), er")]
[('marker', 'Ki-67', 'Ki 67'), ('marker', 'ER', 'Estrogen receptor')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from metkg.terminology import Terminology

__all__ = ["TermMatcher", "TermMention", "name_pattern", "word_stems"]


@dataclass(frozen=True)
class TermMention:
    """A term found in a text: ``[start, end)``, its category and ontology key."""

    start: int
    end: int
    category: str
    key: str
    text: str


_HYPHENS = "-‐‑–"
_HYPHEN_CLASS = r"\-‐‑–"


def word_stems(*names: str) -> set[str]:
    """The stems (first five letters) of the words of four letters or more of some names, for
    telling whether two names speak of one thing: "hepatocarcinoma" and "hepatocellular" share one.

    >>> sorted(word_stems("Hepatocellular carcinoma", "lung"))
    ['carci', 'hepat', 'lung']
    """
    return {w[:5] for name in names for w in re.findall(r"[a-z]{4,}", name.lower())}


def _case_sensitive(name: str) -> bool:
    letters = re.sub(r"[^A-Za-z]", "", name)
    return len(name) <= 5 and not any(ch.isdigit() for ch in name) and (letters.isupper() or name != name.lower())


def name_pattern(name: str) -> str:
    """A regular expression for one term name, tolerant of the spellings case reports use.

    >>> bool(re.fullmatch(name_pattern("Ki-67"), "Ki67")), bool(re.fullmatch(name_pattern("GATA3"), "GATA 3"))
    (True, True)
    >>> bool(re.fullmatch(name_pattern("S-1"), "S1"))
    False
    """
    tokens = re.findall(r"[A-Za-z]+|\d+|[" + _HYPHEN_CLASS + r"]|\s+|.", name.strip())
    out: list[str] = []
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i > 0 else ""
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok.isspace():
            out.append(r"[\s" + _HYPHEN_CLASS + r"]+")
        elif tok in _HYPHENS:
            both_long = len(prev) >= 2 and len(nxt) >= 2
            out.append(r"[\s" + _HYPHEN_CLASS + r"]?" if both_long else r"[\s" + _HYPHEN_CLASS + r"]")
        else:
            if out and prev and not prev.isspace() and prev not in _HYPHENS:
                boundary = (prev[-1].isalpha() and tok[0].isdigit()) or (prev[-1].isdigit() and tok[0].isalpha())
                if boundary and len(prev) >= 2:
                    out.append(r"[\s" + _HYPHEN_CLASS + r"]?")
            out.append(re.escape(tok))
    pattern = "".join(out)
    if name[-1:].isalpha() and name[-1:].islower() and len(name) >= 4:
        pattern += r"(?:s|es)?"
    return pattern


def _within(a: str, b: str, limit: int) -> bool:
    """Whether ``a`` and ``b`` differ by at most ``limit`` edits (insertions, deletions,
    substitutions) and not at all in their first letter, which misspellings rarely touch.
    The edit distance is computed in a band of ``limit`` around the diagonal."""
    if a == b or a[:1] != b[:1] or abs(len(a) - len(b)) > limit:
        return False
    far = limit + 1
    previous = [j if j <= limit else far for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        current = [i if i <= limit else far] + [far] * len(b)
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = previous[j - 1] + (a[i - 1] != b[j - 1])
            current[j] = min(cost, previous[j] + 1, current[j - 1] + 1, far)
        if min(current) > limit:
            return False
        previous = current
    return previous[-1] <= limit


_FIRST = re.compile(r"[^\W\d_]+|\d+")
_OTHER_MOLECULE = r"(?![\s‐-]+(?:receptors?|releasing|gene[\s‐-]related)\b)"
# A word start, not one right after "non-" ("non-small cell carcinoma" is no small cell carcinoma,
# "non-Hodgkin lymphoma" no Hodgkin lymphoma).
_STARTS = re.compile(r"(?<![A-Za-z0-9])(?<!\bnon-)(?<!\bnon\s)(?<!\bNon-)(?<!\bNon\s)(?<!\bNON-)(?:[^\W\d_]+|\d+)")


def _node_number(name: str) -> str:
    """The other number of a lymph-node name: "hilar node" for "hilar nodes", and back."""
    return name[:-1] if name.endswith("nodes") else name + "s"


def _first_token(name: str) -> str | None:
    m = _FIRST.search(name)
    return m.group(0).lower() if m else None


class TermMatcher:
    """Finds ontology terms in text; build it once with :meth:`from_terminology`.

    Each name is compiled on its own and indexed by its first word, so a text is scanned word
    by word and only the names that can start there are tried.
    """

    def __init__(self, names: Mapping[str, Mapping[str, Iterable[str]]]):
        """``names`` maps category -> term key -> the names (label, synonyms) to look for."""
        self._index: dict[str, dict[str, list[tuple[re.Pattern[str], str]]]] = {}
        self._keys: dict[str, set[str]] = {}
        self._names: dict[str, dict[int, list[tuple[str, str]]]] = {}  # category -> length -> (name, key)
        self._term_names = {(category, key): list(ns) for category, terms in names.items() for key, ns in terms.items()}
        #: each category's names: a word the vocabulary has for a term of another ("gastric") is no misspelling
        self._names_of = {c: {n.lower() for ns in terms.values() for n in ns if n} for c, terms in names.items()}
        for category, terms in names.items():
            by_length = self._names.setdefault(category, {})
            for name, key in sorted({(n.lower(), k) for k, ns in terms.items() for n in ns if n and len(n) >= 4}):
                by_length.setdefault(len(name), []).append((name, key))
            index: dict[str, list[tuple[int, re.Pattern[str], str]]] = {}
            for key, term_names in terms.items():
                # a marker's name before "receptor" or "-releasing" names another molecule ("prolactin
                # receptor", "growth hormone-releasing hormone"), unless the marker is a receptor
                ligand = category == "marker" and not any("receptor" in n.lower() for n in term_names)
                for name in {*term_names}:
                    first = _first_token(name) if name and name.strip() else None
                    if first is None:
                        continue
                    flags = 0 if _case_sensitive(name) else re.IGNORECASE
                    # "glucagon-like peptide" names no glucagon, "carcinoid-like" no carcinoid
                    tail = r"(?![A-Za-z0-9])(?![-‐]like\b)" + (_OTHER_MOLECULE if ligand else "")
                    pattern = re.compile(name_pattern(name) + tail, flags)
                    index.setdefault(first, []).append((len(name), pattern, key))
            self._index[category] = {
                first: [(p, k) for _, p, k in sorted(entries, key=lambda e: -e[0])] for first, entries in index.items()
            }
            self._keys[category] = set(terms)

    @classmethod
    def from_terminology(cls, terminology: Terminology) -> TermMatcher:
        """A matcher over every label and synonym of the ontology's value terms."""
        names: dict[str, dict[str, list[str]]] = {}
        for term in terminology.all_terms():
            term_names = [term.label, *term.synonyms]
            if term.category == "site":
                term_names += [_node_number(n) for n in term_names if re.search(r" nodes?$", n)]
            if term.category in ("marker", "gene") or re.fullmatch(r"[A-Za-z0-9]+", term.key):
                term_names.append(term.key)
            names.setdefault(term.category, {})[term.key] = term_names
        return cls(names)

    def closest(self, category: str, name: str) -> str | None:
        """The key of the one term of ``category`` whose name is within a small edit distance
        of ``name`` (misspellings such as "synaptophysine", "vimentine", "microsatelite stable"),
        or ``None`` when none or several are that close. Case is ignored; a name shorter than
        five letters is never corrected, and one of eight or fewer letters by one edit at most;
        a number written stays as written ("GATA-2" is another gene than GATA3, not a misspelling of it),
        and a name the vocabulary has for any term ("gastric", a site) is no misspelling of another.

        >>> m = TermMatcher({"marker": {"synaptophysin": ["synaptophysin"], "GATA3": ["GATA-3"]}})
        >>> m.closest("marker", "Synaptophysine"), m.closest("marker", "GATA-2")
        ('synaptophysin', None)
        >>> sites = TermMatcher({"marker": {"gastrin": ["gastrin"]}, "site": {"stomach": ["gastric"]}})
        >>> sites.closest("marker", "gastric")
        """
        word = name.lower()
        if len(word) < 5 or any(word in ns for c, ns in self._names_of.items() if c != category):
            return None
        digits = _number(word)
        limit = 1 if len(word) <= 8 else 2
        by_length = self._names.get(category, {})
        keys = {
            key
            for size in range(len(word) - limit, len(word) + limit + 1)
            for other, key in by_length.get(size, ())
            if _within(word, other, limit) and _same_number(digits, _number(other))
        }
        return next(iter(keys)) if len(keys) == 1 else None

    def names(self, category: str, key: str) -> list[str]:
        """The names (label, synonyms) the matcher looks for of one term."""
        return self._term_names.get((category, key), [])

    def has_key(self, category: str, key: str) -> bool:
        """Whether the ontology has a term of ``category`` with this key."""
        return key in self._keys.get(category, set())

    @property
    def categories(self) -> list[str]:
        return list(self._index)

    def find(self, text: str, categories: Iterable[str] | None = None) -> list[TermMention]:
        """Every term in ``text``, longest first within a category, sorted by position."""
        starts = [(m.start(), m.group(0).lower()) for m in _STARTS.finditer(text)]
        found: list[TermMention] = []
        for category in categories or self._index:
            index = self._index.get(category)
            if not index:
                continue
            covered = -1
            for position, word in starts:
                if position < covered:
                    continue
                best: tuple[int, str] | None = None
                for pattern, key in index.get(word, ()):
                    m = pattern.match(text, position)
                    if m and (best is None or m.end() > best[0]):
                        best = (m.end(), key)
                if best is not None:
                    found.append(TermMention(position, best[0], category, best[1], text[position : best[0]]))
                    covered = best[0]
        return sorted(found, key=lambda t: (t.start, -t.end))


#: A Roman numeral written as a word, with a letter after it: "factor VIII", "factor XIIIa", "type IV".
_ROMAN = re.compile(r"\b(?P<numeral>[ivx]+)[a-h]?\b")


def _number(name: str) -> str:
    """The number a lower-case name carries: its digits and its Roman numerals ("factor viii"
    carries "viii", "factor xiiia" "xiii", so the one is no misspelling of the other)."""
    return re.sub(r"\D", "", name) + " ".join(m.group("numeral") for m in _ROMAN.finditer(name))


def _same_number(written: str, listed: str) -> bool:
    """Whether two names' digits agree, or one name has none ("somatostatin receptor" for "... 2")."""
    return not written or not listed or written == listed
