"""PDF: the text layer in reading order, page furniture dropped, ruled tables kept as cells.

Built on **pdfplumber** and the pdfminer.six it runs on, each for what it does best. The text
layer is read with pdfminer.six directly (characters with position, font and size, no layout
analysis) and grouped into words by pdfplumber's word extractor: letting pdfplumber parse every
object of every page costs four times as much. Tables come from pdfplumber's ``find_tables``,
run only on pages that have ruling lines; pdfminer alone has no table finder, and its layout
analysis (``LAParams``) guesses text boxes without telling a superscript or a running header
apart by size and position. The reading order is worked out here from word positions:

- words are grouped into lines; a gap in the middle of the page that no word crosses splits the
  page into two columns, read left then right, between lines that span the page (titles);
- lines in the top and bottom margins that repeat on other pages (running header and footer,
  digits ignored) and bare page numbers are dropped, as are line numbers in the left margin;
- small raised digits (superscript citation marks) are dropped rather than glued to a word;
- a line ending in a hyphen between lower-case letters is joined to the next without it;
- a vertical gap, a change to a bold or larger font, or a line opening with ``Table N`` or
  ``Figure N`` starts a new paragraph, so headings and captions stand on lines of their own;
- each ruled table becomes a ``Table N`` caption line and tab-separated rows; a table continued
  on the next page with its header repeated is one table. A table ruled only across (no
  vertical lines) is read by word alignment between its rules; an unruled one stays text.

A PDF without a text layer (scanned images) or encrypted with a password is refused with what
to do about it.
"""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from metkg.errors import ExtractionError
from metkg.extract.readers.document import Document, TextBuilder

__all__ = ["FORMAT", "read", "sniff"]

FORMAT = "pdf"

_MARGIN = 0.08
_CITATION_MARK = re.compile(r"^[\d,\-–*†‡§]+$")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE)
_CAPTION_START = re.compile(r"^(?:TABLE|Table|FIGURE|Figure|Fig\.)\s+\d+[A-Za-z]?\b")
_TABLE_CAPTION = re.compile(r"^\s*(TABLE|Table)\s+(\d+[A-Za-z]?)\.?\s*(.*)$")


def sniff(head: bytes) -> bool:
    """A PDF starts with ``%PDF-`` (a few bytes of junk before it are tolerated)."""
    return b"%PDF-" in head[:1024]


@dataclass
class _Line:
    top: float
    bottom: float
    x0: float
    x1: float
    words: list[dict[str, Any]]
    bold: bool = False
    size: float = 0.0

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in self.words)


@dataclass
class _Block:
    kind: str  # "line" or "table"
    top: float
    x0: float
    x1: float
    line: _Line | None = None
    rows: list[list[str]] = field(default_factory=list)


def _lines(words: list[dict[str, Any]]) -> list[_Line]:
    """Words grouped into lines: a band of words whose tops lie within 2.5 points, left to right."""
    lines: list[_Line] = []
    for w in sorted(words, key=lambda w: w["top"]):
        line = lines[-1] if lines and w["top"] - lines[-1].top < 2.5 else None
        if line is None:
            lines.append(_Line(w["top"], w["bottom"], w["x0"], w["x1"], [w]))
        else:
            line.words.append(w)
            line.x0, line.x1 = min(line.x0, w["x0"]), max(line.x1, w["x1"])
            line.bottom = max(line.bottom, w["bottom"])
    for line in lines:
        line.words.sort(key=lambda w: w["x0"])
        line.bold = all("bold" in w.get("fontname", "").lower() for w in line.words)
        line.size = max(w.get("size", 0.0) for w in line.words)
    return sorted(lines, key=lambda ln: (ln.top, ln.x0))


def _column_gap(words: list[dict[str, Any]], width: float) -> float | None:
    """The x of a vertical gap in the middle of the page that (almost) no word crosses."""
    if len(words) < 20:
        return None
    low, high = int(width * 0.35), int(width * 0.65)
    crossing = [0] * (high - low + 1)
    for w in words:
        first, last = max(low, math.floor(w["x0"]) + 1), min(high, math.ceil(w["x1"]) - 1)
        for x in range(first, last + 1):
            crossing[x - low] += 1
    fewest = min(crossing)
    x = float(low + crossing.index(fewest))
    left = sum(1 for w in words if w["x1"] <= x)
    right = sum(1 for w in words if w["x0"] >= x)
    if fewest > 0.05 * len(words) or min(left, right) < 0.2 * len(words):
        return None
    # a column is at least three lines: an aligned space between words is not a column gap
    lines = _lines(words)
    left_lines = sum(1 for ln in lines if ln.words[0]["x1"] <= x)
    right_lines = sum(1 for ln in lines if ln.words[-1]["x0"] >= x)
    return x if min(left_lines, right_lines) >= 3 else None


def _drop_marks(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Superscript citation marks and left-margin line numbers out."""
    if not words:
        return words
    size = median(w.get("size", 10.0) for w in words)
    kept = [w for w in words if not (w.get("size", size) < 0.8 * size and _CITATION_MARK.match(w["text"]))]
    texty = [w["x0"] for w in kept if not w["text"].isdigit()]
    left = min(texty) if texty else 0.0
    return [w for w in kept if not (w["text"].isdigit() and w["x1"] < left - 2)]


def _furniture_key(line: _Line) -> str:
    return re.sub(r"\d+", "#", line.text.strip().lower())


@dataclass
class _Page:
    height: float
    width: float
    words: list[dict[str, Any]]
    tables: list[tuple[tuple[float, float, float, float], list[list[str]]]]


_RULES_FOR_A_TABLE = 2


def _text_layer(data: bytes) -> list[tuple[float, float, list[dict[str, Any]], int]]:
    """Each page's height, width, words (with font name and size) and count of ruling lines.

    pdfminer.six straight (no layout analysis), grouped into words by pdfplumber's word
    extractor: four times faster than letting pdfplumber parse every object of every page.
    """
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar, LTContainer, LTCurve, LTLine, LTRect
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfplumber.utils.text import WordExtractor

    resources = PDFResourceManager(caching=True)
    device = PDFPageAggregator(resources, laparams=None)
    interpreter = PDFPageInterpreter(resources, device)
    words = WordExtractor(extra_attrs=["fontname", "size"], keep_blank_chars=False)
    pages = []
    for page in PDFPage.create_pages(PDFDocument(PDFParser(io.BytesIO(data)))):
        interpreter.process_page(page)
        layout = device.get_result()
        height, chars, rules = layout.height, [], 0
        stack = list(layout)
        while stack:
            item = stack.pop()
            if isinstance(item, LTChar):
                top = height - item.y1
                chars.append(
                    {"text": item.get_text(), "x0": item.x0, "x1": item.x1, "top": top, "doctop": top,
                     "bottom": height - item.y0, "upright": item.upright, "fontname": item.fontname, "size": item.size}
                )  # fmt: skip
            elif isinstance(item, LTRect | LTLine | LTCurve):
                rules += 1
            elif isinstance(item, LTContainer):
                stack.extend(item)
        pages.append((float(height), float(layout.width), words.extract_words(chars), rules))
    return pages


_Found = list[tuple[tuple[float, float, float, float], list[list[str]]]]


def _tables(data: bytes, numbers: list[int]) -> dict[int, _Found]:
    """The tables of the pages with ruling lines (pdfplumber's table finder).

    A grid of lines gives the cells directly. A table ruled only across (top, under the header,
    bottom: the usual journal style) is read by the alignment of its words between the first
    and the last rule; a cell wrapped over two lines then comes out as two rows.
    """
    if not numbers:
        return {}
    import pdfplumber

    found = {}
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for n in numbers:
            page = pdf.pages[n]
            tables = [(t.bbox, [[_cell_text(c) for c in row] for row in t.extract()]) for t in page.find_tables()]
            found[n] = tables or _rule_only_table(page)
    return found


def _rule_only_table(page: Any) -> _Found:
    rules = [e for e in page.horizontal_edges if e["x1"] - e["x0"] > page.width * 0.3]
    if len(rules) < 2:
        return []
    top, bottom = min(e["top"] for e in rules), max(e["top"] for e in rules)
    bbox = (min(e["x0"] for e in rules), top + 0.5, max(e["x1"] for e in rules), bottom + 0.5)
    if bottom - top < 20:
        return []
    area = page.crop(bbox)
    settings = {"vertical_strategy": "text", "horizontal_strategy": "text", "min_words_vertical": 2}
    for table in area.find_tables(settings):
        rows = [[_cell_text(c) for c in row] for row in table.extract()]
        rows = [row for row in rows if any(row)]
        if len(rows) >= 2 and len(rows[0]) >= 3:
            return [(bbox, rows)]
    return []


def _pages(data: bytes) -> list[_Page]:
    layer = _text_layer(data)
    tables = _tables(data, [n for n, (_, _, _, rules) in enumerate(layer) if rules >= _RULES_FOR_A_TABLE])
    pages = []
    for n, (height, width, words, _) in enumerate(layer):
        page_tables = tables.get(n, [])

        def in_table(w: dict[str, Any], page_tables=page_tables) -> bool:
            return any(
                x0 - 1 <= w["x0"] and w["x1"] <= x1 + 1 and top - 1 <= w["top"] <= bottom
                for (x0, top, x1, bottom), _ in page_tables
            )

        pages.append(_Page(height, width, _drop_marks([w for w in words if not in_table(w)]), page_tables))
    return pages


def _cell_text(cell: str | None) -> str:
    if not cell:
        return ""
    return re.sub(r"\s*\n\s*", lambda m: "" if m.string[m.start() - 1 : m.start()] == "-" else " ", cell).strip()


def _drop_furniture(pages: list[_Page]) -> None:
    """Running headers/footers (margin lines repeated on other pages) and page numbers out."""

    def margin(page: _Page, line: _Line) -> bool:
        return line.top < page.height * _MARGIN or line.bottom > page.height * (1 - _MARGIN)

    lines = [[ln for ln in _lines(p.words) if margin(p, ln)] for p in pages]
    seen = Counter(_furniture_key(ln) for page_lines in lines for ln in page_lines)
    for p, page_lines in zip(pages, lines, strict=True):
        dropped = {
            id(w)
            for ln in page_lines
            if seen[_furniture_key(ln)] > 1 or _PAGE_NUMBER.match(ln.text.strip())
            for w in ln.words
        }
        p.words = [w for w in p.words if id(w) not in dropped]


def _ordered_blocks(page: _Page) -> list[_Block]:
    """Lines and tables of one page in reading order: columns left then right, between spanning lines."""
    gap = _column_gap(page.words, page.width)
    tables = [_Block("table", bbox[1], bbox[0], bbox[2], rows=rows) for bbox, rows in page.tables]
    if gap is None:
        blocks = [_Block("line", ln.top, ln.x0, ln.x1, line=ln) for ln in _lines(page.words)] + tables
        return sorted(blocks, key=lambda b: (b.top, b.x0))
    spanning_tops = [w["top"] for w in page.words if w["x0"] < gap < w["x1"]]
    spanning = [w for w in page.words if any(abs(w["top"] - t) < 2.5 for t in spanning_tops)]
    taken = {id(w) for w in spanning}
    left = [w for w in page.words if id(w) not in taken and w["x1"] <= gap]
    right = [w for w in page.words if id(w) not in taken and w["x0"] >= gap]
    blocks = [
        _Block("line", ln.top, ln.x0, ln.x1, line=ln) for group in (spanning, left, right) for ln in _lines(group)
    ]
    blocks = sorted(blocks + tables, key=lambda b: (b.top, b.x0))
    out: list[_Block] = []
    band: list[_Block] = []
    for block in blocks:
        if block.x0 < gap < block.x1:
            out += sorted(band, key=lambda b: (b.x0 >= gap, b.top))
            band = []
            out.append(block)
        else:
            band.append(block)
    return out + sorted(band, key=lambda b: (b.x0 >= gap, b.top))


def _runs_on(text: str, line: str) -> bool:
    """Whether a line at the top of the next column goes on with the paragraph before it."""
    ends = text.rstrip()
    return bool(ends) and not ends.endswith((".", ":", "!", "?")) and (line[:1].islower() or ends.endswith(","))


def _join(previous: str, line: str) -> str:
    if re.search(r"[a-z]-$", previous) and line[:1].islower():
        return previous[:-1] + line
    return f"{previous} {line}" if previous else line


@dataclass
class _Flow:
    """Paragraphs and tables in reading order, before they are written out."""

    items: list[tuple[str, Any]] = field(default_factory=list)
    text: str = ""
    last: _Line | None = None
    body_size: float = 10.0

    def flush(self) -> None:
        if self.text.strip():
            self.items.append(("paragraph", self.text))
        self.text = ""

    def add_line(self, line: _Line) -> None:
        last = self.last
        new_paragraph = (
            last is None
            or line.top - last.bottom > 0.9 * max(last.size, 1.0)
            or (line.top < last.top and not _runs_on(self.text, line.text))
            or line.bold != last.bold
            or abs(line.size - last.size) > 1.0
            or _CAPTION_START.match(line.text) is not None
        )
        if new_paragraph:
            self.flush()
        self.text = _join(self.text, line.text)
        self.last = line

    def add_table(self, rows: list[list[str]]) -> None:
        self.flush()
        self.items.append(("table", rows))
        self.last = None

    def page_break(self) -> None:
        self.items.append(("page", None))
        self.last = None


def _merge_continued(items: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """A table continued after a page break (same columns, header repeated or not) is one table."""
    out: list[tuple[str, Any]] = []
    for kind, value in items:
        previous = next((i for i in range(len(out) - 1, -1, -1) if out[i][0] != "page"), None)
        if kind == "table" and previous is not None and out[previous][0] == "table":
            rows = out[previous][1]
            if value and rows and len(value[0]) == len(rows[0]):
                out[previous] = ("table", rows + (value[1:] if value[0] == rows[0] else value))
                continue
        out.append((kind, value))
    return out


def _write(flow: _Flow, builder: TextBuilder) -> None:
    items = _merge_continued(flow.items)
    for i, (kind, value) in enumerate(items):
        if kind == "page":
            builder.page()
        elif kind == "table":
            before = next((items[j] for j in range(i - 1, -1, -1) if items[j][0] != "page"), None)
            caption = _TABLE_CAPTION.match(before[1]) if before and before[0] == "caption" else None
            label = f"{caption.group(1)} {caption.group(2)}" if caption else "Table"
            builder.table(label, caption.group(3) if caption else "", value)
        elif kind == "paragraph":
            nxt = next((it for it in items[i + 1 :] if it[0] != "page"), None)
            if _TABLE_CAPTION.match(value) and nxt is not None and nxt[0] == "table":
                items[i] = ("caption", value)
            else:
                builder.paragraph(value)


def _open_error(name: str, exc: Exception) -> ExtractionError:
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError) or "password" in str(exc).lower():
        return ExtractionError(
            f"{name!r} is an encrypted PDF that needs a password; save an unprotected copy "
            "(print to PDF, or qpdf --decrypt) and extract that"
        )
    return ExtractionError(
        f"{name!r} is not a readable PDF ({type(cause).__name__}: {cause}); download it again or export it anew"
    )


def read(data: bytes, name: str) -> Document:
    """Read a PDF's text layer into a normalised document."""
    try:
        pages = _pages(data)
    except ExtractionError:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types on damaged or protected files
        raise _open_error(name, exc) from None
    if not any(p.words or p.tables for p in pages):
        raise ExtractionError(
            f"{name!r} is a PDF without a text layer (scanned images only); run OCR on it first "
            "(for example ocrmypdf in.pdf out.pdf) and extract the result"
        )
    _drop_furniture(pages)
    flow = _Flow()
    for page in pages:
        flow.page_break()
        for block in _ordered_blocks(page):
            if block.kind == "table":
                flow.add_table(block.rows)
            else:
                flow.add_line(block.line)  # type: ignore[arg-type]
        flow.flush()
    builder = TextBuilder()
    _write(flow, builder)
    return builder.document(name, FORMAT)
