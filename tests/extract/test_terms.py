"""The term matcher is built from the ontology: labels, synonyms and spelling variants."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from metkg.extract import extract_text
from metkg.extract.terms import TermMatcher, name_pattern
from metkg.records.models import UNLISTED_MARKER_NOTE
from metkg.terminology import load_terminology


@pytest.mark.parametrize(
    ("name", "text", "matches"),
    [
        ("Ki-67", "Ki67", True),
        ("Ki-67", "Ki 67", True),
        ("GATA3", "GATA-3", True),
        ("GATA3", "GATA 3", True),
        ("lymph node", "lymph nodes", True),
        ("S-1", "S1", False),
        ("c-erbB-2", "c-erbB-2", True),
        ("HER2", "HER-2", True),
    ],
)
def test_name_variants(name: str, text: str, matches: bool) -> None:
    assert bool(re.fullmatch(name_pattern(name), text)) is matches


def test_short_abbreviations_match_in_upper_case_only() -> None:
    m = TermMatcher({"marker": {"ER": ["ER", "estrogen receptor"], "PR": ["PR"]}})
    found = [(t.key, t.text) for t in m.find("ER+, er, Estrogen Receptor, PR-, HER2")]
    assert found == [("ER", "ER"), ("ER", "Estrogen Receptor"), ("PR", "PR")]


def test_the_longest_term_wins_within_a_category(matcher) -> None:
    found = [(t.category, t.key) for t in matcher.find("right axillary lymph nodes", ["site"])]
    assert found == [("site", "axillary-lymph-node")]


def test_a_term_right_after_non_is_not_that_term(matcher) -> None:
    text = "biopsy showed non-small cell carcinoma, not small cell carcinoma"
    found = [t.key for t in matcher.find(text, ["histology"])]
    assert "small-cell-carcinoma" not in found[:-1] and found[-1] == "small-cell-carcinoma"


def test_ontology_terms_are_found(matcher) -> None:
    text = "fine-needle aspiration of the left frontal scalp; c-erbB-2 (1+); fulvestrant; bone marrow"
    keys = {(t.category, t.key) for t in matcher.find(text)}
    assert {
        ("procedure", "fna"),
        ("site", "frontal-scalp"),
        ("marker", "HER2"),
        ("drug", "fulvestrant"),
        ("site", "bone-marrow"),
    } <= keys


def test_a_synonym_added_to_the_ontology_is_extracted_without_code_changes(tmp_path: Path, ontology_dir: Path) -> None:
    text = "A 40-year-old woman. Excision of the scalp tumour. Staining was positive for CNN1 protein."
    before_dir, after_dir = tmp_path / "before", tmp_path / "after"
    shutil.copytree(ontology_dir, before_dir)
    shutil.copytree(ontology_dir, after_dir)
    before = extract_text(text, "r.txt", before_dir)
    # without the synonym the result is kept under the name as written, flagged for the curator
    kept = [(r.marker, r.note) for s in before.patients[0].specimens for r in s.results]
    assert [(marker, (note or "").startswith(UNLISTED_MARKER_NOTE)) for marker, note in kept] == [("CNN1", True)]
    terms = after_dir / "terms.ttl"
    source = terms.read_text(encoding="utf-8")
    term = load_terminology(ontology_dir).get("marker", "calponin")
    assert term is not None
    local = term.iri.split("#")[-1]
    added = re.sub(rf"(metkg:{local} a [^.]*?skos:altLabel )", r'\1"CNN1 protein"@en , ', source, count=1)
    assert added != source, "the calponin term should carry skos:altLabel"
    terms.write_text(added, encoding="utf-8")
    after = extract_text(text, "r.txt", after_dir)
    assert [(r.marker, r.status) for s in after.patients[0].specimens for r in s.results] == [("calponin", "positive")]
