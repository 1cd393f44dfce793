"""并单 at registration: a new order joins the open matter it repeats (ADR 0010), and a matter that
gathers enough distinct callers is escalated to supervision (督办, trigger ``duplicates``) once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace

from callcenter.core.clock import Clock
from callcenter.core.errors import ConcurrentUpdate
from callcenter.ticketing.matters.duplicates import (
    DuplicateRules,
    MatterId,
    MatterMatch,
    OpenOrder,
    find_matter,
)
from callcenter.ticketing.matters.model import MatterLinked
from callcenter.ticketing.matters.ports import MatterIndex
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.supervision.ports import SupervisionOpener
from callcenter.ticketing.supervision.rules import SYSTEM, SupervisionTrigger, open_supervision

log = logging.getLogger(__name__)

CANDIDATES = 100  # the newest open orders of the place and category within the window
REMATCHES = 3  # matches of one order whose link another process had just made


def open_order(order: WorkOrder) -> OpenOrder:
    c = order.classification
    return OpenOrder(
        order.life.id,
        None if order.matter_id is None else MatterId(order.matter_id),
        order.ticket.request_text or order.ticket.summary,
        c.area_code,
        c.category_code,
        order.life.citizen.phone or order.ticket.caller_number,
        order.ticket.created_at,
    )


class MatterLinker:
    def __init__(
        self,
        index: MatterIndex,
        supervisions: SupervisionOpener,
        clock: Clock,
        rules: DuplicateRules | None = None,
    ) -> None:
        self._index = index
        self._supervisions = supervisions
        self._clock = clock
        self._rules = rules or DuplicateRules()
        # One matching at a time per process: links to one matter lock its row, and concurrent ones
        # would only queue on the lock while holding database connections that registrations need.
        self._one_at_a_time = asyncio.Lock()

    async def on_registered(self, order: WorkOrder) -> MatterLinked | None:
        """Link the order to the matter it repeats, if any; escalate the matter when it must.

        Under a burst a later similar order may have linked this one already (it was a candidate as soon as
        it was saved): the match then looks outside that matter, and a link to another matter merges the
        two (``linking.plan_link``), so every similar order of an incident ends in one matter."""
        outcomes: list[MatterLinked] = []  # every link made, escalated whatever fails after it
        try:
            async with self._one_at_a_time:
                try:
                    await self._match_and_link(open_order(order), outcomes)
                except ConcurrentUpdate:  # another process kept moving the orders: once more, on fresh data
                    await self._match_and_link(open_order(order), outcomes)
        finally:
            for outcome in outcomes:
                if outcome.escalate:
                    await self._escalate(outcome)
        if not outcomes:
            return None
        linked = outcomes[-1]
        log.info(
            "ticket %s joins matter %s (%d callers)%s",
            order.life.id,
            linked.matter_id,
            linked.caller_count,
            "" if linked.absorbed is None else f", matter {linked.absorbed} merged into it",
        )
        return linked

    async def _match_and_link(self, new: OpenOrder, outcomes: list[MatterLinked]) -> None:
        """Match on the order's matter now (``converge``), then, when the link opened a matter, look once
        more for another matter of the incident opened at the same moment by another process, and merge
        it in. Every link made is added to ``outcomes`` (each may have to escalate its matter)."""
        linked = await self._converge(new, only_matters=False)
        outcomes.extend(linked)
        if linked and linked[-1].opened:
            outcomes.extend(await self._converge(new, only_matters=True))

    async def _converge(self, new: OpenOrder, only_matters: bool) -> tuple[MatterLinked, ...]:
        """The best match outside the order's matter, linked. When another process linked the two orders
        meanwhile (the link changed nothing), match again: this order's own match must still connect its
        matter with the rest of the incident. Every link made is returned, in order."""
        made: tuple[MatterLinked, ...] = ()
        for _ in range(REMATCHES):
            new = replace(new, matter_id=await self._index.matter_of(new.ticket_id))
            candidates: Sequence[OpenOrder] = await self._index.candidates(new, self._rules, CANDIDATES)
            if only_matters:
                candidates = [c for c in candidates if c.matter_id is not None]
            match = find_matter(new, candidates, self._rules)
            if match is None:
                return made
            linked = await self._link(new, match, candidates)
            made = (*made, *linked)
            if not linked[-1].already:
                return made
        return made

    async def _link(
        self, new: OpenOrder, match: MatterMatch, candidates: Sequence[OpenOrder]
    ) -> tuple[MatterLinked, ...]:
        """The link; but rather than open a matter with an order on its own while an open matter is above
        the threshold too (under a burst, orders saved but not matched yet are often the closest), join
        that matter and bring the lone order in: one matter for the incident, as a merge would make it."""
        now = self._clock.now()
        joined = None
        if match.matter_id is None and new.matter_id is None:
            in_matters = [c for c in candidates if c.matter_id is not None]
            joined = find_matter(new, in_matters, self._rules)
        if joined is None:
            return (await self._index.link(new.ticket_id, match, now),)
        first = await self._index.link(new.ticket_id, joined, now)
        return first, await self._index.link(new.ticket_id, match, now)

    async def _escalate(self, linked: MatterLinked) -> None:
        note = f"同一诉求已有 {linked.caller_count} 位市民来电（并单 {linked.ticket_count} 件），自动督办"
        record = open_supervision(
            SupervisionTrigger.DUPLICATES, SYSTEM, self._clock.now(), matter_id=linked.matter_id, note=note
        )
        await self._supervisions.open(record)
        log.warning("matter %s escalated to supervision: %d callers", linked.matter_id, linked.caller_count)
