"""What reasoning makes of the three reports: on fixture records and on the curated records.

The same expectations run on both: the fixtures under tests/fixtures/reasoning follow the
reports' shape, the curated records under data/cases are the reports themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from metkg.iris import CaseIris
from metkg.settings import DEFAULT_BASE_IRI
from metkg.vocab import METKG


@dataclass(frozen=True)
class Case:
    doi: str
    patient: int = 1

    def part(self, kind: str, local: str) -> str:
        return CaseIris(DEFAULT_BASE_IRI, self.doi).part(self.patient, kind, local)


@dataclass(frozen=True)
class Expect:
    """Where each expectation lives in one data set."""

    fixture: str
    dcis: Case
    dcis_primary_specimen: str
    bone_marrow_specimens: tuple[str, ...]
    scalp: Case
    scalp_biopsy: str
    scalp_fna: str
    scalp_lesion: str
    meningeal_lesion: str
    calvarial_lesion: str
    sarcoma: Case
    invasions: tuple[str, ...]


FIXTURES = Expect(
    fixture="fixtures_reasoned",
    dcis=Case("10.9999/fixture.dcis"),
    dcis_primary_specimen="breast-excision",
    bone_marrow_specimens=("bone-marrow-biopsy",),
    scalp=Case("10.9999/fixture.scalp"),
    scalp_biopsy="diagnostic-biopsy",
    scalp_fna="scalp-fna",
    scalp_lesion="scalp-metastasis",
    meningeal_lesion="meningeal-metastasis",
    calvarial_lesion="calvarial-metastasis",
    sarcoma=Case("10.9999/fixture.lms"),
    invasions=("skull-invasion", "dura-invasion"),
)
CURATED = Expect(
    fixture="curated_reasoned",
    dcis=Case("10.3389/fonc.2024.1473896"),
    dcis_primary_specimen="breast-excision-2013",
    bone_marrow_specimens=("bone-marrow-biopsy-1", "bone-marrow-biopsy-2"),
    scalp=Case("10.3389/fonc.2025.1709244"),
    scalp_biopsy="breast-fna",
    scalp_fna="scalp-fna",
    scalp_lesion="scalp-metastasis",
    meningeal_lesion="meningeal-metastasis",
    calvarial_lesion="calvarial-metastasis",
    sarcoma=Case("10.3389/fonc.2025.1533114"),
    invasions=("skull-invasion", "dura-invasion"),
)
DATA = pytest.mark.parametrize("expect", [FIXTURES, CURATED], ids=["fixtures", "curated"])


def _types(reasoned, iri: str) -> set[str]:  # type: ignore[no-untyped-def]
    rows = reasoned.select(f"SELECT ?t WHERE {{ <{iri}> a ?t }}")
    return {row["t"] for row in rows}


def _conversions(reasoned, from_specimen: str, to_specimen: str) -> dict[str, tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    rows = reasoned.select(f"""
        SELECT ?key ?from ?to ?direction WHERE {{
          ?c a metkg:ReceptorConversion ; metkg:conversionMarker/metkg:key ?key ;
             metkg:fromResult/metkg:resultOf <{from_specimen}> ; metkg:toResult/metkg:resultOf <{to_specimen}> ;
             metkg:fromCategory ?from ; metkg:toCategory ?to ; metkg:direction ?direction }}""")
    return {row["key"]: (row["from"], row["to"], row["direction"].rsplit("#", 1)[-1]) for row in rows}


@DATA
def test_bone_marrow_specimen_of_the_dcis_report_is_triple_negative(expect: Expect, request) -> None:  # type: ignore[no-untyped-def]
    reasoned = request.getfixturevalue(expect.fixture)
    for specimen in expect.bone_marrow_specimens:
        types = _types(reasoned, expect.dcis.part("specimen", specimen))
        assert METKG.TripleNegative in types, f"{specimen} types: {sorted(types)}"
        assert METKG.HormoneReceptorNegative in types
        assert METKG.HER2Negative in types
    primary = _types(reasoned, expect.dcis.part("specimen", expect.dcis_primary_specimen))
    assert {METKG.HormoneReceptorPositive, METKG.HER2Positive, METKG.HormoneReceptorPositiveHER2Positive} <= primary


@DATA
def test_er_pr_and_her2_losses_of_the_dcis_report_are_receptor_conversions(expect: Expect, request) -> None:  # type: ignore[no-untyped-def]
    reasoned = request.getfixturevalue(expect.fixture)
    primary = expect.dcis.part("specimen", expect.dcis_primary_specimen)
    for specimen in expect.bone_marrow_specimens:
        found = _conversions(reasoned, primary, expect.dcis.part("specimen", specimen))
        assert found.get("ER") == ("positive", "negative", "Loss"), found
        assert found.get("PR") == ("positive", "negative", "Loss"), found
        assert found.get("HER2") == ("HER2-positive", "negative", "Loss"), found


@DATA
def test_bone_marrow_metastasis_is_a_triple_negative_metastasis_of_a_hr_positive_primary(
    expect: Expect, request
) -> None:  # type: ignore[no-untyped-def]
    reasoned = request.getfixturevalue(expect.fixture)
    rows = reasoned.select(f"""
        SELECT ?m WHERE {{ <{expect.dcis.part("specimen", expect.bone_marrow_specimens[0])}> metkg:samples ?m .
          ?m a metkg:TripleNegativeMetastasisOfHormoneReceptorPositivePrimary , metkg:BoneMarrowMetastasis ,
               metkg:DistantMetastasis , metkg:LateMetastasis }}""")
    assert len(rows) == 1


@DATA
def test_scalp_case_has_her2_zero_to_low_change_and_pr_gain(expect: Expect, request) -> None:  # type: ignore[no-untyped-def]
    reasoned = request.getfixturevalue(expect.fixture)
    biopsy, fna = expect.scalp.part("specimen", expect.scalp_biopsy), expect.scalp.part("specimen", expect.scalp_fna)
    found = _conversions(reasoned, biopsy, fna)
    assert found.get("HER2") == ("HER2-zero", "HER2-low", "Gain"), found
    assert found.get("PR") == ("negative", "positive", "Gain"), found
    assert "ER" not in found, "ER 40% and >90% are both positive: no conversion"
    assert METKG.HER2Zero in _types(reasoned, biopsy)
    assert {METKG.HER2Low, METKG.HormoneReceptorPositiveHER2Negative} <= _types(reasoned, fna)


@DATA
def test_scalp_meningeal_and_calvarial_metastases_classify_by_site(expect: Expect, request) -> None:  # type: ignore[no-untyped-def]
    reasoned = request.getfixturevalue(expect.fixture)
    scalp = _types(reasoned, expect.scalp.part("lesion", expect.scalp_lesion))
    meninges = _types(reasoned, expect.scalp.part("lesion", expect.meningeal_lesion))
    calvaria = _types(reasoned, expect.scalp.part("lesion", expect.calvarial_lesion))
    assert {METKG.CutaneousMetastasis, METKG.ScalpMetastasis, METKG.DistantMetastasis} <= scalp
    assert {METKG.CNSMetastasis, METKG.MeningealMetastasis, METKG.DistantMetastasis} <= meninges
    assert {METKG.BoneMetastasis, METKG.SkullMetastasis, METKG.DistantMetastasis} <= calvaria
    assert METKG.BoneMetastasis not in scalp and METKG.CutaneousMetastasis not in calvaria


@DATA
def test_leiomyosarcoma_invasion_of_skull_and_dura_is_not_a_metastasis(expect: Expect, request) -> None:  # type: ignore[no-untyped-def]
    reasoned = request.getfixturevalue(expect.fixture)
    skull, dura = (_types(reasoned, expect.sarcoma.part("lesion", lesion)) for lesion in expect.invasions)
    metastases = {
        METKG.Metastasis,
        METKG.BoneMetastasis,
        METKG.CNSMetastasis,
        METKG.DistantMetastasis,
        METKG.SkullMetastasis,
    }
    assert not skull & metastases, sorted(skull)
    assert not dura & metastases, sorted(dura)
    assert {METKG.LocalInvasion, METKG.BoneInvasion} <= skull
    assert {METKG.LocalInvasion, METKG.CNSInvasion} <= dura
    assert not reasoned.ask(
        f"ASK {{ ?t a metkg:TimeToMetastasis ; metkg:toLesion <{expect.sarcoma.part('lesion', 'skull-invasion')}> }}"
    )


@DATA
def test_researcher_questions_need_no_thresholds_or_site_lists(expect: Expect, request) -> None:  # type: ignore[no-untyped-def]
    reasoned = request.getfixturevalue(expect.fixture)
    tn_of_hr_positive = reasoned.select(
        "SELECT ?m WHERE { ?m a metkg:TripleNegativeMetastasisOfHormoneReceptorPositivePrimary }"
    )
    assert {row["m"] for row in tn_of_hr_positive} == {expect.dcis.part("lesion", "bone-marrow-metastasis")}
    cns = {row["m"] for row in reasoned.select("SELECT ?m WHERE { ?m a metkg:CNSMetastasis }")}
    assert expect.scalp.part("lesion", expect.meningeal_lesion) in cns
    assert not any(expect.sarcoma.doi in m for m in cns)


@DATA
def test_conversion_nodes_carry_specimens_dates_values_and_site(expect: Expect, request) -> None:  # type: ignore[no-untyped-def]
    reasoned = request.getfixturevalue(expect.fixture)
    biopsy, fna = expect.scalp.part("specimen", expect.scalp_biopsy), expect.scalp.part("specimen", expect.scalp_fna)
    rows = reasoned.select(f"""
        SELECT ?fromDate ?toDate ?fromValue ?toValue ?site WHERE {{
          ?c metkg:conversionMarker/metkg:key "HER2" ;
             metkg:fromSpecimen <{biopsy}> ; metkg:toSpecimen <{fna}> ;
             metkg:fromDate ?fromDate ; metkg:toDate ?toDate ;
             metkg:fromValue ?fromValue ; metkg:toValue ?toValue ; metkg:toSite ?site }}""")
    assert [(r["fromValue"], r["toValue"], r["site"]) for r in rows] == [("0", "1+", METKG.FrontalScalp)]
    assert (rows[0]["fromDate"], rows[0]["toDate"]) == ("2019-10", "2025-04")


@DATA
def test_metastasis_sites_co_occurring_sites_and_spread_patterns(expect: Expect, request) -> None:  # type: ignore[no-untyped-def]
    reasoned = request.getfixturevalue(expect.fixture)
    scalp = expect.scalp.part("lesion", expect.scalp_lesion)
    rows = reasoned.select(f"SELECT ?site WHERE {{ <{scalp}> metkg:metastasisSite ?site }}")
    assert [r["site"] for r in rows] == [METKG.FrontalScalp], "the recorded class, not Scalp or Skin"
    rows = reasoned.select(f"SELECT ?site WHERE {{ <{scalp}> metkg:coOccurringSite ?site }}")
    others = {r["site"] for r in rows}
    assert {METKG.Meninges, METKG.FrontalBone} <= others
    assert METKG.FrontalScalp not in others, "the patient has no other frontal-scalp metastasis"
    rows = reasoned.select(f"""
        SELECT ?histology ?site WHERE {{
          <{expect.scalp.part("lesion", "x").rsplit("/lesion/", 1)[0]}> metkg:hasSpreadPattern ?p .
          ?p a metkg:SpreadPattern ; metkg:patternHistology ?histology ; metkg:patternSite ?site }}""")
    assert (METKG.InvasiveDuctalCarcinoma, METKG.FrontalScalp) in {(r["histology"], r["site"]) for r in rows}


@DATA
def test_treated_metastases_carry_their_site_and_every_metastasis_its_report_doi(expect: Expect, request) -> None:  # type: ignore[no-untyped-def]
    reasoned = request.getfixturevalue(expect.fixture)
    rows = reasoned.select("""
        SELECT ?m ?site ?treatedSite ?treated ?doi ?reportDoi WHERE {
          ?m metkg:metastasisSite ?site .
          ?patient metkg:hasLesion ?m ; metkg:reportedIn/metkg:doi ?doi .
          OPTIONAL { ?m metkg:treatedMetastasisSite ?treatedSite }
          OPTIONAL { ?m metkg:metastasisReportDoi ?reportDoi }
          BIND(EXISTS { ?intervention metkg:treats ?m } AS ?treated) }""")
    assert rows, "every data set here has metastases with a site"
    treated = [r for r in rows if r["treated"] == "true"]
    if expect is CURATED:  # the fixtures treat no metastasis
        assert treated and len(treated) < len(rows), "some metastases are treated and some are not"
    for row in rows:
        expected = row["site"] if row["treated"] == "true" else None
        assert row.get("treatedSite") == expected, row["m"]
        assert row["reportDoi"] == row["doi"], row["m"]


@DATA
def test_time_to_metastasis_and_diagnostic_delay(expect: Expect, request) -> None:  # type: ignore[no-untyped-def]
    reasoned = request.getfixturevalue(expect.fixture)
    scalp_lesion = expect.scalp.part("lesion", expect.scalp_lesion)
    rows = reasoned.select(
        f"SELECT ?months WHERE {{ <{scalp_lesion}/time-to-metastasis> metkg:monthsBetween ?months }}"
    )
    assert [row["months"] for row in rows] == ["66"], "October 2019 to April 2025"
    rows = reasoned.select(
        "SELECT ?months WHERE { ?d a metkg:DiagnosticDelay ; "
        f"metkg:toLesion <{scalp_lesion}> ; metkg:monthsBetween ?months }}"
    )
    assert [row["months"] for row in rows] == ["16"], "December 2023 to April 2025"


def test_declared_conflict_is_reported_not_fatal(fixtures_reasoned) -> None:  # type: ignore[no-untyped-def]
    conflicts = fixtures_reasoned.summary["declared_conflicts"]
    assert {(c["case"], c["field"], c["resolution"]) for c in conflicts} == {
        ("fixture-leiomyosarcoma", "status", "positive")
    }


def test_summary_counts_classes_and_derived_facts(fixtures_reasoned) -> None:  # type: ignore[no-untyped-def]
    summary = fixtures_reasoned.summary
    assert summary["reasoner"] == "hermit"
    assert summary["classified"]["TripleNegative"] == 2
    assert summary["classified"]["HormoneReceptorNegativeHER2Positive"] == 1
    assert summary["derived"]["ReceptorConversion"] == 7
    assert summary["derived"]["LateMetastasis"] == 3
    assert summary["consistency_batches"] == 1


def test_intervals_keep_the_precision_of_their_dates(curated_reasoned) -> None:  # type: ignore[no-untyped-def]
    """The DCIS report dates its axillary metastasis and its confirmed diagnosis only by the year
    2024: no month count may be stated, only the range the dates allow (before: 132 and 12)."""
    dcis = Case("10.3389/fonc.2024.1473896")
    patient = dcis.part("lesion", "x").rsplit("lesion/", 1)[0]
    rows = curated_reasoned.select(
        "SELECT ?node ?min ?max ?months WHERE { ?node metkg:minMonthsBetween ?min ; metkg:maxMonthsBetween ?max "
        f"OPTIONAL {{ ?node metkg:monthsBetween ?months }} FILTER(STRSTARTS(STR(?node), '{patient}')) }}"
    )
    by_node = {row["node"].rsplit("/", 2)[-2] + "/" + row["node"].rsplit("/", 1)[-1]: row for row in rows}
    axilla = by_node["axillary-metastasis/time-to-metastasis"]
    assert (axilla["min"], axilla["max"], axilla.get("months")) == ("132", "143", None), "January 2013 to 2024"
    delay = by_node["journey/delay"]
    assert (delay["min"], delay["max"], delay.get("months")) == ("1", "12", None), "December 2023 to 2024"
    marrow = by_node["bone-marrow-metastasis/time-to-metastasis"]
    assert (marrow["min"], marrow["max"], marrow.get("months")) == ("133", "133", "133"), (
        "January 2013 to February 2024"
    )
    axilla_late = curated_reasoned.ask(
        f"ASK {{ <{dcis.part('lesion', 'axillary-metastasis')}> a metkg:LateMetastasis }}"
    )
    assert axilla_late, "at least 132 months: certainly late"
