"""Supervision records and the deadline sweeper on SQLite and PostgreSQL (ADR 0011): the feature's
services (``DeadlineSweeper``, ``Supervisions``) over the SQL adapters, with their concurrency guarantees."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.engine import create_engine
from callcenter.adapters.db.supervision import SqlDeadlineAlerts, SqlSupervisionStore
from callcenter.adapters.db.tables import deadline_alerts, matters, supervisions, tickets, units
from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.clock import SHANGHAI, FixedClock
from callcenter.core.errors import DomainError, InvalidInput
from callcenter.core.ids import TicketId
from callcenter.ticketing.errors import RoleForbidden
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.supervision.alerts import DeadlineSweeper
from callcenter.ticketing.supervision.rules import (
    SYSTEM,
    SYSTEM_ID,
    NoteRequired,
    Supervision,
    SupervisionClosed,
    SupervisionId,
    SupervisionKind,
    SupervisionNotFound,
    SupervisionStatus,
    SupervisionTargetInvalid,
    SupervisionTrigger,
    open_supervision,
)
from callcenter.ticketing.supervision.service import Supervisions
from callcenter.ticketing.supervision.sweeper import AlertKind, RaisedAlert

S, K = TicketStatus, AlertKind
UNIT = UnitId("housing-bureau")
SUPERVISOR = Actor(StaffId("sup-1"), Role.SUPERVISOR)
AGENT = Actor(StaffId("agent-1001"), Role.AGENT)
DISPATCHED_AT = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)  # Monday
CONTACT = DISPATCHED_AT + timedelta(hours=1)
WARN = datetime(2026, 11, 26, 1, 36, tzinfo=SHANGHAI)
DUE = datetime(2026, 11, 26, 17, 30, tzinfo=SHANGHAI)
SECOND = timedelta(seconds=1)


async def add_unit(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(units).values(id=UNIT, name="住房和城乡建设局", kind="department"))


async def add_ticket(engine: AsyncEngine, status: TicketStatus = S.IN_PROGRESS, **values: Any) -> TicketId:
    """A dispatched work order as the lead's service stores it (UTC), with its deadlines."""
    row: dict[str, Any] = {
        "status": status.value,
        "caller_number": "13800138000",
        "summary": "小区路灯不亮",
        "request_text": "小区门口的路灯坏了一个星期",
        "created_at": DISPATCHED_AT.astimezone(UTC),
        "updated_at": DISPATCHED_AT.astimezone(UTC),
        "version": 3,
        "lead_unit": UNIT,
        "dispatched_at": DISPATCHED_AT.astimezone(UTC),
        "due_at": DUE.astimezone(UTC),
        "warn_at": WARN.astimezone(UTC),
        "contact_due_at": CONTACT.astimezone(UTC),
    }
    row.update(values)
    async with engine.begin() as conn:
        result = await conn.execute(insert(tickets).values(**row).returning(tickets.c.id))
        return TicketId(result.scalar_one())


async def count(engine: AsyncEngine, table: Any) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def rows(engine: AsyncEngine, table: Any) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        return [dict(r) for r in (await conn.execute(select(table).order_by(table.c.id))).mappings()]


def deadline_sweeper(engine: AsyncEngine) -> DeadlineSweeper:
    return DeadlineSweeper(SqlDeadlineAlerts(engine))


class NoOrders:
    """Closing never reads the order; opening here goes straight to the store."""

    async def get(self, ticket_id: TicketId, actor: Actor) -> WorkOrder:
        raise AssertionError("not used")


def closer(engine: AsyncEngine, at: datetime) -> Supervisions:
    return Supervisions(SqlSupervisionStore(engine), NoOrders(), FixedClock(at))


@pytest.fixture
async def unit(engine: AsyncEngine) -> UnitId:
    await add_unit(engine)
    return UNIT


# --- the sweeper -------------------------------------------------------------------------------------------


async def test_a_sweep_raises_what_is_due_once_and_opens_the_overdue_supervision(
    engine: AsyncEngine, unit: UnitId
) -> None:
    handling = await add_ticket(engine, S.IN_PROGRESS)
    fresh = await add_ticket(engine, S.DISPATCHED)
    sweeper = deadline_sweeper(engine)

    before = await sweeper.sweep_once(CONTACT)  # the contact minute itself is not late
    assert (before.alerts, before.supervisions, before.examined) == ((), (), 0)

    late = await sweeper.sweep_once(CONTACT + SECOND)
    assert [(a.ticket_id, a.kind, a.due_at, a.lead_unit) for a in late.alerts] == [
        (fresh, K.CONTACT_OVERDUE, CONTACT, unit)
    ]
    warned = await sweeper.sweep_once(WARN)
    assert [(a.ticket_id, a.kind) for a in warned.alerts] == [(handling, K.WARNING), (fresh, K.WARNING)]

    red = await sweeper.sweep_once(DUE + SECOND)
    assert [(a.ticket_id, a.kind, a.opens_supervision) for a in red.alerts] == [
        (handling, K.OVERDUE, True),
        (fresh, K.OVERDUE, True),
    ]
    assert [(s.ticket_id, s.trigger, s.kind, s.opened_by) for s in red.supervisions] == [
        (handling, SupervisionTrigger.OVERDUE, SupervisionKind.PLATFORM, SYSTEM_ID),
        (fresh, SupervisionTrigger.OVERDUE, SupervisionKind.PLATFORM, SYSTEM_ID),
    ]
    assert all(s.id is not None and s.opened_at == DUE + SECOND for s in red.supervisions)

    again = await sweeper.sweep_once(DUE + timedelta(days=2))
    assert (again.alerts, again.supervisions, again.examined) == ((), (), 0)
    assert await SqlDeadlineAlerts(engine).alerts_of(fresh) == [
        RaisedAlert(fresh, K.CONTACT_OVERDUE, CONTACT, CONTACT + SECOND),
        RaisedAlert(fresh, K.WARNING, DUE, WARN),
        RaisedAlert(fresh, K.OVERDUE, DUE, DUE + SECOND),
    ]
    assert (await count(engine, deadline_alerts), await count(engine, supervisions)) == (5, 2)


@pytest.mark.parametrize("status", [S.REGISTERED, S.RETURNED, S.REPLIED, S.CALLBACK_PENDING, S.CLOSED])
async def test_tickets_not_with_the_unit_get_nothing(
    engine: AsyncEngine, unit: UnitId, status: TicketStatus
) -> None:
    await add_ticket(engine, status)
    report = await deadline_sweeper(engine).sweep_once(DUE + timedelta(days=10))
    assert (report.alerts, report.examined, await count(engine, deadline_alerts)) == ((), 0, 0)


async def test_an_extension_re_arms_the_cards_and_an_open_supervision_is_not_doubled(
    engine: AsyncEngine, unit: UnitId
) -> None:
    ticket = await add_ticket(engine, S.IN_PROGRESS)
    sweeper = deadline_sweeper(engine)
    first = await sweeper.sweep_once(DUE + SECOND)
    assert [a.kind for a in first.alerts] == [K.OVERDUE] and len(first.supervisions) == 1

    new_due, new_warn = DUE + timedelta(days=4), DUE + timedelta(days=3)  # 延期 to Monday 17:30
    async with engine.begin() as conn:
        await conn.execute(
            update(tickets)
            .where(tickets.c.id == ticket)
            .values(due_at=new_due.astimezone(UTC), warn_at=new_warn.astimezone(UTC))
        )
    assert (await sweeper.sweep_once(new_warn - SECOND)).alerts == ()
    assert [(a.kind, a.due_at) for a in (await sweeper.sweep_once(new_warn)).alerts] == [(K.WARNING, new_due)]
    red = await sweeper.sweep_once(new_due + SECOND)
    assert [(a.kind, a.due_at, a.opens_supervision) for a in red.alerts] == [(K.OVERDUE, new_due, False)]
    assert red.supervisions == ()  # the first red card's supervision is still open
    assert await count(engine, supervisions) == 1


async def test_a_pass_takes_at_most_limit_tickets_and_the_next_pass_the_rest(
    engine: AsyncEngine, unit: UnitId
) -> None:
    ids = [await add_ticket(engine, S.IN_PROGRESS) for _ in range(3)]
    sweeper = deadline_sweeper(engine)
    passes = [await sweeper.sweep_once(DUE + SECOND, limit=2) for _ in range(3)]
    assert [p.examined for p in passes] == [2, 1, 0]
    assert [a.ticket_id for p in passes for a in p.alerts] == ids


async def test_a_sweep_needs_an_aware_time_and_a_positive_limit(engine: AsyncEngine) -> None:
    sweeper = deadline_sweeper(engine)
    with pytest.raises(InvalidInput):
        await sweeper.sweep_once(datetime(2026, 11, 30, 9, 0))
    with pytest.raises(InvalidInput):
        await sweeper.sweep_once(DUE, limit=0)


async def test_two_sweepers_at_once_raise_each_alert_once(
    engine: AsyncEngine, database_url: str, unit: UnitId
) -> None:
    ids = [await add_ticket(engine, S.DISPATCHED) for _ in range(12)]
    other = create_engine(database_url)
    try:
        reports = await asyncio.gather(
            deadline_sweeper(engine).sweep_once(DUE + SECOND),
            deadline_sweeper(other).sweep_once(DUE + SECOND),
        )
    finally:
        await other.dispose()
    raised = sorted((a.ticket_id, a.kind) for r in reports for a in r.alerts)
    assert raised == sorted((t, k) for t in ids for k in (K.CONTACT_OVERDUE, K.OVERDUE))
    opened = sorted(s.ticket_id for r in reports for s in r.supervisions if s.ticket_id is not None)
    assert opened == ids
    assert (await count(engine, deadline_alerts), await count(engine, supervisions)) == (24, 12)


# --- the supervision store ---------------------------------------------------------------------------------


def manual(
    ticket: TicketId, at: datetime = DISPATCHED_AT, kind: SupervisionKind = SupervisionKind.KEY
) -> Supervision:
    return open_supervision(
        SupervisionTrigger.MANUAL, SUPERVISOR, at, ticket_id=ticket, kind=kind, note="市民多次来电"
    )


async def test_a_supervision_is_opened_read_listed_and_closed(engine: AsyncEngine, unit: UnitId) -> None:
    ticket = await add_ticket(engine)
    store = SqlSupervisionStore(engine)
    stored = await store.open(manual(ticket))
    assert stored.id is not None and await store.get(stored.id) == stored
    closing = closer(engine, DISPATCHED_AT + timedelta(hours=2))
    closed = await closing.close(stored.id, SUPERVISOR, " 单位已联系市民 ")
    assert (closed.status, closed.closed_by, closed.closing_note) == (
        SupervisionStatus.CLOSED,
        "sup-1",
        "单位已联系市民",
    )
    assert await store.get(stored.id) == closed
    assert await store.get(SupervisionId(stored.id + 100)) is None


async def test_supervisions_are_found_by_ticket_matter_and_status_newest_first_in_pages(
    engine: AsyncEngine, unit: UnitId
) -> None:
    first, second = await add_ticket(engine), await add_ticket(engine)
    async with engine.begin() as conn:
        matter = (
            await conn.execute(
                insert(matters)
                .values(first_ticket_id=first, opened_at=DISPATCHED_AT, last_seen_at=DISPATCHED_AT)
                .returning(matters.c.id)
            )
        ).scalar_one()
    store = SqlSupervisionStore(engine)
    hours = [timedelta(hours=h) for h in range(4)]
    a = await store.open(manual(first, DISPATCHED_AT + hours[0]))
    b = await store.open(manual(first, DISPATCHED_AT + hours[1], SupervisionKind.MEDIA))
    c = await store.open(manual(second, DISPATCHED_AT + hours[2]))
    d = await store.open(
        open_supervision(SupervisionTrigger.DUPLICATES, SYSTEM, DISPATCHED_AT + hours[3], matter_id=matter)
    )
    assert a.id is not None
    a = await closer(engine, DISPATCHED_AT + hours[3]).close(a.id, SUPERVISOR, "已办结")

    assert await store.find() == [d, c, b, a]
    assert await store.find(ticket_id=first) == [b, a]
    assert await store.find(matter_id=matter) == [d]
    assert await store.find(status=SupervisionStatus.OPEN) == [d, c, b]
    assert await store.find(ticket_id=first, status=SupervisionStatus.CLOSED) == [a]
    assert await store.find(limit=2) == [d, c]
    assert await store.find(limit=2, offset=2) == [b, a]
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}):
        with pytest.raises(InvalidInput):
            await store.find(**bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("by", "note", "error"),
    [
        (SUPERVISOR, "again", SupervisionClosed),
        (SUPERVISOR, "  ", NoteRequired),
        (AGENT, "done", RoleForbidden),
    ],
    ids=["closed-twice", "blank-note", "agent"],
)
async def test_a_refused_close_changes_nothing(
    engine: AsyncEngine, unit: UnitId, by: Actor, note: str, error: type[DomainError]
) -> None:
    store = SqlSupervisionStore(engine)
    stored = await store.open(manual(await add_ticket(engine)))
    assert stored.id is not None
    if error is SupervisionClosed:
        await closer(engine, DISPATCHED_AT + timedelta(hours=1)).close(stored.id, SUPERVISOR, "done")
    before = await rows(engine, supervisions)
    with pytest.raises(error):
        await closer(engine, DISPATCHED_AT + timedelta(hours=2)).close(stored.id, by, note)
    assert await rows(engine, supervisions) == before


async def test_two_closes_at_once_close_once(engine: AsyncEngine, unit: UnitId) -> None:
    store = SqlSupervisionStore(engine)
    stored = await store.open(manual(await add_ticket(engine)))
    assert stored.id is not None
    closing = closer(engine, DISPATCHED_AT + timedelta(hours=1))
    outcomes = await asyncio.gather(
        closing.close(stored.id, SUPERVISOR, "first"),
        closing.close(stored.id, SUPERVISOR, "second"),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["Supervision", "SupervisionClosed"]
    [row] = await rows(engine, supervisions)
    assert row["closing_note"] in {"first", "second"} and row["status"] == "closed"


async def test_bad_opens_and_closes_store_nothing(engine: AsyncEngine, unit: UnitId) -> None:
    store = SqlSupervisionStore(engine)
    with pytest.raises(SupervisionTargetInvalid):
        await store.open(manual(TicketId(999)))
    ticket = await add_ticket(engine)
    stored = await store.open(manual(ticket))
    with pytest.raises(InvalidInput):
        await store.open(stored)  # already has an id
    with pytest.raises(SupervisionNotFound):
        await closer(engine, DISPATCHED_AT).close(SupervisionId(999), SUPERVISOR, "done")
    assert await count(engine, supervisions) == 1
