"""What a draft suggests from the caller's words: urgency with reasons, intent, contact number, digits."""

from __future__ import annotations

from callcenter.ticketing.cues import CallerIntent
from callcenter.ticketing.deadlines import RequestType, Urgency
from callcenter.ticketing.suggestions import suggest


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
