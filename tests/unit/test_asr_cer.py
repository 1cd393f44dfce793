"""Character error rate on Chinese text: normalisation, Levenshtein distance, corpus-level aggregation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.adapters.asr.cer import ErrorCount, cer, cer_count, corpus_cer, edit_distance, wer
from callcenter.adapters.asr.text import normalize_zh, to_simplified, words_of

REFERENCE = "广州市房地产中介协会分析"  # AISHELL-1 BAC009S0724W0121, 12 characters


@pytest.mark.parametrize(
    ("reference", "hypothesis", "distance"),
    [
        ("kitten", "sitting", 3),
        ("", "", 0),
        ("", "abc", 3),
        ("abc", "", 3),
        ("市民热线", "市民热线", 0),
        ("市民热线", "市明热线", 1),  # substitution
        ("市民热线", "市民热线电话", 2),  # insertions
        ("市民热线", "民热", 2),  # deletions
        ("办结回访", "回访办结", 4),
    ],
)
def test_edit_distance_table(reference: str, hypothesis: str, distance: int) -> None:
    assert edit_distance(reference, hypothesis) == distance


def test_edit_distance_works_on_word_sequences() -> None:
    assert edit_distance(("민원", "상담", "센터"), ("민원", "센터")) == 1


TEXT = st.text(alphabet="市民热线办结回访abc", max_size=12)


@given(TEXT, TEXT)
def test_edit_distance_is_symmetric_and_bounded(a: str, b: str) -> None:
    d = edit_distance(a, b)
    assert d == edit_distance(b, a)
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))
    assert (d == 0) == (a == b)


@given(TEXT, TEXT, TEXT)
def test_edit_distance_obeys_the_triangle_inequality(a: str, b: str, c: str) -> None:
    assert edit_distance(a, c) <= edit_distance(a, b) + edit_distance(b, c)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("广州市，房地产中介协会分析。", REFERENCE),  # full-width punctuation dropped
        ("广州市 房地产 中介 协会 分析", REFERENCE),  # Vosk-style word spaces dropped
        ("廣州市房地產中介協會分析", REFERENCE),  # Traditional → Simplified
        ("拨打１２３４５热线", "拨打12345热线"),  # full-width digits → half-width
        ("ＡＰＰ上 Wi-Fi 不能用！", "app上wifi不能用"),  # full-width latin, lower case, hyphen dropped
        ("「頭髮」乾燥…", "头发干燥"),
        ("\u3000温度 37℃\n", "温度37°c"),  # spaces and newline dropped; NFKC spells ℃ as °C, a symbol kept
    ],
)
def test_normalize_zh(raw: str, normalised: str) -> None:
    assert normalize_zh(raw) == normalised


def test_to_simplified_is_phrase_aware() -> None:
    assert to_simplified("乾燥的頭髮") == "干燥的头发"
    assert to_simplified("") == ""


def test_traditional_hypothesis_of_the_same_words_scores_zero() -> None:
    assert cer(REFERENCE, "廣州市房地產中介協會分析。") == 0.0


def test_one_wrong_character_in_twelve() -> None:
    assert cer(REFERENCE, "广州市房地产中介协会分新") == pytest.approx(1 / 12)


def test_insertions_can_push_cer_above_one() -> None:
    assert cer("热线", "请问您要办理什么业务") == pytest.approx(10 / 2)


def test_corpus_cer_is_total_edits_over_total_reference_characters() -> None:
    pairs = [("市民热线", "市民热线"), ("换一首歌", "")]  # 0/4 and 4/4 edits
    assert corpus_cer(pairs) == pytest.approx(4 / 8)
    weighted = [(REFERENCE, REFERENCE), ("换一首歌", "")]  # a mean of utterance CERs would say 0.5
    assert corpus_cer(weighted) == pytest.approx(4 / 16)


def test_cer_count_adds_up() -> None:
    total = cer_count("市民热线", "市明热线") + cer_count("办结", "")
    assert total == ErrorCount(edits=3, length=6)


def test_empty_reference_has_no_error_rate() -> None:
    with pytest.raises(ValueError, match="empty reference"):
        cer("。", "热线")
    with pytest.raises(ValueError, match="empty reference"):
        corpus_cer([])


def test_words_of_splits_on_spaces_and_punctuation() -> None:
    assert words_of("안녕하세요, 민원 상담 센터입니다.") == ("안녕하세요", "민원", "상담", "센터입니다")


def test_wer_counts_words() -> None:
    assert wer("민원 상담 센터", "민원 센터") == pytest.approx(1 / 3)
