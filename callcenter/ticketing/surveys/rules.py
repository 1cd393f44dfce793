"""Which orders get a survey, and when a new survey is first due (pure: no I/O, no clock reads).

Source: the issue-14 policy (docs/surveys.md). An order is surveyed once per reply round when the lead
unit replies (回单) or the agent concludes it on the call (直接办结), if the policy selects it:

* the trigger is enabled (``on_reply`` / ``on_resolved_on_call``);
* its request type, category (by code prefix) and source are among those configured (empty: all);
* a confidential order (保密) and a citizen who declined callbacks (拒绝回访) go where the policy says:
  called anyway, to the manual 回访 list, or skipped; an order with no number to call goes to the manual
  list (the agent may know another way to reach the citizen), and so does one whose number the hotline's
  dial policy refuses (an international, toll-free, service or premium number: the same rules as the
  missed-call call-back, queue/missed_calls/dial_policy.py) — never dialled by the campaign.

The first call is due ``first_delay_minutes`` after the conclusion, at the next calling hours; a survey
whose first call would fall after its window is put on the manual list at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from callcenter.core.actors import UnitId
from callcenter.core.ids import TicketId
from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing.surveys.model import Survey, SurveyState, SurveyTrigger
from callcenter.ticketing.surveys.policy import Routing, SurveyPolicy, next_calling_time, window_end


@dataclass(frozen=True, slots=True)
class SurveyOrder:
    """What the survey needs of a work order at the moment it concluded (read by the service)."""

    ticket_id: TicketId
    round: int  # replies so far (0: concluded on the call)
    trigger: SurveyTrigger
    concluded_at: datetime
    unit: UnitId | None
    request_type: str | None
    category_code: str | None
    source: str
    confidential: bool
    has_number: bool
    declined: bool
    dial_refusal: str = ""  # the dial policy's reason when the number may not be dialled automatically


class SurveyNote(StrEnum):
    """Why a survey is skipped, manual or cancelled, kept in ``Survey.note`` (shown through labels)."""

    DISABLED = "disabled"
    TRIGGER_OFF = "trigger_off"
    NOT_SELECTED = "not_selected"  # request type, category or source not in the policy
    CONFIDENTIAL = "confidential"
    DECLINED = "declined"
    NO_NUMBER = "no_number"
    NOT_CALLABLE = "not_callable"  # the dial policy refuses the number
    WINDOW_PASSED = "window_passed"
    ATTEMPTS_USED = "attempts_used"
    NUMBER_FAILED = "number_failed"
    ORDER_MOVED = "order_moved"


def routing(order: SurveyOrder, policy: SurveyPolicy) -> tuple[Routing, str]:
    """Called, on the manual list, or skipped — and the reason when not called."""
    if not policy.enabled:
        return Routing.SKIP, SurveyNote.DISABLED
    trigger_on = policy.on_reply if order.trigger is SurveyTrigger.REPLIED else policy.on_resolved_on_call
    if not trigger_on:
        return Routing.SKIP, SurveyNote.TRIGGER_OFF
    if not selected(order, policy):
        return Routing.SKIP, SurveyNote.NOT_SELECTED
    for flag, route, reason in (
        (order.declined, policy.declined, SurveyNote.DECLINED),
        (order.confidential, policy.confidential, SurveyNote.CONFIDENTIAL),
    ):
        if flag and route is not Routing.CALL:
            return route, reason
    if not order.has_number:
        return Routing.MANUAL, SurveyNote.NO_NUMBER
    if order.dial_refusal:
        return Routing.MANUAL, SurveyNote.NOT_CALLABLE
    return Routing.CALL, ""


def selected(order: SurveyOrder, policy: SurveyPolicy) -> bool:
    if policy.request_types and (order.request_type or "") not in policy.request_types:
        return False
    code = order.category_code or ""
    if policy.category_prefixes and not any(code.startswith(p) for p in policy.category_prefixes):
        return False
    return not policy.sources or order.source in policy.sources


STATE_OF = {
    Routing.CALL: SurveyState.PENDING,
    Routing.MANUAL: SurveyState.MANUAL,
    Routing.SKIP: SurveyState.SKIPPED,
}


def new_survey(
    order: SurveyOrder, policy: SurveyPolicy, calendar: WorkCalendar, now: datetime, prompt: str = ""
) -> Survey:
    """The survey of ``order``'s reply round: pending with its first due time, or manual / skipped."""
    route, reason = routing(order, policy)
    ends = window_end(order.concluded_at, policy, calendar)
    due = None
    if route is Routing.CALL:
        earliest = max(order.concluded_at + timedelta(minutes=policy.first_delay_minutes), now)
        due = next_calling_time(earliest, policy, calendar)
        if due >= ends:
            route, reason, due = Routing.MANUAL, SurveyNote.WINDOW_PASSED, None
    return Survey(
        id=None,
        ticket_id=order.ticket_id,
        round=order.round,
        trigger=order.trigger,
        unit=order.unit,
        concluded_at=order.concluded_at,
        created_at=now,
        updated_at=now,
        state=STATE_OF[route],
        window_end=ends,
        max_attempts=policy.max_attempts,
        next_attempt_at=due,
        note=reason,
        prompt=prompt if route is Routing.CALL else "",
    )
