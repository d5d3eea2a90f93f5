"""What every reader returns: one normalised text with its tables, references, pages and metadata.

The normalised text is the text the extraction reads and every evidence quote refers to
(``quote == text[start:end]``); it is saved beside the draft. Its layout follows the plain-text
case reports the extraction was built on: section headings on lines of their own, one paragraph
per line with a blank line between paragraphs, a table as a ``Table N caption`` line followed by
one line per row with the cells separated by tabs, and the reference list after a
``References`` heading, one reference per line.

:class:`TextBuilder` writes such a text and records where each table cell, reference and page
lies in it, so no reader computes offsets by hand.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

__all__ = ["DOI", "Cell", "Document", "Metadata", "Reference", "Table", "TextBuilder", "normalise"]


@dataclass(frozen=True)
class Cell:
    """One table cell: its text is ``Document.text[start:end]`` (empty cells have start == end)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Table:
    """A table as cells: the header row(s) first, then the body rows, each a list of cells."""

    label: str
    caption: str
    header: list[Cell]
    rows: list[list[Cell]]
    caption_start: int = 0


@dataclass(frozen=True)
class Reference:
    """One entry of the reference list: its number, its text and its DOI when it has one."""

    label: str
    text: str
    start: int
    doi: str | None = None


@dataclass(frozen=True)
class Metadata:
    """Front matter a structured format states outright (JATS, HTML meta tags)."""

    doi: str | None = None
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    authors: tuple[str, ...] = ()
    licence: str | None = None


@dataclass
class Document:
    """A case report as one normalised text, with what the reader found in it."""

    text: str
    source: str
    format: str
    tables: list[Table] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    metadata: Metadata = field(default_factory=Metadata)
    page_starts: list[int] = field(default_factory=list)

    def page_of(self, offset: int) -> int | None:
        """The 1-based page of a text offset, for documents that have pages (PDF)."""
        if not self.page_starts:
            return None
        return max(1, bisect_right(self.page_starts, offset))


DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>,;]+)")
_ODD_SPACES = re.compile(r"[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff]")
_LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}


def normalise(text: str) -> str:
    """Ligatures spelled out, odd spaces made plain spaces, soft hyphens and zero-width marks removed.

    >>> normalise("signi\ufb01cant\u00a0e\ufb00ect\u00ad")
    'significant effect'
    """
    text = unicodedata.normalize("NFC", text)
    text = "".join(_LIGATURES.get(ch, ch) for ch in text)
    return _INVISIBLE.sub("", _ODD_SPACES.sub(" ", text))


def _flat(text: str) -> str:
    """One line of normalised text: tabs and line breaks become single spaces."""
    return re.sub(r"\s+", " ", normalise(text)).strip()


class TextBuilder:
    """Writes a normalised text block by block and keeps the offsets of cells, references, pages."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self.tables: list[Table] = []
        self.references: list[Reference] = []
        self.page_starts: list[int] = []

    def _write(self, text: str) -> int:
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        return start

    def _block(self, line: str) -> int:
        if self._length:
            self._write("\n")
        start = self._write(line)
        self._write("\n")
        return start

    def page(self) -> None:
        """Mark the start of a new page."""
        self.page_starts.append(self._length + (1 if self._length else 0))

    def heading(self, text: str) -> None:
        """A section heading on a line of its own."""
        if line := _flat(text):
            self._block(line)

    def paragraph(self, text: str) -> None:
        """A paragraph on one line."""
        if line := _flat(text):
            self._block(line)

    def table(self, label: str, caption: str, rows: list[list[str]], header_rows: int = 1) -> None:
        """A table: its caption line, then one tab-separated line per row."""
        label = _flat(label).rstrip(".:")
        caption_line = _flat(f"{label} {caption}") if caption else label
        caption_start = self._block(caption_line)
        built: list[list[Cell]] = []
        for row in rows:
            if not any(_flat(c or "") for c in row):
                continue
            cells: list[Cell] = []
            for i, raw in enumerate(row):
                if i:
                    self._write("\t")
                cell = _flat(raw or "")
                at = self._write(cell)
                cells.append(Cell(cell, at, at + len(cell)))
            self._write("\n")
            built.append(cells)
        header = built[0] if built and header_rows else []
        self.tables.append(Table(_flat(label), _flat(caption), header, built[1 if header else 0 :], caption_start))

    def reference(self, label: str, text: str, doi: str | None) -> None:
        """One reference-list entry on a line of its own (``label. text``)."""
        body = _flat(text)
        if not body:
            return
        line = f"{label}. {body}" if label else body
        found = DOI.search(body) if doi is None else None
        doi = found.group(1).rstrip(".)]") if found else doi
        start = self._write(line) if self.references else self._block(line)
        self._write("\n")
        self.references.append(Reference(label, line, start, doi.lower() if doi else None))

    def document(self, source: str, fmt: str, metadata: Metadata | None = None) -> Document:
        """The finished document."""
        return Document(
            "".join(self._parts),
            source,
            fmt,
            self.tables,
            self.references,
            metadata or Metadata(),
            self.page_starts,
        )
