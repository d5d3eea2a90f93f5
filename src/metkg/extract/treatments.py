"""Interventions (drugs with dose and schedule, surgery, radiotherapy, embolization, supportive care)
and responses (RECIST, Miller-Payne, described regression).

Rules, all on case sentences:

- **Systemic therapy**: ontology drugs of an anticancer class (cytotoxic, endocrine, targeted,
  immune checkpoint, bone-modifying) named together ("docetaxel plus epirubicin") make one
  intervention; "followed by", "then" or a semicolon start another. Its type follows the
  drugs (any cytotoxic drug makes it chemotherapy). Dose, unit, schedule and route are read
  after each drug ("letrozole 2.5 mg daily", "fulvestrant (500 mg administered on days 1,
  15, and 29...)"). A therapy named without drugs ("received radiation therapy and
  chemotherapy") is an intervention of that type without drugs.
- **Surgery**: every surgical procedure term or verb ("was excised") is one intervention; a
  refused one is kept with ``adherence: declined``. Surgery on something that is not a tumour
  (an ovarian cyst) is left out.
- **Radiotherapy**: each dose ("50 Gy in 25 fractions", "DT: 4800cGy/25f") is one course;
  a radiotherapy term without a dose is one course per sentence.
- **Supportive care**: each comma-separated part of a sentence that names supportive care
  (transfusion, analgesia, antiviral therapy, "supportive treatment") is one intervention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from metkg.extract.context import clause_bounds
from metkg.extract.dates import word_number
from metkg.extract.operations import implied_site, procedure_mentions
from metkg.extract.patient import LesionDraft
from metkg.extract.report import Mention, Report, Sentence
from metkg.records.dates import PartialDate
from metkg.records.models import Evidence

__all__ = ["DrugDraft", "InterventionDraft", "ResponseDraft", "find_interventions", "find_responses", "radiation_doses"]


@dataclass
class DrugDraft:
    drug: str
    dose: float | None = None
    unit: str | None = None
    schedule: str | None = None
    route: str | None = None


@dataclass
class InterventionDraft:
    type: str
    evidence: list[Evidence]
    position: int
    procedure: str | None = None
    description: str | None = None
    drugs: list[DrugDraft] = field(default_factory=list)
    cycles: int | None = None
    dose_gy: float | None = None
    fractions: int | None = None
    start: PartialDate | None = None
    end: PartialDate | None = None
    setting: str | None = None
    adherence: str | None = None
    status: str | None = None
    sites: list[str] = field(default_factory=list)


@dataclass
class ResponseDraft:
    evidence: list[Evidence]
    position: int
    recist: str | None = None
    miller_payne: int | None = None
    description: str | None = None
    date: PartialDate | None = None
    intervention: InterventionDraft | None = None


_DRUG_TYPES = (
    ("CytotoxicAgent", "chemotherapy"),
    ("ImmuneCheckpointInhibitor", "immunotherapy"),
    ("EndocrineAgent", "endocrine"),
    ("TargetedAgent", "targeted"),
    ("CytokineTherapy", "immunotherapy"),
    ("Radiopharmaceutical", "radiotherapy"),
    ("BoneModifyingAgent", "supportive"),
    ("SupportiveAgent", "supportive"),
    ("OtherDrug", "other"),
)
_SEQUENCE = re.compile(
    r"\bfollowed\s+by\b|\bthen\b|;|\bafter\s+which\b|\bswitched\s+to\b|\bsubsequently\b|\bchanged\s+to\b", re.IGNORECASE
)
_DOSE = re.compile(
    r"^[\s,]*(?:acetate|hydrochloride|citrate|mesylate|maleate)?\s*(?:\((?P<paren>[^()]{0,160})\)|"
    r"(?:at\s+(?:a\s+dose\s+of\s+)?)?(?P<bare>\d[^;()]{0,120}))",
    re.IGNORECASE,
)
_AMOUNT = re.compile(
    r"(?P<dose>\d+(?:\.\d+)?)\s*(?P<unit>mg/m\s*[²2]|mg/m\b|mg/kg|mg|g\b|µg|μg|mcg|IU\b|U/kg|AUC\s*=?\s*\d+)",
    re.IGNORECASE,
)
_ROUTE = re.compile(
    r"\b(oral(?:ly)?|intravenous(?:ly)?|i\.v\.|subcutaneous(?:ly)?|intramuscular(?:ly)?|intrathecal(?:ly)?)\b",
    re.IGNORECASE,
)
_SETTING = [
    (r"\bneo-?adjuvant\b", "neoadjuvant"),
    (r"\badjuvant\b", "adjuvant"),
    (r"\bfirst-?\s*line\b", "first-line"),
    (r"\bsecond-?\s*line\b", "second-line"),
    (r"\b(?:third|fourth|later)-?\s*line\b", "later-line"),
    (r"\bpalliative\b", "palliative"),
    (r"\bsalvage\b", "salvage"),
]
_CYCLES = re.compile(
    r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+cycles?\s+of\b", re.IGNORECASE
)
_CYCLES_AFTER = re.compile(
    r"^[^;.]{0,80}?\b(?:for|over|x|×)\s+(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+cycles?\b",
    re.IGNORECASE,
)
_STOPPED = re.compile(
    r"\b(?:stopped|discontinued|ceased|quit|did\s+not\s+take|non-?adheren\w*|non-?complian\w*|poor\s+compliance)\b",
    re.IGNORECASE,
)
_REFUSED = re.compile(r"\b(?:refused|declined|unwilling|rejected)\b", re.IGNORECASE)
_PLANNED = re.compile(r"\b(?:planned|planning|scheduled|simulation|will\s+(?:receive|undergo|be))\b", re.IGNORECASE)
_ONGOING = re.compile(r"\b(?:continu(?:e|es|ing)|ongoing|currently|still\s+(?:on|receiving))\b", re.IGNORECASE)
_NEGATED_CLAUSE = re.compile(r"\b(?:no|not|never|without|cannot|could\s+not|unable|instead\s+of)\b", re.IGNORECASE)


def _drug_type(report: Report, key: str) -> str | None:
    for cls, kind in _DRUG_TYPES:
        if report.vocabulary.is_a("drug", key, cls):
            return kind
    return None


def _is_class(report: Report, m: Mention) -> bool:
    return m.category == "drug" and report.vocabulary.is_class("drug", m.key)


def _setting(text: str) -> str | None:
    for pattern, name in _SETTING:
        if re.search(pattern, text, re.IGNORECASE):
            return name
    return None


def _dosing(report: Report, s: Sentence, m: Mention, stop: int) -> DrugDraft:
    drug = DrugDraft(m.key)
    tail = report.clean.text[m.end : stop]
    d = _DOSE.match(tail)
    if d:
        body = d.group("paren") if d.group("paren") is not None else d.group("bare")
        amount = _AMOUNT.search(body or "")
        if amount and amount.start() < 25:
            drug.dose = float(amount.group("dose"))
            drug.unit = re.sub(r"\s+", "", amount.group("unit")).replace("²", "2")
            if drug.unit.lower() == "mg/m":
                drug.unit = "mg/m2"
            rest = body[amount.end() :]
            rest = re.split(r"\b(?:combined\s+with|in\s+combination\s+with|plus|along\s+with|together\s+with)\b", rest)[
                0
            ]
            rest = re.sub(r"^\W*(?:administered|given|taken)?\s*", "", rest).strip(" ,.;⁾)")
            drug.schedule = re.sub(r"\s+", " ", rest) if rest else None
    window = report.clean.text[max(s.start, m.start - 25) : stop]
    route = _ROUTE.search(window)
    if route:
        drug.route = re.sub(r"(?:ly|\.)$", "", route.group(1).lower()).replace("i.v", "intravenous")
    return drug


def _groups(s: Sentence, drugs: list[Mention], text: str) -> list[list[Mention]]:
    groups: list[list[Mention]] = []
    for m in drugs:
        gap = re.sub(r"\([^()]*\)", " ", text[groups[-1][-1].end : m.start]) if groups else ""
        if groups and not _SEQUENCE.search(gap):
            groups[-1].append(m)
        else:
            groups.append([m])
    return groups


def _systemic(report: Report, s: Sentence, barriers: list[int]) -> list[InterventionDraft]:
    text = report.clean.text
    named = sorted(s.of("drug") + s.of("drug-unlisted") + s.of("drug-misspelt"), key=lambda m: m.start)
    drugs = [m for m in named if m.asserted and _drug_type(report, m.key) is not None]
    specific = [m for m in drugs if m.category != "drug" or not report.vocabulary.is_class("drug", m.key)]
    if specific or re.search(r"\bcontinu\w*\s+(?:the\s+)?(?:original|same|previous)", s.text, re.IGNORECASE):
        drugs = specific
    out = []
    for group in _groups(s, drugs, text):
        types = [_drug_type(report, m.key) for m in group]
        kind = "chemotherapy" if "chemotherapy" in types else types[0] or "other"
        stops = [m.start for m in group[1:]] + [s.end]
        draft = InterventionDraft(kind, [], group[0].start)
        # a class ("platinum-based chemotherapy", "checkpoint inhibitors") names no agent
        named_agents = [(m, stop) for m, stop in zip(group, stops, strict=True) if not _is_class(report, m)]
        draft.drugs = [_dosing(report, s, m, stop) for m, stop in named_agents]
        if not named_agents:
            draft.description = " + ".join(dict.fromkeys(m.text for m in group))
        elif any(m.category != "drug" for m in group):
            # a drug named only by its class, or misspelt: keep the names as written
            draft.description = " + ".join(dict.fromkeys(m.text for m in group))
        lead = s.local(s.start, group[0].start)
        draft.setting = _setting(lead[-80:])
        cycles = list(_CYCLES.finditer(lead[-80:]))
        later = _CYCLES_AFTER.search(s.local(group[-1].end, s.end))
        if cycles:
            draft.cycles = word_number(cycles[-1].group("n"))
        elif later:
            draft.cycles = word_number(later.group("n"))
        _status(s, draft)
        draft.start, draft.end = _dates(s, group[0].start, barriers)
        head = _therapy_phrase(s, group[0].start)
        draft.evidence = report.evidence(head, min(group[-1].end + 60, _drug_end(report, group[-1], stops[-1])))
        out.append(draft)
    return out


def _drug_end(report: Report, m: Mention, stop: int) -> int:
    tail = report.clean.text[m.end : stop]
    close = re.match(
        r"\s*\([^()]{0,160}\)|\s*\d+(?:\.\d+)?\s*[a-zA-Zµμ/²2]+(?:\s+(?:daily|once\s+daily|twice\s+daily|every\s+\d+\s+\w+|weekly))?",
        tail,
    )
    return m.end + (close.end() if close else 0)


def _therapy_phrase(s: Sentence, position: int) -> int:
    lead = s.local(s.start, position)
    m = re.search(
        r"(?:\b(?:\w+\s+){0,2}(?:cycles?\s+of\s+)?(?:neo-?adjuvant\s+|adjuvant\s+|systemic\s+|endocrine\s+|palliative\s+)?"
        r"(?:chemotherapy|therapy|treatment|regimen)\s+(?:with|of|consisting\s+of)\s*|"
        r"\b(?:advised|started|initiated|received|given|take|taking)\s+(?:on\s+)?)$",
        lead,
        re.IGNORECASE,
    )
    return s.start + (m.start() if m else len(lead))


#: A treatment the patient turned down: "refused endocrine therapy with tamoxifen", "was offered
#: docetaxel, which she declined" (not "refused surgery, and was treated with ...", "her CEA declined").
_REFUSED_BEFORE = re.compile(
    r"\b(?:refus(?:ed|ing)|(?:she|he|patient|family|parents|they|who)\s+(?:\w+\s+)?declined)\s+"
    r"(?:to\s+(?:receive|take|start|undergo|accept)\s+)?(?:the\s+|further\s+|any\s+|all\s+)?"
    r"(?:(?!(?:after|before|from|during|following|since|until|in|by|at|to)\b)[\w-]+\s+){0,3}?(?:with\s+|of\s+)?$",
    re.IGNORECASE,
)
#: "refused further injections of tocilizumab after the 6th month": a treatment stopped, once given.
_ONCE_GIVEN = re.compile(r"\b(?:further|after|continu\w*|any\s+more|more|remaining|rest\s+of)\b", re.IGNORECASE)
_REFUSED_AFTER = re.compile(
    r"[^.;]{0,80}?\b(?:which|but|and)\s+(?:(?:she|he|the\s+patient|the\s+family|they|the\s+parents)\s+)?(?:\w+\s+)?"
    r"(?:declined|refused)\b",
    re.IGNORECASE,
)
#: A treatment meant but not given: "was planned to start ...", "scheduled to receive ... but died",
#: "a candidate for nivolumab, but treatment was deferred".
_MEANT = re.compile(r"\b(?:planned|scheduled|will\s+receive|candidate\s+for|recommended|offered|advised)\b", re.I)
_GIVEN = re.compile(r"\b(?:received|given|treated|started|underwent|administered|commenced)\b", re.IGNORECASE)
_NOT_BEGUN = re.compile(
    r"\b(?:deferred|postponed|died\s+before|never\s+(?:received|started|given|begun)|was\s+not\s+started)\b", re.I
)


def _meant_only(lead: str, sentence: str) -> bool:
    """Whether the clause before a drug means it, not gives it: "was scheduled to receive" (not "was
    planned for surgery and received")."""
    meant = _MEANT.search(lead)
    if meant is None or _GIVEN.search(lead, meant.end()):
        return False
    return bool(_NOT_BEGUN.search(sentence))


def _status(s: Sentence, draft: InterventionDraft) -> None:
    at = draft.position - s.start
    start = next((a for a, b in clause_bounds(s.text) if a <= at < b), at)
    lead = s.text[start:at]  # the words of the drug's clause before it
    refused = _REFUSED_BEFORE.search(lead) or (_MEANT.search(lead) and _REFUSED_AFTER.match(s.text, at))
    if refused and not _ONCE_GIVEN.search(s.text):
        draft.adherence = "declined"  # "refused tamoxifen"; "was offered docetaxel, which she declined"
    elif _meant_only(lead, s.text):
        draft.status = "planned"
    elif _STOPPED.search(s.text):
        draft.adherence, draft.status = "discontinued", "stopped"
    elif _ONGOING.search(s.text):
        draft.status = "ongoing"


_RANGE = re.compile(r"\s*(?:to|until|through|till|-|–)\s*", re.IGNORECASE)


def _dates(s: Sentence, position: int, barriers: list[int]) -> tuple[PartialDate | None, PartialDate | None]:
    """Start (and end, for "From July 6 to August 11, 2020") of an intervention mentioned at ``position``."""
    start = s.date_before(position, barriers)
    if start is None:
        if any(b < position for b in barriers):
            return None, None
        start = s.date
    end = None
    for a, b in zip(s.dates, s.dates[1:], strict=False):
        between = s.text[a.end - s.start : b.start - s.start]
        if a.date is not None and b.date is not None and _RANGE.fullmatch(between) and start in (a.date, b.date):
            start, end = a.date, b.date
    return start, end


_REFERENCE = re.compile(
    r"\b(?:after|following|before|since|post|prior\s+to|during|from)[\s-]+(?:the\s+)?(?:[\w-]+\s+)?$", re.IGNORECASE
)


def is_reference(s: Sentence, m: Mention) -> bool:
    """Whether a treatment is named as a point in time ("eight weeks after surgery"), not as done here."""
    return bool(_REFERENCE.search(s.text[: m.start - s.start]))


_DOSE_GY = re.compile(
    r"(?P<dose>\d+(?:\.\d+)?)\s*(?P<unit>c?Gy)\s*(?:in|/|×|x|over|with)\s*(?P<fx>\d{1,2})\s*(?:fractions?|fx|f|Fr)\b",
    re.IGNORECASE,
)


_SINGLE_GY = re.compile(r"(?P<dose>\d+(?:\.\d+)?)\s*(?P<unit>c?Gy)\b", re.IGNORECASE)


def radiation_doses(text: str) -> list[tuple[float, int, int, int]]:
    """Every radiotherapy dose in ``text``: (total Gy, fractions, start, end).

    >>> radiation_doses("50 Gy in 25 fractions; DT: 4800cGy/25f")
    [(50.0, 25, 0, 21), (48.0, 25, 27, 38)]
    """
    out = []
    for m in _DOSE_GY.finditer(text):
        dose = float(m.group("dose")) / (100 if m.group("unit").lower() == "cgy" else 1)
        out.append((dose, int(m.group("fx")), m.start(), m.end()))
    return out


def _radiotherapy(
    report: Report, s: Sentence, barriers: list[int], following: Sentence | None
) -> list[InterventionDraft]:
    vocab = report.vocabulary
    techniques = [m for m in s.of("procedure") if vocab.is_a("procedure", m.key, "RadiotherapyTechnique")]
    techniques = [m for m in techniques if not m.negated and not is_reference(s, m)]
    doses = radiation_doses(s.text)
    if techniques and not doses:
        single = _SINGLE_GY.search(s.text)
        if single:
            gy = float(single.group("dose")) / (100 if single.group("unit").lower() == "cgy" else 1)
            doses = [(gy, 0, single.start(), single.end())]
    if not techniques and not doses:
        return []
    if (
        not doses
        and techniques
        and re.search(
            r"\bcontinu\w*\s+(?:the\s+)?(?:original|same|previous)\b",
            s.local(techniques[0].start - 40, techniques[0].start),
            re.IGNORECASE,
        )
    ):
        return []
    out = []
    anchors = [(d[2] + s.start, d) for d in doses] or [(techniques[0].start, None)]
    for position, dose in anchors:
        tech = min(techniques, key=lambda m: abs(m.start - position)) if techniques else None
        at = tech.start if tech is not None else position
        draft = InterventionDraft("radiotherapy", [], at)
        if tech is not None and tech.key != "radiotherapy":
            draft.procedure = tech.key
        if dose is not None:
            draft.dose_gy, draft.fractions = dose[0], dose[1] or None
        draft.start, draft.end = _dates(s, at, [b for b in barriers if b != at])
        draft.setting = _setting(s.local(at - 60, at + 30))
        if _PLANNED.search(s.text) or (following is not None and _PLANNED.search(following.text)):
            draft.status = "planned"
        elif _ONGOING.search(s.text):
            draft.status = "ongoing"
        pieces = []
        if tech is not None:
            phrase_start = s.start + _phrase_start(s, tech.start)
            pieces += report.evidence(phrase_start, tech.end)
            draft.description = re.sub(r"\s+", " ", report.clean.text[phrase_start : tech.end])
        if dose is not None:
            pieces += report.evidence(s.start + dose[2], s.start + dose[3])
        draft.evidence = pieces
        out.append(draft)
        if dose is None:
            break
    if doses and len(doses) > 1 and techniques:
        for extra in out[1:]:
            extra.procedure = None
            extra.description = "boost"
    return out


def _phrase_start(s: Sentence, position: int) -> int:
    """Where a radiotherapy phrase starts: "chest wall radiotherapy", "localized radiotherapy"."""
    lead = s.local(s.start, position)
    words = re.search(
        r"\b(?:chest\s+wall|whole[\s-]brain|localized|local|palliative|adjuvant|conformal|stereotactic)\s+$",
        lead,
        re.IGNORECASE,
    )
    return words.start() if words else len(lead)


_TUMOUR = re.compile(
    r"\b(?:tumou?rs?|mass(?:es)?|lesions?|cancers?|nodules?|neoplasms?|metasta\w*|malignan\w*|"
    r"\w*(?:carcinoma|sarcoma|melanoma|lymphoma|blastoma|mesothelioma|myeloma|glioma)s?)\b",
    re.IGNORECASE,
)


_VERB_FORMS = re.compile(r"^(?:excised|resected|removed|biopsied|aspirated|amputated)$", re.IGNORECASE)


def _surgeries(report: Report, s: Sentence, lesion_sites: list[str], recent_surgery: bool) -> list[InterventionDraft]:
    vocab = report.vocabulary
    procs = [m for m in procedure_mentions(report, s) if not m.negated and not is_reference(s, m)]
    if recent_surgery:
        procs = [m for m in procs if not _VERB_FORMS.match(m.text)]
    surgical = [m for m in procs if vocab.is_a("procedure", m.key, "SurgicalProcedure")]
    if any(m.key != "surgery" for m in surgical):
        surgical = [m for m in surgical if m.key != "surgery"]
    if surgical:
        surgical += [m for m in procs if m.key == "biopsy" and m not in surgical]
    if not surgical:
        return []
    refused = _REFUSED.search(s.text)
    named_sites = [site.key for site in s.of("site") if site.asserted]
    implied = [implied_site(report, m.key, m.text) for m in surgical]
    related = bool(_TUMOUR.search(s.text)) or any(
        any(vocab.related("site", site, ls) for ls in lesion_sites) for site in named_sites + implied if site
    )
    if not related and not refused:
        return []
    out = []
    for m in sorted(surgical, key=lambda x: x.start):
        if m.hypothetical and not refused:
            continue
        key = "surgical-biopsy" if m.key == "biopsy" else m.key
        draft = InterventionDraft("surgery", [], m.start, procedure=key if key != "surgery" else None)
        phrase = _procedure_phrase(s, m)
        draft.description = re.sub(r"\s+", " ", report.clean.text[phrase[0] : phrase[1]])
        draft.evidence = report.evidence(*phrase)
        if refused:
            draft.adherence = "declined"
        else:
            draft.start, _ = _dates(s, m.start, [])
        out.append(draft)
    return out


def _procedure_phrase(s: Sentence, m: Mention) -> tuple[int, int]:
    lead = s.local(s.start, m.start)
    side = re.search(
        r"\b(?:(?:left|right|bilateral|further|radical|simple|total|partial|segmental|wide|upper|lower|middle|"
        r"laparoscopic|open|robotic|modified|extended|subtotal|near-total)\s+){1,4}$",
        lead,
        re.IGNORECASE,
    )
    start = s.start + side.start() if side else m.start
    tail = s.local(m.end, s.end)
    of = re.match(
        r"\s+of\s+(?:the\s+)?(?:[\w-]+\s+){0,4}?(?:lesion|mass|tumou?r|nodes?|nodules?|breast|scalp)\b",
        tail,
        re.IGNORECASE,
    )
    end = m.end + (of.end() if of else 0)
    return start, end


_PROCEDURE_TYPES = (("EmbolizationProcedure", "embolization"), ("RadiofrequencyAblation", "other"))


def _other_procedures(report: Report, s: Sentence) -> list[InterventionDraft]:
    out = []
    for m in s.of("procedure"):
        if m.negated or is_reference(s, m):
            continue
        for cls, kind in _PROCEDURE_TYPES:
            if report.vocabulary.is_a("procedure", m.key, cls):
                draft = InterventionDraft(kind, report.evidence(*_procedure_phrase(s, m)), m.start, procedure=m.key)
                lead = s.local(s.start, m.start)
                word = re.search(r"\b[\w-]+\s+(?:artery\s+)?$", lead)
                if word and re.search(r"artery", word.group(0)):
                    draft.evidence = report.evidence(s.start + word.start(), m.end)
                draft.description = " ".join(re.sub(r"\s+", " ", ev.quote) for ev in draft.evidence) or None
                draft.start, _ = _dates(s, m.start, [])
                out.append(draft)
    return out


_THERAPY_WORDS = [
    (r"\bchemo(?:therapy)?\b", "chemotherapy"),
    (r"\b(?:endocrine|hormon(?:e|al))\s+therapy\b", "endocrine"),
    (r"\btargeted\s+therapy\b", "targeted"),
    (r"\bimmunotherapy\b", "immunotherapy"),
]
_RECEIVED = re.compile(
    r"\b(?:received|receiving|underwent|undergo|treated\s+with|given|started|initiated|commenced|completed|administered)\b",
    re.IGNORECASE,
)


def _therapies_without_drugs(report: Report, s: Sentence, existing: list[InterventionDraft]) -> list[InterventionDraft]:
    out = []
    if not _RECEIVED.search(s.text):
        return out
    for pattern, kind in _THERAPY_WORDS:
        for m in re.finditer(pattern, s.text, re.IGNORECASE):
            if any(d.type == kind and d.drugs for d in existing):
                continue
            clause = next(((a, b) for a, b in clause_bounds(s.text) if a <= m.start() < b), (0, len(s.text)))
            if _NEGATED_CLAUSE.search(s.text[clause[0] : m.start()]):
                continue
            if re.search(
                r"\bcontinu\w*\s+(?:the\s+)?(?:original|same|previous)", s.text[clause[0] : m.end()], re.IGNORECASE
            ):
                continue
            draft = InterventionDraft(
                kind, report.evidence(s.start + m.start(), s.start + m.end()), s.start + m.start()
            )
            draft.setting = _setting(s.text[max(0, m.start() - 30) : m.end()])
            draft.start, _ = _dates(s, s.start + m.start(), [])
            out.append(draft)
    return out


_SUPPORTIVE = re.compile(
    r"\b(?:transfus\w*|anti-?viral|h(?:a)?emosta\w*|analgesi\w*|pain\s+(?:control|management|relief)|herbal|"
    r"anti-?inflammatory|symptomatic\s+(?:treatment|therapy|care)|supportive\s+(?:care|treatment|therapy)|"
    r"palliative\s+care|hospice|antibiotics?|anti-?infect\w*|nutritional\s+support|anti-?emetic\w*|"
    r"best\s+supportive|corticosteroids?|dexamethasone\s+for)\b",
    re.IGNORECASE,
)
_PROVIDED = re.compile(
    r"\b(?:we\s+\w+|received|provided|given|gave|administered|decided|treated|started|initiated|underwent|managed|"
    r"transfused|provided|treatment|therapy|care)\b",
    re.IGNORECASE,
)


def _supportive(report: Report, s: Sentence) -> list[InterventionDraft]:
    if not _SUPPORTIVE.search(s.text) or not _PROVIDED.search(s.text):
        return []
    out = []
    pos = 0
    for part in re.split(r"(,|;)", s.text):
        start = pos
        pos += len(part)
        if part in (",", ";"):
            continue
        cues = list(_SUPPORTIVE.finditer(part))
        if not cues or _NEGATED_CLAUSE.search(part[: cues[0].start()]):
            continue
        phrase = re.search(
            r"(?:\b(?:empirical|conservative|symptomatic|best|adjuvant)\s+)*"
            + cues[0].re.pattern
            + r"(?:[\w\s-]{0,60}?(?:\btherapy\b|\btreatment\b|\bcare\b|$))?",
            part,
            re.IGNORECASE,
        )
        a, b = (phrase.start(), phrase.end()) if phrase else (cues[0].start(), cues[-1].end())
        if re.match(r"\w", part[b : b + 1] or " "):
            b = cues[-1].end()
        text = part[a:b].strip()
        if "transfus" in text.lower():
            whole = re.search(
                r"transfus\w*(?:\s+(?:of\s+)?[\w\s]{0,40}?(?=\s+and\s+provided|$))?", part[a:], re.IGNORECASE
            )
            text = whole.group(0).strip() if whole else text
            b = a + (whole.end() if whole else len(text))
        draft = InterventionDraft(
            "supportive", report.evidence(s.start + start + a, s.start + start + b), s.start + start + a
        )
        draft.description = re.sub(r"\s+", " ", text)
        draft.setting = "supportive"
        draft.start, _ = _dates(s, s.start + start + a, [])
        if re.search(r"\b(?:terminated|stopped|withdrawn)\b", s.text, re.IGNORECASE):
            draft.status = "stopped"
        out.append(draft)
    return out


def _same(a: InterventionDraft, b: InterventionDraft) -> bool:
    if a.type != b.type:
        return False
    if a.drugs or b.drugs:
        return {d.drug for d in a.drugs} == {d.drug for d in b.drugs}
    if a.type == "radiotherapy":
        return a.dose_gy == b.dose_gy and a.procedure == b.procedure and a.dose_gy is not None
    if a.type in ("surgery", "embolization", "other"):
        if a.procedure != b.procedure:
            return False
        if a.start is not None and b.start is not None:
            return a.start == b.start
        return a.type != "surgery" or a.description == b.description
    return False


def _merge(drafts: list[InterventionDraft]) -> list[InterventionDraft]:
    out: list[InterventionDraft] = []
    for d in drafts:
        twin = next((o for o in out if _same(o, d)), None)
        if twin is None:
            out.append(d)
            continue
        twin.evidence += [ev for ev in d.evidence if ev not in twin.evidence]
        for name in ("start", "end", "cycles", "setting", "status", "adherence", "description", "fractions", "dose_gy"):
            if getattr(twin, name) is None and getattr(d, name) is not None:
                setattr(twin, name, getattr(d, name))
    return out


def find_interventions(report: Report, lesions: list[LesionDraft]) -> list[InterventionDraft]:
    """Every intervention the case sentences report, in order, merged when mentioned twice."""
    lesion_sites = [x.site for x in lesions if x.site]
    drafts: list[InterventionDraft] = []
    sentences = list(report.case_sentences())
    last_surgery = -10
    for i, s in enumerate(sentences):
        following = sentences[i + 1] if i + 1 < len(sentences) else None
        barriers = [
            m.start
            for m in s.mentions
            if m.category in ("drug", "drug-misspelt", "procedure") and not is_reference(s, m)
        ]
        found = _systemic(report, s, barriers)
        found += _radiotherapy(report, s, barriers, following)
        surgeries = _surgeries(report, s, lesion_sites, s.index - last_surgery <= 2)
        if surgeries:
            last_surgery = s.index
        found += surgeries
        found += _other_procedures(report, s)
        found += _therapies_without_drugs(report, s, found)
        found += _supportive(report, s)
        drafts += sorted(found, key=lambda d: d.position)
    return _merge(drafts)


_RECIST = [
    (r"\bcomplete\s+(?:response|remission)\b", "CR"),
    (r"\bpartial\s+(?:response|remission)\b", "PR"),
    (r"\bstable\s+disease\b", "SD"),
    (r"\bprogressive\s+disease\b", "PD"),
]
_MILLER_PAYNE = re.compile(r"\bMiller[\s-]*Payne\s+(?:grade\s+)?(?P<g>[1-5]|IV|V|I{1,3})\b", re.IGNORECASE)
_REGRESSION = re.compile(r"\b(?:regression|shrinkage|shrank|shrunk|marked\s+reduction)\b", re.IGNORECASE)


def _last(interventions: list[InterventionDraft], position: int, types: tuple[str, ...]) -> InterventionDraft | None:
    earlier = [d for d in interventions if d.position < position and d.type in types]
    return earlier[-1] if earlier else None


def find_responses(report: Report, interventions: list[InterventionDraft]) -> list[ResponseDraft]:
    """RECIST categories, Miller-Payne grades and described regression, linked to the treatment before them."""
    systemic = ("chemotherapy", "endocrine", "targeted", "immunotherapy", "radiotherapy")
    out: list[ResponseDraft] = []
    for s in report.case_sentences():
        for pattern, category in _RECIST:
            m = re.search(pattern, s.text, re.IGNORECASE)
            if m and not _NEGATED_CLAUSE.search(s.text[max(0, m.start() - 20) : m.start()]):
                end = re.match(r"\s*\([A-Z]{2}\)(?:\s+according\s+to\s+RECIST(?:\s+\d\.\d)?)?", s.text[m.end() :])
                stop = s.start + m.end() + (end.end() if end else 0)
                r = ResponseDraft(
                    report.evidence(s.start + m.start(), stop), s.start + m.start(), recist=category, date=s.date
                )
                r.intervention = _last(interventions, r.position, systemic)
                out.append(r)
        mp = _MILLER_PAYNE.search(s.text)
        if mp:
            grade = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5}.get(mp.group("g").upper()) or int(mp.group("g"))
            r = ResponseDraft(
                report.evidence(s.start + mp.start(), s.start + mp.end()), s.start + mp.start(), miller_payne=grade
            )
            r.date = s.date
            r.intervention = _last(interventions, r.position, ("chemotherapy", "targeted", "endocrine"))
            out.append(r)
        rg = _REGRESSION.search(s.text)
        if rg and not any(x.position >= s.start and x.position < s.end for x in out):
            clause = next(((a, b) for a, b in clause_bounds(s.text) if a <= rg.start() < b), (rg.start(), rg.end()))
            text = s.text[clause[0] : clause[1]].strip(" ,")
            r = ResponseDraft(
                report.evidence(s.start + clause[0], s.start + clause[1]), s.start + rg.start(), description=text
            )
            r.intervention = _last(interventions, r.position, systemic)
            out.append(r)
    return out
