"""The PDF reader on small PDFs made here: reading order, furniture, hyphens, superscripts, tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from metkg.extract.readers import read_document
from metkg.extract.sections import segment

LEFT = [
    "Case description",
    "A 58-year-old woman presented with a painless",
    "nodule on the left frontal scalp. Biopsy showed",
    "metastatic adeno-",
    "carcinoma of breast origin.",
]
RIGHT = [
    "Discussion",
    "Scalp metastasis is rare and often recognised",
    "late in the course of the disease.",
]


def _two_column_pdf(path: Path, pages: int = 2, line_numbers: bool = False) -> Path:
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(str(path), pagesize=(595, 842))
    for page in range(1, pages + 1):
        c.setFont("Helvetica", 7)
        c.drawString(50, 812, "Journal of Synthetic Reports | Case report")
        c.drawString(50, 25, "synthetic.example.org")
        c.drawRightString(545, 25, str(page))
        for column, lines in ((0, LEFT), (1, RIGHT)):
            y = 760.0
            for n, line in enumerate(lines):
                bold = n == 0
                c.setFont("Helvetica-Bold" if bold else "Helvetica", 9)
                x = 50 + column * 257
                c.drawString(x, y, line)
                if line_numbers and column == 0:
                    c.setFont("Helvetica", 6)
                    c.drawString(30, y, str(n + 1 + 10 * page))
                if line.endswith("painless"):
                    # a superscript citation mark after the word
                    c.setFont("Helvetica", 5)
                    c.drawString(x + c.stringWidth(line, "Helvetica", 9) + 0.5, y + 4, "12")
                y -= 18 if bold else 11
        c.showPage()
    c.save()
    return path


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory):
    return read_document(_two_column_pdf(tmp_path_factory.mktemp("pdf") / "two-columns.pdf", line_numbers=True))


def test_columns_are_read_left_then_right(document) -> None:
    text = document.text
    assert text.index("A 58-year-old woman") < text.index("Scalp metastasis is rare")
    assert "painless nodule on the left frontal scalp" in text


def test_running_header_footer_and_page_numbers_are_dropped(document) -> None:
    assert "Journal of Synthetic Reports" not in document.text
    assert "synthetic.example.org" not in document.text
    assert not any(line.strip().isdigit() for line in document.text.splitlines())


def test_line_numbers_and_superscript_marks_are_dropped_not_glued(document) -> None:
    assert "painless12" not in document.text and "painless 12" not in document.text
    assert "11 A 58-year-old" not in document.text


def test_a_word_hyphenated_at_the_line_end_is_joined(document) -> None:
    assert "metastatic adenocarcinoma of breast origin." in document.text


def test_headings_stand_on_lines_of_their_own_and_open_sections(document) -> None:
    labels = [(r.label, r.text.strip()) for r in segment(document.text)]
    assert ("heading", "Case description") in labels
    assert ("heading", "Discussion") in labels
    assert any(label == "case" and "58-year-old" in text for label, text in labels)


def test_pages_are_known_for_every_offset(document) -> None:
    second = document.text.index("A 58-year-old woman", document.text.index("A 58-year-old woman") + 1)
    assert document.page_of(0) == 1
    assert document.page_of(second) == 2


def test_a_single_column_page_reads_top_to_bottom(tmp_path: Path) -> None:
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(str(tmp_path / "one.pdf"))
    lines = ["Case report", "A 44-year-old man had a lung adenocarcinoma that spread to the adrenal gland and bone."]
    for i, line in enumerate(lines * 12):
        c.drawString(60, 760 - 14 * i, line)
    c.save()
    text = read_document(tmp_path / "one.pdf").text
    assert text.index("44-year-old") > text.index("Case report")
    assert "adrenal gland and bone." in text


def test_a_ruled_table_is_kept_as_cells(tmp_path: Path) -> None:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle
    from reportlab.platypus.paragraph import Paragraph

    rows = [
        ["Author", "Age", "Site", "Treatment"],
        ["Smith 2020", "61", "Scalp", "Excision"],
        ["Lee 2021", "", "Liver", "Capecitabine"],
    ]
    table = Table(rows)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
    style = getSampleStyleSheet()["Normal"]
    SimpleDocTemplate(str(tmp_path / "t.pdf")).build([Paragraph("Table 1 Published cases.", style), table])
    document = read_document(tmp_path / "t.pdf")
    [found] = document.tables
    assert (found.label, found.caption) == ("Table 1", "Published cases.")
    assert [c.text for c in found.header] == rows[0]
    assert [[c.text for c in r] for r in found.rows] == rows[1:]
    for row in found.rows:
        for cell in row:
            assert document.text[cell.start : cell.end] == cell.text


def test_a_table_ruled_only_across_is_read_by_alignment(tmp_path: Path) -> None:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle
    from reportlab.platypus.paragraph import Paragraph

    rows = [
        ["Author", "Age", "Site", "Treatment", "Outcome"],
        ["Smith 2020", "61", "Frontal scalp", "Excision", "Alive"],
        ["Lee 2021", "", "Liver", "Capecitabine", "Died"],
    ]
    table = Table(rows)
    rules = [("LINEABOVE", (0, 0), (-1, 0), 1, "black"), ("LINEBELOW", (0, 0), (-1, 0), 0.5, "black")]
    table.setStyle(TableStyle([*rules, ("LINEBELOW", (0, -1), (-1, -1), 1, "black")]))
    style = getSampleStyleSheet()["Normal"]
    story = [Paragraph("A paragraph before the table runs across the page as text does.", style)]
    story += [Paragraph("Table 2 Cases.", style), table, Paragraph("Text after the table.", style)]
    SimpleDocTemplate(str(tmp_path / "rules.pdf")).build(story)
    document = read_document(tmp_path / "rules.pdf")
    [found] = document.tables
    assert (found.label, found.caption) == ("Table 2", "Cases.")
    assert [[c.text for c in r] for r in [found.header, *found.rows]] == rows
    assert "as text does.\n\nTable 2 Cases.\n" in document.text
