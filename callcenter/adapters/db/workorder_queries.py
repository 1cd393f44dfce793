"""Read queries over work orders: a unit's inbox, the dispatcher's queue, search. Visibility is applied in
SQL (a unit's staff query only through ``ticket_units``), so another unit's orders are never loaded."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.tables import ticket_units, tickets
from callcenter.adapters.db.workorders import ASSIST, row_to_order
from callcenter.core.actors import Actor, Role, UnitId
from callcenter.core.errors import InvalidInput
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.states import TicketStatus

S = TicketStatus
UNIT_INBOX = (S.DISPATCHED, S.ACKNOWLEDGED, S.IN_PROGRESS)
DISPATCHER_QUEUE = (S.REGISTERED, S.RETURNED)  # 派单员: to dispatch, and returns to review
MAX_QUERY_CHARS = 100
TEXT_SEARCH_DAYS = 90  # a text search without a date range looks at the last 90 days (a LIKE scans rows)


@dataclass(frozen=True, slots=True)
class OrderFilter:
    status: TicketStatus | None = None
    text: str = ""  # in the summary or the request
    caller_number: str = ""  # hotline staff only
    category_code: str = ""  # the code or any code under it
    unit: UnitId | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None

    def __post_init__(self) -> None:
        if len(self.text) > MAX_QUERY_CHARS or len(self.caller_number) > 32:
            raise InvalidInput("search text too long", limit=MAX_QUERY_CHARS)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlWorkOrderQueries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def inbox(self, viewer: Actor, now: datetime, limit: int, offset: int) -> list[WorkOrder]:
        """What the viewer has to act on, most urgent first."""
        query = select(tickets)
        if viewer.role is Role.UNIT_STAFF:
            query = _of_unit(query, viewer.unit).where(tickets.c.status.in_(UNIT_INBOX))
        elif viewer.role is Role.SUPERVISOR:
            overdue = tickets.c.status.in_(UNIT_INBOX) & (tickets.c.due_at < now)
            query = query.where(or_(tickets.c.extension_pending, overdue))  # both arms on partial indexes
        else:
            query = query.where(tickets.c.status.in_(DISPATCHER_QUEUE))
        order = (tickets.c.due_at.asc().nulls_last(), tickets.c.id)  # ix_tickets_open_due
        return await self._orders(query.order_by(*order).limit(limit).offset(offset))

    async def search(
        self, viewer: Actor, f: OrderFilter, limit: int, offset: int, now: datetime | None = None
    ) -> list[WorkOrder]:
        """Newest first. A text search (``f.text``) without ``created_from`` covers ``TEXT_SEARCH_DAYS``
        back from ``now``: ``LIKE '%…%'`` on Chinese text cannot use a B-tree index."""
        if f.text and f.created_from is None and now is not None:
            f = replace(f, created_from=now - timedelta(days=TEXT_SEARCH_DAYS))
        query = select(tickets)
        unit_staff = viewer.role is Role.UNIT_STAFF
        if unit_staff:
            query = _of_unit(query, viewer.unit)
            if f.caller_number:
                raise InvalidInput("handling units cannot search by the citizen's number")
        elif f.unit:
            query = _of_unit(query, f.unit)
        query = _filtered(query, f, unit_staff)
        return await self._orders(query.order_by(tickets.c.id.desc()).limit(limit).offset(offset))

    async def _orders(self, query: Select[Any]) -> list[WorkOrder]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
            ids = [r["id"] for r in rows]
            assisting: dict[int, list[UnitId]] = defaultdict(list)
            if ids:
                units_query = select(ticket_units).where(
                    ticket_units.c.ticket_id.in_(ids), ticket_units.c.role == ASSIST
                )
                for u in (await conn.execute(units_query.order_by(ticket_units.c.unit_id))).mappings():
                    assisting[u["ticket_id"]].append(UnitId(u["unit_id"]))
        return [row_to_order(r, assisting[r["id"]]) for r in rows]


def _of_unit(query: Select[Any], unit: UnitId | None) -> Select[Any]:
    return query.join(ticket_units, ticket_units.c.ticket_id == tickets.c.id).where(
        ticket_units.c.unit_id == unit
    )


def _filtered(query: Select[Any], f: OrderFilter, unit_staff: bool = False) -> Select[Any]:
    """``unit_staff`` search the text units read (``unit_text``: masked, the informant removed)."""
    conditions: list[Any] = []
    if f.status is not None:
        conditions.append(tickets.c.status == f.status.value)
    if f.text:
        pattern = _like(f.text)
        texts = (tickets.c.unit_text,) if unit_staff else (tickets.c.summary, tickets.c.request_text)
        conditions.append(or_(*(t.like(pattern, escape="\\") for t in texts)))
    if f.caller_number:
        conditions.append(tickets.c.caller_number == f.caller_number)
    if f.category_code:
        conditions.append(tickets.c.category_code.like(f.category_code.replace("%", "") + "%"))
    if f.created_from is not None:
        conditions.append(tickets.c.created_at >= f.created_from)
    if f.created_to is not None:
        conditions.append(tickets.c.created_at < f.created_to)
    return query.where(*conditions) if conditions else query
