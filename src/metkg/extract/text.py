"""Clean PDF-to-text output without losing the way back to the original characters.

A :class:`CleanText` is the text the extractor reads (line breaks inside paragraphs joined,
words split at line ends rejoined, LaTeX and Markdown debris such as ``$12 \\times 10^9/L$``,
``\\pm`` or ``*in situ*`` undone, figure captions and tables cut out) together with, for every
character, the span of the original it came from. Any span of the clean text maps back to a
span of the original file, so an evidence quote is always ``original[start:end]``.

Every rewrite is a pure function from one :class:`CleanText` to the next.

>>> ct = clean_text("ER (\\\\pm), dif-\\nfuse")
>>> ct.text
'ER (±), dif-fuse'
>>> ct.original_span(4, 5)
(4, 7)
>>> ct.quote(0, 6)
('ER (\\\\pm)', 0, 8)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["CleanText", "clean_text", "drop_spans", "identity", "rewrite"]


@dataclass(frozen=True)
class CleanText:
    """A cleaned text and, per character, the ``[start, end)`` of the original it stands for."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span that clean characters ``start:end`` come from."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def quote(self, start: int, end: int) -> tuple[str, int, int]:
        """``(quote, start, end)`` of the original for clean characters ``start:end``."""
        ostart, oend = self.original_span(start, end)
        return self.original[ostart:oend], ostart, oend

    def clean_offset(self, original_offset: int) -> int:
        """The first clean character at or after an original offset."""
        lo, hi = 0, len(self.starts)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.starts[mid] < original_offset:
                lo = mid + 1
            else:
                hi = mid
        return lo


def identity(text: str) -> CleanText:
    """The text itself, every character standing for itself."""
    n = len(text)
    return CleanText(text, text, tuple(range(n)), tuple(range(1, n + 1)))


def rewrite(ct: CleanText, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> CleanText:
    """Replace every match of ``pattern`` by ``replace(match)``, keeping the map to the original.

    A replacement as long as its match maps character for character; any other replacement
    maps each of its characters to the whole original span of the match.
    """
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    text = ct.text
    for m in pattern.finditer(text):
        new = replace(m)
        if new == m.group(0):
            continue
        parts.append(text[pos : m.start()])
        starts.extend(ct.starts[pos : m.start()])
        ends.extend(ct.ends[pos : m.start()])
        if len(new) == m.end() - m.start():
            starts.extend(ct.starts[m.start() : m.end()])
            ends.extend(ct.ends[m.start() : m.end()])
        elif new:
            ostart, oend = ct.original_span(m.start(), m.end())
            starts.extend([ostart] * len(new))
            ends.extend([oend] * len(new))
        parts.append(new)
        pos = m.end()
    if not parts:
        return ct
    parts.append(text[pos:])
    starts.extend(ct.starts[pos:])
    ends.extend(ct.ends[pos:])
    return CleanText(ct.original, "".join(parts), tuple(starts), tuple(ends))


def drop_spans(ct: CleanText, spans: Iterable[tuple[int, int]]) -> CleanText:
    """Cut clean-text spans out; what was before and after a cut is joined by one space or a break.

    The join is a space when the text before the cut stops mid-sentence and the text after it
    goes on in lower case (a caption dropped into the middle of a sentence), else a paragraph
    break.
    """
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    if not merged:
        return ct
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    text = ct.text
    for start, end in merged:
        kept = text[pos:start].rstrip()
        parts.append(kept)
        starts.extend(ct.starts[pos : pos + len(kept)])
        ends.extend(ct.ends[pos : pos + len(kept)])
        after = text[end:].lstrip()
        before = "".join(parts).rstrip()
        joiner = " " if before and not before.endswith((".", "!", "?", ":")) and after[:1].islower() else "\n\n"
        anchor = ct.starts[start] if start < len(ct.starts) else len(ct.original)
        parts.append(joiner)
        starts.extend([anchor] * len(joiner))
        ends.extend([anchor] * len(joiner))
        pos = end + (len(text[end:]) - len(after))
    parts.append(text[pos:])
    starts.extend(ct.starts[pos:])
    ends.extend(ct.ends[pos:])
    return CleanText(ct.original, "".join(parts), tuple(starts), tuple(ends))


_MATH = re.compile(r"\$([^$\n]{1,120})\$")
_LATEX = {
    r"\times": "×",
    r"\pm": "±",
    r"\geq": "≥",
    r"\leq": "≤",
    r"\ge": "≥",
    r"\le": "≤",
    r"\%": "%",
    r"\sim": "~",
    r"\mu": "μ",
    r"\alpha": "α",
    r"\beta": "β",
    r"\gamma": "γ",
    r"\(": "(",
    r"\)": ")",
    r"\[": "[",
    r"\]": "]",
    r"\_": "_",
    r"\#": "#",
    "⁽": "(",
    "⁾": ")",
}
_LATEX_RE = re.compile(
    "|".join(re.escape(k) + (r"(?![A-Za-z])" if k[-1].isalpha() else "") for k in sorted(_LATEX, key=len, reverse=True))
)
# A blank line inside a sentence (a page break): the text before it does not end a sentence and
# the text after it goes on in lower case or with a number.
_PAGE_BREAK = re.compile(r"(?<=[^\s.!?:])[ \t]*\n(?:[ \t]*\n)+[ \t]*(?=[a-z0-9(])")
_SUPERSCRIPT = re.compile(r"\^\{([^{}\n]{1,12})\}|_\{([^{}\n]{1,12})\}")
_EMPHASIS = re.compile(r"(?<![\w*])\*{1,2}([^*\n]{1,80}?)\*{1,2}(?![\w*])")
_HYPHEN_BREAK = re.compile(r"(\w+)-[ \t]*\n[ \t]*(\w+)")
_LINE_BREAK = re.compile(r"(?<!\n)[ \t]*\n(?!\n)[ \t]*")
_BLANK_LINES = re.compile(r"[ \t]*\n(?:[ \t]*\n)+[ \t]*")
_SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]{2,}|[\t\u00a0\u2009\u202f]")
_SOFT_HYPHEN = re.compile("\u00ad\n?")
# Two sentences glued without a space where paragraphs were joined ("was 30%.In January"): a
# sentence end after a word of two or more characters, a closing bracket or a percent sign, then a
# capital opening a word, or the article "A" ("(Figure 2).A mass biopsy"). One letter before the
# stop is an abbreviation or a variant's notation ("p.Gly12Asp", "E.Coli") and is left alone; a
# longer abbreviation ("Dr.Smith", "vs.The") gains the space print would give it, which the
# sentence splitter reads as it reads print.
_GLUED_SENTENCE = re.compile(r"(?<=[\w%)\]]{2}[.!?])(?=[A-Z][A-Za-z]|A\s+[a-z])")


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}


def clean_text(original: str, drop: Iterable[tuple[int, int]] = ()) -> CleanText:
    """Clean PDF-to-text output; ``drop`` gives original spans (captions, tables) to cut out.

    A word broken at a line end keeps its hyphen (``spindle-\\nshaped`` -> ``spindle-shaped``)
    unless the document elsewhere writes it whole (``metas-\\ntasis`` -> ``metastasis``).
    """
    ct = identity(original)
    drops = sorted(drop)
    if drops:
        # Cut before rewriting so that a dropped caption cannot glue onto the words around it.
        ct = drop_spans(ct, [(ct.clean_offset(s), ct.clean_offset(e)) for s, e in drops])
    ct = rewrite(ct, _SOFT_HYPHEN, lambda m: "")
    ct = rewrite(ct, _MATH, lambda m: m.group(1))
    ct = rewrite(ct, _SUPERSCRIPT, lambda m: m.group(1) or m.group(2))
    ct = rewrite(ct, _LATEX_RE, lambda m: _LATEX[m.group(0)])
    ct = rewrite(ct, _EMPHASIS, lambda m: m.group(1))
    vocabulary = _words(original)

    def join(m: re.Match[str]) -> str:
        whole = m.group(1) + m.group(2)
        hyphen = "" if whole.lower() in vocabulary and m.group(2)[:1].islower() else "-"
        return m.group(1) + hyphen + m.group(2)

    ct = rewrite(ct, _HYPHEN_BREAK, join)
    ct = rewrite(ct, _PAGE_BREAK, lambda m: " ")
    ct = rewrite(ct, _BLANK_LINES, lambda m: "\n\n")
    ct = rewrite(ct, _LINE_BREAK, lambda m: " ")
    ct = rewrite(ct, _GLUED_SENTENCE, lambda m: " ")
    return rewrite(ct, _SPACES, lambda m: " ")
