"""Regions of PDF-to-text output: sections, captions, tables, references, front matter."""

from __future__ import annotations

from metkg.extract.sections import segment, title_span

REPORT = """OPEN ACCESS

CITATION
Doe J (2024) Case report: A rare metastasis. J Rare. 1:1. doi: 10.1/x

Case report: A rare metastasis of lung cancer

Background: Lung cancer metastasises widely, and many patients have bone involvement at diagnosis.

Case presentation: We describe a 60-year-old man with lung adenocarcinoma and a scalp nodule. He is alive.

1 Introduction

Lung cancer spreads to the liver.

2 Case description

A 60-year-old man presented with a scalp nodule. Biopsy of the
nodule confirmed metastatic adenocarcinoma in the

FIGURE 1
Scalp nodule of another patient with liver metastases.

scalp. He received pembrolizumab.

example.org

3 Discussion

TABLE 1 Reported cases.
Year\tSite
2019\tLiver

Smith et al. reported bone metastases (4).

References

1. Smith AB, Jones CD. Bone metastases. J Bone. (2019) 12:45–9. doi: 10.1/y
"""


def _label(text: str, start: str) -> str:
    return next(r.label for r in segment(text) if r.text.strip().startswith(start))


def test_sections_and_debris() -> None:
    labels = {
        start: _label(REPORT, start)
        for start in [
            "OPEN ACCESS",
            "Background: Lung cancer metastas",
            "Case presentation: We describe ",
            "Lung cancer spreads to the live",
            "A 60-year-old man presented wit",
            "FIGURE 1",
            "scalp. He received pembrolizuma",
            "example.org",
            "TABLE 1 Reported cases.",
            "Smith et al. reported bone meta",
            "1. Smith AB, Jones CD. Bone met",
        ]
    }
    assert labels["OPEN ACCESS"] == "front"
    assert labels["Background: Lung cancer metastas"] == "abstract"
    assert labels["Case presentation: We describe "] == "abstract-case"
    assert labels["Lung cancer spreads to the live"] == "introduction"
    assert labels["A 60-year-old man presented wit"] == "case"
    assert labels["FIGURE 1"] == "caption"
    assert labels["scalp. He received pembrolizuma"] == "case"
    assert labels["example.org"] == "furniture"
    assert labels["TABLE 1 Reported cases."] == "table"
    assert labels["Smith et al. reported bone meta"] == "discussion"
    assert labels["1. Smith AB, Jones CD. Bone met"] == "reference"


def test_title_lines_are_joined() -> None:
    text = " Primary leiomyosarcoma of the\nscalp: a case report and\nreview of the literature\n Springfield\n\nBody."
    regions = segment(text)
    span = title_span(text, regions)
    assert span is not None
    title = " ".join(text[span[0] : span[1]].split())
    assert title == "Primary leiomyosarcoma of the scalp: a case report and review of the literature"


def test_a_text_without_headings_is_an_abstract() -> None:
    regions = segment("A 50-year-old woman with breast cancer developed liver metastases. She died.")
    assert [r.label for r in regions] == ["abstract"]


def test_an_orphan_figure_label_does_not_swallow_the_sentence() -> None:
    text = "Case report\n\nTo obstruct the tumour's blood\n\nFIGURE 1\n supply, she underwent embolization.\n"
    labels = [(r.label, r.text.strip()) for r in segment(text)]
    assert ("caption", "FIGURE 1") in labels
    assert ("case", "supply, she underwent embolization.") in labels
