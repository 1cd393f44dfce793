"""A matter (并单) is handled once: one reply (回单) concludes every open order of it, and a 重办 of one of
them — a citizen's 不满意 at the 回访, or a supervisor's — reopens them all. Pure rules (ADR 0010).

Each order keeps its own life cycle: the reply is applied to every order through the ordinary transitions,
so each gets its own reply entry and audit event with the unit's staff member as actor, and each citizen
gets their own 回访 on their own order. An order still waiting in the unit's inbox (派单, 签收) is 签收ed and
taken into handling in the same step: the unit answered the matter, which covers it. An order the reply
cannot conclude (another unit leads it, it was returned, it is already replied or closed) is reported with
the reason, never skipped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from callcenter.core.actors import Actor, Role, StaffId
from callcenter.core.ids import TicketId
from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders import events as e
from callcenter.ticketing.orders.events import TicketEvent
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.states import Action, TicketStatus

S = TicketStatus

# The platform applying the 并单 rule (a 重办 needs a supervisor's permission in the life cycle). The
# reason of each reopening names the order and the person whose 重办 it follows.
MATTER_ACTOR: Final = Actor(StaffId("system:matter"), Role.SUPERVISOR)

REPLY_CHAINS: Final[dict[TicketStatus, tuple[c.Command, ...]]] = {
    S.DISPATCHED: (c.AcknowledgeTicket(), c.StartHandling()),
    S.ACKNOWLEDGED: (c.StartHandling(),),
    S.IN_PROGRESS: (),
}
REOPENABLE: Final = frozenset({S.REPLIED, S.CALLBACK_PENDING, S.CLOSED})
REOPENS_MATTER: Final = frozenset({Action.CALLBACK_DISSATISFIED, Action.REOPEN})


@dataclass(frozen=True, slots=True)
class Refused:
    """An order of the matter the step does not reach, and why (a stable code, as the error tree's)."""

    ticket_id: TicketId
    status: TicketStatus | None  # None: an order the actor may not see (another unit's)
    code: str


@dataclass(frozen=True, slots=True)
class MatterOutcome:
    """What one step did to a matter's orders: those it reached, those it could not, and why."""

    matter_id: int | None
    done: tuple[TicketId, ...] = ()
    refused: tuple[Refused, ...] = ()


def reply_steps(order: WorkOrder, actor: Actor, reply: c.ReplyTicket) -> tuple[c.Command, ...] | Refused:
    """The commands that conclude ``order`` with the unit's ``reply``, or why it cannot take it."""
    life = order.life
    if actor.unit is None or life.lead_unit != actor.unit:
        return Refused(life.id, life.status, "not_lead_unit")
    chain = REPLY_CHAINS.get(life.status)
    if chain is None:
        return Refused(life.id, life.status, "not_in_handling")
    return (*chain, reply)


def reopens_matter(event: TicketEvent) -> bool:
    """A 重办 of an order (不满意 at the 回访, or a supervisor's) — not one this rule made itself."""
    audit = event.audit
    return audit.action in REOPENS_MATTER and audit.to_status is S.DISPATCHED and audit.actor != MATTER_ACTOR


def reopen_step(order: WorkOrder, source: TicketEvent) -> c.ReopenTicket | Refused:
    """重办 of another order of the matter, to its own lead unit, the reason naming the order it follows."""
    life = order.life
    if life.status not in REOPENABLE:
        return Refused(life.id, life.status, "not_concluded")
    why = "回访不满意" if source.audit.action is Action.CALLBACK_DISSATISFIED else "重办"
    reason = f"并单重办：同一诉求的工单 #{source.audit.ticket_id} {why}（{source.audit.actor.id}）"
    note = source.note if isinstance(source, e.CallbackRecorded) else ""
    note = source.reason if isinstance(source, e.TicketReopened) else note
    return c.ReopenTicket(f"{reason}：{note}" if note else reason)
