"""How pathologists write results, one regression test per phrasing, with the ontology's own
marker vocabulary (the term matcher of ``ontology/``), on sentences written for the test."""

from __future__ import annotations

import pytest

from metkg.extract.biomarkers import MarkerMention, ParsedResult, guideline_status, parse_results
from metkg.extract.pipeline import annotate, get_pipeline, term_matcher
from metkg.settings import Settings


@pytest.fixture(scope="module")
def read():
    matcher = term_matcher(str(Settings().ontology_dir.resolve()))

    def parse(text: str) -> list[ParsedResult]:
        mentions = [MarkerMention(m.start, m.end, m.key) for m in matcher.find(text, ["marker"])]
        return parse_results(text, mentions)

    return parse


def _statuses(results: list[ParsedResult]) -> list[tuple[str, str | None]]:
    return [(r.marker, r.status) for r in results]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # shared polarity after a preposition, both orders, lists of any length
        (
            "The cells were positive for CK7 and GATA3 but negative for CK20, CDX2, SATB2 and TTF-1.",
            [
                ("CK7", "positive"),
                ("GATA3", "positive"),
                ("CK20", "negative"),
                ("CDX2", "negative"),
                ("SATB2", "negative"),
                ("TTF-1", "negative"),
            ],
        ),
        (
            "Negative for PAX8, WT1 and napsin A, and positive for SOX10, S100 and HMB-45.",
            [
                ("PAX8", "negative"),
                ("WT1", "negative"),
                ("napsin-A", "negative"),
                ("SOX10", "positive"),
                ("S-100", "positive"),
                ("HMB-45", "positive"),
            ],
        ),
        ("The cells were positive for both CK7 and TTF-1.", [("CK7", "positive"), ("TTF-1", "positive")]),
        # a gloss in parentheses after an item does not end the list; a polarity "by" a method
        (
            "Focal positivity for CDX2 (glandular component), hCG (trophoblastic component) and CD138.",
            [("CDX2", "positive"), ("beta-hCG", "positive"), ("CD138", "positive")],
        ),
        (
            "The node was negative by immunohistochemical staining for hCG and AFP.",
            [("beta-hCG", "negative"), ("AFP", "negative")],
        ),
        # shared polarity after the list
        ("ER and PR positive, HER2 negative.", [("ER", "positive"), ("PR", "positive"), ("HER2", "negative")]),
        # per-item polarity written before each marker, full names
        ("negative estrogen receptor, positive paired box gene 8", [("ER", "negative"), ("PAX8", "positive")]),
        ("positive cytokeratin 7, negative p63", [("CK7", "positive"), ("p63", "negative")]),
        # verbs without a preposition
        (
            "Tumour cells expressed CK19 and CD10 but did not express CK-7.",
            [("CK19", "positive"), ("CD10", "positive"), ("CK7", "negative")],
        ),
        ("The nuclei lacked INSM1.", [("INSM1", "negative")]),
        ("loss of MLH1 and PMS2", [("MLH1", "negative"), ("PMS2", "negative")]),
        ("with retained MSH2 and MSH6", [("MSH2", "positive"), ("MSH6", "positive")]),
        (
            "no expression of synaptophysin or chromogranin A",
            [("synaptophysin", "negative"), ("chromogranin-A", "negative")],
        ),
        ("lacked immunoreactivity for desmin", [("desmin", "negative")]),
        ("p53 showed no nuclear staining.", [("p53", "negative")]),
        # variants of names
        (
            "Oestrogen receptor positive, c-erbB-2 negative, HepPar-1 and glypican 3 negative.",
            [("ER", "positive"), ("HER2", "negative"), ("HepPar-1", "negative"), ("glypican-3", "negative")],
        ),
        (
            "arginase-1 (+), calretinin (-), CK5/6 (+)",
            [("arginase-1", "positive"), ("calretinin", "negative"), ("CK5/6", "positive")],
        ),
        ("human epidermal growth factor receptor 2 (HER-2)/neu negative", [("HER2", "negative")]),
        # ER and PR reported as one status
        (
            "The primary was HR positive and the recurrence hormone receptor-negative.",
            [("HR", "positive"), ("HR", "negative")],
        ),
        # the status after a list closed by a comma, or after "tested"
        (
            "Other markers, including CK20, CDX2 and PAX8, were negative.",
            [("CK20", "negative"), ("CDX2", "negative"), ("PAX8", "negative")],
        ),
        (
            "Tumour cells tested negative for p63, whereas CK7 and GATA3 tested positive.",
            [("p63", "negative"), ("CK7", "positive"), ("GATA3", "positive")],
        ),
        # staining shown without a status word: present, or absent when denied
        (
            "Immunohistochemistry showed strong diffuse CK7 expression and patchy TTF-1 reactivity.",
            [("CK7", "positive"), ("TTF-1", "positive")],
        ),
        ("The tumour cells showed no CK20 expression.", [("CK20", "negative")]),
        ("There was no HER2 expression, nor PD-L1 expression.", [("HER2", "negative"), ("PD-L1", "negative")]),
        (
            "The cells were negative for p63, with retention of INI1 expression.",
            [("p63", "negative"), ("INI1", "positive")],
        ),
        ("We assessed CK7 expression and TTF-1 staining.", []),
        ("The cells showed HER2 expression.", []),  # HER2 needs its score
        # the status as a noun in the passive, an adverb after the status word
        (
            "Negative immunostainings were observed for CK7, CK20 and TTF-1.",
            [("CK7", "negative"), ("CK20", "negative"), ("TTF-1", "negative")],
        ),
        (
            "The cells were immunopositive focally for melanocytic markers such as S-100 and HMB-45.",
            [("S-100", "positive"), ("HMB-45", "positive")],
        ),
        # a verb after the marker
        (
            "TTF-1 was expressed by the tumour cells, but CK20 was not expressed.",
            [("TTF-1", "positive"), ("CK20", "negative")],
        ),
        # a panel named inside the list; a long name the vocabulary lacks does not end the list
        (
            "Positive for ERG and the vascular markers CD31 and CD34.",
            [("ERG", "positive"), ("CD31", "positive"), ("CD34", "positive")],
        ),
        (
            "Positive for calmodulin binding transcription activator 1, ERG and CD31.",
            [("ERG", "positive"), ("CD31", "positive")],
        ),
        # what stands between a marker and its status: a gloss, the tissue it was done on
        ("PD-L1 performed on the primary tumour was negative.", [("PD-L1", "negative")]),
        ("Immunoreactivity for ALK and ROS1 resulted negative.", [("ALK", "negative"), ("ROS1", "negative")]),
        ("The tumour was ER+, PR+, HER-2 −.", [("ER", "positive"), ("PR", "positive"), ("HER2", "negative")]),
        # viral markers of the tumour tissue
        ("In situ hybridisation for EBV-encoded RNA was negative.", [("EBER", "negative")]),
        ("The carcinoma was HPV-16 positive.", [("HPV", "positive")]),
        # a pan-keratin written with spaces
        ("The tumour was positive for AE1 / AE3.", [("AE1/AE3", "positive")]),
        # the result is in the name
        ("The tumour was MSI-H.", [("MSI", "positive")]),
        ("It was microsatellite stable (MSS) and MMR-proficient.", [("MSI", "negative"), ("MMR", "positive")]),
        # the adverb gives the polarity: "negatively expressed", "negatively stained for"
        (
            "The tumour cells negatively expressed CK7, desmin and DOG1.",
            [("CK7", "negative"), ("desmin", "negative"), ("DOG1", "negative")],
        ),
        ("The cells were negatively stained for SOX10.", [("SOX10", "negative")]),
        # light-chain restriction of a plasma-cell tumour; a pan-keratin written PanCK
        (
            "The plasma cells were positive for CD138 and kappa, negative for lambda.",
            [("CD138", "positive"), ("kappa", "positive"), ("lambda", "negative")],
        ),
        ("PanCK was negative.", [("AE1/AE3", "negative")]),
        # a verb of staining tells a positive result of the tumour's cells, not of the stroma's
        (
            "CD3, CD5 and CD30 stained a subset of the tumour cells.",
            [("CD3", "positive"), ("CD5", "positive"), ("CD30", "positive")],
        ),
        ("CD3 highlighted the background reactive T cells.", []),
        ("CD68 stained large foamy cells.", []),
        ("Neither CD3 nor CD5 stained the tumour cells.", []),
        # the word "marker" between the name and its value
        ("The SOX10 marker was negative.", [("SOX10", "negative")]),
    ],
)
def test_phrasing(read, text: str, expected: list[tuple[str, str]]) -> None:
    assert _statuses(read(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a denial before a list governs the verb after it
        ("Neither CK7 nor CD117 was expressed.", [("CK7", "negative"), ("CD117", "negative")]),
        (
            "None of the breast markers (ER, PR, GATA3) were positive.",
            [("ER", "negative"), ("PR", "negative"), ("GATA3", "negative")],
        ),
        ("There was no ER or PR expression in the nodal biopsy.", [("ER", "negative"), ("PR", "negative")]),
        ("The tumour showed loss of MLH1 and PMS2 nuclear expression.", [("MLH1", "negative"), ("PMS2", "negative")]),
        ("The tumour showed no loss of MLH1 and PMS2 expression.", [("MLH1", "positive"), ("PMS2", "positive")]),
        ("No CK7-positive cells were seen.", [("CK7", "negative")]),
        # "non-reactive", "unreactive", "not positive for"
        (
            "Reactive for PSA and non-reactive for CK7 and CK20.",
            [("PSA", "positive"), ("CK7", "negative"), ("CK20", "negative")],
        ),
        ("ER and GATA3 were non-reactive.", [("ER", "negative"), ("GATA3", "negative")]),
        ("Positive for CK7 and unreactive for CK20.", [("CK7", "positive"), ("CK20", "negative")]),
        ("The biopsy was not positive for ER and was positive for GATA3.", [("ER", "negative"), ("GATA3", "positive")]),
        ("The cells were not only positive for CK7 but also for CK19.", [("CK7", "positive")]),
        # the list after "but not" / "but neither" after a verb of staining
        (
            "The cells expressed PAX8 and WT1 but not GATA3 or mammaglobin.",
            [("PAX8", "positive"), ("WT1", "positive"), ("GATA3", "negative"), ("mammaglobin", "negative")],
        ),
        (
            "The cells expressed CK20 and CDX2 but neither CK7 nor p63.",
            [("CK20", "positive"), ("CDX2", "positive"), ("CK7", "negative"), ("p63", "negative")],
        ),
        ("The cells stained strongly for S100 but not for HMB-45.", [("S-100", "positive"), ("HMB-45", "negative")]),
        ("Positive for CK7, not CK20.", [("CK7", "positive"), ("CK20", "negative")]),
        # "as were": the status of the result before
        ("ER was negative, as were PR and GATA3.", [("ER", "negative"), ("PR", "negative"), ("GATA3", "negative")]),
        ("SOX10 was positive, as was S100.", [("SOX10", "positive"), ("S-100", "positive")]),
        # ... and what it does not govern
        ("Neither EGFR nor KRAS mutations were detected.", [("EGFR", "negative"), ("KRAS", "negative")]),
        ("Neither MLH1 nor PMS2 was lost.", [("MLH1", "positive"), ("PMS2", "positive")]),
        ("It did not show loss of MLH1 and PMS2 nuclear expression.", [("MLH1", "positive"), ("PMS2", "positive")]),
        ("ER was not strongly positive.", []),
        ("ER was positive in the breast; it was negative in the liver, as was PR.", [("ER", "positive")]),
        ("Background lymphocytes expressed CD3 and CD5 but not CD20.", [("CD3", "positive"), ("CD5", "positive")]),
        ("Background lymphocytes were unreactive for CK7.", []),
        ("CD3 highlighted non-reactive lymphocytes.", []),
        ("The tumour showed loss of BRG1, and INI1 was retained.", [("INI1", "positive")]),
        (
            "It was negative for CK5/6, and neither p40 nor p63.",
            [("CK5/6", "negative"), ("p40", "negative"), ("p63", "negative")],
        ),
        (
            "Negative for CK20, expressing TTF-1 but not p40.",
            [("CK20", "negative"), ("TTF-1", "positive"), ("p40", "negative")],
        ),
        ("There was CD3 expression in the tumour-infiltrating lymphocytes.", []),
        ("The sections were stained for CK7 but not for CDX2, the block being exhausted.", [("CK7", "positive")]),
    ],
)
def test_a_denial_governs_the_list_it_leads(read, text: str, expected: list[tuple[str, str]]) -> None:
    assert _statuses(read(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "marker", "status", "note"),
    [
        ("ER was positive (Allred 7/8).", "ER", "positive", "Allred score 7"),
        ("ER Allred score 2.", "ER", "negative", "Allred score 2"),
        ("PR H-score 180, positive.", "PR", "positive", "H-score 180"),
        ("PD-L1 (22C3) TPS 60%.", "PD-L1", "positive", "tumour proportion score 60%"),
        ("PD-L1 (SP263): TPS <1%.", "PD-L1", "negative", "tumour proportion score <1%"),
        ("PD-L1 (CPS=12) in the biopsy.", "PD-L1", "positive", "combined positive score 12"),
        ("PD-L1 combined positive score of 0.", "PD-L1", "negative", "combined positive score 0"),
    ],
)
def test_scores_by_name(read, text: str, marker: str, status: str, note: str | None) -> None:
    [result] = read(text)
    assert (result.marker, result.status, result.note) == (marker, status, note)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ki-67 >90%", ("Ki-67", None, 90.0, ">", None, None)),
        ("The Ki-67 index was 70-80%.", ("Ki-67", None, 70.0, None, None, None)),  # a range keeps its first bound
        ("Ki-67 (a grading marker) was 5%.", ("Ki-67", None, 5.0, None, None, None)),
        ("About 90% of tumour cells were positive for ER.", ("ER", "positive", 90.0, "~", None, None)),
        ("HER2 (3+) was found.", ("HER2", None, None, None, "3+", None)),  # a value in parentheses is no gloss
        ("ER+ (70%)", ("ER", "positive", 70.0, None, None, None)),  # a sign's parenthesis, as a word's
        ("HER2- (1+)", ("HER2", "negative", None, None, "1+", None)),
        ("It was PR+, approximately 30%; and", ("PR", "positive", 30.0, "~", None, None)),  # a comma's amount
        ("It was ER positive, >90%.", ("ER", "positive", 90.0, ">", None, None)),
        ("It was HER2+, 0%.", ("HER2", None, 0.0, None, None, None)),  # sign and amount at odds: no status
        ("Ki-67 showed positivity at a rate of 10-15%.", ("Ki-67", "positive", 10.0, None, None, None)),
        ("MIB-1 labelling index of 30%", ("Ki-67", None, 30.0, None, None, None)),
        # the article after a verb of finding; not after "with", where the index is another marker's
        ("Ki-67 staining revealed a proliferative index of 30%.", ("Ki-67", None, 30.0, None, None, None)),
        ("Ki-67 showed a labelling index of 2.5%.", ("Ki-67", None, 2.5, None, None, None)),
        ("It was negative for CD43 with a proliferation index of 5%.", ("CD43", "negative", None, None, None, None)),
        (
            "It was positive for CD56, which had a proliferation index of 15%.",
            ("CD56", "positive", None, None, None, None),
        ),
        ("HER2 score 0", ("HER2", None, None, None, "0", None)),
        ("weakly positive for GATA3", ("GATA3", "positive", None, None, None, "weak")),
        ("focal staining for CK20", ("CK20", "positive", None, None, None, "focal")),
        ("diffusely positive for SOX10", ("SOX10", "positive", None, None, None, "diffuse")),
        ("GATA3 showed weak focal staining", ("GATA3", "positive", None, None, None, "weak")),
        ("CDX2 with diffuse strong nuclear expression", ("CDX2", "positive", None, None, None, "diffuse")),
        # a proliferation index written before its marker
        ("The tumour had a 30% Ki-67 proliferation index.", ("Ki-67", None, 30.0, None, None, None)),
        ("It showed <5% Ki-67 positivity.", ("Ki-67", "positive", 5.0, "<", None, None)),
        ("It had a 5-10% Ki-67 index.", ("Ki-67", None, 5.0, None, None, None)),  # a range keeps its first bound
        # the share of cells before a verb that names the marker
        ("About 80% of tumour cells expressed ER.", ("ER", "positive", 80.0, "~", None, None)),
        ("More than 50% of tumour cells expressing PD-L1.", ("PD-L1", "positive", 50.0, ">", None, None)),
    ],
)
def test_values_and_patterns(read, text: str, expected: tuple) -> None:
    [r] = read(text)
    assert (r.marker, r.status, r.percent, r.comparator, r.score, r.pattern) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HER2 was not amplified by FISH.", [("HER2", "negative", "FISH")]),
        ("HER2 was 2+ by IHC; FISH showed no amplification.", [("HER2", None, "IHC"), ("HER2", "negative", "FISH")]),
        (
            "HER2 2+, and SISH demonstrated HER2 gene amplification.",
            [("HER2", None, "IHC"), ("HER2", "positive", "ISH")],
        ),
        ("HER2 amplification was not detected.", [("HER2", "negative", "ISH")]),
        ("ALK rearrangement was negative by FISH.", [("ALK", "negative", "FISH")]),
        ("FISH for ALK was negative.", [("ALK", "negative", "FISH")]),
        ("FISH gave a HER2/CEP17 ratio of 2.4, in keeping with amplification.", [("HER2", "positive", "FISH")]),
        ("ER 95% (Allred 8), HER2 1+.", [("ER", None, "IHC"), ("HER2", None, "IHC")]),
        # the method named after the result
        ("HER2 was 2+ by IHC but negative by FISH.", [("HER2", None, "IHC"), ("HER2", "negative", "FISH")]),
        # the hybridisation's own verdict after "and", not a method of the score before it
        ("HER2 2+ by IHC and FISH showed no amplification.", [("HER2", None, "IHC"), ("HER2", "negative", "FISH")]),
        ("HER2 was 2+ with no amplification on ISH.", [("HER2", None, "IHC")]),
        ("ALK was positive by FISH.", [("ALK", "positive", "FISH")]),
    ],
)
def test_in_situ_hybridisation_is_its_own_assay(read, text: str, expected: list[tuple]) -> None:
    assert [(r.marker, r.status, r.assay) for r in read(text)] == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NGS showed an EGFR exon 19 deletion.", [("EGFR", "positive", "NGS", "alteration: exon 19 deletion")]),
        ("Sequencing found EGFR T790M.", [("EGFR", "positive", "NGS", "alteration: T790M")]),
        ("A KRAS G12C mutation was found by PCR.", [("KRAS", "positive", "PCR", "alteration: G12C")]),
        ("BRAF V600E mutation was absent (NGS).", [("BRAF", "negative", "NGS", "alteration: V600E")]),
        ("The tumour was KRAS wild-type by PCR.", [("KRAS", "negative", "PCR", None)]),
        ("KRAS codon 12 mutation was not detected by PCR.", [("KRAS", "negative", "PCR", "alteration: codon 12")]),
        # the oestrogen receptor's gene, apart from the receptor; a GIST's second gene
        ("NGS showed an ESR1 D538G mutation.", [("ESR1", "positive", "NGS", "alteration: D538G")]),
        ("A PDGFRA D842V mutation was found by PCR.", [("PDGFRA", "positive", "PCR", "alteration: D842V")]),
        ("KRAS codons 12 and 13 were wild-type by PCR.", [("KRAS", "negative", "PCR", "alteration: codons 12 and 13")]),
        # a named variant's test, then its verdict: not a variant found
        ("BRAF V600E immunohistochemistry was negative.", [("BRAF", "negative", "IHC", "alteration: V600E")]),
        ("BRAF V600E (VE1) immunostaining was positive.", [("BRAF", "positive", "IHC", "alteration: V600E")]),
        ("Calretinin staining was negative.", [("calretinin", "negative", "IHC", None)]),
        ("ALK fusion immunostaining was positive.", [("ALK", "positive", "IHC", None)]),
        ("By PCR, EGFR L858R testing of the biopsy was negative.", [("EGFR", "negative", "PCR", "alteration: L858R")]),
        (
            "The biopsy was tested by PCR for the EGFR T790M mutation, which was negative.",
            [("EGFR", "negative", "PCR", "alteration: T790M")],
        ),
        (
            "No mutations in EGFR, KRAS or BRAF were found by NGS.",
            [("EGFR", "negative", "NGS", None), ("KRAS", "negative", "NGS", None), ("BRAF", "negative", "NGS", None)],
        ),
        ("ALK rearrangement was detected by NGS.", [("ALK", "positive", "NGS", None)]),
        (
            "NGS showed a mutation in KRAS G12C, negative for EGFR and BRAF.",
            [
                ("KRAS", "positive", "NGS", "alteration: G12C"),
                ("EGFR", "negative", "NGS", None),
                ("BRAF", "negative", "NGS", None),
            ],
        ),
        ("NGS found no FGFR or ALK fusion.", [("ALK", "negative", "NGS", None)]),  # a gene the vocabulary lacks first
        (
            "FISH was negative for c-MYC, BCL6 or BCL2 gene rearrangements.",
            [
                ("MYC", "negative", "FISH", None),
                ("Bcl-6", "negative", "FISH", None),
                ("Bcl-2", "negative", "FISH", None),
            ],
        ),
        (
            "NGS found no EGFR mutation, excluding KRAS and BRAF mutations.",
            [("EGFR", "negative", "NGS", None), ("KRAS", "negative", "NGS", None), ("BRAF", "negative", "NGS", None)],
        ),
        # an article or a panel between the negation and the genes
        ("The tumour was negative for the ALK rearrangement by FISH.", [("ALK", "negative", "FISH", None)]),
        (
            "NGS found no pathogenic alterations in genes such as EGFR or KRAS.",
            [("EGFR", "negative", "NGS", None), ("KRAS", "negative", "NGS", None)],
        ),
        (
            "NGS revealed mutations in genes such as KRAS and BRAF.",
            [("KRAS", "positive", "NGS", None), ("BRAF", "positive", "NGS", None)],
        ),
        # a variant set off by a comma after its gene, in HGVS notation
        ("NGS found a variant in KRAS, c.35G>A, in the tumour.", [("KRAS", "positive", "NGS", "alteration: c.35G>A")]),
        # a protein change set off by a slash or a comma
        ("NGS of the tumour found a KRAS/G12V mutation.", [("KRAS", "positive", "NGS", "alteration: G12V")]),
        ("NGS showed BRAF, V600E mutation.", [("BRAF", "positive", "NGS", "alteration: V600E")]),
        # the gene after the verb of the finding, or after the test's name
        ("No mutation was detected in the KRAS gene by NGS.", [("KRAS", "negative", "NGS", None)]),
        (
            "Mutation analysis for EGFR was negative.",
            [("EGFR", "negative", "PCR", "molecular assay not named in the text; PCR assumed")],
        ),
    ],
)
def test_gene_alterations_are_molecular_results(read, text: str, expected: list[tuple]) -> None:
    assert [(r.marker, r.status, r.assay, r.note) for r in read(text)] == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # markers shaped like a protein change are stains of a list, not variants of the marker before
        ("The cells expressed CK7, H3K27me3 and CD34.", ["CK7", "H3K27me3", "CD34"]),
        ("It was positive for PAX8, CD10, P504s and CAM5.2.", ["PAX8", "CD10", "P504S", "CAM5.2"]),
    ],
)
def test_a_marker_shaped_like_a_variant_is_a_list_item(read, text: str, expected: list[str]) -> None:
    results = read(text)
    assert [r.marker for r in results] == expected
    assert {(r.status, r.assay) for r in results} == {("positive", "IHC")}


def test_a_molecular_assay_the_text_does_not_name_is_said_to_be_assumed(read) -> None:
    [r] = read("The tumour harboured an EGFR L858R mutation.")
    assert (r.status, r.assay) == ("positive", "PCR")
    assert r.note is not None and "PCR assumed" in r.note


@pytest.mark.parametrize(
    "text",
    [
        "EGFR mutation testing was performed.",
        "EGFR exon 19 and 21 were sequenced.",
        "KRAS status was requested.",
        # a hyphen held for the word after it is no negative sign
        "She took erlotinib for epidermal growth factor receptor- (EGFR-) positive disease.",
    ],
)
def test_a_test_without_its_result_is_no_result(read, text: str) -> None:
    assert read(text) == [], text


@pytest.mark.parametrize(
    ("marker", "score", "hormone_receptor", "status"),
    [
        ("HER2", "0", False, "negative"),
        ("HER2", "1+", False, "negative"),
        ("HER2", "2+", False, "equivocal"),
        ("HER2", "3+", False, "positive"),
    ],
)
def test_her2_score_takes_the_asco_cap_status(marker: str, score: str, hormone_receptor: bool, status: str) -> None:
    result = ParsedResult(marker, None, None, None, score, None, (0, 4), (5, 7))
    assert guideline_status(result, hormone_receptor) == status


def test_a_her2_score_by_hybridisation_takes_no_ihc_status() -> None:
    result = ParsedResult("HER2", None, None, None, "2+", None, (0, 4), (5, 7), "FISH")
    assert guideline_status(result, hormone_receptor=False) is None


@pytest.fixture(scope="module")
def read_doc():
    """Results from the pipeline's own marker mentions: vocabulary, implied, misspelt, unlisted."""
    nlp = get_pipeline(Settings().ontology_dir)

    def parse(text: str) -> list[ParsedResult]:
        doc = annotate(nlp, text)
        return parse_results(text, [MarkerMention(m.start, m.end, m.key) for m in doc._.marker_mentions])

    return parse


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The cells were positive for synaptophysine and vimentine.",
            [("synaptophysin", "positive"), ("vimentin", "positive")],
        ),
        ("It was microsatelite stable.", [("MSI", "negative")]),
        ("Calretenin (-)", [("calretinin", "negative")]),
        ("The cells were positive for GATA-2.", [("GATA-2", "positive")]),  # another gene, not GATA3 misspelt
        # a Roman numeral is a number too: factor XIIIa is no factor VIII misspelt
        ("Positive for CD68 and factor XIIIa.", [("CD68", "positive"), ("factor XIIIa", "positive")]),
        ("Positive for factor VIII and CD31.", [("factor VIII", "positive"), ("CD31", "positive")]),
        # a word left in empty parentheses is no abbreviation of what comes before it
        (
            "It was negative for desmin, and with retention of INI1 expression ( and ). "
            "She had weight loss, and loss of appetite.",
            [("desmin", "negative"), ("INI1", "positive")],
        ),
    ],
)
def test_a_misspelt_marker_is_read_as_the_marker(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Positive for CD99, CD57 and desmin.", [("CD99", "positive"), ("CD57", "positive"), ("desmin", "positive")]),
        ("The tumour was XPO7-negative.", [("XPO7", "negative")]),
        ("ABCB5 (+), SOX10 (+)", [("ABCB5", "positive"), ("SOX10", "positive")]),
        ("P57 staining was negative.", [("P57", "negative")]),  # a protein named by its weight
    ],
)
def test_a_marker_outside_the_vocabulary_is_kept_as_written(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


@pytest.mark.parametrize(
    "text",
    [
        "LVEF was 55% and SaO2 95%.",
        "PET/CT was negative for distant disease.",
        "HIV negative, HBsAg negative.",
        "There was no infiltration of IgG4-positive plasma cells.",  # the stroma's cells, not the tumour's
        "Cytology was positive for malignant cells in the pleural fluid, and CEA was elevated.",
        "The stroma held CD8-positive T cells.",
        "Stage IVB (positive nodes).",
        "The CT scan (COVID-19 negative) was unremarkable.",
    ],
)
def test_capitals_that_are_no_markers_give_no_result(read_doc, text: str) -> None:
    assert read_doc(text) == [], text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ", and" before a marker with a verb of either number opens its own clause
        ("It was negative for ER, and PR showed weak positivity.", [("ER", "negative"), ("PR", "positive")]),
        (
            "It was negative for p40, and TTF-1 showed a diffuse positivity.",
            [("p40", "negative"), ("TTF-1", "positive")],
        ),
        ("ER and PR showed strong positivity.", [("ER", "positive"), ("PR", "positive")]),
    ],
)
def test_a_verb_after_comma_and_takes_its_own_marker(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # cells named by a positive marker, then denied
        ("Notably, EBV-positive cells were absent.", [("EBV", "negative")]),
        ("CD30-positive tumour cells were not identified.", [("CD30", "negative")]),
        ("CD30-positive cells were numerous.", [("CD30", "positive")]),
    ],
)
def test_cells_positive_for_a_marker_may_be_absent(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


def test_triple_negative_names_er_pr_and_her2(read_doc) -> None:
    results = read_doc("A triple-negative carcinoma.")
    assert _statuses(results) == [("ER", "negative"), ("PR", "negative"), ("HER2", "negative")]


def test_the_receptor_shared_by_estrogen_and_progesterone(read_doc) -> None:
    assert _statuses(read_doc("Negative for estrogen and progesterone receptors.")) == [
        ("ER", "negative"),
        ("PR", "negative"),
    ]


def test_a_long_form_before_the_abbreviation_carries_the_marker(read_doc) -> None:
    text = "Diffuse staining for cluster of differentiation 10 (CD10) and vimentin."
    assert _statuses(read_doc(text)) == [("CD10", "positive"), ("vimentin", "positive")]
    assert _statuses(read_doc("The cells were tumor protein 63 (P63) (++).")) == [("p63", "positive")]


def test_a_percent_at_the_end_of_a_list_is_the_last_markers_own(read_doc) -> None:
    results = read_doc("The tumour cells expressed CD20, CD79a and CD10 (30%).")
    assert [(r.marker, r.status, r.percent) for r in results] == [
        ("CD20", "positive", None),
        ("CD79a", "positive", None),
        ("CD10", "positive", 30.0),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Positive for TTF-1 (Fig. 3) and CK7.", [("TTF-1", "positive"), ("CK7", "positive")]),
        (
            "Positive for TTF-1 (Fig. 1: Panel B), CK7 and GATA3.",
            [("TTF-1", "positive"), ("CK7", "positive"), ("GATA3", "positive")],
        ),
        (
            "Positive for TTF-1 (Fig.2b), CK7 (Fig.2c) and GATA3.",
            [("TTF-1", "positive"), ("CK7", "positive"), ("GATA3", "positive")],
        ),
        ("Positive for neuroendocrine markers CD56 and INSM1.", [("CD56", "positive"), ("INSM1", "positive")]),
        (
            "Positive for vascular markers (CD31, CD34 and ERG).",
            [("CD31", "positive"), ("CD34", "positive"), ("ERG", "positive")],
        ),
        ("Positive for markers of vimentin and desmin.", [("vimentin", "positive"), ("desmin", "positive")]),
        ("Staining showed SOX10 along with HMB-45 positive.", [("SOX10", "positive"), ("HMB-45", "positive")]),
        ("Negative for the immunohistochemical stains CD117 and DOG1.", [("CD117", "negative"), ("DOG1", "negative")]),
        # markers of the mesothelioma and glioma panels
        ("Negative for B72.3 and CEA.", [("B72.3", "negative"), ("CEA", "negative")]),
        ("Positive for neuronal nuclear protein (NeuN) and nestin.", [("NeuN", "positive"), ("nestin", "positive")]),
        # an item qualified by where or how it stains
        ("Positive expression of CK7, and nuclear TTF-1.", [("CK7", "positive"), ("TTF-1", "positive")]),
        ("It expressed CD45, weak CD10 and EMA.", [("CD45", "positive"), ("CD10", "positive"), ("EMA", "positive")]),
        # staining noted after the list
        ("Partial CD99 and focal CD45 expression were noted.", [("CD99", "positive"), ("CD45", "positive")]),
        ("No CK20 expression was seen.", [("CK20", "negative")]),
        ("No marked change of CD10 expression was observed.", []),
        # "but not for": the other status for the list after it
        (
            "Positive for CK7 and GATA3, but not for CK20 and ER.",
            [("CK7", "positive"), ("GATA3", "positive"), ("CK20", "negative"), ("ER", "negative")],
        ),
        ("Negative for CK20 but not for CK7.", [("CK20", "negative"), ("CK7", "positive")]),
        # what was tested, not what was found
        ("The expression of PD-L1 and CD10 was analysed on blood cells.", []),
        # a qualified item with its own value, a percent that leads the next clause, where staining lay
        ("It was positive for CK7, and nuclear TTF-1 was negative.", [("CK7", "positive"), ("TTF-1", "negative")]),
        ("HER2 negative, 95% of tumour cells were ER positive.", [("HER2", "negative"), ("ER", "positive")]),
        ("Absence of CD10 expression was noted.", [("CD10", "negative")]),
        ("CD3 expression was seen only in the surrounding reactive T cells.", []),
        ("It was positive for CK7; staining was repeated for CDX2 but not for CK20.", [("CK7", "positive")]),
        ("Positive for CK7, and other stains including CK20 and CDX2 were pending.", [("CK7", "positive")]),
    ],
)
def test_a_list_may_cite_a_figure_or_name_its_panel(read, text: str, expected: list[tuple]) -> None:
    assert _statuses(read(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("There was no EGFR mutation.", [("EGFR", "negative")]),
        ("BRAF gene testing was negative.", [("BRAF", "negative")]),
        ("A NRAS Q61R gene mutation was found.", [("NRAS", "positive")]),
        ("Variants in the KRAS and PIK3CA genes were found.", [("KRAS", "positive"), ("PIK3CA", "positive")]),
        (
            "On sequencing, mutations were detected in the KRAS and PIK3CA genes.",
            [("KRAS", "positive"), ("PIK3CA", "positive")],
        ),
        ("Testing for mutations in EGFR and ALK was sent.", []),
        ("Sequencing revealed variants in the BRAF and NRAS genes.", [("BRAF", "positive"), ("NRAS", "positive")]),
        ("It did not show mutations in the KRAS and NRAS genes.", [("KRAS", "negative"), ("NRAS", "negative")]),
        ("Mutations in KRAS are linked to resistance.", []),
        # the gene's mutation, apart from HER2 status, which the reasoner reads from any HER2 result
        ("An ERBB2 mutation was found.", [("ERBB2", "positive")]),
        ("Sequencing identified an ERBB2 exon 20 insertion.", [("ERBB2", "positive")]),
        (
            "Mutations including ERBB2, KRAS and PIK3CA were found.",
            [("ERBB2", "positive"), ("KRAS", "positive"), ("PIK3CA", "positive")],
        ),
        ("No ERBB2 mutation was detected.", [("ERBB2", "negative")]),
        ("NGS did not detect an EGFR mutation.", [("EGFR", "negative")]),
        (
            "There was no EGFR mutation, but a KRAS G12D mutation was detected.",
            [("EGFR", "negative"), ("KRAS", "positive")],
        ),
        (
            "No mutations were found in EGFR, ERBB2 or KRAS.",
            [("EGFR", "negative"), ("ERBB2", "negative"), ("KRAS", "negative")],
        ),
    ],
)
def test_gene_alterations_stated_before_the_gene(read, text: str, expected: list[tuple]) -> None:
    results = read(text)
    assert _statuses(results) == expected, text
    assert all(r.assay in ("PCR", "NGS") for r in results)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a gene the vocabulary lacks, listed with a known one before their alteration word
        ("Sequencing revealed TP53 and APC mutations.", [("TP53", "positive"), ("APC", "positive")]),
        (
            "Sequencing revealed KRAS G12D, TP53 R175H and APC mutations.",
            [("KRAS", "positive"), ("TP53", "positive"), ("APC", "positive")],
        ),
        ("Sequencing revealed APC and KRAS mutations.", [("APC", "positive"), ("KRAS", "positive")]),
        ("There were no APC or KRAS mutations.", [("APC", "negative"), ("KRAS", "negative")]),
        # alone, such a gene's variant may be the patient's own: a haemochromatosis, a myopathy
        ("Genetic testing revealed an HFE mutation.", []),
        ("Exome sequencing found a TTN variant and a KRAS mutation.", [("KRAS", "positive")]),
        # only where the sentence reports what was found: not a test meant, a general statement, a
        # variant of no significance or an inherited one
        ("He was screened for TP53 and APC mutations.", []),
        ("Sequencing to look for TP53 and SMAD4 mutations was performed.", []),
        ("The frequency of TP53 and SMAD4 mutations in pancreatic cancer exceeds 50%.", []),
        ("If EGFR and STK11 mutations are present, prognosis is poor.", []),
        ("Sequencing revealed BRAF and TTN variants of uncertain significance.", []),
        ("Tumours with KRAS and APC mutations do not respond to cetuximab.", []),
    ],
)
def test_unlisted_genes_listed_with_known_ones_before_their_alteration(
    read_doc, text: str, expected: list[tuple]
) -> None:
    assert _statuses(read_doc(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HER2 was amplified.", [("HER2", "positive")]),
        ("FISH showed HER2 gene amplification.", [("HER2", "positive")]),
        ("Sequencing found an ERBB2 alteration (amplification).", []),  # no assay to read HER2 status from
    ],
)
def test_an_amplified_her2_stays_her2(read, text: str, expected: list[tuple]) -> None:
    assert _statuses(read(text)) == expected, text


def test_ki67_is_an_index_without_status() -> None:
    result = ParsedResult("Ki-67", "positive", 30.0, None, None, None, (0, 5), (6, 10))
    assert guideline_status(result, hormone_receptor=False) is None


@pytest.mark.parametrize(("percent", "status"), [(0.0, "negative"), (1.0, "positive"), (60.0, "positive")])
def test_pd_l1_tumour_proportion_takes_the_one_percent_cut_off(percent: float, status: str) -> None:
    result = ParsedResult("PD-L1", None, percent, None, None, None, (0, 5), (6, 10))
    assert guideline_status(result, hormone_receptor=False) == status


def test_an_assay_named_intact_is_no_result(read_doc) -> None:
    results = read_doc("Serum intact PTH was 80 pg/mL; the tumour was positive for chromogranin A.")
    assert _statuses(results) == [("chromogranin-A", "positive")]


def test_a_result_in_parentheses_is_not_an_abbreviation_of_its_marker(extract) -> None:
    """ "EMA (focal+)" has the shape of "long form (abbreviation)"; the value is not a second EMA."""
    text = (
        "Case presentation\n\nA 50-year-old woman had a renal mass. A biopsy was done. Immunohistochemistry "
        "showed tumour cells CD10 (focal+), EMA (focal+), CK7 (−) and vimentin (diffuse+)."
    )
    results = {r.marker: (r.status, r.pattern) for sp in extract(text).patients[0].specimens for r in sp.results}
    assert results["EMA"] == ("positive", "focal")
    assert results["CK7"] == ("negative", None)
    assert results["vimentin"] == ("positive", "diffuse")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The tumour was ER 1% Ki-67 index low.", [("ER", None, 1.0), ("Ki-67", "low", None)]),
        ("Molecular testing for HER2 was positive.", [("HER2", "positive", None)]),
        ("Molecular testing for PD-L1 was negative.", [("PD-L1", "negative", None)]),
        ("No mutation was detected in the MMR genes.", []),
    ],
)
def test_values_and_tests_that_belong_to_another_marker_or_assay(read, text: str, expected: list[tuple]) -> None:
    assert [(r.marker, r.status, r.percent) for r in read(text)] == expected
    assert all(r.assay == "IHC" for r in read(text))


def test_a_mutation_test_covers_each_gene_of_its_list(read) -> None:
    results = read("Mutation analysis for EGFR and ALK was negative.")
    assert [(r.marker, r.status, r.assay) for r in results] == [("EGFR", "negative", "PCR"), ("ALK", "negative", "PCR")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chromogranin, synaptophysin and trypsin were negative.", ["chromogranin-A", "synaptophysin", "trypsin"]),
        ("The cells were negative for CK20, maspin and markers of the neural crest.", ["CK20", "maspin"]),
        ("The cells were negative for cytokeratins, melanocytic and myeloid markers.", ["CK"]),
    ],
)
def test_a_word_listed_among_markers_is_kept_as_written(read_doc, text: str, expected: list[str]) -> None:
    assert [r.marker for r in read_doc(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a status word after "with" leads the next marker, not the one before
        (
            "Staining showed loss of MLH1 and PMS2 expression with retained MSH2 and MSH6.",
            [("MLH1", "negative"), ("PMS2", "negative"), ("MSH2", "positive"), ("MSH6", "positive")],
        ),
        ("CK7 staining with positive CK20 and negative CDX2.", [("CK20", "positive"), ("CDX2", "negative")]),
        (
            "MLH1 and PMS2 were lost; MSH2 and MSH6 were preserved.",
            [("MLH1", "negative"), ("PMS2", "negative"), ("MSH2", "positive"), ("MSH6", "positive")],
        ),
        (
            "Staining showed absent MLH1 expression with preserved nuclear MSH6 expression.",
            [("MLH1", "negative"), ("MSH6", "positive")],
        ),
        # the panel's members named after it take the result, the panel itself none
        (
            "There was retained expression of the mismatch repair proteins (MLH1, PMS2, MSH2 and MSH6).",
            [("MLH1", "positive"), ("PMS2", "positive"), ("MSH2", "positive"), ("MSH6", "positive")],
        ),
        ("Loss of the mismatch repair proteins MSH2 and MSH6.", [("MSH2", "negative"), ("MSH6", "negative")]),
        ("The tumour was mismatch repair-deficient.", [("MMR", "negative")]),
    ],
)
def test_mismatch_repair_results(read, text: str, expected: list[tuple]) -> None:
    assert _statuses(read(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a denial after the list is every item's
        (
            "Mutations in KRAS, NRAS and BRAF were not detected.",
            [("KRAS", "negative"), ("NRAS", "negative"), ("BRAF", "negative")],
        ),
        ("Expression of CK7 and CK20 was not detected.", [("CK7", "negative"), ("CK20", "negative")]),
        ("Mutations in KRAS and NRAS were detected.", [("KRAS", "positive"), ("NRAS", "positive")]),
        # a denial before the marker turns an amplification negative
        ("There was no HER2 amplification.", [("HER2", "negative")]),
        ("FISH showed no evidence of HER2 amplification.", [("HER2", "negative")]),
        (
            "It was CD31 positive, with no observed CD30 expression or MYC overexpression.",
            [("CD31", "positive"), ("CD30", "negative"), ("MYC", "negative")],
        ),
        (
            "Not only HER2 amplification but also EGFR overexpression was found.",
            [("HER2", "positive"), ("EGFR", "positive")],
        ),
        (
            "No amplification of MYC, MYCN or EGFR was observed.",
            [("MYC", "negative"), ("MYCN", "negative"), ("EGFR", "negative")],
        ),
        ("FISH showed amplification of HER2.", [("HER2", "positive")]),
    ],
)
def test_denials_before_and_after_the_markers(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


def test_an_unlisted_marker_abbreviated_after_its_name_keeps_its_result(read_doc) -> None:
    results = read_doc("Staining: vascular endothelial growth factor (VEGF) (+), CD31 (+).")
    assert [(r.marker, r.status) for r in results] == [("VEGF", "positive"), ("CD31", "positive")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an antibody's maker in parentheses names no marker and ends no list
        (
            "The cells were positive for CD138 (Dako, Glostrup, Denmark), CD20 (Dako), and CD3 (Dako).",
            [("CD138", "positive"), ("CD20", "positive"), ("CD3", "positive")],
        ),
        (
            "ER (clone SP1; Ventana, Tucson, AZ) was positive and PR (Dako) negative.",
            [("ER", "positive"), ("PR", "negative")],
        ),
        # a status after a comma leads the next item, not the one before
        ("The cells were positive for CD99, wild-type p53 and BCL2.", [("CD99", "positive")]),
        # a name the vocabulary lacks before a known marker of a list with a value
        (
            "CD20 was negative, whereas CD21 and CD23 tested positive.",
            [("CD20", "negative"), ("CD21", "positive"), ("CD23", "positive")],
        ),
        # staining described by where it lies, an adverb before "expressed"
        ("Desmin showed nuclear positivity.", [("desmin", "positive")]),
        ("CK7 was selectively expressed in the glandular part.", [("CK7", "positive")]),
        ("TTF-1 showed no nuclear staining.", [("TTF-1", "negative")]),
        # the stroma's cells are no result of the tumour; a B-cell lymphoma is the tumour
        ("The skin biopsy showed CD3+ T-cell infiltration.", []),
        ("Positive for multiple myeloma oncogene 1 and CD20.", [("MUM1", "positive"), ("CD20", "positive")]),
        ("The marrow showed CD5+ and CD23+ B-cell lymphoma.", [("CD5", "positive"), ("CD23", "positive")]),
        ("Follicular dendritic cells were positive for CD21 and CD23.", []),
        ("The background lymphocytes were positive for CD3, the tumour cells for CD20.", []),
        ("The overlying epithelium was diffusely positive for cytokeratin.", []),
        ("The endothelial cells were positive for CD34, as in a haemangioma.", [("CD34", "positive")]),
        # cells that reacted for a marker
        ("Many tumour cells reacted for synaptophysin.", [("synaptophysin", "positive")]),
    ],
)
def test_makers_modifiers_and_bystanders(read_doc, text: str, expected: list[tuple]) -> None:
    assert [(r.marker, r.status) for r in read_doc(text)] == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the verdict after the markers: absent, immunopositive, reactive at the clause's end
        ("Desmin and myogenin expression were absent.", [("desmin", "negative"), ("myogenin", "negative")]),
        (
            "The tumour showed CK7 immunopositivity and CK20 immunonegativity.",
            [("CK7", "positive"), ("CK20", "negative")],
        ),
        ("Melan-A and HMB-45 were diffusely reactive.", [("Melan-A", "positive"), ("HMB-45", "positive")]),
        ("CD68 highlighted reactive histiocytes.", []),
        # the verdict before them: after a colon, in the tumour cells, "not only ... but also"
        (
            "The tumour cells were negative for: desmin, S100 and CD34.",
            [("desmin", "negative"), ("S-100", "negative"), ("CD34", "negative")],
        ),
        (
            "Staining showed positive results in neoplastic cells for MUM1 and CD138, and they were negative for CD20.",
            [("MUM1", "positive"), ("CD138", "positive"), ("CD20", "negative")],
        ),
        (
            "The cells were positive for not only CK7 but also CK19 and CD56, whereas they were negative for CK20.",
            [("CK7", "positive"), ("CK19", "positive"), ("CD56", "positive"), ("CK20", "negative")],
        ),
        # a British spelling of a long name
        ("GFAP and leucocyte common antigen were negative.", [("GFAP", "negative"), ("CD45", "negative")]),
        # a list named by its panel before the markers, with a comma; stains named after them
        (
            "The cells were positive for several markers, including D2-40 and calretinin.",
            [("D2-40", "positive"), ("calretinin", "positive")],
        ),
        ("The cells were positive for vascular antigens, including CD31.", [("CD31", "positive")]),
        (
            "All other markers were negative, including CD68 and Melan-A.",
            [("CD68", "negative"), ("Melan-A", "negative")],
        ),
        ("EMA and S-100 stains were negative.", [("EMA", "negative"), ("S-100", "negative")]),
        # plural nouns of a verdict, a status of the cancer
        (
            "Spindle cells with SMA positivity and DOG1/S100 negativities.",
            [("SMA", "positive"), ("DOG1", "negative"), ("S-100", "negative")],
        ),
        ("It showed heightened expressions of synaptophysin.", [("synaptophysin", "positive")]),
        ("The ER status of the cancer was positive.", [("ER", "positive")]),
        # staining found in a share of the cells
        ("GFAP was observed in 20% of the tumour cells.", [("GFAP", "positive")]),
        ("NeuN was detected in 80% of the cells.", [("NeuN", "positive")]),
        ("CK7 was seen in some cells.", []),
        # the endothelial cells of a vascular tumour are the tumour's
        ("CD31 was positive in the endothelial cells, confirming angiosarcoma.", [("CD31", "positive")]),
        # "reactive" after an adverb only: nodes "examined with CD3 and CD20" that "were reactive"
        ("The regional nodes, examined with CD3 and CD20, were reactive.", []),
        # a denial before a noun of staining; a test not made; "less than", HER2's share
        ("There was no CK7 positivity.", [("CK7", "negative")]),
        ("Expressions of ER and PR were not assessed.", []),
        ("HER2 was expressed in 80% of cells (1+).", [("HER2", None)]),
        ("Margins were negative, including the CD34-stained deep margin.", []),
        # staining shown for a whole list, in the tumour cells
        ("Immunohistochemistry showed CK7 and TTF-1 expression.", [("CK7", "positive"), ("TTF-1", "positive")]),
        (
            "It revealed CD10, CD68, and vimentin expression in tumour cells.",
            [("CD10", "positive"), ("CD68", "positive"), ("vimentin", "positive")],
        ),
        ("The tumour showed no CK7 and TTF-1 expression.", [("CK7", "negative"), ("TTF-1", "negative")]),
        ("The tumour showed CD10 expression in the stroma.", []),
        # a verdict before a panel named by its kind, a list in parentheses, labelling, antibodies
        (
            "It showed highly positive myeloid markers such as MPO, CD43 and lysozyme.",
            [("MPO", "positive"), ("CD43", "positive"), ("lysozyme", "positive")],
        ),
        (
            "Staining of the biopsy was positive (CK, vimentin, TTF1).",
            [("CK", "positive"), ("vimentin", "positive"), ("TTF-1", "positive")],
        ),
        ("The tumour was positive (see Figure 3).", []),
        (
            "Stains demonstrated labelling with chromogranin and synaptophysin.",
            [("chromogranin-A", "positive"), ("synaptophysin", "positive")],
        ),
        (
            "It showed positivity for anti-CK7 and negativity for anti CEA and anti CK20.",
            [("CK7", "positive"), ("CEA", "negative"), ("CK20", "negative")],
        ),
        ("Positive cell staining for antigens CD20 and CD5.", [("CD20", "positive"), ("CD5", "positive")]),
        # the members of panels in parentheses, then the next item, sharing the verdict after them
        (
            "Melanocytic markers (HMB45 and Melan-A), neuroendocrine markers (chromogranin A and CD56) "
            "and desmin were all negative.",
            [
                ("HMB-45", "negative"),
                ("Melan-A", "negative"),
                ("chromogranin-A", "negative"),
                ("CD56", "negative"),
                ("desmin", "negative"),
            ],
        ),
        (
            "The tumour was positive for CK7 (diffuse), and negative for CK20.",
            [("CK7", "positive"), ("CK20", "negative")],
        ),
        # a loss that was not found is a retained protein
        ("Loss of MLH1 and PMS2 was not detected.", [("MLH1", "positive"), ("PMS2", "positive")]),
        ("Loss of MLH1 and PMS2 expression was not observed.", [("MLH1", "positive"), ("PMS2", "positive")]),
        ("Loss of MLH1 and PMS2 was detected.", [("MLH1", "negative"), ("PMS2", "negative")]),
        (
            "Loss of MLH1 and PMS2 was not detected in the normal mucosa, whereas the tumour showed loss of both.",
            [("MLH1", "negative"), ("PMS2", "negative")],
        ),
        ("The tumour did not show CK7 and TTF-1 expression.", [("CK7", "negative"), ("TTF-1", "negative")]),
        ("Staining was not positive (CK, vimentin).", []),
        (
            "There was no necrosis and cells expressing ER and PR were abundant.",
            [("ER", "positive"), ("PR", "positive")],
        ),
        # cells the text denies, described by their staining; a procedure's short form is no marker
        ("Bone marrow biopsy showed no evidence of plasma cells expressing kappa and lambda.", []),
        ("Immunohistochemical staining of TBLB showed CD68 positivity.", [("CD68", "positive")]),
        # another molecule named after a marker's name
        ("Staining for growth hormone-releasing hormone was negative.", []),
        ("Negative for prolactin receptor, positive for prolactin.", [("prolactin", "positive")]),
        ("Calcitonin gene-related peptide staining was negative.", []),
    ],
)
def test_verdict_words_of_other_shapes(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # hormones of neuroendocrine and pituitary tumours, and other panels' markers
        (
            "No gastrin expression could be detected; the adenoma was positive for prolactin and ACTH.",
            [("gastrin", "negative"), ("prolactin", "positive"), ("ACTH", "positive")],
        ),
        (
            "Positive for CD163 and c-myc, negative for CD1a, langerin and neurofilament.",
            [
                ("CD163", "positive"),
                ("MYC", "positive"),
                ("CD1a", "negative"),
                ("langerin", "negative"),
                ("neurofilament", "negative"),
            ],
        ),
        # a name before "-like" is another molecule's; an isoform's letter after a receptor's number
        ("Overexpression of the glucagon-like peptide-1 receptor was seen.", []),
        ("Focally positive for somatostatin receptor 2A.", [("SSTR2", "positive")]),
    ],
)
def test_markers_of_more_panels(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BCL-2 and MYC were about 80% and 30%, respectively.", [("Bcl-2", 80.0), ("MYC", 30.0)]),
        ("ER and PR were positive in 80% and 30% of cells, respectively.", [("ER", 80.0), ("PR", 30.0)]),
        ("ER and PR were positive (90% and 60%, respectively).", [("ER", 90.0), ("PR", 60.0)]),
        ("Positive for ER and PR (95% and 20%, respectively).", [("ER", 95.0), ("PR", 20.0)]),
        ("The cells showed strong ER and PR expression (100% and 90% of nuclei).", [("ER", 100.0), ("PR", 90.0)]),
        ("ER and PR were 80% and 30%.", [("ER", 80.0), ("PR", 30.0)]),
        # one percent for the list, or percents of different shapes, stay as they are
        ("ER and PR were positive (90%).", [("ER", 90.0), ("PR", 90.0)]),
        ("ER and PR were positive in 80% of cells and Ki-67 was 30%.", [("ER", 80.0), ("PR", 80.0), ("Ki-67", 30.0)]),
        # a marker and its share in one parenthesis
        ("The proliferation was high (Ki-67, 95%).", [("Ki-67", 95.0)]),
    ],
)
def test_percents_given_in_the_order_of_the_markers(read_doc, text: str, expected: list[tuple]) -> None:
    assert [(r.marker, r.percent) for r in read_doc(text)] == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ki-67 was positive (5%).", ("Ki-67", 5.0, None)),
        ("PD-L1 expression was positive (TPS 60%).", ("PD-L1", 60.0, None)),
        ("HER2 was negative (1+).", ("HER2", None, "1+")),
    ],
)
def test_an_amount_in_parentheses_after_a_status_word(read_doc, text: str, expected: tuple) -> None:
    assert [(r.marker, r.percent, r.score) for r in read_doc(text)] == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what a test looks for, or cannot rule out, is no result
        ("FISH testing for amplification of HER2 was performed.", []),
        ("Amplification of HER2 could not be assessed.", []),
        ("We could not exclude MET amplification.", [("MET", "positive")]),
        # an adverb that denies, staining seen elsewhere than in the tumour
        ("CK7 was rarely expressed.", []),
        ("PMS2 showed nuclear staining only in the stromal cells and lymphocytes.", []),
        ("ER showed nuclear staining in less than 1% of tumour cells.", []),
        ("ER nuclear staining was negative.", []),
        # a diagnosis before a known marker is no marker; a CD antigen is
        ("Biopsy showed CIN3 and p16 was diffusely positive.", [("p16", "positive")]),
        # a bystander's cells, but an atypical proliferation is the lesion's
        ("Atypical CD20+ B-cell proliferation was seen.", [("CD20", "positive")]),
        # denials that name the test, a location between the status and the staining
        ("PCR excluded the presence of a KRAS mutation.", [("KRAS", "negative")]),
        ("The tumour cells showed negative nuclear staining for CDX2.", [("CDX2", "negative")]),
        # a panel's members in parentheses, the value after them
        (
            "Mismatch repair proteins (MLH1, PMS2, MSH2 and MSH6) were intact.",
            [("MLH1", "positive"), ("PMS2", "positive"), ("MSH2", "positive"), ("MSH6", "positive")],
        ),
    ],
)
def test_near_misses_of_the_result_rules(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


def test_an_amount_of_another_time_is_not_this_results(read_doc) -> None:
    assert [(r.marker, r.status, r.percent) for r in read_doc("PR was positive (previously 0%).")] == [
        ("PR", "positive", None)
    ]


def test_a_percent_after_a_comma_that_leads_the_next_marker_is_not_the_first_ones(read) -> None:
    [er, pr] = read("It was ER positive, 5% PR positive.")
    assert (er.marker, er.percent, pr.marker, pr.status) == ("ER", None, "PR", "positive")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a clone in parentheses after its marker is neither a variant nor a marker of its own
        ("Immunostaining for ALK (D5F3) was positive.", [("ALK", "positive")]),
        ("ROS1 (D4D6) was negative.", [("ROS1", "negative")]),
        ("The cells were positive for SOX10 (EP268) and S100.", [("SOX10", "positive"), ("S-100", "positive")]),
        # a gene the tumour's testing names is its marker; one inherited stays a germline finding
        ("Sequencing of the biopsy showed a TP53 R273H mutation.", [("TP53", "positive")]),
        (
            "NGS showed KRAS G12D, TP53 R175H and PIK3CA E545K mutations.",
            [("KRAS", "positive"), ("TP53", "positive"), ("PIK3CA", "positive")],
        ),
        ("The tumour was positive for PTEN expression.", [("PTEN", "positive")]),
        ("Testing of her blood found a germline BRCA2 mutation.", []),
        # a qualified alteration; a test not made states nothing
        ("Next-generation sequencing revealed a BRAF activating mutation.", [("BRAF", "positive")]),
        ("Testing for IDH, EGFR and TP53 mutations was not done.", []),
        ("Immunostaining for CK7 and CK20 was performed.", []),
        # a family name with a member the vocabulary lacks is that member, as written
        (
            "The cells were positive for cytokeratin 8 and chromogranin B.",
            [("cytokeratin 8", "positive"), ("chromogranin B", "positive")],
        ),
        # the number of the verb after a list a prefix governs says which items it has
        ("It was positive for vimentin and CD34 was negative.", [("vimentin", "positive"), ("CD34", "negative")]),
        ("It was positive for desmin and CD117 was absent.", [("desmin", "positive"), ("CD117", "negative")]),
        (
            "It was positive for vimentin, and S100 and CD34 were negative.",
            [("vimentin", "positive"), ("S-100", "negative"), ("CD34", "negative")],
        ),
        ("It was positive for CK7 and CK20 was positive too.", [("CK7", "positive"), ("CK20", "positive")]),
        # no loss is retention
        ("There was no loss of MSH6 expression.", [("MSH6", "positive")]),
        ("Without loss of MLH1 or PMS2 expression.", [("MLH1", "positive"), ("PMS2", "positive")]),
        # a list goes on after an item's bare percent; a lone item takes the status before it
        (
            "The cells expressed CD3, CD30 (40%), and BCL-6.",
            [("CD3", "positive"), ("CD30", "positive"), ("Bcl-6", "positive")],
        ),
        ("It was negative for CK20 (0%), and CDX2.", [("CK20", "negative"), ("CDX2", "negative")]),
        ("It was positive for CD56 (80%).", [("CD56", "positive")]),
        # the stroma's vessels and lymphocytes scattered in the tumour are not the tumour
        (
            "Intratumoral capillary-sized vessels were positive for CD31. The tumour cells were negative for CD31.",
            [("CD31", "negative")],
        ),
        (
            "Small lymphocytes scattered throughout the neoplastic cell population, which showed moderate "
            "membranous immunoreactivity to CD3.",
            [],
        ),
        # a method's reagent named with its variant is no result; a kit that detected one is
        ("The analyses were performed with BRAF V600E (FAM-labelled mutant assay).", []),
        ("The tumour harboured KRAS G12C (detected with a commercial kit).", [("KRAS", "positive")]),
    ],
)
def test_clones_genes_members_and_clauses(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # staining described after a list is the next marker's when "for" names it
        (
            "Diffusely positive for vimentin and DOG1 with patchy positivity for S100.",
            [("vimentin", "positive", "diffuse"), ("DOG1", "positive", "diffuse"), ("S-100", "positive", "patchy")],
        ),
        ("CK7 showed diffuse strong staining for the tumour cells.", [("CK7", "positive", "diffuse")]),
        # staining named by a reaction or a stain, an adjective of the method before the marker
        ("It showed a strong and diffuse immunohistochemical p16 reaction.", [("p16", "positive", None)]),
        ("There was strong cyclin D1 reactivity.", [("cyclin-D1", "positive", None)]),
        ("There was no immunohistochemical p16 staining.", [("p16", "negative", None)]),
        # two names of one marker side by side, an unknown item between two of a list
        (
            "Positive for pancytokeratin AE1/AE3, EMA, CK7 and CK19.",
            [
                ("AE1/AE3", "positive", None),
                ("EMA", "positive", None),
                ("CK7", "positive", None),
                ("CK19", "positive", None),
            ],
        ),
        (
            "Negative for CD5, perforin, natural killer cell antigen, and CD8.",
            [("CD5", "negative", None), ("perforin", "negative", None), ("CD8", "negative", None)],
        ),
    ],
)
def test_staining_described_named_and_listed(read_doc, text: str, expected: list[tuple]) -> None:
    assert [(r.marker, r.status, r.pattern) for r in read_doc(text)] == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a list's status does not override a score or a percent below 1 (the guideline reads them)
        (
            "The tumour cells were positive for ER (90%) and HER2 (1+).",
            [("ER", "positive"), ("HER2", None)],
        ),
        (
            "They were positive for ER (95%), PR (0%) and AR.",
            [("ER", "positive"), ("PR", None), ("AR", "positive")],
        ),
        ("PD-L1 positive (TPS 0%, CPS 10).", [("PD-L1", None)]),  # at odds: the curator reads it
        # "not only" is no denial; a stain asked for, or seen elsewhere, is no result
        (
            "Staining showed not only loss of MLH1 but also loss of PMS2 expression.",
            [("MLH1", "negative"), ("PMS2", "negative")],
        ),
        ("The block was sent to a reference laboratory with a PD-L1 stain request.", []),
        ("There was CK7 staining only in benign glands.", []),
        # cells admixed with the tumour's own, staining for a share of cells, a clone before the value
        (
            "Small lymphocytes admixed with large atypical cells, which were positive for CD30 and CD15.",
            [("CD30", "positive"), ("CD15", "positive")],
        ),
        ("ER showed strong nuclear staining for 95% of nuclei.", [("ER", "positive")]),
        ("ALK (D5F3): negative.", [("ALK", "negative")]),
        # a reagent named with what it found; one item of a list sent away
        ("Real-time PCR using the BRAF V600E mutation-specific assay was positive.", [("BRAF", "positive")]),
        ("The tumour was negative for ALK and ROS1 was sent for sequencing.", [("ALK", "negative")]),
    ],
)
def test_near_misses_of_this_rounds_rules(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a verdict at the end shared by two genes, each with its own alteration word
        ("Both KRAS mutations and ROS1 fusions were negative.", [("KRAS", "negative"), ("ROS1", "negative")]),
        ("KRAS mutations and ROS1 fusions were found.", [("KRAS", "positive"), ("ROS1", "positive")]),
        # a denial after the antibody's clone and the tissue tested
        ("The expression of PD-L1 (clone SP263) in the biopsy specimen was negative.", [("PD-L1", "negative")]),
        # staining of the vessels is not the tumour's; a microbiological test is no marker
        ("The cells were positive for CD1a and showed CD34 positivity in the vasculature.", [("CD1a", "positive")]),
        ("The lymph node showed a lymphoma and was negative for MTB by PCR.", []),
    ],
)
def test_verdicts_shared_denied_late_or_of_other_tissue(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "absence of" before a list is a negative prefix; "lack of" only right before the marker
        (
            "The tumour cells expressed CD38 and CD138, with absence of CD19 and CD20.",
            [("CD38", "positive"), ("CD138", "positive"), ("CD19", "negative"), ("CD20", "negative")],
        ),
        ("Despite a lack of approved drugs, he was given ribavirin and IVIG.", []),
        # a negative list of genes, each with its own alteration word
        ("NGS of it was negative for KRAS mutation and ALK fusion.", [("KRAS", "negative"), ("ALK", "negative")]),
        (
            "Sequencing of the tumour was negative for IDH1 mutations and TERT promoter mutations.",
            [("IDH1", "negative"), ("TERT", "negative")],
        ),
        (
            "The tumour was negative for IDH1 mutation and telomerase reverse transcriptase (TERT) promoter mutation.",
            [("IDH1", "negative"), ("TERT", "negative")],
        ),
        # a member's number after its family's abbreviation; names the vocabulary now knows
        ("The cells showed reactivity to cytokeratin (CK) 7 and CK 20.", [("CK7", "positive"), ("CK20", "positive")]),
        (
            "It was positive for CD68, alpha 1-antichymotrypsin and vimentin.",
            [("CD68", "positive"), ("alpha-1-antichymotrypsin", "positive"), ("vimentin", "positive")],
        ),
        ("It was partially positive for factor VIII.", [("factor VIII", "positive")]),
        ("It was negative for smooth muscle antigen and desmin.", [("SMA", "negative"), ("desmin", "negative")]),
        # "lacked" denies the alteration after it
        (
            "Sequencing of the tumour found a KRAS mutation but lacked the BRAF mutation.",
            [("KRAS", "positive"), ("BRAF", "negative")],
        ),
    ],
)
def test_absences_gene_lists_members_and_names(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a gene with its own verdict keeps it beside the next gene's denial
        (
            "A BRAF V600E mutation was present and KRAS mutations were absent.",
            [("BRAF", "positive"), ("KRAS", "negative")],
        ),
        (
            "There was no EGFR mutation, and a KRAS G12D mutation was found.",
            [("EGFR", "negative"), ("KRAS", "positive")],
        ),
        # a denial does not reach a gene's result through another phrase in parentheses
        ("She had no smoking history (EGFR exon 19 deletion).", [("EGFR", "positive")]),
        # "lack of" a marker's therapy or test is no result
        ("Given the lack of HER2-targeted therapy, she was given chemotherapy.", []),
        ("There was an absence of PD-L1 testing.", []),
    ],
)
def test_near_misses_of_the_seventh_rounds_rules(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a clone's single light chain, written as a restriction, is that chain's positive result
        (
            "The cells were positive for CD138 and MUM1 with kappa light chain restriction.",
            [("CD138", "positive"), ("MUM1", "positive"), ("kappa", "positive")],
        ),
        (
            "Flow cytometry found a lambda-restricted population negative for CD5.",
            [("lambda", "positive"), ("CD5", "negative")],
        ),
        ("The plasma cells were kappa restricted.", [("kappa", "positive")]),
        # no restriction is a polyclonal population: neither chain is the clone's
        ("There was no kappa or lambda light chain restriction.", []),
        ("The plasma cells were polytypic, without kappa or lambda restriction.", []),
        ("In situ hybridisation did not show kappa or lambda light-chain restriction.", []),
        # ... nor a restriction denied after it, doubted, or supposed
        ("Kappa restriction was not identified.", []),
        ("Lambda restriction could not be demonstrated in the infiltrate.", []),
        ("Neither kappa nor lambda restriction was detected.", []),
        ("The infiltrate failed to show kappa restriction.", []),
        ("Lambda restriction was equivocal.", []),
        ("If lambda restriction had been present, a lymphoma would have been diagnosed.", []),
    ],
)
def test_light_chain_restriction_names_the_clones_chain(read, text: str, expected: list[tuple]) -> None:
    assert _statuses(read(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a cited figure inside a list, its stop or its own parenthesis, does not end the list
        (
            "The cells were positive for CD56, EMA (Fig. 2C), SOX2 and SOX9.",
            [("CD56", "positive"), ("EMA", "positive"), ("SOX2", "positive"), ("SOX9", "positive")],
        ),
        (
            "They were negative for S100 (Figure 3(b)), p40 and CK5/6.",
            [("S-100", "negative"), ("p40", "negative"), ("CK5/6", "negative")],
        ),
        (
            "They were negative for S100 (Figs. 3(b) and 4), p40 and CK5/6.",
            [("S-100", "negative"), ("p40", "negative"), ("CK5/6", "negative")],
        ),
        # a stop that ends the clause still ends it
        ("The cells were positive for CD56. SOX2 staining is shown in Figure 2.", [("CD56", "positive")]),
    ],
)
def test_a_cited_figure_does_not_end_a_list(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a positive rate is the share of positive cells: positive, with the share
        (
            "The positive rates of BCL-2 and MYC were about 70% and 20%, respectively.",
            [("Bcl-2", "positive", 70.0), ("MYC", "positive", 20.0)],
        ),
        ("The positive rate of p53 was 60%.", [("p53", "positive", 60.0)]),
        # (an index's status is dropped when the record is built: see test_ki67_is_an_index_without_status)
        ("The Ki-67 positive rate was 30%.", [("Ki-67", "positive", 30.0)]),
        (
            "The Ki-67 proliferating index revealed nuclear staining in about 15% of tumour cells.",
            [("Ki-67", "positive", 15.0)],
        ),
        ("p53 showed strong nuclear staining in 80% of the cells.", [("p53", "positive", 80.0)]),
        # staining called non-specific is background, no result either way
        ("There was patchy non-specific staining for TdT.", []),
        ("The cells showed nonspecific staining for CD30, and were positive for CD20.", [("CD20", "positive", None)]),
        ("The cells showed specific staining for CD30.", [("CD30", "positive", None)]),
    ],
)
def test_rates_shares_and_non_specific_staining(read, text: str, expected: list[tuple]) -> None:
    assert [(r.marker, r.status, r.percent) for r in read(text)] == expected, text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a denial over a hyphenated qualifier, and over a gene's promoter in the list
        (
            "No hot-spot mutations in IDH1, TERT promoter, H3F3A and BRAF were detected.",
            [("IDH1", "negative"), ("TERT", "negative"), ("H3F3A", "negative"), ("BRAF", "negative")],
        ),
        ("No oncogenic mutations in KRAS or NRAS were found.", [("KRAS", "negative"), ("NRAS", "negative")]),
        # a long list of genes, each denied
        (
            "No mutations in IDH1, IDH2, BRAF, FGFR1, TERT promoter, H3F3A and EGFR were detected.",
            [(g, "negative") for g in ("IDH1", "IDH2", "BRAF", "FGFR1", "TERT", "H3F3A", "EGFR")],
        ),
        # an in situ hybridisation named after its target, and a target detected or not
        ("EBER in situ hybridization was negative.", [("EBER", "negative")]),
        ("EBER was detected in the tumour cells.", [("EBER", "positive")]),
        ("EBER was not detected.", [("EBER", "negative")]),
        # ... where the clause says what was detected, its words decide
        ("No aberrant expression of CD5 or CD10 was detected.", [("CD5", "negative"), ("CD10", "negative")]),
        ("CEA was detected in the serum.", []),
        # a denial of another clause does not reach it
        ("ER was not detected, but PR was detected in the tumour cells.", [("ER", "negative"), ("PR", "positive")]),
        # a gene the vocabulary lacks, known by the variant written after it; a variant is no gene
        (
            "KRAS c.35G>A (p.G12D), TP53 c.524G>A (p.R175H) and ARID1A p.Q456* were detected.",
            [("KRAS", "positive"), ("TP53", "positive"), ("ARID1A", "positive")],
        ),
        ("A frameshift mutation (ATM_ex20 c.3062delT, p.Leu1021fs) was found.", []),
        ("A VUS c.1231G>C was found.", []),  # a variant of unknown significance is no gene
        # the variant written between the alteration and its gene
        ("Sequencing revealed a mutation c.410G>A (G137D) in the DUSP2 gene.", [("DUSP2", "positive")]),
        ("No mutation c.35G>A in the KRAS gene was found.", [("KRAS", "negative")]),
    ],
)
def test_molecular_lists_and_detected_targets(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text


@pytest.mark.parametrize(
    "text",
    [
        # a dose or a count of cells named by their antigen is no stain of the tumour
        "The patient received 6.6x10^6 CD34+ cells/kg body weight.",
        "The CD4+ lymphocyte count was 42 per microlitre.",
        "A moderate CD20+ B lymphocyte infiltrate was present.",
        "Absolute T lymphocytes (CD3+/CD19-) were 1500 cells/µL.",
        "Subset analysis found T lymphocytes (CD3+/CD19-) 1500 cells/µL.",
    ],
)
def test_counts_and_doses_of_cells_are_no_results(read_doc, text: str) -> None:
    assert _statuses(read_doc(text)) == [], text


def test_a_share_of_tumour_cells_is_no_count_of_cells(read_doc) -> None:
    assert _statuses(read_doc("The CD138-positive cell count was 60% of marrow cells.")) == [("CD138", "positive")]


def test_an_nk_cell_tumour_keeps_its_own_stains(read_doc) -> None:
    text = "The tumour cells were CD56+ and CD3+, an NK-cell lymphoma."
    assert _statuses(read_doc(text)) == [("CD56", "positive"), ("CD3", "positive")]
    text = "The tumour cells (CD3+/CD20-) were atypical."
    assert _statuses(read_doc(text)) == [("CD3", "positive"), ("CD20", "negative")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a share under one per cent in parentheses keeps the verdict before it
        ("The blasts were mostly negative for MPO (<1% positive cells).", [("MPO", "negative")]),
        ("The tumour cells were positive for ER (90% positive cells).", [("ER", "positive")]),
        # a tumour's abbreviation in a list is no marker
        (
            "There was weak positivity for p53, and LMS with smooth muscle differentiation was diagnosed.",
            [("p53", "positive")],
        ),
    ],
)
def test_shares_under_one_and_tumour_abbreviations(read_doc, text: str, expected: list[tuple]) -> None:
    assert _statuses(read_doc(text)) == expected, text
