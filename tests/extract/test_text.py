"""Cleaning keeps the map to the original: every clean span quotes the original exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from metkg.extract.text import clean_text, drop_spans, identity


def test_debris_is_undone() -> None:
    original = "GATA-3 (\\pm), $12 \\times 10^9/L$, *in situ*, ^{18}F-FDG, docetaxel (75mg/m²⁾"
    ct = clean_text(original)
    assert ct.text == "GATA-3 (±), 12 × 10^9/L, in situ, 18F-FDG, docetaxel (75mg/m²)"


def test_words_broken_at_line_ends() -> None:
    original = "metastasis was found. The metas-\ntasis grew. A spindle-\nshaped cell. Ki-\n67"
    assert clean_text(original).text == "metastasis was found. The metastasis grew. A spindle-shaped cell. Ki-67"


def test_page_break_inside_a_sentence_is_joined_but_paragraphs_stay() -> None:
    original = "dalpiciclib (150\n\nmg once daily). New paragraph.\n\nNext one"
    assert clean_text(original).text == "dalpiciclib (150 mg once daily). New paragraph.\n\nNext one"


def test_a_dropped_caption_rejoins_the_sentence_around_it() -> None:
    original = "metastases in all 13 dissected axillary\n\nFIGURE 1\nMRI of the breast.\n\nlymph nodes (13/13)."
    start = original.index("FIGURE")
    end = original.index("lymph") - 2
    ct = clean_text(original, drop=[(start, end)])
    assert ct.text == "metastases in all 13 dissected axillary lymph nodes (13/13)."
    i = ct.text.index("lymph")
    quote, s, e = ct.quote(i, i + 11)
    assert quote == "lymph nodes" == original[s:e]


def test_sentences_glued_where_paragraphs_were_joined_are_parted() -> None:
    original = "Ki-67 was 30%.In May a biopsy [4].The mass (Fig. 2).Her KRAS p.Gly12Asp, E.Coli, U.S.A. (Fig. 3).A cyst"
    ct = clean_text(original)
    assert ct.text == (
        "Ki-67 was 30%. In May a biopsy [4]. The mass (Fig. 2). Her KRAS p.Gly12Asp, E.Coli, U.S.A. (Fig. 3). A cyst"
    )
    start = ct.text.index("In May")
    assert ct.quote(start - 1, start + 6)[0] == "In May"  # the added space stands for nothing of the original


def test_drop_spans_of_nothing_is_identity() -> None:
    ct = identity("abc")
    assert drop_spans(ct, []) is ct


_DEBRIS = st.sampled_from(["\\pm", "$1 \\times 2$", "*in situ*", "-\n", "\n", "\n\n", "  ", "\t", "⁾", "^{2}", " "])
_WORDS = st.sampled_from(["ER", "(+90%)", "metastasis", "of", "the", "scalp", "Ki", "67", ",", ".", "a", "In", "May"])


@given(st.lists(st.one_of(_WORDS, _DEBRIS), max_size=40), st.data())
def test_every_clean_span_quotes_the_original(pieces: list[str], data: st.DataObject) -> None:
    original = " ".join(pieces)
    ct = clean_text(original)
    assert len(ct.starts) == len(ct.text) == len(ct.ends)
    if not ct.text:
        return
    start = data.draw(st.integers(min_value=0, max_value=len(ct.text) - 1))
    end = data.draw(st.integers(min_value=start + 1, max_value=len(ct.text)))
    quote, s, e = ct.quote(start, end)
    assert quote == original[s:e]
    assert 0 <= s <= e <= len(original)
    for i in range(len(ct.text) - 1):
        assert ct.starts[i] <= ct.starts[i + 1], "the map must keep the order of the original"


@given(st.text(max_size=120))
def test_cleaning_never_fails(text: str) -> None:
    ct = clean_text(text)
    for i, _ in enumerate(ct.text):
        assert 0 <= ct.starts[i] < ct.ends[i] <= len(text) or ct.starts[i] == ct.ends[i]
