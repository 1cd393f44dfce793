"""Supervision records (督办) and deadline alerts (黄牌, 红牌) on SQL (ADR 0011): storage only.

``SqlSupervisionStore`` stores what the pure rules in ``ticketing.supervision.rules`` decided; a close is
written only while the row is still open (``WHERE status = 'open'``), so of two concurrent closes one wins.
``SqlDeadlineAlerts`` loads the tickets that may be due for the feature's ``DeadlineSweeper`` and records
each alert with ``INSERT … ON CONFLICT DO NOTHING`` on ``uq_deadline_alerts_ticket_kind_due``: when two
sweepers (two processes) raise the same alert at once, exactly one insert wins, and only the winner
stores the overdue supervision, in the same transaction as the alert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.dml import Insert

from callcenter.adapters.db.repositories import _utc
from callcenter.adapters.db.tables import deadline_alerts, supervisions, tickets
from callcenter.core.actors import StaffId, UnitId
from callcenter.core.errors import InvalidInput
from callcenter.core.ids import TicketId
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.supervision.rules import (
    Supervision,
    SupervisionClosed,
    SupervisionId,
    SupervisionKind,
    SupervisionStatus,
    SupervisionTargetInvalid,
    SupervisionTrigger,
)
from callcenter.ticketing.supervision.sweeper import (
    CONTACT_WATCHED,
    WATCHED,
    AlertKey,
    AlertKind,
    DeadlineAlert,
    DeadlineWatch,
    RaisedAlert,
)

MAX_PAGE = 500


def _aware(value: datetime | None) -> datetime:
    result = _utc(value)
    assert result is not None
    return result


def _to_utc(value: datetime | None) -> datetime | None:
    """SQLite stores the wall time it is given: everything is written in UTC."""
    return value.astimezone(UTC) if value is not None else None


# --- supervisions ---------------------------------------------------------------------------------------


def supervision_to_row(s: Supervision) -> dict[str, Any]:
    return {
        "ticket_id": s.ticket_id,
        "matter_id": s.matter_id,
        "kind": s.kind.value,
        "trigger": s.trigger.value,
        "status": s.status.value,
        "note": s.note,
        "due_at": _to_utc(s.due_at),
        "opened_by": s.opened_by,
        "opened_at": _to_utc(s.opened_at),
        "closed_by": s.closed_by,
        "closed_at": _to_utc(s.closed_at),
        "closing_note": s.closing_note,
    }


def row_to_supervision(row: Mapping[Any, Any]) -> Supervision:
    return Supervision(
        id=SupervisionId(row["id"]),
        ticket_id=TicketId(row["ticket_id"]) if row["ticket_id"] is not None else None,
        matter_id=row["matter_id"],
        kind=SupervisionKind(row["kind"]),
        trigger=SupervisionTrigger(row["trigger"]),
        status=SupervisionStatus(row["status"]),
        note=row["note"],
        due_at=_utc(row["due_at"]),
        opened_by=StaffId(row["opened_by"]),
        opened_at=_aware(row["opened_at"]),
        closed_by=StaffId(row["closed_by"]) if row["closed_by"] is not None else None,
        closed_at=_utc(row["closed_at"]),
        closing_note=row["closing_note"],
    )


async def _insert_supervision(conn: AsyncConnection, s: Supervision) -> Supervision:
    if s.id is not None or not s.is_open:
        raise InvalidInput("only a new, open supervision can be stored", supervision_id=s.id)
    row = supervision_to_row(s)
    new_id = (
        await conn.execute(supervisions.insert().values(**row).returning(supervisions.c.id))
    ).scalar_one()
    return row_to_supervision({**row, "id": new_id})


class SqlSupervisionStore:
    """督办 records (``SupervisionRepository``). Rules live in ``ticketing.supervision``; this stores
    their results."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def open(self, supervision: Supervision) -> Supervision:
        """Store a supervision made by ``open_supervision``; the stored copy carries its id.

        A ticket or matter that does not exist is ``supervision_target_invalid`` (nothing stored).
        """
        try:
            async with self._engine.begin() as conn:
                return await _insert_supervision(conn, supervision)
        except IntegrityError as exc:
            raise SupervisionTargetInvalid(
                "the supervised ticket or matter does not exist",
                ticket_id=supervision.ticket_id,
                matter_id=supervision.matter_id,
            ) from exc

    async def save_closed(self, closed: Supervision) -> None:
        """Store a supervision closed by ``close_supervision``, only while the row is still open:
        ``supervision_closed`` (nothing changed) when it is closed already, also by a concurrent close."""
        if closed.id is None or closed.is_open:
            raise InvalidInput(
                "only a stored, closed supervision can be saved as closed", supervision_id=closed.id
            )
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(supervisions)
                .where(supervisions.c.id == closed.id, supervisions.c.status == SupervisionStatus.OPEN.value)
                .values(
                    status=closed.status.value,
                    closed_by=closed.closed_by,
                    closed_at=_to_utc(closed.closed_at),
                    closing_note=closed.closing_note,
                )
            )
        if result.rowcount != 1:
            raise SupervisionClosed("the supervision is already closed", supervision_id=closed.id)

    async def get(self, supervision_id: SupervisionId) -> Supervision | None:
        query = select(supervisions).where(supervisions.c.id == supervision_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return row_to_supervision(row) if row else None

    async def find(
        self,
        *,
        ticket_id: TicketId | None = None,
        matter_id: int | None = None,
        status: SupervisionStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Supervision]:
        """Supervisions matching every filter given, newest first; ``limit`` 1..500, ``offset`` >= 0."""
        if not 1 <= limit <= MAX_PAGE or offset < 0:
            raise InvalidInput("limit must be 1..500 and offset not negative", limit=limit, offset=offset)
        query = select(supervisions).where(*_filters(ticket_id, matter_id, status))
        query = query.order_by(supervisions.c.opened_at.desc(), supervisions.c.id.desc())
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query.limit(limit).offset(offset))).mappings().all()
        return [row_to_supervision(r) for r in rows]


def _filters(
    ticket_id: TicketId | None, matter_id: int | None, status: SupervisionStatus | None
) -> list[ColumnElement[bool]]:
    c = supervisions.c
    filters: list[ColumnElement[bool]] = []
    if ticket_id is not None:
        filters.append(c.ticket_id == ticket_id)
    if matter_id is not None:
        filters.append(c.matter_id == matter_id)
    if status is not None:
        filters.append(c.status == status.value)
    return filters


# --- the deadline alerts ----------------------------------------------------------------------------------


def _missing(kind: AlertKind, due: Any) -> ColumnElement[bool]:
    """No alert of ``kind`` raised yet against the ticket's current deadline ``due``."""
    a = deadline_alerts.c
    raised = select(a.id).where(a.ticket_id == tickets.c.id, a.kind == kind.value, a.due_at == due)
    return ~raised.exists()


def _may_be_due(now: datetime) -> ColumnElement[bool]:
    """SQL twin of ``sweeper.sweep``: a ticket with an alert due and not raised. Exact, so that a ticket
    whose alerts are all raised never takes a place in ``limit`` (it would starve the others)."""
    t = tickets.c
    warning = and_(t.warn_at <= now, t.due_at >= now, _missing(AlertKind.WARNING, t.due_at))
    overdue = and_(t.due_at < now, _missing(AlertKind.OVERDUE, t.due_at))
    contact = and_(
        t.status.in_([s.value for s in CONTACT_WATCHED]),
        t.contact_due_at < now,
        _missing(AlertKind.CONTACT_OVERDUE, t.contact_due_at),
    )
    return and_(t.status.in_([s.value for s in WATCHED]), or_(warning, overdue, contact))


def _insert_alert_once(dialect: str, values: dict[str, Any]) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: a row back means this sweeper raised the alert."""
    keys = ["ticket_id", "kind", "due_at"]
    if dialect == "postgresql":
        pg = postgresql.insert(deadline_alerts).values(**values)
        return pg.on_conflict_do_nothing(index_elements=keys).returning(deadline_alerts.c.id)
    if dialect == "sqlite":
        lite = sqlite.insert(deadline_alerts).values(**values)
        return lite.on_conflict_do_nothing(index_elements=keys).returning(deadline_alerts.c.id)
    raise NotImplementedError(f"the deadline sweeper supports PostgreSQL and SQLite, not {dialect}")


class SqlDeadlineAlerts:
    """The ``DeadlineAlertStore`` port: what may be due, and each alert recorded once."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def alerts_of(self, ticket_id: TicketId) -> list[RaisedAlert]:
        """The alerts raised for a ticket, oldest first."""
        a = deadline_alerts.c
        query = select(deadline_alerts).where(a.ticket_id == ticket_id).order_by(a.raised_at, a.id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_row_to_raised(r) for r in rows]

    async def watches(self, now: datetime, limit: int) -> list[DeadlineWatch]:
        """The tickets with an alert due at ``now`` and not raised yet, by id, at most ``limit``."""
        query = select(tickets).where(_may_be_due(now.astimezone(UTC))).order_by(tickets.c.id).limit(limit)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
            ids = [r["id"] for r in rows]
            raised = await _raised_keys(conn, ids)
            supervised = await _supervised(conn, ids)
        return [_watch(r, raised.get(r["id"], frozenset()), r["id"] in supervised) for r in rows]

    async def record(
        self, alert: DeadlineAlert, at: datetime, supervision: Supervision | None
    ) -> tuple[bool, Supervision | None]:
        """Insert the alert unless it is recorded already and, if this insert won, the supervision it
        opens, in one transaction. ``(False, None)`` when another sweeper recorded it first."""
        values = {
            "ticket_id": alert.ticket_id,
            "kind": alert.kind.value,
            "due_at": alert.due_at.astimezone(UTC),
            "raised_at": at.astimezone(UTC),
        }
        async with self._engine.begin() as conn:
            statement = _insert_alert_once(conn.dialect.name, values)
            if (await conn.execute(statement)).first() is None:
                return False, None  # another sweeper raised it first
            if supervision is None:
                return True, None
            return True, await _insert_supervision(conn, supervision)


async def _raised_keys(conn: AsyncConnection, ids: Sequence[int]) -> dict[int, frozenset[AlertKey]]:
    if not ids:
        return {}
    a = deadline_alerts.c
    rows = (await conn.execute(select(a.ticket_id, a.kind, a.due_at).where(a.ticket_id.in_(ids)))).all()
    keys: dict[int, set[AlertKey]] = {}
    for ticket_id, kind, due_at in rows:
        keys.setdefault(ticket_id, set()).add((AlertKind(kind), _aware(due_at)))
    return {ticket_id: frozenset(k) for ticket_id, k in keys.items()}


async def _supervised(conn: AsyncConnection, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    c = supervisions.c
    query = select(c.ticket_id).where(c.ticket_id.in_(ids), c.status == SupervisionStatus.OPEN.value)
    return {row[0] for row in (await conn.execute(query)).all()}


def _watch(row: Mapping[Any, Any], raised: frozenset[AlertKey], supervised: bool) -> DeadlineWatch:
    return DeadlineWatch(
        ticket_id=TicketId(row["id"]),
        status=TicketStatus(row["status"]),
        lead_unit=UnitId(row["lead_unit"]) if row["lead_unit"] is not None else None,
        due_at=_utc(row["due_at"]),
        warn_at=_utc(row["warn_at"]),
        contact_due_at=_utc(row["contact_due_at"]),
        dispatched_at=_utc(row["dispatched_at"]),
        raised=raised,
        under_supervision=supervised,
    )


def _row_to_raised(row: Mapping[Any, Any]) -> RaisedAlert:
    return RaisedAlert(
        ticket_id=TicketId(row["ticket_id"]),
        kind=AlertKind(row["kind"]),
        due_at=_aware(row["due_at"]),
        raised_at=_aware(row["raised_at"]),
    )
