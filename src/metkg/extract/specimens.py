"""Specimens and the biomarker results that hang on them.

A specimen is opened by a specimen-collecting procedure named in a case sentence (the
ontology's ``SpecimenProcedure`` terms: biopsies, aspirations, resections, excisions, or a
verb such as "was excised"). Its site is the site named with the procedure ("fine-needle
aspiration of the scalp lesion", "bone marrow aspiration biopsy"), the organ the procedure
implies (a mastectomy samples the breast), or the mass the text described just before ("a
mass was found near the right axilla. A puncture biopsy revealed..."). Its date is the date
of its sentence.

Results parsed by :func:`~metkg.extract.biomarkers.parse_results` go to the specimen the text
ties them to (:func:`attribution`): the nearest anchor before a result in its sentence, or a
lesion named right after its value ("ER negative in the recurrent tumour"). An anchor is a
specimen opened in the sentence, or a lesion reference: the primary ("the primary tumour was
HR positive", "diagnosed with HER2-positive breast cancer"), a metastasis or recurrence ("the
metastatic tumour", "the brain metastasis"), or a site's lesion ("the liver lesion was HER2
positive"). A lesion reference finds the specimen already drafted for that lesion or creates one
whose procedure is not stated. A sentence without an anchor continues the specimen of the
sentences just before (a pathology paragraph, at most :data:`CONTINUATION` sentences after the
last that fed it, named it again or went on describing its tissue under the microscope) or
the lesion a pathology sentence just named; failing that, its results go to a specimen whose
``role`` and site are unknown, which the draft leaves unattributed for the curator (a specimen
is never linked to the primary by default).

Figure captions and discussion sentences about this patient ("In this case, ... were
positive") only add markers missing from the one specimen whose results they
repeat (at least two results agree, none disagrees). A marker reported twice on one specimen
with different statuses keeps the first and records a conflict.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from metkg.extract.biomarkers import (
    MarkerMention,
    ParsedResult,
    from_serology,
    guideline_status,
    measured_in_blood,
    of_a_kind,
    parse_results,
    result_note,
)
from metkg.extract.operations import ECTOMY, VERB_PROCEDURES, implied_site, procedure_mentions
from metkg.extract.patient import LesionDraft, laterality_before
from metkg.extract.report import Caption, Mention, Report, Sentence
from metkg.extract.text import CleanText
from metkg.records.dates import PartialDate
from metkg.records.models import Evidence

__all__ = [
    "UNSTATED_PROCEDURE",
    "Anchor",
    "ResultDraft",
    "SpecimenDraft",
    "attribution",
    "find_specimens",
    "specimen_site",
]


@dataclass
class ResultDraft:
    marker: str
    evidence: list[Evidence]
    status: str | None = None
    percent: float | None = None
    comparator: str | None = None
    score: str | None = None
    pattern: str | None = None
    raw: str | None = None
    conflicts: list[tuple[str, list[tuple[str, list[Evidence]]], str]] = field(default_factory=list)
    assay: str = "IHC"
    note: str | None = None


@dataclass
class SpecimenDraft:
    procedure: str
    evidence: list[Evidence]
    position: int
    sentence: int
    site: str | None = None
    site_text: str | None = None
    laterality: str | None = None
    date: PartialDate | None = None
    diagnosis: str | None = None
    metastatic: bool = False
    results: list[ResultDraft] = field(default_factory=list)
    #: The lesion the text says the specimen samples: primary, metastasis or recurrence (None: by site, or unknown).
    role: str | None = None
    #: Whether the procedure takes "the tumour" (the mass, the lesion) the text spoke of before.
    the_tumour: bool = False
    #: The word qualifying "a tumour" it takes, not named before ("cervical" of "a cervical tumour";
    #: "" without one); None when it takes no such tumour.
    a_tumour: str | None = None
    #: Whether the procedure is named with no object at all ("Surgical excision was performed"): it
    #: takes the tumour the text was speaking of.
    objectless: bool = False
    #: Whether the text says the specimen holds no tumour ("Sentinel lymph node biopsy was negative
    #: for neoplasm"): the positive results after it are not its.
    tumour_free: bool = False


_SITE_GAP_BEFORE = re.compile(
    r"[\s-]*(?:(?:lesion|mass|nodule|tumou?r|lymph\s+node|node|growth|ulcer|polyp)s?\s+)?"
    r"(?:(?:from|of)\s+which\s+(?:an?\s+)?|(?:[\w-]+\s+)?)",  # "a gastric growth from which a biopsy was taken"
    re.IGNORECASE,
)
_ENDS_THE_OBJECT = re.compile(r"\b(?:and|with|under)\b", re.IGNORECASE)
#: A finding verb and a metastasis before the site: "biopsy of the nodule revealed metastatic (renal cell
#: carcinoma)" names the tumour's origin, not the organ biopsied (as "showed papillary thyroid carcinoma" does).
_ORIGIN_NAMED = re.compile(
    r"\b(?:revealed|showed|shown|confirmed|demonstrated|disclosed|indicated|yielded)\s+(?:an?\s+)?metasta",
    re.IGNORECASE,
)
_SITE_GAP_AFTER = re.compile(
    r"\s*(?:\([^)]{0,30}\)\s*)?(?:biopsy\s+|specimens?\s+)?(?:(?:was|were)\s+(?:performed|done|taken|obtained)\s+)?"
    # "FNA was performed to obtain tissue from the hilar lymph node"
    r"(?:(?:in\s+order\s+)?to\s+(?:obtain|collect|get|sample)\s+(?:a\s+)?(?:tissue|samples?|specimens?|material|cells)\s+)?"
    r"(?:of|from|at|on|in|near|for)\s+(?:the\s+)?(?:patient'?s\s+)?"
    r"(?:(?:left|right|bilateral|both)\s+)?(?:[\w-]+\s+){0,4}",
    re.IGNORECASE,
)


def specimen_site(report: Report, s: Sentence, proc: Mention) -> Mention | None:
    """The site named with a procedure: inside it, just before it, or after "of the"."""
    sites = s.of("site")
    for site in sites:
        if proc.start <= site.start and site.end <= proc.end:
            return site
        if site.start < proc.start < site.end:
            return site  # "mediastinal lymph node dissection": the site overlaps the procedure
    for site in sites:
        if site.start >= proc.end:
            gap = s.local(proc.end, site.start)
            if _SITE_GAP_AFTER.fullmatch(gap) and not _ENDS_THE_OBJECT.search(gap) and not _ORIGIN_NAMED.search(gap):
                return site
            break
    before = [site for site in sites if site.end <= proc.start]
    if before and _SITE_GAP_BEFORE.fullmatch(s.local(before[-1].end, proc.start)):
        return before[-1]
    return None


def _resected_site(report: Report, s: Sentence, proc: Mention) -> str | None:
    """The site of a procedure that names none: where its finding was ("a cholecystectomy revealed
    adenocarcinoma in the cystic duct"), unless that is a lymph node taken with the organ, else
    the organ the procedure implies."""
    found = _finding_site(s, proc)
    if found is not None and not report.vocabulary.is_a("site", found, "LymphNode"):
        return found
    return implied_site(report, proc.key, proc.text) or found


_MASS = re.compile(r"\b(?:mass(?:es)?|nodules?|lesions?|tumou?rs?|lumps?|swelling|neoplasm|ulcers?)\b", re.IGNORECASE)
_MASS_SITE_AFTER = re.compile(
    r"[^.;]{0,60}?\b(?:on|in|within|of|near|at|over|involving|from)\s+(?:the\s+)?(?:patient'?s\s+)?(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)


def mass_site(s: Sentence, end: int) -> Mention | None:
    """The site of the first mass a sentence describes before ``end``."""
    return next(described_masses(s, end), None)


def described_masses(s: Sentence, end: int) -> Iterator[Mention]:
    """The sites of the masses a sentence describes before ``end`` ("a mass ... near the right
    axilla", "scalp mass"), in order; "soft tissue" before the noun is the mass's density when an
    organ follows ("a soft tissue mass within the left ear canal"). Not a mass of the patient's
    history ("a history of a duodenal ulcer")."""
    sites = [m for m in s.of("site") if m.asserted and m.end <= end]
    for noun in _MASS.finditer(s.text, 0, end - s.start):
        after, before = None, None
        for site in sites:
            local = site.start - s.start
            if after is None and 0 <= local - noun.end() <= 80:
                after = site if _MASS_SITE_AFTER.fullmatch(s.text[noun.end() : local]) else None
            if 0 <= noun.start() - (site.end - s.start) <= 2:
                before = site
        site = after if after is not None and (before is None or before.key == "soft-tissue") else before
        if site is not None and not _OF_THE_HISTORY.search(s.text, 0, min(noun.start(), site.start - s.start)):
            yield site


#: "a history of (a duodenal) ulcer": a finding of the past, not the mass now sampled.
_OF_THE_HISTORY = re.compile(r"\bhistory\s+of\s+(?:an?\s+)?(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


_TUMOUR = re.compile(
    r"\b(?:tumou?rs?|mass(?:es)?|lesions?|cancers?|nodules?|neoplasms?|metasta\w*|malignan\w*|lymph\s+nodes?|"
    r"\w*(?:carcinoma|sarcoma|melanoma|lymphoma|blastoma|mesothelioma|myeloma|glioma)s?)\b",
    re.IGNORECASE,
)
_BACK_REFERENCE = re.compile(r"\b(?:the|this|that|these|those|such)\s+(?:[\w-]+\s+)?$", re.IGNORECASE)
_ORDINAL = re.compile(
    r"\b(?:first|second|third|initial|repeat(?:ed)?|another|further|subsequent|new|additional|final)\b", re.IGNORECASE
)
_DIAGNOSIS = re.compile(
    r"\b(?:confirm(?:ed|ing)|reveal(?:ed|ing)|show(?:ed|ing)|indicat(?:ed|ing)|demonstrat(?:ed|ing)|consistent\s+with|"
    r"diagnosed\s+as|identified|proved|established)\s+"
    r"(?:that\s+)?(?:the\s+(?:diagnosis|presence)\s+of\s+)?"  # "proved the diagnosis of metastatic carcinoma"
    r"(?:the\s+(?:tumou?r|lesion)\s+(?:was|consisted\s+of)\s+)?(?P<dx>[^,;.()]{3,90})",
    re.IGNORECASE,
)
_FINDING = re.compile(
    r"metasta|carcinoma|tumou?r\s+cells|malignan|sarcoma|adenocarcinoma|lymphoma|melanoma|necrosis|neoplasm|cancer",
    re.IGNORECASE,
)
#: "showed no evidence of metastatic disease": a finding denied is no diagnosis
_NO_FINDING = re.compile(r"(?:no|not(?!\s+only)|neither|without|negative\s+for|free\s+of)\b", re.IGNORECASE)
_PATHOLOGY_START = re.compile(
    r"^\s*(?:the\s+)?(?:histo)?patholog\w*|^\s*(?:the\s+)?biopsy|^\s*(?:the\s+)?specimen", re.IGNORECASE
)


def _diagnosis(
    report: Report, s: Sentence, following: Sentence | None, after: int
) -> tuple[str | None, list[Evidence]]:
    for sent, offset in ((s, after - s.start), (following, 0)):
        if sent is None or (sent is following and not _PATHOLOGY_START.search(sent.text)):
            continue
        for m in _DIAGNOSIS.finditer(sent.text, max(offset, 0)):
            dx = m.group("dx").strip()
            if _FINDING.search(dx) and not _NO_FINDING.match(dx):
                return re.sub(r"\s+", " ", dx), report.evidence(sent.start + m.start(), sent.start + m.end("dx"))
    return None, []


_FINDING_AT = re.compile(
    r"^[^;]{0,40}?\b(?:disclos\w+|reveal\w*|show\w*|confirm\w*|demonstrat\w*)\s+[^;,]{0,60}?\b(?:of|in)\s+"
    r"(?:the\s+)?(?:(?:left|right)\s+)?$",
    re.IGNORECASE,
)
_ORIGIN = re.compile(r"metasta|origin|primary|consistent|suggest|from", re.IGNORECASE)


_FINDING_OF = re.compile(
    r"^[^;]{0,40}?\b(?:disclos\w+|reveal\w*|show\w*|confirm\w*|demonstrat\w*)\s+(?:an?\s+)?"
    r"(?:(?:primary|invasive|poorly|moderately|well|differentiated|[\w-]+ly)\s+)*$",
    re.IGNORECASE,
)
_CANCER_NAMED = re.compile(
    r"^[\s-]+(?:[\w-]+\s+){0,2}?(?:\w*carcinomas?|cancer|\w*sarcomas?|melanoma|\w*blastoma|tumou?r)\b", re.IGNORECASE
)


def _finding_site(s: Sentence, proc: Mention) -> str | None:
    """The organ the finding of a procedure's sentence names ("biopsies ... disclosing carcinoma of
    the cervix", "biopsy confirmed a lung adenocarcinoma"); not an origin ("metastatic carcinoma of
    breast origin")."""
    for site in s.of("site"):
        if site.asserted and site.start >= proc.end:
            lead = s.local(proc.end, site.start)
            if _ORIGIN.search(lead):
                return None
            named = _FINDING_OF.match(lead) and _CANCER_NAMED.match(s.local(site.end, site.end + 60))
            if named and any(o.start > site.end for o in s.of("site")):
                return None  # "confirmed breast carcinoma in the liver": the organ named is its origin
            return site.key if _FINDING_AT.match(lead) or named else None
    return None


_REFUSED = re.compile(r"\b(?:refused|declined|unwilling|rejected)\b", re.IGNORECASE)
_TIME_POINT = re.compile(
    r"\b(?:after|following|before|since|post|prior\s+to|during|from)[\s-]+(?:the\s+)?(?:[\w-]+\s+)?$", re.IGNORECASE
)


# ---------------------------------------------------------------- attribution

#: The procedure of a specimen whose results the text gives without naming how it was obtained.
UNSTATED_PROCEDURE = "unstated-procedure"

_LESION_NOUN = (
    r"(?:tumou?rs?|lesions?|mass(?:es)?|neoplasms?|nodules?|specimens?|tissues?|deposits?|foci|focus|samples?|"
    r"biops(?:y|ies)|carcinomas?|adenocarcinomas?|cancers?|sites?)"
)
_NOT_HERE = r"(?<!unknown )(?<!occult )(?<!undetermined )(?<!no )(?<!without )"
_ROLE_CUES = (
    (
        "primary",
        re.compile(
            _NOT_HERE + rf"\b(?:primary|original|initial|index)\s+(?:[\w-]+\s+){{0,2}}?{_LESION_NOUN}\b|"
            r"\bthe\s+primary\b(?=\s*(?:was|were|showed|revealed|is|,|;|\)))",
            re.IGNORECASE,
        ),
    ),
    (
        "recurrence",
        re.compile(
            rf"\brecurren(?:t|ces?)\s+(?:[\w-]+\s+){{0,2}}?{_LESION_NOUN}\b|\b(?:the|this|that)\s+recurrence\b|"
            rf"\brelapsed\s+(?:[\w-]+\s+){{0,2}}?{_LESION_NOUN}\b",
            re.IGNORECASE,
        ),
    ),
    (
        "metastasis",
        re.compile(
            _NOT_HERE + r"\bmetastatic\s+(?:[\w-]+\s+){0,2}?(?:tumou?rs?|lesions?|mass(?:es)?|nodules?|specimens?|"
            r"tissues?|deposits?|foci|focus|samples?|sites?|(?:lymph\s+)?nodes?)\b|" + _NOT_HERE + r"\bmetastas[ie]s\b",
            re.IGNORECASE,
        ),
    ),
)
_SITE_LESION = re.compile(
    r"(?:\s+[\w-]+)?\s+(?:lesions?|mass(?:es)?|nodules?|tumou?rs?|metastas[ie]s|deposits?|samples?|specimens?|"
    r"tissues?)\b",
    re.IGNORECASE,
)
_NEGATED_CUE = re.compile(
    r"\b(?:no|not|without|free\s+of|negative\s+for|absence\s+of|possible|suspected|suspicious\s+(?:for|of)|"
    r"suggest\w*|rule\s+out|ruling\s+out|probable|likely|considered)\s+(?:[\w-]+\s+){0,3}$",
    re.I,
)
#: "similar to those of the primary tumour": the lesion compared with, not the one described.
_COMPARED_WITH = re.compile(
    r"\b(?:similar|identical|comparable|same|consistent|compared|like|unlike|concordant|discordant)\s+"
    r"(?:(?:to|with|as)\s+)?(?:th(?:ose|at)\s+(?:of|in)\s+)?(?:the|her|his)?\s*$",
    re.IGNORECASE,
)
#: "an adenocarcinoma with hepatic metastases", "a neuroendocrine tumour G2 with multiple liver
#: metastases": the extent of the disease described, not a lesion the results that follow were found in.
_EXTENT = re.compile(
    r"\b(?:cancers?|carcinomas?|\w+omas?|disease|tumou?rs?|neoplasms?)(?:\s*\([^()]{0,20}\))?(?:[\s,]+[\w-]{1,8}){0,2}?"
    r"\s*,?\s+with\s+"
    r"(?:[\w-]+\s+){0,3}$",
    re.IGNORECASE,
)
_METASTA = re.compile(r"\bmetasta\w*", re.IGNORECASE)
#: A sentence about imaging: its "findings consistent with metastatic disease" are no pathologist's verdict.
_IMAGING = re.compile(r"\b(?:CT|MRI|PET|imaging|scan|radiolog\w*|ultrasound|sonograph\w*|mammogra\w*|X-ray)\b", re.I)
_TISSUE = re.compile(r"\b(?:samples?|specimens?|tissues?)$", re.IGNORECASE)
_NOT_TUMOUR = re.compile(
    r"\b(?:normal|adjacent|background|non-?neoplastic|non-?tumou?r(?:al|ous)?|uninvolved|surrounding|benign)\s+$",
    re.IGNORECASE,
)
_SITE_AFTER_CUE = re.compile(r"\s+(?:in|of|on|at|within|involving)\s+(?:the\s+)?(?:(?:left|right)\s+)?", re.I)
#: "diagnosed with HER2-positive breast cancer": a result naming the primary cancer's phenotype.
_DISEASE_AFTER = re.compile(
    r"^[\s,-]*(?:(?!metasta|recurren)[^\s;.]+\s+){0,5}?(?:cancer|carcinoma|adenocarcinoma)\b", re.IGNORECASE
)
_DISEASE_BEFORE = re.compile(
    r"\b(?:diagnos\w*|history|case|woman|man|female|male|lady|patient)\b(?:(?!metasta|recurren)[^.;]){0,60}$",
    re.IGNORECASE,
)
#: "... negative breast cancer": the words from a result's value to the cancer it qualifies, other
#: results of the phenotype between ("HR-positive, HER2-negative breast cancer").
_CANCER_AFTER = re.compile(
    r"[\s,-]*(?:(?!metasta|recurren|(?:for|in|of|with|to|from|on|at|than|as|the|a|an|was|were|is|are|had|has|but|"
    r"which|who|that|her|his|their|its|like|unlike|over|favou?ring|rather|excluding|suggest\w*|typical|resembl\w*|"
    r"consistent|compatible|not|no|nor)\b)[\w-]+,?\s+){1,8}?(?:cancer|carcinoma|adenocarcinoma)s?\b",
    re.IGNORECASE,
)
#: "a history of lung adenocarcinoma, confirmed by ... positive for TTF-1": the primary's diagnosis.
_HISTORY_OF = re.compile(
    r"\b(?:history\s+of|diagnosed\s+with|diagnosis\s+of)\s+(?:(?!metasta|recurren)[\w-]+\s+){0,5}?"
    r"(?:cancer|carcinoma|adenocarcinoma|sarcoma|melanoma)\b",
    re.IGNORECASE,
)
#: "Both metastatic and primary tumour cells were ER positive": a result of each of them.
BOTH = "primary+metastasis"
_BOTH = re.compile(
    r"\bboth\s+(?:the\s+)?(?:primary|metastatic|metastasis)\s+(?:[\w-]+\s+)?and\s+(?:the\s+)?"
    r"(?:primary|metastatic|metastasis|metastases)\b|"
    r"\b(?:primary|original)\s+and\s+(?:the\s+)?metastatic\s+(?:[\w-]+\s+){0,2}?" + _LESION_NOUN + r"\b|"
    r"\bmetastatic\s+and\s+(?:the\s+)?(?:primary|original)\s+(?:[\w-]+\s+){0,2}?" + _LESION_NOUN + r"\b",
    re.IGNORECASE,
)
#: "distinguishing between primary and metastatic lesions": a question, not a statement about both.
_TELL_APART = re.compile(
    r"\b(?:between|distinguish\w*|differentiat\w*|whether)\s+(?:[\w-]+\s+){0,3}?(?:(?:primary|metastatic)\s+and\s+)?$",
    re.I,
)
#: A sentence that reports a pathologist's finding on the lesion it names.
_PATHOLOGY = re.compile(r"patholog|histolog|cytolog", re.IGNORECASE)
#: "DNA extracted from the rectal cancer sample": a molecular work-up names the tissue it tests.
_EXTRACTED_FROM = re.compile(r"\b(?:DNA|RNA)\b[^.;]{0,60}?\b(?:extracted|isolated|obtained)\s+from\b", re.I)
#: "ER negative in the recurrent tumour", "variants in the APC and TP53 genes were found in the
#: primary tumour": a lesion named right after the value, or after the list it opens.
_IN_LESION = re.compile(
    r"^(?:\s*(?:,\s*(?:and\s+)?|and\s+|or\s+)[\w/.-]+){0,6}\s*(?:genes?\s+)?"
    r"(?:(?:was|were|is|are)\s+(?:also\s+)?(?:(?:found|detected|revealed|identified|seen|observed|present|noted)\s+)?)?"
    r"(?:in|of|on|from|at|within)\s+(?:the|this|her|his)\s+",
    re.I,
)
#: The words before a lesion's cue that name where it is: "the [left adrenal] metastasis".
_SITE_WORDS = re.compile(r"(?:[\w-]+\s+){0,3}")
_CLAUSE_BREAK = re.compile(
    r";|\b(?:however|whereas|while|but\s+(?:the|her|his|in)|in\s+contrast|compared\s+(?:with|to)|unlike)\b", re.I
)
#: Sentences a pathology paragraph may run on from its specimen without naming it again.
CONTINUATION = 6
#: What only a description of tissue under the microscope speaks of.
_MICROSCOPY = re.compile(
    r"\b(?:(?:tumou?r|neoplastic|atypical|malignant|epithelioid|spindle|round|giant|clear|polygonal)\s+cells|"
    r"nuclei|nucleoli|nuclear\s+(?:atypia|pleomorphism|grooves|features)|cytoplasm|mitos[ie]s|mitotic\s+(?:figures|"
    r"activity|count|rate)|pleomorph\w*|h&e|ha?ematoxylin|microscop\w*|histolog\w*|histopatholog\w*|"
    r"immunohistochem\w*|immunostain\w*|architecture|fascicles|high-power\s+fields?)\b",
    re.IGNORECASE,
)
#: A sentence that moves on from the slide: to imaging, to a later time, to another event.
_LEAVES_THE_SLIDE = re.compile(
    r"\b(?:CT|MRI|PET|imaging|scan|ultrasound|later|afterwards?|subsequently|months?|years?|weeks?|follow-up|"
    r"recurr\w*|relapse\w*|admitted|underwent|treated|therapy|(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
#: A sample other than a tissue's: fluids, washings, smears.
_OTHER_SAMPLE = re.compile(
    r"\b(?:(?:pleural|ascitic|peritoneal|pericardial|cerebrospinal|spinal)\s+fluid|effusions?|ascites|washings?|CSF|"
    r"smears?|cell\s+blocks?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Anchor:
    """What a result in a sentence is tied to: a lesion role, a site's lesion, or a specimen.

    ``start``/``end`` are positions in the clean text; ``specimen`` is set for a specimen
    opened in the sentence, ``role`` and ``site`` (a site key) for a lesion reference.
    """

    start: int
    end: int
    role: str | None = None
    site: str | None = None
    specimen: SpecimenDraft | None = None


def _cue_site(s: Sentence, start: int, end: int) -> str | None:
    """The site key named with a cue: just before it ("brain metastasis") or after it ("the
    metastatic lesion in the left lung")."""
    before = [m for m in s.of("site") if m.asserted and m.end <= start and start - m.end <= 12]
    if before:
        return before[-1].key
    for m in s.of("site"):
        if m.asserted and m.start >= end and _SITE_AFTER_CUE.fullmatch(s.local(end, m.start)):
            return m.key
    return None


def lesion_anchors(s: Sentence) -> list[Anchor]:
    """Lesion references of a sentence: roles ("the primary tumour", "the metastasis") and sites'
    lesions ("the liver lesion"), in text order; negated ones ("no metastasis") are left out."""
    found: list[Anchor] = []
    for role, pattern in _ROLE_CUES:
        for m in pattern.finditer(s.text):
            lead = s.text[: m.start()]
            if _NEGATED_CUE.search(lead) or _COMPARED_WITH.search(lead) or _TELL_APART.search(lead):
                continue
            if role == "metastasis" and _extent(m.group(0), lead):
                continue
            start, end = s.start + m.start(), s.start + m.end()
            site = _cue_site(s, start, end)
            found.append(Anchor(start, end, role, site))
    for m in _HISTORY_OF.finditer(s.text):
        found.append(Anchor(s.start + m.start(), s.start + m.end(), "primary"))
    for m in _BOTH.finditer(s.text):
        if not _TELL_APART.search(s.text[: m.start()]):
            start, end = s.start + m.start(), s.start + m.end()
            found = [a for a in found if not start <= a.start < end] + [Anchor(start, end, BOTH)]
    for site in s.of("site"):
        local = site.end - s.start
        lesion = _SITE_LESION.match(s.text, local)
        if not site.asserted or lesion is None or any(0 <= a.start - site.end <= 12 for a in found):
            continue
        if _extent(lesion.group(0).split()[-1], s.text[: site.start - s.start]):
            continue
        if _NOT_TUMOUR.search(s.text[: site.start - s.start]) and _TISSUE.search(lesion.group(0)):
            continue  # "the adjacent normal liver tissue was CK7 negative": no lesion
        found.append(Anchor(site.start, s.start + lesion.end(), None, site.key))
    return sorted(found, key=lambda a: a.start)


def attribution(s: Sentence, parsed: ParsedResult, anchors: list[Anchor]) -> Anchor | None:
    """The anchor a result is tied to: a lesion named right after its value, a disease the result
    qualifies ("diagnosed with ER-positive breast cancer"), else the nearest anchor before it."""
    first = min(parsed.marker_span[0], parsed.value_span[0])
    last = max(parsed.marker_span[1], parsed.value_span[1])
    tail = s.text[last - s.start :]
    lead = _IN_LESION.match(tail)
    if lead:
        named_at = last + lead.end()  # "positive in the liver metastasis": the cue after its site's words
        after = [
            a
            for a in anchors
            if a.specimen is None and a.start >= named_at and _SITE_WORDS.fullmatch(s.local(named_at, a.start))
        ]
        if after:
            return after[0]
    before = [a for a in anchors if a.end <= first or (a.specimen is not None and a.start <= first)]
    opened = [a for a in before if a.specimen is not None]
    if opened and not _CLAUSE_BREAK.search(s.local(opened[-1].end, first)):
        return opened[-1]  # "the liver biopsy showed metastatic carcinoma, CK7 positive": the biopsy's finding
    named = [a for a in before if a.specimen is None and not _CLAUSE_BREAK.search(s.local(a.end, first))]
    phenotype = None if named else _phenotype_of_cancer(s, last)  # "The gastric lesion was ER positive, like ..."
    if phenotype is not None:
        return phenotype
    if not before and _DISEASE_AFTER.match(tail) and _DISEASE_BEFORE.search(s.text[: first - s.start]):
        return Anchor(first, last, "primary")
    return before[-1] if before else None


def _phenotype_of_cancer(s: Sentence, last: int) -> Anchor | None:
    """The primary, when a result qualifies an organ's cancer ("triple negative breast cancer",
    "EGFR-mutant lung adenocarcinoma"): a cancer named by its organ is the primary of that organ,
    whatever it has spread to, and its phenotype was found on it."""
    cancer = _CANCER_AFTER.match(s.text, last - s.start)
    if cancer is None:
        return None
    end = s.start + cancer.end()
    organs = [m for m in s.of("site") if m.asserted and last <= m.start and m.end <= end]
    return Anchor(last, end, "primary", organs[-1].key) if organs else None


def _says_metastatic(diagnosis: str | None) -> bool:
    """Whether a diagnosis calls what was sampled metastatic ("metastatic adenocarcinoma"), not
    the disease's extent ("adenocarcinoma with liver metastases")."""
    text = diagnosis or ""
    return any(
        not (_extent(m.group(0), text[: m.start()]) or _LIKELIHOOD.search(text[: m.start()]))
        for m in _METASTA.finditer(text)
    )


#: What a kind of tumour may do: "a variant known for its low potential for metastasis".
_LIKELIHOOD = re.compile(
    r"\b(?:potential|propensity|tendency|capacity|ability|risk|likelihood|rate)\s+(?:for|to|of)\s+(?:distant\s+)?$",
    re.IGNORECASE,
)


#: What a lymph node holds only when a cancer has spread to it (a lymphoma is the node's own).
_FOREIGN_TO_NODES = re.compile(
    r"\b(?:\w*carcinomas?|melanomas?|sarcomas?|(?:tumou?r|malignant|cancer|neoplastic)\s+cells)\b", re.IGNORECASE
)
_DENIED = re.compile(r"\b(?:no|not|non-?invasive|in\s+situ|without|negative|free|absence|absent)\b", re.IGNORECASE)


def _carcinoma_in_node(report: Report, draft: SpecimenDraft) -> bool:
    """Whether a lymph node specimen shows a cancer: "a supraclavicular node biopsy showed
    adenocarcinoma" samples a node metastasis, whether or not the report says "metastatic". A
    finding that names another organ ("breast ductal carcinoma in situ") is that organ's."""
    dx = draft.diagnosis or ""
    vocab = report.vocabulary
    if not vocab.is_a("site", draft.site, "LymphNode") or _FOREIGN_TO_NODES.search(dx) is None:
        return False
    elsewhere = [m for m in vocab.matcher.find(dx, ["site"]) if not vocab.is_a("site", m.key, "LymphNode")]
    return _DENIED.search(dx) is None and not elsewhere


def _spread_here(report: Report, draft: SpecimenDraft) -> bool:
    """Whether the disease's extent a diagnosis names is the sampled organ's own: "(bone marrow biopsy
    revealed) carcinoma with bone marrow metastasis" sampled that metastasis."""
    dx = draft.diagnosis or ""
    if draft.site is None or not _METASTA.search(dx):
        return False
    vocab = report.vocabulary
    return any(vocab.related("site", m.key, draft.site) for m in vocab.matcher.find(dx, ["site"]))


def _extent(word: str, lead: str) -> bool:
    """Whether metastases named after ``lead`` are the disease's extent: "adenocarcinoma with
    hepatic metastases" or "with bone marrow metastasis", not "a lymph node with metastatic carcinoma"
    (what the tissue shows) or "she presented with liver metastases"."""
    return word.lower() in ("metastasis", "metastases") and _EXTENT.search(lead) is not None


def role_of_procedure(s: Sentence, proc: Mention) -> Anchor | None:
    """The lesion a procedure names in its own clause ("biopsy of the metastatic lesion"), before
    the next procedure ("appendectomy and splenectomy for metastases": the splenectomy's)."""
    clause = _CLAUSE_BREAK.search(s.text, proc.end - s.start)
    end = s.start + (clause.start() if clause else len(s.text))
    later = [p.start for p in s.of("procedure")] + [s.start + e.start() for e in ECTOMY.finditer(s.text)]
    end = min([end] + [start for start in later if start >= proc.end])
    named = [a for a in lesion_anchors(s) if a.role and proc.end <= a.start <= min(end, proc.end + 60)]
    return named[0] if named else None


_THE_TUMOUR = re.compile(r"\b(?:the|this)\s+(?:tumou?r|mass|lesion|nodule|neoplasm)\b", re.IGNORECASE)
#: "a biopsy of a cervical tumour": a tumour the text has not named before, qualified at most by one
#: word that is not an imaging finding's.
_A_TUMOUR = re.compile(
    r"\b(?:an?)\s+(?!(?:new|second|another|other|metasta\w*|secondary|recurrent|distant|lytic|osteolytic|"
    r"osteoblastic|blastic|sclerotic|enhancing|ring-enhancing|cystic|hypodense|hyperdense|hypermetabolic|avid|"
    r"FDG-avid|nodal|satellite)\b)(?:(?P<word>[\w-]+)\s+)?(?:tumou?r|mass|lesion|nodule|neoplasm)\b",
    re.IGNORECASE,
)


#: What a procedure named alone may take other than the primary.
_NOT_THE_PRIMARY = re.compile(
    r"\b(?:nodes?|lymphadenopathy|adenopathy|cysts?|polyps?|adenomas?|meningiomas?|effusions?|abscess\w*|"
    r"hernia\w*|stones?|calculi)\b",
    re.IGNORECASE,
)
#: A procedure named alone, as done: "(An excisional biopsy) was performed", "(resection) was then carried out".
_PERFORMED = re.compile(
    r"\s+(?:was|were)\s+(?:then\s+|subsequently\s+|successfully\s+|eventually\s+|finally\s+)?"
    r"(?:performed|done|carried\s+out|undertaken)\b(?!\s+(?:on|of|at|in|for)\b)",
    re.IGNORECASE,
)


def _procedure_clause(s: Sentence, proc: Mention) -> str:
    """The words around a procedure that say what it took: "the tumour was excised", "excision of the mass"."""
    local_start, local_end = proc.start - s.start, proc.end - s.start
    return s.text[max(0, local_start - 30) : local_end + 30]


#: A pathologist's verdict on the specimen just described ("The final diagnosis was ...").
_VERDICT = re.compile(
    r"\b(?:(?:(?:final|definitive|definite|patholog\w*|histolog\w*|histopatholog\w*)\s+)+diagnosis\s+"
    r"(?:was|is|of)|(?:analysis|examination|histolog\w*|histopatholog\w*|patholog\w*|microscopy|cytolog\w*)"
    r"\b[^.;]{0,40}?\b(?:revealed|showed|confirmed|demonstrated|(?:was|were)\s+consistent\s+with)|"
    r"\b(?:morpholog\w*|histolog\w*|immunohistochemical|patholog\w*|microscopic)\s+(?:and\s+\w+\s+)?"
    r"(?:appearances?|features?|findings?)\s+(?:were|was|are|is)\s+(?:(?:most\s+)?in\s+keeping|consistent|"
    r"compatible)\s+with)"
    r"\s+(?!no\b|not\b|without\b|absence\b|neither\b)(?P<dx>[^.;]{3,120})",
    re.IGNORECASE,
)
_PRIMARY = re.compile(r"\bprimary\b", re.IGNORECASE)
#: Words of the clear specimen's own tissue: "In the node, ...", "sinus histiocytes", "the hepatocytes".
_OF_THE_CLEAR_ORGAN = re.compile(r"\bin\s+the\s+(?:lymph\s+)?nodes?\b|\bsinus\s+histiocyt|\bhepatocytes\b", re.I)
#: What says a specimen holds no tumour, after its procedure in the same sentence (not its margins).
_TUMOUR_FREE = re.compile(
    r"(?:(?!margins?\b|edges?\b)[^;]){0,40}?\b(?:(?:was|were)\s+)?(?:negative\s+for\s+(?:any\s+)?|"
    r"(?:showed|revealed|demonstrated)\s+no\s+(?:evidence\s+of\s+)?|free\s+of\s+)"
    r"(?:neoplasm|neoplasia|malignancy|malignant\s+cells|tumou?r(?:\s+cells)?|metastas[ie]s|"
    r"metastatic\s+(?:disease|carcinoma|tumou?r))"
    # the whole verdict: not "no evidence of metastatic melanoma; instead ..." nor "... at all margins"
    r"\s*(?:[.;]|$)",
    re.IGNORECASE,
)


class _Collector:
    def __init__(self, report: Report, primary: LesionDraft | None):
        self.report = report
        self.vocab = report.vocabulary
        self.primary = primary
        self.specimens: list[SpecimenDraft] = []
        self.current: SpecimenDraft | None = None
        self.touched = -10  # the last sentence that opened or fed ``current``
        self.elsewhere = -10  # the last sentence that turned to an organ ``current`` did not sample
        self.pathology: tuple[int, Anchor] | None = None
        self.last_mass: tuple[Sentence, Mention] | None = None
        self.last_mass_index = -10

    def run(self) -> list[SpecimenDraft]:
        sentences = list(self.report.case_sentences())
        for i, s in enumerate(sentences):
            following = sentences[i + 1] if i + 1 < len(sentences) else None
            opened = self.open_specimens(s, following)
            self.attach_results(s, opened)
            self.settle_by_diagnosis(s)
            self.continue_report(s, opened)
            self.remember_mass(s)
            self.remember_pathology(s)
        return self.specimens

    def settle_by_diagnosis(self, s: Sentence) -> None:
        """A pathologist's verdict right after a specimen's work-up names what it sampled: "The
        pathological diagnosis was primary oesophageal melanoma" ties it to the primary (at the
        organ named), "histologic analysis revealed metastatic adenocarcinoma" to a metastasis."""
        sp = self.current
        verdict = _VERDICT.search(s.text) if not _IMAGING.search(s.text) else None
        if sp is None or sp.role is not None or verdict is None or s.index - self.touched > 2:
            return
        start, end = s.start + verdict.start("dx"), s.start + verdict.end("dx")
        sites = [m for m in s.of("site") if start <= m.start < end and m.asserted]
        if _says_metastatic(verdict.group("dx")):
            sp.role, sp.metastatic = "metastasis", True  # an organ named here is where it came from
        elif _PRIMARY.search(verdict.group("dx")):
            sp.role = "primary"
            if sites:
                sp.site = sites[0].key

    def continue_report(self, s: Sentence, opened: list[SpecimenDraft]) -> None:
        """A sentence that goes on describing the tissue under the microscope ("Mitotic figures were
        scattered", "The tumour cells had hyperchromatic nuclei") keeps the specimen's report open:
        results after a long histological description are still that specimen's, unless the text
        turned to another organ or lesion since ("The pathology of the uterus showed ...", "the
        gastric wall mass measured 10 cm")."""
        sp = self.current
        if sp is None or opened or s.index - self.touched > CONTINUATION:
            return
        microscopy = _MICROSCOPY.search(s.text) is not None and _LEAVES_THE_SLIDE.search(s.text) is None
        if self.names_another_lesion(s, sp) or _OTHER_SAMPLE.search(s.text):
            self.elsewhere = s.index  # "Cytology of the pleural fluid showed cells with large nuclei": another sample
        if microscopy and self.elsewhere < self.touched and not lesion_anchors(s):
            self.touched = s.index

    def names_another_lesion(self, s: Sentence, sp: SpecimenDraft) -> bool:
        """Whether a sentence names an organ, or a lesion, other than the one a specimen sampled (the
        primary's, for the primary or the tumour the text spoke of: "the tumour was excised",
        "excision was performed")."""
        of_primary = sp.role == "primary" or (sp.role is None and (sp.the_tumour or sp.objectless))
        site = sp.site or (self.primary.site if of_primary and self.primary is not None else None)
        # not the blood of "red blood cells"
        organs = [m.key for m in s.of("site") if m.asserted and not self.vocab.is_a("site", m.key, "BodyFluid")]
        lesions = [a.site for a in lesion_anchors(s)]
        return any(not self.vocab.related("site", key, site) for key in organs + lesions)

    def remember_mass(self, s: Sentence) -> None:
        """The site of the mass a sentence describes, for the procedures of the sentences after it."""
        site = mass_site(s, s.end)
        if site is not None:
            self.last_mass = (s, site)
            self.last_mass_index = s.index

    def remember_pathology(self, s: Sentence) -> None:
        """The lesion a pathology sentence names ("examination of the duodenal mass confirmed
        adenocarcinoma"): results in the next sentence without an anchor of their own go to it."""
        if _PATHOLOGY.search(s.text) or _EXTRACTED_FROM.search(s.text):
            named = [a for a in lesion_anchors(s) if a.site is not None]
            if named:
                self.pathology = (s.index, named[-1])

    def referred(self, s: Sentence, proc: Mention) -> SpecimenDraft | None:
        """The earlier specimen a procedure mention names ("The biopsy results", "the resected
        specimen", "was excised"): one of the last few sentences that fits, of the same kind of procedure
        first, then the one whose report goes on, then the latest sentence's first (its main
        procedure: the gastrectomy of "gastrectomy with lymph node dissection")."""
        recent = sorted(
            (sp for sp in self.specimens if s.index - sp.sentence <= 3),
            key=lambda sp: (sp is not self.current, -sp.sentence, sp.position),
        )
        kind = sorted(recent, key=lambda sp: not self.vocab.related("procedure", sp.procedure, proc.key))
        if proc.text.lower() in VERB_PROCEDURES:
            site = self.site_in_view(s, proc)
            return next(
                (
                    sp
                    for sp in kind
                    if s.index - sp.sentence <= 2
                    and (site is None or sp.site is None or self.vocab.related("site", sp.site, site))
                ),
                None,
            )
        determiner = _BACK_REFERENCE.search(s.text[: proc.start - s.start])
        if determiner and not _ORDINAL.search(determiner.group(0)):
            return next((sp for sp in kind if self.vocab.related("procedure", sp.procedure, proc.key)), None)
        return None

    def site_in_view(self, s: Sentence, proc: Mention) -> str | None:
        """The site a procedure of this sentence would take: named with it, or the mass just described
        ("The mass ... was excised" after a vaginal mass is not the hysterectomy of the sentence before)."""
        site = specimen_site(self.report, s, proc)
        if site is not None:
            return site.key
        if self.last_mass is not None and s.index - self.last_mass_index <= 2:
            return self.last_mass[1].key
        return None

    def open_specimens(self, s: Sentence, following: Sentence | None) -> list[SpecimenDraft]:
        opened: list[SpecimenDraft] = []
        if _REFUSED.search(s.text):
            return opened
        for proc in procedure_mentions(self.report, s):
            if proc.negated or proc.hypothetical or not self.vocab.is_a("procedure", proc.key, "SpecimenProcedure"):
                continue
            earlier = self.referred(s, proc)
            if earlier is not None:
                if not opened:  # "the resection specimen showed ...": its report goes on
                    self.current, self.touched = earlier, s.index
                continue
            if _TIME_POINT.search(s.text[: proc.start - s.start]):
                continue
            opened.append(self.specimen(s, proc, following))
        if opened:
            self.specimens += opened
            self.current, self.touched = opened[0], s.index
        return opened

    def specimen(self, s: Sentence, proc: Mention, following: Sentence | None) -> SpecimenDraft:
        report = self.report
        draft = SpecimenDraft(proc.key, [], proc.start, s.index, date=s.date_before(proc.start) or s.date)
        site = specimen_site(report, s, proc)
        if (
            site is not None
            and re.match(r"\s*for\b", s.local(proc.end, site.start))
            and implied_site(report, proc.key, proc.text)
        ):
            site = None  # "splenectomy for colonic metastases": the organ removed, not the disease's
        evidence_start, evidence_end = proc.start, proc.end
        side, side_start = laterality_before(s.text, proc.start - s.start)
        if site is not None:
            draft.site = site.key
            site_side, site_side_start = laterality_before(s.text, site.start - s.start)
            side = site_side or side
            draft.site_text = (s.text[site_side_start : site.end - s.start] if site_side else site.text).strip()
            evidence_start, evidence_end = min(proc.start, site.start), max(proc.end, site.end)
        else:
            draft.site = _resected_site(report, s, proc)
            if draft.site is None:
                draft.site, mass_side = self.mass_described(s, proc)
                side = side or mass_side
        draft.laterality = side
        if side and side_start + s.start < evidence_start and evidence_start - (side_start + s.start) < 25:
            evidence_start = s.start + side_start
        draft.evidence = report.evidence(evidence_start, evidence_end)
        draft.diagnosis, dx_evidence = _diagnosis(report, s, following, proc.end)
        draft.metastatic = (
            _says_metastatic(draft.diagnosis) or _carcinoma_in_node(report, draft) or _spread_here(report, draft)
        )
        draft.evidence += [ev for ev in dx_evidence if ev not in draft.evidence]
        clause = _procedure_clause(s, proc)
        draft.the_tumour = draft.site is None and _THE_TUMOUR.search(clause) is not None
        a_tumour = _A_TUMOUR.search(clause) if draft.site is None else None
        draft.a_tumour = (a_tumour.group("word") or "") if a_tumour else None
        draft.objectless = (
            draft.site is None
            and _PERFORMED.match(s.text, proc.end - s.start) is not None
            and self.speaks_of_the_primary(s)
        )
        draft.tumour_free = _TUMOUR_FREE.match(s.text, proc.end - s.start) is not None
        named = role_of_procedure(s, proc)
        if named is not None:
            draft.role = named.role
            draft.site = draft.site or named.site
        elif draft.metastatic:
            draft.role = "metastasis"
        return draft

    def mass_described(self, s: Sentence, proc: Mention) -> tuple[str | None, str | None]:
        """The site and side of the mass a procedure naming no site takes: described earlier in its
        sentence ("a thyroid mass was found; fine needle aspiration confirmed ..."), or in one of the
        five sentences before."""
        described = list(described_masses(s, proc.start))
        histologies = s.of("histology")  # not "renal" of "confirmed clear cell renal cell carcinoma"
        named_after = any(
            m.asserted and m.start >= proc.end and not any(h.start <= m.start and m.end <= h.end for h in histologies)
            for m in s.of("site")
        )
        if len({m.key for m in described}) == 1 and not named_after:  # "a liver mass ... and a lung nodule": which?
            return described[0].key, laterality_before(s.text, described[0].start - s.start)[0]
        if self.last_mass is not None and s.index - self.last_mass_index <= 5:
            sentence, site = self.last_mass
            return site.key, laterality_before(sentence.text, site.start - sentence.start)[0]
        return None, None

    def speaks_of_the_primary(self, s: Sentence) -> bool:
        """Whether the text was speaking of the primary just before a procedure named alone: in this
        sentence and the two before, its organ if any organ is named, and no node, effusion, cyst,
        polyp, adenoma, metastasis or recurrence."""
        primary = self.primary
        if primary is None:
            return False
        window = [x for x in self.report.sentences[max(0, s.index - 2) : s.index + 1]]
        organs = [m.key for x in window for m in x.of("site") if m.asserted]
        other = _NOT_THE_PRIMARY.search(" ".join(x.text for x in window)) or any(
            x.of("cue-recurrence") or x.of("cue-metastasis") for x in window
        )
        named = primary.site is None or not organs or any(self.vocab.related("site", k, primary.site) for k in organs)
        return named and not other

    def attach_results(self, s: Sentence, opened: list[SpecimenDraft]) -> None:
        markers = [MarkerMention(m.start, m.end, m.key) for m in s.of("marker")]
        if not markers or measured_in_blood(s.text):
            return  # a serum level is no specimen's result
        anchors = sorted(
            lesion_anchors(s) + [Anchor(sp.position, sp.position, specimen=sp) for sp in opened], key=lambda a: a.start
        )
        results = _stained_results(self.report.clean.text, markers, s)
        positive = any(parsed.status == "positive" for parsed in results)
        for parsed in results:
            result = _draft(self.report, parsed, self.report.clean)
            position = min(parsed.marker_span[0], parsed.value_span[0])
            anchor = attribution(s, parsed, anchors)
            if anchor is not None and anchor.role == BOTH:
                for role in ("primary", "metastasis"):
                    target = self.target(s, replace(anchor, role=role), result, position, positive)
                    add_result(target, replace(result), True)
                continue
            target = self.target(s, anchor, result, position, positive)
            add_result(target, result, primary_source=True)
            self.current, self.touched = target, s.index

    def target(
        self, s: Sentence, anchor: Anchor | None, result: ResultDraft, position: int, positive: bool
    ) -> SpecimenDraft:
        """The specimen a result goes to; an unattributed one when the text ties it to nothing.
        ``positive``: whether the sentence states a positive result (its results move together)."""
        if anchor is not None and anchor.specimen is not None:
            return anchor.specimen
        if anchor is not None:
            return self.lesion_specimen(s, anchor)
        if self.pathology is not None and self.pathology[0] >= max(s.index - 1, self.touched + 1):
            return self.lesion_specimen(s, self.pathology[1])
        if self.current is not None and s.index - self.touched <= CONTINUATION:
            if self.current.tumour_free and positive and not self.names_the_site_of(s, self.current):
                return self.before_the_clear_one(s, result, position)
            return self.current
        return self.new_specimen(s, result.evidence, position)

    def names_the_site_of(self, s: Sentence, sp: SpecimenDraft) -> bool:
        """Whether a sentence names the organ a specimen sampled ("In the node, cytokeratin ...")."""
        if _OF_THE_CLEAR_ORGAN.search(s.text):
            return True
        return sp.site is not None and any(
            m.asserted and self.vocab.related("site", m.key, sp.site) for m in s.of("site")
        )

    def before_the_clear_one(self, s: Sentence, result: ResultDraft, position: int) -> SpecimenDraft:
        """A positive result after a specimen said to hold no tumour ("Sentinel lymph node biopsy was
        negative for neoplasm. Melan-A and HMB-45 were diffusely reactive"): the last specimen before
        it, of the last few sentences, that may hold the tumour, else one of its own."""
        for sp in reversed(self.specimens):
            if s.index - sp.sentence > CONTINUATION:
                break
            if not sp.tumour_free and sp.procedure != UNSTATED_PROCEDURE:
                return sp
        return self.new_specimen(s, result.evidence, position)

    def new_specimen(
        self, s: Sentence, evidence: list[Evidence], position: int, role: str | None = None, site: str | None = None
    ) -> SpecimenDraft:
        draft = SpecimenDraft(UNSTATED_PROCEDURE, list(evidence), position, s.index, site=site, date=s.date, role=role)
        self.specimens.append(draft)
        return draft

    def lesion_specimen(self, s: Sentence, anchor: Anchor) -> SpecimenDraft:
        """The specimen drafted for the lesion an anchor names, or a new one of unstated procedure."""
        site = anchor.site
        primary_site = self.primary.site if self.primary is not None else None
        if anchor.role == "metastasis" and self.vocab.related("site", site, primary_site):
            site = None  # "breast metastasis" of a breast cancer names where it comes from, not where it is
        if anchor.role == "primary":
            site = site or primary_site  # another site: a second primary, with results of its own
        for sp in reversed(self.specimens):
            if self.fits(sp, anchor.role, site, primary_site):
                return sp
        return self.new_specimen(s, self.report.evidence(anchor.start, anchor.end), anchor.start, anchor.role, site)

    def fits(self, sp: SpecimenDraft, role: str | None, site: str | None, primary_site: str | None) -> bool:
        """Whether a drafted specimen samples the lesion of this role and site."""
        of_primary = self.vocab.related("site", sp.site, primary_site)
        if role == "primary":
            same_site = site is None or sp.site is None or self.vocab.related("site", sp.site, site)
            of_site = self.vocab.related("site", sp.site, site)
            return (sp.role == "primary" and same_site) or (sp.role is None and not sp.metastatic and of_site)
        if role is None:
            return self.vocab.related("site", sp.site, site)
        same = sp.role == role or (
            role == "metastasis" and sp.role is None and (sp.metastatic or (sp.site is not None and not of_primary))
        )
        return same and (site is None or self.vocab.related("site", sp.site, site))


def _draft(report: Report, parsed: ParsedResult, clean: CleanText) -> ResultDraft:
    (ms, me), (vs, ve) = parsed.marker_span, parsed.value_span
    start, end = min(ms, vs), max(me, ve)
    if end - start <= 90:
        evidence = report.evidence(start, end, clean)
        raw = re.sub(r"\s+", " ", clean.text[start:end])
    else:
        evidence = report.evidence(ms, me, clean) + report.evidence(vs, ve, clean)
        raw = re.sub(r"\s+", " ", f"{clean.text[ms:me]} ... {clean.text[vs:ve]}")
    status = guideline_status(parsed, report.vocabulary.is_a("marker", parsed.marker, "HormoneReceptor"))
    return ResultDraft(
        marker=parsed.marker,
        evidence=evidence,
        status=status,
        percent=parsed.percent,
        comparator=parsed.comparator,
        score=parsed.score,
        pattern=parsed.pattern,
        raw=raw,
        assay=parsed.assay,
        note=result_note(parsed, report.vocabulary.terms.get("marker", parsed.marker) is not None),
    )


def _agrees(a: ResultDraft, b: ResultDraft) -> bool | None:
    """True when two results of a marker say the same, False when they contradict, None when unclear."""
    pairs = [(a.status, b.status), (a.score, b.score), (a.percent, b.percent)]
    stated = [(x, y) for x, y in pairs if x is not None and y is not None]
    if not stated:
        return None
    return all(x == y for x, y in stated)


def add_result(specimen: SpecimenDraft, result: ResultDraft, primary_source: bool) -> None:
    """Add a result to a specimen, merging a repeated marker and recording a contradiction."""
    existing = next((r for r in specimen.results if (r.marker, r.assay) == (result.marker, result.assay)), None)
    if existing is None:
        specimen.results.append(result)
        return
    if not primary_source:
        return
    if existing.status and result.status and existing.status != result.status:
        if not existing.conflicts:
            existing.conflicts.append(
                (
                    "status",
                    [(existing.status, list(existing.evidence)), (result.status, result.evidence)],
                    existing.status,
                )
            )
        else:
            existing.conflicts[0][1].append((result.status, result.evidence))
        return
    for name in ("status", "percent", "comparator", "score", "pattern"):
        if getattr(existing, name) is None and getattr(result, name) is not None:
            setattr(existing, name, getattr(result, name))
    existing.evidence += [ev for ev in result.evidence if ev not in existing.evidence]


def _stained_results(text: str, markers: list[MarkerMention], s: Sentence) -> list[ParsedResult]:
    """A sentence's results, without the patient's antibodies that serology beside them reports, nor
    what a kind of tumour it is set beside usually shows."""
    parsed = parse_results(text, markers, s.start, s.end)
    return [r for r in parsed if not _beside_the_stains(text, r.marker_span[0], s)]


def _beside_the_stains(text: str, position: int, s: Sentence) -> bool:
    """Whether a result is the patient's serology or what a kind of tumour typically shows."""
    return from_serology(text, position, s.start, s.end) or of_a_kind(text, position, s.start, s.end)


def _secondary(report: Report, specimens: list[SpecimenDraft]) -> None:
    """Markers that only a caption or a discussion sentence about this patient gives."""
    sources: list[tuple[list[ParsedResult], CleanText]] = []
    for s in report.self_referential_sentences():
        markers = [MarkerMention(m.start, m.end, m.key) for m in s.of("marker")]
        if markers and not measured_in_blood(s.text):
            sources.append((_stained_results(report.clean.text, markers, s), report.clean))
    for caption in report.captions:
        sources.append((_caption_results(caption), caption.clean))
    for parsed, clean in sources:
        drafts = [_draft(report, p, clean) for p in parsed]
        target = _matching_specimen(drafts, specimens)
        if target is not None:
            for d in drafts:
                add_result(target, d, primary_source=False)


def _caption_results(caption: Caption) -> list[ParsedResult]:
    markers = [MarkerMention(m.start, m.end, m.key) for m in caption.mentions if m.category == "marker"]
    text = caption.clean.text
    # Panel labels such as "[(D) X400]" or "(F)" stand between a marker and its value in captions.
    masked = re.sub(r"\[\([A-Z]\)\s*[Xx×]\s*\d+\]|\(\s*[A-Z]\s*\)", lambda m: " " * len(m.group(0)), text)
    return parse_results(masked, markers)


def _matching_specimen(results: list[ResultDraft], specimens: list[SpecimenDraft]) -> SpecimenDraft | None:
    best: tuple[int, SpecimenDraft] | None = None
    tie = False
    for specimen in specimens:
        agree = disagree = 0
        for r in results:
            other = next((o for o in specimen.results if o.marker == r.marker), None)
            verdict = None if other is None else _agrees(r, other)
            agree += verdict is True
            disagree += verdict is False
        if disagree or agree < 2:
            continue
        if best is None or agree > best[0]:
            best, tie = (agree, specimen), False
        elif agree == best[0]:
            tie = True
    return None if best is None or tie else best[1]


def find_specimens(report: Report, primary: LesionDraft | None = None) -> list[SpecimenDraft]:
    """Specimens of this patient with their results, in the order the text reports them.

    ``primary`` (the primary tumour found) lets a result stated on "the primary tumour" find
    the specimen of the primary's organ.

    A specimen with no result and no diagnosis, from a sentence that speaks of no tumour (an
    ovarian cyst excised years before), is left out.
    """
    collected = _Collector(report, primary).run()
    by_index = {s.index: s for s in report.sentences}
    specimens = [sp for sp in collected if sp.results or sp.diagnosis or _TUMOUR.search(by_index[sp.sentence].text)]
    _secondary(report, specimens)
    return specimens


def confirmed_metastases(
    specimens: list[SpecimenDraft], primary: LesionDraft | None, report: Report
) -> list[LesionDraft]:
    """Lesions implied by a specimen that "confirmed metastatic carcinoma" at a site other than the primary's."""
    vocab = report.vocabulary
    out = []
    for sp in specimens:
        if not sp.metastatic or sp.site is None:
            continue
        if primary is not None and vocab.related("site", sp.site, primary.site):
            continue
        lesion = LesionDraft("metastasis", sp.site, list(sp.evidence), sp.position, diagnosis_date=sp.date)
        lesion.site_text, lesion.laterality = sp.site_text, sp.laterality
        out.append(lesion)
    return out
