"""ConText-style rules: is a mention negated, hypothetical, or about some other patient?

Negation of ontology terms is left to negspacy (:data:`NEGATION_TERMSET` extends its clinical
termset); this module adds what NegEx does not cover, as pure functions over text:

- :func:`hypothetical_spans`: clauses that only consider a diagnosis ("differential diagnoses
  such as...", "suggestive of", "it remained uncertain whether...").
- :func:`about_other_patients` / :func:`refers_to_patient`: sentences about the literature or
  other patients ("In a large retrospective study of 4,020 patients...", "Tomasini et al.
  described...") versus sentences about this patient ("In this case", "our patient", "she").
- :func:`find_cues`: words that make a site a metastasis, an invasion or a recurrence.

>>> about_other_patients("Previous studies have reported two cases of DCIS with liver metastases (33, 34).")
True
>>> about_other_patients("In this case, the patient received fulvestrant.")
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from negspacy.termsets import termset

__all__ = [
    "KIN",
    "NEGATION_TERMSET",
    "TYPICAL_OF_A_KIND",
    "Cue",
    "about_other_patients",
    "clause_bounds",
    "find_cues",
    "hypothetical_spans",
    "mentions_a_relative",
    "refers_to_patient",
]


#: Adverbs of a settled diagnosis after a doubt ("was finally diagnosed as"), not of a tentative one
#: ("provisionally", "clinically").
VERDICT_ADVERBS = (
    "finally",
    "eventually",
    "ultimately",
    "later",
    "subsequently",
    "definitively",
    "histologically",
    "pathologically",
)


def _negation_termset() -> dict[str, list[str]]:
    patterns = termset("en_clinical").get_patterns()
    extra = {
        "preceding_negations": [
            "no evidence of",
            "none of",
            "none of the",
            "showed no",
            "revealed no",
            "demonstrated no",
            "found no",
            "with no",
            "nor",
            "did not reveal any",
            "did not reveal",
            "did not show",
            "did not demonstrate",
            "no signs of",
            "absent",
            "no obvious",
            "no abnormal",
            "unremarkable",
            "excluded",
            "negative for",
            "not found",
            "no additional",
            "no other",
            "no further",
            "free of",
            "did not",
            "does not",
            "has not",
            "have not",
            "had not",
        ],
        "following_negations": [
            "was excluded",
            "were excluded",
            "was not found",
            "were not found",
            "not observed",
            "was not seen",
            "were not seen",
            "were not detected",
            "was not detected",
            "was unremarkable",
            "were unremarkable",
            "remained intact",
            "was not",
            "were not",
            "not identified",
            "were absent",
            "was absent",
            "was not suspected",
            "not initially suspected",
        ],
        "termination": [
            "while",
            "whereas",
            "although",
            "but",
            "however",
            ";",
            "except",
            "apart from",
            "with the exception of",
            "subsequently",
            "later",
            "then",
            "confirming",
            "which confirmed",
            # the verdict after a doubt: "ruled out adenocarcinoma and was finally diagnosed as melanoma"
            "was diagnosed as",
            "were diagnosed as",
            "was confirmed as",
            *(f"was {adverb} diagnosed" for adverb in VERDICT_ADVERBS),
            # the treatment given after one that could not be: "could not receive cisplatin and was
            # treated with carboplatin"
            "and was treated with",
            "and was then treated with",
            "and treated with",
            "and was switched to",
            "and was started on",
            "and was given",
            "so he was switched to",
            "so she was switched to",
        ],
        "pseudo_negations": [
            "no change",
            "not only",
            "no longer",
            "not necessarily",
            "gram negative",
            # a treatment given that failed: "did not respond to nivolumab", "no response to docetaxel"
            "did not respond to",
            "not respond to",
            "no response to",
            "showed no response to",
            "had no response to",
            "not tolerated",
            "did not tolerate",
        ],
    }
    out: dict[str, list[str]] = {}
    for key, values in patterns.items():
        merged = [v for v in values if v not in ("declined", "free", "no further")] + extra.get(key, [])
        out[key] = sorted(set(merged))
    return out


#: The negspacy termset: the clinical default plus report phrasings; "declined" is left out
#: because a declined treatment is recorded (adherence: declined), not denied.
NEGATION_TERMSET: dict[str, list[str]] = _negation_termset()

#: Hedges that look back at their subject only (see ``_BACKWARD``).
_BACKWARD_WORDS = (
    r"(?:could|can)\s*not\s+be\s+(?:excluded|ruled\s+out)|cannot\s+be\s+excluded|"
    r"(?:should|must|needs?\s+to|had\s+to|have\s+to)\s+be\s+(?:excluded|ruled\s+out)"
)
#: What a test looked for: "Evaluation for multiple myeloma was negative" (looks ahead, up to the
#: verb of what it found: "work-up for metastases revealed liver lesions").
_TESTED_FOR = r"(?:evaluat(?:e|ed|ion)|work-?\s?up|test(?:ed|ing)|screened|assess(?:ed|ment))\s+for"
#: What a tumour is likened to is not what it is: "it bore similarities to a colonic adenocarcinoma",
#: "resembling a renal cell carcinoma" (looks ahead).
_LIKENING = r"(?:similar(?:ities|ity)?\s+to|resembl(?:ed|ing|es|ance\s+to)|reminiscent\s+of|akin\s+to)"
# "similar to a colonic adenocarcinoma", not "similar to the liver metastases" nor "to his prior tumour"
_LIKENED = _LIKENING + r"(?=\s+an?\s)"
#: What a tumour is set apart from is not what it is: "different from mucinous carcinoma" (looks ahead).
_SET_APART = r"different\s+from|unlike\b|as\s+opposed\s+to"  # not "a mass distinct from the kidney"
#: A general statement of what one tumour can pass for: "chromophobe carcinoma may resemble oncocytoma".
_GENERAL_LIKENESS = r"(?:may|can|could)\s+(?:also\s+)?(?:\w+ly\s+)?(?:resemble|mimic|simulate|imitate|masquerade)\b"
_HYPOTHETICAL = re.compile(
    # "considering the possibility of", not "considering the liver metastases, she was treated with"
    r"\b(?:differential(?:\s+diagnos[ei]s)?|considered|consider\b|considering\s+(?:the\s+)?(?:possibility|diagnosis)|"
    r"suspect(?:ed|ing)?|suspicio(?:n|us)|"
    r"suggest(?:ed|ive|ing|s)?|might|may\s+(?:be|have|represent|indicate)|could\s+(?:be|represent|indicate)|"
    + _GENERAL_LIKENESS
    + r"|possib(?:le|ly|ility)|probabl[ey]|likel(?:y|ihood)|rule\s+out|ruled\s+out|ruling\s+out|to\s+exclude|"
    r"uncertain|unclear|"
    r"whether|mimick?(?:ing|ed|s)?|" + _LIKENED + r"|" + _SET_APART + r"|misdiagnos\w*|impression|"
    r"hypothes[ie]s\s+(?:of|that|include[sd]?)\b|concern(?:ed)?\s+for|questionable|"
    r"potential(?:ly)?|risk\s+of|concerns?\s+about|to\s+prevent|prevent(?:ing)?|to\s+assess|" + _TESTED_FOR + r"|if\b|"
    # a first reading the case then revises: "a lung mass initially thought to be a primary lung cancer"
    r"mistaken|initially\s+diagnosed\s+as|(?:initially|originally|first)\s+(?:thought|believed|presumed)|"
    r"thought\s+to\s+(?:be|represent)|clinically\s+diagnosed\s+as|instead\s+of|rather\s+than|contrary\s+to|expectations?\s+of|"
    r"(?:unable\s+to|(?:could|can|did)\s*not|cannot)\s+(?:distinguish|differentiate|discriminate)|concerning\s+for|worrisome\s+for|worrying\s+for|"
    r"\bor\s+(?:an?\s+)?(?:second|new|separate|synchronous|metachronous|another)\s+primary\b|"
    + _BACKWARD_WORDS
    + r"|to\s+(?:look|search|screen|check|monitor)\s+for|"
    r"in\s+search\s+of|(?:looking|screening|monitor(?:ing|ed))\s+for(?!\s+(?:\d|one|two|three|four|five|six|several|many|a\s+(?:year|month|week)|an?\s+(?:additional|further|period))))",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(
    r";|\.\s|,\s*(?:but|while|whereas|although|though|however|which|and\s+(?:the|she|he|her|his|it|a|an)\b)|"
    r"\b(?:but|whereas|although|though|however|while)\b",
    re.IGNORECASE,
)


def clause_bounds(text: str) -> list[tuple[int, int]]:
    """Split a sentence into clauses at semicolons and contrastive or new-subject conjunctions."""
    bounds: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_BREAK.finditer(text):
        if m.start() > pos:
            bounds.append((pos, m.start()))
        pos = m.start()
    bounds.append((pos, len(text)))
    return bounds


#: Hedges that govern only what follows them: "growth of the liver metastases, suggestive of
#: pseudoprogression" states the metastases and considers the pseudoprogression.
_FORWARD = re.compile(
    r"^(?:suggest(?:ive|ing)|suspicio(?:n|us)|hypothes[ie]s\s+(?:of|that|include[sd]?)\b|contrary\s+to|"
    r"expectations?\s+of|rule\s+out|ruling\s+out|to\s+exclude|concern(?:ed)?\s+for|concerns?\s+about|"
    + _TESTED_FOR
    + r"|"
    + _LIKENING
    + r"|"
    + _SET_APART
    + r"|"
    r"to\s+assess|risk\s+of|to\s+prevent|concerning\s+for|worrisome\s+for|worrying\s+for|"
    r"to\s+(?:look|search|screen|check|monitor)\s+for|in\s+search\s+of|(?:looking|screening|monitor(?:ing|ed))\s+for(?!\s+(?:\d|one|two|three|four|five|six|several|many|a\s+(?:year|month|week)|an?\s+(?:additional|further|period))))",
    re.IGNORECASE,
)


def hypothetical_spans(text: str) -> list[tuple[int, int]]:
    """The parts of ``text``'s clauses that consider rather than state (differentials, suspicion, doubt).

    A hedge such as "might be" or "was suspected" governs its whole clause; one that looks ahead
    ("suggestive of", "to rule out", "differential diagnoses such as", "to look for") governs what
    follows it, up to the verb that reports a finding (or the comma that closes a clause it opens);
    "could not be excluded" governs its subject only ("... were found and X could not be excluded").

    >>> text = "The CTA findings suggested that the lesion might be an hemangioma. The dura mater was invaded."
    >>> [text[s:e] for s, e in hypothetical_spans(text)]
    ['The CTA findings suggested that the lesion might be an hemangioma']
    >>> text = "Liver metastases grew, suggestive of pseudoprogression"
    >>> [text[s:e] for s, e in hypothetical_spans(text)]
    ['suggestive of pseudoprogression']
    """
    spans = []
    for start, end in clause_bounds(text):
        hedges = [h for h in _HYPOTHETICAL.finditer(text, start, end) if not _CONFIRMED.search(text, h.end(), end)]
        if not hedges:
            continue
        likeness = [h for h in hedges if re.match(_GENERAL_LIKENESS, h.group(0), re.IGNORECASE)]
        if likeness and len(likeness) == len(hedges):  # its subject (not one a relative clause describes) and object
            h = likeness[0]
            relative = _RELATIVE_BEFORE.search(text, start, h.start())
            found = _LIKENESS_END.search(text, h.end(), end)  # not a comma alone: "can mimic A, B and C"
            subject = h.start() if relative else _subject_start(text, start, h.start())
            spans.append((subject, found.start() if found else end))
            continue
        backward = [h for h in hedges if _BACKWARD.match(h.group(0))]
        if backward and len(backward) == len(hedges):  # "X were found and Y could not be excluded"
            spans += [(_subject_start(text, start, h.start()), h.end()) for h in backward]
            continue
        whole = any(not _FORWARD.match(h.group(0)) for h in hedges)
        if whole:
            # "..., which ruled out adenocarcinoma, was finally diagnosed as melanoma": the verdict is stated
            ruled_out = any(_RULED_OUT.match(h.group(0)) for h in hedges)  # not "unclear whether he was diagnosed"
            verdict = _VERDICT_AFTER.search(text, hedges[-1].end(), end) if ruled_out else None
            spans.append((start, verdict.start() if verdict else end))
            continue
        found = _FINDING_AFTER.search(text, hedges[-1].end(), end)  # "to look for X showed Y": Y is found
        if any(re.fullmatch(_SET_APART, h.group(0), re.IGNORECASE) for h in hedges):
            # "distinct from clear cell carcinoma and was diagnosed as chromophobe carcinoma"
            verdict = _VERDICT_AFTER.search(text, hedges[-1].end(), end)
            found = verdict if verdict and (found is None or verdict.start() < found.start()) else found
        opening = (
            not text[hedges[0].start() - 3 : hedges[0].start()].strip(" ,")
            or _AFTER_DOING.search(text, max(start, hedges[0].start() - 12), hedges[0].start())
            or _ASIDE.match(hedges[0].group(0))
        )  # "After ruling out a second primary, the lesion was ...": the comma ends it
        if not opening and (found is None or found.group(0) == ","):
            found = _FINDING_VERB_AFTER.search(text, hedges[-1].end(), end)  # a comma ends an opening hedge only
        spans.append((hedges[0].start(), found.start() if found else end))
    # "like CLL or lymphoma, which were absent in this patient": the subject before ", which" is denied
    spans += [(_subject_start(text, 0, m.start()), m.end()) for m in _WHICH_ABSENT.finditer(text)]
    return spans


#: The diagnosis a clause settles on after its doubt: "was finally diagnosed as", "were confirmed as".
_VERDICT_AFTER = re.compile(
    r"\b(?:was|were)\s+(?:(?:then|thus|therefore|"
    + "|".join(VERDICT_ADVERBS)
    + r")\s+)?(?:diagnosed|confirmed)\s+(?:as|with)\b",
    re.IGNORECASE,
)
_RULED_OUT = re.compile(r"rul(?:e|ed|ing)\s+out|to\s+exclude", re.IGNORECASE)
_WHICH_ABSENT = re.compile(
    r",\s+which\s+(?:was|were)\s+(?:absent|not\s+(?:seen|found|detected|present|identified|observed))\b",
    re.IGNORECASE,
)


#: "an invasive lobular carcinoma that may resemble lymphoma": the subject is the case's, described.
_RELATIVE_BEFORE = re.compile(r"\b(?:that|which|who)\s+$", re.IGNORECASE)
#: What a hypothesis turned into: "The hypothesis of liver metastases was confirmed by biopsy".
_CONFIRMED = re.compile(
    r"\b(?:was|were)\s+(?:later\s+|subsequently\s+|then\s+|histologically\s+)?(?:confirmed|proven|proved|verified)\b",
    re.IGNORECASE,
)
#: A hedge set off by commas: "The tumour, contrary to the CT findings, invaded the liver".
_ASIDE = re.compile(r"contrary\s+to", re.IGNORECASE)
_AFTER_DOING = re.compile(r"(?:^|[\s,])(?:after|before|upon|following)\s+$", re.IGNORECASE)
#: A hedge that looks back at its subject only: "... and peritoneal carcinomatosis could not be excluded",
#: "other tumours, including mucinous adenocarcinoma of the lung, should be excluded".
_BACKWARD = re.compile(_BACKWARD_WORDS, re.IGNORECASE)
#: "liver metastases were found and ...", "...; ...": where the subject before a backward hedge begins
_SUBJECT_BREAK = re.compile(
    r".*(?:\b(?:found|seen|noted|detected|identified|present|observed|shown|revealed)\s+and\b|;|,\s+(?:and|but)\b)",
    re.IGNORECASE | re.DOTALL,
)


def _subject_start(text: str, start: int, hedge: int) -> int:
    """Where the subject of a backward hedge begins: after the last "and" or comma of its clause."""
    before = _SUBJECT_BREAK.match(text, start, hedge)
    return before.end() if before else start


#: The verb that reports what a search looked for found: the hedge ends before it.
_FINDING_VERB_AFTER = re.compile(
    r"\b(?:showed|shows|revealed|reveals|demonstrated|demonstrates|identified|detected|disclosed|confirmed|found|"
    r"were\s+seen|was\s+seen|were\s+noted|was\s+noted|were\s+observed|was\s+observed)\b",
    re.IGNORECASE,
)
_FINDING_AFTER = re.compile(
    r",|\b(?:showed|shows|revealed|reveals|demonstrated|demonstrates|identified|detected|disclosed|confirmed|found|"
    r"were\s+seen|was\s+seen|were\s+noted|was\s+noted|were\s+observed|was\s+observed)\b",
    re.IGNORECASE,
)
#: Where what a tumour may resemble ends: a new subject after ", and", or a finding ("a mass that may
#: resemble a thymoma, and histology was consistent with lymphoma").
_LIKENESS_END = re.compile(
    r",\s*(?:and|but|while|whereas)\s+(?=(?:the|a|an|his|her|its|their|histolog\w*|biops\w*|patholog\w*|"
    r"immuno\w*)\b)|;|\b(?:consistent|compatible)\s+with\b|\bdiagnosed\s+as\b|" + _FINDING_VERB_AFTER.pattern,
    re.IGNORECASE,
)


_OTHER = re.compile(
    r"\bet\s+al\b|\b(?:and|&)\s+(?:colleagues|co-?workers)\b|\bpreviously\s+(?:reported|described|published)|\bprevious\s+(?:studies|reports|cases|literature)|"
    r"\b(?:reported|published|previous|similar|other|described)\s+(?:cases|patients)\b|\bcases?\s+(?:has|have)\s+been\s+reported|"
    # "studies have shown", not "the immunohistochemical study showed" (of this patient's tumour)
    # "Several authors reported", "other investigators have described"
    r"\b(?:some|several|many|other|few|various|numerous|most)\s+(?:authors|investigators|researchers)\b|"
    r"\bauthors\s+(?:have\s+|had\s+)?(?:reported|described|found|suggested|proposed|observed|noted|shown)\b|"
    r"\bliterature\b|(?=stud)(?<!histochemical )(?<!histological )(?<!pathological )(?<!cytological )"
    r"(?<!molecular )\bstud(?:y|ies)\s+(?:of|have|has|show|found|report)|\bretrospective\b|\bcohort\b|"
    # "up to 90% of melanomas harbour BRAF mutations"
    r"\b\d+\s*%\s+of\s+(?:all\s+)?(?:\w+\s+)?(?:\w*omas|cancers|carcinomas|tumou?rs|patients|cases|neoplasms)\b|"
    r"\bseries\b|\bmeta-analysis\b|\btrials?\b|\b\d[\d,]*\s+(?:patients|cases|women|men)\b|\bpatients\s+with\b|"
    r"\bincidence\b|\bprevalence\b|\bhas\s+been\s+reported\b|\bwere\s+reported\b(?!\s+as\s+(?:MSI|MSS|microsatellite|positive|negative|wild|mutant|mutated|amplified|deficient|proficient|intact)\b)|\bin\s+(?:most|many|some)\s+cases\b|"
    r"\bis\s+(?:usually|commonly|typically|generally|often|rarely)\b|\bare\s+(?:usually|commonly|typically|generally)\b|"
    # "Two of the five patients also showed ...": patients of the literature
    r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+of\s+(?:the|these|those)\s+(?:\d+|\w+)\s+"
    r"(?:other\s+)?(?:patients|cases)\b|"
    # "Metastasis of lung cancer to the stomach is infrequent": a statement of how often, not a finding
    r"\b(?:is|are)\s+(?:very\s+|extremely\s+|quite\s+)?(?:rare|infrequent|uncommon|unusual)\b(?!\s+(?:in|for)\s+(?:this|our))|"
    # a review of the literature, not a pathologist's of the slides ("Pathology review confirmed", "On
    # review, the tumour was identical to ...", "review of her records", "review of systems")
    r"(?<!pathology\s)(?<!pathologic\s)(?<!pathological\s)(?<!histological\s)(?<!histologic\s)(?<!slide\s)"
    r"(?<!expert\s)(?<!central\s)(?<!re-)(?<!on\s)\breview\b(?!\s+of\s+(?:(?:her|his|the\s+patient's)\s+(?:\w+\s+)?"
    r"(?:slides?|specimens?|histolog\w*|patholog\w*|records?|history|imaging|images)|(?:the\s+)?(?:slides?|systems))\b)|"
    r"\bguidelines?\b|"
    # "a known association exists between EMZL and Helicobacter pylori in gastric involvement"
    r"\b(?:known|established|recogni[sz]ed|reported|documented|well-known)\s+associations?\b|"
    r"\bsupports?\s+(?:an?\s+|the\s+)?associations?\b|"
    r"\bassociations?\s+(?:has|have)\s+been\s+(?:reported|described|shown|established)\b",
    re.IGNORECASE,
)
_SELF = re.compile(
    r"\b(?:in\s+(?:this|our|the\s+present)\s+(?:case|patient)|our\s+(?:patient|case)|this\s+patient|the\s+patient|"
    r"she|he|her|his|we\s+(?:report|present|describe|performed|conducted|decided|diagnosed|transfused))\b",
    re.IGNORECASE,
)


def refers_to_patient(sentence: str) -> bool:
    """Whether a sentence speaks of this report's patient ("our patient", "she", "In this case")."""
    return bool(_SELF.search(sentence))


#: A relative's noun: "mother", "sisters", "grandfather".
KIN = (
    r"(?:mother|father|sister|brother|daughter|son|aunt|uncle|grand(?:mother|father|parent)|cousin|niece|nephew|"
    r"sibling)s?(?!\s+Mary\b)"  # not Sister Mary Joseph's nodule
)
_RELATIVE = re.compile(
    r"\b(?:(?:her|his|the\s+patient'?s|whose)\s+(?:[\w-]+\s+)?|an?\s+(?:\w+\s+)?)(?:" + KIN + r"|twins?|relatives?)\b|"
    # "Her husband had metastatic melanoma": the spouse's or a friend's illness
    r"\b(?:her|his|the\s+patient'?s)\s+(?:late\s+|former\s+)?(?:husband|wife|spouse|partner|friend)s?\s+"
    r"(?:had|has|was\s+diagnosed\s+with|died\s+(?:of|from)|developed|suffered\s+from)\s+(?:an?\s+)?"
    r"(?:[\w-]+\s+){0,3}?(?:cancer|\w*carcinoma|\w*oma|leuka?emia|tumou?r|malignancy|metasta\w+)\b|"
    r"\bfamily\s+history\s*(?::|of\b|(?:was|is)\b|includ|reveal|show|significant|notable|remarkable|positive)|"
    # "Family history included fatal metastatic colon cancer in father"
    r"\b(?:in|of)\s+(?:(?:her|his|their)\s+)?(?:maternal\s+|paternal\s+)?" + KIN + r"\b",
    re.IGNORECASE,
)


def mentions_a_relative(sentence: str) -> bool:
    """Whether a sentence speaks of the patient's relatives or family history ("with a family
    history of colorectal cancer", "her mother")."""
    return bool(_RELATIVE.search(sentence))


#: Statements of usual practice: "Trastuzumab is the standard treatment for ...".
_USUAL_PRACTICE = re.compile(
    r"\b(?:is|are|remains?|has\s+become|have\s+become)\s+(?:now\s+)?(?:the\s+|a\s+)?(?:current\s+)?"
    r"(?:standard|mainstay|cornerstone|backbone|first[\s-]line|treatment\s+of\s+choice|preferred|recommended|"
    r"approved|indicated)\b|\bstandard\s+(?:of\s+care|treatment|therapy|regimen)\s+(?:for|is|includes|consists)\b|"
    r"\b(?:has|have)\s+been\s+approved\b|\bis\s+recommended\b",
    re.IGNORECASE,
)


#: A numbered citation: "[4]", "[2,3]", "[12-15]"; a cited sentence in the present tense is a general
#: statement, one that tells what was done may be the patient's ("treated according to the protocol [5]").
_CITATION = re.compile(r"\[\s*\d{1,3}(?:\s*[,–-]\s*\d{1,3})*\s*\]")
_PAST_EVENT = re.compile(
    r"\b(?:was|were|had|(?<!been\s)(?:underwent|received|presented|developed|showed|revealed|demonstrated|identified|"
    r"detected|confirmed|performed|diagnosed|treated|started|initiated|switched|opted))\b",
    re.IGNORECASE,
)  # "has been found to be effective [2]" is no event of the case
#: What a kind of cancer does, in the present: "It usually metastasizes to the lung", "the most common
#: metastases occur in ...".
_WHAT_A_CANCER_DOES = re.compile(
    r"\b(?:usually|commonly|typically|frequently|often|mostly|generally|preferentially)\s+"
    r"(?:metastasi[sz]es|spreads|involves|affects|occurs|arises)\b|\bmost\s+(?:common|frequent)(?:ly)?\b",
    re.IGNORECASE,
)


#: "carcinomas that typically express hormone receptors": what a kind of tumour does (a clause of a
#: sentence that states this patient's findings does not make the sentence general).
TYPICAL_OF_A_KIND = re.compile(
    r"\b(?:that|which)\s+(?:typically|usually|commonly|classically|characteristically|generally)\s+"
    r"(?:express|stain|harbou?r|lack|show)(?:es|s)?\b",
    re.IGNORECASE,
)


def about_other_patients(sentence: str) -> bool:
    """Whether a sentence speaks of the literature, other patients, usual practice or the patient's relatives.

    >>> about_other_patients("Her mother had been treated for breast cancer.")
    True
    >>> about_other_patients("Trastuzumab is the standard treatment for HER2-positive disease.")
    True
    >>> about_other_patients("She received trastuzumab, the standard treatment for HER2-positive disease.")
    False
    """
    if _RELATIVE.search(sentence):
        return True
    if _USUAL_PRACTICE.search(sentence) and not refers_to_patient(sentence):
        return True
    general = _CITATION.search(sentence) or _WHAT_A_CANCER_DOES.search(sentence) or TYPICAL_OF_A_KIND.search(sentence)
    if general and not (_PAST_EVENT.search(sentence) or refers_to_patient(sentence)):
        return True  # "..., which explains the liver metastases [1]": a general statement in the present
    if _THE_AGED_PATIENT.match(sentence):
        # "The 40-year-old male patient was enrolled in a study of ...": the study is this patient's
        sentence = _ENROLLED.sub(" ", sentence)
    return bool(_OTHER.search(sentence)) and not _THIS_PATIENT.search(sentence)


#: Words that name this report's patient: "our patient", "In this case".
_THIS_PATIENT = re.compile(
    r"\b(?:in\s+(?:this|our|the\s+present)\s+case|our\s+patient|this\s+patient|the\s+patient)\b", re.IGNORECASE
)
_ENROLLED = re.compile(
    r"\b(?:(?:was|were)\s+)?(?:enrolled|included|randomi[sz]ed|entered)\s+(?:in|into|on)\s+(?:an?|the)\s+"
    r"(?:[\w-]+\s+){0,6}?(?:study|trial)\b(?:\s+(?:for|of)\s+patients\s+with\b)?",
    re.IGNORECASE,
)
_THE_AGED_PATIENT = re.compile(
    r"\s*(?:the|an?)\s+\d{1,3}[\s-]*(?:years?|yrs?)[\s-]*old\s+(?:(?:male|female)\s+)?"
    r"(?:patient|man|woman|boy|girl|male|female)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cue:
    """A word that turns a nearby site into a lesion: ``metastasis``, ``invasion`` or ``recurrence``."""

    start: int
    end: int
    kind: str
    text: str


#: What a primary reaches by growing, not by spreading: "involvement of the adjacent liver".
_ADJACENT = (
    r"(?:\s+of)?\s+(?:the\s+)?(?:adjacent|surrounding|neighbou?ring|contiguous|nearby|underlying|overlying)\b"
    r"(?!\s+(?:[\w-]+\s+){0,2}?(?:lymph\s+)?(?:nodes?|nodal)\b)"  # nodes are reached by spread, not growth
)
_CUES = re.compile(
    r"(?P<metastasis>\bmetasta\w*\b(?![\s-]+(?:work[\s-]*up|survey|evaluation|screening|assessment|potential|risk|"
    r"rates?|propensity|pattern)\b)|\bmets\b|\bprogress(?:ed|ion)(?=\s+to\b)|"
    # "spread", but not within the primary's own tissue ("pagetoid spread", "local spread")
    r"(?=spread\b)(?<!pagetoid )(?<!intraepithelial )(?<!intraductal )(?<!local )(?<!direct )(?<!contiguous )"
    r"(?<!perineural )\bspread\b|"
    r"(?<!with soft tissue )(?<!with soft-tissue )\binvolve(?:ment|d)\b(?!" + _ADJACENT + r")|\bdeposits?\b|"
    r"\bsatellite\s+(?:lesion|nodule)s?|\bcarcinomatosis\b|\bsecondar(?:y|ies)\s+(?:deposits?|lesions?|tumou?rs?)|"
    # a serosa's metastases as surgeons and radiologists name them: "peritoneal seeding", "omental cake"
    # (not "peritoneal implants", which endometriosis and a ruptured dermoid cyst have too)
    r"\bseeding\b(?:(?<=peritoneal seeding)|(?<=omental seeding)|(?<=serosal seeding)|(?<=pleural seeding))|"
    r"\bcake\b(?<=omental cake)|\bcaking\b(?<=omental caking)|"
    r"\bsecondaries\b|\bwidely\s+disseminated\b|\bdissemination\b|\bdisseminated\s+(?:metastatic\s+)?(?:disease|malignancy|cancer)\b|"
    r"\bwidespread\s+(?:metastatic\s+)?disease\b)"
    r"|(?P<invasion>\binvolve(?:ment|d)\b(?="
    + _ADJACENT
    # "a lytic lesion of the iliac bone with soft tissue involvement": the lesion grows out of the bone
    + r")|(?<=with soft tissue )involvement\b|(?<=with soft-tissue )involvement\b|"
    r"\binvad\w*|\binvasion\b|\binfiltrat(?:ing|ed|ion)\b|\bextend(?:ed|ing|s)?\b|\bextension\b|"
    # "infiltrates the dermis", not "pulmonary infiltrates"; "penetrated the dura", not "a penetrating wound"
    r"\binfiltrates?(?=\s+(?:the|into|through|beyond|both|all|adjacent|surrounding|deep\w*|its)\b)|"
    r"\bpenetrat(?:ed|ing|es)\b(?!\s+(?:wounds?|injur\w*|trauma\w*|ulcers?|keratoplasty)\b)|"
    r"\bpenetration(?=\s+(?:of|into|through)\b)|"
    r"\bdestr(?:oyed|oying|uction)\b|\berod(?:ed|ing)\b|\berosion\b)"
    # "recurrence score" (a gene-expression assay), "recurrence-free survival": no recurrence
    r"|(?P<recurrence>\b(?:recurren(?:ces?|t)|relapse[sd]?)\b(?![\s-]+(?:scores?|free|rates?|risk)\b)"
    # "relapse of symptoms", "recurrent bleeding": what comes back is no tumour
    # ("relapse of a small amount of right pleural effusion", not "of malignant pleural effusion")
    r"(?!\s+(?:of\s+(?:(?!malignant|metastatic|neoplastic|tumou?r|cancer|carcino|disease|in\b|with\b|at\b|within\b)"
    r"[\w-]+\s+){0,6}?)?(?:symptoms?|pain|bleeding|ha?emorrhage|fever|infections?|"
    r"episodes?|haematuria|hematuria|ascites|effusions?)\b))",
    re.IGNORECASE,
)


def find_cues(text: str) -> list[Cue]:
    """Every metastasis, invasion and recurrence cue word in ``text``.

    >>> [(c.kind, c.text) for c in find_cues("meningeal and calvarial metastases; infiltrating the skull")]
    [('metastasis', 'metastases'), ('invasion', 'infiltrating')]
    """
    return [
        Cue(m.start(), m.end(), m.lastgroup or "", m.group(0))
        for m in _CUES.finditer(text)
        if not (m.group(0).lower() == "involved" and _CARE_INVOLVED.search(text, max(0, m.start() - 60), m.start()))
        and not _says_something_else(text, m)
    ]


def _says_something_else(text: str, cue: re.Match[str]) -> bool:
    window = _NOT_A_TUMOUR_CUE.finditer(text, max(0, cue.start() - 40), min(len(text), cue.end() + 40))
    return any(n.start() <= cue.start() and cue.end() <= n.end() for n in window)


#: Cue words that say something else: "fatty infiltration", "flexion and extension", "extended resection",
#: the staging system "TNM (tumour, node, metastasis)".
_NOT_A_TUMOUR_CUE = re.compile(
    r"\btumou?r\s*[,-]\s*node\s*(?:[,-]\s*(?:and\s+)?|\s+and\s+)metastasis\b|"
    r"\b(?:fatty|inflammatory|lymphocytic|lymphoplasmacytic|neutrophilic|eosinophilic|histiocytic|granulomatous|"
    r"mononuclear|leu[ck]ocyte|plasma\s+cell|mast\s+cell|immune\s+cell|lymphoid|perivascular)\s+infiltration\b|"
    r"\b(?:flexion|abduction|rotation|dorsiflexion)\s+(?:and|or|,)\s+extension\b|"
    r"\bextension\s+(?:and|or|,)\s+(?:flexion|rotation)\b|"
    r"\bextended[\s-]+(?:\w+\s+)?(?:\w*ectomy|resections?|dissections?|surgery|excisions?|release|spectrum|"
    r"period|course|family|interval|duration|infusions?|use)\b|"
    # "a rash on his face that has spread to his scalp": what spreads is no tumour
    r"\b(?:rash(?:es)?|erythema|eruptions?|redness|infections?|cellulitis|itching|pruritus|blisters?|o?edema|"
    r"numbness|abscess(?:es)?|discolou?ration)\b"
    r"(?:\s+(?!(?:and|but|the|cancer|tumou?r|carcinoma|disease)\b)[\w-]+){0,5}?\s+(?:that\s+|which\s+)?"
    r"(?:(?:has|had|have)\s+)?(?:\w+ly\s+|then\s+|later\s+)?spread\b",
    re.IGNORECASE,
)


#: "Surgical intervention involved a partial cystectomy": care that consists of something, no lesion.
_CARE_INVOLVED = re.compile(
    r"\b(?:interventions?|treatments?|procedures?|surgery|management|therapy|therapies|approach|plan|regimen|"
    r"operations?|protocol|work-?up|studies|study|care|repair)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
