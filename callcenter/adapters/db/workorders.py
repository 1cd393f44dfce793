"""Work orders in SQL: the ``tickets`` row, its units (主办/协办) and its audit trail (``ticket_events``).

``save`` is the optimistic-concurrency write: ``UPDATE … WHERE id = :id AND version = :expected``; no row
updated means someone else saved first (``ConcurrentUpdate``) and nothing is written. The order, its
units and its audit event are written in one transaction, so the trail never disagrees with the order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.adapters.db.history import history_from_json, history_to_json
from callcenter.adapters.db.repositories import _utc, lifecycle_columns, row_to_ticket, ticket_to_row
from callcenter.adapters.db.tables import ticket_events, ticket_units, tickets, units
from callcenter.core.actors import UnitId
from callcenter.core.errors import ConcurrentUpdate, NotFound
from callcenter.core.ids import TicketId
from callcenter.ticketing.deadlines import RequestType, Urgency
from callcenter.ticketing.errors import UnknownUnit
from callcenter.ticketing.orders.events import TicketDispatched, TicketEvent, audit_details
from callcenter.ticketing.orders.record import CitizenContact, TicketLifecycle
from callcenter.ticketing.orders.views import unit_content
from callcenter.ticketing.orders.workorder import Classification, Schedule, WorkOrder
from callcenter.ticketing.states import TicketStatus

LEAD, ASSIST = "lead", "assist"
# The optimistic-concurrency write, built once: the SET columns come from the parameters' keys.
SAVE = update(tickets).where(
    tickets.c.id == bindparam("_ticket_id"), tickets.c.version == bindparam("_expected")
)


def order_to_row(order: WorkOrder) -> dict[str, Any]:
    life, c, s = order.life, order.classification, order.schedule
    row = {**ticket_to_row(order.ticket), **lifecycle_columns(life)}
    row.update(
        citizen_name=life.citizen.name,
        citizen_phone=life.citizen.phone,
        confidential=life.confidential,
        category_code=c.category_code,
        area_code=c.area_code,
        address=c.address,
        urgency=c.urgency.value,
        request_type=c.request_type.value if c.request_type else None,
        lead_unit=life.lead_unit,
        resolution=life.resolution,
        history=history_to_json(life),
        registered_at=s.registered_at,
        dispatched_at=s.dispatched_at,
        closed_at=s.closed_at,
        due_at=s.due_at,
        deadline_provisional=s.provisional,
        warn_at=s.warn_at,
        contact_due_at=s.contact_due_at,
        extension_pending=life.pending_extension is not None,
        matter_id=order.matter_id,
        unit_text=unit_search_text(order),
    )
    return row


def unit_search_text(order: WorkOrder) -> str:
    """What a unit's text search looks in: the texts units read (views.unit_content), never the raw
    ones — a search on the raw text would tell a unit which digits or name an order holds."""
    seen = unit_content(order)
    return f"{seen.summary}\n{seen.request_text}"


def row_to_order(row: Mapping[Any, Any], assisting: Sequence[UnitId]) -> WorkOrder:
    life = history_from_json(
        TicketLifecycle(
            id=TicketId(row["id"]),
            status=TicketStatus(row["status"]),
            version=row["version"],
            citizen=CitizenContact(row["citizen_name"], row["citizen_phone"]),
            confidential=bool(row["confidential"]),
            lead_unit=UnitId(row["lead_unit"]) if row["lead_unit"] else None,
            assisting_units=tuple(assisting),
            resolution=row["resolution"],
        ),
        row["history"],
    )
    classification = Classification(
        category_code=row["category_code"],
        area_code=row["area_code"],
        address=row["address"],
        urgency=Urgency(row["urgency"]),
        request_type=RequestType(row["request_type"]) if row["request_type"] else None,
    )
    schedule = Schedule(
        registered_at=_utc(row["registered_at"]),
        dispatched_at=_utc(row["dispatched_at"]),
        closed_at=_utc(row["closed_at"]),
        due_at=_utc(row["due_at"]),
        provisional=bool(row["deadline_provisional"]),
        warn_at=_utc(row["warn_at"]),
        contact_due_at=_utc(row["contact_due_at"]),
    )
    return WorkOrder(row_to_ticket(row), life, classification, schedule, row["matter_id"])


def event_row(event: TicketEvent, ticket_id: TicketId) -> dict[str, Any]:
    a = event.audit
    return {
        "ticket_id": ticket_id,
        "version": a.version,
        "action": a.action.value,
        "actor_id": a.actor.id,
        "actor_role": a.actor.role.value,
        "actor_unit": a.actor.unit,
        "at": a.at,
        "from_status": a.from_status.value,
        "to_status": a.to_status.value,
        "details": _jsonable(audit_details(event)),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class SqlWorkOrderStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, ticket_id: TicketId) -> WorkOrder | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(tickets).where(tickets.c.id == ticket_id))).mappings().first()
            if row is None:
                return None
            return row_to_order(row, await _assisting(conn, ticket_id))

    async def create(self, order: WorkOrder, events: Sequence[TicketEvent]) -> TicketId:
        """The new order, its units and its audit events, in one transaction."""
        async with self._engine.begin() as conn:
            result = await conn.execute(tickets.insert(), _insertable(order))
            (new_id,) = result.inserted_primary_key or (None,)
            assert new_id is not None
            ticket_id = TicketId(new_id)
            await _write_units(conn, replace(order.life, id=ticket_id))
            await conn.execute(ticket_events.insert(), [event_row(e, ticket_id) for e in events])
        return ticket_id

    async def save(self, order: WorkOrder, events: Sequence[TicketEvent], expected_version: int) -> None:
        ticket_id = order.life.id
        values = order_to_row(order)
        del values["matter_id"]  # owned by the matter index (并单): a stale order must not undo a link
        values.update(_ticket_id=ticket_id, _expected=expected_version)
        async with self._engine.begin() as conn:
            result = await conn.execute(SAVE, values)
            if result.rowcount != 1:
                await _refuse_stale(conn, ticket_id, expected_version)
            if any(isinstance(e, TicketDispatched) for e in events):  # only 派单/改派 change the units
                await _write_units(conn, order.life)
            await conn.execute(ticket_events.insert(), [event_row(e, ticket_id) for e in events])

    async def trail(self, ticket_id: TicketId) -> list[dict[str, Any]]:
        """The audit trail, oldest first: who, when, from, to, why."""
        query = select(ticket_events).where(ticket_events.c.ticket_id == ticket_id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query.order_by(ticket_events.c.version))).mappings().all()
        return [{**r, "at": _utc(r["at"])} for r in rows]


def _insertable(order: WorkOrder) -> dict[str, Any]:
    row = order_to_row(order)
    row.pop("id", None)
    return row


async def _assisting(conn: AsyncConnection, ticket_id: int) -> list[UnitId]:
    query = select(ticket_units.c.unit_id).where(
        ticket_units.c.ticket_id == ticket_id, ticket_units.c.role == ASSIST
    )
    return [UnitId(u) for u in (await conn.execute(query.order_by(ticket_units.c.unit_id))).scalars()]


async def _write_units(conn: AsyncConnection, life: TicketLifecycle) -> None:
    """ticket_units mirrors lead and assistants, for the inbox query and visibility checks in SQL."""
    await conn.execute(delete(ticket_units).where(ticket_units.c.ticket_id == life.id))
    rows = [{"ticket_id": life.id, "unit_id": u, "role": ASSIST} for u in life.assisting_units]
    if life.lead_unit is not None:
        rows.append({"ticket_id": life.id, "unit_id": life.lead_unit, "role": LEAD})
    if rows:
        await conn.execute(ticket_units.insert(), rows)


async def _refuse_stale(conn: AsyncConnection, ticket_id: int, expected: int) -> None:
    actual = (await conn.execute(select(tickets.c.version).where(tickets.c.id == ticket_id))).scalar()
    if actual is None:
        raise NotFound("ticket not found", ticket_id=ticket_id)
    raise ConcurrentUpdate(
        "the ticket was changed by someone else", ticket_id=ticket_id, expected=expected, actual=actual
    )


class SqlUnitDirectory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def require_active(self, wanted: Sequence[UnitId]) -> None:
        ids = set(wanted)
        query = select(units.c.id).where(units.c.id.in_(ids), units.c.active.is_(True))
        async with self._engine.connect() as conn:
            found = set((await conn.execute(query)).scalars())
        if missing := sorted(ids - found):
            raise UnknownUnit("unknown or inactive handling unit", units=missing)
