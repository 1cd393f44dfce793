"""Drafting a work order from a call (工单草稿): pure rules, no I/O.

The draft carries the citizen's side of the transcript as the request text and a first summary;
the agent confirms or edits it. A call whose audio could not be transcribed still gets a draft,
flagged with the reason, so that no citizen's matter is lost; one whose caller side decoded but is damaged
(e.g. clipped) keeps its text and carries the warning in the same field (转写提示).
"""

from __future__ import annotations

import re
from datetime import datetime

from callcenter.asr.model import Speaker, Transcript
from callcenter.calls.model import CallRecord
from callcenter.ticketing.orders.model import Ticket
from callcenter.ticketing.privacy.personal_numbers import mask_numbers

SUMMARY_MAX_CHARS = 60
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")
NO_CALLER_SPEECH = "no_caller_speech"


def summarise(text: str, limit: int = SUMMARY_MAX_CHARS) -> str:
    """First whole sentences of the citizen's words up to ``limit`` characters; cut with … otherwise.

    The summary is a display field (order lists, the unit inbox's cards): it never copies a
    phone, ID or bank-card number — they are masked (139****5678) before it is cut (personal_numbers).
    """
    text = mask_numbers(" ".join(text.split()))
    if len(text) <= limit:
        return text
    summary = ""
    for sentence in _SENTENCE_END.split(text):
        if len(summary) + len(sentence) > limit:
            break
        summary += sentence
    return summary or text[: limit - 1] + "…"


def draft_from_transcript(call: CallRecord, transcript: Transcript, at: datetime) -> Ticket:
    """The drafted content; its life cycle starts where every order's does (``record.new_lifecycle``)."""
    request = transcript.text_of(Speaker.CALLER).strip()
    return Ticket(
        call_id=call.call_id,
        caller_number=call.caller_number,
        summary=summarise(request),
        request_text=request,
        created_at=at,
        updated_at=at,
        failure_reason=transcript.caller_warning if request else NO_CALLER_SPEECH,
    )


def draft_from_failure(call: CallRecord, reason: str, at: datetime) -> Ticket:
    """A draft for a call whose recording could not be transcribed: the agent fills it in by hand."""
    return Ticket(
        call_id=call.call_id,
        caller_number=call.caller_number,
        summary="",
        request_text="",
        created_at=at,
        updated_at=at,
        failure_reason=reason,
    )
