"""A matter (并单) handled once (rules: ``replies``): the lead unit's 回单 concludes every open order of the
matter, and a 重办 of one of them reopens them all.

Each use case is load → pure rule → save (version-checked, one order per transaction, through the work
orders' own life cycle) → notify. The order the unit answered is saved first and as usual (its version is
the caller's); the other orders of the matter follow at their current versions, each in its own
transaction: one that changed meanwhile or that a rule refuses is reported, and the rest still go on.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from callcenter.core.actors import Actor
from callcenter.core.errors import DomainError, InvalidTransition, NotFound
from callcenter.core.ids import TicketId
from callcenter.ticketing.matters.duplicates import MatterId
from callcenter.ticketing.matters.model import MatterNotFound
from callcenter.ticketing.matters.ports import MatterIndex
from callcenter.ticketing.matters.replies import (
    MATTER_ACTOR,
    MatterOutcome,
    Refused,
    reopen_step,
    reopens_matter,
    reply_steps,
)
from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders.events import TicketEvent
from callcenter.ticketing.orders.handling import require_text
from callcenter.ticketing.orders.service import WorkOrders
from callcenter.ticketing.orders.workorder import WorkOrder

log = logging.getLogger(__name__)


class NothingToReply(InvalidTransition):
    """No order of the matter can take the unit's reply now (each one's reason is in the details)."""

    code = "matter_nothing_to_reply"


@dataclass(frozen=True, slots=True)
class MatterReplied:
    """The order the unit answered, as saved, and what the reply did to the matter's other orders."""

    order: WorkOrder
    outcome: MatterOutcome


class MatterAnswers:
    def __init__(self, orders: WorkOrders, index: MatterIndex) -> None:
        self._orders = orders
        self._index = index

    async def reply(
        self, ticket_id: TicketId, expected_version: int, reply: c.ReplyTicket, actor: Actor
    ) -> MatterReplied:
        """回单 on one order; in a matter, the same reply concludes the matter's other open orders."""
        order = await self._orders.act(ticket_id, expected_version, reply, actor)
        if order.matter_id is None:
            return MatterReplied(order, MatterOutcome(None, (ticket_id,)))
        others = await self._reply_all(MatterId(order.matter_id), reply, actor, skip=ticket_id)
        return MatterReplied(order, replace(others, done=(ticket_id, *others.done)))

    async def reply_matter(self, matter_id: MatterId, reply: c.ReplyTicket, actor: Actor) -> MatterOutcome:
        """回单 on the matter itself: every open order of it that the unit leads. ``MatterNotFound`` when the
        unit leads none of its orders; ``NothingToReply`` when none of them can take a reply now."""
        require_text(reply.text, "text")
        outcome = await self._reply_all(matter_id, reply, actor, skip=None)
        if not outcome.done and all(r.code == "not_lead_unit" for r in outcome.refused):
            raise MatterNotFound("no such matter", matter_id=matter_id)
        if not outcome.done:
            refused = [{"ticket_id": r.ticket_id, "code": r.code} for r in outcome.refused]
            raise NothingToReply("no order of the matter can take a reply now", refused=refused)
        return outcome

    async def preview(self, ticket_id: TicketId, actor: Actor) -> MatterOutcome:
        """What a reply to this order would conclude now (the order itself included), nothing saved."""
        order = await self._orders.get(ticket_id, actor)
        if order.matter_id is None:
            return MatterOutcome(None, (ticket_id,))
        done: list[TicketId] = []
        refused: list[Refused] = []
        for member in await self._index.tickets_of(MatterId(order.matter_id)):
            try:
                other = (
                    order
                    if member.ticket_id == ticket_id
                    else await self._orders.get(member.ticket_id, actor)
                )
            except NotFound:
                refused.append(Refused(member.ticket_id, None, "not_lead_unit"))
                continue
            steps = reply_steps(other, actor, c.ReplyTicket("-"))
            if isinstance(steps, Refused):
                refused.append(steps)
            else:
                done.append(other.life.id)
        return MatterOutcome(order.matter_id, tuple(done), tuple(refused))

    async def on_saved(self, before: WorkOrder, after: WorkOrder, events: Sequence[TicketEvent]) -> None:
        """After a 重办 of an order of a matter (不满意 at the 回访, or a supervisor's): the matter's other
        concluded orders are reopened to their lead units, the reason naming this order."""
        for event in events:
            if after.matter_id is not None and reopens_matter(event):
                await self._reopen_matter_of(after, event)

    async def _reopen_matter_of(self, after: WorkOrder, event: TicketEvent) -> None:
        assert after.matter_id is not None
        outcome = await self._reopen_all(MatterId(after.matter_id), event)
        log.info(
            "ticket %s reopened: matter %s reopened %s; not reopened %s",
            after.life.id,
            outcome.matter_id,
            list(outcome.done),
            [(r.ticket_id, r.code) for r in outcome.refused],
        )

    async def _reply_all(
        self, matter_id: MatterId, reply: c.ReplyTicket, actor: Actor, skip: TicketId | None
    ) -> MatterOutcome:
        done: list[TicketId] = []
        refused: list[Refused] = []
        for member in await self._index.tickets_of(matter_id):
            if member.ticket_id == skip:
                continue
            try:
                order = await self._orders.get(member.ticket_id, actor)
            except NotFound:  # another unit's order: not this unit's to answer
                refused.append(Refused(member.ticket_id, None, "not_lead_unit"))
                continue
            steps = reply_steps(order, actor, reply)
            if isinstance(steps, Refused):
                refused.append(steps)
                continue
            failed = await self._apply(order, steps, actor)
            if failed is None:
                done.append(order.life.id)
            else:
                refused.append(failed)
        log.info("matter %s replied by %s: %s; not replied %s", matter_id, actor.id, done, refused)
        return MatterOutcome(matter_id, tuple(done), tuple(refused))

    async def _reopen_all(self, matter_id: MatterId, source: TicketEvent) -> MatterOutcome:
        done: list[TicketId] = []
        refused: list[Refused] = []
        for member in await self._index.tickets_of(matter_id):
            if member.ticket_id == source.audit.ticket_id:
                continue
            order = await self._orders.get(member.ticket_id, MATTER_ACTOR)
            step = reopen_step(order, source)
            if isinstance(step, Refused):
                refused.append(step)
                continue
            failed = await self._apply(order, (step,), MATTER_ACTOR)
            if failed is None:
                done.append(order.life.id)
            else:
                refused.append(failed)
        return MatterOutcome(matter_id, tuple(done), tuple(refused))

    async def _apply(self, order: WorkOrder, steps: tuple[c.Command, ...], actor: Actor) -> Refused | None:
        """The steps on one order at the version just loaded; a refusal (or a change meanwhile) reported."""
        try:
            await self._orders.act_all(order.life.id, order.version, steps, actor)
        except DomainError as err:
            return Refused(order.life.id, order.life.status, err.code)
        return None
