"""What a draft suggests from the caller's words: urgency with reasons, intent, contact number, digits;
with the catalogue the category and the place, and knowledge answers for a consultation."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.adapters.db.catalogue import load_seed
from callcenter.adapters.db.knowledge import load_knowledge_seed
from callcenter.ticketing.deadlines import RequestType, Urgency
from callcenter.ticketing.suggestions.assistant import suggest
from callcenter.ticketing.suggestions.cues import CallerIntent
from callcenter.ticketing.suggestions.knowledge import KnowledgeBase
from callcenter.wiring.workorders import load_category_lexicon

CATALOGUE = load_seed().catalogue()
LEXICON = load_category_lexicon()
BASE = KnowledgeBase(load_knowledge_seed(datetime(2026, 12, 1, tzinfo=UTC)))


def test_a_gas_complaint_with_a_spoken_number_is_suggested_in_full() -> None:
    s = suggest("我要投诉，楼道里燃气泄漏好几天了没人管，我电话是幺三八 零零幺三 八零零零")
    assert s.urgency is Urgency.EXTRA_URGENT and s.urgency_reasons
    assert s.intent is CallerIntent.COMPLAINT and s.request_type is RequestType.COMPLAINT
    assert s.contact_number == "13800138000"
    assert "13800138000" in s.request_text


def test_a_plain_question_suggests_a_normal_consultation_without_contact() -> None:
    s = suggest("请问办理居住证需要什么材料？")
    assert s.urgency is Urgency.NORMAL and s.urgency_reasons == ()
    assert s.intent is CallerIntent.CONSULTATION and s.contact_number is None


def test_empty_words_suggest_nothing_in_particular() -> None:
    s = suggest("")
    assert (s.urgency, s.contact_number, s.request_text, s.intent_confidence) == (
        Urgency.NORMAL,
        None,
        "",
        0.0,
    )


def test_with_the_catalogue_the_category_and_the_place_are_suggested() -> None:
    words = "喂 你好 我 要 反映 王府井大街 三十五号 门口 的 路灯 不亮 好几天 了"
    s = suggest(words, CATALOGUE, LEXICON)
    assert s.category is not None and s.category.code == "0303" and "路灯" in s.category.terms[0]
    assert s.location is not None and s.location.area_code == "110101001000"
    assert s.location.phrase == "王府井大街35号门口"


def test_without_a_catalogue_there_is_no_category_or_place() -> None:
    s = suggest("王府井大街三十五号门口的路灯不亮")
    assert s.category is None and s.location is None


def test_a_consultation_gets_knowledge_answers_and_other_calls_none() -> None:
    asked = suggest("请问 公积金 怎么 提取 需要 什么 材料", CATALOGUE, LEXICON, BASE)
    assert asked.intent is CallerIntent.CONSULTATION
    assert asked.knowledge[0].article.id == "kb-housing-fund-withdraw" and len(asked.knowledge) <= 3
    told = suggest("我要投诉 公积金 中心 态度 很差", CATALOGUE, LEXICON, BASE)
    assert told.intent is CallerIntent.COMPLAINT and told.knowledge == ()


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("请问社保卡停水路灯王府井大街三十五号吉祥社区 ，")) | st.characters(),
        max_size=400,
    )
)
def test_suggesting_never_raises_on_any_words(words: str) -> None:
    s = suggest(words, CATALOGUE, LEXICON, BASE)
    assert len(s.knowledge) <= 3 and (s.category is None or s.category.terms)
