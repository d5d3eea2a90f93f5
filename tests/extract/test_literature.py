"""Literature-review tables become one draft per cited publication, one patient per row."""

from __future__ import annotations

import pytest

from metkg.extract.literature import column_roles, is_literature_table, literature_records
from metkg.extract.readers import read_bytes

from .conftest import ONTOLOGY


@pytest.mark.parametrize(
    ("header", "roles"),
    [
        (
            ["Author (year)", "Age/Sex", "Primary", "Metastatic site", "Treatment", "Outcome"],
            ["author", "age-sex", "primary", "site", "treatment", "outcome"],
        ),
        (
            ["Ref.", "Year", "Age (years)", "Gender", "Histology", "Location", "Follow-up"],
            ["reference", "year", "age", "sex", "histology", "site", "outcome"],
        ),
        (
            ["Case", "Sex", "Age", "Primary tumor", "Interval (months)", "IHC", "Management", "Prognosis"],
            ["author", "sex", "age", "primary", "interval", "ihc", "treatment", "outcome"],
        ),
        (
            [
                "Date",
                "Primary histology",
                "Primary subtype",
                "Sequence of scalp metastasis",
                "Scalp location",
                "Clinical presentation",
                "Local recurrence",
                "Other metastases",
                "Treatment",
                "Outcome",
                "Reference",
            ],
            [
                "year",
                "histology",
                None,
                None,
                "site",
                None,
                "recurrence",
                "other-sites",
                "treatment",
                "outcome",
                "reference",
            ],
        ),
    ],
)
def test_columns_are_mapped_by_header(header, roles) -> None:
    assert column_roles(header) == roles


REPORT = """Case report: a lung cancer metastasis to the scalp

Case presentation

A 66-year-old man with lung adenocarcinoma had a scalp metastasis and was treated with pembrolizumab.

Discussion

Table 2 Published cases of skin metastasis from lung cancer.

Author, year\tAge/Sex\tHistology\tSite\tTreatment\tOutcome
Smith, 2019\t58/M\tSquamous cell carcinoma\tRight adrenal gland\tAmputation; cisplatin\tDied after 6 months
Jones, 2021\t71/F\t-\tLeft frontal scalp\tRadiotherapy\tAlive
\t64/M\tAdenocarcinoma\tNR\tNR\tUnknown
Brown, 2015\t-\tAdenocarcinoma\tLiver\tNot reported\tAlive

References

1. Smith AB, Clark CD. Adrenal metastasis of lung cancer. J Hand Surg. (2019) 12:1-5. doi: 10.1000/hand.2019.1
2. Jones EF, King GH. Scalp metastasis: a case report. Case Rep Oncol. (2021) 4:10-12. doi: 10.1000/cro.2021.2
"""


@pytest.fixture(scope="module")
def drafts(nlp):
    document = read_bytes(REPORT.encode(), "scalp.txt")
    return document, literature_records(document, "scalp.txt", "scalp", "10.1000/scalp.2024.9", ONTOLOGY)


def test_an_author_year_table_is_a_literature_table(drafts) -> None:
    document, _ = drafts
    assert [is_literature_table(t) for t in document.tables] == [True]


def test_each_cited_publication_is_a_record_with_its_reference_doi(drafts) -> None:
    _, records = drafts
    assert [r.report.doi for r in records[:2]] == ["10.1000/hand.2019.1", "10.1000/cro.2021.2"]
    assert records[0].report.year == 2019 and records[0].report.authors[:1] == ["Smith AB"]
    assert records[0].report.title == "Adrenal metastasis of lung cancer"
    source = records[0].sources["table2"]
    assert (source.file, source.doi, source.locator) == ("scalp.txt", "10.1000/scalp.2024.9", "Table 2")
    assert all(r.status == "machine-extracted" for r in records)


def test_a_row_without_author_or_year_is_the_next_patient_of_the_row_above(drafts) -> None:
    _, records = drafts
    jones = records[1]
    assert [p.index for p in jones.patients] == [1, 2]
    assert (jones.patients[1].age, jones.patients[1].sex) == (64, "male")


def test_a_row_citing_no_listed_reference_gets_a_placeholder_doi_and_a_note(drafts) -> None:
    _, records = drafts
    brown = records[2]
    assert brown.report.doi.startswith("10.0000/unknown.")
    assert brown.note and "no DOI in the reference list" in brown.note


def test_cells_become_facts_with_the_cell_as_evidence(drafts) -> None:
    document, records = drafts
    smith = records[0].patients[0]
    assert (smith.age, smith.sex) == (58, "male")
    primary = smith.lesion("primary")
    assert primary is not None and primary.histology == "squamous-cell-carcinoma"
    [adrenal] = [lesion for lesion in smith.lesions if lesion.kind == "metastasis"]
    assert (adrenal.site, adrenal.laterality, adrenal.primary) == ("adrenal-gland", "right", "primary")
    assert {i.type for i in smith.interventions} >= {"chemotherapy"}
    assert smith.outcome is not None and smith.outcome.vital_status == "dead"
    for lesion in smith.lesions:
        for e in lesion.evidence:
            assert document.text[e.start : e.end] == e.quote


def test_blank_cells_stay_absent(drafts) -> None:
    _, records = drafts
    second = records[1].patients[1]
    assert [lesion.kind for lesion in second.lesions] == ["primary"]
    assert second.interventions == []
    assert second.outcome is not None and second.outcome.vital_status == "unknown"
    brown = records[2].patients[0]
    assert brown.age is None and brown.sex is None and brown.interventions == []


def test_the_index_patient_is_not_among_the_rows(drafts) -> None:
    _, records = drafts
    ages = [p.age for r in records for p in r.patients]
    assert 66 not in ages
    assert all("pembrolizumab" not in str(r.model_dump()) for r in records)


def test_an_ihc_cell_gives_results_quoting_the_cell(nlp) -> None:
    text = (
        "Table 3 Reported cases.\n\nReference\tAge\tPrimary\tIHC\n[1]\t45\tBreast\tER (+), PR (-), HER2 3+\n\n"
        "References\n\n1. Lee K, Park J. A case. Case Rep. (2018) 2:3-4. doi: 10.1000/lee.2018\n"
    )
    document = read_bytes(text.encode(), "ihc.txt")
    [record] = literature_records(document, "ihc.txt", "ihc", None, ONTOLOGY)
    [specimen] = record.patients[0].specimens
    results = {r.marker: (r.status, r.score) for r in specimen.results}
    assert results == {
        "ER": ("positive", None),
        "PR": ("negative", None),
        "HER2": ("positive", "3+"),
    }  # HER2 3+ is positive (ASCO/CAP)
    for result in specimen.results:
        for e in result.evidence:
            assert document.text[e.start : e.end] == e.quote
    assert specimen.evidence[0].quote == "ER (+), PR (-), HER2 3+"
