"""What the draft suggests to the agent who registers it (草稿建议), read from the caller's words.

Pure and computed when the draft is read, so nothing is stored that the agent has not confirmed: the
urgency grade with its reasons, the caller's intent (咨询/求助/投诉/举报/建议) and the work order's request
type where it has one, the contact number said on the call, and the request text with spoken numbers as
digits. The agent accepts or overrides each in the registration form.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.ticketing.cues import CallerIntent, order_type_from_text, request_type_of, urgency_from_text
from callcenter.ticketing.deadlines import RequestType, Urgency
from callcenter.ticketing.spoken_numbers import digits_from_speech, spoken_contact_number


@dataclass(frozen=True, slots=True)
class DraftSuggestions:
    urgency: Urgency
    urgency_reasons: tuple[str, ...]
    intent: CallerIntent
    intent_confidence: float
    request_type: RequestType | None  # None: the category's default type applies
    contact_number: str | None
    request_text: str  # the caller's words with spoken numbers as digits


def suggest(request_text: str) -> DraftSuggestions:
    urgency, reasons = urgency_from_text(request_text)
    intent, confidence = order_type_from_text(request_text)
    return DraftSuggestions(
        urgency=urgency,
        urgency_reasons=reasons,
        intent=intent,
        intent_confidence=round(confidence, 2),
        request_type=request_type_of(intent),
        contact_number=spoken_contact_number(request_text),
        request_text=digits_from_speech(request_text),
    )
