"""The JATS reader on real PMC files and the HTML reader on an article page with site furniture."""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.extract import extract_document
from metkg.extract.readers import read_bytes, read_document
from metkg.extract.sections import segment
from metkg.settings import PROJECT_ROOT

JATS = PROJECT_ROOT.parent / "shared" / "formats" / "jats"
ONTOLOGY = PROJECT_ROOT / "ontology"


@pytest.fixture(scope="module")
def jats_files() -> list[Path]:
    files = sorted(JATS.glob("*.xml"))
    if not files:
        pytest.skip("../shared/formats/jats is not present")
    return files


def test_front_matter_comes_from_article_meta(jats_files) -> None:
    document = read_document(JATS / "PMC6358576.xml")
    meta = document.metadata
    assert meta.doi == "10.14309/crj.2018.87"
    assert meta.title == "Endoscopic versus Surgical Intervention for Jejunal Bezoar Formation"
    assert (meta.journal, meta.year) == ("ACG Case Reports Journal", 2018)
    assert meta.authors[:2] == ("Berg D", "Chakinala RC")
    assert meta.licence and "creativecommons.org/licenses/by-nc-nd/4.0" in meta.licence


@pytest.mark.parametrize("name", [f"PMC63585{n}.xml" for n in range(76, 82)])
def test_sections_keep_their_titles(jats_files, name: str) -> None:
    labels = [r.label for r in segment(read_document(JATS / name).text)]
    for label in ("abstract", "introduction", "case", "discussion", "reference"):
        assert label in labels, (name, labels)


def test_citation_marks_are_bracketed_not_glued(jats_files) -> None:
    text = read_document(JATS / "PMC6358576.xml").text
    assert "composed of vegetables and fibers[1];" in text
    assert "drugs and medications.[3-6]" in text


def test_references_are_numbered_one_per_line(jats_files) -> None:
    document = read_document(JATS / "PMC6358576.xml")
    assert [r.label for r in document.references] == [str(n) for n in range(1, 25)]
    for reference in document.references:
        assert document.text[reference.start : reference.start + len(reference.text)] == reference.text
    assert document.references[16].text.startswith("17. Iwamuro M, Okada H,")


def test_a_table_is_kept_as_cells(jats_files) -> None:
    document = read_document(JATS / "PMC6358580.xml")
    [table] = document.tables
    assert (table.label, table.caption) == ("Table 1", "Laboratory test results.")
    assert [c.text for c in table.header][1:3] == ["Initial Presentation", "1 Week on Cholic Acid"]
    assert [c.text for c in table.rows[0]] == ["Total bilirubin, mg/dL", "12.2", "5.5", "1.1", "0–1.2"]
    for row in table.rows:
        for cell in row:
            assert document.text[cell.start : cell.end] == cell.text


def test_the_draft_takes_the_publication_from_the_front_matter(jats_files) -> None:
    extraction = extract_document(JATS / "PMC6358581.xml", ONTOLOGY)
    report = extraction.record.report
    assert report.doi == "10.14309/crj.2018.99"
    assert report.journal == "ACG Case Reports Journal" and report.year == 2018
    assert extraction.record.sources["main"].file == "PMC6358581.txt"
    assert extraction.literature == [], "a laboratory table is not a literature review"


def test_spanning_cells_fill_the_cells_they_cover() -> None:
    xml = b"""<article><body><sec><title>Case report</title><p>A 50-year-old man.</p>
    <table-wrap><label>Table 2</label><caption><p>Markers</p></caption><table>
    <thead><tr><th rowspan="2">Marker</th><th colspan="2">Result</th></tr>
    <tr><th>Primary</th><th>Metastasis</th></tr></thead>
    <tbody><tr><td>ER</td><td>90%</td><td>0%</td></tr></tbody></table></table-wrap></sec></body></article>"""
    [table] = read_bytes(xml, "spans.xml").tables
    assert [c.text for c in table.header] == ["Marker", "Result", "Result"]
    assert [[c.text for c in r] for r in table.rows] == [["Marker", "Primary", "Metastasis"], ["ER", "90%", "0%"]]


PAGE = b"""<!DOCTYPE html><html><head><title>Journal site</title>
<meta name="citation_doi" content="10.1234/example.5678"><meta name="citation_title" content="A scalp metastasis">
<meta name="citation_publication_date" content="2024/03/01"><meta name="citation_author" content="Doe J">
<script>var x = "tracking code";</script><style>p { color: red }</style></head>
<body><header>Journal home | Log in</header><nav><ul><li>Current issue</li><li>Archive</li></ul></nav>
<div class="cookie">We use cookies</div>
<main><article><h1>A scalp metastasis</h1><h2>Case presentation</h2>
<p>A 61-year-old woman with breast cancer had a <b>scalp</b> nodule.</p>
<table><caption>Table 1. Published cases</caption><tr><th>Author</th><th>Site</th><th>Treatment</th></tr>
<tr><td>Roe 2019</td><td>Scalp</td><td>Excision</td></tr></table>
<figure><img src="f1.png"><figcaption>Figure 1. The nodule.</figcaption></figure>
<h2>Discussion</h2><p>Scalp metastasis is rare.</p></article></main>
<aside>Most read articles</aside><footer>Copyright the publisher</footer></body></html>"""


def test_an_html_page_gives_the_article_without_the_site_around_it() -> None:
    document = read_bytes(PAGE, "page.html")
    assert document.format == "html"
    text = document.text
    assert "A 61-year-old woman with breast cancer had a scalp nodule." in text
    for furniture in ("tracking code", "color: red", "Journal home", "Current issue", "Most read", "Copyright"):
        assert furniture not in text
    labels = [r.label for r in segment(text)]
    assert "case" in labels and "discussion" in labels
    assert document.metadata.doi == "10.1234/example.5678" and document.metadata.year == 2024
    [table] = document.tables
    assert (table.label, [c.text for c in table.rows[0]]) == ("Table 1", ["Roe 2019", "Scalp", "Excision"])
