"""Reports of several patients: "Case 1", "Case 2", "Patient 2 was...", "The second patient...".

A report that presents several patients is split into one view of the report per patient
(:func:`patient_views`): the same report in which every sentence outside that patient's part is
marked as being about other patients, so that every extractor reads only that patient's facts.
A patient's part runs from the line or sentence that introduces them ("Case 2: A 57-year-old
man", a heading "Patient 2", "The second patient, a 70-year-old woman, ...") to the next such
introduction. With a case section, only its sentences are split and the sentences of the other
sections (abstract, discussion), which may speak of any of the patients, are left out of every
view; without one, the whole narrative is split. Text before the first introduction belongs to
the first patient when that introduction is the second patient's ("The second patient", "Case
2"); otherwise it is a preamble about the series ("We report three cases") and belongs to none.

A report with no introduction, or a single one that is not the second patient's, is one
patient, read as a whole.

>>> [m.number for m in introductions("Case 1: A 50-year-old man.\\nCase 2: A 60-year-old woman.")]
[1, 2]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from metkg.extract.report import Report, Sentence

__all__ = ["Introduction", "PatientView", "introductions", "patient_views"]

_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "i": 1, "ii": 2, "iii": 3, "iv": 4}
_NUMBER = r"(?P<n>\d{1,2}|one|two|three|four|five|six|I{1,3}|IV)"
#: "Case 2: A 57-year-old man", "Patient 2, a 1-year-old boy", "Case no. 3", "CASE #2" at a line
#: or sentence start; not "Patient 2.II.1" (a pedigree) nor "Case 2 of Table 1" mid-sentence.
_NUMBERED = re.compile(
    rf"(?:^|(?<=\n))[ \t]*(?:case|patient)[ \t]*(?:no\.?[ \t]*|#[ \t]*)?{_NUMBER}(?![.\d]*\w)(?![.]\d)"
    r"(?=[ \t]*(?:[:.,)\n–-]|$|[ \t]+(?:was|is|had|has|presented|[A-Z])))",
    re.IGNORECASE,
)
#: "The second patient, a 70-year-old woman", "In the second case, ..." at a sentence start.
_ORDINAL = re.compile(
    r"^(?:in\s+)?the\s+(?P<n>second|third|fourth|fifth|sixth)\s+(?:patient|case)\b(?!\s+(?:of|in|from)\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Introduction:
    """Where a patient of a series is introduced (a clean-text position) and their number."""

    position: int
    number: int
    label: str


@dataclass(frozen=True)
class PatientView:
    """One patient's view of a report: their number in it, a label, and the report to read."""

    number: int
    label: str | None
    report: Report


def _number(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else _WORDS.get(word, _ORDINALS.get(word, 0))


def introductions(text: str) -> list[Introduction]:
    """Numbered introductions at line or sentence starts of ``text`` ("Case 2:", "Patient 3 was")."""
    out = []
    for m in _NUMBERED.finditer(text):
        label = re.sub(r"\s+", " ", m.group(0).strip())
        out.append(Introduction(m.start() + len(m.group(0)) - len(m.group(0).lstrip()), _number(m.group("n")), label))
    return out


def _sentence_introductions(sentences: list[Sentence]) -> list[Introduction]:
    out = []
    for s in sentences:
        numbered = introductions(s.text)
        if numbered and numbered[0].position == 0:
            out.append(replace(numbered[0], position=s.start))
            continue
        ordinal = _ORDINAL.match(s.text)
        if ordinal:
            out.append(Introduction(s.start, _number(ordinal.group("n")), f"{ordinal.group('n').capitalize()} patient"))
    return out


def _series(report: Report, sentences: list[Sentence]) -> list[Introduction]:
    """The introductions of a case series in the narrative ``sentences``, in order; [] for one patient."""
    if not sentences:
        return []
    first, last = sentences[0].start, sentences[-1].end
    clean = report.clean
    found = {
        i.position: i
        for i in (replace(i, position=clean.clean_offset(i.position)) for i in introductions(report.original))
        if first <= i.position < last
    }
    for i in _sentence_introductions(sentences):
        found.setdefault(i.position, i)
    ordered = [found[p] for p in sorted(found)]
    numbers = [i.number for i in ordered]
    second_only = len(ordered) == 1 and numbers == [2] and ordered[0].position > first
    if (len(ordered) < 2 and not second_only) or len(set(numbers)) != len(numbers) or numbers != sorted(numbers):
        return []  # one patient, or numbers that are not a series' ("Case 2" twice, "case 3" before "case 1")
    return ordered


def _narrative(report: Report) -> list[Sentence]:
    if report.has_case_section:
        return [s for s in report.sentences if s.section == "case"]
    return [s for s in report.sentences if s.section in ("abstract", "abstract-case", "body")]


def patient_views(report: Report) -> list[PatientView]:
    """One view per patient of the report (a single view of the whole report for one patient).

    Patients are numbered by their order in the report; the label is how the text introduces
    them ("Case 2", "Second patient"), ``None`` for a first patient the text does not number.
    """
    narrative = _narrative(report)
    series = _series(report, narrative)
    if not series:
        return [PatientView(1, None, report)]
    labels: list[str | None] = [i.label for i in series]
    shift = 0 if series[0].number != 2 else 1  # "The second patient": the text before was the first's
    labels = [None] * shift + labels
    own: dict[int, int] = {}  # sentence index -> the patient's position in ``labels``
    for s in narrative:
        part = sum(1 for i in series if i.position < s.end) - 1 + shift
        if part >= 0:
            own[s.index] = part
    views = []
    for k, label in enumerate(labels):
        sentences = [s if own.get(s.index) == k else replace(s, other_patients=True) for s in report.sentences]
        views.append(PatientView(k + 1, label, replace(report, sentences=sentences)))
    return views
