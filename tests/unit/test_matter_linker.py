"""Registration's 并单 match (``MatterLinker``) with an in-memory index, a fake of our own port that links by
the same pure rule as the database (``linking.plan_link``): an order linked before its own match looks
outside its matter; an open matter is joined, with the lone best match brought in; a link another process
made meanwhile is matched again; every link that must escalate does."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from callcenter.core.actors import Actor, Role, StaffId
from callcenter.core.clock import FixedClock
from callcenter.core.ids import TicketId
from callcenter.ticketing.matters.duplicates import (
    DuplicateRules,
    MatterId,
    MatterMatch,
    OpenOrder,
    count_callers,
    should_escalate,
)
from callcenter.ticketing.matters.linking import LinkStep, Placed, plan_link
from callcenter.ticketing.matters.merging import MatterLinker
from callcenter.ticketing.matters.model import AUTO, MatterLinked
from callcenter.ticketing.orders.model import Ticket
from callcenter.ticketing.orders.record import TicketLifecycle
from callcenter.ticketing.orders.workorder import Classification, WorkOrder
from callcenter.ticketing.supervision.rules import Supervision

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
WATER = "阳光花园小区从早上开始停水了，到现在还没来水"
RULES = DuplicateRules(escalate_at_callers=3)
AGENT = Actor(StaffId("agent1"), Role.AGENT)


@dataclass
class MemoryIndex:
    """The ``MatterIndex`` port in memory; ``meanwhile`` runs once before the next link (another process)."""

    orders: dict[TicketId, OpenOrder] = field(default_factory=dict)
    escalated: set[MatterId] = field(default_factory=set)
    next_id: int = 1
    links: list[tuple[TicketId, TicketId]] = field(default_factory=list)
    meanwhile: list[tuple[TicketId, TicketId]] = field(default_factory=list)

    def add(self, n: int, text: str = WATER, matter: int | None = None) -> TicketId:
        m = None if matter is None else MatterId(matter)
        self.orders[TicketId(n)] = OpenOrder(TicketId(n), m, text, "110105", "0301", f"1380000{n:04d}", AT)
        return TicketId(n)

    async def matter_of(self, ticket_id: TicketId) -> MatterId | None:
        return self.orders[ticket_id].matter_id

    async def candidates(self, new: OpenOrder, rules: DuplicateRules, limit: int) -> list[OpenOrder]:
        return [o for t, o in sorted(self.orders.items(), reverse=True) if t != new.ticket_id][:limit]

    async def link(
        self, new_ticket_id: TicketId, match: MatterMatch, at: datetime, by: str = AUTO
    ) -> MatterLinked:
        while self.meanwhile:
            await self._link(*self.meanwhile.pop())
        self.links.append((new_ticket_id, match.ticket_id))
        return await self._link(new_ticket_id, match.ticket_id)

    async def _link(self, a: TicketId, b: TicketId) -> MatterLinked:
        new, old = (self._placed(t) for t in (a, b))
        plan = plan_link(new, old, merge=True)
        into = plan.into or MatterId(self.next_id)
        self.next_id += plan.into is None
        moving = [t for t, o in self.orders.items() if plan.absorbed and o.matter_id == plan.absorbed]
        for t in (*plan.joining, *moving):
            self.orders[t] = replace(self.orders[t], matter_id=into)
        members = [o for o in self.orders.values() if o.matter_id == into]
        callers = count_callers(o.caller_number for o in members)
        escalate = plan.step is not LinkStep.ALREADY and should_escalate(
            callers, into in self.escalated, RULES
        )
        self.escalated |= {into} if escalate else set()
        return MatterLinked(
            into,
            len(members),
            callers,
            escalate,
            plan.into is None,
            plan.absorbed,
            plan.step is LinkStep.ALREADY,
        )

    def _placed(self, t: TicketId) -> Placed:
        m = self.orders[t].matter_id
        return Placed(t, m, m in self.escalated)

    async def unlink(self, *_: object) -> object:
        raise NotImplementedError

    async def matter(self, *_: object) -> object:
        raise NotImplementedError

    async def tickets_of(self, *_: object) -> list[object]:
        raise NotImplementedError


@dataclass
class Opened:
    supervisions: list[Supervision] = field(default_factory=list)

    async def open(self, supervision: Supervision) -> Supervision:
        self.supervisions.append(supervision)
        return supervision


def order(index: MemoryIndex, n: int) -> WorkOrder:
    o = index.orders[TicketId(n)]
    ticket = Ticket(None, o.caller_number, o.text, o.text, AT, AT)
    classification = Classification(category_code="0301", area_code="110105")
    return WorkOrder(ticket, TicketLifecycle(TicketId(n)), classification)


def linker(index: MemoryIndex, opened: Opened) -> MatterLinker:
    return MatterLinker(index, opened, FixedClock(AT), RULES)  # type: ignore[arg-type]


async def test_an_order_linked_before_its_own_match_links_its_matter_with_the_rest() -> None:
    index, opened = MemoryIndex(), Opened()
    for n in (1, 2, 3, 4):
        index.add(n)
    await index._link(TicketId(1), TicketId(2))  # matter 1: an earlier match
    await index._link(TicketId(4), TicketId(3))  # matter 2: order 4 matched order 3 before 3's own match
    linked = await linker(index, opened).on_registered(order(index, 3))
    assert linked is not None and linked.absorbed is not None
    assert {o.matter_id for o in index.orders.values()} == {linked.matter_id}
    assert index.links == [(3, 1)]  # outside its own matter (not order 4); ties: the lowest id
    assert [s.matter_id for s in opened.supervisions] == [linked.matter_id]


async def test_an_open_matter_is_joined_and_the_lone_best_match_brought_in() -> None:
    index, opened = MemoryIndex(), Opened()
    index.add(1, "阳光花园停水了，一早上都没有水")
    index.add(2, "阳光花园停水了，一早上都没有水，什么时候来水")
    await index._link(TicketId(2), TicketId(1))
    index.add(5, WATER)  # registered, not matched yet: the closest to the new order
    index.add(6, WATER)
    linked = await linker(index, opened).on_registered(order(index, 6))
    assert index.links == [(6, 2), (6, 5)] or index.links == [(6, 1), (6, 5)]
    assert linked is not None and linked.ticket_count == 4 and not linked.opened
    assert {o.matter_id for o in index.orders.values()} == {MatterId(1)}
    assert [s.matter_id for s in opened.supervisions] == [MatterId(1)]  # 3 callers, once


async def test_a_link_another_process_made_meanwhile_is_matched_again() -> None:
    index, opened = MemoryIndex(), Opened()
    for n in (3, 7, 8):
        index.add(n)
    index.meanwhile.append((TicketId(7), TicketId(3)))  # another process links the same pair first
    linked = await linker(index, opened).on_registered(order(index, 7))
    assert index.links == [(7, 3), (7, 8)]  # the first changed nothing: matched again, outside its matter
    assert linked is not None and (linked.ticket_count, linked.already) == (3, False)
    assert len({o.matter_id for o in index.orders.values()}) == 1
    assert len(opened.supervisions) == 1
