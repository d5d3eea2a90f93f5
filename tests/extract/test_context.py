"""Negation, hypothetical clauses and passages about other patients."""

from __future__ import annotations

import pytest

from metkg.extract.context import about_other_patients, find_cues, hypothetical_spans, refers_to_patient
from metkg.extract.pipeline import annotate
from metkg.extract.report import read_report


@pytest.mark.parametrize(
    "sentence",
    [
        "In a large retrospective study of 4,020 patients, skin metastases were common (4).",
        "Tomasini et al. described a case of eyelid metastasis (20).",
        "Previous studies have reported two cases of DCIS with liver metastases (33, 34).",
        "Only about forty such cases have been reported in the literature.",
        "Two of the published patients had liver metastases [12].",
        "Her two sisters had breast cancer.",  # the family's history, not the patient's
        "Similar skin lesions were reported in three men.",
        "Her history was notable for an aunt with gastric cancer.",
        "Up to 90% of melanomas harbour BRAF mutations [3].",
        "Previous studies have shown that such metastases are infrequent.",
        "It differed from mucinous carcinoma, which typically expresses hormone receptors.",
        "A known association exists between MALT lymphoma and Helicobacter pylori in gastric involvement.",
        # what a cancer usually does, patients of the literature, a general statement cited
        "Gastric carcinoma usually metastasizes to the liver and peritoneum.",
        "The most frequent metastatic sites are the bones and the lungs.",
        "Three of the seven reported patients had adrenal metastases.",
        "Tumour cells may reach the lung through the caval veins, which explains the lung metastases [7].",
        "Trametinib has been found to be effective in patients with the BRAF V600 mutation [2, 6].",
        # a relative's history
        "Family history included breast cancer in her mother.",
        "Family history was notable for ovarian carcinoma.",
        "Metastatic colon cancer was diagnosed in his father.",
        # a patient of the literature named by the age
        "The 45-year-old woman in the series of Lee et al. had lung metastases.",
        "The 40-year-old man reported by Lee and colleagues was enrolled in a study of nivolumab.",
        # other authors' findings, without a name or a citation
        "Several authors reported that the tumour cells were positive for S100.",
        "Other investigators have described CD68 staining in these tumours.",
        "The authors have suggested that ALK fusions drive this tumour.",
        # a spouse's or a friend's illness
        "Her husband had metastatic melanoma.",
        "His late wife died of metastatic breast cancer.",
        # a review of the literature
        "We performed a review of the literature on orbital metastases.",
        "A systematic review found 40 such cases.",
    ],
)
def test_sentences_about_other_patients(sentence: str) -> None:
    assert about_other_patients(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "In this case, the patient received fulvestrant plus dalpiciclib.",
        "Imaging after treatment showed a partial response (PR) by RECIST 1.1 criteria (8).",
        "She received six cycles of docetaxel.",
        "Both tumour samples were reported as microsatellite stable.",  # a result, not the literature
        "The immunohistochemical study showed positivity for SMA.",  # this patient's tumour
        # a protocol cited for what was done, a family history that led to the diagnosis
        "Etoposide and dexamethasone were started according to the HLH-94 protocol [5].",
        "From her family history and further tests, a pancreatic insulinoma was diagnosed.",
        # a finding of the case beside a general remark or a citation; an eponym
        "In June 2019, CT showed liver metastases, the most common site of spread of colon cancer.",
        "PET-CT identified bone metastases in the spine [6].",
        "Biopsy showed metastatic adenocarcinoma, the picture of a Sister Mary Joseph nodule.",
        # the report's patient, named by the age, enrolled in a study
        "The 40-year-old male patient was enrolled in a study of anti-PD-1 therapy.",
        "A 16-year-old male with a rare immunodeficiency enrolled on a transplant trial for patients with it.",
        "The authors declare no conflict of interest.",  # no finding of anyone else
        "Bone marrow biopsy showed several groups of metastatic carcinoma cells.",
        "His wife noticed a firm nodule on his scalp.",  # the spouse only tells of the patient
        "She was diagnosed with breast cancer after her husband had found a lump in her left breast.",
        # a pathologist's review of this patient's slides or records
        "Pathology review confirmed metastatic lobular carcinoma of the breast.",
        "On review, the tumour was identical to the renal cell carcinoma resected earlier.",
        "Re-review of the slides showed metastatic carcinoma.",
        "Review of her records showed a mastectomy for lobular carcinoma in 2010.",
    ],
)
def test_sentences_about_this_patient(sentence: str) -> None:
    assert not about_other_patients(sentence)


def test_self_reference() -> None:
    assert refers_to_patient("Our patient carries a BRCA1 mutation.")
    assert not refers_to_patient("BRCA1 mutations are associated with genomic instability.")


@pytest.mark.parametrize(
    ("text", "hypothetical"),
    [
        ("Differential diagnoses included epidermoid cyst and lipoma", True),
        ("PET/CT findings were suggestive of bone marrow metastasis", True),
        ("It remained uncertain whether the brain parenchyma was invaded", True),
        ("The surgeons were highly concerned for lymphoma", True),
        ("She was concerned about bleeding despite bevacizumab", False),  # a worry, not a hedge
        ("The diagnostic hypotheses of infection and lung metastases were raised", True),
        ("Other tumours, including adenocarcinoma of the lung, should be excluded", True),
        ("Further staining was unable to distinguish between LCNEC and SCLC", True),
        ("The hypothesis of liver metastases was confirmed by biopsy", False),  # no longer a hypothesis
        # what one tumour can pass for is a general statement, not the patient's diagnosis
        ("Because a chromophobe carcinoma may histologically resemble an oncocytoma, stains were done", True),
        ("A sarcoma can mimic a haematoma on imaging", True),
        ("Adenocarcinoma could closely simulate a mesothelioma", True),
        ("The mass resembled the one resected in 2010", False),  # a description of the case
        ("The skin nodule may be excised under local anaesthesia", True),
        ("Fine-needle aspiration confirmed metastatic carcinoma", False),
        ("The dura mater was invaded", False),
    ],
)
def test_hypothetical_clauses(text: str, hypothetical: bool) -> None:
    assert bool(hypothetical_spans(text)) is hypothetical, text


def test_cues() -> None:
    cues = [(c.kind, c.text) for c in find_cues("scalp metastasis; infiltrating the skull; local recurrence")]
    assert cues == [("metastasis", "metastasis"), ("invasion", "infiltrating"), ("recurrence", "recurrence")]


def test_care_that_involved_a_procedure_is_no_lesion_cue() -> None:
    assert find_cues("The surgical intervention involved a partial cystectomy.") == []
    assert [c.text for c in find_cues("The tumour involved the bladder wall.")] == ["involved"]


@pytest.mark.parametrize(
    ("text", "cues"),
    [
        ("Chest CT showed bilateral pulmonary infiltrates.", []),
        ("The tumour infiltrates the deep dermis.", ["infiltrates"]),
        ("Ultrasound showed fatty infiltration of the liver.", []),
        ("Biopsy showed tumour infiltration of the liver.", ["infiltration"]),
        ("He had a penetrating wound of the neck.", []),
        ("The tumour penetrated the dura.", ["penetrated"]),
        ("The drug has good CNS penetration.", []),
        ("Flexion and extension of the knee were painful.", []),
        ("An extended resection of the chest wall was done.", []),
        ("The mass extended into the orbit.", ["extended"]),
        ("Liver metastases and fatty infiltration were seen.", ["metastases"]),
        ("The 21-gene breast recurrence score was 18.", []),
        ("Her relapse-free survival was five years.", []),
        ("She relapsed in the liver.", ["relapsed"]),
        # what comes back may be a finding, not a tumour, a few words on
        ("There was a relapse of a small amount of right pleural effusion.", []),
        ("There was a relapse of malignant right pleural effusion.", ["relapse"]),
        ("There was a relapse of disease in the pleura with effusion.", ["relapse"]),
    ],
)
def test_words_that_say_something_else_are_no_lesion_cues(text: str, cues: list[str]) -> None:
    assert [c.text for c in find_cues(text)] == cues


def test_no_lesion_in_a_case_without_a_tumour(extract) -> None:
    text = (
        "A 34-year-old woman with systemic lupus erythematosus had renal involvement. "
        "An abscess extended into the neck."
    )
    assert extract(text).patients[0].lesions == []


def test_negation_on_the_pipeline(nlp) -> None:
    doc = annotate(nlp, "Chest CT showed no evidence of lung or liver metastases. The dura mater was invaded.")
    flags = {span.text: span._.negex for span in doc.spans["terms"]}
    assert flags["lung"] and flags["liver"]
    assert not flags["dura mater"]


def _primary_sites(record) -> list[str | None]:
    return [x.site for x in record.patients[0].lesions if x.kind == "primary"]


def test_nothing_comes_from_a_title_alone(extract) -> None:
    text = (
        "Brain metastasis of a pancreatic adenocarcinoma: a case report\n\n"
        "Case presentation\nA 61-year-old man presented with headache and a cerebellar mass.\n"
    )
    record = extract(text)
    assert _primary_sites(record) == []
    assert [x.site for x in record.patients[0].lesions] == []


@pytest.mark.parametrize(
    ("text", "histology"),
    [
        # the verdict after a doubt is stated; the doubted diagnosis stays doubted
        (
            "A 60-year-old man had a rectal mass. Stains were negative for CD31, which ruled out vascular lesions "
            "and adenocarcinoma was finally diagnosed as malignant melanoma.",
            "melanoma",
        ),
        (
            "A 60-year-old man had a rectal mass. Adenocarcinoma was ruled out, and the mass was diagnosed as "
            "melanoma.",
            "melanoma",
        ),
        ("A 60-year-old man had a rectal mass. Adenocarcinoma was not diagnosed.", None),
        # a tentative verdict is still a doubt
        (
            "A 60-year-old man had a rectal mass. Adenocarcinoma was ruled out and the mass was provisionally "
            "diagnosed as melanoma.",
            None,
        ),
        (
            "A 60-year-old man had a rectal mass. Adenocarcinoma was ruled out and the mass was histologically "
            "diagnosed as melanoma.",
            "melanoma",
        ),
        # a doubt of another kind is not ended by a diagnosis inside it
        ("A 60-year-old man had a mass. It was unclear whether he was diagnosed with melanoma before.", None),
        (
            "A 60-year-old man had a mediastinal mass that may resemble a thymoma, and histology was consistent with "
            "diffuse large B-cell lymphoma.",
            "diffuse-large-b-cell-lymphoma",
        ),
        # what one tumour may resemble: its subject and its objects, not the finding after
        (
            "A 60-year-old man had a mediastinal mass that may resemble a thymoma, and biopsy showed diffuse large "
            "B-cell lymphoma.",
            "diffuse-large-b-cell-lymphoma",
        ),
        (
            "A 60-year-old man had a tongue mass. Such lesions can mimic squamous cell carcinoma, melanoma and "
            "granulomas.",
            None,
        ),
        (
            "A 60-year-old woman had invasive lobular carcinoma that may resemble lymphoma.",
            "invasive-lobular-carcinoma",
        ),
    ],
)
def test_a_verdict_after_a_doubt_is_stated(extract, text: str, histology: str | None) -> None:
    primary = extract(text).patients[0].lesion("primary")
    assert (primary.histology if primary else None) == histology


@pytest.mark.parametrize(
    "revised",
    [
        "a lung mass initially thought to be a primary lung cancer; biopsy showed metastatic renal cell carcinoma.",
        "a lung mass clinically diagnosed as lung cancer, but biopsy showed metastatic renal cell carcinoma.",
        "a lung mass that was thought to represent lung cancer; biopsy showed metastatic renal cell carcinoma.",
    ],
)
def test_a_first_reading_the_case_revises_is_no_primary(extract, revised: str) -> None:
    primary = extract("Case report\n\nA 62-year-old man had " + revised).patients[0].lesion("primary")
    assert primary is not None and (primary.site, primary.histology) == ("kidney", "renal-cell-carcinoma")


@pytest.mark.parametrize(
    ("text", "histology"),
    [
        # what the tumour is set apart from is no diagnosis; the verdict after it is
        (
            "A 50-year-old woman had a breast mass. Triple-negative breast cancer was diagnosed, which was "
            "different from mucinous carcinoma.",
            "triple-negative-breast-carcinoma",
        ),
        (
            "A 50-year-old man had a lung mass. The tumour was distinct from squamous cell carcinoma and was "
            "diagnosed as adenocarcinoma.",
            "adenocarcinoma",
        ),
        # a mass "distinct from" an organ is where it lies, no diagnosis set apart
        (
            "A 60-year-old man had a cough. CT revealed a mass distinct from the kidney, and biopsy showed "
            "adrenocortical carcinoma.",
            "adrenocortical-carcinoma",
        ),
        # "unlikely" sets nothing apart
        (
            "A 60-year-old man had a lung mass. Infection was unlikely, and biopsy showed lung adenocarcinoma.",
            "lung-adenocarcinoma",
        ),
    ],
)
def test_what_a_tumour_is_set_apart_from_is_no_diagnosis(extract, text: str, histology: str) -> None:
    assert extract(text).patients[0].lesion("primary").histology == histology  # type: ignore[union-attr]


def test_what_a_kind_of_tumour_typically_expresses_is_no_result_of_this_one(extract) -> None:
    text = (
        "A 50-year-old woman had a breast mass. Biopsy showed carcinoma (ER-negative, PR-negative) with strong "
        "p53 expression, which was different from mucinous carcinomas that typically express hormone receptors."
    )
    record = extract(text)
    results = [(r.marker, r.status) for sp in record.patients[0].specimens for r in sp.results]
    assert results == [("ER", "negative"), ("PR", "negative"), ("p53", "positive")]


def test_a_stated_origin_names_the_primary(extract) -> None:
    text = "A 54-year-old woman had a vaginal carcinoma. Pathology confirmed the renal origin of the tumour."
    assert _primary_sites(extract(text)) == ["kidney"]


def test_general_statements_of_the_discussion_are_not_the_patients(extract) -> None:
    text = (
        "Case presentation\nA 66-year-old man had lung adenocarcinoma with brain metastases.\n\n"
        "Discussion\nLung adenocarcinoma commonly spreads to the adrenal glands and the liver.\n"
    )
    lesions = extract(text).patients[0].lesions
    assert sorted(x.site for x in lesions if x.kind == "metastasis") == ["brain"]


def test_an_age_when_something_began_is_not_the_patients_age(extract) -> None:
    text = "She has had hypertension since she was 40 years old. A 63-year-old woman presented with a breast mass."
    assert extract(text).patients[0].age == 63


@pytest.mark.parametrize(("lead", "sex"), [("Mrs X, 58, was treated", "female"), ("Mr. A was treated", "male")])
def test_a_title_of_address_gives_the_sex(extract, lead: str, sex: str) -> None:
    assert extract("Case report\n\n" + lead + " for breast cancer.").patients[0].sex == sex


def test_the_depth_a_tumour_invades_is_no_site(extract) -> None:
    text = "Case report\n\nA 70-year-old man had muscle-invasive bladder cancer."
    assert [x.site for x in extract(text).patients[0].lesions] == ["bladder"]


@pytest.mark.parametrize("lead", ["A 61 y/o man", "Male, 61 y/o,", "A 61yo male"])
def test_the_clinicians_shorthand_gives_the_age(extract, lead: str) -> None:
    patient = extract("Case report\n\n" + lead + " presented with lung cancer.").patients[0]
    assert (patient.age, patient.sex) == (61, "male")


def test_two_pronouns_and_none_of_the_other_sex_give_the_sex(extract) -> None:
    text = "The patient had breast cancer with liver metastases. She received paclitaxel and her disease was stable."
    assert extract(text).patients[0].sex == "female"


def test_a_title_line_before_the_patient_is_introduced_gives_no_lesion(extract) -> None:
    text = (
        "Adrenal metastasis of a lung adenocarcinoma in a 60-year-old man: a case report\n\n"
        "A 60-year-old man presented with cough. Biopsy of a lung mass confirmed adenocarcinoma.\n"
    )
    lesions = extract(text).patients[0].lesions
    assert [x.site for x in lesions if x.kind == "metastasis"] == []


@pytest.mark.parametrize(
    ("text", "hedged"),
    [
        # an aside of what was expected ends at its comma; what follows is stated
        (
            "Contrary to expectations of ovarian origin, the tumour was attached to the uterus.",
            "Contrary to expectations of ovarian origin",
        ),
        ("The tumour, contrary to the CT findings, invaded the liver.", "contrary to the CT findings"),
    ],
)
def test_an_aside_that_contradicts_is_hedged_up_to_its_comma(text: str, hedged: str) -> None:
    assert [text[s:e] for s, e in hypothetical_spans(text)] == [hedged]


@pytest.mark.parametrize(
    ("text", "hedged"),
    [
        # what a test looked for is no finding; what it found is
        ("Evaluation for multiple myeloma was negative.", "Evaluation for multiple myeloma was negative."),
        ("Work-up for metastases revealed liver lesions.", "Work-up for metastases "),
        # a subject denied by the clause after it
        (
            "Lymphoma and leukaemia, which were absent in this patient, cause such changes.",
            "Lymphoma and leukaemia, which were absent",
        ),
        ("Bone lesions, which were not seen on MRI, were noted.", "Bone lesions, which were not seen"),
    ],
)
def test_what_a_test_looked_for_is_hedged_up_to_what_it_found(text: str, hedged: str) -> None:
    assert [text[s:e] for s, e in hypothetical_spans(text)] == [hedged]


# A title without a full stop, then an unlabelled abstract (a long paragraph of the front matter).
_TITLED = (
    "Cardiac deposit of an oral carcinoma: a case report\n"
    "A 61-year-old man with squamous cell carcinoma of the tongue had a mass in the right ventricle. "
    "Echocardiography showed a mobile mass attached to the free wall. It grew during the following weeks "
    "despite anticoagulation, and imaging found no other cause. The mass was treated with radiotherapy and "
    "shrank. We describe the course and the choices made.\n\n"
    "Introduction\n\nCardiac deposits of oral cancers are rare.\n\n"
    "Case presentation\n\n"
    "A 61-year-old smoker presented with a painful ulcer of the tongue. Biopsy showed squamous cell carcinoma.\n"
)


@pytest.mark.parametrize("lead", ["A case was reported by Lee et al.", "Such cases were reviewed by Lee et al. [4]."])
def test_the_sentence_after_et_al_is_read_on_its_own(extract, lead: str) -> None:
    case = " Here, we report a 48-year-old woman with lobular carcinoma of the breast."
    text = "Orbital metastasis\n\n" + lead + case
    patient = extract(text).patients[0]
    assert (patient.age, patient.sex) == (48, "female")
    assert [x.site for x in patient.lesions if x.kind == "primary"] == ["breast"]


def test_the_cited_case_after_et_al_stays_with_the_literature(extract) -> None:
    text = "Gastric metastasis\n\nA 58-year-old woman had lobular carcinoma of the breast. "
    text += "A similar case was reported by Lee et al. He had splenic metastases."
    assert [x.site for x in extract(text).patients[0].lesions if x.kind == "metastasis"] == []


def test_the_abstract_sentence_after_a_title_without_a_full_stop_is_read(extract) -> None:
    patient = extract(_TITLED).patients[0]
    assert (patient.age, patient.sex) == (61, "male")


def test_a_definition_opening_an_abstract_is_no_fact_of_the_patient(ontology_dir) -> None:
    text = _TITLED.replace(
        "A 61-year-old man with", "Teratomas are germ cell tumours of three layers. A 61-year-old man with"
    ).replace("Cardiac deposit", "Case report: cardiac deposit")
    report = read_report(text, "titled.txt", ontology_dir)
    summary = [s.text for s in report.summary_sentences()]
    assert summary and not any(s.startswith("Teratomas") for s in summary)


def test_a_titles_second_line_stays_with_the_title(extract) -> None:
    text = (
        "Metastatic Renal Cell Carcinoma\nPresenting As A Primary Thyroid Carcinoma\n"
        "A 60-year-old man had a thyroid nodule. Fine-needle aspiration showed metastatic clear cell renal cell "
        "carcinoma. He had undergone a nephrectomy for renal cell carcinoma ten years earlier."
    )
    assert extract(text).patients[0].lesion("primary").site == "kidney"  # type: ignore[union-attr]
