"""JATS XML (PMC open-access subset, Europe PMC): front matter, sections, captions, tables, references.

Read with lxml. The title, DOI, authors, journal, year and licence come from ``article-meta`` and
``journal-meta``; the abstract and every ``sec`` of the body are written with their titles on
lines of their own (nested sections too); figure captions as ``Figure N. caption`` lines; each
``table-wrap`` as cells (``rowspan``/``colspan`` spread over the cells they cover); the
``ref-list`` one reference per line with its DOI. Table footnotes (mostly abbreviations) are
left out. Citation marks in superscript become
``[n]`` so they are not glued to the word before them.
"""

from __future__ import annotations

import re
from typing import Any

from metkg.errors import ExtractionError
from metkg.extract.readers.document import Document, Metadata, TextBuilder

__all__ = ["FORMAT", "read", "sniff"]

FORMAT = "jats"

_XLINK = "{http://www.w3.org/1999/xlink}href"
_SKIP = {"fig", "table-wrap", "sec", "title", "label", "ref-list", "fn-group", "supplementary-material"}


def sniff(head: bytes) -> bool:
    """XML: the first non-blank character is ``<`` (HTML is taken before this reader is asked)."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


def _local(el: Any) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


_CITATION_MARK = re.compile(r"^[\d,\-–\s]+$")


def _text(el: Any) -> str:
    """The element's text, citation marks bracketed, names spaced, whitespace collapsed."""
    if el is None:
        return ""
    parts: list[str] = []

    def walk(node: Any) -> None:
        name = _local(node)
        inner = "".join(node.itertext()).strip()
        if name in ("xref", "sup") and _CITATION_MARK.match(inner) and any(_local(x) == "xref" for x in node.iter()):
            before = "".join(parts).rstrip()[-1:]
            parts.append(inner if before in ("(", "[") else f"[{inner}]")
            return
        if name == "name":
            parts.append(" ".join(_text(x) for x in node if _local(x) in ("surname", "given-names")))
            return
        if name == "pub-id" and node.get("pub-id-type") != "doi":
            return
        parts.append(node.text or "")
        for child in node:
            if _local(child):
                walk(child)
            parts.append(child.tail or "")

    walk(el)
    text = re.sub(r"\]\s*\[?([,\-–])\]?\s*\[", r"\1", "".join(parts))
    return re.sub(r"\s+", " ", text.replace("][", ",")).strip()


def _first(el: Any, path: str) -> Any:
    found = el.xpath(path)
    return found[0] if found else None


def _metadata(root: Any) -> Metadata:
    meta = _first(root, "front/article-meta")
    if meta is None:
        return Metadata()
    doi = _first(meta, "article-id[@pub-id-type='doi']")
    year = _first(meta, "pub-date[@pub-type='epub' or @date-type='pub']/year")
    year = year if year is not None else _first(meta, "pub-date/year")
    authors = []
    for name in meta.xpath("contrib-group/contrib[@contrib-type='author']/name"):
        surname, given = _text(_first(name, "surname")), _text(_first(name, "given-names"))
        initials = "".join(p[0] for p in re.split(r"[\s.\-]+", given) if p)
        authors.append(f"{surname} {initials}".strip())
    licence = _first(meta, "permissions/license")
    licence_text = (licence.get(_XLINK) or _text(licence)) if licence is not None else None
    journal = _first(root, "front/journal-meta//journal-title")
    return Metadata(
        doi=_text(doi).lower() or None if doi is not None else None,
        title=_text(_first(meta, "title-group/article-title")) or None,
        journal=_text(journal) or None,
        year=int(_text(year)) if year is not None and _text(year).isdigit() else None,
        authors=tuple(a for a in authors if a),
        licence=licence_text or None,
    )


def _grid(table: Any) -> list[list[str]]:
    """The rows of an XHTML-like table, spanning cells repeated over the cells they cover."""
    rows: list[list[str]] = []
    pending: dict[int, tuple[int, str]] = {}
    for tr in table.iter("tr"):
        row: list[str] = []
        col = 0
        cells = [c for c in tr if _local(c) in ("td", "th")]
        k = 0
        while k < len(cells) or col in pending:
            if col in pending:
                left, value = pending[col]
                row.append(value)
                pending[col] = (left - 1, value)
                if left - 1 <= 0:
                    del pending[col]
                col += 1
                continue
            cell = cells[k]
            k += 1
            value = _text(cell)
            span = int(cell.get("colspan", "1") or 1)
            down = int(cell.get("rowspan", "1") or 1)
            for _ in range(max(span, 1)):
                if down > 1:
                    pending[col] = (down - 1, value)
                row.append(value)
                col += 1
        rows.append(row)
    return rows


class _Writer:
    def __init__(self) -> None:
        self.out = TextBuilder()

    def front(self, root: Any, meta: Metadata) -> None:
        if meta.title:
            self.out.paragraph(meta.title)
        if meta.authors:
            self.out.paragraph(", ".join(meta.authors))
        citation = " ".join(x for x in (meta.journal, f"({meta.year})" if meta.year else None) if x)
        if citation:
            self.out.paragraph(citation)
        if meta.doi:
            self.out.paragraph(f"doi: {meta.doi}")
        for abstract in root.xpath("front/article-meta/abstract[not(@abstract-type)]"):
            self.out.heading(_text(_first(abstract, "title")) or "Abstract")
            self.section_content(abstract, depth=1, inline_titles=True)

    def section_content(self, el: Any, depth: int, inline_titles: bool = False) -> None:
        for child in el:
            name = _local(child)
            if name == "sec":
                title = _text(_first(child, "title"))
                if inline_titles and title:
                    body = " ".join(_text(p) for p in child.iter() if _local(p) == "p")
                    self.out.paragraph(f"{title}: {body}")
                    continue
                if title:
                    self.out.heading(title)
                self.section_content(child, depth + 1)
            elif name == "p":
                self.paragraph(child)
            elif name in ("list",):
                for item in child.iter():
                    if _local(item) == "list-item":
                        self.out.paragraph(_text(item))
            elif name in ("fig", "table-wrap"):
                self.floating(child)
            elif name not in _SKIP:
                text = _text(child)
                if text and name in ("disp-quote", "boxed-text", "statement"):
                    self.out.paragraph(text)

    def paragraph(self, p: Any) -> None:
        floats = [x for x in p if _local(x) in ("fig", "table-wrap")]
        for x in floats:
            p.remove(x)
        self.out.paragraph(_text(p))
        for x in floats:
            self.floating(x)

    def floating(self, el: Any) -> None:
        label = _text(_first(el, "label"))
        caption = _text(_first(el, "caption"))
        if _local(el) == "fig":
            self.out.paragraph(f"{label or 'Figure'}. {caption}" if caption else label)
            return
        table = _first(el, ".//table")
        if table is None:
            return
        rows = _grid(table)
        heads = len(table.xpath(".//thead/tr")) or 1
        self.out.table(label or "Table", caption, rows, header_rows=heads)

    def references(self, root: Any) -> None:
        refs = root.xpath("back//ref-list/ref")
        if not refs:
            return
        self.out.heading("References")
        for n, ref in enumerate(refs, start=1):
            label = _text(_first(ref, "label")).rstrip(".") or str(n)
            citation = _first(ref, "mixed-citation|element-citation|citation")
            doi = _first(ref, ".//pub-id[@pub-id-type='doi']")
            text = _citation_text(citation)
            doi_text = _text(doi) if doi is not None else None
            if doi_text and doi_text.lower() not in text.lower():
                text = f"{text} doi: {doi_text}"
            self.out.reference(label, text, doi_text)


def _citation_text(citation: Any) -> str:
    if citation is None:
        return ""
    if _local(citation) == "element-citation":
        parts = [
            ", ".join(_text(n) for n in citation.xpath(".//name")),
            _text(_first(citation, "article-title")),
            _text(_first(citation, "source")),
            _text(_first(citation, "year")),
        ]
        return ". ".join(p for p in parts if p)
    return _text(citation)


def read(data: bytes, name: str) -> Document:
    """Parse JATS XML; refuse XML of another kind."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"{name!r} is not well-formed XML ({exc.msg}); download the JATS XML again") from None
    if _local(root) != "article":
        raise ExtractionError(
            f"{name!r} is XML but not a JATS article (root element <{_local(root)}>, expected <article>); "
            "give the article's JATS XML (PMC or Europe PMC full text), a PDF, HTML or plain text"
        )
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag and not el.tag.startswith("{http://www.w3.org/1999/xlink}"):
            el.tag = _local(el)
    meta = _metadata(root)
    writer = _Writer()
    writer.front(root, meta)
    body = _first(root, "body")
    if body is not None:
        writer.section_content(body, depth=1)
    for fig in root.xpath("floats-group/*"):
        writer.floating(fig)
    writer.references(root)
    return writer.out.document(name, FORMAT, meta)
