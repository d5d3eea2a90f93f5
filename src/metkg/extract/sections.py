"""Find the parts of a case report in PDF-to-text output: sections, captions, tables, references.

:func:`segment` labels every line of the original text and returns :class:`Region` spans in
original character offsets. Narrative sections (abstract, introduction, case, discussion,
conclusion) are what the extractor reads; figure captions, tables, reference lists, running
headers and front matter are cut out, wherever the converter interleaved them.

Which section a fact may come from is decided elsewhere (:mod:`metkg.extract.context`); this
module only says where each part is.

>>> regions = segment("Introduction\\nBreast cancer is common.\\n\\nCase presentation\\n"
...                   "A 45-year-old woman.\\n\\nFIGURE 1\\nMRI of the breast.\\n\\nDiscussion\\nRare.")
>>> [(r.label, r.text) for r in regions if r.label not in ("heading",)]
[('introduction', 'Breast cancer is common.'), ('case', 'A 45-year-old woman.'), \
('caption', 'FIGURE 1\\nMRI of the breast.'), ('discussion', 'Rare.')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NARRATIVE", "Region", "Section", "headings", "segment", "title_span"]

#: Labels of regions whose sentences are read as narrative.
NARRATIVE = frozenset({"abstract", "abstract-case", "introduction", "case", "discussion", "conclusion", "body"})

Section = str

_HEADINGS: dict[str, Section] = {}
for _names, _label in (
    (("abstract", "summary", "structured abstract"), "abstract"),
    (("introduction", "background", "rationale"), "introduction"),
    (
        (
            "case report",
            "case presentation",
            "case description",
            "case",
            "case summary",
            "case history",
            "clinical presentation",
            "case details",
            "presentation of case",
            "case reports",
            "case presentations",
            "patient presentation",
            "clinical case",
            "case study",
            "case report and methods",
            "patient and methods",
            "case description and diagnostic assessment",
            "case series",
            "clinical summary",
            "clinical history",
            "case and methods",
            "report of a case",
            "the case",
            "patient information",
            "clinical findings",
            "diagnostic assessment",
            "therapeutic intervention",
            "therapeutic interventions",
            "follow-up and outcomes",
            "timeline",
            "diagnosis",
            "treatment",
            "outcome and follow-up",
            "follow-up",
            "investigations",
        ),
        "case",
    ),
    (
        (
            "discussion",
            "literature review",
            "review of the literature",
            "discussion and literature review",
            "discussion and review of the literature",
            "review of literature",
            "comment",
            "comments",
        ),
        "discussion",
    ),
    (("conclusion", "conclusions", "concluding remarks", "summary and conclusion", "learning points"), "conclusion"),
    (
        (
            "references",
            "acknowledgments",
            "acknowledgements",
            "acknowledgment",
            "data availability statement",
            "data availability",
            "ethics statement",
            "author contributions",
            "funding",
            "conflict of interest",
            "conflicts of interest",
            "competing interests",
            "publisher's note",
            "publisher’s note",
            "generative ai statement",
            "supplementary material",
            "abbreviations",
            "keywords",
            "key words",
            "consent",
            "patient consent",
            "footnotes",
            "declarations",
            "declaration of competing interest",
            "author contribution",
            "ethical approval",
            "informed consent",
            "funding statement",
            "bibliography",
        ),
        "backmatter",
    ),
):
    for _name in _names:
        _HEADINGS[_name] = _label

#: Labels of the first page whose next paragraph is front matter, not text.
_FRONT_LABELS = frozenset(
    {
        "open access",
        "edited by",
        "reviewed by",
        "correspondence",
        "*correspondence",
        "citation",
        "copyright",
        "received",
        "accepted",
        "published",
        "specialty section",
        "article history",
        "how to cite",
    }
)

_ABSTRACT_LABELS: dict[str, Section] = {
    "background": "abstract",
    "background and importance": "abstract",
    "introduction": "abstract",
    "objective": "abstract",
    "purpose": "abstract",
    "rationale": "abstract",
    "patient concerns": "abstract-case",
    "case presentation": "abstract-case",
    "case report": "abstract-case",
    "case description": "abstract-case",
    "case summary": "abstract-case",
    "clinical presentation": "abstract-case",
    "presentation of case": "abstract-case",
    "case": "abstract-case",
    "diagnoses": "abstract-case",
    "diagnosis": "abstract-case",
    "interventions": "abstract-case",
    "outcomes": "abstract-case",
    "methods": "abstract",
    "results": "abstract-case",
    "discussion": "abstract",
    "conclusion": "abstract",
    "conclusions": "abstract",
    "lessons": "abstract",
}

_NUMBERING = re.compile(r"^\s*(?:#+\s*)?(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.)?\s*")
_INLINE_LABEL = re.compile(r"^\s*([A-Z][A-Za-z ]{2,40}?)\s*:\s+\S")
_FIGURE = re.compile(r"^\s*(?:FIGURE|Figure|FIG\.?|Fig\.?)\s*\d+[A-Za-z]?\s*[.:|]?\s*(.*)$")
_TABLE = re.compile(r"^\s*(?:TABLE|Table)\s+\d+[A-Za-z]?\b")
_PANEL = re.compile(r"^\s*\(\s*[A-Z](?:\s*[-–,]\s*[A-Z])*\s*\)\s")
_REFERENCE_HEAD = re.compile(
    r"^\s*(?:[-•*]\s*)?(?:\[?\d{1,3}[.\])]\s*)?"
    r"[^\W\d_][\w'’\-]+(?:\s[^\W\d_][\w'’\-]+){0,2}\s[A-Z]{1,3}\b(?:[,.]|\set al)"
)
_REFERENCE_TAIL = re.compile(
    r"\(\s*(?:19|20)\d{2}\s*\)|\b(?:19|20)\d{2}\s*[;:]|\bdoi\b|doi\.org|\bPMID\b|\d+\s*:\s*\d+\s*[–-]\s*\d+"
)
_FURNITURE = re.compile(
    r"""^\s*(?:
        (?:https?://|www\.)\S+
      | \S+\.(?:org|com|net|edu)(?:/\S*)?
      | \d{1,4}
      | \S
      | (?:doi:?\s*)?10\.\d{4,}/\S+
      | [A-Z][\w\-’']+(?:\s(?:et\sal\.?|and\s[A-Z][\w\-’']+))
      | page\s\d+(?:\sof\s\d+)?
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_ABBREVIATION_LIST = re.compile(r"^\s*(?:Abbreviations?:)?\s*(?:[\w\-/]+,\s[^;,]{2,60};\s*){2,}")
_FRONT_MATTER = re.compile(
    r"creative commons|distributed under|open[- ]access article|\blicen[cs]e\b|©|copyright|"
    r"\bdepartment of\b|\buniversity\b|\bhospital,|correspondence|e-?mail|@",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Region:
    """A labelled span ``[start, end)`` of the original text."""

    label: str
    start: int
    end: int
    text: str


@dataclass
class _Line:
    start: int
    end: int
    text: str
    block: int


def _lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    block = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        if not body.strip():
            block += 1
        lines.append(_Line(pos, pos + len(body), body, block))
        pos += len(raw)
    return lines


_HEADING_PREFIXES = (
    ("case", "case"),
    ("discussion", "discussion"),
    ("conclusion", "conclusion"),
    ("introduction", "introduction"),
)


def _heading(text: str) -> Section | None:
    stripped = _NUMBERING.sub("", text).strip().strip("*_#:").strip().lower()
    if len(stripped) > 60:
        return None
    if stripped in _HEADINGS:
        return _HEADINGS[stripped]
    words = stripped.split()
    if 1 < len(words) <= 6 and not stripped.endswith((".", ",")) and ":" not in stripped:
        # "Case description and diagnostic assessment", "Discussion and conclusions"
        for prefix, section in _HEADING_PREFIXES:
            if words[0] == prefix or (prefix != "case" and words[0].startswith(prefix)):
                return section
    return None


def headings() -> dict[str, Section]:
    """The section headings recognised, lower-cased, with the section each one opens."""
    return dict(_HEADINGS)


def _is_reference(text: str) -> bool:
    return bool(_REFERENCE_HEAD.match(text) and _REFERENCE_TAIL.search(text))


class _Segmenter:
    def __init__(self, text: str):
        self.text = text
        self.lines = _lines(text)
        self.labels: list[str] = ["blank"] * len(self.lines)
        self.section: Section = "front"
        self.front_block = -1

    def block_lines(self, block: int) -> list[int]:
        return [i for i, ln in enumerate(self.lines) if ln.block == block and ln.text.strip()]

    def next_text_line(self, i: int) -> int | None:
        for j in range(i + 1, len(self.lines)):
            if self.lines[j].text.strip():
                return j
        return None

    def run(self) -> list[str]:
        i = 0
        while i < len(self.lines):
            i = self.line(i)
        return self.labels

    def mark(self, indexes: list[int] | range, label: str) -> None:
        for j in indexes:
            if self.lines[j].text.strip():
                self.labels[j] = label

    def caption_extent(self, i: int) -> int:
        """Label the caption starting at line ``i``; return the next line to read."""
        line = self.lines[i]
        rest = _FIGURE.match(line.text)
        first = rest.group(1).strip() if rest else ""
        j = i
        if not first:
            nxt = self.next_text_line(i)
            if nxt is None:
                self.labels[i] = "caption"
                return i + 1
            first = self.lines[nxt].text.strip()
            j = nxt
        if first[:1].islower() or first[:1] in ")],;" or _heading(first) is not None:
            # a figure cited inside a sentence ("(Figure 1A" + line break + "). The..."): the line alone
            self.labels[i] = "caption"
            return i + 1
        block = self.lines[j].block
        end = j
        while end + 1 < len(self.lines) and self.lines[end + 1].block == block and self.lines[end + 1].text.strip():
            end += 1
        self.mark(range(i, end + 1), "caption")
        return end + 1

    def continuation_of_caption(self, i: int) -> bool:
        prev = next((j for j in range(i - 1, -1, -1) if self.lines[j].text.strip()), None)
        return (
            prev is not None
            and self.labels[prev] == "caption"
            and self.lines[prev].block != self.lines[i].block
            and self.lines[i].text.strip()[:1].islower()
            and not self.lines[prev].text.rstrip().endswith((".", ")", "]"))
        )

    def line(self, i: int) -> int:
        line = self.lines[i]
        stripped = line.text.strip()
        if not stripped:
            return i + 1
        first_of_block = i == 0 or self.lines[i - 1].block != line.block or not self.lines[i - 1].text.strip()
        if self.section == "front" and _NUMBERING.sub("", stripped).strip("*_#: ").lower() in _FRONT_LABELS:
            self.labels[i] = "front"
            nxt = self.next_text_line(i)
            self.front_block = self.lines[nxt].block if nxt is not None else -1
            return i + 1
        if line.block == self.front_block:
            self.labels[i] = "front"
            return i + 1
        previous = self.lines[i - 1].text.rstrip() if i > 0 else ""
        heading = _heading(stripped) if first_of_block or previous.endswith((".", ":", "!", "?")) else None
        if heading is not None:
            self.labels[i] = "heading"
            self.section = heading
            return i + 1
        if _FIGURE.match(line.text):
            return self.caption_extent(i)
        if first_of_block and (_PANEL.match(line.text) or self.continuation_of_caption(i)):
            block = line.block
            j = i
            while j < len(self.lines) and self.lines[j].block == block:
                if j > i and _FIGURE.match(self.lines[j].text):
                    return j
                self.labels[j] = "caption" if self.lines[j].text.strip() else "blank"
                j += 1
            return j
        if _TABLE.match(line.text) or "\t" in line.text:
            self.labels[i] = "table"
            return i + 1
        if _is_reference(stripped):
            self.labels[i] = "reference"
            return i + 1
        if _FURNITURE.match(line.text) or _ABBREVIATION_LIST.match(line.text):
            self.labels[i] = "furniture"
            return i + 1
        label = _INLINE_LABEL.match(line.text)
        block_length = sum(len(self.lines[j].text) for j in self.block_lines(line.block))
        block_text = " ".join(self.lines[j].text for j in self.block_lines(line.block)).rstrip()
        sentence_like = block_length > 200 or block_text.endswith(".")
        if label and first_of_block and sentence_like and self.section in ("front", "abstract", "abstract-case"):
            name = label.group(1).strip().lower()
            if name in _ABSTRACT_LABELS:
                self.section = _ABSTRACT_LABELS[name]
        self.labels[i] = self.front_label(i) if self.section in ("front", "backmatter") else self.section
        return i + 1

    def front_label(self, i: int) -> str:
        """Inside front matter a long narrative block is an unlabelled abstract."""
        if self.section == "backmatter":
            return "backmatter"
        block = self.lines[i].block
        text = " ".join(self.lines[j].text for j in self.block_lines(block))
        narrative = len(text) > 350 and text.count(". ") >= 2 and not _FRONT_MATTER.search(text)
        return "abstract" if narrative else "front"


def _merge(text: str, lines: list[_Line], labels: list[str]) -> list[Region]:
    regions: list[Region] = []
    for line, label in zip(lines, labels, strict=True):
        if label == "blank":
            continue
        if regions and regions[-1].label == label:
            last = regions[-1]
            regions[-1] = Region(label, last.start, line.end, text[last.start : line.end])
        else:
            regions.append(Region(label, line.start, line.end, text[line.start : line.end]))
    return regions


def segment(text: str) -> list[Region]:
    """Label the original text's lines and merge them into regions, in document order.

    Labels: ``front``, ``abstract``, ``abstract-case``, ``introduction``, ``case``,
    ``discussion``, ``conclusion``, ``backmatter``, ``heading``, ``caption``, ``table``,
    ``reference``, ``furniture``. A text with no recognised heading at all (an abstract, a
    pasted paragraph) is one ``abstract`` region.
    """
    seg = _Segmenter(text)
    labels = seg.run()
    if not any(label in NARRATIVE for label in labels):
        labels = [("abstract" if label == "front" else label) for label in labels]
    return _merge(text, seg.lines, labels)


_TITLE_JOIN = re.compile(r"(?:\b(?:and|of|the|in|for|with|a|an|to|after|from|on|by|as)|[:,-])\s*$", re.IGNORECASE)


def title_span(text: str, regions: list[Region]) -> tuple[int, int] | None:
    """The span of the report's title in the front matter, if one can be told apart.

    The lines around the first mention of "case report" in the front matter, joined while a
    line ends with a connecting word or the next goes on in lower case; else the first line.
    """
    front = [r for r in regions if r.label in ("front", "abstract")][:6]
    for region in front:
        m = re.search(r"case (?:report|series|study)", region.text, re.IGNORECASE)
        if not m:
            continue
        lines = region.text.split("\n")
        offsets = [0]
        for line in lines[:-1]:
            offsets.append(offsets[-1] + len(line) + 1)
        i = max(k for k, o in enumerate(offsets) if o <= m.start())
        first = last = i
        while first > 0 and lines[first].strip()[:1].islower() and _TITLE_JOIN.search(lines[first - 1]):
            first -= 1
        while (
            last + 1 < len(lines)
            and lines[last + 1].strip()
            and (_TITLE_JOIN.search(lines[last]) or lines[last + 1].strip()[:1].islower())
        ):
            last += 1
        return region.start + offsets[first], region.start + offsets[last] + len(lines[last])
    first_region = next((r for r in regions if r.text.strip()), None)
    if first_region is None:
        return None
    line = first_region.text.split("\n", 1)[0]
    if len(line) > 200 or ". " in line.strip():
        return None
    return first_region.start, first_region.start + len(line)
