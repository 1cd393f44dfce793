"""Extensions of the handling time (延期): requested by the lead unit, decided by a supervisor.

Only working days are recorded here; turning them into a deadline is the deadlines module's job, so the
life cycle stays independent of the work calendar.
"""

from __future__ import annotations

from dataclasses import replace

from callcenter.core.errors import InvalidInput
from callcenter.ticketing.errors import ExtensionLimitExceeded, ExtensionPending, NoPendingExtension
from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders import events as e
from callcenter.ticketing.orders.handling import Applied, require_reason
from callcenter.ticketing.orders.record import (
    ExtensionRequest,
    ExtensionStatus,
    LifecyclePolicy,
    TicketLifecycle,
)


def check_within_limit(t: TicketLifecycle, days: int, policy: LifecyclePolicy) -> None:
    """Days approved so far plus ``days`` may not exceed ``policy.max_extension_days``."""
    if days < 1:
        raise InvalidInput("an extension is at least one working day", field="working_days")
    if t.approved_extension_days + days > policy.max_extension_days:
        raise ExtensionLimitExceeded(
            "extension limit exceeded",
            approved=t.approved_extension_days,
            requested=days,
            limit=policy.max_extension_days,
        )


def request(t: TicketLifecycle, cmd: c.RequestExtension, audit: e.Audit, policy: LifecyclePolicy) -> Applied:
    """One request at a time, with a reason, within the total limit."""
    if t.pending_extension is not None:
        raise ExtensionPending("an extension request is already pending")
    reason = require_reason(cmd.reason)
    check_within_limit(t, cmd.working_days, policy)
    asked = ExtensionRequest(cmd.working_days, reason, audit.actor.id, audit.at)
    changed = replace(t, extensions=(*t.extensions, asked))
    return changed, e.ExtensionRequested(audit, cmd.working_days, reason)


def decide(t: TicketLifecycle, status: ExtensionStatus, days: int) -> TicketLifecycle:
    """Settle the pending request (the caller made sure there is one)."""
    settled = tuple(
        replace(x, status=status, approved_days=days) if x.status is ExtensionStatus.PENDING else x
        for x in t.extensions
    )
    return replace(t, extensions=settled)


def pending(t: TicketLifecycle) -> ExtensionRequest:
    if (asked := t.pending_extension) is None:
        raise NoPendingExtension("no extension request is pending")
    return asked


def approve(t: TicketLifecycle, cmd: c.ApproveExtension, audit: e.Audit, policy: LifecyclePolicy) -> Applied:
    """The supervisor grants the days requested, or fewer; never more."""
    asked = pending(t)
    days = asked.working_days if cmd.working_days is None else cmd.working_days
    if days > asked.working_days:
        raise InvalidInput("cannot approve more days than requested", field="working_days")
    check_within_limit(t, days, policy)
    return decide(t, ExtensionStatus.APPROVED, days), e.ExtensionDecided(audit, days)


def reject(t: TicketLifecycle, cmd: c.RejectExtension, audit: e.Audit) -> Applied:
    pending(t)
    reason = require_reason(cmd.reason)
    return decide(t, ExtensionStatus.REJECTED, 0), e.ExtensionDecided(audit, 0, reason)
