"""Metastatic sites and the primary organ as case reports name them; one test per phrasing."""

from __future__ import annotations

import pytest

from metkg.extract.operations import implied_site
from metkg.extract.report import read_report
from metkg.extract.shortforms import spells
from metkg.records.summary import summarise
from metkg.settings import Settings

CASE = "A 64-year-old woman with invasive ductal carcinoma of the left breast. "


def _metastases(record) -> list[str]:
    return sorted(x.site for x in record.patients[0].lesions if x.kind == "metastasis")


def _primary_and_metastases(record) -> tuple[list[str | None], list[str]]:
    return [x.site for x in record.patients[0].lesions if x.kind == "primary"], _metastases(record)


def _distant(record, terminology) -> list[str]:
    return sorted(m["site"] for m in summarise(record, terminology)["metastases"])


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("CT showed metastatic deposits in the liver.", ["liver"]),
        ("MRI revealed multiple hepatic metastases.", ["liver"]),
        ("The disease had spread to the bones.", ["bone"]),
        ("Metastases were also found in the lungs and the sternum.", ["lung", "sternum"]),
        (
            "PET-CT showed lesions in the liver and both adrenal glands, consistent with metastases.",
            ["adrenal-gland", "liver"],
        ),
        ("Cytology of the cerebrospinal fluid confirmed leptomeningeal carcinomatosis.", ["leptomeninges"]),
        ("At laparoscopy she had peritoneal carcinomatosis.", ["peritoneum"]),
        ("Follow-up imaging showed new brain mets.", ["brain"]),
        ("A bone scan showed osseous metastases.", ["bone"]),
        ("A CT showed skeletal metastases.", ["bone"]),
        ("The chest CT revealed pleural and intrapulmonary metastasis.", ["lung", "pleura"]),
        ("MRI showed cerebral metastases.", ["brain"]),
        ("CT showed lung, liver, femur, as well as gastric metastases.", ["femur", "liver", "lung", "stomach"]),
        # the adenopathy is the change's, nodal disease implied, not a metastasis of the mediastinum
        (
            "CT showed pulmonary metastases, a decrease in the mediastinal adenopathy.",
            ["lung", "mediastinal-lymph-node"],
        ),
        ("A metastatic lesion was found in the right lower lobe.", ["lung"]),  # a lobe of a lung
        ("MRI showed a mass on the right lobe of the cerebellum, consistent with metastasis.", ["cerebellum"]),
        ("Laparoscopy revealed peritoneal dissemination.", ["peritoneum"]),
        ("CT showed metastatic lesions to anterior chest wall, liver, and lungs.", ["chest-wall", "liver", "lung"]),
        ("New metastases appeared in multiple sites (lungs, muscle, bones).", ["bone", "lung", "muscle"]),
        ("Two years later the disease progressed to the brain and the liver.", ["brain", "liver"]),
        ("MRI showed metastases in the sacral bone and the coccyx.", ["coccyx", "sacrum"]),
        ("MRI showed a metastasis in the femoral neck.", ["femur"]),
        ("A bone scan showed a metastasis in the left scapula.", ["scapula"]),
        ("MRI showed a metastasis in the right temporal lobe.", ["temporal-lobe"]),
        ("MRI showed metastases in the pons and the left thalamus.", ["brainstem", "thalamus"]),
        ("Echocardiography showed a metastasis in the right atrium.", ["cardiac-atrium"]),
        ("A pericardial metastasis was found at thoracoscopy.", ["pericardium"]),
        ("Laparotomy showed mesenteric metastases.", ["mesentery"]),
        ("A bone scan showed a metastasis in the proximal tibia.", ["tibia"]),
        # a site joined to the metastasis word by a hyphenated qualifier
        ("Given the pleural-based metastasis, the tumour was staged M1a.", ["pleura"]),
        ("She had bone-only metastatic disease.", ["bone"]),
        ("He had liver-predominant metastases.", ["liver"]),
        ("A pleural-based mass without metastases was seen.", []),
        # the preposition said again for the second site
        ("She had metastases in the liver and in the spleen.", ["liver", "spleen"]),
        ("She had metastases to the lungs as well as to the adrenal glands.", ["adrenal-gland", "lung"]),
        # a serosa's metastases as surgeons name them
        ("At laparotomy she had peritoneal seeding.", ["peritoneum"]),
        ("CT showed omental caking.", ["omentum"]),
        # a serous effusion's cytology
        ("Cytology of the ascitic fluid was positive for adenocarcinoma.", ["peritoneum"]),
        ("She had a pericardial effusion with malignant cells.", ["pericardium"]),
        ("Malignant cells were found in the cerebrospinal fluid.", ["leptomeninges"]),
        ("She had a malignant right pleural effusion.", ["pleura"]),
        # one finding named after its organ, then called metastatic
        ("CT showed a 3-cm right adrenal mass consistent with metastasis.", ["adrenal-gland"]),
        ("CT showed a splenic lesion, consistent with a metastasis.", ["spleen"]),
        ("CT showed lytic bone lesions and a splenic nodule, all consistent with metastases.", ["bone", "spleen"]),
        # a finding, then the verdict on it
        ("Histopathology of the thyroid nodule revealed metastatic carcinoma.", ["thyroid"]),
        ("She had a subcutaneous nodule on the back, which proved to be a metastasis.", ["subcutaneous-tissue"]),
        ("Colonoscopy revealed a mass in the transverse colon, which on biopsy was metastatic carcinoma.", ["colon"]),
        ("MRI showed a mass in the left cerebellar hemisphere; the resected lesion was a metastasis.", ["cerebellum"]),
        ("Endoscopy revealed a gastric ulcer; biopsies showed metastatic lobular carcinoma.", ["stomach"]),
        # the verdict names its own site: not the finding's
        ("CT showed a renal cyst and revealed metastatic disease in the lungs.", ["lung"]),
        ("Lesions in the pancreas were seen, which turned out to be metastatic carcinoma.", ["pancreas"]),
        ("A lesion of the left iliac bone, which was proven histologically to be a metastasis.", ["iliac-bone"]),
        # the verdict is on the last finding before it, tied to it by nothing but its own words
        ("CT showed a pancreatic mass and a lesion in the liver, which proved to be metastatic.", ["liver"]),
        ("Opacities in the left lung were due to pneumonia, and bone scan showed metastatic lesions.", ["bone"]),
        ("A mass in the left adrenal gland was found, and the patient was metastatic at diagnosis.", []),
        ("A thyroid nodule was found, and the cervical lymph nodes were metastatic.", ["cervical-lymph-node"]),
        ("Nodules in both lungs were found, but biopsy showed metastasis-free lung tissue.", [None]),
        ("A lesion in the spleen proved metastatic on biopsy.", ["spleen"]),
        ("A mass in the left ovary turned out to represent metastatic lobular carcinoma.", ["ovary"]),
        ("A lesion in the pancreas was found; histology showed metastatic carcinoma.", ["pancreas"]),
        ("A mass in the right kidney was found. It was confirmed to be a metastasis.", ["kidney"]),
        ("A pancreatic lesion was found. It proved to be a metastasis.", ["pancreas"]),
        ("A nodule in the thyroid was found. It was benign.", []),
        ("A lesion in the spleen was found. It proved to be a metastasis to the liver instead.", ["liver"]),
        ("A nodule in the lung and a lesion in the liver were found. It was confirmed to be a metastasis.", []),
        ("A nodule in the lung and a lesion in the liver were found. They proved to be metastases.", ["liver", "lung"]),
        ("An adrenal gland mass abutting the kidney was found, which proved to be a metastasis.", ["adrenal-gland"]),
        ("A lesion in the liver was found; histology showed no metastatic carcinoma.", []),
        # a biopsy between two masses, or after a mass of the history, samples neither: a metastasis
        # whose site the text does not tie
        ("A liver mass and a lung nodule were seen; biopsy showed metastatic carcinoma.", [None]),
        ("An adrenal mass and a lesion in the sacrum were found; histology showed metastatic carcinoma.", []),
        ("She had a history of a duodenal ulcer; fine needle aspiration showed metastatic carcinoma.", [None]),
    ],
)
def test_metastases_named_in_the_usual_ways(extract, sentence: str, expected: list[str]) -> None:
    assert _metastases(extract(CASE + sentence)) == expected


def test_a_parenthesis_does_not_end_a_list_of_sites(extract) -> None:
    text = CASE + "CT revealed metastases in the lymph nodes (hilar and mediastinal), brain, adrenal glands and bones."
    expected = ["adrenal-gland", "bone", "brain", "hilar-lymph-node", "mediastinal-lymph-node"]
    assert _metastases(extract(text)) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "All axillary lymph nodes were negative for malignancy.",
        "There was no evidence of metastasis on CT.",
        "The lymph nodes were free of metastatic carcinoma.",
        "A bone scan was performed to rule out bone metastases.",
        "Liver metastases were suspected but not confirmed.",
        "The differential diagnosis included lung metastasis.",
        "None of the 12 lymph nodes was involved.",
        "Lymph nodes were involved in 0/12.",
        "Metastatic workup, including CT of the chest and abdomen, was negative.",
        "CT showed involvement of the hepatic artery and the splenic vein.",  # an organ's vessels
        "The disease progressed to liver failure.",  # an organ's failing function
        "CT showed a splenic lesion consistent with metastasis or abscess.",  # one of two readings
        "CT showed a splenic lesion not consistent with metastasis.",
        "Pleural fluid cytology was negative for malignant cells.",
        "Pleural fluid cytology showed no adenocarcinoma.",
        "Non-malignant cells were seen in the pleural fluid.",
        "The retroperitoneal fluid showed adenocarcinoma cells.",
        "She had silicone breast implants.",
        "A pleural effusion with malignant cells defines stage M1a disease.",
        "CT showed a splenic lesion consistent with metastasis versus abscess.",
        "CT showed a splenic lesion consistent with metastasis; biopsy showed sarcoidosis.",
        "A splenic lesion, initially thought consistent with metastasis, proved to be a haemangioma.",
        "The pleural effusion showed no malignant cells.",
        "Biopsy of the liver nodule revealed no metastatic carcinoma.",
        "The adrenal nodule was not a metastasis.",
        "A liver lesion was biopsied to determine whether it was metastatic disease.",
        "Histopathology of the thyroid nodule revealed papillary carcinoma without metastatic disease.",
    ],
)
def test_negated_and_hypothetical_sites_are_no_metastases(extract, sentence: str) -> None:
    assert _metastases(extract(CASE + sentence)) == []


def test_a_hedge_that_looks_ahead_leaves_what_comes_before_it_stated(extract) -> None:
    text = CASE + "Restaging showed growth of the liver metastases, suggestive of pseudoprogression."
    assert _metastases(extract(text)) == ["liver"]


def test_a_negation_does_not_reach_past_a_confirming_clause(extract) -> None:
    text = CASE + "No melanoma was found at other sites, confirming the diagnosis with bone metastasis."
    assert _metastases(extract(text)) == ["bone"]


def test_regional_nodes_are_recorded_but_not_distant(extract, terminology) -> None:
    text = CASE + "She had axillary lymph node metastases and liver metastases."
    record = extract(text)
    assert _metastases(record) == ["axillary-lymph-node", "liver"]
    assert _distant(record, terminology) == ["liver"]


def test_the_nodes_of_a_region_are_a_nodal_station(extract) -> None:
    assert _metastases(extract(CASE + "Ultrasound showed left axillary metastatic lymph nodes.")) == [
        "axillary-lymph-node"
    ]


LUNG = "A 61-year-old man had adenocarcinoma of the right lung. "


@pytest.mark.parametrize(
    ("sentence", "distant"),
    [
        ("He had mediastinal lymph node metastases and no distant metastases.", []),
        ("He had mediastinal lymph node metastases; distant metastases were absent.", []),
        ("He had mediastinal lymph node metastases without distant spread.", []),
        ("He had distant lymph node metastases in the mediastinum.", ["mediastinal lymph node"]),
        ("He had mediastinal lymph node metastases but no other distant metastases.", ["mediastinal lymph node"]),
        ("Two years later he had a recurrence in the mediastinal lymph nodes.", []),
        ("Two years later he had a recurrence in the mediastinal lymph nodes and the liver.", ["liver"]),
    ],
)
def test_regional_nodes_are_not_distant_where_distant_disease_is_denied(
    extract, terminology, sentence: str, distant: list[str]
) -> None:
    assert _distant(extract(LUNG + sentence), terminology) == distant


def test_a_node_station_outside_the_primarys_region_is_distant(extract, terminology) -> None:
    text = "A 58-year-old man had gastric adenocarcinoma. PET-CT showed supraclavicular lymph node metastasis."
    assert _distant(extract(text), terminology) == ["supraclavicular lymph node"]


@pytest.mark.parametrize(
    ("text", "distant"),
    [
        # stations in front of the node noun, none of them a site word alone
        (
            CASE + "CT showed left neck, mediastinal and right hilar adenopathy consistent with metastases.",
            ["cervical lymph node", "hilar lymph node", "mediastinal lymph node"],
        ),
        # stations listed after the noun, with the region noun at the end
        (
            "A 49-year-old woman had squamous cell carcinoma of the uterine cervix. PET showed metastatic "
            "lymphadenopathy in the left supraclavicular, para-aortic and pelvic regions.",
            ["supraclavicular lymph node"],
        ),
        # "such as" a list of regions, one of which names no station
        (
            "A 49-year-old woman had squamous cell carcinoma of the uterine cervix. CT revealed lymph node "
            "metastases such as the abdominal cavity, the mediastinum and both groins.",
            ["inguinal lymph node", "mediastinal lymph node"],
        ),
        # the nodes first described by station, then called metastatic
        (
            "A 66-year-old woman had serous carcinoma of the ovary. PET revealed enlarged lymph nodes in the "
            "axillary, para-aortic and pelvic regions, indicating lymph node metastasis.",
            ["axillary lymph node"],
        ),
        # pelvic nodes are regional to the prostate; para-aortic nodes are not (M1a)
        (
            "A 71-year-old man had adenocarcinoma of the prostate with para-aortic and pelvic lymph node metastases.",
            ["retroperitoneal lymph node"],
        ),
        # the groin drains the vulva and the anus; the neck the pharynx
        ("A 66-year-old woman had a vulvar squamous cell carcinoma with inguinal lymph node metastases.", []),
        ("A 66-year-old man had a tonsillar carcinoma with cervical lymph node metastases.", []),
        # a lymphoma's nodes are its own, wherever they lie
        (
            "A 66-year-old man had Hodgkin lymphoma. CT showed metastases in the cervical and inguinal lymph nodes "
            "and the liver.",
            ["liver"],
        ),
        # the draining basin of a skin primary is regional wherever the node lies
        ("A 40-year-old man had melanoma of the skin of the thigh with inguinal lymph node metastases.", []),
        ("A 40-year-old man had melanoma of the skin of the thigh with iliac lymph node metastases.", []),
        # but the deep nodes of the chest and abdomen drain no skin
        (
            "A 40-year-old man had melanoma of the skin of the back with axillary and mediastinal lymph node "
            "metastases.",
            ["mediastinal lymph node"],
        ),
        # the nodes of the abdomen are named after the organ or vessel beside them
        (
            "A 61-year-old woman had invasive ductal carcinoma of the breast with peripancreatic and celiac "
            "lymph node metastases.",
            ["celiac lymph node", "peripancreatic lymph node"],
        ),
        ("A 61-year-old man had adenocarcinoma of the pancreas with peripancreatic lymph node metastases.", []),
        # a station after the node, with a possessive
        (
            "A 61-year-old man had adenocarcinoma of the lung. A metastatic lymph node in his groin was excised.",
            ["inguinal lymph node"],
        ),
        # the renal hilar and aortocaval nodes drain the kidney
        (
            "A 57-year-old man had clear cell renal cell carcinoma with metastases to the aortocaval and renal "
            "hilar lymph nodes.",
            [],
        ),
    ],
)
def test_node_stations_listed_around_one_node_noun(extract, terminology, text: str, distant: list[str]) -> None:
    assert _distant(extract(text), terminology) == distant


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("Imaging showed hepatic infiltration.", "metastasis"),  # no skin tumour grows into the liver
        ("The tumour infiltrated the subcutaneous fat.", "local-invasion"),
    ],
)
def test_a_skin_primary_reaches_no_organ_of_a_body_cavity(extract, sentence: str, kind: str) -> None:
    text = "A 59-year-old man had malignant melanoma of the skin of the back. " + sentence
    assert [x.kind for x in extract(text).patients[0].lesions if x.kind != "primary"] == [kind]


def test_a_primary_of_the_eye_reaches_no_organ_of_a_body_cavity(extract) -> None:
    text = (
        "A 66-year-old woman had a uveal melanoma of the right eye. Tumour cells were found infiltrating the pancreas."
    )
    assert [(x.kind, x.site) for x in extract(text).patients[0].lesions if x.kind != "primary"] == [
        ("metastasis", "pancreas")
    ]


@pytest.mark.parametrize(
    ("text", "organ"),
    [
        ("A 20-year-old woman was diagnosed with ovarian dysgerminoma.", "ovary"),
        ("A 30-year-old man had a mixed germ cell tumor of the testis.", "testis"),
        ("A 60-year-old woman had a melanoma in the left heel.", "skin"),  # a body region's melanoma
        # a fluid holds cells that came from somewhere else
        ("A 60-year-old man had a pleural effusion. Pleural fluid cytology revealed adenocarcinoma.", None),
        ("A 60-year-old man had lung adenocarcinoma. Pleural fluid cytology revealed adenocarcinoma.", "lung"),
    ],
)
def test_the_primary_organ(extract, text: str, organ: str | None) -> None:
    primaries = [x.site for x in extract(text).patients[0].lesions if x.kind == "primary"]
    assert (primaries[0] if primaries else None) == organ


def test_nodes_extending_into_an_organ_are_not_invaded(extract) -> None:
    text = CASE + "PET showed hilar lymphadenopathy with contiguous extension into the lung."
    assert [x.kind for x in extract(text).patients[0].lesions if x.site == "hilar-lymph-node"] == []


@pytest.mark.parametrize(
    ("finding", "lesions"),
    [
        ("squamous cell carcinoma, HER2 negative", [("metastasis", "supraclavicular-lymph-node")]),
        ("no carcinoma, HER2 negative", []),
        ("breast carcinoma in situ", []),  # a finding that names another organ is that organ's
    ],
)
def test_a_node_that_shows_carcinoma_is_a_node_metastasis(extract, finding: str, lesions: list) -> None:
    text = (
        "A 58-year-old woman had adenocarcinoma of the uterine cervix. A biopsy of the left supraclavicular "
        f"lymph node revealed {finding}."
    )
    patient = extract(text).patients[0]
    assert [(x.kind, x.site) for x in patient.lesions if x.kind != "primary"] == lesions
    assert [sp.lesion is not None for sp in patient.specimens] == [bool(lesions)]


@pytest.mark.parametrize(
    "finding",
    [
        "a thyroid mass was found; fine needle aspiration confirmed metastatic clear cell carcinoma.",
        "a thyroid nodule was detected, and a biopsy revealed metastatic carcinoma.",
        # the organ inside the diagnosis is where the tumour came from, not what was biopsied
        "he presented with a thyroid nodule. Biopsy of the nodule revealed metastatic renal cell carcinoma.",
    ],
)
def test_a_procedure_naming_no_site_samples_the_mass_just_described(extract, finding: str) -> None:
    text = f"A 65-year-old man had a nephrectomy for renal cell carcinoma. Five years later {finding}"
    assert _metastases(extract(text)) == ["thyroid"]


def test_a_primarys_sample_with_the_spread_of_its_disease_is_the_primarys(extract) -> None:
    text = "A 54-year-old man had a gastric biopsy showing signet ring cell carcinoma with bone marrow metastasis."
    primary, metastases = _primary_and_metastases(extract(text))
    assert (primary, metastases) == (["stomach"], ["bone-marrow"])


def test_a_mass_of_a_region_is_not_its_nodes(extract) -> None:
    text = (
        "A 66-year-old woman had serous carcinoma of the fallopian tube with pelvic lymph node metastases. "
        "A mass in the pelvic cavity was resected; it was PAX8 positive."
    )
    patient = extract(text).patients[0]
    kinds = {x.id: x.kind for x in patient.lesions}
    assert [kinds[sp.lesion] for sp in patient.specimens] == ["primary"]


def test_a_node_named_without_its_station_is_the_nodal_stage(extract, terminology) -> None:
    text = "A 58-year-old man had gastric adenocarcinoma with lymph node metastases."
    assert _distant(extract(text), terminology) == []


def test_a_deeper_site_is_taken_only_where_the_lesion_is_said_to_be(extract) -> None:
    text = (
        "A 62-year-old woman with rectal cancer developed metastases to the skin. "
        "Skin lesions later progressed to many flat pink dermal papules."
    )
    assert _metastases(extract(text)) == ["skin"]


@pytest.mark.parametrize(
    ("text", "organ"),
    [
        ("A 70-year-old woman with a history of breast cancer presented with back pain.", "breast"),
        ("A 55-year-old man was diagnosed with primary lung adenocarcinoma.", "lung"),
        ("A 45-year-old woman had carcinoma of the cervix.", "uterine-cervix"),
        ("A 45-year-old woman was treated for cervical squamous carcinoma.", "uterine-cervix"),
        ("A 66-year-old man had renal cell carcinoma with lung metastases.", "kidney"),
        ("A 58-year-old man had a duodenal tumor with liver metastases.", "duodenum"),
        ("A 39-year-old man had a melanoma of the back removed.", "skin"),
        # the head and neck of an organ are its parts, not the body's regions
        ("A 68-year-old man had a ductal adenocarcinoma of the pancreatic head and neck.", "pancreas"),
        ("A 68-year-old man had an adenocarcinoma in the head of the pancreas.", "pancreas"),
        # the embryonal tumours of childhood name their organ
        ("A 6-year-old boy was diagnosed with medulloblastoma.", "cerebellum"),
        ("A 3-year-old girl was diagnosed with a Wilms tumor.", "kidney"),
        # a histology that names its organ names the primary, metastatic or not
        ("A 61-year-old man was diagnosed with metastatic colorectal adenocarcinoma.", "large-intestine"),
        ("A 52-year-old woman had a parathyroid carcinoma.", "parathyroid-gland"),
        ("A 52-year-old woman with a raised parathyroid hormone had a breast carcinoma.", "breast"),
        ("A 40-year-old man had a urachal adenocarcinoma.", "urachus"),
        ("A 70-year-old man had an adenocarcinoma of the gastroesophageal junction.", "gastroesophageal-junction"),
        ("A 48-year-old woman had a leiomyosarcoma originating from the retroperitoneum.", "retroperitoneum"),
        # abbreviations of a histology that name its organ
        ("A 58-year-old man was treated for OSCC.", "oral-cavity"),
        ("An 81-year-old man had a cSCC removed.", "skin"),
        # the organ's sample, and what it showed
        ("A 54-year-old man. Gastric biopsy revealed poorly differentiated adenocarcinoma.", "stomach"),
        ("A 54-year-old man had a gastric biopsy that showed moderately differentiated carcinoma.", "stomach"),
        ("A 54-year-old man had a gastric biopsy showing signet ring cell carcinoma.", "stomach"),
        # an operation done for the tumour, whose histology names no organ
        ("A 70-year-old woman underwent hysterectomy for endometrioid adenocarcinoma.", "uterus"),
        ("A 48-year-old man underwent radical nephrectomy for clear cell carcinoma.", "kidney"),
        ("A 62-year-old man underwent right hemicolectomy for adenocarcinoma. Later a lung nodule was found.", "colon"),
        ("A 66-year-old woman underwent a right thyroid lobectomy for follicular carcinoma.", "thyroid"),
        ("A 58-year-old woman underwent hysterectomy and salpingo-oophorectomy for endometrioid carcinoma.", "uterus"),
        ("A 68-year-old man had cytoreductive nephrectomy for clear cell carcinoma with lung metastases.", "kidney"),
        ("A 61-year-old man had a left nephrectomy 8 years earlier for clear cell carcinoma.", "kidney"),
        ("A 70-year-old woman underwent hysterectomy in 2012 for endometrioid adenocarcinoma.", "uterus"),
        ("A 48-year-old man underwent nephrectomy due to clear cell carcinoma.", "kidney"),
        # a primary the text names later, not the organ an operation for its metastasis removed
        (
            "A 58-year-old woman had a hepatectomy for adenocarcinoma. Colonoscopy later showed the primary tumour in "
            "the sigmoid colon.",
            "colon",
        ),
    ],
)
def test_the_primary_organ_named_in_the_usual_ways(extract, text: str, organ: str) -> None:
    [primary] = [x for x in extract(text).patients[0].lesions if x.kind == "primary"]
    assert primary.site == organ


@pytest.mark.parametrize(
    "text",
    [
        # a usual seat of metastases, or a sample whose carcinoma the sentence says began elsewhere
        "A 52-year-old man presented with weight loss. Liver biopsy revealed poorly differentiated adenocarcinoma.",
        "A 52-year-old man presented with weight loss. Peritoneal biopsy revealed signet ring cell carcinoma.",
        "A 63-year-old woman. Colonic biopsy showed poorly differentiated adenocarcinoma, consistent with metastasis.",
        "A 52-year-old man. Kidney biopsy revealed poorly differentiated carcinoma, and workup found a lung primary.",
        # an operation for a recurrence or a metastasis removes where it spread
        "A 55-year-old woman underwent pneumonectomy for a recurrence of endometrioid adenocarcinoma.",
        "A 63-year-old man underwent lung wedge resection for adenocarcinoma metastatic to the lung.",
        "A 71-year-old man underwent adrenalectomy for clear cell carcinoma, considered metastatic from the kidney.",
        # a biopsy done for a disease samples where it is, not always where it began
        "A 60-year-old man. The diagnosis was confirmed by a bone marrow biopsy for low grade B-cell lymphoma.",
    ],
)
def test_a_sample_that_may_be_a_metastasis_names_no_primary_organ(extract, text: str) -> None:
    assert [x.site for x in extract(text).patients[0].lesions if x.kind == "primary"] in ([], [None])


def test_a_metastatic_tumour_of_a_tissue_names_no_primary_organ(extract) -> None:
    text = "A 60-year-old man had a biopsy of a lung nodule that showed metastatic sarcoma."
    primaries = [x for x in extract(text).patients[0].lesions if x.kind == "primary"]
    assert [(x.site, x.histology) for x in primaries] == [(None, "sarcoma")]


@pytest.mark.parametrize(
    ("text", "primary"),
    [
        # a tumour known only by its metastases still tells its nature, not its organ
        (
            "A 70-year-old man was diagnosed with metastatic Merkel cell carcinoma of the liver of unknown primary.",
            (None, "merkel-cell-carcinoma"),
        ),
        ("A 50-year-old man had an axillary mass. Core biopsy revealed metastatic melanoma.", (None, "melanoma")),
        # the tumour the metastases came from is the primary, with the organ it is of
        (
            "A 60-year-old man had liver metastases from an adenocarcinoma of the sigmoid colon.",
            ("colon", "adenocarcinoma"),
        ),
        ("A 60-year-old woman had bone metastases from a carcinoma of the left breast.", ("breast", "carcinoma")),
        # a cancer word or a stated origin still names the organ
        (
            "A 60-year-old woman had a liver biopsy showing metastatic adenocarcinoma of pulmonary origin.",
            ("lung", "adenocarcinoma"),
        ),
        # a primary stated in its own right wins over the metastasis's histology
        (
            "A 60-year-old woman had lobular carcinoma of the breast. A liver biopsy showed metastatic adenocarcinoma.",
            ("breast", "breast-lobular-carcinoma"),
        ),
    ],
)
def test_a_primary_known_only_by_its_metastases(extract, text: str, primary: tuple) -> None:
    primaries = [x for x in extract(text).patients[0].lesions if x.kind == "primary"]
    assert [(x.site, x.histology) for x in primaries] == [primary]


def test_metastatic_carcinoma_of_an_organ_names_where_it_spread_not_the_primary(extract) -> None:
    text = "A 68-year-old woman had metastatic renal cell carcinoma of the left breast ten years after nephrectomy."
    [primary] = [x for x in extract(text).patients[0].lesions if x.kind == "primary"]
    assert primary.site == "kidney"


def test_a_histology_that_names_its_organ_keeps_it_beside_metastases_there(extract) -> None:
    text = (
        "A 52-year-old man had a left nephrectomy for clear cell renal cell carcinoma. Later there were multiple "
        "enlarging metastases within the right kidney. Radiotherapy was given to several subcutaneous tumors."
    )
    [primary] = [x for x in extract(text).patients[0].lesions if x.kind == "primary"]
    assert primary.site == "kidney"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # the organ an imaging study is named after, where the sentence names no other site
        ("Brain MRI showed multiple metastases.", ["brain"]),
        ("A bone scan revealed numerous metastases.", ["bone"]),
        ("Brain MRI (day 3) was performed and confirmed lesions consistent with metastatic disease.", ["brain"]),
        ("Brain MRI showed multiple liver metastases.", ["liver"]),
        # a region's study names no organ; a denial or a doubt stays one
        ("Chest CT revealed multiple metastases.", []),
        ("Brain MRI showed no metastases.", []),
        ("Brain MRI showed lesions suspicious for metastases.", []),
        ("Brain MRI showed lesions consistent with metastases or abscesses.", []),
    ],
)
def test_the_organ_an_imaging_study_is_named_after(extract, sentence: str, expected: list[str]) -> None:
    assert _metastases(extract(CASE + sentence)) == expected, sentence


@pytest.mark.parametrize(
    "text",
    [
        "A 59-year-old man had a metastatic carcinoma of unknown origin in the liver.",
        # the mass biopsied is a metastasis of the unknown primary
        "A 59-year-old man had a carcinoma of unknown primary. Biopsy of an axillary mass showed adenocarcinoma.",
        "A 59-year-old man had a CUP. Biopsy of an axillary mass showed adenocarcinoma.",
    ],
)
def test_the_site_of_an_unknown_primarys_tumour_is_no_primary_organ(extract, text: str) -> None:
    assert _primary_and_metastases(extract(text))[0] == [None]


@pytest.mark.parametrize(
    ("text", "organ"),
    [
        # an unknown primary denied, or the primary found, still names its organ
        (
            "A 59-year-old man had adenocarcinoma of the right upper lobe. Carcinoma of unknown primary was excluded.",
            "lung",
        ),
        (
            "A 62-year-old man was initially diagnosed with CUP, but the primary was later found in the pancreas: "
            "adenocarcinoma of the pancreatic tail.",
            "pancreas",
        ),
        (
            "A 55-year-old woman underwent an occult primary work-up. Biopsy showed squamous cell carcinoma of the "
            "left tonsil.",
            "tonsil",
        ),
        # the "primary" of "occult primary" is no primary said of the tumour, nor is one not found denied
        ("A 60-year-old man had an occult primary: liver biopsy showed adenocarcinoma.", None),
        (
            "A 60-year-old man had CUP; the occult primary was not found. Biopsy of an axillary mass showed carcinoma.",
            None,
        ),
        # the organ before the histology is kept where it is no usual seat of metastases
        (
            "A 60-year-old man had cervical nodes from an occult primary. Biopsy of the base of tongue showed "
            "squamous cell carcinoma.",
            "tongue",
        ),
    ],
)
def test_an_unknown_primary_denied_or_found(extract, text: str, organ: str | None) -> None:
    assert _primary_and_metastases(extract(text))[0] == [organ]


def test_a_cup_size_is_no_unknown_primary(extract) -> None:
    text = "A 41-year-old woman had a mass of the right breast; her cup size was 80G. Biopsy showed adenocarcinoma."
    assert _primary_and_metastases(extract(text))[0] == ["breast"]


def test_an_organ_of_origin_is_no_seat_of_a_metastasis(extract) -> None:
    text = "A 59-year-old man had hepatic failure due to metastatic melanoma of cutaneous origin."
    assert _primary_and_metastases(extract(text)) == (["skin"], [])


def test_an_effusion_is_no_more_specific_seat_of_a_serosal_metastasis(extract) -> None:
    text = (
        "A 60-year-old man had gastric adenocarcinoma with pleural involvement. "
        "CT showed a large pleural effusion and pleural nodules."
    )
    assert _metastases(extract(text)) == ["pleura"]


def test_an_unknown_primary_has_no_organ(extract) -> None:
    text = "A 60-year-old man had liver metastases of a neuroendocrine tumour of unknown primary."
    primaries = [x for x in extract(text).patients[0].lesions if x.kind == "primary"]
    assert all(p.site is None for p in primaries)


def test_sites_listed_in_parentheses_after_the_cue(extract) -> None:
    text = "A 60-year-old man had gastric cancer. PET-CT showed distant metastases (mediastinal lymph nodes and bones)."
    assert _metastases(extract(text)) == ["bone", "mediastinal-lymph-node"]
    text = "A 60-year-old man had gastric cancer. PET-CT showed distant metastases (left supraclavicular and liver)."
    assert _metastases(extract(text)) == ["liver"]


def test_examples_after_such_as_are_stated_not_considered(extract) -> None:
    text = CASE + "CT showed multiple metastases such as the liver and the lungs."
    assert _metastases(extract(text)) == ["liver", "lung"]


def test_a_primary_placed_where_the_case_says_a_metastasis_is_moves_to_its_organ(extract) -> None:
    text = (
        "A 71-year-old woman had a lumpectomy for cancer of the left breast. "
        "Pathology revealed adenocarcinoma in the cystic duct, a breast cancer metastasis to the cystic duct."
    )
    lesions = extract(text).patients[0].lesions
    assert [x.site for x in lesions if x.kind == "primary"] == ["breast"]
    assert [x.site for x in lesions if x.kind == "metastasis"] == ["cystic-duct"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("PET showed metastatic liver lesions.", ["liver"]),
        ("Ultrasound showed metastatic lymph nodes in the neck.", ["cervical-lymph-node"]),
    ],
)
def test_metastatic_as_an_adjective_of_a_sites_lesions(extract, sentence: str, expected: list[str]) -> None:
    assert _metastases(extract(CASE + sentence)) == expected


def test_metastatic_cancer_of_an_organ_is_not_a_metastasis_there(extract) -> None:
    text = "A 66-year-old man had metastatic lung cancer with brain metastases."
    assert _metastases(extract(text)) == ["brain"]


def test_new_lesions_in_a_usual_seat_are_implied_metastases(extract) -> None:
    text = CASE + "She developed bone metastases. A year later, CT showed multiple new liver lesions."
    lesions = extract(text).patients[0].lesions
    implied = [(x.site, x.description) for x in lesions if x.description and x.description.startswith("implied")]
    assert implied == [("liver", "implied: lesions the text does not call metastases")]


@pytest.mark.parametrize(
    "sentence",
    [
        "CT showed multiple new liver lesions.",  # no metastatic disease stated
        "She developed bone metastases. CT showed multiple liver cysts and several hepatic hemangiomas.",
        "She developed bone metastases. CT showed no new lesions in the liver.",
        "She developed bone metastases. CT showed a 2 cm liver lesion.",  # a size, no count
    ],
)
def test_lesions_are_not_implied_metastases_without_metastatic_disease_or_when_benign(extract, sentence) -> None:
    lesions = extract(CASE + sentence).patients[0].lesions
    assert "liver" not in [x.site for x in lesions]


@pytest.mark.parametrize(
    ("sentence", "distant"),
    [
        (
            "CT showed left neck, mediastinal and right hilar adenopathy.",
            ["cervical lymph node", "hilar lymph node", "mediastinal lymph node"],
        ),
        ("PET showed multiple FDG-avid mediastinal lymph nodes.", ["mediastinal lymph node"]),
        ("CT showed enlarged para-aortic lymph nodes.", ["retroperitoneal lymph node"]),
        ("CT showed axillary adenopathy.", []),  # the nodal stage
        ("CT showed mediastinal lymph nodes.", []),  # nodes seen, not enlarged: no finding
        ("PET showed non-avid mediastinal lymph nodes.", []),
        ("CT showed an enlarged liver and para-aortic lymph nodes of normal size.", []),
        ("CT showed reactive mediastinal lymphadenopathy due to infection.", []),
    ],
)
def test_enlarged_node_stations_in_metastatic_disease_are_implied_metastases(
    extract, terminology, sentence: str, distant: list[str]
) -> None:
    text = "A 70-year-old woman had invasive ductal carcinoma of the breast with bone metastases. " + sentence
    assert _distant(extract(text), terminology) == sorted(["bone", *distant])


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        ("CT showed a renal mass and osteolytic lesions. These were proven to be metastases.", ["bone", "kidney"]),
        ("MRI showed two liver lesions. Both were confirmed as metastatic on biopsy.", ["liver"]),
        ("CT showed a renal mass. These findings were discussed with the family.", []),
        ("CT showed a renal mass. It was removed. These were proven to be metastases.", []),  # not the next
        # the sentence must say the findings are metastases, not speak of other ones
        ("CT showed a renal mass. These were stable, but new metastases appeared in the brain.", ["brain"]),
    ],
)
def test_findings_named_by_a_pronoun_in_the_next_sentence(extract, sentences: str, expected: list[str]) -> None:
    assert _metastases(extract(CASE + sentences)) == expected


def test_a_resections_finding_names_where_it_was_found(extract) -> None:
    text = CASE + "A left nephrectomy was done, and histology showed carcinoma in the adrenal gland."
    assert [sp.site for sp in extract(text).patients[0].specimens] == ["adrenal-gland"]


def test_a_procedure_implies_its_organ_only_in_a_report_that_speaks_of_it(extract) -> None:
    lumps = "A 45-year-old man with a gastric stromal tumour. A mesenteric mass was removed by lumpectomy."
    assert "breast" not in [sp.site for sp in extract(lumps).patients[0].specimens]
    breast = "A 45-year-old woman with a carcinoma of the left breast underwent lumpectomy."
    assert [sp.site for sp in extract(breast).patients[0].specimens] == ["breast"]


def test_the_blood_is_no_seat_of_a_lesion(extract) -> None:
    text = "A 66-year-old woman had carcinoma of the colon. Her melena progressed to bright red blood per rectum."
    assert _metastases(extract(text)) == []


def test_a_tumour_of_unstated_nature_is_no_primary_cancer(extract) -> None:
    text = "A 41-year-old woman had headache. MRI revealed a pituitary tumor, resected by transsphenoidal surgery."
    assert [x for x in extract(text).patients[0].lesions if x.kind == "primary"] == []


def test_an_organ_inside_a_markers_name_is_no_site() -> None:
    text = (
        "The cells expressed smooth muscle actin (SMA), thyroid transcription factor 1 and "
        "prostate-specific antigen. The thyroid was normal."
    )
    report = read_report(text, "t.txt", Settings().ontology_dir)
    sites = [m.text for s in report.sentences for m in s.of("site")]
    assert sites == ["thyroid"]


@pytest.mark.parametrize(
    ("procedure", "organ"),
    [
        ("appendectomy", "appendix"),
        ("cholecystectomy", "gall-bladder"),
        ("laparoscopic right hemicolectomy", "colon"),
        ("nephroureterectomy", "kidney"),
        ("parathyroidectomy", "parathyroid-gland"),  # not the thyroid inside its name
        ("salpingectomy", "fallopian-tube"),
    ],
)
def test_an_ectomy_names_the_organ_it_removes(procedure: str, organ: str | None) -> None:
    report = read_report("x", "t.txt", Settings().ontology_dir)
    assert implied_site(report, "resection", procedure) == organ


def test_an_unlabelled_abstract_tells_the_case_from_the_sentence_that_introduces_the_patient(extract) -> None:
    text = (
        "Abstract\n\nBrain metastases are common in lung cancer. We report a 50-year-old man with cough. "
        "Biopsy confirmed adenocarcinoma of the lung with cerebral metastases. This case highlights the value of MRI."
        "\n\nIntroduction\n\nLung cancer spreads to the adrenal glands.\n\n"
        "Case presentation\n\nA 50-year-old man presented with cough. CT showed a mass in the right lung. "
        "He received chemotherapy.\n\nDiscussion\n\nMetastases to the liver are frequent."
    )
    assert _metastases(extract(text)) == ["brain"]


def test_modifiers_that_share_one_lymph_nodes_noun_each_name_a_station(extract) -> None:
    text = CASE + "PET-CT showed metastases in the left supraclavicular, axillary and mediastinal lymph nodes."
    assert _metastases(extract(text)) == [
        "axillary-lymph-node",
        "mediastinal-lymph-node",
        "supraclavicular-lymph-node",
    ]
    text = CASE + "CT showed inguinal and external iliac lymph node metastases."  # a station of two words
    assert _metastases(extract(text)) == ["inguinal-lymph-node", "pelvic-lymph-node"]


def test_an_unlabelled_abstract_ends_its_case_at_the_conclusion_and_states_no_general_claim(extract) -> None:
    text = (
        "Abstract\n\nWe report a 50-year-old man with lung adenocarcinoma who developed a scalp metastasis. "
        "Excision was performed. In conclusion, lung cancer usually spreads to the liver, adrenal glands and brain."
        "\n\nCase presentation\n\nA 50-year-old man with lung adenocarcinoma had a scalp nodule. "
        "Excision confirmed metastatic adenocarcinoma of the scalp."
    )
    assert _metastases(extract(text)) == ["scalp"]


def test_the_staging_systems_name_is_no_metastasis(extract) -> None:
    text = "A 70-year-old man had esophageal squamous cell carcinoma, stage IIB by the tumor, node, metastasis system."
    record = extract(text)
    assert _metastases(record) == []
    assert record.patients[0].lesions[0].site == "esophagus"


def test_involving_the_adjacent_organ_is_local_growth(extract) -> None:
    text = "A 66-year-old woman had gallbladder carcinoma with involvement of the adjacent liver."
    lesions = [(x.kind, x.site) for x in extract(text).patients[0].lesions]
    assert ("local-invasion", "liver") in lesions
    assert ("metastasis", "liver") not in lesions


def test_tumours_in_part_of_an_organ_called_metastatic_are_no_primary(extract) -> None:
    text = (
        "A 71-year-old man had disseminated carcinoma with metastases to the brain and the lungs. "
        "He underwent resection of two frontal lobe tumours."
    )
    lesions = extract(text).patients[0].lesions
    assert [x.site for x in lesions if x.kind == "primary"] in ([], [None])
    assert "frontal-lobe" in [x.site for x in lesions if x.kind == "metastasis"]


@pytest.mark.parametrize(
    ("text", "site"),
    [
        ("A 59-year-old man had an osteosarcoma of the left tibia.", "tibia"),
        ("A 59-year-old man had a glioblastoma of the right frontal lobe.", "frontal-lobe"),
        ("A 59-year-old man had an angiosarcoma of the right atrium.", "cardiac-atrium"),
        ("A 59-year-old man had a choroid plexus carcinoma.", "choroid-plexus"),
        ("A 59-year-old man had a caecal adenocarcinoma.", "cecum"),
        ("A 59-year-old man had a rectosigmoid adenocarcinoma.", "large-intestine"),
        ("A 59-year-old man had an adenocarcinoma of the hepatic flexure.", "colon"),
        # a histology of one organ places the primary there (metkg:typicalSite)
        ("A 3-year-old girl had a retinoblastoma.", "eye"),
        ("A 2-year-old boy had a hepatoblastoma.", "liver"),
        ("A 58-year-old man had a glioblastoma.", "brain"),
    ],
)
def test_a_primary_in_part_of_an_organ(extract, text: str, site: str) -> None:
    assert [x.site for x in extract(text).patients[0].lesions if x.kind == "primary"] == [site]


def test_the_summary_writes_a_part_of_the_brain_after_the_organ(extract, terminology) -> None:
    record = extract(CASE + "MRI showed brain metastases in the left parietal lobe and the cerebellum.")
    assert _distant(record, terminology) == ["brain (cerebellum)", "brain (parietal lobe)"]


def test_a_bone_tumours_bone_metastases_are_in_other_bones(extract) -> None:
    record = extract("A 15-year-old boy had an osteosarcoma of the left femur with lung and bone metastases.")
    assert _metastases(record) == ["bone", "lung"]
    assert (
        _metastases(
            extract("A 15-year-old boy had an osteosarcoma of the femur with a skip metastasis in the femoral shaft.")
        )
        == []
    )


@pytest.mark.parametrize(
    ("text", "primary", "metastases"),
    [
        (
            "A 40-year-old man had a chondrosarcoma of the proximal humerus with lung and bone metastases.",
            "humerus",
            ["bone", "lung"],
        ),
        (
            "A 30-year-old man. MRI showed a tumour in the proximal tibia. CT showed lung and bone metastases.",
            "tibia",
            ["bone", "lung"],
        ),
    ],
)
def test_a_tumour_of_one_bone_is_the_primary_beside_bone_metastases(
    extract, text: str, primary: str, metastases: list[str]
) -> None:
    assert _primary_and_metastases(extract(text)) == ([primary], metastases)


@pytest.mark.parametrize(
    "sentence",
    [
        "The tumour, nodes and metastases in the liver were resected.",  # a list, not the staging system
        "CT showed involvement of the liver and of the surrounding lymph nodes.",  # nodes are reached by spread
    ],
)
def test_the_staging_and_adjacency_rules_leave_real_metastases(extract, sentence: str) -> None:
    assert "liver" in _metastases(extract(CASE + sentence))


def test_an_organ_word_before_lymph_nodes_names_the_nodes(extract) -> None:
    record = extract("A 60-year-old man had lung adenocarcinoma. Metastases were found in the gastric lymph nodes.")
    assert _metastases(record) == ["lymph-node"]


@pytest.mark.parametrize(
    "sentence",
    [
        "She had brain metastases and a thrombus in the left ventricle.",
        "She had bone metastases and a fracture of the tibia.",
        "She had brain metastases and an infarct in the left thalamus.",
    ],
)
def test_another_finding_after_the_metastases_keeps_its_site(extract, sentence: str) -> None:
    assert _metastases(extract(CASE + sentence)) in (["brain"], ["bone"])


def test_an_organ_a_tumour_thrombus_reaches_is_no_metastasis(extract) -> None:
    text = (
        "A 60-year-old man had hepatocellular carcinoma with tumour thrombus extending into the right atrium "
        "and lung metastases."
    )
    assert _metastases(extract(text)) == ["lung"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Needle aspiration of a hilar node proved the diagnosis of metastatic carcinoma.", ["hilar-lymph-node"]),
        ("The mediastinal lymph nodes were positive for metastatic carcinoma.", ["mediastinal-lymph-node"]),
        ("The liver biopsy was negative for metastatic carcinoma.", []),
    ],
)
def test_a_node_proven_metastatic(extract, sentence: str, expected: list[str]) -> None:
    text = "A 58-year-old man had squamous cell carcinoma of the lateral border of the tongue. " + sentence
    record = extract(text)
    assert [x.site for x in record.patients[0].lesions if x.kind == "primary"] == ["tongue"]
    assert _metastases(record) == expected


@pytest.mark.parametrize(
    ("text", "site"),
    [
        ("A 66-year-old man had an anal squamous cell carcinoma.", "anus"),
        ("A 66-year-old man had a gingival squamous cell carcinoma.", "gingiva"),
        ("A 66-year-old man had a retroperitoneal liposarcoma.", "retroperitoneum"),
        ("A 66-year-old woman had carcinoma of the upper outer quadrant of the left breast.", "breast"),
        ("A 71-year-old woman had a vulvar squamous cell carcinoma.", "vulva"),
        ("A 66-year-old man had a squamous cell carcinoma of the floor of the mouth.", "oral-cavity"),
        ("A 66-year-old man had an anorectal melanoma.", "anus"),
        ("A 66-year-old man had an adenoid cystic carcinoma of the trachea.", "trachea"),
        ("A 66-year-old man had a tonsillar squamous cell carcinoma.", "tonsil"),
        ("A 66-year-old man had a thymic carcinoma.", "thymus"),
        ("A 66-year-old man had a diffuse large B-cell lymphoma of the testis.", "testis"),
        ("A 66-year-old man had a MALT lymphoma of the stomach.", "stomach"),
        ("A 66-year-old man had a solitary plasmacytoma of the tonsil.", "tonsil"),
        ("A 66-year-old man had a large cell neuroendocrine carcinoma (LCNEC) of the thymus.", "thymus"),
        ("A 66-year-old man had a pancreatic neuroendocrine tumour.", "pancreas"),
        ("A 66-year-old man had a squamous cell carcinoma of the lower lip.", "lip"),
        ("A 66-year-old man had a mucoepidermoid carcinoma of the parotid gland.", "parotid-gland"),
        ("A 66-year-old man had a penile squamous cell carcinoma.", "penis"),
    ],
)
def test_more_organs_a_primary_is_named_by(extract, text: str, site: str) -> None:
    assert [x.site for x in extract(text).patients[0].lesions if x.kind == "primary"] == [site]


@pytest.mark.parametrize(
    "sentence",
    [
        "She was readmitted after a relapse of symptoms caused by retroperitoneal bleeding.",
        "She had recurrent pleural effusions.",
        "CT showed liver metastases and a retroperitoneal haematoma.",
    ],
)
def test_what_comes_back_or_bleeds_is_no_tumour(extract, sentence: str) -> None:
    lesions = extract(CASE + sentence).patients[0].lesions
    assert [x.site for x in lesions if x.kind in ("recurrence", "metastasis")] in ([], ["liver"])


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("MRI showed metastases in the S2 and S3 sacral vertebral bodies.", ["sacrum"]),
        ("A tibial metastasis was resected.", ["tibia"]),
        ("She developed a metastasis to the patella.", ["patella"]),
        ("MRI showed spinal metastases.", ["spine"]),
        ("Bronchoscopy showed a tracheal metastasis.", ["trachea"]),
    ],
)
def test_more_organs_a_metastasis_is_named_by(extract, sentence: str, expected: list[str]) -> None:
    assert _metastases(extract(CASE + sentence)) == expected


@pytest.mark.parametrize(
    ("text", "primary", "metastases"),
    [
        # the organ before "metastasis from" is where the cancer spread to, not its primary
        ("A 60-year-old man had liver metastasis from colorectal cancer.", "large-intestine", ["liver"]),
        ("A 60-year-old man had bone metastasis of colorectal cancer.", "large-intestine", ["bone"]),
    ],
)
def test_an_organ_a_cancer_spread_to_is_not_its_primary(
    extract, text: str, primary: str, metastases: list[str]
) -> None:
    assert _primary_and_metastases(extract(text)) == ([primary], metastases)


@pytest.mark.parametrize(
    ("sentences", "expected"),
    [
        # many lesions through an organ stay at the organ when one of them is named or biopsied
        ("CT showed diffuse sclerotic lesions in the bones. Biopsy of the right ilium showed metastasis.", ["bone"]),
        ("PET showed multiple bone metastases. Biopsy of the left femur lesion showed metastasis.", ["bone"]),
        ("Numerous metastases in the liver were seen; the largest lay in segment 7.", ["liver"]),
        # one lesion named by its part is the part, and a new lesion is one lesion
        ("CT showed a new brain lesion. The left frontal lobe lesion was metastatic.", ["frontal-lobe"]),
        ("CT showed a bone metastasis. Biopsy of the left femur lesion confirmed metastatic carcinoma.", ["femur"]),
    ],
)
def test_many_lesions_in_an_organ_are_not_narrowed_to_one_part(extract, sentences: str, expected: list[str]) -> None:
    assert _metastases(extract(CASE + sentences)) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # what a search looks for is no finding, what it then shows is
        ("CT was performed to look for liver metastases.", []),
        ("She had yearly chest CT to monitor for pulmonary metastasis.", []),
        ("Chest CT, ruling out lung metastases, was normal.", []),
        ("After ruling out a second primary, the gastric lesion was diagnosed as metastatic.", ["stomach"]),
        ("She was monitored for 6 months, during which liver metastases developed.", ["liver"]),
        ("CT done to monitor for spread showed lung metastases.", ["lung"]),
        ("Bone metastasis could not be excluded.", []),
        ("A PET scan in search of distant metastases showed lung metastases.", ["lung"]),
        ("A work-up for metastatic disease revealed liver metastases.", ["liver"]),
        ("A biopsy of the anal mass showed no evidence of metastatic disease.", []),
        # spread within the primary's own tissue, or of what is no tumour
        ("The tumour showed pagetoid spread in the skin.", []),
        ("She had a rash on her face that has spread to her scalp.", []),
        # "involvement" of a sign or of a lesion's own growth, not a metastasis
        ("He had cranial nerve palsies and ipsilateral cerebellar involvement.", []),
        ("CT showed a lytic lesion of the left iliac bone with soft tissue involvement.", []),
        ("PET showed bone marrow involvement.", ["bone-marrow"]),
        ("CT showed soft tissue involvement of the thigh by metastatic carcinoma.", ["soft-tissue"]),
        ("The cancer, with painful ulceration, had spread to the lungs.", ["lung"]),
        ("Despite antibiotics for the infection the cancer spread to her liver.", ["liver"]),
        # findings listed, then named as metastases
        (
            "PET showed lesions in the pelvis, lower lumbar spine and proximal femur, indicative of metastases.",
            ["pelvis", "lumbar-vertebra", "femur"],
        ),
        ("CT showed lesions in the liver and lungs, in keeping with metastases.", ["liver", "lung"]),
    ],
)
def test_searches_spread_and_findings_named_as_metastases(extract, sentence: str, expected: list[str]) -> None:
    assert sorted(_metastases(extract(CASE + sentence))) == sorted(expected)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("A parietal lobe lesion was diagnosed to be metastasis.", ["parietal-lobe"]),
        ("The liver mass proved to be metastatic.", ["liver"]),
        ("The lung nodule was confirmed as a metastasis.", ["lung"]),
        ("The liver mass was not found to be metastatic.", []),
    ],
)
def test_a_lesion_proved_to_be_a_metastasis(extract, sentence: str, expected: list[str]) -> None:
    assert _metastases(extract(CASE + sentence)) == expected


@pytest.mark.parametrize(
    ("text", "primary"),
    [
        # a diagnosis that names no organ takes the organ of the first mass the case describes
        (
            "A 70-year-old man had a mass lesion in the left lower lobe of the lung. It was diagnosed as squamous "
            "cell carcinoma by biopsy.",
            "lung",
        ),
        ("A 60-year-old man had a solitary pulmonary nodule. Wedge resection showed adenocarcinoma.", "lung"),
        # but no carcinoma arises in the brain, and an unknown primary has no organ
        ("A 60-year-old woman presented with a brain mass. Biopsy revealed adenocarcinoma.", None),
        (
            "A 60-year-old woman presented with a breast mass. Biopsy revealed carcinoma of unknown primary.",
            None,
        ),
    ],
)
def test_the_organ_of_the_first_mass(extract, text: str, primary: str | None) -> None:
    assert _primary_and_metastases(extract(text))[0] == [primary]


def test_a_primary_growing_into_its_own_organ_is_no_invasion(extract) -> None:
    text = "A 60-year-old woman had invasive ductal carcinoma with left breast infiltration and bone metastases."
    assert [(x.kind, x.site) for x in extract(text).patients[0].lesions] == [
        ("primary", "breast"),
        ("metastasis", "bone"),
    ]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a site with a finding or a cue of its own is no item of the list the cue names
        ("CT showed a pleural effusion and multiple liver metastases.", ["liver"]),
        ("CT showed an enlarged spleen, and multiple lung metastases.", ["lung"]),
        ("CT showed enlargement of the mediastinal lymph nodes and multiple liver metastases.", ["liver"]),
        ("There was invasion of the pancreas and peritoneal dissemination.", ["peritoneum"]),
        # a list that shares its cue
        ("CT showed mediastinal lymph node and liver metastases.", ["liver", "mediastinal-lymph-node"]),
        ("CT showed brain, lung and multiple bone metastases.", ["bone", "brain", "lung"]),
    ],
)
def test_a_cue_is_shared_only_by_the_sites_of_its_list(extract, sentence: str, expected: list[str]) -> None:
    assert _metastases(extract(CASE + sentence)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the organ a metastasis is named after may be the primary's, on the other side or in the skin
        ("A 60-year-old man had adenocarcinoma of the left lung with metastases to the right lung.", ["lung"]),
        (
            "A 60-year-old man had melanoma of the skin of the back. He developed cutaneous metastases on the legs.",
            ["skin"],
        ),
        ("A 60-year-old man had adenocarcinoma of the lung with lung metastases.", []),
        # "contralateral" is the other of a paired organ, whichever side the primary is on
        ("A 60-year-old man had lung adenocarcinoma with metastases to the contralateral lung.", ["lung"]),
        (
            "A 60-year-old man had adenocarcinoma of the right lung. CT showed nodules in the left lung "
            "consistent with metastases.",
            ["lung"],
        ),
        # an invasion of the other breast is no growth of this one
        (
            "A 60-year-old woman had ductal carcinoma of the left breast with infiltration of the right breast.",
            ["breast"],
        ),
        # what a search looks for, what cannot be excluded, how often something is
        (
            "A 60-year-old woman with breast cancer. Liver metastases were found and carcinomatosis could not "
            "be excluded.",
            ["liver"],
        ),
        (
            "A 60-year-old woman with breast cancer. Screening for metastases found multiple liver metastases.",
            ["liver"],
        ),
        (
            "A 60-year-old woman with breast cancer. The lung nodule was read as a metastasis or a second primary.",
            [],
        ),
        ("A 60-year-old woman with breast cancer. Metastasis of breast cancer to the stomach is infrequent.", []),
        ("A 60-year-old woman with lymphoma. A known association exists between lymphoma and gastric involvement.", []),
        (
            "A 60-year-old woman with breast cancer. Considering the liver metastases, she was given capecitabine.",
            ["liver"],
        ),
        ("A 60-year-old woman with breast cancer. CT revealed multiple intraperitoneal metastases.", ["peritoneum"]),
        # a search's list and a hedge's subject are all hedged; "metastatic to" names where it went
        ("A 60-year-old woman with breast cancer. CT to look for liver, lung and bone metastases showed nothing.", []),
        ("A 60-year-old woman with breast cancer. Metastases to the liver and lungs could not be excluded.", []),
        ("A 60-year-old man had a right lung mass metastatic to the brain.", ["brain"]),
    ],
)
def test_more_lesions_kept_and_left_out(extract, text: str, expected: list[str]) -> None:
    lesions = extract(text).patients[0].lesions
    assert sorted(x.site for x in lesions if x.kind in ("metastasis", "local-invasion")) == expected


@pytest.mark.parametrize(
    ("text", "primary"),
    [
        # the first mass, when it is the only one and no usual seat of metastases
        (
            "A 70-year-old woman presented with a liver mass. Biopsy revealed adenocarcinoma. Colonoscopy showed a "
            "sigmoid tumour.",
            None,
        ),
        ("A 70-year-old woman had multiple lesions in the lung. Biopsy of one showed adenocarcinoma.", None),
        ("A 70-year-old man presented with a neck mass. Aspiration showed squamous cell carcinoma.", None),
        ("A 70-year-old man had a laryngeal mass. Biopsy showed squamous cell carcinoma.", "larynx"),
        ("A 60-year-old man had a mass in the head of the pancreas. Biopsy showed adenocarcinoma.", "pancreas"),
        ("A 50-year-old woman had a gastric mass. Biopsy showed diffuse large B-cell lymphoma.", "stomach"),
        # a melanoma named by a body region before it is the skin's
        ("A 50-year-old man had a left shoulder melanoma excised; lung metastases followed.", "skin"),
        ("A 50-year-old man. Excision showed a shoulder melanoma metastasis; no primary was found.", None),
        # rare tumours whose name gives their organ
        ("A 63-year-old man with multiple myeloma had multiple new lytic bone lesions.", "bone-marrow"),
        ("A 50-year-old man had an invasive thymoma. Pleural metastases followed.", "thymus"),
        ("A 40-year-old woman. Adrenalectomy showed a pheochromocytoma; liver metastases followed.", "adrenal-gland"),
        ("Biopsy confirmed a secretory carcinoma of the minor salivary gland.", "salivary-gland"),
        # a mass named with the metastases it gave, not a mass of metastatic disease
        ("A 60-year-old man had a lung mass with multiple liver metastases. Biopsy showed adenocarcinoma.", "lung"),
        ("A 60-year-old man had a splenic mass of metastatic disease. Biopsy showed adenocarcinoma.", None),
        # "metastasis to X from Y": Y is the primary's organ
        ("A 60-year-old woman. Metastasis to the labia majora from endometrial cancer was found.", "endometrium"),
    ],
)
def test_first_masses_and_spread_from(extract, text: str, primary: str | None) -> None:
    assert _primary_and_metastases(extract(text))[0] == [primary]


def test_a_myelomas_bone_lesions_are_the_disease_itself(extract) -> None:
    text = "A 63-year-old man with multiple myeloma had multiple new lytic bone lesions and a pleural effusion."
    assert _primary_and_metastases(extract(text)) == (["bone-marrow"], [])


@pytest.mark.parametrize(
    ("text", "primary", "metastases"),
    [
        # a leukaemia's seat is the marrow; a deposit elsewhere is its spread
        (
            "A 10-year-old girl had headache. PCR of the blood was positive for PML-RARA, confirming the diagnosis "
            "of acute promyelocytic leukaemia.",
            ["bone-marrow"],
            [],
        ),
        (
            "A 30-year-old woman with acute lymphoblastic leukemia had an isolated relapse of leukemia in the eye.",
            ["bone-marrow"],
            ["eye"],
        ),
        ("A 51-year-old man had a nodule of the left forearm. Excision showed Kaposi sarcoma.", ["skin"], []),
        # only a worry
        ("A 4-year-old boy had lymphadenopathy, which raised concerns about leukemia or lymphoma.", [], []),
    ],
)
def test_leukaemias_and_the_tumours_of_the_skin(extract, text: str, primary: list, metastases: list) -> None:
    lesions = extract(text).patients[0].lesions
    assert [x.site for x in lesions if x.kind == "primary"] == primary
    assert [x.site for x in lesions if x.kind != "primary"] == metastases  # a relapse's seat is spread too


@pytest.mark.parametrize(
    "text",
    [
        "A 43-year-old woman had a mass of the groin. Stains with renal cell carcinoma antibodies were done.",
        # a molecule named after a tumour, and its short form
        "A 50-year-old woman had dermatomyositis with antibodies to melanoma differentiation-associated gene 5.",
        "A 50-year-old woman had myositis; melanoma differentiation-associated gene 5 (MDA5) antibodies were "
        "found. MDA5-positive myositis was treated with tacrolimus.",
    ],
)
def test_a_tumour_named_for_a_stains_reagent_is_no_diagnosis(extract, text: str) -> None:
    primary = extract(text).patients[0].lesion("primary")
    assert primary is None or (primary.site, primary.histology) == (None, None)


@pytest.mark.parametrize(
    ("text", "histology"),
    [
        # a tumour spelt out once, its initials used after it without a definition
        (
            "Solitary Fibrous Tumour of the Knee\n\nA 60-year-old man had a mass in the knee. Excision confirmed SFT.",
            "solitary-fibrous-tumor",
        ),
        (
            "Medulloblastoma in the Elderly\n\nA 71-year-old man had a cerebellar mass. The diagnosis was desmoplastic "
            "MB.",
            "medulloblastoma",
        ),
    ],
)
def test_a_tumours_initials_used_without_definition(extract, text: str, histology: str) -> None:
    patient = extract(text).patients[0]
    assert patient.lesion("primary").histology == histology


@pytest.mark.parametrize(
    ("short", "name", "spelt"),
    [
        ("EHE", "epithelioid hemangioendothelioma", True),
        ("HEHE", "hepatic epithelioid hemangioendothelioma", True),
        ("KS", "Kaposi sarcoma", True),
        # a letter from inside a word only where a tumour's name joins a part on
        ("CMN", "cutaneous melanoma", False),
        ("PCM", "paracoccidioidomycosis cholangiocarcinoma", False),
        ("CA", "carcinoma", False),
    ],
)
def test_which_initials_spell_a_tumours_name(short: str, name: str, spelt: bool) -> None:
    assert spells(short, name) is spelt


def test_a_primary_lesion_named_in_an_organ_is_the_primarys(extract) -> None:
    text = (
        "A 60-year-old man had back pain. Biopsy of the sacrum showed neuroendocrine carcinoma. "
        "CT revealed a 2.8 cm solid primary lesion in the right lower lobe of his lung."
    )
    assert extract(text).patients[0].lesion("primary").site == "lung"


def test_a_relative_named_in_the_case_gives_no_sex(extract) -> None:
    text = (
        "A 20-day-old infant was admitted with an abdominal mass found on his mother's ultrasound. "
        "Biopsy showed hepatoblastoma. The mother had an uneventful pregnancy; the mother's history was clear."
    )
    assert extract(text).patients[0].sex != "female"


@pytest.mark.parametrize(
    "finding",
    [
        "metastatic bone lesions, along with multiple ground-glass opacities in both lungs",
        "bone metastases and ground-glass opacities in the lungs",
    ],
)
def test_ground_glass_opacities_beside_metastases_are_none(extract, finding: str) -> None:
    text = f"A 70-year-old man had prostate adenocarcinoma. CT showed {finding}."
    lesions = extract(text).patients[0].lesions
    assert [(lesion.kind, lesion.site) for lesion in lesions] == [("primary", "prostate"), ("metastasis", "bone")]


@pytest.mark.parametrize(
    ("finding", "sites"),
    [
        (
            "metastases in the brain (with perilesional oedema), liver and adrenal glands",
            ["brain", "liver", "adrenal-gland"],
        ),
        (
            "metastases in the left lung, with lymphangitic spread and ground-glass opacities, and in the liver",
            ["lung", "liver"],
        ),
    ],
)
def test_a_finding_beside_a_site_of_the_list_does_not_end_it(extract, finding: str, sites: list[str]) -> None:
    text = f"A 70-year-old man had prostate adenocarcinoma. CT showed {finding}."
    lesions = extract(text).patients[0].lesions
    assert [lesion.site for lesion in lesions if lesion.kind == "metastasis"] == sites


def test_initials_used_before_a_name_that_spells_them_are_not_that_tumour(extract) -> None:
    text = (
        "A 61-year-old man with LC due to hepatitis B presented with a liver mass. Biopsy of the liver mass showed "
        "hepatocellular carcinoma. His father died of lung cancer. Because of his LC, sorafenib was started."
    )
    primary = extract(text).patients[0].lesion("primary")
    assert (primary.site, primary.histology) == ("liver", "hepatocellular-carcinoma")


@pytest.mark.parametrize(
    ("title", "body", "histology"),
    [
        # the title spells the short form out in parentheses, or by its initials
        (
            "Mantle cell lymphoma (MCL) presenting as intestinal polyps: a case report",
            "The initial impression was a neuroendocrine tumour. Rectal biopsy confirmed the diagnosis of MCL.",
            "mantle-cell-lymphoma",
        ),
        (
            "Epithelioid hemangioendothelioma of the liver: a case report",
            "Biopsy of a liver mass showed vascular channels, confirming the diagnosis of EHE.",
            "epithelioid-hemangioendothelioma",
        ),
        # a tumour the title names as the patient's earlier one gives its short form no weight
        (
            "Clear cell renal cell carcinoma in a patient with previous mantle cell lymphoma: a case report",
            "Treated for MCL in 2010, he had haematuria. Nephrectomy revealed clear cell renal cell carcinoma.",
            "clear-cell-renal-cell-carcinoma",
        ),
        # the text's own meaning of the short form wins over the title's
        (
            "Mantle cell lymphoma (MCL) of the knee: a case report",
            "A tear of the medial collateral ligament (MCL) was repaired. MCL tears heal well.",
            None,
        ),
    ],
)
def test_a_short_form_the_title_spells_out_names_the_tumour(extract, title: str, body: str, histology) -> None:
    text = f"{title}\n\nCase presentation\nA 64-year-old man presented with abdominal pain. {body}"
    primary = extract(text).patients[0].lesion("primary")
    assert (primary.histology if primary else None) == histology


def test_a_failed_search_for_the_primary_names_no_organ(extract) -> None:
    text = "A 60-year-old man had adenocarcinoma. Workup failed to identify the primary site of the liver metastases."
    patient = extract(text).patients[0]
    assert patient.lesion("primary").site is None
    assert [lesion.site for lesion in patient.lesions if lesion.kind == "metastasis"] == ["liver"]


def test_a_short_form_the_text_defines_as_something_else_is_not_the_vocabularys(extract) -> None:
    text = (
        "A 50-year-old man had a myxoid liposarcoma of the thigh. Years later MRI showed a vertebral metastasis "
        "with epidural spinal cord compression scale (ESCC) grade 3; the ESCC grade fell after radiotherapy."
    )
    primary = extract(text).patients[0].lesion("primary")
    assert primary is not None and primary.site != "esophagus"
    assert primary.histology != "esophageal-squamous-cell-carcinoma"


def test_a_short_form_defined_by_its_own_name_keeps_its_term(extract) -> None:
    text = "A 60-year-old man had a glioblastoma multiforme (GBM) of the left temporal lobe. The GBM was resected."
    assert extract(text).patients[0].lesion("primary").histology == "glioblastoma"  # type: ignore[union-attr]


def test_a_histology_that_names_its_organ_found_in_another_organ_keeps_its_own(extract) -> None:
    text = (
        "A 70-year-old woman was treated with radiosurgery for a solitary metastasis from clear cell renal cell "
        "carcinoma in the left adrenal gland."
    )
    assert extract(text).patients[0].lesion("primary").site == "kidney"  # type: ignore[union-attr]


def test_a_tumour_likened_to_another_organs_cancer_is_not_that_cancer(extract) -> None:
    text = (
        "A 50-year-old woman had haematuria. Cystoscopy showed a mass at the dome of the urinary bladder. "
        "Partial cystectomy showed an adenocarcinoma of the bladder that bore similarities to a colonic adenocarcinoma."
    )
    assert extract(text).patients[0].lesion("primary").site == "bladder"  # type: ignore[union-attr]


def test_a_histology_after_metastatic_with_its_grade_names_no_primary_organ(extract) -> None:
    text = (
        "A 60-year-old woman had cystic lung lesions. Wedge resection of the right upper lobe showed metastatic "
        "with poorly differentiated adenocarcinoma in the right upper lobe."
    )
    patient = extract(text).patients[0]
    primary = patient.lesion("primary")
    assert primary is not None and (primary.site, primary.histology) == (None, "adenocarcinoma")
    assert [lesion.site for lesion in patient.lesions if lesion.kind == "metastasis"] == ["lung"]


@pytest.mark.parametrize(
    ("statement", "sites"),
    [
        ("She developed a malignant pleural effusion.", ["pleura"]),
        ("Her cancer was diagnosed through a malignant pericardial effusion.", ["pericardium"]),
        ("She developed malignant ascites.", ["peritoneum"]),
        # denied or only suspected: no metastasis
        ("There was no malignant pleural effusion.", []),
        ("A malignant pleural effusion was suspected.", []),
    ],
)
def test_a_malignant_effusion_is_a_metastasis_of_its_membrane(extract, statement: str, sites: list[str]) -> None:
    text = "A 66-year-old woman had a serous carcinoma of the left ovary. " + statement
    lesions = extract(text).patients[0].lesions
    assert [lesion.site for lesion in lesions if lesion.kind == "metastasis"] == sites


@pytest.mark.parametrize(
    ("statement", "metastases"),  # distant lesions: metastases and recurrences
    [
        # the site after an invasion's cue is the invasion's, though a metastasis cue came first
        ("The tumour involved the metaphysis and diaphysis, extending into the soft tissue.", []),
        # recurrences, in the plural, at a distant station
        ("Later, multiple recurrences in the para-aortic lymph nodes were found.", ["retroperitoneal-lymph-node"]),
    ],
)
def test_which_cue_a_site_belongs_to(extract, statement: str, metastases: list[str]) -> None:
    text = "A 19-year-old man had an osteosarcoma of the left distal femur. " + statement
    lesions = extract(text).patients[0].lesions
    assert [lesion.site for lesion in lesions if lesion.kind in ("metastasis", "recurrence")] == metastases


@pytest.mark.parametrize(
    ("statement", "sites"),
    [
        ("A non-malignant pleural effusion was drained.", []),
        ("Malignant pleural effusion is a common complication of ovarian cancer.", []),
        # likened to a lesion the patient has: both stated
        ("New nodules similar to the liver metastases appeared in the spleen.", ["liver", "spleen"]),
    ],
)
def test_near_misses_of_effusions_and_likenings(extract, statement: str, sites: list[str]) -> None:
    text = "A 66-year-old woman had a serous carcinoma of the left ovary. " + statement
    lesions = extract(text).patients[0].lesions
    assert [lesion.site for lesion in lesions if lesion.kind == "metastasis"] == sites


def test_a_long_form_sharing_a_stem_keeps_the_short_forms_term(extract) -> None:
    text = "A 60-year-old man had a hepatocarcinoma (HCC). The HCC was resected."
    assert extract(text).patients[0].lesion("primary").site == "liver"  # type: ignore[union-attr]


def test_a_relatives_age_gives_no_sex(extract) -> None:
    text = "A 45-year-old smoker had a carcinoma of the left lung. Her 45-year-old husband was with her."
    assert extract(text).patients[0].sex != "male"


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        # a relative's age is no age of the patient's
        ("Her 60-year-old mother had colon cancer. The patient had a breast lump.", None, None),
        ("The boy was born to a 27-year-old mother. He had a neuroblastoma. He had surgery.", None, "male"),
        ("The child has a 3-year-old sister. The 5-year-old boy had a Wilms tumour.", 5, "male"),
        # a patient introduced by a role
        ("A 38-year-old mother of three presented with a breast mass.", 38, None),
        # an introduction keeps the age though a family history keeps its other facts out
        ("A 36-year-old woman with a family history of colorectal cancer felt a breast lump.", 36, "female"),
        # a child's age in years and months gives the years; a milestone's or a time's does not
        ("A 4-year-4-month-old boy had a Wilms tumour.", 4, "male"),
        ("The girl, 7 years and 6 months old, had a neuroblastoma.", 7, "female"),
        ("The boy spoke his first words at 1 year and 6 months old. He had a neuroblastoma.", None, "male"),
        ("A 4-year-4-month-old boy, whose mother had a retinoblastoma, had a Wilms tumour.", 4, "male"),
        # an infant's age in months, weeks or days gives the completed years, of a being named after it
        ("A 14-month-old male infant had a hepatoblastoma.", 1, "male"),
        ("A seven-month-old girl had a neuroblastoma.", 0, "female"),
        ("A 20-day-old newborn had a sacrococcygeal teratoma.", 0, None),
        ("A 2-week-old fracture was seen in a 40-year-old man with a sarcoma.", 40, "male"),
        ("Her 3-month-old son was healthy. The 30-year-old woman had a breast mass.", 30, "female"),
        # an article that lost its space to the number
        ("A45-year-old man had a renal mass.", 45, "male"),
        ("A 70–year–old woman had a breast mass.", 70, "female"),  # dashes
        ("A 4 and a half years old boy had a Wilms tumour.", 4, "male"),
        ("A 2-year, 7-month-old boy had a Wilms tumour.", 2, "male"),
        # another's age: the one whose relative follows, a parent's child, a time not of presentation
        ("A 3-month-old boy's mother, a 34-year-old woman, had a breast mass.", 34, "female"),
        ("Her 2-month-old infant was well. The 30-year-old woman had a breast mass.", 30, "female"),
        ("The boy, aged 14 months, had a neuroblastoma.", None, "male"),
        ("A newborn boy had a neuroblastoma. At the time of writing, he was four years old.", None, "male"),
        ("A 2-week-old fracture in a boy was seen. He was 9 years old and had an osteosarcoma.", 9, "male"),
        ("We currently report a 45-year-old woman with a breast mass.", 45, "female"),
        ("A 52-year-old man's chest CT showed a lung mass.", 52, "male"),
        # an organ donor's age is not the recipient's
        ("The deceased donor was a 67-year-old man. A 45-year-old woman received his kidney.", 45, "female"),
        # ... but a donor named before the patient's own introduction is no donor's age
        ("Years after a kidney from a deceased donor, a 59-year-old man had a renal mass.", 59, "male"),
        ("Without a suitable donor, the 70-year-old man received azacitidine.", 70, "male"),
    ],
)
def test_ages_of_relatives_and_introductions(extract, text: str, age: int | None, sex: str | None) -> None:
    patient = extract(text).patients[0]
    assert (patient.age, patient.sex) == (age, sex)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # the case describes a lesion where the title names the metastasis
        ("CT showed thyroid nodules with irregular margins. Thyroidectomy was performed.", ["thyroid"]),
        ("Meanwhile, CT showed a mass in the left kidney.", ["kidney"]),
        # a title alone gives nothing; nor does a site the case names without a lesion
        ("She was treated with letrozole.", []),
        ("Thyroid function tests were normal.", []),
        ("A thyroid nodule was ruled out by ultrasound.", []),
    ],
)
def test_a_metastasis_the_title_names_and_the_case_describes(extract, body: str, expected: list[str]) -> None:
    title = "Thyroid metastasis from breast cancer: a case report\n\n"
    if "kidney" in body:
        title = "Breast cancer metastasis to the left kidney: a case report\n\n"
    record = extract(title + CASE + body)
    assert _metastases(record) == expected


@pytest.mark.parametrize(
    "title",
    [
        "Thyroid adenoma masquerading as a thyroid metastasis: a case report",
        "Thyroid metastasis or primary thyroid carcinoma? A case report",
        "Thyroid metastasis versus a second primary: a case report",
    ],
)
def test_a_title_in_doubt_names_no_metastasis(extract, title: str) -> None:
    record = extract(title + "\n\n" + CASE + "CT showed thyroid nodules with irregular margins.")
    assert _metastases(record) == []
