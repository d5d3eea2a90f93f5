"""Facts about the patient and the disease: age and sex, the primary tumour, metastases and
local invasion, germline findings, and the outcome.

Every function reads a :class:`~metkg.extract.report.Report` and returns draft facts with
their evidence. Only sentences about this patient are read (the case section, the abstract's
case summary); negated and hypothetical mentions never become facts.

How a site becomes a lesion: a metastasis, invasion or recurrence cue word with the site
attached to it ("scalp metastasis", "metastases to the meninges and frontal bone",
"meningeal and calvarial metastases", "infiltrating the skull", "the dura mater was invaded").
Sites used as an imaging region ("head MRI", "bone scan") are not lesions. A site that is the
ancestor of another lesion's site of the same kind is merged into it (``bone`` into ``skull``,
``central-nervous-system`` into ``meninges``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from metkg.extract.context import KIN, clause_bounds, hypothetical_spans, mentions_a_relative
from metkg.extract.operations import implied_site, procedure_mentions
from metkg.extract.report import Mention, Report, Sentence, Vocabulary
from metkg.extract.stations import NODE_NOUN, listed_stations, regional_node
from metkg.extract.terms import word_stems
from metkg.records.dates import PartialDate
from metkg.records.models import Evidence
from metkg.terminology import Term

__all__ = [
    "IMPLIED",
    "REGIONAL",
    "SEATS_OF_METASTASES",
    "GermlineDraft",
    "LesionDraft",
    "OutcomeDraft",
    "PatientDraft",
    "find_demographics",
    "find_germline",
    "find_lesions",
    "find_outcome",
    "find_primary",
    "laterality_before",
    "regional_node",
    "unknown_primary",
]


@dataclass
class PatientDraft:
    age: int | None = None
    sex: str | None = None
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class LesionDraft:
    kind: str
    site: str | None
    evidence: list[Evidence]
    position: int
    histology: str | None = None
    site_text: str | None = None
    laterality: str | None = None
    diagnosis_date: PartialDate | None = None
    stage: str | None = None
    grade: str | None = None
    sentences: list[int] = field(default_factory=list)
    description: str | None = None
    #: Lesions throughout the site ("multiple bone metastases"): one named part of it does not narrow it.
    widespread: bool = False


@dataclass
class GermlineDraft:
    gene: str
    finding: str
    evidence: list[Evidence]


@dataclass
class OutcomeDraft:
    vital_status: str
    evidence: list[Evidence]
    death_date: PartialDate | None = None


_UNITS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
#: Ages written in words: "an eighty-year-old man", "a nine year old girl".
_NUMBER_WORDS = {
    **{word: i + 1 for i, word in enumerate(_UNITS)},
    **{tens: 20 + 10 * i for i, tens in enumerate(_TENS)},
    **{f"{tens} {unit}": 20 + 10 * i + j + 1 for i, tens in enumerate(_TENS) for j, unit in enumerate(_UNITS[:9])},
}
_NUMBER_WORD = (
    r"(?:"
    + "|".join(_TENS)
    + r")(?:[\s-](?:"
    + "|".join(_UNITS[:9])
    + r"))?|"
    + "|".join(sorted(_UNITS, key=len, reverse=True))
)
_AGE = re.compile(
    # "A45-year-old male": an article the number lost its space to
    r"(?:\b|(?<=\bA))(?:(?P<age>\d{1,3})|(?P<words>"
    + _NUMBER_WORD
    # "a 4-year-4-month-old boy", "11 years and 7 months old": the years
    # ("70–year–old", with dashes; "4 and a half years old")
    + r"))(?:\s+and\s+a\s+half)?[\s\-–]*(?:years?|yrs?|y)"
    r"(?P<months>[\s,-]*(?:and[\s-]+)?\d{1,2}[\s-]*months?)?[\s\-–]*old\b|"
    r"\baged\s+(?P<age2>\d{1,3})\b(?!\s*(?:months?|weeks?|days?)\b)|"
    # the clinician's shorthand: "a 61 y/o man", "47 yo F", "a 72yo male"
    r"\b(?P<age3>\d{1,3})[\s-]*(?:y/o|y\.o\.|yo)(?![\w/])|"
    # "a 14-month-old infant", "a seven-month-old boy", "a 6-day-old newborn": the completed years
    # (of a being named after it: "a 2-week-old fracture" is no age)
    r"(?:\b|(?<=\bA))(?:(?P<young>\d{1,3})|(?P<young_words>" + _NUMBER_WORD + r"))"
    r"[\s\-–]*(?P<unit>months?|weeks?|days?)[\s\-–]*old"
    # (not over a preposition: "a 2-week-old fracture in a boy")
    r"(?=[\s,]+(?:(?!(?:in|of|on|at|with|from|to|for)\b)[\w-]+\s+){0,3}?(?:infants?|bab(?:y|ies)|newborns?|neonates?|"
    r"child|toddlers?|patients?|boy|girl|male|female|man|woman|twins?|son|daughter|puppy|kitten|dog|cat|calf|"
    r"foal|horse)\b)",
    re.IGNORECASE,
)
_PER_YEAR = {"month": 12, "week": 52, "day": 365}


def _age(m: re.Match[str]) -> int:
    if m.group("young") or m.group("young_words"):
        count = int(m.group("young")) if m.group("young") else _number_word(m.group("young_words"))
        return count // _PER_YEAR[m.group("unit").lower().rstrip("s")]
    if m.group("words"):
        return _number_word(m.group("words"))
    return int(m.group("age") or m.group("age2") or m.group("age3"))


def _number_word(words: str) -> int:
    return _NUMBER_WORDS[re.sub(r"[\s-]+", " ", words.lower())]


_SEX_WORDS = {
    "woman": "female",
    "female": "female",
    "lady": "female",
    "girl": "female",
    "mother": "female",
    "wife": "female",
    "man": "male",
    "male": "male",
    "gentleman": "male",
    "boy": "male",
    "father": "male",
    "husband": "male",
}
_SEX = re.compile(r"\b(" + "|".join(_SEX_WORDS) + r")\b", re.IGNORECASE)
#: Words of a family's roles: the patient's sex only right after the patient's age ("a 40-year-old mother").
_KIN_WORDS = frozenset({"mother", "wife", "father", "husband"})


#: "since she was 50 years old": the age when something in the history began, not the patient's age.
#: The donor as the subject the age describes: "The deceased donor was a 67-year-old man", "Donor 1, a".
_DONOR_BEFORE = re.compile(
    r"^\s*(?:the\s+)?(?:[\w-]+\s+){0,2}donors?(?:\s+\d{1,2})?\s*(?:was|,|:|\()\s*(?:an?\s+|the\s+)?$", re.IGNORECASE
)
#: "At the time of writing, the patient was four years old": the age now, not at presentation.
_NOW_BEFORE = re.compile(
    r"\bat\s+the\s+time\s+of\s+(?:the\s+)?(?:writing|this\s+(?:report|writing)|publication|submission|"
    r"(?:the\s+)?last\s+follow-?up)\b",
    re.IGNORECASE,
)
_AT_AGE = re.compile(r"\b(?:at|until|till|since|after|before|by)\s+$", re.IGNORECASE)
_PAST_AGE = re.compile(r"\b(?:since|when|until|till|before|after)\s+(?:she|he|the\s+patient)\s+was\s+$", re.IGNORECASE)


def find_demographics(report: Report) -> PatientDraft:
    """Age and sex from the first "45-year-old woman" (case section first, then the abstract); a
    sex the first mention leaves out ("A 58-year-old smoker") from another of the same age ("A
    58-year-old male" of the abstract), else from the pronouns."""
    draft = PatientDraft()
    for s, m, age, sex in _ages(report):
        if draft.age is None:
            draft.age = age
            draft.evidence = _age_evidence(report, s, m, sex)
        if sex is not None and age == draft.age:
            draft.sex = _SEX_WORDS[sex.group(1).lower()]
            if draft.evidence and draft.evidence[0].start != s.start + m.start():
                draft.evidence += _age_evidence(report, s, m, sex)
            break
    if draft.sex is None:
        _sex_from_pronouns(report, draft)
    return draft


#: A relative named after an age: "mother", "a younger sister", "husband".
_KIN_AFTER = re.compile(r"\s*(?:[\w-]+\s+)?(?:" + KIN + r"|husbands?|wife|wives|twins?)\b", re.IGNORECASE)
#: "her 2-month-old infant": a parent's child, by the possessive before the age.
_CHILD_OF = re.compile(r"\b(?:her|his|their)\s+$", re.IGNORECASE)
#: "A 3-month-old boy's mother, a 34-year-old woman, ...": the age of the one whose relative follows
#: (not "a 52-year-old man's chest CT").
_WHOSE_AFTER = re.compile(
    r"\s*(?:[\w-]+\s+)?\w+['’]s\s+(?:" + KIN + r"|husband|wife|parents?|guardian|caregiver)\b", re.IGNORECASE
)
#: A sentence that introduces the patient by age: "A 36-year-old woman with a family history of ...".
_ARTICLE = re.compile(r"\s*(?:an?|the)\s+", re.IGNORECASE)


def _introduced_by_age(text: str) -> bool:
    """Whether a sentence opens with the patient's age: "A 36-year-old woman with ..."."""
    article = _ARTICLE.match(text)
    return article is not None and _AGE.match(text, article.end()) is not None


def _age_sentences(report: Report) -> list[Sentence]:
    """The patient's sentences, with those that introduce the patient by age although a relative's
    history in them ("with a family history of colorectal cancer") keeps their other facts out."""
    own = list(report.patient_sentences())
    seen = {s.index for s in own}
    introductions = [
        s
        for s in report.sentences
        if s.index not in seen
        and s.other_patients
        and _introduced_by_age(s.text)
        and mentions_a_relative(s.text)
        and not report.is_title(s)
    ]
    return sorted(own + introductions, key=lambda s: (s.section != "case", s.index)) if introductions else own


def _ages(report: Report) -> Iterator[tuple[Sentence, re.Match[str], int, re.Match[str] | None]]:
    """Each stated age of the patient's sentences with the sex word after it, if any."""
    for s in _age_sentences(report):
        for m in _AGE.finditer(s.text):
            age = _age(m)
            before = s.text[max(0, m.start() - 30) : m.start()]
            infant = m.group("unit") is not None  # an infant's age is 0 in completed years
            if not (age > 0 or infant) or age > 120 or _PAST_AGE.search(before):
                continue
            if _NOW_BEFORE.search(s.text, max(0, m.start() - 100), m.start()):
                continue
            if _DONOR_BEFORE.match(s.text[: m.start()]):
                continue  # "The deceased donor was a 67-year-old man": the graft's donor, not the patient
            if m.group("months") and _AT_AGE.search(before):
                # "spoke words at 1 year and 6 months old", "healthy until 3 years and 2 months old": a time
                continue
            tail = s.text[m.end() : m.end() + 40]
            sex = _SEX.match(tail.lstrip()) or _SEX.search(tail[:25])
            opens = s.text[: m.start()].strip().lower() in ("", "a", "an", "the")
            if (_KIN_AFTER.match(tail) and not opens) or _WHOSE_AFTER.match(tail) or _CHILD_OF.search(before):
                continue  # "her 60-year-old mother", "born to a 27-year-old mother", "has a 3-year-old sister"
            if sex is not None and sex.group(1).lower() in _KIN_WORDS:
                sex = None  # "A 45-year-old mother of two presented ...": the patient's age, a role's sex word
            yield s, m, age, sex
            break  # the first age of a sentence is the patient's


def _age_evidence(report: Report, s: Sentence, m: re.Match[str], sex: re.Match[str] | None) -> list[Evidence]:
    tail = s.text[m.end() : m.end() + 40]
    end = m.end() + (tail.find(sex.group(0)) + len(sex.group(0)) if sex else 0)
    return report.evidence(s.start + m.start(), s.start + end)


_HONORIFIC = re.compile(r"\b(Mrs|Ms|Miss|Mr)\.?\s+[A-Z]")


def _sex_from_pronouns(report: Report, draft: PatientDraft) -> None:
    counts: Counter[str] = Counter()
    first: dict[str, tuple[Sentence, re.Match[str]]] = {}
    for s in report.case_sentences():
        for m in re.finditer(r"\b(she|her|he|his|him)\b", s.text, re.IGNORECASE):
            sex = "female" if m.group(1).lower() in ("she", "her") else "male"
            counts[sex] += 1
            first.setdefault(sex, (s, m))
        for m in _HONORIFIC.finditer(s.text):  # "Mrs X, 58, was diagnosed ...", "Mr. A, a 67-year-old"
            sex = "male" if m.group(1) == "Mr" else "female"
            counts[sex] += 3
            first.setdefault(sex, (s, m))
        for m in _SEX.finditer(s.text):
            if m.group(1).lower() in _KIN_WORDS:
                continue  # "his mother's ultrasound": a relative, not the patient
            sex = _SEX_WORDS[m.group(1).lower()]
            counts[sex] += 3
            first.setdefault(sex, (s, m))
    if not counts:
        return
    sex, n = counts.most_common(1)[0]
    other = counts.get("male" if sex == "female" else "female", 0)
    if (n >= 3 and n >= 3 * other) or (n >= 2 and other == 0):
        s, m = first[sex]
        draft.sex = sex
        draft.evidence = draft.evidence or report.evidence(s.start + m.start(), s.start + m.end())


_LATERALITY = re.compile(r"\b(left|right|bilateral|both)(?:[\s-]+sided)?[\s,]+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_LATERALITY_AFTER = re.compile(r"^\s*(?:\(|,)?\s*(left|right|bilateral)\b", re.IGNORECASE)


def laterality_before(text: str, position: int) -> tuple[str | None, int]:
    """The side named just before ``position`` in ``text`` ("right breast") and where it starts.

    >>> laterality_before("in the right frontal scalp", 21)
    ('right', 7)
    """
    window_start = max(0, position - 25)
    m = _LATERALITY.search(text[window_start:position])
    if not m:
        return None, position
    side = m.group(1).lower()
    return ("bilateral" if side == "both" else side), window_start + m.start()


#: What a site word names when one of these follows it: an imaging study or a procedure ("brain
#: MRI"), the organ's vessels or nerves ("the splenic artery"), its failing function ("liver failure").
_NOT_A_SEAT_AFTER = re.compile(
    r"^\s*(?:MRI|CT|scans?|imaging|ultrasound|ultrasonography|sonography|X-rays?|radiographs?|SPECT|PET|"
    r"examinations?|exams?|surgery|surgical|radiotherapy|radiation|biopsy|aspiration|puncture|mammography|"
    r"magnetic|computed|contrast|angiography|area\s+surgery|"
    r"arter(?:y|ies)|veins?|vessels?|nerves?|plexus|roots?|"
    r"failure|insufficiency|dysfunction|origin|"
    r"bleeding|ha?emorrhages?|ha?ematomas?|abscess(?:es)?|infarct(?:s|ion)?|fractures?|thrombosis)\b",
    re.IGNORECASE,
)
_BEFORE_GAP = re.compile(
    r"\s*(?:(?:lymph\s+)?nodes?|nodal|soft[\s-]tissue|skin|(?:lobe\s+)?lesions?|tumou?rs?|cancer|carcinoma|bone|"
    r"mass(?:es)?|nodules?)?\s*"
    # "pleural-based metastasis", "bone-only metastatic disease", "liver-predominant metastases"
    r"(?:[-‐](?:based|only|predominant|dominant|limited|confined)\s+)?"
    r"(?:(?:was|were|had\s+been|has\s+been|is|are|being)\s+(?:\w+ly\s+)?)?"
    # "the liver mass proved to be metastatic", "a lobe lesion was diagnosed as a metastasis"
    r"(?:(?:diagnosed|proved|proven|confirmed|found|shown|determined|concluded)\s+(?:to\s+be|as)\s+(?:an?\s+)?)?"
    r"(?:positive\s+for\s+)?",  # "the mediastinal nodes were positive for metastatic carcinoma"
    re.IGNORECASE,
)
_AFTER_PREPOSITION = re.compile(
    r"\b(?:to|in|into|of|involving|within|at|through|on|onto|throughout|such\s+as|including)\s+"
    # "in multiple sites (lungs, muscle, bones)": the sites listed in the parenthesis
    r"(?:(?:the|both|all|multiple|several|an?|\d+)\s+)*(?:[\w-]+\s+){0,3}(?:(?<=sites\s)\(\s*)?$",
    re.IGNORECASE,
)
_GAP_BREAK = re.compile(
    r"[;.]|\b(?:was|were|showed|revealed|demonstrated|and\s+(?:the|she|he)|which|with)\b|"
    # "metastases, a decrease in the mediastinal adenopathy": the site is the change's
    r"\b(?:decrease|increase|reduction|progression|improvement|regression|resolution|shrinkage|enlargement)\b|"
    # "brain metastases and a thrombus in the left ventricle": the site is another finding's
    r"\b(?:thromb(?:us|i|osis)|fractures?|infarct(?:s|ion)?|ha?emorrhages?|abscess(?:es)?|aneurysms?|emboli(?:sm)?|"
    r"h(?:a)?ematomas?|stenosis|ischa?emia|cysts?)\b",
    re.IGNORECASE,
)
_CONNECTOR = re.compile(
    r"\s*(?:,?\s+as\s+well\s+as\s+|,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)"
    # "metastases in the liver and in the spleen", "to the lungs as well as to the bones": the preposition again
    r"(?:(?:in|to|into|within)\s+)?(?:the\s+)?"
    r"(?:(?:left|right|bilateral|multiple|ipsilateral|contralateral|both|upper|lower|proximal|distal|mid)\s+){0,2}",
    re.IGNORECASE,
)
_KIND = {"cue-metastasis": "metastasis", "cue-invasion": "local-invasion", "cue-recurrence": "recurrence"}
#: "metastases were also found in the lungs": the verb of a finding between the cue and its site.
_FOUND_IN = re.compile(
    r"^\s*(?:(?:lesions?|nodules?|mass(?:es)?|deposits?|foci|focus|tumou?rs?)\s+)?"
    r"(?:was|were|is|are|had\s+been|have\s+been|has\s+been)\s+(?:also\s+|subsequently\s+|later\s+)?"
    r"(?:found|detected|discovered|seen|noted|identified|observed|present|evident|visible|demonstrated|confirmed)\s+",
    re.IGNORECASE,
)


def _unclosed(gap: str) -> bool:
    """Whether a parenthesis opened in ``gap`` is still open (the site is inside it)."""
    return gap.count("(") > gap.count(")")


def _without_parentheses(gap: str) -> str:
    return re.sub(r"\s*\([^()]*\)", "", gap)


def _inside(m: Mention, others: list[Mention]) -> bool:
    return any(o.start <= m.start and m.end <= o.end and o is not m for o in others)


def _lesion_sites(s: Sentence) -> list[Mention]:
    """The sites of a sentence where a lesion may lie: not a word of a histology or procedure name,
    not a site word that names something else (:data:`_NOT_A_SEAT_AFTER`), not the blood."""
    blockers = s.of("histology") + s.of("procedure")
    all_sites = s.of("site")
    sites = []
    for i, m in enumerate(all_sites):
        if _inside(m, blockers) or _NOT_A_SEAT_AFTER.match(s.text[m.end - s.start :]) or m.key == "blood":
            continue
        following = all_sites[i + 1] if i + 1 < len(all_sites) else None
        if following and following.key.endswith("lymph-node") and not s.local(m.end, following.start).strip(" -"):
            continue  # "gastric lymph nodes", "pancreatic lymphadenopathy": the organ names the nodes
        sites.append(m)
    return sites


_LESION_AFTER = re.compile(
    r"^\s+(?:lesions?|nodules?|foci|deposits?|disease|tumou?rs?|mass(?:es)?|involvement|implants?)\b", re.IGNORECASE
)


def _adjective(report: Report, s: Sentence, cue: Mention, site: Mention, gap: str) -> bool:
    """ "metastatic liver lesions", "metastatic lymph nodes": the cue as an adjective of the site's
    lesions (not "metastatic lung cancer", which names the primary)."""
    if gap.strip() or not cue.text.lower().startswith("metasta"):
        return False
    lesion = _LESION_AFTER.match(s.local(site.end, site.end + 20))
    return bool(lesion) or report.vocabulary.is_a("site", site.key, "LymphNode")


def _after(report: Report, s: Sentence, cue: Mention, sites: list[Mention]) -> list[Mention]:
    found: list[Mention] = []
    for site in sites:
        if site.start < cue.end:
            continue
        if found:
            gap = s.local(found[-1].end, site.start)
            if _NOT_A_TUMOUR.search(_without_parentheses(gap)):
                break  # "metastatic bone lesions, along with ground-glass opacities in both lungs"
            if _unclosed(gap):
                continue  # "in the lymph nodes (hilar, mediastinal), brain and bones": the list goes on after
            if _CONNECTOR.fullmatch(_without_parentheses(gap)) and not _cue_right_after(s, site):
                found.append(site)
                continue
            break  # "invasion of the pancreas and peritoneal dissemination": the next site has its own cue
        gap = s.local(cue.end, site.start)
        if _NOT_A_TUMOUR.search(_without_parentheses(gap)):
            break  # "bone metastases and ground-glass opacities in the lungs"
        if _other_cue_between(s, cue, site):
            break  # "involved the metaphysis, extending into the soft tissue": the nearer cue's site
        if len(gap) > 60 or (cue.text.lower().startswith("progress") and not _PROGRESSED_TO.fullmatch(gap)):
            break  # "progressed to the liver", not "lesions progressed to many dermal papules"
        verb = _FOUND_IN.match(gap)
        gap = gap[verb.end() - 1 :] if verb else gap
        direct = cue.category == "cue-invasion" and re.fullmatch(r"\s*(?:the\s+)?", gap)
        # "distant metastases (mediastinal lymph nodes and bones)": the sites listed in parentheses
        listed = re.fullmatch(r"\s*\((?:\s*[\w-]+){0,3}\s*", gap)
        plain = not _GAP_BREAK.search(gap) and _AFTER_PREPOSITION.search(gap) and "from" not in gap.split()
        # "extended from the scalp to the dura mater": the site after "to" is the one reached
        reached = re.search(r"\bfrom\b.*\b(?:to|into)\s+(?:the\s+)?$", gap) and not re.search(r"[;.]", gap)
        if direct or plain or reached or listed or _adjective(report, s, cue, site, gap):
            found.append(site)
    return found


#: Findings of the lungs and serous spaces that are no tumour: what the cue's list stops at.
_NOT_A_TUMOUR = re.compile(
    r"(?:ground[\s-]+glass|opacit|effusion|consolidation|atelectasis|infiltrates|pneumon|emphysema|fibrosis|"
    r"o?edema|ha?emorrhage|thromb|embol)\w*(?:\s+[\w-]+){0,3}\s*$",  # the finding the site is of
    re.IGNORECASE,
)
_PROGRESSED_TO = re.compile(r"\s+to\s+(?:involve\s+)?(?:the\s+|both\s+|his\s+|her\s+)?", re.IGNORECASE)
_NODES_WITH = re.compile(r"\s*(?:with|showing|containing)\s+(?:\w+\s+)?", re.IGNORECASE)


def _other_cue_between(s: Sentence, cue: Mention, site: Mention) -> bool:
    """Whether a cue of another kind stands between a cue and a site (an invasion's "extending
    into" after a metastasis's "involved")."""
    kinds = ("cue-metastasis", "cue-invasion", "cue-recurrence")
    return any(
        other.category != cue.category and cue.end <= other.start and other.end <= site.start
        for kind in kinds
        for other in s.of(kind)
    )


def _cue_right_after(s: Sentence, site: Mention) -> bool:
    """Whether a cue word of the sentence follows the site at once: "peritoneal dissemination"."""
    return any(
        c.category in _KIND and not s.local(site.end, c.start).strip() for c in s.mentions if c.start >= site.end
    )


def _before(report: Report, s: Sentence, cue: Mention, sites: list[Mention]) -> list[Mention]:
    previous = [m for m in sites if m.end <= cue.start]
    if not previous:
        return []
    last = previous[-1]
    gap = s.local(last.end, cue.start)
    if _SPREAD_TO.match(s.local(cue.end, cue.end + 10)):
        return []  # "a right lung mass metastatic to the brain": the site before is where it came from
    # "lymph nodes with metastases": said of nodes, not of an organ that merely has them
    nodes_with = _NODES_WITH.fullmatch(gap) and report.vocabulary.is_a("site", last.key, "LymphNode")
    if not _BEFORE_GAP.fullmatch(gap) and not nodes_with:
        return []
    found = [last]
    for site in reversed(previous[:-1]):
        if _REACHED_BEFORE.search(s.local(site.start - 40, site.start)):
            break  # "a thrombus extending into the right atrium and lung metastases": the atrium is reached
        fluid = report.vocabulary.is_a("site", site.key, "BodyFluid")
        if fluid or _OWN_FINDING_BEFORE.search(s.local(site.start - 40, site.start)):
            break  # "an enlarged spleen and multiple lung metastases", "a pleural effusion and liver metastases"
        if _CONNECTOR.fullmatch(s.local(site.end, found[-1].start)):
            found.append(site)
        else:
            break
    return found


#: A site named with a finding of its own is no item of the list a cue ends: "an enlarged spleen
#: and ... metastases", "invasion of the pancreas and ..." (see also :func:`_cue_right_after`).
_OWN_FINDING_BEFORE = re.compile(
    r"\b(?:enlarged|enlargement\s+of|swollen|thickened|thickening\s+of|dilated|dilatation\s+of|"
    r"invasion\s+of|invad\w*|infiltrat\w*(?:\s+of)?)\s+(?:the\s+)?(?:(?:left|right)\s+)?$",
    re.IGNORECASE,
)
_SPREAD_TO = re.compile(r"\s+(?:to|into)\b", re.IGNORECASE)
#: Where a sentence's next clause begins: "Brain MRI showed no metastases, and bone scan revealed ...".
_NEW_CLAUSE = re.compile(r";|,\s*(?:and|but|while|whereas)\b|\b(?:but|whereas|while)\b", re.IGNORECASE)
_OR_ANOTHER = re.compile(r"\s*(?:,\s*)?or\s+(?!other\b)", re.IGNORECASE)
#: The organs an imaging study is named after: "brain MRI", "bone scan", "liver ultrasound" (not a region:
#: a "chest CT" shows the lungs, the pleura, the mediastinum or the chest wall).
_IMAGED_ORGANS = ("Brain", "Bone", "Liver", "Lung")
#: "<organ> MRI (day 3) was performed and confirmed the presence of lesions consistent with": an imaging
#: study of an organ, its finding verb and the lesions it found, up to the metastasis cue.
_STUDY_OF_AN_ORGAN_FOUND = re.compile(
    r"\s*(?:MRI|MR|CT|PET(?:[/-]CT)?|computed\s+tomography|magnetic\s+resonance(?:\s+imaging)?|"
    r"scan|scintigraphy|ultrasound|ultrasonography|sonography)"
    r"(?:\s+(?:scan|imaging|study|examination))?(?:\s*\([^()]{0,30}\))?"
    r"(?:\s+(?:was|were)\s+(?:performed|obtained|done)(?:\s*\([^()]{0,30}\))?,?\s+(?:and|which))?"
    r"\s+(?:(?:also|then|later|subsequently)\s+)?"
    r"(?:showed|shows|revealed|reveals|demonstrated|confirmed|detected|disclosed|found|identified)\s+"
    r"(?:the\s+presence\s+of\s+)?(?:(?:an?|multiple|several|numerous|many|new|two|three|four|\d+|small|"
    r"large|enhancing|ring-enhancing|scattered|diffuse)\s+)*"
    r"(?:(?:lesions?|nodules?|foci|masses|mass)\s+(?:(?:consistent|compatible)\s+with|in\s+keeping\s+with|"
    r"typical\s+of)\s+)?",
    re.IGNORECASE,
)
_REACHED_BEFORE = re.compile(r"\b(?:into|invad\w*|infiltrat\w*|extend\w*\s+to)\s+(?:the\s+)?$", re.IGNORECASE)


_CONSISTENT = re.compile(
    r"\b(?:(?:consistent|compatible)\s+with|indicative\s+of|in\s+keeping\s+with)\s+(?:an?\s+)?(?:multiple\s+|diffuse\s+)?"
    r"(?:metastatic\s+\w+|metasta\w*)",
    re.IGNORECASE,
)
_FINDING_NOUN = re.compile(
    r"\b(?:lesions?|nodules?|masses|mass|foci|focus|deposits?|opacities|shadows?|uptake)\s+(?:\w+\s+){0,4}?"
    r"(?:in|on|of|involving|within|throughout|at)\s+(?:the\s+|both\s+)?(?:[\w-]+\s+)?$",  # "in the left"
    re.IGNORECASE,
)


_NODES = re.compile(NODE_NOUN, re.IGNORECASE)
#: Another reading beside the metastasis: "metastasis or abscess", "metastasis versus abscess",
#: "metastasis, abscess or haematoma".
_ANOTHER_READING = re.compile(r"\s*(?:,\s*[\w-]+(?:\s+[\w-]+)?\s*,?\s*)?(?:or|versus|vs\.?)\s+(?!other\b)", re.I)
#: The reading taken back later in the sentence: "... proved to be a haemangioma", "biopsy showed
#: tuberculosis", "which resolved on antibiotics" (not "biopsy confirmed metastatic carcinoma").
_MALIGNANT_VERDICT = (
    r"(?!(?:[\w-]+\s+){0,3}?(?:metasta|carcinoma|adenocarcinoma|melanoma|sarcoma|malignan|tumou?r|neoplas))"
)
_DISPROVED_AFTER = re.compile(
    r"\b(?:proved|proven|turned\s+out)\s+(?:on\s+\w+\s+)?(?:to\s+be\s+)?" + _MALIGNANT_VERDICT + r"|"
    r"\b(?:resolved|disappeared|regressed)\b|"
    r"\b(?:biops(?:y|ied)|histology|pathology|excision)\b[^.;]{0,30}?\b(?:showed|revealed|demonstrated)\s+"
    + _MALIGNANT_VERDICT,
    re.IGNORECASE,
)
#: A verdict on the findings before it: "(a thyroid nodule) which proved to be a metastasis", "(the
#: resected lesion) was metastatic carcinoma", "histopathology (of the nodule) revealed metastatic".
_FOUND_TO_BE = re.compile(
    r"\b(?:(?:proved|proven|turned\s+out|confirmed|shown|found)(?:\s+(?:on\s+\w+|histologically|pathologically))?"
    r"(?:\s+(?:to\s+(?:be|represent)|as))?|revealed|showed|demonstrated|(?:was|were)(?:\s+diagnosed\s+as)?)"
    r"\s+(?:an?\s+)?(?:metastatic\s+\w+|metasta\w*)(?![\w-])",  # not "metastasis-free lung tissue"
    re.IGNORECASE,
)
_FIRST_IMPRESSION = re.compile(r"\b(?:initially|thought|presumed|first\s+considered)\b[^.;]{0,40}$", re.IGNORECASE)
#: A finding read before the one the cue names: "consistent with adenoma", "suggestive of a cyst".
_ITS_OWN_READING = re.compile(
    r"\b(?:consistent\s+with|compatible\s+with|in\s+keeping\s+with|suggestive\s+of|typical\s+of|indicative\s+of)\b",
    re.IGNORECASE,
)
_FINDING_WORDS = r"(?:lesions?|nodules?|masses|mass|foci|deposits?)"
#: "a splenic lesion": the finding named after its organ
_ITS_FINDING = re.compile(r"^\s+" + _FINDING_WORDS + r"\b", re.IGNORECASE)
_FINDINGS_JOINED = re.compile(
    r"\s+" + _FINDING_WORDS + r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)"
    r"(?:(?:an?|the|multiple|several|numerous|two|three|small|large|left|right|bilateral)\s+)*",
    re.IGNORECASE,
)


def _described_then_named(report: Report, s: Sentence, cue: Mention, sites: list[Mention]) -> list[Mention]:
    """Sites of findings the clause then calls metastases: "lesions in the liver and adrenal
    glands, consistent with metastases", "a thyroid nodule, which proved to be a metastasis"."""
    local = cue.start - s.start
    head = _CONSISTENT.search(s.text, max(0, local - 30), local + len(cue.text) + 20)
    if head is None:
        return _found_to_be(report, s, cue, sites)
    if _ANOTHER_READING.match(s.local(cue.end, cue.end + 40)):
        return []  # "a liver lesion consistent with metastasis or abscess": one of two readings
    if _DISPROVED_AFTER.search(s.local(cue.end, s.end)) or _FIRST_IMPRESSION.search(s.local(cue.start - 60, cue.start)):
        return []  # "a splenic lesion, initially thought consistent with metastasis, proved to be a haemangioma"
    found: list[Mention] = []
    for site in sites:
        if site.end > cue.start or s.local(site.end, cue.start).count(";") or "." in s.local(site.end, cue.start):
            continue
        if _ITS_OWN_READING.search(s.local(site.end, s.start + head.start())):
            continue  # "an adrenal nodule consistent with adenoma and a splenic lesion consistent with ..."
        gap = s.local(found[-1].end, site.start) if found else ""
        # "lung nodules and a liver lesion, all consistent with": each item with its own finding noun
        joined = bool(found) and (_CONNECTOR.fullmatch(gap) or _FINDINGS_JOINED.fullmatch(gap))
        described = _FINDING_NOUN.search(s.local(max(s.start, site.start - 60), site.start))
        # "a splenic lesion consistent with metastasis": the finding named after its organ
        described = described or _ITS_FINDING.match(s.local(site.end, site.end + 20))
        first = not found and (described or _NODES.fullmatch(site.text))
        if joined or first:
            found.append(site)
    return found


def _found_to_be(report: Report, s: Sentence, cue: Mention, sites: list[Mention]) -> list[Mention]:
    """The finding a verdict right after it calls a metastasis: "the thyroid nodule revealed
    metastatic carcinoma", "a nodule on the back, which proved to be a metastasis", "the brain lesions
    were metastatic"; the last finding before the verdict, tied to it by nothing but its own words
    ("... and the patient was metastatic" is no verdict on the mass before)."""
    local = cue.start - s.start
    head = _FOUND_TO_BE.search(s.text, max(0, local - 40), local + len(cue.text) + 20)
    if head is None or _after(report, s, cue, sites) or _DISPROVED_AFTER.search(s.local(cue.end, s.end)):
        return []  # "CT showed a liver mass and revealed metastatic disease in the lungs": named after
    before = [x for x in sites if x.end <= s.start + head.start()]
    # the last finding; or one before it whose description the later organ is part of ("a mass in the
    # adrenal gland abutting the kidney, which proved ...")
    for n in range(len(before) - 1, -1, -1):
        site = before[n]
        link = s.local(site.end, s.start + head.start())
        if ";" in link and any(";" not in s.local(x.end, site.start) for x in before[:n]):
            return []  # "a mass in the adrenal and a lesion in the sacrum were found; biopsy confirmed": which?
        described = _ITS_FINDING.match(link) or _FINDING_NOUN.search(s.local(max(s.start, site.start - 60), site.start))
        if described and _VERDICT_LINK.fullmatch(link):
            return [site]
    return []


#: What may stand between a finding and the verdict on it: "(thyroid) nodule", "(subcutaneous) nodule on
#: the back, which", "(transverse colon), which on biopsy", "(cerebellar) hemisphere, and the resected lesion".
_VERDICT_LINK = re.compile(
    r"(?:[\s-]+[\w-]+)?(?:\s+" + _FINDING_WORDS + r")?"
    r"(?:\s+(?:on|in|of|at|within|near|abutting|adjacent\s+to|involving)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?[\w-]+){0,2}"
    r"\s*,?(?:\s+(?:was|were)\s+(?:found|seen|noted|detected|identified|biopsied|resected|excised)(?:\s+and)?)?"
    r"\s*,?(?:\s+(?:which|that|and\s+(?:it|this|the\s+(?:[\w-]+\s+)?(?:lesion|mass|nodule|tumou?r|biopsy|specimen)s?))"
    r"(?:\s+(?:was|were|had\s+been|has\s+been))?)?"
    r"\s*,?(?:\s+(?:later|subsequently|histologically|pathologically|eventually))?"
    r"(?:\s+(?:on|at|after)\s+(?:\w+\s+)?(?:biopsy|excision|resection|histology|examination)\s*,?)?"
    # "; histology showed": the finding's own examination after a semicolon
    r"(?:\s*;\s*(?:the\s+)?(?:histology|histopathology|pathology|cytology|biopsy|(?:histo)?patholog\w+\s+examination))?"
    r"\s*",
    re.IGNORECASE,
)


_NODES_AFTER = re.compile(
    r"^(?:\s+(?:metastatic|involved|enlarged|positive))?\s+(?:" + NODE_NOUN + r")\b", re.IGNORECASE
)


def _nodal_station(report: Report, s: Sentence, site: Mention) -> str:
    """The nodes of a region, not the region: "axillary metastatic lymph nodes" (axillary lymph node)."""
    vocab = report.vocabulary
    if not _NODES_AFTER.match(s.local(site.end, s.end)) or vocab.is_a("site", site.key, "LymphNode"):
        return site.key
    stations = (
        t.key for t in vocab.terms.all_terms() if t.category == "site" and vocab.is_a("site", t.key, "LymphNode")
    )
    return next((key for key in stations if vocab.below("site", key, site.key)), site.key)


_ZERO_OF = re.compile(r"\b(?:0|zero|none)\s*(?:/|of|out\s+of)\s*(?:the\s+)?\d+\b", re.IGNORECASE)


def _none_of(s: Sentence, cue: Mention) -> bool:
    """ "lymph nodes were involved in 0/12": a count of none negates the cue's clause."""
    clause = next(((a, b) for a, b in clause_bounds(s.text) if a <= cue.start - s.start < b), (0, len(s.text)))
    return bool(_ZERO_OF.search(s.text, *clause))


def _linked_sites(report: Report, s: Sentence, cue: Mention, sites: list[Mention]) -> list[Mention]:
    """The sites a cue word names, after it ("metastases to the liver") or before it ("liver metastases")."""
    return _after(report, s, cue, sites) + _before(report, s, cue, sites) or _imaged_organ(report, s, cue)


def _imaged_organ(report: Report, s: Sentence, cue: Mention) -> list[Mention]:
    """ "Brain MRI showed multiple metastases": the organ an imaging study is named after, where the
    sentence names no other site before the cue."""
    clause = max((b.end() for b in _NEW_CLAUSE.finditer(s.local(s.start, cue.start))), default=0) + s.start
    previous = [m for m in s.of("site") if clause <= m.start and m.end <= cue.start]
    if len(previous) != 1 or not _STUDY_OF_AN_ORGAN_FOUND.fullmatch(s.local(previous[0].end, cue.start)):
        return []
    if _OR_ANOTHER.match(s.local(cue.end, cue.end + 30)):
        return []  # "lesions consistent with metastases or abscesses": one of two readings
    return [previous[0]] if any(report.vocabulary.is_a("site", previous[0].key, o) for o in _IMAGED_ORGANS) else []


#: A sentence that speaks of the findings of the one before: "These were proven to be metastases."
_ANAPHOR = re.compile(
    r"^\s*(?:These|Those|They|Both|All|It|The(?:se)?\s+(?:lesions|masses|nodules|tumou?rs|findings)|"
    r"Th(?:is|e)\s+(?:lesion|mass|nodule|tumou?r|finding))\s+(?:(?:all|both)\s+)?"
    r"(?:(?:were|was)\s+(?:(?:later|subsequently|histologically|pathologically)\s+)?(?:proven|proved|confirmed|shown|found)|"
    r"(?:(?:later|subsequently|eventually)\s+)?(?:proved|turned\s+out))\s+"  # "It proved to be a metastasis"
    r"(?:(?:by|on|at)\s+(?:\w+\s+){1,2})?(?:to\s+be\s+|as\s+|to\s+represent\s+)?(?:\w+\s+)?$",
    re.IGNORECASE,
)


def _named_in_the_next_sentence(report: Report, s: Sentence, before: Sentence, cue: Mention) -> list[Mention]:
    """ "CT showed a pancreatic mass and osteolytic lesions. These were proven to be metastatic.":
    the findings of the sentence before, when this one names them by a pronoun."""
    if before.index != s.index - 1 or cue.category != "cue-metastasis":
        return []
    anaphor = _ANAPHOR.match(s.local(s.start, cue.start))
    if not anaphor or _after(report, s, cue, s.of("site")):
        return []  # the sentence must say of the findings that they are metastases, nothing else first
    found = [
        m
        for m in _lesion_sites(before)
        if m.asserted
        and (
            _LESION_AFTER.match(before.local(m.end, m.end + 20))  # "a pancreatic lesion"
            or _FINDING_NOUN.search(before.local(max(before.start, m.start - 60), m.start))  # "a mass in the kidney"
        )
    ]
    one = re.match(r"\s*(?:It|Th(?:is|e)\s+(?:lesion|mass|nodule|tumou?r|finding))\b", anaphor.group(0), re.IGNORECASE)
    return found if len(found) <= 1 or not one else []  # "A nodule in the lung and a lesion in the liver ... It was"


def _candidates(report: Report) -> list[LesionDraft]:
    out: list[LesionDraft] = []
    before: Sentence | None = None
    for s in report.patient_sentences():
        sites = [m for m in _lesion_sites(s) if m.asserted]
        for cue in s.mentions:
            if cue.category not in _KIND or not cue.asserted or _inside(cue, s.of("histology")) or _none_of(s, cue):
                continue
            if _INVOLVED.match(cue.text) and not _speaks_of_a_tumour(s):
                continue  # "cranial nerve palsies and ipsilateral cerebellar involvement": a sign, no lesion
            if before is not None and (earlier := _named_in_the_next_sentence(report, s, before, cue)):
                out += [_named_before(report, before, s, site, cue) for site in earlier]
            linked = _linked_sites(report, s, cue, sites) + _described_then_named(report, s, cue, sites)
            for site in _with_stations(report, s, linked):
                start, end = min(site.start, cue.start), max(site.end, cue.end)
                key = _nodal_station(report, s, site)
                if cue.category == "cue-invasion" and report.vocabulary.is_a("site", key, "LymphNode"):
                    continue  # nodes "with contiguous extension" into an organ: the nodes are not invaded
                evidence = report.evidence(start, end)
                lesion = LesionDraft(_KIND[cue.category], key, evidence, site.start, sentences=[s.index])
                lesion.widespread = _many_at(s, site, wide=True)
                out.append(lesion)
        before = s
    return out


#: A lesion the case describes at a site: "thyroid nodules with irregular margins", "a left renal
#: mass", "a mass in the left kidney".
_LESION_WORD = r"(?:mass(?:es)?|nodules?|lesions?|tumou?rs?|deposits?)"
_LESION_AT_SITE_AFTER = re.compile(r"^(?:\s+[\w-]+)?\s+" + _LESION_WORD + r"\b", re.IGNORECASE)
_LESION_AT_SITE_BEFORE = re.compile(
    r"\b" + _LESION_WORD + r"\s+(?:in|of|within|involving|at)\s+(?:the\s+)?(?:(?:left|right|upper|lower)\s+)*$",
    re.IGNORECASE,
)


#: A title that weighs a metastasis against something else, or names what only looks like one.
_TITLE_IN_DOUBT = re.compile(
    r"\?|\b(?:versus|vs\.?|masquerad\w*|simulat\w*|imitat\w*|mimick?\w*|pseudo-?\w*|resembl\w*|"
    r"mistaken|misdiagnos\w*|differential)\b",
    re.IGNORECASE,
)


def _named_by_the_title(report: Report, stated: list[LesionDraft]) -> list[LesionDraft]:
    """Metastases the title names ("Thyroid metastasis from breast cancer") at a site where the case
    describes a lesion ("thyroid nodules with irregular margins"), which the text does not call a
    metastasis itself. A title alone gives nothing; the lesion of the case is the evidence."""
    title = report.sentences[0] if report.sentences and report.title else None
    if title is None or re.sub(r"\s+", " ", title.text).strip() not in report.title:
        return []
    if _TITLE_IN_DOUBT.search(report.title):
        return []  # "Tuberculosis masquerading as lung metastases", "Adrenal metastasis or adenoma?"
    own_organs = {o for m in title.of("histology") for o in report.vocabulary.implied_sites("histology", m.key)}
    named = {
        site.key
        for cue in title.of("cue-metastasis")
        if cue.asserted
        for site in _linked_sites(report, title, cue, [m for m in _lesion_sites(title) if m.asserted])
    }
    known = {lesion.site for lesion in stated} | own_organs  # "Metastatic renal cell carcinoma of the kidney"
    out: list[LesionDraft] = []
    for key in sorted(named - known):
        found = _lesion_described_at(report, key)
        if found is not None:
            s, site = found
            evidence = report.evidence(site.start, site.end) + report.evidence(title.start, title.end)
            out.append(LesionDraft("metastasis", key, evidence, site.start, sentences=[s.index]))
    return out


def _lesion_described_at(report: Report, key: str) -> tuple[Sentence, Mention] | None:
    """The first case sentence that describes a mass, nodule or lesion at the site ``key``."""
    for s in report.case_sentences():
        for site in _lesion_sites(s):
            if site.key != key or not site.asserted:
                continue
            if _LESION_AT_SITE_AFTER.match(s.local(site.end, site.end + 30)) or _LESION_AT_SITE_BEFORE.search(
                s.local(site.start - 50, site.start)
            ):
                return s, site
    return None


_INVOLVED = re.compile(r"involv", re.IGNORECASE)
_TUMOUR_TALK = re.compile(
    r"\b(?:nodules?|mass(?:es)?|lesions?|tumou?rs?|lumps?|metasta\w*|cancers?|\w*omas?|malignan\w*|neoplas\w*|"
    r"disease|infiltrat\w*|uptake|avid|hypermetabolic|deposits?|cells|biopsy|cytology|PET|CT|MRI|scans?|imaging|"
    r"ultrasound|sonograph\w*|scintigra\w*|radiograph\w*)\b",
    re.IGNORECASE,
)


def _speaks_of_a_tumour(s: Sentence) -> bool:
    """Whether a sentence speaks of a tumour or a finding, so that "involvement" in it is the tumour's."""
    return bool(s.of("histology")) or _TUMOUR_TALK.search(s.text) is not None


def _named_before(report: Report, before: Sentence, s: Sentence, site: Mention, cue: Mention) -> LesionDraft:
    """A metastasis at a finding of ``before`` that ``s`` calls metastatic."""
    evidence = report.evidence(site.start, cue.end)
    return LesionDraft("metastasis", site.key, evidence, site.start, sentences=[before.index, s.index])


def _stations_of(report: Report, s: Sentence, site: Mention) -> list[Mention]:
    """Stations listed with a node mention, or for a node named without its station, with the last
    such node before it ("nodes in the axillary and pelvic regions, indicating lymph node metastasis")."""
    listed = listed_stations(report, s, site)
    if listed or site.key != "lymph-node":
        return listed
    for earlier in reversed([m for m in s.of("site") if m.key == "lymph-node" and m.end <= site.start]):
        if earlier.asserted and (stations := listed_stations(report, s, earlier)):
            return [m for m in stations if m.start > earlier.start]
    return []


def _with_stations(report: Report, s: Sentence, sites: list[Mention]) -> list[Mention]:
    """The sites, with the stations listed around a node ("mediastinal and hilar adenopathy"); a
    node named without its station gives way to the stations listed after it, and the regions of
    that list name stations, not organs with metastases of their own."""
    stations = {id(site): _stations_of(report, s, site) for site in sites}
    lists = [
        (site.end, listed[-1].end)
        for site in sites
        if site.key == "lymph-node" and (listed := [m for m in stations[id(site)] if m.start > site.start])
    ]
    kept = [site for site in sites if not any(start <= site.start <= end for start, end in lists)]
    out: list[Mention] = []
    for site in kept:
        listed = [m for m in stations[id(site)] if not any(m.start == o.start for o in kept + out)]
        listed_after = any(m.start > site.start for m in listed)
        out += listed + ([site] if site.key != "lymph-node" or not listed_after else [])
    return out


def _merge(lesions: list[LesionDraft], report: Report) -> list[LesionDraft]:
    vocab = report.vocabulary
    merged: list[LesionDraft] = []
    for lesion in sorted(lesions, key=lambda x: x.position):
        target = next((m for m in merged if m.kind == lesion.kind and m.site == lesion.site), None)
        if target is None:
            merged.append(lesion)
        else:
            _absorb(target, lesion)
    changed = True
    while changed:
        changed = False
        for a in merged:
            b = next(
                (
                    b
                    for b in merged
                    if b is not a and b.kind == a.kind and a.site and b.site and vocab.below("site", b.site, a.site)
                ),
                None,
            )
            if b is not None:
                wide, part = (a, b) if a.widespread else (b, a)  # "diffuse bone lesions" and an iliac biopsy: bone
                _absorb(wide, part)
                merged.remove(part)
                changed = True
                break
    return merged


def _absorb(target: LesionDraft, other: LesionDraft) -> None:
    for ev in other.evidence:
        if ev not in target.evidence:
            target.evidence.append(ev)
    target.sentences += [i for i in other.sentences if i not in target.sentences]
    target.position = min(target.position, other.position)


_LESION_NOUN = re.compile(
    r"\b(?:nodules?|mass(?:es)?|lesions?|tumou?rs?|swelling|lumps?|metasta\w*|plaques?)\b", re.IGNORECASE
)


def _refine(lesion: LesionDraft, report: Report, primary: LesionDraft | None) -> None:
    """Use a more specific site the case text gives for the lesion ("left frontal scalp" for scalp),
    not the primary's for a metastasis ("a tumour in the tibia", then "bone metastases")."""
    vocab = report.vocabulary
    if lesion.widespread:
        return
    best: tuple[Sentence, Mention] | None = None
    primary_site = primary.site if primary is not None and lesion.kind == "metastasis" else None
    for s in report.patient_sentences():
        if not _LESION_NOUN.search(s.text):
            continue
        for m in _lesion_sites(s):
            if not _LESION_NOUN.search(s.local(m.start - 25, m.end + 25)):
                continue  # "skin lesions ... with dermal papules": the lesion is not said to be there
            if primary_site and vocab.related("site", m.key, primary_site):
                continue
            if vocab.is_a("site", m.key, "BodyFluid"):
                continue  # "pleura involvement ... a pleural effusion": the fluid is no seat of the lesion
            deeper = best is None or vocab.below("site", m.key, best[1].key)
            if m.asserted and lesion.site and vocab.below("site", m.key, lesion.site) and deeper:
                best = (s, m)
    if best is not None:
        lesion.site = best[1].key
        _describe_site(lesion, best[0], best[1], report)


def _describe_site(lesion: LesionDraft, s: Sentence, m: Mention, report: Report) -> None:
    side, side_start = laterality_before(s.text, m.start - s.start)
    if side:
        lesion.laterality = side
        lesion.site_text = s.text[side_start : m.end - s.start]
    else:
        lesion.site_text = m.text
    for ev in report.evidence(s.start + side_start if side else m.start, m.end):
        if ev not in lesion.evidence:
            lesion.evidence.append(ev)


def _side_of(lesion: LesionDraft, report: Report) -> None:
    if lesion.laterality is not None:
        return
    for s in report.patient_sentences():
        if s.index not in lesion.sentences:
            continue
        for m in s.of("site"):
            if m.key == lesion.site:
                side, _ = laterality_before(s.text, m.start - s.start)
                if side:
                    lesion.laterality = side
                    return


REGIONAL = "regional lymph node"
IMPLIED = "implied: lesions the text does not call metastases"


#: Organs where new lesions in a patient with metastatic cancer are metastases unless said otherwise.
_SEATS = ("lung", "pleura", "liver", "bone", "brain", "adrenal-gland", "peritoneum", "spleen")
_MANY = (
    r"(?:new|multiple|numerous|several|innumerable|diffuse|widespread|scattered|FDG[\s-]+avid|hypermetabolic|"
    r"metabolically\s+active)"
)
_FINDINGS = r"(?:lesions?|nodules?|masses|foci|(?<!glass\s)opacities|metastases|deposits)"  # not ground-glass ones
_MANY_BEFORE = re.compile(r"\b" + _MANY + r"\s+(?:[\w-]+\s+){0,3}$", re.IGNORECASE)
_FINDING_AFTER = re.compile(r"^(?:\s+(?:and|or|,)?\s*[\w-]+){0,3}?\s+" + _FINDINGS + r"\b", re.IGNORECASE)
_MANY_FINDINGS_IN = re.compile(
    r"\b" + _MANY + r"\s+(?:[\w-]+\s+){0,2}?" + _FINDINGS + r"\s+(?:in|of|involving|within|throughout)\s+"
    r"(?:the\s+|both\s+)?(?:[\w-]+\s+)?$",
    re.IGNORECASE,
)
_WIDE = r"(?:multiple|numerous|several|innumerable|diffuse|widespread|scattered)"
_WIDE_BEFORE = re.compile(r"\b" + _WIDE + r"\s+(?:[\w-]+\s+){0,3}$", re.IGNORECASE)
_WIDE_FINDINGS_IN = re.compile(_MANY_FINDINGS_IN.pattern.replace(_MANY, _WIDE, 1), re.IGNORECASE)
_BENIGN = re.compile(
    r"\b(?:cysts?|cystic|h[a]?emangioma\w*|granulom\w*|benign|calcifi\w*|tubercul\w*|abscess\w*|infect\w*|"
    r"fibroids?|infarct\w*|inflammat\w*|fungal|sarcoid\w*)\b",
    re.IGNORECASE,
)


def _implied_metastases(report: Report, primary: LesionDraft | None) -> list[LesionDraft]:
    """New or multiple lesions in an organ where metastases usually seat ("multiple bone lesions",
    "numerous FDG-avid lesions in the liver") and enlarged or avid node stations, in a patient the
    case gives metastatic cancer; kept as metastases the text implies (``description``) for the
    curator to confirm."""
    vocab = report.vocabulary
    patient = list(report.patient_sentences())
    metastatic = any(c.asserted for s in patient for c in s.of("cue-metastasis"))
    if primary is None or not metastatic:
        return []
    out: list[LesionDraft] = []
    for s in patient:
        if _BENIGN.search(s.text):
            continue
        for site in _lesion_sites(s):
            seat = any(vocab.related("site", site.key, k) and not vocab.below("site", k, site.key) for k in _SEATS)
            if not site.asserted or not seat or vocab.related("site", site.key, primary.site):
                continue
            if _many_at(s, site):
                out.append(_implied(report, s, site))
        out += [_implied(report, s, station) for station in _enlarged_stations(report, s)]
    return out


def _many_at(s: Sentence, site: Mention, wide: bool = False) -> bool:
    """Whether the sentence speaks of many or new lesions at a site ("multiple bone lesions",
    "numerous FDG-avid lesions in the liver"); with ``wide``, of many only, throughout it ("diffuse
    lesions in the bones", not "a new brain lesion")."""
    before = s.local(max(s.start, site.start - 50), site.start)
    after = _FINDING_AFTER.match(s.local(site.end, site.end + 40))
    many_before, many_in = (_WIDE_BEFORE, _WIDE_FINDINGS_IN) if wide else (_MANY_BEFORE, _MANY_FINDINGS_IN)
    return bool((after and many_before.search(before)) or many_in.search(before))


def _implied(report: Report, s: Sentence, site: Mention) -> LesionDraft:
    """A metastasis the text implies at ``site``."""
    lesion = LesionDraft("metastasis", site.key, report.evidence(site.start, site.end), site.start)
    lesion.sentences, lesion.description = [s.index], IMPLIED
    lesion.widespread = _many_at(s, site, wide=True)
    return lesion


_ADENOPATHY = re.compile(r"adenopath", re.IGNORECASE)
# "enlarged left para-aortic lymph nodes", not "non-avid nodes" nor "an enlarged liver and para-aortic nodes"
_ENLARGED_BEFORE = re.compile(
    r"(?<![\w-])(?:enlarged|swollen|bulky|avid)\s+(?:(?!and\b|or\b)[\w-]+\s+){0,3}$", re.IGNORECASE
)


def _enlarged_stations(report: Report, s: Sentence) -> list[Mention]:
    """ "mediastinal and right hilar adenopathy", "enlarged para-aortic lymph nodes": the stations
    of nodes named as enlarged or avid, each an implied node metastasis (regional or distant by
    its station)."""
    vocab = report.vocabulary
    out: list[Mention] = []
    for node in _lesion_sites(s):
        if not node.asserted or not vocab.is_a("site", node.key, "LymphNode"):
            continue
        before = s.local(max(s.start, node.start - 50), node.start)
        if not (_ADENOPATHY.search(node.text) or _MANY_BEFORE.search(before) or _ENLARGED_BEFORE.search(before)):
            continue
        stations = [m for m in _with_stations(report, s, [node]) if m.key != "lymph-node"]
        out += [m for m in stations if not any(m.start == o.start for o in out)]
    return out


#: The body cavities whose organs a tumour of the skin or the head cannot reach by growing into them.
_CAVITIES = ("ThoracicCavity", "Abdomen", "Pelvis")


def _out_of_reach(report: Report, lesion: LesionDraft, primary: LesionDraft | None) -> bool:
    """Whether an organ said to be infiltrated lies beyond the reach of a primary of the skin or the
    head (a melanoma of the eye): an organ of a body cavity, not the bone, muscle or soft tissue
    under the skin."""
    vocab = report.vocabulary
    if primary is None or not any(vocab.is_a("site", primary.site, far) for far in ("Skin", "Head")):
        return False
    if any(vocab.is_a("site", lesion.site, kind) for kind in ("Bone", "SoftTissue", "Skin")):
        return False
    return any(vocab.is_a("site", lesion.site, cavity) for cavity in _CAVITIES)


#: "a malignant pleural effusion", "metastatic pericardial effusion", "malignant ascites": the serous
#: membrane's metastasis.
_FLUID = (
    r"(?:\b(?P<{0}>pleural|pericardial|peritoneal|ascitic|cerebrospinal)\s+(?:effusions?|fluid)|"
    r"(?P<{0}_ascites>ascites)|(?P<{0}_csf>CSF))"
)
_TUMOUR_CELLS = (
    r"(?<![\w-])(?:malignant|tumou?r|neoplastic|cancer|carcinoma|adenocarcinoma|metastatic)(?:\s+[\w-]+)?\s+cells"
)
_MALIGNANT_EFFUSION = re.compile(
    r"(?<!non-)(?<!non)(?<!non\s)\b(?:malignant|metastatic|neoplastic|carcinomatous)\s+"
    # "a malignant right pleural effusion"
    r"(?:(?:left|right|bilateral|large|massive|recurrent)[-\s]+(?:sided\s+)?){0,2}"
    r"(?:(?P<membrane>pleural|pericardial|peritoneal)\s+(?:effusions?|fluid)|(?P<ascites>ascites))\b|"
    # "pleural fluid cytology revealed metastatic carcinoma", "a pericardial effusion with malignant cells",
    # "cytology of the ascitic fluid was positive for adenocarcinoma"
    + _FLUID.format("fluid")
    + r"(?:\s+cytology)?\s+(?:with|showed|shows|revealed|demonstrated|confirmed|contained|containing|"
    r"(?:was|were)\s+positive\s+for)\s+(?:the\s+presence\s+of\s+)?(?:an?\s+)?"
    r"(?:" + _TUMOUR_CELLS + r"|(?:metastatic\s+)?(?:(?!no\b|not\b|without\b)[\w-]+\s+)?(?:adeno)?carcinoma)\b"
    r"(?!\s+(?:cells\s+)?(?:were\s+|was\s+)?(?:absent|not)\b)|"
    # "malignant cells were found in the ascitic fluid"
    + _TUMOUR_CELLS
    + r"\s+(?:were\s+|was\s+)?(?:(?:found|seen|identified|detected|present|noted|observed)\s+)?in\s+(?:the\s+)?"
    + _FLUID.format("cells"),
    re.IGNORECASE,
)
#: "A pleural effusion with malignant cells defines M1a disease": a definition, no finding.
_DEFINITION = re.compile(r"\b(?:defines?|is\s+defined|are\s+defined|classif(?:y|ies|ied)\s+as|constitutes?)\b", re.I)
_DEFINES = re.compile(r"^\s*(?:the\s+)?(?:management\s+of\s+)?malignant\s+\w+(?:\s+effusions?)?\s+(?:is|are)\b", re.I)
_MEMBRANES = {
    "pleural": "pleura",
    "pericardial": "pericardium",
    "peritoneal": "peritoneum",
    "ascitic": "peritoneum",
    "ascites": "peritoneum",
    "cerebrospinal": "leptomeninges",
    "csf": "leptomeninges",
}


def _malignant_effusions(report: Report, primary: LesionDraft | None) -> list[LesionDraft]:
    """Metastases a cancer's malignant effusion states: the pleura of "a malignant pleural
    effusion" (stage M1a of a lung cancer, IV of an ovarian one), the pericardium, the peritoneum."""
    if primary is None:
        return []
    out: list[LesionDraft] = []
    for s in report.patient_sentences():
        if _DEFINES.search(s.text) or _DEFINITION.search(s.text):
            continue  # "Malignant pleural effusion is a common complication of ...": no finding
        for m in _MALIGNANT_EFFUSION.finditer(s.text):
            word = next(v for v in m.groupdict().values() if v).lower()
            start, end = s.start + m.start(), s.start + m.end()
            named = [x for x in s.of("site") if x.start < end and start < x.end]
            key = _MEMBRANES[word]
            if not named or not all(x.asserted for x in named) or report.vocabulary.terms.get("site", key) is None:
                continue
            lesion = LesionDraft("metastasis", key, report.evidence(start, end), start)
            lesion.sentences = [s.index]
            out.append(lesion)
    return out


def find_lesions(report: Report, primary: LesionDraft | None, confirmed: list[LesionDraft] = ()) -> list[LesionDraft]:  # type: ignore[assignment]
    """Metastases, local invasions and recurrences of this patient, merged by site.

    ``confirmed`` are metastases a specimen confirmed ("FNA of the scalp lesion confirmed
    metastatic carcinoma"); they merge with the lesions the text names.
    """
    vocab = report.vocabulary
    if primary is None and not confirmed and not _about_a_neoplasm(report):
        return []  # "pulmonary involvement" of a vasculitis, an abscess "extending into" the neck
    stated = _candidates(report) + list(confirmed) + _malignant_effusions(report, primary)
    stated = _merge(stated + _named_by_the_title(report, stated), report)
    for lesion in stated:
        if lesion.kind == "local-invasion" and _out_of_reach(report, lesion, primary):
            lesion.kind = "metastasis"  # "hepatic infiltration" by a melanoma of the skin
    implied = [x for x in _implied_metastases(report, primary) if not any(x.site == y.site for y in stated)]
    lesions = _merge(stated + implied, report)
    for lesion in lesions:
        _refine(lesion, report, primary)
        _side_of(lesion, report)
        dates = [s.date for s in report.case_sentences() if s.index in lesion.sentences and s.date is not None]
        if dates:
            lesion.diagnosis_date = dates[0]
        if regional_node(report, lesion, primary):
            lesion.description = REGIONAL
    if primary is not None and primary.site:
        lesions = [lesion for lesion in lesions if not _the_primary_itself(vocab, lesion, primary)]
    return sorted(lesions, key=lambda x: x.position)


# ---------------------------------------------------------------- primary tumour

_TNM = re.compile(
    r"\b(?P<tnm>(?:[cpyra]{1,3})?T(?:is|[0-4xX])[a-d]?(?:\([\w,]+\))?\s?N[0-3xX][a-c]?(?:\([\w/,]+\))?\s?M[01xX][a-c]?)"
    r"|\bstage\s+(?P<stage>(?:IV|I{1,3})[ABC]?\d?|[0-4][ABC]?)\b"
)
_GRADE = re.compile(r"\b(?:histologic(?:al)?\s+)?grade\s+(?P<g>[1-3]|I{1,3})\b", re.IGNORECASE)
_DIAGNOSTIC = re.compile(
    r"\b(?:diagnosed\s+(?:as|with)|diagnosis\s+of|confirmed|revealed|showed|consistent\s+with|classified\s+as|compatible\s+with)\s+",
    re.IGNORECASE,
)


def _malignant(report: Report, key: str) -> bool:
    return report.vocabulary.is_a("histology", key, "MalignantNeoplasm")


def _metastatic_context(s: Sentence, m: Mention) -> bool:
    before = s.local(m.start - 25, m.start).lower()
    if _METASTASES_FROM.search(s.local(m.start - 60, m.start)):
        return False  # "liver metastases from an adenocarcinoma of the sigmoid colon": the primary itself
    return (
        "metasta" in before or "secondary" in before or bool(_METASTATIC_GRADED.search(s.local(m.start - 60, m.start)))
    )


#: "metastases from a (poorly differentiated) adenocarcinoma": the tumour the metastases came from.
_METASTASES_FROM = re.compile(
    r"\b(?:metastas[ie]s|metastatic\s+(?:disease|lesions?|deposits?))\s+(?:[\w-]+\s+){0,3}?from\s+"
    r"(?:an?\s+|the\s+|his\s+|her\s+)?(?:[\w-]+\s+){0,2}$",
    re.IGNORECASE,
)


#: "metastatic moderately differentiated adenocarcinoma" (or "metastatic with moderately ..."): the
#: grade between the word and the histology
_METASTATIC_GRADED = re.compile(
    r"\bmetastatic\s+(?:with\s+)?(?:(?:well|moderately|poorly|un)[\s-]*(?:to\s+(?:well|moderately|poorly)[\s-]*)?differentiated\s+)$",
    re.IGNORECASE,
)


def _names_its_organ(report: Report, histology: str) -> bool:
    """Whether a histology names the organ it arises in (colorectal adenocarcinoma, renal cell
    carcinoma), not only a tissue it is usually of (a melanoma's skin, a sarcoma's soft tissue)."""
    vocab = report.vocabulary
    implied = vocab.implied_sites("histology", histology)
    return bool(implied) and not any(vocab.is_a("site", implied[0], tissue) for tissue in ("Skin", "SoftTissue"))


def _primary_candidates(
    report: Report, metastatic: bool = False
) -> tuple[Counter[str], dict[str, list[tuple[Sentence, Mention]]]]:
    """Histologies the case states, scored; with `metastatic`, only those it names as a metastasis's."""
    scores: Counter[str] = Counter()
    seen: dict[str, list[tuple[Sentence, Mention]]] = {}
    first_case = True
    for s in report.patient_sentences():
        for m in s.of("histology"):
            if not m.asserted or not _malignant(report, m.key):
                continue
            of_a_metastasis = _metastatic_context(s, m) and not _names_its_organ(report, m.key)
            if of_a_metastasis != metastatic:
                continue  # "metastatic adenocarcinoma" of a biopsy; "metastatic colorectal adenocarcinoma" is one
            score = 1.0
            before = s.local(m.start - 40, m.start)
            if re.search(r"\bprimary\b", before, re.IGNORECASE):
                score += 3
            if _DIAGNOSTIC.search(before[-30:]):
                score += 1
            if first_case and s.section == "case":
                score += 1
                first_case = False
            scores[m.key] += score
            seen.setdefault(m.key, []).append((s, m))
    # the title weighs in only for what the text itself states: nothing comes from a title alone
    for m in report.title_mentions:
        if m.category == "histology" and m.key in seen and _malignant(report, m.key):
            before = report.title[max(0, m.start - 12) : m.start].lower()
            earlier = _EARLIER_TUMOUR.search(report.title[max(0, m.start - 30) : m.start])
            if "metasta" not in before and not earlier:  # not "... in a patient with previous lymphoma"
                scores[m.key] += 3 + (3 if "primary" in before else 0)
    return scores, seen


_EARLIER_TUMOUR = re.compile(
    r"\b(?:previous|prior|former|history\s+of|treated\s+for|previously\s+treated)\b", re.IGNORECASE
)


def _choose_histology(report: Report, scores: Counter[str]) -> str | None:
    vocab = report.vocabulary
    total: Counter[str] = Counter()
    for key, score in scores.items():
        total[key] += score
        for other, other_score in scores.items():
            if other != key and vocab.below("histology", key, other):
                total[key] += other_score
    if not total:
        return None
    depth = {k: len(vocab.terms.ancestors(vocab.terms.get("histology", k).iri)) for k in total}  # type: ignore[union-attr]
    return max(total, key=lambda k: (total[k], depth[k]))


_OF_SITE = re.compile(
    r"\s*(?:\([^)]{0,20}\)\s*)?(?:of|in|from|at|involving|(?:arising|originating)\s+(?:in|from))\s+(?:the\s+)?"
    r"(?:(?:left|right|bilateral)[\s-]+(?:sided\s+)?)?"
    # "of the sigmoid colon", "of the distal oesophagus": the organ's segment before it
    r"(?:(?:sigmoid|ascending|descending|transverse|distal|proximal|middle|mid|upper|lower)\s+)?"
    # "of the right lateral border of the tongue": a part of the organ before it
    r"(?:(?:(?:left|right|lateral|medial|anterior|posterior|upper|lower|inner|outer|dorsal|ventral)\s+){0,2}"
    r"(?:side|border|aspect|surface|margin|edge|part|portion|quadrant)\s+of\s+(?:the\s+)?(?:(?:left|right)\s+)?)?",
    re.IGNORECASE,
)


#: Where a carcinoma of unknown primary is sampled: its metastases' usual seats.
SEATS_OF_METASTASES = (
    "LymphNode",
    "Axilla",
    "Liver",
    "Lung",
    "Bone",
    "BoneMarrow",
    "CentralNervousSystem",
    "AdrenalGland",
    "Pleura",
    "Peritoneum",
    "Omentum",
    "Retroperitoneum",
    "Skin",
    "ChestWall",
    "SoftTissue",
    "Pericardium",
)


#: "primary" said of the tumour, not of the unknown one ("carcinoma of unknown primary").
_CALLED_PRIMARY = re.compile(r"(?<!unknown )(?<!occult )(?<!undetermined )\bprimary\b", re.IGNORECASE)


def _a_seat_of_metastases(report: Report, site: str) -> bool:
    return any(report.vocabulary.is_a("site", site, kind) for kind in SEATS_OF_METASTASES)


def _site_near(report: Report, s: Sentence, m: Mention, sampled: bool = True) -> Mention | None:
    """The organ named with a histology: "carcinoma of the right breast", "breast carcinoma"; never a
    lymph node, which holds a carcinoma only when it has spread there, nor a fluid ("pleural fluid
    cytology revealed adenocarcinoma"), nor another organ than the one the histology names
    ("metastasis from hepatocellular carcinoma in the left lung": where it spread). Without
    ``sampled``, not a usual seat of metastases before it either: "biopsy of an axillary mass showed
    adenocarcinoma" of an unknown primary is where it was sampled (not "biopsy of the base of tongue")."""
    sites = [x for x in s.of("site") if not _holds_no_primary(report, x.key) and _may_hold(report, m, x.key)]
    after = next((x for x in sites if x.start >= m.end), None)
    if after is not None and _OF_SITE.fullmatch(s.local(m.end, after.start)):
        return after
    for site in sites:
        if site.start >= m.start and site.end <= m.end:
            return site
    before = [x for x in sites if x.end <= m.start and (sampled or not _a_seat_of_metastases(report, x.key))]
    gap = s.local(before[-1].end, m.start) if before else ""
    if before and _SAMPLE_SHOWED.fullmatch(gap):  # "liver biopsy showed adenocarcinoma": the sample's organ?
        near = _sample_of_its_organ(report, s, m, before[-1])
    else:
        near = re.fullmatch(r"[\s\w-]{0,20}", gap)
    if before and near and not _SPREAD_FROM.search(gap):
        return before[-1]
    return None


def _sample_of_its_organ(report: Report, s: Sentence, m: Mention, site: Mention) -> bool:
    """ "Gastric biopsy revealed poorly differentiated adenocarcinoma": an organ's sample and what it
    showed, where the organ is no usual seat of metastases (a liver or a bone marrow biopsy is as often
    a metastasis's) and the sentence does not go on to another origin."""
    return not _a_seat_of_metastases(report, site.key) and not _another_origin_after(s, m)


def _another_origin_after(s: Sentence, m: Mention) -> bool:
    """Whether a sentence goes on, after a histology, to say the tumour began elsewhere ("later shown
    to be metastatic from lobular breast cancer", "suggesting a lung primary", "metastatic to the
    lung"); its own spread after "with" ("with lung metastases") is no other origin."""
    said_after = _WITH_ITS_SPREAD.split(s.local(m.end, s.end), maxsplit=1)[0]
    return _ANOTHER_ORIGIN.search(said_after) is not None


#: What tells that a sample's carcinoma began elsewhere.
_ANOTHER_ORIGIN = re.compile(r"\b(?:metasta\w*|primary|origin|originat\w*|secondary|from|krukenberg)\b", re.I)
#: "with" that brings the tumour's own spread, not a reading ("consistent with metastasis from lung").
_WITH_ITS_SPREAD = re.compile(r"(?<!consistent )(?<!compatible )(?<!keeping )\bwith\b", re.IGNORECASE)


#: An organ's sample and what it showed, before the histology: "gastric biopsy (that) revealed poorly
#: differentiated (adenocarcinoma)", "lung biopsy showing invasive".
_SAMPLE_SHOWED = re.compile(
    r"[\s-]+(?:[\w-]+\s+)?(?:biops(?:y|ies)|specimens?|samples?|aspirates?|resection|excision)\s+"
    r"(?:(?:that|which)\s+)?(?:showed|shows|showing|revealed|revealing|demonstrated|demonstrating|confirmed|"
    r"confirming|disclosed)\s+(?:an?\s+)?"
    r"(?:(?:(?:well|moderately|poorly|un)[\s-]*differentiated|invasive|infiltrating|(?:high|low)[\s-]grade)\s+)*",
    re.IGNORECASE,
)


def _may_hold(report: Report, histology: Mention, site: str) -> bool:
    """Whether a histology may arise in a site: one whose name as written names its organ
    ("hepatocellular carcinoma", "renal cell carcinoma") arises there only; "secretory carcinoma",
    of the breast or a salivary gland, anywhere."""
    vocab = report.vocabulary
    organs = vocab.implied_sites("histology", histology.key)
    if organs == ["bone-marrow"]:  # a leukaemia, a myeloma: "an ocular relapse of leukaemia" is its spread
        return vocab.related("site", site, "bone-marrow")
    named = [organ for organ in organs if _word_of(histology.text, vocab.terms.get("site", organ))]
    return not named or any(vocab.related("site", site, organ) for organ in named)


def _word_of(text: str, organ: Term | None) -> bool:
    """Whether a name shares a word stem (five letters) with an organ's names: "hepatocellular", "hepatic"."""
    return organ is not None and bool(word_stems(text) & word_stems(organ.label, *organ.synonyms))


#: "liver metastasis from colorectal cancer": the organ before names where the cancer spread to; "a
#: mesocolic node or HCC dissemination": an alternative, not the organ of the histology.
_SPREAD_FROM = re.compile(r"metasta|secondar|deposit|spread|\bfrom\b|\bor\b", re.IGNORECASE)


_CANCER_NOUN = (
    r"(?:cancers?|carcinomas?|adenocarcinomas?|tumou?rs?|neoplasms?|malignanc(?:y|ies)|sarcomas?|melanomas?|"
    r"neuroendocrine\s+(?:tumou?rs?|carcinomas?|neoplasms?)|NETs?|NECs?|LCNEC|SCLC|NSCLC|RCC|HCC|CRC|[A-Z]{2,5}C)"
)
#: "breast cancer", "gastric obstructive tumor", "duodenal neuroendocrine tumor": an organ, up to
#: two describing words, a cancer noun.
#: Up to two describing words after an organ word, before the noun they describe (not "from",
#: "to": "metastasis to the vagina from endometrial cancer").
_DESCRIBING_WORDS = r"^(?:[\s-]+(?!of\b|in\b|with\b|and\b|or\b|from\b|to\b)[a-z][\w-]*){0,2}?[\s-]+"
_ORGAN_THEN_CANCER = re.compile(_DESCRIBING_WORDS + _CANCER_NOUN + r"\b")
#: "carcinoma of the left breast", "LCNEC of the cervix", "serous carcinoma originating from the fallopian tube".
_CANCER_THEN_ORGAN = re.compile(
    _CANCER_NOUN + r"\s+(?:\([^)]{0,20}\)\s+)?(?:of|in|from|arising\s+(?:in|from)|originating\s+(?:in|from)|"
    r"involving)\s+(?:the\s+)?(?:(?:left|right|bilateral)[\s-]+)?(?:[a-z]+\s+)?$",
)
_NEOPLASM = re.compile(
    r"\b(?:tumou?rs?|neoplas\w*|\w*omas?\b|leuka?emi\w*|malignan\w*|cancers?|metasta\w*)", re.IGNORECASE
)
#: Words ending in -oma that name no neoplasm.
_NOT_NEOPLASMS = frozenset(
    {"hematoma", "haematoma", "glaucoma", "coma", "stoma", "trachoma", "atheroma", "granuloma", "scotoma", "aroma"}
)


def _about_a_neoplasm(report: Report) -> bool:
    """Whether the case or the title speaks of a tumour at all: without one, nothing metastasises."""
    texts = [report.title, *(s.text for s in report.patient_sentences())]
    return any(m.group(0).lower().rstrip("s") not in _NOT_NEOPLASMS for text in texts for m in _NEOPLASM.finditer(text))


_MALIGNANT_WORD = re.compile(
    r"\b(?:cancers?|\w*carcinomas?|malignan\w*|\w*sarcomas?|melanomas?|metasta\w*|neuroendocrine)\b", re.IGNORECASE
)
_SECONDARY = re.compile(r"\bmetasta\w*|\bsecondary\b|\bspread\b|\bdeposits?\b", re.IGNORECASE)
#: A mass "with (multiple) liver metastases", "accompanied by metastases to ...": the primary and its spread.
_WITH_METASTASES = re.compile(
    r"\s*,?\s*(?:with|accompanied\s+by|along\s+with)\s+(?:(?!\b(?:and|or|but)\b)[^.;,]){0,60}?\bmetasta", re.IGNORECASE
)
_UNKNOWN_PRIMARY = re.compile(
    r"\b(?:unknown|occult|unidentified|undetermined)\s+(?:primary|origin)|(?-i:\bCUP\b)|"
    r"\bprimary\s+(?:site|tumou?r|lesion)\s+(?:was|remained|is)\s+(?:still\s+)?(?:unknown|not\s+(?:found|identified))",
    re.IGNORECASE,
)


def unknown_primary(report: Report) -> bool:
    """Whether the case says its primary is unknown: "carcinoma of unknown primary", "the primary
    site remained unknown" (not in a clause that only considers it)."""
    for s in report.case_sentences():
        for m in _UNKNOWN_PRIMARY.finditer(s.text):
            of_a_tumour = "origin" not in m.group(0).lower() or _TUMOUR_OF.search(s.text[: m.start()])
            denied = _DENIED_AFTER.match(s.text, m.end())
            if of_a_tumour and not denied and not any(a <= m.start() < b for a, b in hypothetical_spans(s.text)):
                return True
    return False


#: "Carcinoma of unknown primary was excluded": no unknown primary.
_DENIED_AFTER = re.compile(
    r"\s*(?:was|were|had\s+been|has\s+been)\s+(?:\w+ly\s+)?(?:excluded|ruled\s+out)\b",
    re.IGNORECASE,
)


#: An origin unknown is a tumour's ("a carcinoma of unknown origin"), not a bleed's or a fever's.
_TUMOUR_OF = re.compile(
    r"\b(?:\w*carcinoma|\w*sarcoma|melanoma|tumou?r|cancer|malignancy|neoplasm|metasta\w*)s?\s+of\s+(?:an?\s+)?$",
    re.IGNORECASE,
)


#: "cervical cancer" is the cervix's, although "cervical" alone is the neck's (nodes, spine).
_CERVICAL_CANCER = re.compile(
    r"\bcervical(?:[\s-]+(?!lymph|nodes?\b|spine|vertebra)[a-z][\w-]*){0,2}?[\s-]+" + _CANCER_NOUN + r"\b"
)


def _holds_no_primary(report: Report, site: str) -> bool:
    """A lymph node or a body fluid: a carcinoma found there has spread there."""
    return any(report.vocabulary.is_a("site", site, kind) for kind in ("LymphNode", "BodyFluid"))


def _organ_votes(report: Report) -> Counter[str]:
    """Organs the case names as the seat of a cancer, with how strongly (a primary counts more)."""
    votes: Counter[str] = Counter()
    for s in report.patient_sentences():
        if report.vocabulary.terms.get("site", "uterine-cervix") is not None:
            votes["uterine-cervix"] += len(_CERVICAL_CANCER.findall(s.text))
        for site in s.of("site"):
            if not site.asserted or _holds_no_primary(report, site.key):
                continue
            before = s.local(site.start - 45, site.start)
            after = _ORGAN_THEN_CANCER.match(s.local(site.end, site.end + 60))
            of = _CANCER_THEN_ORGAN.search(before)
            if of and _SECONDARY.search(s.local(site.start - 80, site.start)):
                of = None  # "metastatic renal cell carcinoma of the breast": the breast is where it spread to
            if not (after or of):
                continue
            weight = 1 + 2 * bool(re.search(r"\bprimary\b", before[-25:] + (after.group(0) if after else ""), re.I))
            votes[site.key] += weight
    return votes


_ORIGIN_BEFORE = re.compile(r"^\s+origin\b", re.IGNORECASE)
_ORIGIN_AFTER = re.compile(
    _CANCER_NOUN + r"\s+(?:(?:was|is|that|which)\s+)?(?:originat(?:ed|ing|es)|arising|arose|derived)\s+"
    r"(?:primarily\s+)?(?:in|from)\s+(?:the\s+)?(?:(?:left|right)\s+)?$|"
    # "a 2.8 cm solid primary lesion in the right lower lobe"
    r"\bprimary\s+(?:lesion|mass|nodule|focus|neoplasm)\s+(?:(?:was|is)\s+)?(?:in|at|within)\s+"
    r"(?:the\s+|his\s+|her\s+)?(?:(?:left|right)\s+)?$"
)


def _stated_origin(report: Report) -> tuple[str, list[Evidence]] | None:
    """An organ the case names as where the cancer came from ("the renal origin of the tumour",
    "carcinoma originating from the fallopian tube")."""
    for s in report.patient_sentences():
        for site in s.of("site"):
            if not site.asserted or report.vocabulary.is_a("site", site.key, "LymphNode"):
                continue
            window = max(s.start, site.start - 50)
            before = _ORIGIN_AFTER.search(s.local(window, site.start))
            if _ORIGIN_BEFORE.match(s.local(site.end, site.end + 10)) or before:
                start = window + before.start() if before else site.start
                return site.key, report.evidence(start, site.end + (0 if before else 7))
    return None


def _mass_patterns(noun: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """An organ word before a mass noun ("a solitary pulmonary nodule"), and a mass noun before its
    organ ("a mass lesion in the right hilum", "a tumour arising from the tonsil")."""
    after = re.compile(_DESCRIBING_WORDS + noun + r"\b")
    before = re.compile(
        r"\b" + noun + r"\s+(?:\w+\s+){0,3}?(?:in|of|on|at|within|involving|(?:arising|originating)\s+(?:in|from))\s+"
        r"(?:the\s+)?(?:(?:left|right|upper|lower|middle)\s+){0,2}$",
        re.IGNORECASE,
    )
    return after, before


_MASSES = _mass_patterns(r"(?:mass(?:es)?|nodules?|tumou?rs?|neoplasms?|lumps?)")
#: A carcinoma's organ may also be named by a "lesion" (imaging finds lesions of many kinds, but
#: no carcinoma arises where most of them are: the brain, the bone)
_MASSES_OR_LESIONS = _mass_patterns(r"(?:mass(?:es)?|nodules?|tumou?rs?|neoplasms?|lumps?|lesions?)")
#: Where no carcinoma arises, or where a carcinoma found in a mass has most often come from
#: elsewhere (the liver, the adrenal glands, the serous membranes, the skin, a mass of the neck).
_NO_CARCINOMA_HERE = ("CentralNervousSystem", "Bone", "BoneMarrow", "SoftTissue", "SkeletalSystem")
_USUAL_SEATS_OF_METASTASES = ("Liver", "AdrenalGland", "Pleura", "Peritoneum", "Omentum", "Skin", "ChestWall")
_SEVERAL = re.compile(
    r"\b(?:multiple|several|numerous|bilateral|diffuse|scattered|two|three|four)\s+(?:\w+\s+)?$", re.IGNORECASE
)


#: An operation done for the tumour: "(hysterectomy) for endometrioid (adenocarcinoma)".
_DONE_FOR = re.compile(
    # "(nephrectomy) 8 years earlier for", "in 2012 for", "had been performed for", "due to"
    r"(?:\s+(?:\w+\s+(?:years?|months?)\s+(?:earlier|ago|before|previously)|in\s+\d{4}))?"
    r"\s+(?:(?:was|were|had\s+been)\s+(?:performed|done)\s+)?(?:for|due\s+to)\s+"
    r"(?:an?\s+|the\s+|his\s+|her\s+)?(?:[\w-]+\s+){0,3}",
    re.IGNORECASE,
)
#: What may stand between an organ and its operation: "thyroid (total) lobectomy", "left (lower) lobectomy".
_OPERATION_OF = re.compile(r"[\s-]*(?:(?:total|partial|radical|subtotal|upper|lower|middle)\s+)?", re.IGNORECASE)


def _operated_for(report: Report, mentions: list[tuple[Sentence, Mention]]) -> tuple[str, list[Evidence]] | None:
    """The organ removed by an operation done for the tumour, where its histology names none: a
    hysterectomy for endometrioid adenocarcinoma, a nephrectomy for clear cell carcinoma; the organ
    named with the operation first ("a right thyroid lobectomy for follicular carcinoma")."""
    for s, m in mentions:
        if _NOT_ITS_FIRST.search(s.local(m.start - 30, m.start)) or _another_origin_after(s, m):
            continue  # "lobectomy for recurrent adenocarcinoma", "for adenocarcinoma metastatic from the colon"
        operations = [p for p in procedure_mentions(report, s) if p.asserted and _removes(report, p)]
        done = [
            i for i, op in enumerate(operations) if op.end <= m.start and _DONE_FOR.fullmatch(s.local(op.end, m.start))
        ]
        if not done:
            continue
        first = done[-1]  # "total hysterectomy and bilateral salpingo-oophorectomy for": the first of the operations
        while first > 0 and _OPERATIONS_JOINED.fullmatch(s.local(operations[first - 1].end, operations[first].start)):
            first -= 1
        operation = operations[first]
        named = [
            x
            for x in s.of("site")
            if x.end <= operation.start and _OPERATION_OF.fullmatch(s.local(x.end, operation.start))
        ]
        organ = named[-1].key if named else implied_site(report, operation.key, operation.text)
        if organ is not None:
            return organ, report.evidence(operation.start, m.end)
    return None


#: A tumour that is not the first one: "for recurrent adenocarcinoma", "for a recurrence of ...".
_NOT_ITS_FIRST = re.compile(r"\b(?:recurr\w*|relaps\w*|persistent|residual|metasta\w*|secondary)\b[^.;]*$", re.I)
#: Operations done together: "hysterectomy and bilateral salpingo-oophorectomy", "TAH-BSO".
_OPERATIONS_JOINED = re.compile(r"\s*(?:-|/|,|\+|and|with|plus)\s*(?:[\w-]+\s+){0,2}", re.IGNORECASE)


def _removes(report: Report, procedure: Mention) -> bool:
    """Whether a procedure removes tissue (a resection), not only samples it ("a bone marrow biopsy
    for lymphoma" was done where the disease had spread as often as where it began)."""
    return report.vocabulary.is_a("procedure", procedure.key, "Resection")


def _organ_of_the_first_mass(report: Report, histology: str) -> tuple[str, list[Evidence]] | None:
    """The organ of the one mass the case describes, for a carcinoma or a lymphoma whose diagnosis
    names no organ ("a mass in the right hilum ... diagnosed as squamous cell carcinoma").

    None when the case names masses in more than one organ ("a liver mass ... a sigmoid tumour"),
    after "multiple", in a node, a fluid, an organ the case calls metastatic, in a case of unknown
    primary, and for a carcinoma where none arises or where one found in a mass has most often
    come from elsewhere (the liver, the skin, a mass of the neck). A melanoma's or a sarcoma's
    masses beyond skin and soft tissue are as often metastases: they give none."""
    vocab = report.vocabulary
    carcinoma = vocab.is_a("histology", histology, "Carcinoma")
    if not (carcinoma or vocab.is_a("histology", histology, "Lymphoma")):
        return None
    sentences = list(report.case_sentences())
    if any(_UNKNOWN_PRIMARY.search(s.text) for s in sentences):
        return None
    called = {m.key for m in _sites_called_metastatic(report)}
    masses = list(_masses(report, sentences, _MASSES_OR_LESIONS if carcinoma else _MASSES, called))
    if len({site.key for site, _, _ in masses}) != 1:
        return None  # "a liver mass ... a sigmoid tumour": which is the primary, the text must say
    site, start, end = masses[0]
    if _SEVERAL.search(report.clean.text[max(0, start - 30) : start]):
        return None  # "multiple lesions in the liver" are metastases as often as not
    kinds = _NO_CARCINOMA_HERE + _USUAL_SEATS_OF_METASTASES
    neck = site.key == "neck"  # a mass of the neck (not of its larynx or thyroid) is most often a node's
    if carcinoma and (neck or any(vocab.is_a("site", site.key, kind) for kind in kinds)):
        return None
    return site.key, report.evidence(start, end)


def _masses(
    report: Report, sentences: list[Sentence], patterns: tuple[re.Pattern[str], re.Pattern[str]], called: set[str]
) -> Iterator[tuple[Mention, int, int]]:
    """Each organ the case names with a mass, outside sentences that speak of metastases and
    organs it calls metastatic (``called``) unless the mass is named with the metastases it gave
    ("a lung mass with multiple intrapulmonary metastases"): the site mention and the span of the
    phrase."""
    after_organ, before_organ = patterns
    for s in sentences:
        secondary = _SECONDARY.search(s.text)
        for site in s.of("site"):
            if not site.asserted or _holds_no_primary(report, site.key):
                continue
            after = after_organ.match(s.local(site.end, site.end + 40))
            before = before_organ.search(s.local(site.start - 60, site.start))
            if not (after or before):
                continue
            start = max(s.start, site.start - len(before.group(0)) if before else site.start)
            end = site.end + (after.end() if after else 0)
            if (secondary is not None or site.key in called) and not _with_its_metastases(s, secondary, end):
                continue  # "a splenic mass of the metastatic melanoma"
            yield site, start, end


def _with_its_metastases(s: Sentence, secondary: re.Match[str] | None, end: int) -> bool:
    """Whether a mass ending at ``end`` is named with the metastases that came from it, before any
    other word of spread: "a lung mass with multiple intrapulmonary metastases"."""
    return (
        secondary is not None
        and s.start + secondary.start() >= end
        and _WITH_METASTASES.match(s.text, end - s.start) is not None
    )


def _in_the_primarys_organ(vocab: Vocabulary, site: str | None, primary_site: str) -> bool:
    """Whether a metastasis at ``site`` would be in the primary's own organ: the same organ, a part
    of it or the whole it is part of, or for a disease of the marrow (a myeloma) the bones around
    it; but a bone tumour's "bone metastases" are in other bones."""
    if vocab.is_a("site", primary_site, "BoneMarrow") and vocab.is_a("site", site or "", "Bone"):
        return True
    if not vocab.related("site", site, primary_site):
        return False
    bones = vocab.is_a("site", primary_site, "Bone") and vocab.is_a("site", site, "Bone")
    return not (bones and vocab.below("site", primary_site, site or ""))


_SIDE_WORD = re.compile(r"\b(?:left|right|contralateral|bilateral)\b", re.IGNORECASE)


def _the_primary_itself(vocab: Vocabulary, lesion: LesionDraft, primary: LesionDraft) -> bool:
    """Whether a lesion is the primary seen again: a metastasis in its own organ, or an "invasion"
    of the very organ it is in ("left breast infiltration"; not of another part or the whole, as a
    tongue cancer's floor of the mouth, nor of the other breast)."""
    sides = {m.group(0).lower() for ev in lesion.evidence for m in _SIDE_WORD.finditer(ev.quote)}
    other_side = bool(sides - {primary.laterality or ""})  # "infiltration of the right breast" of a left one
    if lesion.kind == "metastasis":
        sides |= {lesion.laterality.lower()} if lesion.laterality else set()  # "nodules in the left lung"
        other_side = bool(sides - {primary.laterality or ""})
        skin = vocab.is_a("site", primary.site, "Skin") and vocab.is_a("site", lesion.site, "Skin")
        in_organ = _in_the_primarys_organ(vocab, lesion.site, primary.site or "")
        # "the contralateral lung": the other of a paired organ, whichever side the primary is on
        paired_other = "contralateral" in sides or (other_side and primary.laterality is not None)
        return in_organ and not skin and not paired_other
    return lesion.kind == "local-invasion" and lesion.site == primary.site and not other_side


def _called_metastatic(report: Report, site: str) -> bool:
    """Whether the case calls a metastasis what is at ``site`` ("breast cancer metastasis to the cystic duct")."""
    return any(m.key == site for m in _sites_called_metastatic(report))


def _part_of_organ_called_metastatic(vocab: Vocabulary, site: str, called: list[Mention]) -> bool:
    """Whether ``site`` is part of an organ the case calls a seat of metastases (``called``: "metastases
    to the brain", so that "the frontal lobe tumours" resected are no primary of the frontal lobe)."""
    if vocab.is_a("site", site, "Bone"):
        return False  # a tumour of one bone, and "bone metastases" in the others
    return any(vocab.below("site", site, m.key) for m in called)


#: Cue words that name a metastasis as such, not an extent ("involvement") a primary may have too.
_METASTASIS_NAMED = re.compile(r"metasta|mets\b|secondar|deposit|carcinomatosis", re.IGNORECASE)


def _sites_called_metastatic(report: Report, by_name: bool = False) -> Iterator[Mention]:
    for s in report.patient_sentences():
        sites = [m for m in _lesion_sites(s) if m.asserted]
        for cue in s.of("cue-metastasis"):
            if cue.asserted and (not by_name or _METASTASIS_NAMED.match(cue.text)):
                yield from _linked_sites(report, s, cue, sites)


def _of_its_named_organ(report: Report, histology: str, site: str) -> bool:
    """Whether the primary sits in the organ its histology names: a "clear cell renal cell carcinoma"
    is of the kidney even where the case also tells of metastases in the other kidney."""
    if not _names_its_organ(report, histology):
        return False
    vocab = report.vocabulary
    organs = vocab.implied_sites("histology", histology)
    return any(site == organ or vocab.below("site", site, organ) for organ in organs)


def _seat_elsewhere(report: Report, primary: LesionDraft) -> None:
    """A primary placed where the case says a metastasis is moves to the organ its cancer words name."""
    votes = _organ_votes(report)
    votes.pop(primary.site or "", None)
    others = [organ for organ, n in votes.most_common() if n > 0 and not _called_metastatic(report, organ)]
    if others:
        found = _organ_from_cancer_words(report, others[0])
        primary.site, primary.laterality = others[0], None
        if found is not None:
            primary.evidence += found[1]


def _organ_from_cancer_words(report: Report, organ: str | None = None) -> tuple[str, list[Evidence]] | None:
    """The primary's organ from the words that name a cancer's seat, when no histology term gives it."""
    if organ is None:
        if any(_UNKNOWN_PRIMARY.search(s.text) for s in report.patient_sentences()):
            return None
        # the organ most named as a cancer's seat, unless it is part of an organ the case calls a
        # seat of metastases ("metastases to the brain" and "resection of the frontal lobe tumours")
        votes = _organ_votes(report)
        seats = [k for k, n in votes.most_common() if n > 0]
        called = list(_sites_called_metastatic(report, by_name=True)) if seats else []
        organ = next((k for k in seats if not _part_of_organ_called_metastatic(report.vocabulary, k, called)), None)
        if organ is None:
            return None
    for s in report.patient_sentences():
        for site in s.of("site"):
            if site.key == organ and site.asserted:
                return organ, report.evidence(site.start, site.end)
        cervical = _CERVICAL_CANCER.search(s.text) if organ == "uterine-cervix" else None
        if cervical:
            return organ, report.evidence(s.start + cervical.start(), s.start + cervical.end())
    return None


_REGIONS = r"(?:back|trunk|arm|forearm|leg|thigh|shoulder|chest|abdomen|face|cheek|neck|foot|hand|heel|toe|finger|calf)"
_BODY_REGION = re.compile(
    r"\b(?:of|on|in|at)\s+(?:the\s+|his\s+|her\s+)?(?:(?:left|right|upper|lower|middle|anterior|posterior)\s+)*"
    + _REGIONS
    + r"\b",
    re.IGNORECASE,
)
_BODY_REGION_BEFORE = re.compile(
    r"\b" + _REGIONS + r"\s+(?:(?:malignant|cutaneous|nodular|primary)\s+)?$", re.IGNORECASE
)


def _cutaneous(report: Report, histology: str) -> bool:
    """A melanoma of a body region ("melanoma of the back") is a skin melanoma."""
    if (
        not report.vocabulary.is_a("histology", histology, "Melanoma")
        or report.vocabulary.terms.get("site", "skin") is None
    ):
        return False
    return any(
        m.key == histology
        and (
            _BODY_REGION.match(s.local(m.end, m.end + 40).lstrip(" ,"))
            or (  # "a left shoulder melanoma", not "a shoulder melanoma metastasis"
                _BODY_REGION_BEFORE.search(s.local(m.start - 40, m.start))
                and not _SECONDARY.match(s.local(m.end, m.end + 30).lstrip())
            )
        )
        for s in report.patient_sentences()
        for m in s.of("histology")
    )


def find_primary(report: Report) -> LesionDraft | None:
    """The primary tumour: histology, organ, side, stage and grade.

    Without a histology stated in its own right, the histology of its metastases ("metastatic
    melanoma") or the organ a cancer word names ("a history of breast cancer", "a duodenal tumor")
    still gives a primary; an unknown primary gives no organ.
    """
    scores, seen = _primary_candidates(report)
    histology = _choose_histology(report, scores)
    if histology is None:
        return _known_by_its_metastases(report)
    return _primary_of(report, histology, seen.get(histology, []))


def _known_by_its_metastases(report: Report) -> LesionDraft | None:
    """A primary the case names only through its metastases: "metastatic Merkel cell carcinoma of the
    liver of unknown primary" still tells the tumour's nature. Where the metastases sit says nothing
    of the primary's organ, so only a stated origin or a cancer word gives one."""
    scores, seen = _primary_candidates(report, metastatic=True)
    histology = _choose_histology(report, scores)
    if histology is None:
        # a tumour of unstated nature ("a pituitary tumor") is no primary cancer
        malignant = any(_MALIGNANT_WORD.search(s.text) for s in report.patient_sentences())
        found = _organ_from_cancer_words(report) if malignant else None
        if found is None:
            return None
        organ, evidence = found
        return LesionDraft("primary", organ, evidence, evidence[0].start if evidence else 0)
    mentions = seen[histology]
    evidence = report.evidence(mentions[0][1].start, mentions[0][1].end)
    primary = LesionDraft("primary", None, evidence, mentions[0][1].start, histology=histology)
    found = _stated_origin(report) or _organ_from_cancer_words(report)
    if found is not None:
        primary.site = found[0]
        evidence += found[1]
    _described_by(report, primary, mentions)
    return primary


def _primary_of(report: Report, histology: str, mentions: list[tuple[Sentence, Mention]]) -> LesionDraft:
    """The primary of a histology the case states: its organ from the mentions, the histology or the text."""
    chosen: tuple[Sentence, Mention, Mention] | None = None
    # "a carcinoma of unknown origin in the liver": the site is where it spread; only a stated origin counts
    unknown = report.vocabulary.is_a("histology", histology, "MalignantNeoplasmOfUnknownPrimary")
    # "a carcinoma of unknown primary ... biopsy of an axillary mass showed adenocarcinoma": the mass
    # is a metastasis, and only a site said to be the primary's counts
    occult = unknown_primary(report)
    for s, m in mentions:
        stated = _CALLED_PRIMARY.search(s.local(m.start - 40, m.start)) is not None
        site = None if unknown else _site_near(report, s, m, sampled=not occult or stated)
        if site is not None:
            chosen = chosen or (s, m, site)
    position = mentions[0][1].start if mentions else 0
    evidence: list[Evidence] = []
    primary = LesionDraft("primary", None, evidence, position, histology=histology)
    if chosen is not None:
        s, m, site = chosen
        primary.site = site.key
        side, side_start = laterality_before(s.text, site.start - s.start)
        primary.laterality = side
        start = min(m.start, site.start, s.start + side_start if side else site.start)
        evidence += report.evidence(start, max(m.end, site.end))
    elif unknown:
        evidence += report.evidence(mentions[0][1].start, mentions[0][1].end) if mentions else []
    else:
        implied = report.vocabulary.implied_sites("histology", histology)
        primary.site = implied[0] if implied else None
        if mentions:
            evidence += report.evidence(mentions[0][1].start, mentions[0][1].end)
        # a cancer word ("a gastric primary") first: it may name the organ an operation for a metastasis did not
        named = _organ_from_cancer_words(report) if primary.site is None else None
        named = named or (_operated_for(report, mentions) if primary.site is None and not occult else None)
        if named is not None:
            primary.site = named[0]
            evidence += named[1]
        elif primary.site is None and not occult:  # an unknown primary's first mass is a metastasis
            guessed = ("skin", []) if _cutaneous(report, histology) else _organ_of_the_first_mass(report, histology)
            if guessed is not None:
                primary.site = guessed[0]
                evidence += guessed[1]
    origin = _stated_origin(report)
    if origin is not None and origin[0] != primary.site:
        primary.site, primary.laterality = origin[0], None
        evidence += origin[1]
    elif (
        primary.site is not None
        and not _of_its_named_organ(report, histology, primary.site)
        and _called_metastatic(report, primary.site)
    ):
        _seat_elsewhere(report, primary)
    _described_by(report, primary, mentions)
    return primary


def _described_by(report: Report, primary: LesionDraft, mentions: list[tuple[Sentence, Mention]]) -> None:
    """What the primary's mentions tell besides its organ: stage, grade, the date it was found, its sentences."""
    _stage_and_grade(report, primary, [m for _, m in mentions])
    if mentions:
        dated = [s.date for s, _ in mentions if s.section == "case" and s.date is not None]
        primary.diagnosis_date = dated[0] if dated else None
        primary.sentences = sorted({s.index for s, _ in mentions})


def _stage_and_grade(report: Report, primary: LesionDraft, mentions: list[Mention]) -> None:
    for s in report.patient_sentences():
        m = _TNM.search(s.text)
        if m:
            primary.stage = m.group("tnm") or f"stage {m.group('stage')}"
            primary.evidence += report.evidence(s.start + m.start(), s.start + m.end())
            break
    for s in report.patient_sentences():
        for hist in s.of("histology"):
            if hist.key != primary.histology:
                continue
            window = s.local(hist.start - 20, hist.end + 20)
            g = _GRADE.search(window)
            if g and not re.search(r"payne\s*$", window[: g.start()], re.IGNORECASE):
                roman = {"I": "1", "II": "2", "III": "3"}
                primary.grade = roman.get(g.group("g").upper(), g.group("g"))
                offset = max(hist.start - 20, s.start)
                primary.evidence += report.evidence(offset + g.start(), offset + g.end())
                return


# ---------------------------------------------------------------- germline and outcome

_GERMLINE_CUE = re.compile(
    r"\b(?:mutation|mutated|mutant|variant|carrier|carries|pathogenic|deleterious|germline|positive)\b", re.IGNORECASE
)


def find_germline(report: Report) -> list[GermlineDraft]:
    """Germline findings: a gene named with a mutation or a positive test."""
    found: dict[str, GermlineDraft] = {}
    for s in report.patient_sentences():
        for g in s.of("gene"):
            if not g.asserted or g.key in found:
                continue
            window_start, window_end = max(s.start, g.start - 60), min(s.end, g.end + 40)
            window = s.local(window_start, window_end)
            cue = _GERMLINE_CUE.search(window)
            if not cue:
                continue
            a = min(g.start, window_start + cue.start())
            b = max(g.end, window_start + cue.end())
            text = re.sub(r"\s+", " ", report.clean.text[a:b]).strip()
            found[g.key] = GermlineDraft(g.key, text, report.evidence(a, b))
    return list(found.values())


_LOST = re.compile(r"\blost\s+to\s+follow[\s-]*up\b", re.IGNORECASE)
# not "programmed death-ligand 1", "cell death", "a deceased-donor transplant", "death receptor"
_DEATH = re.compile(
    r"(?<!programmed\s)(?<!programmed\scell\s)(?<!\bcell\s)\b(?:died|death|passed\s+away|succumbed|deceased|expired)\b"
    r"(?![\s-]+(?:ligand|receptor|domain|donors?)\b)",
    re.IGNORECASE,
)
_ALIVE = re.compile(
    r"\b(?:alive|remains?\s+(?:alive|well|disease-free|tumou?r-free|stable|in\s+(?:complete\s+)?remission)|"
    r"is\s+(?:currently\s+)?(?:alive|well|stable|being\s+followed|receiving|continuing|under)|"
    r"continu(?:es|ing)\s+(?:to|the|with|on)|has\s+not\s+(?:reported|shown|developed|experienced|had)|"
    r"no\s+(?:evidence\s+of\s+)?(?:recurrence|progression|disease)\s+(?:at|after|during|for)|"
    r"(?:at|until)\s+(?:the\s+)?(?:last|latest|most\s+recent)\s+follow-?up|survived|disease-free|recurrence-free|"
    r"is\s+currently|currently\s+(?:underway|receiving|undergoing|on)|has\s+(?:initiated|started))",
    re.IGNORECASE,
)


def find_outcome(report: Report) -> OutcomeDraft | None:
    """Vital status at the end of the case description: dead if it says so, alive if it reports follow-up."""
    sentences = list(report.case_sentences()) or list(report.summary_sentences())
    for s in sentences:
        for m in _DEATH.finditer(s.text):
            before = s.text[max(0, m.start() - 30) : m.start()].lower()
            if re.search(r"\b(?:risk|cause|causes|rate|rates)\s+(?:of\s+)?$", before) or "not" in before.split()[-2:]:
                continue
            position = s.start + m.end()
            right_after = [d for d in s.dates if d.date is not None and 0 <= d.start - position <= 40]
            date = right_after[0].date if right_after else s.date_before(position) or s.date
            return OutcomeDraft("dead", report.evidence(s.start + m.start(), s.start + m.end()), date)
    for s in reversed(sentences):
        lost = _LOST.search(s.text)
        if lost:
            return OutcomeDraft("unknown", report.evidence(s.start + lost.start(), s.start + lost.end()))
        m = _ALIVE.search(s.text)
        if m:
            return OutcomeDraft("alive", report.evidence(s.start + m.start(), s.start + m.end()))
    return None
