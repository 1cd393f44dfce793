"""A matter handled once (并单, ADR 0010): which commands conclude each order with the unit's one reply, or
why not; which 重办 reopens the matter, and the reason each other order is reopened with. Pure rules."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.ids import TicketId
from callcenter.ticketing.matters.replies import (
    MATTER_ACTOR,
    Refused,
    reopen_step,
    reopens_matter,
    reply_steps,
)
from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders import events as e
from callcenter.ticketing.orders.model import Ticket
from callcenter.ticketing.orders.record import CallbackOutcome, TicketLifecycle
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.states import Action, TicketStatus

S = TicketStatus
AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
LEAD = UnitId("jianguomen")
UNIT = Actor(StaffId("unit-a"), Role.UNIT_STAFF, LEAD)
AGENT = Actor(StaffId("agent1"), Role.AGENT)
REPLY = c.ReplyTicket("已修复")


def order(status: TicketStatus, lead: UnitId | None = LEAD, ticket_id: int = 3) -> WorkOrder:
    ticket = Ticket(None, "13800138000", "路灯坏了", "路灯坏了三天", AT, AT)
    return WorkOrder(
        ticket, TicketLifecycle(TicketId(ticket_id), status, version=4, lead_unit=lead), matter_id=1
    )


@pytest.mark.parametrize(
    ("status", "chain"),
    [
        (S.IN_PROGRESS, (REPLY,)),
        (S.ACKNOWLEDGED, (c.StartHandling(), REPLY)),
        (S.DISPATCHED, (c.AcknowledgeTicket(), c.StartHandling(), REPLY)),
    ],
)
def test_an_order_in_the_units_hands_is_concluded_with_the_same_reply(
    status: TicketStatus, chain: tuple[c.Command, ...]
) -> None:
    assert reply_steps(order(status), UNIT, REPLY) == chain


@pytest.mark.parametrize(
    "status", [S.REGISTERED, S.RETURNED, S.REPLIED, S.CALLBACK_PENDING, S.CLOSED, S.RESOLVED_ON_CALL]
)
def test_an_order_out_of_handling_is_reported(status: TicketStatus) -> None:
    assert reply_steps(order(status), UNIT, REPLY) == Refused(TicketId(3), status, "not_in_handling")


@pytest.mark.parametrize("lead", [UnitId("chaoyangmen"), None])
def test_another_units_order_is_reported(lead: UnitId | None) -> None:
    refused = Refused(TicketId(3), S.IN_PROGRESS, "not_lead_unit")
    assert reply_steps(order(S.IN_PROGRESS, lead), UNIT, REPLY) == refused
    assert reply_steps(order(S.IN_PROGRESS), AGENT, REPLY) == refused


def audit(action: Action, actor: Actor = AGENT, to: TicketStatus = S.DISPATCHED) -> e.Audit:
    return e.Audit(TicketId(9), action, actor, AT, S.CALLBACK_PENDING, to, 8)


DISSATISFIED = e.CallbackRecorded(
    audit(Action.CALLBACK_DISSATISFIED), CallbackOutcome.DISSATISFIED, 1, "还是不亮"
)


@pytest.mark.parametrize(
    ("event", "reopens"),
    [
        (DISSATISFIED, True),
        (e.TicketReopened(audit(Action.REOPEN, Actor(StaffId("sup"), Role.SUPERVISOR)), "复查未修好"), True),
        (e.TicketReopened(audit(Action.REOPEN, MATTER_ACTOR), "并单重办"), False),  # the rule's own
        (
            e.CallbackRecorded(
                audit(Action.CALLBACK_SATISFIED, to=S.CLOSED), CallbackOutcome.SATISFIED, 1, ""
            ),
            False,
        ),
        (
            e.CallbackRecorded(
                audit(Action.CALLBACK_UNREACHABLE, to=S.CALLBACK_PENDING), CallbackOutcome.UNREACHABLE, 1, ""
            ),
            False,
        ),
    ],
    ids=["dissatisfied", "a supervisor's 重办", "its own reopening", "satisfied", "unreachable"],
)
def test_which_events_reopen_the_matter(event: e.TicketEvent, reopens: bool) -> None:
    assert reopens_matter(event) is reopens


@pytest.mark.parametrize("status", [S.REPLIED, S.CALLBACK_PENDING, S.CLOSED])
def test_concluded_orders_are_reopened_naming_the_citizens_order(status: TicketStatus) -> None:
    step = reopen_step(order(status), DISSATISFIED)
    assert isinstance(step, c.ReopenTicket)
    assert step.reason == "并单重办：同一诉求的工单 #9 回访不满意（agent1）：还是不亮"


@pytest.mark.parametrize("status", [S.DISPATCHED, S.IN_PROGRESS, S.RETURNED, S.RESOLVED_ON_CALL])
def test_orders_not_concluded_are_reported(status: TicketStatus) -> None:
    assert reopen_step(order(status), DISSATISFIED) == Refused(TicketId(3), status, "not_concluded")
