"""HTML article pages: the article's text, not the site's navigation, banners or scripts.

Read with lxml. Scripts, styles, navigation, headers, footers, asides and forms are removed;
the article is the ``<article>`` or ``<main>`` element when there is one, else the element whose
paragraphs hold the most text. Inside it, ``h1``-``h6`` are headings on lines of their own,
paragraphs and list items one line each, ``figcaption`` a caption line and each ``<table>`` a
table of cells. Front matter comes from the meta tags publishers set for indexers
(``citation_doi``, ``citation_title``, ``citation_author``, ``citation_journal_title``,
``citation_publication_date``, ``dc.rights``).
"""

from __future__ import annotations

import re
from typing import Any

from metkg.errors import ExtractionError
from metkg.extract.readers.document import Document, Metadata, TextBuilder
from metkg.extract.readers.jats import _grid

__all__ = ["FORMAT", "read", "sniff"]

FORMAT = "html"

_BOILERPLATE = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "button", "svg", "iframe")
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "figcaption", "caption", "blockquote", "dd", "dt"}


def sniff(head: bytes) -> bool:
    """An HTML page: a doctype or an ``<html>`` element near the start."""
    start = head[:2048].lower()
    return b"<!doctype html" in start or b"<html" in start


def _meta(root: Any, *names: str) -> list[str]:
    values = []
    for name in names:
        values += [m.get("content", "").strip() for m in root.xpath(f"//meta[@name='{name}' or @property='{name}']")]
    return [v for v in values if v]


def _metadata(root: Any) -> Metadata:
    doi = next(iter(_meta(root, "citation_doi", "dc.identifier", "DC.identifier")), None)
    if doi:
        m = re.search(r"10\.\d{4,9}/\S+", doi)
        doi = m.group(0).lower() if m else None
    date = next(iter(_meta(root, "citation_publication_date", "citation_date", "dc.date")), "")
    year = re.search(r"(?:19|20)\d{2}", date)
    title = next(iter(_meta(root, "citation_title", "dc.title")), None)
    return Metadata(
        doi=doi,
        title=title,
        journal=next(iter(_meta(root, "citation_journal_title")), None),
        year=int(year.group(0)) if year else None,
        authors=tuple(_meta(root, "citation_author")),
        licence=next(iter(_meta(root, "dc.rights", "DC.rights", "citation_license")), None),
    )


def _text(el: Any) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


def _article(root: Any) -> Any:
    for path in ("//article", "//main", "//*[@role='main']"):
        found = root.xpath(path)
        if found:
            return max(found, key=lambda e: len(_text(e)))
    body = root.find("body")
    candidates = root.xpath("//body//*[p]") or ([body] if body is not None else [root])
    return max(candidates, key=lambda e: sum(len(_text(p)) for p in e.findall("p")))


def _write(el: Any, out: TextBuilder) -> None:
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            out.heading(_text(child))
        elif tag == "table":
            caption = child.find("caption")
            label, text = _table_caption(_text(caption) if caption is not None else "")
            out.table(label, text, _grid(child), header_rows=len(child.xpath("thead/tr")) or 1)
        elif tag in ("p", "li", "figcaption", "blockquote", "dd", "dt") and not child.xpath(".//p|.//table"):
            out.paragraph(_text(child))
        else:
            _write(child, out)


def _table_caption(caption: str) -> tuple[str, str]:
    m = re.match(r"^\s*((?:TABLE|Table)\s+\d+[A-Za-z]?)\.?\s*(.*)$", caption)
    return (m.group(1), m.group(2)) if m else ("Table", caption)


def read(data: bytes, name: str) -> Document:
    """The article text of an HTML page."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"{name!r} is not readable HTML ({exc}); save the article page again") from None
    meta = _metadata(root)
    for el in root.xpath("|".join(f"//{tag}" for tag in _BOILERPLATE)):
        el.drop_tree()
    for el in root.xpath("//*[@role='navigation' or @role='banner' or @role='contentinfo']"):
        el.drop_tree()
    out = TextBuilder()
    article = _article(root)
    if meta.title and not article.xpath(".//h1"):
        out.heading(meta.title)
    if meta.doi:
        out.paragraph(f"doi: {meta.doi}")
    _write(article, out)
    document = out.document(name, FORMAT, meta)
    if not document.text.strip():
        raise ExtractionError(f"{name!r} is an HTML page without article text; save the full-text page of the article")
    return document
