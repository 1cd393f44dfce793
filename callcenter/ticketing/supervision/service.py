"""Supervision (督办) use cases: open, close, list (ADR 0011).

Each follows the house shape: load through the ports, run the pure rule (``rules.open_supervision``,
``rules.close_supervision``), store. A close is stored only while the stored supervision is still open
(``SupervisionRepository.save_closed``), so of two concurrent closes exactly one wins and the other is
``supervision_closed`` with nothing changed. Opening and closing tell no one: the supervision shows on
the order's page and in the supervisors' list when they next load.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callcenter.core.actors import Actor
from callcenter.core.clock import Clock
from callcenter.core.ids import TicketId
from callcenter.ticketing.supervision.ports import OrderAccess, SupervisionRepository
from callcenter.ticketing.supervision.rules import (
    Supervision,
    SupervisionId,
    SupervisionKind,
    SupervisionNotFound,
    SupervisionStatus,
    SupervisionTrigger,
    close_supervision,
    open_supervision,
)


@dataclass(frozen=True, slots=True)
class ManualSupervision:
    """What a supervisor asks for (督办 by hand): one target, a kind, a note, maybe a deadline."""

    ticket_id: TicketId | None
    matter_id: int | None
    kind: SupervisionKind | None
    note: str
    due_at: datetime | None = None


class Supervisions:
    def __init__(self, store: SupervisionRepository, orders: OrderAccess, clock: Clock) -> None:
        self._store = store
        self._orders = orders
        self._clock = clock

    async def open(self, request: ManualSupervision, by: Actor) -> Supervision:
        """A supervisor's supervision of an order they may see (else ``NotFound``) or of a matter."""
        if request.ticket_id is not None:
            await self._orders.get(request.ticket_id, by)
        record = open_supervision(
            SupervisionTrigger.MANUAL,
            by,
            self._clock.now(),
            ticket_id=request.ticket_id,
            matter_id=request.matter_id,
            kind=request.kind,
            note=request.note,
            due_at=request.due_at,
        )
        return await self._store.open(record)

    async def close(self, supervision_id: SupervisionId, by: Actor, closing_note: str) -> Supervision:
        """Close an open supervision (``close_supervision``'s rules). Refused — nothing changed — when it
        does not exist (``supervision_not_found``) or is closed already, also by a concurrent close
        (``supervision_closed``)."""
        current = await self._store.get(supervision_id)
        if current is None:
            raise SupervisionNotFound("no such supervision", supervision_id=supervision_id)
        closed = close_supervision(current, by, self._clock.now(), closing_note)
        await self._store.save_closed(closed)
        return closed

    async def find(
        self, status: SupervisionStatus | None = None, limit: int = 50, offset: int = 0
    ) -> list[Supervision]:
        """Every supervision (hotline staff), newest first, one page."""
        return await self._store.find(status=status, limit=limit, offset=offset)

    async def of_order(self, ticket_id: TicketId) -> list[Supervision]:
        """The supervisions of one order (the caller checked that the viewer may see it)."""
        return await self._store.find(ticket_id=ticket_id, limit=500)
