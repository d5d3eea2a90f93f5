"""Attribution: each result goes to the specimen and lesion the text ties it to, and a result the
text ties to nothing is left unattributed for the curator, never filed on the primary by default.

One test per way a case report ties results to a lesion, on sentences written for the test.
"""

from __future__ import annotations

import pytest

from metkg.extract.specimens import UNSTATED_PROCEDURE
from metkg.records.models import Patient, Specimen
from metkg.records.summary import summarise

WOMAN = "A 58-year-old woman had invasive ductal carcinoma of the left breast. "


def _kind(patient: Patient, specimen: Specimen) -> str | None:
    """The kind of lesion a specimen is linked to (None: unattributed)."""
    lesion = patient.lesion(specimen.lesion) if specimen.lesion else None
    return lesion.kind if lesion else None


def _results(patient: Patient) -> dict[str, list[tuple[str, str | None]]]:
    """Per marker, (kind of the lesion its specimen samples or 'unattributed', status)."""
    out: dict[str, list[tuple[str, str | None]]] = {}
    for sp in patient.specimens:
        for r in sp.results:
            out.setdefault(r.marker, []).append((_kind(patient, sp) or "unattributed", r.status))
    return out


def test_biopsy_of_a_metastasis_goes_to_the_metastasis(extract) -> None:
    text = WOMAN + "Two years later CT showed liver metastases. Biopsy of the liver lesion showed ER negative cells."
    patient = extract(text).patients[0]
    assert _results(patient)["ER"] == [("metastasis", "negative")]
    [specimen] = [sp for sp in patient.specimens if sp.results]
    assert patient.lesion(specimen.lesion).site == "liver"  # type: ignore[union-attr]


def test_resection_of_the_primary_goes_to_the_primary(extract) -> None:
    text = WOMAN + "She underwent a mastectomy. The tumour was ER positive and HER2 negative."
    patient = extract(text).patients[0]
    assert _results(patient)["ER"] == [("primary", "positive")]
    assert _results(patient)["HER2"] == [("primary", "negative")]


@pytest.mark.parametrize(
    "metastasis",
    [
        "A mass in the right breast, which proved to be metastatic lobular carcinoma, was found.",
        "Later a metastasis to the contralateral breast was found.",
    ],
)
def test_the_primarys_operation_is_not_its_metastasis_in_the_other_breast(extract, metastasis: str) -> None:
    patient = extract(WOMAN + "She underwent mastectomy; the tumour was ER positive. " + metastasis).patients[0]
    mastectomy = next(sp for sp in patient.specimens if sp.procedure == "mastectomy")
    assert _kind(patient, mastectomy) == "primary"
    assert [x.kind for x in patient.lesions].count("metastasis") == 1


def test_a_sentence_glued_to_the_next_keeps_its_results_off_the_next_procedure(extract) -> None:
    text = WOMAN + "Her tumour was ER positive, Ki-67 30%.In May 2019, a liver biopsy showed metastatic carcinoma."
    assert _results(extract(text).patients[0])["ER"] == [("unattributed", "positive")]


def test_a_result_stated_on_a_lesion_without_a_procedure_belongs_to_that_lesion(extract) -> None:
    text = WOMAN + "Imaging found liver metastases. The liver lesion was HER2 positive."
    patient = extract(text).patients[0]
    assert _results(patient)["HER2"] == [("metastasis", "positive")]
    [specimen] = [sp for sp in patient.specimens if sp.results]
    assert specimen.procedure == UNSTATED_PROCEDURE and specimen.site == "liver"


def test_primary_and_metastasis_named_in_one_sentence_keep_their_own_results(extract) -> None:
    text = WOMAN + "The primary tumour was ER positive; however, the metastatic tumour was ER negative."
    patient = extract(text).patients[0]
    assert sorted(_results(patient)["ER"]) == [("metastasis", "negative"), ("primary", "positive")]


def test_a_lesion_named_after_the_value_takes_the_result(extract) -> None:
    text = WOMAN + "Eight years later a chest wall recurrence was excised. PR was negative in the recurrent tumour."
    patient = extract(text).patients[0]
    assert _results(patient)["PR"] == [("recurrence", "negative")]


@pytest.mark.parametrize(
    "sentence",
    [
        "GATA3 and ER were positive in the liver metastasis.",
        "ER was positive in the left hepatic lobe metastasis.",
        "No KRAS mutation was detected in the liver metastasis.",
    ],
)
def test_a_metastasis_named_with_its_site_after_the_value_takes_the_result(extract, sentence: str) -> None:
    text = WOMAN + "Two years later CT showed liver metastases. " + sentence
    results = _results(extract(text).patients[0])
    assert {kind for pairs in results.values() for kind, _ in pairs} == {"metastasis"}, results


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "ER was positive in the primary tumour but negative in the liver metastasis.",
            [("primary", "positive"), ("metastasis", "negative")],
        ),
        (
            "HER2 was negative in the primary tumour and positive in the liver metastasis.",
            [("primary", "negative"), ("metastasis", "positive")],
        ),
    ],
)
def test_a_verdict_for_each_of_two_lesions_in_turn(extract, sentence: str, expected: list) -> None:
    text = WOMAN + "Two years later CT showed liver metastases. " + sentence
    marker = sentence.split(maxsplit=1)[0]
    assert sorted(_results(extract(text).patients[0])[marker]) == sorted(expected)


def test_the_primary_cancer_a_result_qualifies_is_the_primary(extract) -> None:
    text = "A 49-year-old woman was diagnosed with HER2-positive carcinoma of the right breast."
    patient = extract(text).patients[0]
    assert _results(patient)["HER2"] == [("primary", "positive")]


def test_a_history_of_cancer_confirmed_by_results_is_the_primary(extract) -> None:
    text = (
        "A 66-year-old man had a history of lung adenocarcinoma, confirmed by histology showing TTF-1 positivity. "
        "He now presented with jaundice."
    )
    patient = extract(text).patients[0]
    assert _results(patient)["TTF-1"] == [("primary", "positive")]


def test_a_lesion_named_by_the_pathology_sentence_takes_the_next_results(extract) -> None:
    text = (
        WOMAN + "Three years later she had liver metastases. Pathological examination of the liver mass confirmed "
        "metastatic carcinoma. Immunohistochemistry showed CK7 positive and CK20 negative staining."
    )
    patient = extract(text).patients[0]
    assert _results(patient)["CK7"] == [("metastasis", "positive")]


def test_a_lesion_compared_with_is_not_the_one_described(extract) -> None:
    text = (
        WOMAN + "Lung metastases appeared. A wedge excision of the right lung was performed. The results were "
        "similar to those of the primary tumour (ER positive)."
    )
    patient = extract(text).patients[0]
    assert _results(patient)["ER"] == [("metastasis", "positive")]


def test_a_specimen_without_site_is_unattributed_not_the_primary(extract) -> None:
    text = WOMAN + "Bone metastases were found. A biopsy was performed. It showed CK7 positive cells."
    patient = extract(text).patients[0]
    [specimen] = [sp for sp in patient.specimens if sp.results]
    assert specimen.lesion is None
    assert specimen.note is not None and specimen.note.startswith("Unattributed")


def test_results_far_from_any_specimen_are_unattributed(extract) -> None:
    text = (
        WOMAN + "A core biopsy of the breast was performed. She received docetaxel. She had nausea. "
        "Her pain improved. She was discharged. Follow-up was arranged. One year later she felt well. "
        "Immunohistochemistry showed GATA3 positive staining."
    )
    patient = extract(text).patients[0]
    assert _results(patient)["GATA3"] == [("unattributed", "positive")]


def test_an_occult_primary_has_no_specimen_of_its_own(extract) -> None:
    text = (
        "A 71-year-old man had metastatic carcinoma of unknown primary origin. Excision of the left axillary "
        "lymph node showed metastatic carcinoma. It was CK7 positive and TTF-1 negative."
    )
    patient = extract(text).patients[0]
    assert all(kind != "primary" for kind, _ in _results(patient)["CK7"])


def test_a_second_primary_keeps_its_own_results(extract) -> None:
    text = (
        WOMAN + "The breast tumour was ER positive. A thyroidectomy was performed for a second primary thyroid tumour, "
        "which was TTF-1 positive."
    )
    patient = extract(text).patients[0]
    lesion_of = {sp.id: patient.lesion(sp.lesion) for sp in patient.specimens if sp.lesion}
    sites = {r.marker: lesion_of[sp.id].site for sp in patient.specimens for r in sp.results}  # type: ignore[union-attr]
    assert sites == {"ER": "breast", "TTF-1": "thyroid"}
    primaries = [x.site for x in patient.lesions if x.kind == "primary"]
    assert primaries == ["breast", "thyroid"]


def test_no_metastasis_is_no_anchor(extract) -> None:
    text = WOMAN + "There was no metastasis. The tumour was excised and was ER positive."
    patient = extract(text).patients[0]
    assert _results(patient)["ER"] == [("primary", "positive")]


def test_plural_biopsies_open_a_specimen_at_the_organ_their_finding_names(extract) -> None:
    text = (
        "A 61-year-old woman had vaginal bleeding. CT showed pulmonary nodules. Biopsies were taken, disclosing "
        "carcinoma of the cervix. The tumour cells were positive for CK7."
    )
    patient = extract(text).patients[0]
    [specimen] = [sp for sp in patient.specimens if sp.results]
    assert (specimen.procedure, specimen.site) == ("biopsy", "uterine-cervix")


@pytest.mark.parametrize(
    ("finding", "site"),
    [
        ("Biopsy confirmed a lung adenocarcinoma with PD-L1 expression of 30%.", "lung"),
        # the organ of the cancer's name is where it came from when another site is named after it
        ("Biopsy confirmed lung adenocarcinoma in the adrenal gland, PD-L1 30%.", None),
    ],
)
def test_a_biopsy_takes_the_organ_of_the_cancer_it_confirmed(extract, finding: str, site: str | None) -> None:
    text = "A 62-year-old man presented with cough and weight loss. " + finding
    patient = extract(text).patients[0]
    [specimen] = [sp for sp in patient.specimens if sp.results]
    assert (specimen.procedure, specimen.site) == ("biopsy", site)


def test_a_growth_from_which_a_biopsy_was_taken_is_the_specimens_site(extract) -> None:
    text = WOMAN + "Endoscopy revealed a gastric growth from which a biopsy was taken. It was positive for GATA3."
    [specimen] = [sp for sp in extract(text).patients[0].specimens if sp.results]
    assert (specimen.procedure, specimen.site) == ("biopsy", "stomach")


def test_a_procedure_named_for_a_disease_removes_its_own_organ(extract) -> None:
    text = (
        "A 70-year-old woman had colon cancer. Her history included appendectomy, hypertension and "
        "splenectomy for colonic metastases."
    )
    patient = extract(text).patients[0]
    assert [(x.kind, x.site) for x in patient.lesions if x.kind != "primary"] == [("metastasis", "spleen")]


def test_a_local_invasion_is_the_primary_tumour_in_the_summary(terminology) -> None:
    from metkg.records.models import BiomarkerResult, CaseRecord, Evidence, Lesion, Publication, Source
    from metkg.records.summary import summarise

    quote = [Evidence(quote="q")]
    lesions = [
        Lesion(id="primary", kind="primary", site="lung", evidence=quote),
        Lesion(id="rib-invasion", kind="local-invasion", site="rib", primary="primary", evidence=quote),
    ]
    result = BiomarkerResult(marker="TTF-1", status="positive", evidence=quote)
    specimen = Specimen(id="rib-biopsy", procedure="biopsy", lesion="rib-invasion", results=[result], evidence=quote)
    patient = Patient(index=1, evidence=quote, lesions=lesions, specimens=[specimen])
    record = CaseRecord(
        id="x", report=Publication(doi="10.9999/x"), sources={"main": Source(file="x.txt")}, patients=[patient]
    )
    assert [sp["from"] for sp in summarise(record, terminology)["specimens"]] == ["primary"]


def test_a_metastasis_named_by_the_primary_organ_is_no_lesion_there(extract, terminology) -> None:
    from metkg.records.summary import summarise

    text = WOMAN + "Three years later the breast metastasis was ER negative."
    record = extract(text)
    patient = record.patients[0]
    assert _results(patient)["ER"] == [("metastasis", "negative")]
    assert [(x.kind, x.site) for x in patient.lesions] == [("primary", "breast"), ("metastasis", None)]
    assert summarise(record, terminology)["metastases"] == []


def test_a_staged_diagnosis_the_result_qualifies_is_the_primary(extract) -> None:
    text = "A 41-year-old woman was diagnosed with ER-positive stage IIA (pT2N0M0) ductal carcinoma of the breast."
    assert _results(extract(text).patients[0])["ER"] == [("primary", "positive")]


def test_a_biopsy_performed_for_a_site_takes_that_site(extract) -> None:
    text = (
        WOMAN + "She later had enlarged cervical lymph node metastases. Biopsy was performed for the right cervical "
        "lymph node and showed HER2 positive cells."
    )
    patient = extract(text).patients[0]
    [specimen] = [sp for sp in patient.specimens if sp.results]
    assert specimen.site == "cervical-lymph-node"
    assert _results(patient)["HER2"] == [("metastasis", "positive")]


def test_excising_a_mass_is_not_the_earlier_procedure_at_another_site(extract) -> None:
    text = (
        "A 66-year-old woman had a hysterectomy for bleeding. She now had a vaginal mass. The mass was excised. "
        "Immunohistochemistry showed PAX8 positive cells."
    )
    patient = extract(text).patients[0]
    [specimen] = [sp for sp in patient.specimens if sp.results]
    assert (specimen.procedure, specimen.site) == ("excision", "vagina")


@pytest.mark.parametrize(
    ("cancer", "operation", "site"),
    [
        ("a caecal adenocarcinoma", "A right hemicolectomy was carried out.", "cecum"),
        ("an adenocarcinoma of the appendix", "She had an ileocecal resection.", "appendix"),
        ("a rectal adenocarcinoma", "A low anterior resection was done.", "rectum"),
        ("a rectal adenocarcinoma", "She had an abdominoperineal resection.", "rectum"),
        ("a pancreatic ductal adenocarcinoma", "She underwent a Whipple procedure.", "pancreas"),
        ("a pancreatic ductal adenocarcinoma", "She underwent pancreaticoduodenectomy.", "pancreas"),
    ],
    ids=[
        "hemicolectomy-of-a-cecal-cancer",
        "ileocecal-resection",
        "anterior-resection",
        "abdominoperineal",
        "whipple",
        "pancreaticoduodenectomy",
    ],
)
def test_an_operation_on_the_primarys_bowel_or_pancreas_is_the_primarys(
    extract, cancer: str, operation: str, site: str
) -> None:
    text = f"A 61-year-old woman had {cancer}. {operation} The tumour cells were positive for CK20."
    patient = extract(text).patients[0]
    assert _results(patient)["CK20"] == [("primary", "positive")]
    assert patient.lesion(patient.specimens[0].lesion).site == site  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "sentence",
    [
        "Both metastatic and primary tumour cells were positive for ER.",
        "The primary and metastatic tumours were both ER positive.",
    ],
    ids=["both-x-and-y", "x-and-y-nouns"],
)
def test_a_result_of_both_lesions_goes_to_each(extract, sentence: str) -> None:
    text = WOMAN + "Two years later she had liver metastases. " + sentence
    assert sorted(_results(extract(text).patients[0])["ER"]) == [("metastasis", "positive"), ("primary", "positive")]


def test_telling_primary_from_metastatic_lesions_apart_is_no_result_of_both(extract) -> None:
    text = WOMAN + "Distinguishing between primary and metastatic tumours was hard, although GATA3 was positive."
    assert _results(extract(text).patients[0])["GATA3"] == [("unattributed", "positive")]


def test_a_suspected_metastasis_is_no_anchor(extract) -> None:
    text = WOMAN + "She underwent a mastectomy. Bone scan was suggestive of possible bone metastasis; ER was positive."
    assert _results(extract(text).patients[0])["ER"] == [("primary", "positive")]


def test_a_procedure_not_done_opens_no_specimen(extract) -> None:
    text = WOMAN + "She had liver metastases. No biopsy was performed. The liver lesion was ER positive."
    patient = extract(text).patients[0]
    assert [sp.procedure for sp in patient.specimens] == [UNSTATED_PROCEDURE]


@pytest.mark.parametrize(
    ("verdict", "kind"),
    [
        ("The pathological diagnosis was primary gastric adenocarcinoma.", "primary"),
        ("The final diagnosis was metastatic adenocarcinoma.", "metastasis"),
        ("Histologic analysis revealed metastatic adenocarcinoma of pulmonary origin.", "metastasis"),
        ("Examination of the specimen showed no metastatic disease.", "unattributed"),
    ],
)
def test_the_pathologists_verdict_after_the_work_up_names_what_was_sampled(extract, verdict: str, kind: str) -> None:
    text = (
        "A 66-year-old man had epigastric pain. Endoscopy found an ulcerated mass in the gastric antrum and CT "
        "showed liver lesions. A biopsy was taken. Immunohistochemistry showed CK7 negative and CDX2 positive. "
        + verdict
    )
    patient = extract(text).patients[0]
    assert _results(patient)["CDX2"] == [(kind, "positive")]


def test_a_verdict_far_from_the_work_up_ties_nothing(extract) -> None:
    text = (
        "A 66-year-old man had epigastric pain. A biopsy was taken. Immunohistochemistry showed CDX2 positive. "
        "He recovered well. He was discharged. Months later he returned with jaundice. "
        "The final diagnosis was primary cholangiocarcinoma."
    )
    patient = extract(text).patients[0]
    assert _results(patient)["CDX2"] == [("unattributed", "positive")]


@pytest.mark.parametrize(
    "sentence",
    [
        "She was treated for metastatic triple negative breast cancer.",
        "The patient with bone-metastatic ER-positive breast carcinoma started letrozole.",
        "She had a recurrence of her ER-positive, HER2-negative breast cancer.",
    ],
)
def test_the_phenotype_of_an_organs_cancer_is_the_primarys_even_when_it_has_spread(extract, sentence: str) -> None:
    text = "A 51-year-old woman presented with headache. MRI showed a brain metastasis. " + sentence
    patient = extract(text).patients[0]
    assert _results(patient)["ER"] == [("primary", "positive" if "ER-positive" in sentence else "negative")]


def test_a_phenotype_followed_by_a_preposition_qualifies_no_cancer(extract) -> None:
    text = WOMAN + "CT showed liver metastases. A liver biopsy was taken. The cells were HER2 negative for carcinoma."
    patient = extract(text).patients[0]
    assert _results(patient)["HER2"] == [("metastasis", "negative")]


def test_metastases_describing_the_extent_of_disease_are_no_anchor_for_what_follows(extract) -> None:
    text = (
        "A 70-year-old man underwent gastrectomy for a gastric tumour. Histology showed adenocarcinoma "
        "with multiple hepatic metastases and microsatellite stable status. The tumour cells were CDX2 positive."
    )
    patient = extract(text).patients[0]
    assert _results(patient)["CDX2"] == [("primary", "positive")]
    assert [kind for kind, _ in _results(patient)["MSI"]] == ["primary"]


def test_the_pathologists_appearances_in_keeping_with_a_primary_name_what_was_sampled(extract) -> None:
    text = (
        "A 60-year-old woman had a pelvic mass and lung nodules. A biopsy was taken. "
        "Tumour cells expressed desmin and CD99. "
        "The histological appearances were in keeping with a primary uterine sarcoma."
    )
    assert _results(extract(text).patients[0])["desmin"] == [("primary", "positive")]


def test_a_report_on_the_resection_specimen_continues_that_specimen(extract) -> None:
    text = (
        "A 62-year-old woman had uterine leiomyosarcoma. She underwent a hysterectomy. "
        "Histology of the resection specimen showed a spindle cell tumour. Mitoses were frequent. "
        "Necrosis was extensive. The margins were clear. Atypia was marked. The stroma was oedematous. "
        "Tumour cells expressed desmin."
    )
    assert _results(extract(text).patients[0])["desmin"] == [("primary", "positive")]


def test_a_tumour_sampled_before_any_other_lesion_is_named_is_the_primary(extract) -> None:
    text = (
        "A 50-year-old woman had squamous cell carcinoma of the uterine cervix. A biopsy of an exophytic "
        "tumour was taken. Immunohistochemistry showed p16 positive and HER2 3+. PET showed lung metastases."
    )
    patient = extract(text).patients[0]
    assert _results(patient)["p16"] == [("primary", "positive")]


def test_a_new_tumour_sampled_is_not_taken_for_the_primary(extract) -> None:
    text = (
        "A 50-year-old woman had squamous cell carcinoma of the uterine cervix. Years later a biopsy of a new "
        "tumour was taken. Immunohistochemistry showed p16 positive."
    )
    patient = extract(text).patients[0]
    assert _results(patient)["p16"] == [("unattributed", "positive")]


def test_the_summary_gives_a_proliferation_index_its_number_and_no_status(extract, terminology) -> None:
    text = WOMAN + "She underwent a mastectomy. The tumour was positive for ER, Ki-67 and GATA3."
    flat = summarise(extract(text), terminology)
    [ki67] = [m for sp in flat["specimens"] for m in sp["markers"] if m["marker"] == "Ki-67"]
    assert ki67["status"] is None


def test_variants_found_in_a_lesion_named_after_them_belong_to_it(extract) -> None:
    text = (
        "A 61-year-old man had rectal adenocarcinoma and later a skin metastasis. Sequencing was done. "
        "Pathogenic variants in the KRAS and SMAD4 genes were found in the primary tumour."
    )
    patient = extract(text).patients[0]
    assert [kind for kind, _ in _results(patient)["KRAS"]] == ["primary"]


def test_the_tissue_dna_was_extracted_from_takes_the_next_molecular_results(extract) -> None:
    text = (
        "A 61-year-old man had rectal adenocarcinoma and later liver metastases. "
        "Genomic DNA was extracted from the liver tissue. A KRAS G12D mutation was detected."
    )
    patient = extract(text).patients[0]
    assert [kind for kind, _ in _results(patient)["KRAS"]] == ["metastasis"]


def test_imaging_findings_consistent_with_metastases_are_no_pathologists_verdict(extract) -> None:
    text = (
        "A 55-year-old woman underwent core biopsy of a left breast mass. Tumour cells were ER positive. "
        "Staging CT findings were consistent with metastatic disease in the liver."
    )
    assert _results(extract(text).patients[0])["ER"] != [("metastasis", "positive")]


@pytest.mark.parametrize(
    "sentence",
    [
        "She underwent a gastric biopsy. Histology showed a tumour with features of metastatic lobular carcinoma, "
        "ER positive.",
        "In 2019 she presented with liver metastases, which were ER positive on biopsy.",
    ],
)
def test_tissue_with_metastatic_carcinoma_is_a_metastasis_not_the_diseases_extent(extract, sentence: str) -> None:
    text = "A 60-year-old woman had lobular carcinoma of the left breast treated by mastectomy in 2012. " + sentence
    assert _results(extract(text).patients[0])["ER"] == [("metastasis", "positive")]


def test_a_lesion_compared_with_the_primary_cancer_keeps_its_own_result(extract) -> None:
    text = (
        WOMAN + "Years later a gastric biopsy was taken. The gastric lesion was ER positive, like her breast carcinoma."
    )
    assert _results(extract(text).patients[0])["ER"] != [("primary", "positive")]


def test_a_lesion_sampled_before_the_primary_is_named_is_not_the_primary(extract) -> None:
    text = (
        "A 66-year-old woman presented with hip pain. Biopsy of a lytic lesion revealed carcinoma, GATA3 positive. "
        "Mammography then showed a mass in the left breast, and invasive ductal carcinoma was diagnosed."
    )
    assert _results(extract(text).patients[0])["GATA3"] != [("primary", "positive")]


def test_levels_measured_in_the_blood_are_no_specimens_results(extract) -> None:
    text = (
        WOMAN + "Serum tumour markers CEA and CA 15-3 were negative. Laboratory tests were negative for CA19-9 "
        "(8 U/mL). The core biopsy of the breast tumour was positive for GATA3."
    )
    assert _results(extract(text).patients[0]) == {"GATA3": [("primary", "positive")]}


@pytest.mark.parametrize(
    "serology",
    [
        "The serologic workup was positive for EBV and CMV.",
        "The myositis panel was positive for MPO and PR3 antibodies.",
        "ANCA serology was positive with an MPO antibody titre of 107.",
    ],
)
def test_the_patients_antibodies_are_no_specimens_results(extract, serology: str) -> None:
    text = WOMAN + serology + " The core biopsy of the breast tumour was positive for GATA3."
    assert _results(extract(text).patients[0]) == {"GATA3": [("primary", "positive")]}


@pytest.mark.parametrize(
    "text",
    [
        "Hepatitis B serology was positive; the core biopsy of the breast tumour was positive for GATA3.",
        "The core biopsy of the breast tumour was positive for GATA3, and serology was negative for HIV.",
        "The antibody panel of the core biopsy of the breast tumour showed GATA3 positivity.",
        "HIV serology was negative and the core biopsy of the breast tumour was positive for GATA3.",
    ],
)
def test_a_stain_beside_serology_stays(extract, text: str) -> None:
    assert _results(extract(WOMAN + text).patients[0]) == {"GATA3": [("primary", "positive")]}


def test_what_a_kind_of_tumour_may_do_does_not_make_the_sample_metastatic(extract) -> None:
    text = (
        "A 35-year-old woman had a mass of the left labium. Several biopsies were taken from the mass. "
        "Histology of the biopsies confirmed verrucous carcinoma, a variant known for its low potential for metastasis."
    )
    assert [lesion.kind for lesion in extract(text).patients[0].lesions if lesion.kind != "primary"] == []


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        ("Work-up found no other tumour; the primary site remained unknown.", "metastasis"),
        ("A carcinoma of unknown primary was considered.", "unattributed"),  # only considered
        ("She had anaemia of unknown origin.", "unattributed"),  # no tumour's origin
    ],
)
def test_a_tumour_sampled_in_a_case_of_unknown_primary_is_a_metastasis(extract, statement: str, kind: str) -> None:
    text = (
        f"A 61-year-old woman presented with an axillary mass. {statement} The axillary mass was excised. "
        "Tumour cells were positive for CK20 and synaptophysin."
    )
    assert _results(extract(text).patients[0])["CK20"] == [(kind, "positive")]


def test_a_sample_of_a_site_both_invaded_and_metastatic_is_the_metastasis(extract) -> None:
    text = (
        "A 60-year-old man had angiosarcoma of the spleen. The tumour infiltrated the bone marrow. A bone marrow "
        "biopsy was performed. The cells were positive for CD31. PET showed bone marrow metastases."
    )
    assert _results(extract(text).patients[0])["CD31"] == [("metastasis", "positive")]


def test_the_primarys_cancer_sampled_where_it_spread_is_no_second_primary(extract) -> None:
    text = WOMAN + "CT showed liver metastases. Biopsy of the liver showed primary breast carcinoma, GATA3 positive."
    patient = extract(text).patients[0]
    lesions = [(lesion.kind, lesion.site) for lesion in patient.lesions]
    assert lesions == [("primary", "breast"), ("metastasis", "liver")]
    assert _results(patient)["GATA3"] == [("metastasis", "positive")]


def test_the_primary_found_in_a_case_of_unknown_primary_is_not_a_metastasis(extract) -> None:
    text = (
        "A 60-year-old man presented with a neck mass. Biopsy of a cervical lymph node showed squamous cell "
        "carcinoma of unknown primary. Tonsillectomy showed a 5 mm carcinoma in the right tonsil, positive for p16."
    )
    assert _results(extract(text).patients[0])["p16"] == [("unattributed", "positive")]


def test_a_second_primary_at_a_site_of_metastases_stays_a_primary(extract) -> None:
    text = (
        "A 60-year-old man had rectal adenocarcinoma resected in 2014. Lung metastases were resected in 2017. "
        "In 2020, wedge resection of a new right upper lobe nodule showed a primary lung adenocarcinoma. "
        "The tumour cells were positive for TTF-1 and negative for CDX2."
    )
    assert _results(extract(text).patients[0])["TTF-1"] == [("primary", "positive")]


def test_a_tissue_result_beside_a_serum_level_is_kept(extract) -> None:
    text = WOMAN + "The tumour was positive for GATA3 and CEA, and serum CEA was 12 ng/mL."
    assert _results(extract(text).patients[0])["GATA3"] == [("unattributed", "positive")]


_DESCRIPTION = (
    "Under the microscope, the tumour cells formed solid nests. The tumour cells had large nuclei and prominent "
    "nucleoli. Mitotic figures were numerous. There was no vascular invasion. The margins were clear. "
    "Areas of necrosis were seen. Atypical cells with clear cytoplasm were scattered at the edge. "
)


def test_results_after_a_long_microscopic_description_stay_with_its_specimen(extract) -> None:
    text = (
        "A 70-year-old man had a mass of the left kidney. Radical nephrectomy was performed. "
        "Histological examination of the resected kidney showed a carcinoma. " + _DESCRIPTION + "The tumour cells "
        "were positive for PAX8 and CD10."
    )
    assert _results(extract(text).patients[0])["PAX8"] == [("primary", "positive")]


def test_a_description_after_turning_to_another_organ_belongs_to_no_earlier_specimen(extract) -> None:
    text = (
        WOMAN + "A core biopsy of the breast tumour showed invasive carcinoma, ER positive. A cystic mass of the "
        "ovary was also removed. The pathology of the ovary showed a benign-looking cyst wall. "
        + _DESCRIPTION
        + "The cells were positive for calretinin."
    )
    assert _results(extract(text).patients[0])["calretinin"] == [("unattributed", "positive")]


def test_the_resected_specimen_is_the_resection_not_the_biopsy_before_it(extract) -> None:
    text = (
        "A 66-year-old woman had a tumour of the skin of the back. A biopsy showed carcinoma in situ, and "
        "resection of the tumour was performed. Histological study of the resected specimen showed an "
        "invasive carcinoma, positive for EMA and CK7."
    )
    patient = extract(text).patients[0]
    [specimen] = [sp for sp in patient.specimens if sp.results]
    assert specimen.procedure == "resection"


def test_a_soft_tissue_mass_within_an_organ_is_sampled_at_the_organ(extract) -> None:
    text = (
        "A 45-year-old man had a painless swelling of the cheek. MRI showed an enhancing soft tissue mass within "
        "the left parotid gland. A biopsy was obtained. The tumour cells were positive for SOX10 and S100."
    )
    [specimen] = [sp for sp in extract(text).patients[0].specimens if sp.results]
    assert specimen.site == "parotid-gland"


def test_a_procedure_named_alone_takes_the_only_tumour_spoken_of(extract) -> None:
    text = (
        "A 52-year-old woman had a leiomyosarcoma of the uterus. Surgical excision was performed. "
        "The tumour cells were positive for desmin and negative for CD117."
    )
    assert _results(extract(text).patients[0])["desmin"] == [("primary", "positive")]


def test_a_gross_description_of_the_same_organ_keeps_the_report_open(extract) -> None:
    text = (
        "A 47-year-old woman had a pheochromocytoma of the left adrenal gland. Surgical excision was performed. "
        "Gross examination showed a solid adrenal mass of 5 cm. The cut surface was tan with haemorrhage. "
        "The capsule was intact. " + _DESCRIPTION + "The tumour cells were positive for synaptophysin."
    )
    assert _results(extract(text).patients[0])["synaptophysin"] == [("primary", "positive")]


def test_a_procedure_done_to_obtain_tissue_from_a_site_samples_that_site(extract) -> None:
    text = (
        WOMAN + "CT showed a mass in the pancreas and an enlarged coeliac node. EUS-guided fine-needle aspiration "
        "was performed to obtain tissue from the coeliac lymph node. The cells were positive for GATA3."
    )
    [specimen] = [sp for sp in extract(text).patients[0].specimens if sp.results]
    assert specimen.site == "celiac-lymph-node"


@pytest.mark.parametrize(
    "statement",
    [
        # a procedure named alone after a recurrence or a node takes no primary
        "Two years later a recurrence was found. Excision was performed. The cells were ER negative.",
        "CT showed an enlarged axillary lymph node. Excision was performed. The cells were ER negative.",
    ],
)
def test_what_the_primarys_report_does_not_take(extract, statement: str) -> None:
    assert _results(extract(WOMAN + statement).patients[0])["ER"] == [("unattributed", "negative")]


def test_a_later_sample_of_tumour_cells_closes_the_resections_report(extract) -> None:
    # tumour cells in the pleural fluid are the pleura's metastasis, and the cells' results are its own
    statement = (
        "She underwent mastectomy. In 2020, cytology of the pleural fluid showed tumour cells with large nuclei. "
        "The cells were ER negative."
    )
    assert _results(extract(WOMAN + statement).patients[0])["ER"] == [("metastasis", "negative")]


@pytest.mark.parametrize(
    ("text", "site"),
    [
        # a positive stain after a node said to hold no tumour is the excised lesion's
        (
            "A 34-year-old man had a nodule on his scalp. An excisional biopsy showed a melanocytic tumour. "
            "Sentinel lymph node biopsy was negative for malignancy. Melan-A and HMB-45 were diffusely positive.",
            "scalp",
        ),
        # ... but a node's own negative stains, and a specimen whose margins alone are clear, keep theirs
        (
            "A 34-year-old man had a nodule on his scalp. An excisional biopsy showed a melanocytic tumour. "
            "Sentinel lymph node biopsy was negative for malignancy. The node was negative for HMB-45.",
            "lymph-node",
        ),
        (
            "A 34-year-old man had a nodule on his scalp. The lymph node was excised with margins free of tumour. "
            "HMB-45 was positive.",
            "lymph-node",
        ),
        # a sentence that speaks of the clear node, another disease ruled out, another tumour found
        (
            "A 34-year-old man had a nodule on his scalp. An excisional biopsy showed a melanocytic tumour. "
            "Sentinel lymph node biopsy was negative for metastasis. In the node, cytokeratin was positive.",
            "lymph-node",
        ),
        (
            "A 50-year-old man had a thyroidectomy. Biopsy of the duodenal mass was negative for coeliac disease. "
            "The tumour cells were positive for synaptophysin.",
            "duodenum",
        ),
        (
            "A 50-year-old man had a melanoma of the scalp excised. Biopsy of the lung nodule showed no evidence of "
            "metastatic melanoma; instead, it showed adenocarcinoma. TTF-1 was positive.",
            "lung",
        ),
    ],
)
def test_a_specimen_said_to_hold_no_tumour_takes_no_positive_result(extract, text: str, site: str) -> None:
    [specimen] = [sp for sp in extract(text).patients[0].specimens if sp.results]
    assert specimen.site == site
