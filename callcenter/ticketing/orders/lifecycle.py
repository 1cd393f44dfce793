"""The work-order (工单) life cycle as one pure state machine (HOUSE_STYLE principle 3; ADR 0008).

``TRANSITIONS`` says, for each action, from which state it is allowed and to which state it leads;
``PERMISSIONS`` says who may perform it. ``transition`` is the only way to change a ticket: it checks
access, looks the pair up, applies the command's own rules and returns the new ticket (version + 1)
with one event for the audit trail. No I/O and no clock: the caller passes the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final, assert_never

from callcenter.core.actors import HOTLINE_ROLES, Actor, Role
from callcenter.core.errors import ConcurrentUpdate, InvalidInput, InvalidTransition
from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders import extensions, followup, handling
from callcenter.ticketing.orders.access import Permission, authorize
from callcenter.ticketing.orders.events import Audit, TicketEvent
from callcenter.ticketing.orders.handling import Applied
from callcenter.ticketing.orders.record import DEFAULT_POLICY, LifecyclePolicy, TicketLifecycle
from callcenter.ticketing.states import Action, TicketStatus

__all__ = ["PERMISSIONS", "TRANSITIONS", "Restore", "TicketStatus", "check_version", "transition"]

S = TicketStatus
A = Action


class Restore(StrEnum):
    """A target that depends on the ticket's history rather than on the table alone."""

    BEFORE_RETURN = "before_return"  # rejecting a return puts the ticket back where the unit returned it


Target = TicketStatus | Restore
HANDLING: Final = (S.DISPATCHED, S.ACKNOWLEDGED, S.IN_PROGRESS)
REGISTERED_STATES: Final = tuple(s for s in S if s is not S.DRAFT)


def stay(action: Action, states: Iterable[TicketStatus]) -> dict[tuple[Action, TicketStatus], Target]:
    """Rows for an action that records something on the ticket without moving it."""
    return {(action, s): s for s in states}


TRANSITIONS: Final[Mapping[tuple[Action, TicketStatus], Target]] = MappingProxyType(
    {
        (A.REGISTER, S.DRAFT): S.REGISTERED,
        (A.RESOLVE_ON_CALL, S.REGISTERED): S.RESOLVED_ON_CALL,
        (A.DISPATCH, S.REGISTERED): S.DISPATCHED,
        (A.ACKNOWLEDGE, S.DISPATCHED): S.ACKNOWLEDGED,
        (A.START_HANDLING, S.ACKNOWLEDGED): S.IN_PROGRESS,
        **stay(A.CONTRIBUTE, HANDLING),
        (A.REPLY, S.IN_PROGRESS): S.REPLIED,
        (A.RETURN, S.DISPATCHED): S.RETURNED,
        (A.RETURN, S.ACKNOWLEDGED): S.RETURNED,
        (A.REASSIGN, S.RETURNED): S.DISPATCHED,
        (A.REJECT_RETURN, S.RETURNED): Restore.BEFORE_RETURN,
        **stay(A.REQUEST_EXTENSION, (S.ACKNOWLEDGED, S.IN_PROGRESS)),
        **stay(A.APPROVE_EXTENSION, (S.ACKNOWLEDGED, S.IN_PROGRESS)),
        **stay(A.REJECT_EXTENSION, (S.ACKNOWLEDGED, S.IN_PROGRESS)),
        (A.SCHEDULE_CALLBACK, S.REPLIED): S.CALLBACK_PENDING,
        (A.CALLBACK_SATISFIED, S.CALLBACK_PENDING): S.CLOSED,
        (A.CALLBACK_BASICALLY_SATISFIED, S.CALLBACK_PENDING): S.CLOSED,
        (A.CALLBACK_DISSATISFIED, S.CALLBACK_PENDING): S.DISPATCHED,
        (A.CALLBACK_UNREACHABLE, S.CALLBACK_PENDING): S.CALLBACK_PENDING,
        (A.CALLBACK_GIVEN_UP, S.CALLBACK_PENDING): S.CLOSED,
        # 回访 of an order concluded on the call (直接办结): it stays concluded, or goes back to dispatch
        **stay(A.CALLBACK_SATISFIED, (S.RESOLVED_ON_CALL,)),
        **stay(A.CALLBACK_BASICALLY_SATISFIED, (S.RESOLVED_ON_CALL,)),
        (A.CALLBACK_DISSATISFIED, S.RESOLVED_ON_CALL): S.REGISTERED,
        **stay(A.CALLBACK_UNREACHABLE, (S.RESOLVED_ON_CALL,)),
        **stay(A.CALLBACK_GIVEN_UP, (S.RESOLVED_ON_CALL,)),
        **stay(A.SURVEY_CALL, REGISTERED_STATES),
        (A.REOPEN, S.REPLIED): S.DISPATCHED,
        (A.REOPEN, S.CALLBACK_PENDING): S.DISPATCHED,
        (A.REOPEN, S.CLOSED): S.DISPATCHED,
        (A.REOPEN, S.RESOLVED_ON_CALL): S.REGISTERED,
        **stay(A.SUPERVISE, REGISTERED_STATES),
        **stay(A.REVIEW, REGISTERED_STATES),
        **stay(A.ASSESS, REGISTERED_STATES),
    }
)

_AGENT = frozenset({Role.AGENT, Role.ADMIN})
_DISPATCH = frozenset({Role.AGENT, Role.DISPATCHER, Role.ADMIN})
_DISPATCHER = frozenset({Role.DISPATCHER, Role.ADMIN})
_SUPERVISOR = frozenset({Role.SUPERVISOR, Role.ADMIN})
_LEAD_UNIT = Permission(frozenset({Role.UNIT_STAFF}), lead_only=True)
_CALLBACK = Permission(HOTLINE_ROLES)

PERMISSIONS: Final[Mapping[Action, Permission]] = MappingProxyType(
    {
        A.REGISTER: Permission(_AGENT),
        A.RESOLVE_ON_CALL: Permission(_AGENT),
        A.DISPATCH: Permission(_DISPATCH),
        A.ACKNOWLEDGE: _LEAD_UNIT,
        A.START_HANDLING: _LEAD_UNIT,
        A.CONTRIBUTE: Permission(frozenset({Role.UNIT_STAFF})),
        A.REPLY: _LEAD_UNIT,
        A.RETURN: _LEAD_UNIT,
        A.REASSIGN: Permission(_DISPATCHER),
        A.REJECT_RETURN: Permission(_DISPATCHER),
        A.REQUEST_EXTENSION: _LEAD_UNIT,
        A.APPROVE_EXTENSION: Permission(_SUPERVISOR),
        A.REJECT_EXTENSION: Permission(_SUPERVISOR),
        A.SCHEDULE_CALLBACK: _CALLBACK,
        A.CALLBACK_SATISFIED: _CALLBACK,
        A.CALLBACK_BASICALLY_SATISFIED: _CALLBACK,
        A.SURVEY_CALL: _CALLBACK,
        A.CALLBACK_DISSATISFIED: _CALLBACK,
        A.CALLBACK_UNREACHABLE: _CALLBACK,
        A.CALLBACK_GIVEN_UP: _CALLBACK,
        A.REOPEN: Permission(_SUPERVISOR),
        A.SUPERVISE: Permission(_SUPERVISOR),
        A.REVIEW: Permission(_SUPERVISOR),
        A.ASSESS: Permission(_SUPERVISOR),
    }
)


def check_version(ticket: TicketLifecycle, expected_version: int) -> None:
    """Optimistic concurrency: the caller edited ``expected_version``; anything else is a lost update."""
    if ticket.version != expected_version:
        raise ConcurrentUpdate(
            "the ticket was changed by someone else",
            ticket_id=ticket.id,
            expected=expected_version,
            actual=ticket.version,
        )


def action_of(ticket: TicketLifecycle, command: c.Command, policy: LifecyclePolicy) -> Action:
    """The table row a command uses; only a callback's row depends on its outcome and the attempts."""
    if isinstance(command, c.RecordCallback):
        return followup.callback_action(ticket, command, policy)
    return command.action


def target_of(ticket: TicketLifecycle, action: Action) -> TicketStatus:
    """Look the pair up in ``TRANSITIONS``; a pair not in the table is an ``InvalidTransition``."""
    target = TRANSITIONS.get((action, ticket.status))
    if target is None:
        raise InvalidTransition(
            f"cannot {action} a ticket that is {ticket.status}", action=action, status=ticket.status
        )
    if target is Restore.BEFORE_RETURN:
        return ticket.returns[-1].from_status
    return target


def transition(
    ticket: TicketLifecycle,
    command: c.Command,
    actor: Actor,
    at: datetime,
    policy: LifecyclePolicy = DEFAULT_POLICY,
) -> tuple[TicketLifecycle, TicketEvent]:
    """Apply ``command`` by ``actor`` at ``at``: the new ticket (version + 1) and its audit event.

    Raises, in this order: ``TicketNotVisible`` / ``RoleForbidden`` / ``NotLeadUnit`` (access),
    ``InvalidTransition`` (pair not in the table), then the command's own refusals.
    """
    if at.tzinfo is None:
        raise InvalidInput("the time of a transition must be timezone-aware", field="at")
    action = action_of(ticket, command, policy)
    authorize(PERMISSIONS[action], action, ticket, actor)
    target = target_of(ticket, action)
    audit = Audit(ticket.id, action, actor, at, ticket.status, target, ticket.version + 1)
    changed, event = apply(ticket, command, audit, policy)
    return replace(changed, status=target, version=audit.version), event


def apply(ticket: TicketLifecycle, command: c.Command, audit: Audit, policy: LifecyclePolicy) -> Applied:
    """Dispatch to the rule module of the command (a table in ``match`` form, checked exhaustive)."""
    match command:
        case c.RegisterTicket():
            return handling.register(ticket, command, audit)
        case c.ResolveOnCall():
            return handling.resolve_on_call(ticket, command, audit)
        case c.DispatchTicket():
            return handling.dispatch(ticket, command, audit)
        case c.AcknowledgeTicket():
            return handling.acknowledge(ticket, command, audit)
        case c.StartHandling():
            return handling.start_handling(ticket, command, audit)
        case c.RecordContribution():
            return handling.contribute(ticket, command, audit)
        case c.ReplyTicket():
            return handling.reply(ticket, command, audit)
        case c.ReturnTicket():
            return handling.return_ticket(ticket, command, audit, policy)
        case c.ReassignTicket():
            return handling.reassign(ticket, command, audit)
        case c.RejectReturn():
            return handling.reject_return(ticket, command, audit)
        case c.RequestExtension():
            return extensions.request(ticket, command, audit, policy)
        case c.ApproveExtension():
            return extensions.approve(ticket, command, audit, policy)
        case c.RejectExtension():
            return extensions.reject(ticket, command, audit)
        case c.ScheduleCallbackSurvey():
            return followup.schedule_callback(ticket, command, audit)
        case c.RecordCallback():
            return followup.record_callback(ticket, command, audit)
        case c.RecordSurveyCall():
            return followup.record_survey_call(ticket, command, audit)
        case c.ReopenTicket():
            return followup.reopen(ticket, command, audit)
        case c.SuperviseTicket() | c.ReviewTicket() | c.AssessTicket():
            return followup.annotate(ticket, command, audit)
        case _:
            assert_never(command)
