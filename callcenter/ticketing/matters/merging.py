"""并单 at registration: a new order joins the open matter it repeats (ADR 0010), and a matter that
gathers enough distinct callers is escalated to supervision (督办, trigger ``duplicates``) once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from callcenter.core.clock import Clock
from callcenter.ticketing.matters.duplicates import (
    DuplicateRules,
    MatterId,
    OpenOrder,
    find_matter,
)
from callcenter.ticketing.matters.model import AlreadyInOtherMatter, MatterLinked
from callcenter.ticketing.matters.ports import MatterIndex
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.supervision.ports import SupervisionOpener
from callcenter.ticketing.supervision.rules import SYSTEM, SupervisionTrigger, open_supervision

log = logging.getLogger(__name__)

CANDIDATES = 100  # the newest open orders of the place and category within the window


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
        """Link the order to the matter it repeats, if any; escalate the matter when it must."""
        new = open_order(order)
        async with self._one_at_a_time:
            try:
                linked = await self._match_and_link(new)
            except AlreadyInOtherMatter:  # a similar order registered at the same moment joined another
                linked = await self._match_and_link(new)  # once more, on fresh candidates
        if linked is None:
            return None
        log.info(
            "ticket %s joins matter %s (%d callers)", new.ticket_id, linked.matter_id, linked.caller_count
        )
        if linked.escalate:
            await self._escalate(linked)
        return linked

    async def _match_and_link(self, new: OpenOrder) -> MatterLinked | None:
        candidates: Sequence[OpenOrder] = await self._index.candidates(new, self._rules, CANDIDATES)
        match = find_matter(new, candidates, self._rules)
        if match is None:
            return None
        return await self._index.link(new.ticket_id, match, self._clock.now())

    async def _escalate(self, linked: MatterLinked) -> None:
        note = f"同一诉求已有 {linked.caller_count} 位市民来电（并单 {linked.ticket_count} 件），自动督办"
        record = open_supervision(
            SupervisionTrigger.DUPLICATES, SYSTEM, self._clock.now(), matter_id=linked.matter_id, note=note
        )
        await self._supervisions.open(record)
        log.warning("matter %s escalated to supervision: %d callers", linked.matter_id, linked.caller_count)
