"""Which deadlines an accepted life-cycle event sets (ADR 0007 for the counting rule itself).

- 派单, 改派, 重办 (and a dissatisfied callback, which reopens) start a handling period: the handling limit
  counts from that moment, and the unit must contact the citizen within the contact limit.
- An approved extension (延期) moves the due time by working days from the current due day.
- A rejected return (退单驳回) keeps the running deadline: returning a ticket does not stop the clock.
- 办结 and 直接办结 set the closing time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing.deadlines import (
    Deadline,
    DeadlineRules,
    contact_deadline,
    deadline_for,
    extend,
    warning_at,
)
from callcenter.ticketing.orders import events as e
from callcenter.ticketing.orders.workorder import Schedule, WorkOrder
from callcenter.ticketing.states import TicketStatus

FINISHED = (TicketStatus.CLOSED, TicketStatus.RESOLVED_ON_CALL)
REOPENED = (TicketStatus.DISPATCHED, TicketStatus.REGISTERED)  # a dissatisfied callback (不满意 → 重办)


def reschedule(
    order: WorkOrder, event: e.TicketEvent, calendar: WorkCalendar, rules: DeadlineRules
) -> Schedule:
    """The order's schedule after ``event`` (``order`` is the order before it)."""
    s, at = order.schedule, event.audit.at
    match event:
        case e.TicketRegistered():
            return replace(s, registered_at=at)
        case e.TicketDispatched() | e.TicketReopened():
            return start_handling_period(order, at, calendar, rules)
        case e.CallbackRecorded() if event.audit.to_status in REOPENED:
            return start_handling_period(order, at, calendar, rules)
        case e.ExtensionDecided() if event.approved_days > 0 and s.due_at is not None:
            return extended(order, event.approved_days, calendar, rules)
    if event.audit.to_status in FINISHED and event.audit.from_status not in FINISHED:
        return replace(s, closed_at=at)
    return s


def start_handling_period(
    order: WorkOrder, at: datetime, calendar: WorkCalendar, rules: DeadlineRules
) -> Schedule:
    c = order.classification
    deadline = deadline_for(at, c.urgency, c.request_type, calendar, rules)
    return replace(
        order.schedule,
        dispatched_at=at,
        closed_at=None,
        due_at=deadline.due_at,
        provisional=deadline.provisional,
        warn_at=warning_at(deadline, at, calendar, rules),
        contact_due_at=contact_deadline(at, rules).due_at,
    )


def extended(order: WorkOrder, days: int, calendar: WorkCalendar, rules: DeadlineRules) -> Schedule:
    """Extension days already approved before this one count against the total (``extend`` checks it)."""
    s = order.schedule
    assert s.due_at is not None and s.dispatched_at is not None
    before = order.life.approved_extension_days
    deadline = extend(Deadline(s.due_at, s.provisional), days, calendar, rules, already_extended=before)
    return replace(
        s,
        due_at=deadline.due_at,
        provisional=deadline.provisional,
        warn_at=warning_at(deadline, s.dispatched_at, calendar, rules),
    )
