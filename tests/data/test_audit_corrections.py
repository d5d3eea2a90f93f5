"""Corrections an audit of the curated records against their texts found, one regression test each.

Each test names what was wrong: a value the text does not state, a site read too far, a fact
the record left out, a course recorded under one kind of therapy that holds two.
"""

from __future__ import annotations

import pytest

from metkg.records.loader import load_record
from metkg.records.models import Patient
from metkg.settings import PROJECT_ROOT, Settings
from metkg.terminology import load_terminology

CASES = PROJECT_ROOT / "data" / "cases"


def _patient(record_id: str, index: int = 1) -> Patient:
    record = load_record(CASES / f"{record_id}.yaml").record
    return next(p for p in record.patients if p.index == index)


@pytest.mark.parametrize(
    ("record_id", "index"),
    [("custer-2025-scalp", 1), ("wu-2024-scalp", 1), ("yu-2024-scalp", 1), ("abdulraheem-2023-scalp", 1)],
)
def test_a_local_recurrence_the_table_only_ticks_has_no_site(record_id: str, index: int) -> None:
    """Table 1 says only "yes" under local recurrence: the breast was a guess."""
    (recurrence,) = [lesion for lesion in _patient(record_id, index).lesions if lesion.kind == "recurrence"]
    assert recurrence.site is None and recurrence.site_text is None
    assert [e.quote for e in recurrence.evidence] == ["yes"]


def test_liu_supraclavicular_fossa_is_the_region_not_a_lymph_node() -> None:
    lesion = next(x for x in _patient("liu-2020-scalp").lesions if x.id == "supraclavicular-metastasis")
    assert (lesion.site, lesion.site_text) == ("supraclavicular-fossa", "left supraclavicular fossa")
    terms = load_terminology(Settings(corpus_dir=None).ontology_dir.resolve())
    fossa = terms.get("site", "supraclavicular-fossa")
    assert fossa is not None and not terms.is_a(fossa.iri, terms.get("site", "lymph-node").iri)  # type: ignore[union-attr]
    assert "supraclavicular fossa" not in terms.get("site", "supraclavicular-lymph-node").synonyms  # type: ignore[union-attr]


def test_prochno_subpleural_regions_are_lung_not_pleura() -> None:
    lesion = next(x for x in _patient("prochno-2007-scalp").lesions if x.site_text == "subpleural regions")
    assert lesion.site == "lung"
    terms = load_terminology(Settings(corpus_dir=None).ontology_dir.resolve())
    assert "subpleural" not in terms.get("site", "pleura").synonyms  # type: ignore[union-attr]


def test_gao_leiomyosarcoma_presents_with_headaches_and_dizziness() -> None:
    patient = _patient("gao-2025-scalp-leiomyosarcoma")
    conditions = [h.condition for h in patient.history if h.kind == "condition"]
    assert any(c.startswith("headaches") for c in conditions)
    assert any(c.startswith("dizziness") for c in conditions)


def test_gao_leiomyosarcoma_lists_the_neurogenic_tumours_differential() -> None:
    journey = _patient("gao-2025-scalp-leiomyosarcoma").journey
    assert journey is not None
    differentials = [m.label for m in journey.misdiagnoses if m.kind == "differential"]
    assert differentials[:3] == ["neurogenic tumours", "neurofibroma", "schwannoma"]


def test_cheng_dalpiciclib_is_a_targeted_therapy_of_its_own() -> None:
    """The fulvestrant + dalpiciclib course was one endocrine intervention: a search for targeted
    therapy missed dalpiciclib."""
    by_drug = {d.drug: i.type for i in _patient("cheng-2025-scalp-metastasis").interventions for d in i.drugs}
    assert by_drug["dalpiciclib"] == "targeted"
    assert by_drug["fulvestrant"] == "endocrine"
