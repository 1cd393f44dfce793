"""Registering, dispatching and handling a ticket: 受理, 直接办结, 派单, 签收, 办理, 协办, 回单, 退单, 改派.

Each function applies one accepted command: it checks the command's own rules, records the facts on the
ticket and builds the event. The state and the version are set by ``lifecycle.transition``.
"""

from __future__ import annotations

from dataclasses import replace

from callcenter.core.actors import UnitId
from callcenter.core.errors import InvalidInput
from callcenter.ticketing.errors import ReasonRequired, ReassignToSameUnit, ReturnLimitReached
from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders import events as e
from callcenter.ticketing.orders.record import (
    Entry,
    ExtensionStatus,
    LifecyclePolicy,
    ReturnOutcome,
    ReturnRecord,
    TicketLifecycle,
)

Applied = tuple[TicketLifecycle, e.TicketEvent]


def require_text(text: str, field: str) -> str:
    """Replies, answers and notes are mandatory: blank text is refused."""
    if not text.strip():
        raise InvalidInput(f"{field} is required", field=field)
    return text.strip()


def require_reason(reason: str) -> str:
    """Returns, refusals and reopenings must say why (``reason_required``)."""
    if not reason.strip():
        raise ReasonRequired("a reason is required", field="reason")
    return reason.strip()


def acting_unit(audit: e.Audit) -> UnitId:
    """Unit actions are permitted to unit staff only, and unit staff are always bound to a unit."""
    assert audit.actor.unit is not None, "unit action by an actor without a unit"
    return audit.actor.unit


def entry(audit: e.Audit, text: str) -> Entry:
    return Entry(by=audit.actor.id, at=audit.at, text=text, unit=audit.actor.unit)


def register(t: TicketLifecycle, cmd: c.RegisterTicket, audit: e.Audit) -> Applied:
    citizen = t.citizen if cmd.citizen is None else cmd.citizen
    return replace(t, citizen=citizen, confidential=cmd.confidential), e.TicketRegistered(
        audit, cmd.confidential
    )


def resolve_on_call(t: TicketLifecycle, cmd: c.ResolveOnCall, audit: e.Audit) -> Applied:
    """直接办结 needs the answer given, so that the ticket never closes without a recorded result."""
    answer = require_text(cmd.answer, "answer")
    return replace(t, resolution=answer), e.TicketResolvedOnCall(audit, answer)


def check_units(lead: UnitId, assisting: tuple[UnitId, ...]) -> tuple[UnitId, ...]:
    """One lead unit; assisting units distinct, in the given order, and never the lead itself."""
    if not lead.strip():
        raise InvalidInput("a lead unit is required", field="lead_unit")
    if lead in assisting:
        raise InvalidInput("the lead unit cannot also assist", field="assisting_units", unit=lead)
    return tuple(dict.fromkeys(assisting))


def dispatch(t: TicketLifecycle, cmd: c.DispatchTicket, audit: e.Audit) -> Applied:
    assisting = check_units(cmd.lead_unit, cmd.assisting_units)
    changed = replace(t, lead_unit=cmd.lead_unit, assisting_units=assisting)
    return changed, e.TicketDispatched(audit, cmd.lead_unit, assisting)


def acknowledge(t: TicketLifecycle, cmd: c.AcknowledgeTicket, audit: e.Audit) -> Applied:
    return t, e.TicketAcknowledged(audit)


def start_handling(t: TicketLifecycle, cmd: c.StartHandling, audit: e.Audit) -> Applied:
    return t, e.HandlingStarted(audit)


def contribute(t: TicketLifecycle, cmd: c.RecordContribution, audit: e.Audit) -> Applied:
    """协办: any involved unit may record a contribution; only the lead's reply ends the handling."""
    text = require_text(cmd.text, "text")
    changed = replace(t, contributions=(*t.contributions, entry(audit, text)))
    return changed, e.ContributionRecorded(audit, acting_unit(audit), text)


def lapse_pending_extension(t: TicketLifecycle) -> TicketLifecycle:
    """An extension is for the handling in course: a reply or a return lapses an undecided request."""
    lapsed = tuple(
        replace(x, status=ExtensionStatus.LAPSED) if x.status is ExtensionStatus.PENDING else x
        for x in t.extensions
    )
    return replace(t, extensions=lapsed)


def reply(t: TicketLifecycle, cmd: c.ReplyTicket, audit: e.Audit) -> Applied:
    """回单 by the lead unit closes the handling; the reply text is mandatory."""
    text = require_text(cmd.text, "text")
    changed = replace(lapse_pending_extension(t), replies=(*t.replies, entry(audit, text)))
    return changed, e.TicketReplied(audit, acting_unit(audit), text)


def return_ticket(
    t: TicketLifecycle, cmd: c.ReturnTicket, audit: e.Audit, policy: LifecyclePolicy
) -> Applied:
    """退单 with a mandatory reason, at most ``policy.max_returns`` times per ticket (then 督办)."""
    reason = require_reason(cmd.reason)
    if t.return_count >= policy.max_returns:
        raise ReturnLimitReached(
            "return limit reached: escalate to supervision", returns=t.return_count, limit=policy.max_returns
        )
    unit = acting_unit(audit)
    record = ReturnRecord(unit, reason, audit.actor.id, audit.at, from_status=t.status)
    changed = replace(lapse_pending_extension(t), returns=(*t.returns, record))
    return changed, e.TicketReturned(audit, unit, reason, return_number=len(changed.returns))


def close_last_return(
    t: TicketLifecycle, outcome: ReturnOutcome, to: UnitId | None = None
) -> TicketLifecycle:
    last = replace(t.returns[-1], outcome=outcome, reassigned_to=to)
    return replace(t, returns=(*t.returns[:-1], last))


def reassign(t: TicketLifecycle, cmd: c.ReassignTicket, audit: e.Audit) -> Applied:
    """改派 to another unit: the returning unit is no longer involved unless named again as an assistant."""
    returned_by = t.returns[-1].unit
    if cmd.lead_unit == returned_by:
        raise ReassignToSameUnit("reassign to another unit, or reject the return", unit=cmd.lead_unit)
    assisting = check_units(cmd.lead_unit, cmd.assisting_units)
    changed = close_last_return(t, ReturnOutcome.REASSIGNED, cmd.lead_unit)
    changed = replace(changed, lead_unit=cmd.lead_unit, assisting_units=assisting)
    return changed, e.TicketDispatched(audit, cmd.lead_unit, assisting, reassigned_from=returned_by)


def reject_return(t: TicketLifecycle, cmd: c.RejectReturn, audit: e.Audit) -> Applied:
    """The return is refused: the same unit handles on, from the state it returned the ticket in."""
    reason = require_reason(cmd.reason)
    changed = close_last_return(t, ReturnOutcome.REJECTED)
    return changed, e.ReturnRejected(audit, t.returns[-1].unit, reason)
