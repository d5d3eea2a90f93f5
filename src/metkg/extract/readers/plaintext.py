"""Plain text (UTF-8), as PDF-to-text converters leave it: read as it is, tables and references found.

The text is not changed at all, so evidence quotes point into the file itself. A table is a
``Table N`` caption line followed by tab-separated rows (page furniture between rows and a
header repeated on the next page are skipped); the reference list is found by
:func:`metkg.extract.sections.segment`.
"""

from __future__ import annotations

import re

from metkg.errors import ExtractionError
from metkg.extract.readers.document import DOI, Cell, Document, Reference, Table
from metkg.extract.sections import segment

__all__ = ["FORMAT", "read", "references_in", "sniff", "tables_in"]

FORMAT = "text"

_CAPTION = re.compile(r"^\s*((?:TABLE|Table)\s+\d+[A-Za-z]?)\.?\s*(.*)$")
_REFERENCE = re.compile(r"^\s*(?:[-•*]\s*)?(?:\[?(\d{1,3})[.\])]\s*)?(.*\S)\s*$")
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def sniff(head: bytes) -> bool:
    """UTF-8 text without control characters (a cut multi-byte character at the end is fine)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            return False
    return not _CONTROL.search(head)


def _cells(line: str, offset: int) -> list[Cell]:
    cells, pos = [], 0
    for raw in line.split("\t"):
        lead = len(raw) - len(raw.lstrip())
        text = raw.strip()
        start = offset + pos + lead
        cells.append(Cell(text, start, start + len(text)))
        pos += len(raw) + 1
    return cells


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        out.append((pos, raw.rstrip("\r\n")))
        pos += len(raw)
    return out


def tables_in(text: str) -> list[Table]:
    """Tables written as a ``Table N`` caption line followed by tab-separated rows."""
    lines = _lines(text)
    tables: list[Table] = []
    for i, (offset, line) in enumerate(lines):
        caption = _CAPTION.match(line)
        if caption is None or "\t" in line:
            continue
        rows: list[list[Cell]] = []
        for row_offset, row in lines[i + 1 :]:
            if "\t" in row:
                rows.append(_cells(row, row_offset))
            elif (rows and len(row.strip()) > 40) or _CAPTION.match(row):
                break
        if len(rows) < 2:
            continue
        header = rows[0]
        names = [c.text for c in header]
        body = [r for r in rows[1:] if [c.text for c in r] != names]
        tables.append(Table(caption.group(1), caption.group(2).strip(), header, body, offset))
    return tables


def _next_label(references: list[Reference]) -> str:
    last = references[-1].label if references else "0"
    return str(int(last) + 1) if last.isdigit() else str(len(references) + 1)


def references_in(text: str) -> list[Reference]:
    """The entries of the reference list, numbered as printed (or by position when unnumbered)."""
    references: list[Reference] = []
    for region in segment(text):
        if region.label != "reference":
            continue
        for offset, line in _lines(region.text):
            m = _REFERENCE.match(line)
            if m is None:
                continue
            label = m.group(1) or str(
                int(references[-1].label) + 1 if references and references[-1].label.isdigit() else len(references) + 1
            )
            doi = DOI.search(line)
            references.append(
                Reference(label, m.group(2), region.start + offset, doi.group(1).rstrip(".)]").lower() if doi else None)
            )
    return references


def read(data: bytes, name: str) -> Document:
    """The text as it is, with its tables and references."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ExtractionError(f"{name!r} is not UTF-8 text; save it as UTF-8 and extract it again") from None
    if not text.strip():
        raise ExtractionError(f"{name!r} is empty; give the full text of a case report")
    return Document(text, name, FORMAT, tables_in(text), references_in(text))
