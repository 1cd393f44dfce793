"""Misheard names put right by their sound (suggestions/correction.py), and what must stay as heard."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callcenter.adapters.db.catalogue import load_seed
from callcenter.config.settings import Settings
from callcenter.ticketing.orders.classify import CurrentCatalogue
from callcenter.ticketing.suggestions.assistant import DraftAdvisor, suggest
from callcenter.ticketing.suggestions.correction import CorrectionVocabulary, correct, loose
from callcenter.wiring.workorders import load_category_lexicon
from callcenter_sim.corpus.generate import generate
from callcenter_sim.corpus.phrasing import load_phrasings, sample_city

CATALOGUE = load_seed().catalogue()
LEXICON = load_category_lexicon()
SEED = CorrectionVocabulary.of(CATALOGUE.gazetteer, CATALOGUE.categories, (k.term for k in LEXICON.keywords))
# Names of the examples that the sample city's gazetteer does not hold.
CITY = CorrectionVocabulary(["东城区", "朝阳区", "朝阳门", "朝阳门街道", "建国门街道", "三里屯", "望京"])


@pytest.mark.parametrize(
    ("heard", "meant"),
    [
        ("我住在东城去", "我住在东城区"),  # qu = qu: a homophone
        ("朝阳门接到的路灯坏了", "朝阳门街道的路灯坏了"),  # jie dao: extends the known 朝阳门
        ("建国门街到有人占道", "建国门街道有人占道"),
        ("三里吞那边很吵", "三里屯那边很吵"),
        ("朝羊区", "朝阳区"),
    ],
)
def test_a_name_heard_as_its_homophone_is_put_right(heard: str, meant: str) -> None:
    assert correct(heard, CITY).text == meant


def test_the_usual_confusions_cost_little_and_one_letter_off_is_allowed_only_for_longer_names() -> None:
    assert loose("zhang") == loose("zan") and loose("ning") == loose("lin") and loose("sheng") == "sen"
    assert correct("朝阳门节到", CITY).text == "朝阳门街道"  # jie = jie
    assert correct("朝阳门街稻", CITY).text == "朝阳门街道"
    assert correct("朝央区", CITY).text == "朝阳区"  # yang ~ yan: one confusion in a 3-character name
    assert correct("东城路", CITY).text == "东城路"  # lu vs qu: one letter off is too much for 3 characters


def test_the_seed_city_examples_are_corrected_with_where_and_what() -> None:
    result = correct("王府井大姐三十五号的路灯不亮，路边还有占到经营的", SEED)
    assert result.text == "王府井大街三十五号的路灯不亮，路边还有占道经营的"
    assert [(c.heard, c.name) for c in result.corrections] == [
        ("王府井大姐", "王府井大街"),
        ("占到经营", "占道经营"),
    ]
    first = result.corrections[0]
    assert "王府井大姐三十五号的路灯不亮，路边还有占到经营的"[first.start : first.end] == "王府井大姐"


@pytest.mark.parametrize(
    "words",
    [
        "东城区朝阳门街道的路灯坏了",  # already known names
        "我去东城看看",  # 东城 is known; nothing sounds like a longer name
        "我住望金",  # two-character names are never corrected (望京 sounds like too many words)
        "我的电话是幺三九七三九零九九零五",  # spoken digits are never touched
        "四里屯有人吵",  # 四 is a digit where 三里屯 has another: a different place, not a mishearing
        "东城1去",  # never across a digit
        "东城，去",  # never across punctuation
        "我要投诉楼上装修噪音太大",  # ordinary words
        "",
    ],
)
def test_what_must_not_be_corrected_stays_as_heard(words: str) -> None:
    result = correct(words, CITY)
    assert (result.text, result.corrections) == (words, ())


def test_a_name_heard_as_homophones_throughout_is_put_right_from_a_real_transcript() -> None:
    """Whisper-base on a Kokoro voice through μ-law (bench/corpus_quality.py, c0002)."""
    heard = "我假在安丁门解刀物刀营射取23号楼"
    assert correct(heard, SEED).text == "我假在安定门街道五道营社区23号楼"
    s = suggest(heard, CATALOGUE, LEXICON)
    assert s.location is not None and s.location.path[-2:] == ("安定门街道", "五道营社区")


def test_no_reference_text_of_the_corpus_or_the_labelled_set_is_changed() -> None:
    """False corrections: what a perfect recogniser hands over must come out as it went in."""
    texts = [r.text for r in generate(load_phrasings(), sample_city())]
    labels = Path(__file__).resolve().parents[2] / "bench" / "data" / "labelled_calls" / "labels.json"
    texts += [item["text"] for item in json.loads(labels.read_text("utf-8"))]
    changed = [(t, correct(t, SEED).text) for t in texts if correct(t, SEED).corrections]
    assert changed == []


def test_spaces_between_words_are_looked_through_and_kept_out_of_the_name() -> None:
    result = correct("喂 你好 王府井 大姐 三十五号 门口", SEED)
    assert result.text == "喂 你好 王府井大街 三十五号 门口"
    assert [(c.heard, c.name) for c in result.corrections] == [("王府井 大姐", "王府井大街")]


def test_two_names_that_sound_alike_are_left_to_the_agent() -> None:
    twins = CorrectionVocabulary(["东城区", "东成区"])
    assert correct("东程区", twins).text == "东程区"
    assert correct("东程区", CorrectionVocabulary(["东城区"])).text == "东城区"


def test_the_draft_reads_the_corrected_words_and_lists_the_corrections() -> None:
    heard = "王府井大姐三十五号的路灯不亮了"
    on = suggest(heard, CATALOGUE, LEXICON)
    off = suggest(heard, CATALOGUE, LEXICON, correction=False)
    assert on.location is not None and on.location.phrase == "王府井大街35号"
    assert [(c.heard, c.name) for c in on.corrections] == [("王府井大姐", "王府井大街")]
    assert on.request_text == "王府井大街35号的路灯不亮了"
    assert off.corrections == () and off.request_text == "王府井大姐35号的路灯不亮了"
    assert off.location is None or off.location.phrase != "王府井大街35号"


def test_without_a_catalogue_nothing_is_corrected() -> None:
    assert suggest("我住在东城去").corrections == ()


def test_the_advisor_corrects_unless_the_setting_turns_it_off() -> None:
    current = CurrentCatalogue()
    current.use(CATALOGUE)
    heard = "王府井大姐三十五号的路灯不亮了"
    assert DraftAdvisor(current, LEXICON).advise(heard).corrections
    assert DraftAdvisor(current, LEXICON, correction=False).advise(heard).corrections == ()
    assert Settings().asr_correction == 1
