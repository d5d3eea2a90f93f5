"""Drugs as case reports name them: agents, brand names, misspellings, regimens; one test per phrasing."""

from __future__ import annotations

import pytest

from metkg.extract.drugs import DrugSpeller, drug_class, find_regimens
from metkg.records.summary import summarise


def _drugs(record) -> list[list[str]]:
    return [[d.drug for d in i.drugs] for i in record.patients[0].interventions if i.drugs]


def _all_drugs(record) -> list[str]:
    return sorted(d.drug for i in record.patients[0].interventions for d in i.drugs)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("She was treated with osimertinib 80 mg daily.", ["osimertinib"]),
        ("He received nivolumab plus ipilimumab.", ["nivolumab", "ipilimumab"]),
        ("Palbociclib was added to letrozole.", ["palbociclib", "letrozole"]),
        ("She was given denosumab every four weeks.", ["denosumab"]),
        ("Enfortumab vedotin was started.", ["enfortumab-vedotin"]),
        ("Dexamethasone 4 mg was given for the oedema.", ["dexamethasone"]),
        ("She had repeated therapy with radioactive iodine.", ["iodine-131"]),
        ("He received four cycles of GemCis chemotherapy.", ["gemcitabine", "cisplatin"]),
    ],
)
def test_named_agents_of_current_oncology(extract, sentence: str, expected: list[str]) -> None:
    record = extract(f"A 60-year-old woman had metastatic carcinoma. {sentence}")
    assert _all_drugs(record) == sorted(expected)


def test_a_brand_name_is_recorded_as_the_inn(extract) -> None:
    record = extract("A 52-year-old man with kidney cancer was treated with Sutent and later with Opdivo.")
    assert _all_drugs(record) == ["nivolumab", "sunitinib"]


def test_a_misspelt_drug_is_the_drug_not_its_class_and_keeps_its_spelling(extract) -> None:
    record = extract("A 47-year-old woman received four cycles of pacitaxel and cisplatine.")
    [therapy] = [i for i in record.patients[0].interventions if i.drugs]
    assert [d.drug for d in therapy.drugs] == ["paclitaxel", "cisplatin"]
    assert therapy.description == "pacitaxel + cisplatine"


def test_the_speller_leaves_ordinary_words_and_other_drugs_alone() -> None:
    speller = DrugSpeller({"interferon": "interferon", "daunorubicin": "daunorubicin", "paclitaxel": "paclitaxel"})
    assert speller.find("the drug interfered with daptomycin levels; paclitaxel was given") == []
    assert speller.find("5-fluorourasil") == []  # not a name of this speller
    assert speller.correct("Paclitaxol") == "paclitaxel"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("She completed six cycles of FOLFOX.", ("fluorouracil", "leucovorin", "oxaliplatin")),
        ("Adjuvant chemotherapy with AC-T was given.", ("doxorubicin", "cyclophosphamide", "paclitaxel")),
        ("He was treated with R-CHOP.", ("rituximab", "cyclophosphamide", "doxorubicin", "vincristine", "prednisone")),
    ],
)
def test_regimen_acronyms_give_their_drugs(sentence: str, expected: tuple[str, ...]) -> None:
    assert [keys for *_, keys in find_regimens(sentence)] == [expected]


def test_an_acronym_without_a_treatment_word_is_no_regimen() -> None:
    assert find_regimens("Lung AC was confirmed by biopsy.") == []


def test_a_drug_class_alone_names_no_agent(extract) -> None:
    record = extract("A 58-year-old woman with breast cancer was resistant to platinum-based chemotherapy.")
    assert _drugs(record) == []


def test_a_drug_name_in_a_laboratory_test_is_no_treatment(extract) -> None:
    record = extract("A 33-year-old man had lung nodules. An interferon-gamma release assay was positive.")
    assert _drugs(record) == []


def test_usual_treatment_in_the_introduction_is_not_given_to_the_patient(extract) -> None:
    text = (
        "Introduction\nMetastatic melanoma is usually treated with pembrolizumab or nivolumab.\n\n"
        "Case presentation\nA 70-year-old man had a scalp melanoma. He was treated with dabrafenib and trametinib.\n"
    )
    assert _drugs(extract(text)) == [["dabrafenib", "trametinib"]]


@pytest.mark.parametrize("name", ["galcanezumab", "methylergonovine", "dihydrotestosterone", "emtricitabine"])
def test_a_stem_outside_cancer_gives_no_anticancer_class(name: str) -> None:
    assert drug_class(name) is None


@pytest.mark.parametrize(("name", "key"), [("sunitinib", "targeted-agent"), ("etirinotecan", "cytotoxic-agent")])
def test_a_stem_of_an_anticancer_class_gives_the_class(name: str, key: str) -> None:
    assert drug_class(name) == key


def test_immunosuppressants_and_other_biologics_are_other_drugs(extract) -> None:
    record = extract(
        "A 50-year-old man with Crohn disease and colon cancer was treated with infliximab and tacrolimus."
    )
    therapies = [(i.type, [d.drug for d in i.drugs]) for i in record.patients[0].interventions if i.drugs]
    assert therapies == [("other", ["infliximab", "tacrolimus"])]


def test_a_drug_named_in_a_hypothetical_clause_is_not_given(extract) -> None:
    text = "A 60-year-old woman had breast cancer. A PIK3CA mutation might cause resistance to everolimus."
    assert _drugs(extract(text)) == []


def test_the_mtor_pathway_is_no_drug(extract) -> None:
    text = "A 60-year-old woman had breast cancer. The mammalian target of rapamycin pathway was activated."
    assert _drugs(extract(text)) == []


def test_a_radiopharmaceutical_is_a_radiotherapy_with_its_agent(extract) -> None:
    record = extract("A 70-year-old man with prostate cancer and bone metastases received six cycles of radium-223.")
    therapies = [(i.type, [d.drug for d in i.drugs]) for i in record.patients[0].interventions if i.drugs]
    assert therapies == [("radiotherapy", ["radium-223"])]


def test_usual_practice_in_an_abstract_is_not_given_to_the_patient(extract) -> None:
    text = (
        "We report a 49-year-old woman with HER2-positive breast cancer and liver metastases. "
        "Trastuzumab is the standard treatment for HER2-positive disease. She received lapatinib and capecitabine."
    )
    assert _all_drugs(extract(text)) == ["capecitabine", "lapatinib"]


def test_a_brand_name_is_misspelt_only_capitalised(extract) -> None:
    text = "A 60-year-old woman had metastatic carcinoma. She entered a surveillance program."
    assert _all_drugs(extract(text)) == []


CASE = "A 60-year-old woman had metastatic breast cancer. "


def _given(record, terminology) -> list[str]:
    return sorted(d for i in summarise(record, terminology)["interventions"] for d in i["drugs"])


@pytest.mark.parametrize(
    "sentence",
    [
        "She was offered docetaxel, which she declined.",
        "She was offered chemotherapy with capecitabine but declined.",
        "She refused endocrine therapy with tamoxifen.",
        "She was scheduled to receive pembrolizumab but died before the first infusion.",
        "She was a candidate for nivolumab, but treatment was deferred.",
    ],
)
def test_a_drug_refused_or_never_begun_is_not_given(extract, terminology, sentence: str) -> None:
    record = extract(CASE + sentence)
    assert _all_drugs(record), "the draft keeps the drug, marked as declined or planned"
    assert _given(record, terminology) == []


@pytest.mark.parametrize(
    ("sentence", "given"),
    [
        ("She did not respond to nivolumab and was then given docetaxel.", ["docetaxel", "nivolumab"]),
        ("She showed no response to six cycles of pemetrexed.", ["pemetrexed"]),
        ("She could not receive cisplatin and was treated with carboplatin.", ["carboplatin"]),
        ("She received docetaxel as planned.", ["docetaxel"]),
        ("Her CEA declined after six cycles of capecitabine.", ["capecitabine"]),
        ("She refused surgery and was treated with letrozole.", ["letrozole"]),
        ("She refused further injections of fulvestrant after a year.", ["fulvestrant"]),
        ("She was not treated with docetaxel.", []),
    ],
)
def test_a_drug_given_is_given_whatever_else_the_sentence_denies(
    extract, terminology, sentence: str, given: list[str]
) -> None:
    assert _given(extract(CASE + sentence), terminology) == given
