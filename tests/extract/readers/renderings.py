"""Render a plain-text case report as a PDF, a JATS XML file and an HTML page, at test time.

The corpus texts may not be copied into the project, so the tests make the other formats from
them when they run: the text's regions (:func:`metkg.extract.sections.segment`) become
headings, paragraphs, figure captions, a table and a reference list. The PDF is laid out the
way journals print: two columns, a running header and footer, page numbers, words hyphenated
at line ends, and each table ruled across the full width of the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from metkg.extract.readers.plaintext import tables_in
from metkg.extract.sections import segment

__all__ = ["Block", "blocks_of", "render_html", "render_jats", "render_pdf"]

_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>,;*]+)")


@dataclass
class Block:
    """One piece of the report: ``heading``, ``paragraph``, ``caption``, ``table`` or ``reference``."""

    kind: str
    text: str
    rows: list[list[str]] = field(default_factory=list)


def blocks_of(text: str) -> list[Block]:
    """The report's headings, paragraphs, captions, tables and references in order.

    Lines of one paragraph are joined, and a paragraph that a figure caption interrupts in
    mid-sentence is joined again with the caption after it, as publishers' XML has it.
    """
    tables = {t.caption_start: t for t in tables_in(text)}
    blocks: list[Block] = []
    for region in segment(text):
        if region.label == "furniture":
            continue
        pos = region.start
        joinable = False
        for line in region.text.split("\n"):
            start, pos = pos, pos + len(line) + 1
            stripped = line.strip()
            if not stripped:
                joinable = False
                continue
            if start in tables:
                t = tables[start]
                rows = [[c.text for c in t.header]] + [[c.text for c in r] for r in t.rows]
                blocks.append(Block("table", f"{t.label} {t.caption}", rows))
                continue
            if region.label == "table":
                continue
            kind = {"heading": "heading", "reference": "reference", "caption": "caption"}.get(region.label, "paragraph")
            stripped = re.sub(r"^[-•]\s+", "", stripped).replace("*", "")
            if joinable and kind == "paragraph" and blocks and blocks[-1].kind == "paragraph":
                blocks[-1].text += " " + stripped
            else:
                blocks.append(Block(kind, stripped))
            joinable = kind == "paragraph"
    return _rejoin_around_captions(blocks)


_FIGURE_LABEL = re.compile(r"^((?:FIGURE|Figure|Fig\.?)\s*\d+[A-Za-z]?)\s*[.:|]?\s*(.*)$")


def _whole_captions(blocks: list[Block]) -> list[Block]:
    """A bare figure label joined with the caption text after it; a label without text dropped."""
    out: list[Block] = []
    for block in blocks:
        previous = out[-1] if out else None
        bare = previous is not None and previous.kind == "caption" and _FIGURE_LABEL.fullmatch(previous.text)
        if bare and not _FIGURE_LABEL.match(previous.text).group(2):  # type: ignore[union-attr]
            if block.kind == "caption" and not _FIGURE_LABEL.match(block.text):
                previous.text = f"{previous.text} {block.text}"  # type: ignore[union-attr]
                continue
            out.pop()
        out.append(block)
    return out


def _rejoin_around_captions(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for block in _whole_captions(blocks):
        if block.kind == "paragraph" and block.text[:1].islower():
            back = len(out) - 1
            while back >= 0 and out[back].kind == "caption":
                back -= 1
            interrupted = back < len(out) - 1 and back >= 0 and out[back].kind == "paragraph"
            if interrupted and not out[back].text.endswith((".", ":", "!", "?")):
                out[back].text += " " + block.text
                continue
        out.append(block)
    return out


def doi_of(text: str) -> str | None:
    m = _DOI.search(text[:5000])
    return m.group(1).rstrip(".") if m else None


# ---------------------------------------------------------------- PDF


def _hyphenated(words: list[str], width: float, font: str, size: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    line = ""
    queue = list(words)
    while queue:
        word = queue.pop(0)
        candidate = f"{line} {word}" if line else word
        if stringWidth(candidate, font, size) <= width:
            line = candidate
            continue
        if len(word) >= 8 and word.isalpha() and word.islower():
            for cut in range(len(word) - 3, 2, -1):
                head = f"{line} {word[:cut]}-" if line else f"{word[:cut]}-"
                if stringWidth(head, font, size) <= width:
                    lines.append(head)
                    line = ""
                    queue.insert(0, word[cut:])
                    break
            else:
                lines.append(line)
                line = word
            continue
        if line:
            lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines


_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def _fonts() -> tuple[str, str]:
    """A regular and a bold font that cover the reports' Greek letters and symbols, when installed
    (DejaVu Sans); otherwise the standard Helvetica, which covers Latin-1 only."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if not (_DEJAVU / "DejaVuSans.ttf").is_file():
        return "Helvetica", "Helvetica-Bold"
    for name in ("DejaVuSans", "DejaVuSans-Bold"):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(_DEJAVU / f"{name}.ttf")))
    return "DejaVuSans", "DejaVuSans-Bold"


def _column_widths(rows: list[list[str]], full: float, font: str) -> list[float]:
    """Each column as wide as its longest word, the rest of the width shared by text length."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    columns = list(zip(*rows, strict=False))
    floor = [max(stringWidth(w, font, 6) for cell in col for w in (cell.split() or [""])) + 8 for col in columns]
    lengths = [sum(len(cell) for cell in col) + 1 for col in columns]
    spare = max(0.0, full - sum(floor))
    return [f + spare * n / sum(lengths) for f, n in zip(floor, lengths, strict=True)]


class _PdfLayout:
    width, height = 595.0, 842.0
    margin, gutter = 50.0, 20.0
    size, leading = 9.0, 11.0

    def __init__(self, path: Path, header: str, footer: str):
        from reportlab.pdfgen.canvas import Canvas

        self.canvas = Canvas(str(path), pagesize=(self.width, self.height))
        self.regular, self.bold = _fonts()
        self.header, self.footer = header, footer
        self.column_width = (self.width - 2 * self.margin - self.gutter) / 2
        self.page_number = 0
        self.new_page()

    def new_page(self, turn: bool = False) -> None:
        if self.page_number:
            self.canvas.showPage()
        if turn:  # landscape for a wide table, and back to portrait after it
            self.width, self.height = self.height, self.width
            self.canvas.setPageSize((self.width, self.height))
        self.page_number += 1
        c = self.canvas
        c.setFont("Helvetica", 7)
        c.drawString(self.margin, self.height - 30, self.header)
        c.drawString(self.margin, 25, self.footer)
        c.drawRightString(self.width - self.margin, 25, str(self.page_number))
        self.column = 0
        self.y = self.height - self.margin - 10

    def next_column(self) -> None:
        if self.column == 0:
            self.column, self.y = 1, self.height - self.margin - 10
        else:
            self.new_page()

    def text(self, text: str, bold: bool = False, space_before: float = 9.0) -> None:
        font = self.bold if bold else self.regular
        lines = _hyphenated(text.split(), self.column_width, font, self.size)
        self.y -= space_before
        for line in lines:
            if self.y < self.margin + 20:
                self.next_column()
            x = self.margin + self.column * (self.column_width + self.gutter)
            self.canvas.setFont(font, self.size)
            self.canvas.drawString(x, self.y, line)
            self.y -= self.leading

    def table(self, caption: str, rows: list[list[str]]) -> None:
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Paragraph, Table, TableStyle

        self.new_page(turn=True)
        full = self.width - 2 * self.margin
        self.canvas.setFont(self.bold, self.size)
        self.canvas.drawString(self.margin, self.y, caption[:120])
        self.y -= 14
        style = ParagraphStyle("cell", fontName=self.regular, fontSize=6, leading=7, splitLongWords=False)
        data = [[Paragraph(cell.replace("&", "&amp;").replace("<", "&lt;"), style) for cell in row] for row in rows]
        table = Table(data, colWidths=_column_widths(rows, full, self.regular), repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        parts = [table]
        while parts:
            part = parts.pop(0)
            avail = self.y - self.margin - 20
            _, h = part.wrap(full, avail)
            if h > avail:
                pieces = part.split(full, avail)
                if len(pieces) > 1:
                    parts = pieces + parts
                    continue
            part.wrapOn(self.canvas, full, avail)
            part.drawOn(self.canvas, self.margin, self.y - h)
            if parts:
                self.new_page()
        self.new_page(turn=True)

    def save(self) -> None:
        self.canvas.save()


def render_pdf(text: str, path: Path, header: str = "Case report", footer: str = "journal.example.org") -> Path:
    """The report as a two-column PDF at ``path``."""
    layout = _PdfLayout(path, header, footer)
    for block in blocks_of(text):
        if block.kind == "table":
            layout.table(block.text, block.rows)
        elif block.kind == "heading":
            layout.text(block.text, bold=True, space_before=14)
        else:
            layout.text(block.text)
    layout.save()
    return path


# ---------------------------------------------------------------- JATS


def render_jats(text: str, path: Path) -> Path:
    """The report as JATS XML at ``path``: sections, figures, a table-wrap and a ref-list."""
    from lxml import etree

    article = etree.Element("article", nsmap={"xlink": "http://www.w3.org/1999/xlink"})
    front = etree.SubElement(article, "front")
    journal = etree.SubElement(etree.SubElement(front, "journal-meta"), "journal-title-group")
    etree.SubElement(journal, "journal-title").text = "Journal of Case Reports"
    meta = etree.SubElement(front, "article-meta")
    doi = doi_of(text)
    if doi:
        etree.SubElement(meta, "article-id", {"pub-id-type": "doi"}).text = doi
    body = etree.SubElement(article, "body")
    back = etree.SubElement(article, "back")
    refs = None
    section = body
    for block in blocks_of(text):
        if block.kind == "heading":
            if block.text.lower() == "references":
                refs = etree.SubElement(back, "ref-list")
                continue
            section = etree.SubElement(body, "sec")
            etree.SubElement(section, "title").text = block.text
        elif block.kind == "reference":
            refs = refs if refs is not None else etree.SubElement(back, "ref-list")
            m = re.match(r"^(\d+)\.\s*(.*)$", block.text)
            ref = etree.SubElement(refs, "ref")
            if m:
                etree.SubElement(ref, "label").text = m.group(1) + "."
            citation = etree.SubElement(ref, "mixed-citation")
            citation.text = m.group(2) if m else block.text
        elif block.kind == "caption" and (figure := _FIGURE_LABEL.match(block.text)):
            fig = etree.SubElement(section, "fig")
            etree.SubElement(fig, "label").text = figure.group(1)
            etree.SubElement(etree.SubElement(fig, "caption"), "p").text = figure.group(2)
        elif block.kind == "table":
            wrap = etree.SubElement(section, "table-wrap")
            label, _, caption = block.text.partition(" ")
            number, _, caption = caption.partition(" ")
            etree.SubElement(wrap, "label").text = f"{label} {number}"
            etree.SubElement(etree.SubElement(wrap, "caption"), "p").text = caption
            table = etree.SubElement(wrap, "table")
            head, tbody = etree.SubElement(table, "thead"), etree.SubElement(table, "tbody")
            for i, row in enumerate(block.rows):
                tr = etree.SubElement(head if i == 0 else tbody, "tr")
                for cell in row:
                    etree.SubElement(tr, "th" if i == 0 else "td").text = cell
        else:
            etree.SubElement(section, "p").text = block.text
    path.write_bytes(etree.tostring(article, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return path


# ---------------------------------------------------------------- HTML


def render_html(text: str, path: Path) -> Path:
    """The report as an article web page at ``path``, with navigation, banner and footer around it."""
    from html import escape

    doi = doi_of(text)
    out = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Article</title>",
        f"<meta name='citation_doi' content='{escape(doi or '')}'>",
        "<script>var tracking = 'do not read me';</script><style>body{font-family:serif}</style></head><body>",
        "<header><a href='/'>Journal home</a> Subscribe Sign in</header>",
        "<nav><ul><li>Articles</li><li>About the journal</li><li>Submit a manuscript</li></ul></nav>",
        "<main><article>",
    ]
    for block in blocks_of(text):
        if block.kind == "heading":
            out.append(f"<h2>{escape(block.text)}</h2>")
        elif block.kind == "table":
            rows = "".join(
                "<tr>"
                + "".join(f"<{'th' if i == 0 else 'td'}>{escape(c)}</{'th' if i == 0 else 'td'}>" for c in row)
                + "</tr>"
                for i, row in enumerate(block.rows)
            )
            out.append(f"<table><caption>{escape(block.text)}</caption>{rows}</table>")
        elif block.kind == "caption":
            out.append(f"<figure><figcaption>{escape(block.text)}</figcaption></figure>")
        else:
            out.append(f"<p>{escape(block.text)}</p>")
    out += [
        "</article></main><aside>Related articles: none</aside>",
        "<footer>Copyright the publisher. Cookie settings. Contact us.</footer></body></html>",
    ]
    path.write_text("\n".join(out), encoding="utf-8")
    return path
