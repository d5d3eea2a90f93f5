"""Lymph-node stations: the nodes a report lists by region, and whether they are regional.

Reports often name nodal disease as a list of stations around one node noun: "mediastinal and
hilar lymphadenopathy", "lymph nodes in the left supraclavicular, axillary and pelvic regions",
"multiple lymph node metastases such as the mediastinum and both groins". The station words come
from the ontology: the names of every lymph-node term without their node noun ("axillary" from
"axillary lymph node", "groin" from "groin lymph node") and the regions that hold exactly one
station ("mediastinum" for the mediastinal nodes).

Whether a node metastasis is distant depends on the primary's organ: the stations of the N
category of its AJCC stage are regional, any other station is distant (M1), unless the text says
"distant". A node named without its station is the nodal stage; so is any superficial basin of a
skin primary (neck, axilla, groin and the iliac nodes behind it), whose draining basin depends on
where on the skin it lies, while the deep nodes of the chest and the abdomen drain no skin.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from metkg.extract.report import Mention, Report, Sentence, Vocabulary
from metkg.terminology import Terminology

if TYPE_CHECKING:
    from metkg.extract.patient import LesionDraft

__all__ = ["NODE_NOUN", "listed_stations", "regional_node"]

#: The nouns that name lymph nodes: "lymph nodes", "nodal", "lymphadenopathy", "adenopathy".
NODE_NOUN = r"(?:lymph\s+)?nodes?|(?:lymph)?adenopath(?:y|ies)|nodal"
_NAME_WITHOUT_NODES = re.compile(rf"^(?P<word>.+?)\s+(?:{NODE_NOUN})$", re.IGNORECASE)
_SIDE = r"(?:(?:the\s+)?(?:left|right|bilateral|both|ipsilateral|contralateral)\s+)"
_SEPARATOR = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*/\s*)"
_REGION_NOUN = r"(?:\s+(?:regions?|areas?|stations?|chains?|basins?|fossae?|spaces?))?"
#: What may come between the node noun and a list of its stations: "in the", "such as", "(".
_LIST_OPENS = re.compile(
    r"(?:\s+(?:metastas[ie]s|metastatic\s+disease|involvement|enlargement))?"
    r"(?:\s*\(\s*|\s*:\s*|,?\s+(?:in|at|of|involving|including|such\s+as|within|throughout)\s+)"
    r"(?:(?:the|both|multiple|several|his|her)\s+)?",
    re.IGNORECASE,
)
_LIST_ENDS = re.compile(
    r"[.;)]|\b(?:with|which|that|was|were|showing|suggest\w*|indicat\w*|consistent)\b", re.IGNORECASE
)


class _Lexicon(NamedTuple):
    """The station words of an ontology and the patterns that find them."""

    words: dict[str, str]  # station word (lower case) -> lymph-node key
    item: re.Pattern[str]  # one item of a list: "the left axilla", "both groins"
    last_item: re.Pattern[str]  # an item right before the node noun
    last_listed: re.Pattern[str]  # an item right before a list separator


@lru_cache(maxsize=4)
def _station_words(terms: Terminology) -> _Lexicon:
    """The station words of the ontology's lymph-node terms and their regions."""
    stations = [t for t in terms.all_terms() if t.category == "site" and t.key != "lymph-node"]
    node_iri = next((t.iri for t in terms.all_terms() if t.category == "site" and t.key == "lymph-node"), None)
    nodes = [t for t in stations if node_iri is not None and terms.is_a(t.iri, node_iri)]
    words: dict[str, str] = {}
    regions: dict[str, set[str]] = {}
    for node in nodes:
        for name in (node.label, *node.synonyms):
            m = _NAME_WITHOUT_NODES.match(name)
            if m:
                words.setdefault(m.group("word").lower(), node.key)
        for parent in node.parents:
            regions.setdefault(parent, set()).add(node.key)
    for region in stations:
        held = regions.get(region.iri, set())
        if region.iri != node_iri and len(held) == 1:
            for name in (region.label, *region.synonyms):
                words.setdefault(name.lower(), next(iter(held)))
    alternatives = sorted(words, key=len, reverse=True)
    pattern = "|".join(r"\s+".join(map(re.escape, w.split())) for w in alternatives)
    # "the left axilla", "both groins", "bilateral axillae", "the para-aortic region"
    item = rf"(?:the\s+)?{_SIDE}?(?P<station>{pattern})(?:s|e)?{_REGION_NOUN}"
    return _Lexicon(
        words,
        re.compile(item, re.IGNORECASE),
        re.compile(rf"\b(?:{item})\s+$", re.IGNORECASE),
        re.compile(rf"\b(?:{item}){_SEPARATOR}$", re.IGNORECASE),
    )


def _station_mention(vocab: Vocabulary, offset: int, item: re.Match[str]) -> Mention:
    """The site mention of the station an item names; ``offset`` places the item's text."""
    words = _station_words(vocab.terms).words
    word = item.group("station")
    start = offset + item.start("station")
    return Mention(start, start + len(word), "site", words[re.sub(r"\s+", " ", word.lower())], item.group(0))


def _listed_before(vocab: Vocabulary, s: Sentence, node: Mention) -> list[Mention]:
    """ "left neck, mediastinal and right hilar adenopathy": the stations in front of the noun."""
    lexicon = _station_words(vocab.terms)
    found: list[Mention] = []
    end, ending = node.start - s.start, lexicon.last_item
    while (m := _last_item(lexicon.item, ending, s.text, end)) is not None:
        found.append(_station_mention(vocab, s.start, m))
        end, ending = m.start(), lexicon.last_listed
    return found


def _last_item(item: re.Pattern[str], ending: re.Pattern[str], text: str, end: int) -> re.Match[str] | None:
    """The station item that ``ending`` finds right before ``end`` in ``text``."""
    window_start = max(0, end - 80)
    m = ending.search(text[window_start:end])
    return item.match(text, window_start + m.start()) if m else None


def _listed_after(vocab: Vocabulary, s: Sentence, node: Mention) -> list[Mention]:
    """ "lymph nodes in the left supraclavicular, axillary and pelvic regions": the stations after it.

    Items of the list that name no station ("abdominal cavity") are passed over; the list ends at
    the clause's end or at an item longer than a station name.
    """
    item = _station_words(vocab.terms).item
    at = node.end - s.start
    opens = _LIST_OPENS.match(s.text, at)
    if opens is None:
        return []
    stop = _LIST_ENDS.search(s.text, opens.end())
    end = stop.start() if stop else len(s.text)
    found: list[Mention] = []
    position = opens.end()
    for piece in re.finditer(rf"(?P<item>.+?)(?:{_SEPARATOR}|\s*$)", s.text[position:end], re.IGNORECASE):
        text = piece.group("item")
        m = item.fullmatch(text.strip())
        if m is not None:
            offset = s.start + position + piece.start("item") + text.index(text.strip())
            found.append(_station_mention(vocab, offset, m))
        elif len(text.split()) > 4:
            break
    return found


def listed_stations(report: Report, s: Sentence, node: Mention) -> list[Mention]:
    """The stations a sentence lists with a lymph-node mention, as site mentions of their nodes.

    Stations in front of the noun count for any node mention ("supraclavicular and axillary
    lymph nodes"); a list after it only for a node named without its station.
    """
    vocab = report.vocabulary
    if not vocab.is_a("site", node.key, "LymphNode"):
        return []
    found = _listed_before(vocab, s, node)
    if node.key == "lymph-node":
        found += _listed_after(vocab, s, node)
    return sorted(found, key=lambda m: m.start)


#: Lymph-node stations regional to a primary organ (the N category of its AJCC stage); a node
#: metastasis elsewhere is distant. The organ's descendants share its stations.
_NECK = frozenset({"cervical-lymph-node", "supraclavicular-lymph-node"})
_PARA_AORTIC = frozenset({"retroperitoneal-lymph-node"})
_REGIONAL_STATIONS: dict[str, frozenset[str]] = {
    "breast": frozenset({"axillary-lymph-node", "internal-mammary-lymph-node", "supraclavicular-lymph-node"}),
    # IASLC station 1 (low cervical, supraclavicular) is N3; the cervical oesophagus drains to the neck
    "lung": frozenset(
        {"hilar-lymph-node", "mediastinal-lymph-node", "supraclavicular-lymph-node", "cervical-lymph-node"}
    ),
    "esophagus": frozenset({"mediastinal-lymph-node", "cervical-lymph-node", "celiac-lymph-node"}),
    "stomach": frozenset({"celiac-lymph-node", "peripancreatic-lymph-node"}),
    "pancreas": frozenset(
        {"peripancreatic-lymph-node", "celiac-lymph-node", "porta-hepatis-lymph-node", "mesenteric-lymph-node"}
    ),
    **dict.fromkeys(("small-intestine", "large-intestine"), frozenset({"mesenteric-lymph-node"})),
    **dict.fromkeys(("liver", "gall-bladder", "bile-duct"), frozenset({"porta-hepatis-lymph-node"})),
    "pelvis": frozenset({"pelvic-lymph-node"}),
    **dict.fromkeys(("vagina", "vulva", "anus", "penis"), frozenset({"inguinal-lymph-node"})),
    **dict.fromkeys(("thyroid", "larynx", "pharynx", "oral-cavity", "tongue", "parotid-gland", "nasal-cavity"), _NECK),
    "trachea": frozenset({"mediastinal-lymph-node", "cervical-lymph-node"}),
    **dict.fromkeys(("kidney", "testis", "uterus", "ovary", "fallopian-tube"), _PARA_AORTIC),
}
#: The basins that drain the skin (the iliac nodes with the groin's, as the ilioinguinal basin of
#: the leg); the nodes of the chest and the abdomen drain no skin.
_SKIN_BASINS = frozenset(
    {
        "lymph-node",
        "axillary-lymph-node",
        "inguinal-lymph-node",
        "pelvic-lymph-node",
        "cervical-lymph-node",
        "supraclavicular-lymph-node",
    }
)
_DISTANT = re.compile(r"\bdistant\b|\bnon-?regional\b|\bM1\b", re.IGNORECASE)
#: "no distant metastases", "distant spread was absent": the word denied, so no node is called distant.
_DISTANT_DENIED_BEFORE = re.compile(
    # not "no other distant metastases": the nodes named are distant
    r"\b(?:no|not|without|absence\s+of|free\s+of|negative\s+for)\b(?:\s+(?:evidence|signs?|of|any|the))*\s*$",
    re.IGNORECASE,
)
_DISTANT_DENIED_AFTER = re.compile(
    r"\s+(?:metasta\w+|spread|disease)\s+(?:was|were|is|are)\s+(?:absent|excluded|ruled\s+out|negative|"
    r"not\s+(?:found|seen|detected|present|identified|evident))",
    re.IGNORECASE,
)


def _called_distant(sentence: str) -> bool:
    """Whether a sentence calls its nodes distant: "distant", "non-regional" or "M1", not denied."""
    return any(
        not _DISTANT_DENIED_BEFORE.search(sentence, max(0, m.start() - 40), m.start())
        and not _DISTANT_DENIED_AFTER.match(sentence, m.end())
        for m in _DISTANT.finditer(sentence)
    )


def regional_node(report: Report, lesion: LesionDraft, primary: LesionDraft | None) -> bool:
    """Whether a node metastasis or recurrence is regional to the primary: a node named without its
    station (the nodal stage), a superficial basin of a skin primary, or a station of the primary's
    region, unless the text calls it distant; any node of a lymphoma."""
    vocab = report.vocabulary
    if primary is None or lesion.kind not in ("metastasis", "recurrence") or lesion.site is None:
        return False
    if not vocab.is_a("site", lesion.site, "LymphNode"):
        return False
    if primary.histology is not None and vocab.is_a("histology", primary.histology, "Lymphoma"):
        return True  # a lymphoma's nodes are its own tissue, wherever they lie
    if primary.site is None:
        return False
    if any(_called_distant(s.text) for s in report.sentences if s.index in lesion.sentences):
        return False
    skin = vocab.is_a("site", primary.site, "Skin") and not vocab.is_a("site", primary.site, "SoftTissue")
    if skin:
        return lesion.site in _SKIN_BASINS
    if lesion.site == "lymph-node":
        return True
    return any(
        lesion.site in stations and vocab.related("site", primary.site, organ)
        for organ, stations in _REGIONAL_STATIONS.items()
    )
