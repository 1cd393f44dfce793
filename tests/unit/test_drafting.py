"""Drafting a work order from a transcript: summary, request text, failure flags."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime

from callcenter.asr.model import Segment, Speaker, Transcript
from callcenter.calls.model import CallRecord
from callcenter.core.ids import CallId
from callcenter.ticketing.orders.drafting import (
    NO_CALLER_SPEECH,
    SUMMARY_MAX_CHARS,
    draft_from_failure,
    draft_from_transcript,
    summarise,
)
from callcenter.ticketing.orders.model import Ticket
from callcenter.ticketing.orders.record import FIRST_VERSION, TicketLifecycle, new_lifecycle
from callcenter.ticketing.states import TicketStatus

T = datetime(2026, 11, 24, tzinfo=UTC)
CALL = CallRecord(CallId("1.1"), "13800138000", "PJSIP/pstn-1", T)


def transcript(*parts: tuple[Speaker, str]) -> Transcript:
    segs = tuple(Segment(sp, i, i + 1, text) for i, (sp, text) in enumerate(parts))
    return Transcript("whisper", "zh", 10.0, segs)


def test_draft_takes_the_callers_words_only() -> None:
    t = transcript(
        (Speaker.AGENT, "您好，12345"), (Speaker.CALLER, "我家楼下路灯坏了。"), (Speaker.AGENT, "好的")
    )
    ticket = draft_from_transcript(CALL, t, T)
    assert ticket.request_text == "我家楼下路灯坏了。"
    assert ticket.summary == "我家楼下路灯坏了。"
    start = new_lifecycle()  # the drafted content has no status: its life cycle starts as a draft
    assert (start.status, start.version) == (TicketStatus.DRAFT, FIRST_VERSION)
    assert ticket.caller_number == "13800138000" and ticket.call_id == CALL.call_id
    assert ticket.failure_reason is None


def test_silent_caller_gives_a_flagged_draft() -> None:
    ticket = draft_from_transcript(CALL, transcript((Speaker.AGENT, "您好")), T)
    assert ticket.failure_reason == NO_CALLER_SPEECH and ticket.request_text == ""


def test_summary_keeps_whole_sentences_within_the_limit() -> None:
    text = "小区门口的路灯坏了三天了。" * 3 + "晚上出行很不方便，希望尽快修好。"
    summary = summarise(text)
    assert len(summary) <= SUMMARY_MAX_CHARS
    assert summary.endswith("。") and text.startswith(summary)


def test_summary_of_one_long_sentence_is_cut_with_ellipsis() -> None:
    summary = summarise("路" * 200)
    assert len(summary) == SUMMARY_MAX_CHARS and summary.endswith("…")


def test_failure_draft_keeps_caller_and_reason() -> None:
    ticket = draft_from_failure(CALL, "unreadable", T)
    assert ticket.failure_reason == "unreadable" and ticket.caller_number == "13800138000"


def test_the_life_cycle_record_alone_holds_id_status_and_version() -> None:
    owned = {"id", "status", "version"}
    assert owned <= {f.name for f in fields(TicketLifecycle)}
    assert owned.isdisjoint(f.name for f in fields(Ticket))
