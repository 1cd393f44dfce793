"""Supervision (督办) use cases and the deadline sweep over in-memory fakes of our own ports (ADR 0011)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.clock import SHANGHAI, FixedClock
from callcenter.core.errors import InvalidInput, NotFound
from callcenter.core.ids import TicketId
from callcenter.ticketing.errors import RoleForbidden
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.supervision.alerts import DeadlineSweeper
from callcenter.ticketing.supervision.rules import (
    SYSTEM_ID,
    NoteRequired,
    Supervision,
    SupervisionClosed,
    SupervisionId,
    SupervisionKind,
    SupervisionNotFound,
    SupervisionStatus,
    SupervisionTrigger,
)
from callcenter.ticketing.supervision.service import ManualSupervision, Supervisions
from callcenter.ticketing.supervision.sweeper import AlertKind, DeadlineAlert, DeadlineWatch, RaisedAlert

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
SUPERVISOR = Actor(StaffId("sup-1"), Role.SUPERVISOR)
AGENT = Actor(StaffId("agent-1001"), Role.AGENT)
VISIBLE, HIDDEN = TicketId(7), TicketId(8)
UNIT = UnitId("housing-bureau")


class InMemorySupervisions:
    """The ``SupervisionRepository`` port in a dict; a close is saved only while the stored one is open."""

    def __init__(self) -> None:
        self.rows: dict[SupervisionId, Supervision] = {}

    async def open(self, supervision: Supervision) -> Supervision:
        stored = replace(supervision, id=SupervisionId(len(self.rows) + 1))
        self.rows[SupervisionId(len(self.rows) + 1)] = stored
        return stored

    async def get(self, supervision_id: SupervisionId) -> Supervision | None:
        return self.rows.get(supervision_id)

    async def save_closed(self, closed: Supervision) -> None:
        assert closed.id is not None
        if not self.rows[closed.id].is_open:
            raise SupervisionClosed("the supervision is already closed", supervision_id=closed.id)
        self.rows[closed.id] = closed

    async def find(
        self,
        *,
        ticket_id: TicketId | None = None,
        matter_id: int | None = None,
        status: SupervisionStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Supervision]:
        found = [
            s
            for s in reversed(self.rows.values())
            if ticket_id in (None, s.ticket_id)
            and matter_id in (None, s.matter_id)
            and status in (None, s.status)
        ]
        return found[offset : offset + limit]


class SeeAll:
    """``WorkOrders.get``: only ``VISIBLE`` is an order the actor may see."""

    async def get(self, ticket_id: TicketId, actor: Actor) -> WorkOrder:
        if ticket_id != VISIBLE:
            raise NotFound("ticket not found", ticket_id=ticket_id)
        return None  # type: ignore[return-value]  # the service only asks whether it may see it


def service(clock: FixedClock | None = None) -> tuple[Supervisions, InMemorySupervisions]:
    store = InMemorySupervisions()
    return Supervisions(store, SeeAll(), clock or FixedClock(NOW)), store


def manual(ticket_id: TicketId | None = VISIBLE, **changes: object) -> ManualSupervision:
    wanted = ManualSupervision(ticket_id, None, SupervisionKind.KEY, "市民多次来电")
    return replace(wanted, **changes)  # type: ignore[arg-type]


# --- open and close ---------------------------------------------------------------------------------------


async def test_a_supervisor_opens_a_supervision_of_an_order_they_may_see_at_the_clocks_time() -> None:
    supervisions, store = service()
    opened = await supervisions.open(manual(), SUPERVISOR)
    assert (opened.id, opened.ticket_id, opened.trigger, opened.opened_by, opened.opened_at) == (
        1,
        VISIBLE,
        SupervisionTrigger.MANUAL,
        "sup-1",
        NOW,
    )
    assert list(store.rows.values()) == [opened]


async def test_an_order_the_supervisor_may_not_see_is_not_found_and_nothing_is_stored() -> None:
    supervisions, store = service()
    with pytest.raises(NotFound):
        await supervisions.open(manual(HIDDEN), SUPERVISOR)
    assert store.rows == {}


@pytest.mark.parametrize(
    ("wanted", "by", "error"),
    [
        (manual(), AGENT, RoleForbidden),
        (manual(note="  "), SUPERVISOR, NoteRequired),
        (manual(None), SUPERVISOR, InvalidInput),  # no target: supervision_target_invalid
        (manual(due_at=NOW - timedelta(hours=1)), SUPERVISOR, InvalidInput),
    ],
    ids=["agent", "no-note", "no-target", "due-before-opening"],
)
async def test_the_rules_refuse_and_nothing_is_stored(
    wanted: ManualSupervision, by: Actor, error: type[Exception]
) -> None:
    supervisions, store = service()
    with pytest.raises(error):
        await supervisions.open(wanted, by)
    assert store.rows == {}


async def test_a_matter_is_supervised_without_an_order_check() -> None:
    supervisions, _ = service()
    opened = await supervisions.open(manual(None, matter_id=3), SUPERVISOR)
    assert (opened.ticket_id, opened.matter_id) == (None, 3)


async def test_a_close_is_stored_with_the_clocks_time_and_a_second_close_is_refused() -> None:
    clock = FixedClock(NOW)
    supervisions, store = service(clock)
    opened = await supervisions.open(manual(), SUPERVISOR)
    assert opened.id is not None
    clock.set(NOW + timedelta(hours=2))
    closed = await supervisions.close(opened.id, SUPERVISOR, " 单位已联系市民 ")
    assert (closed.status, closed.closed_at, closed.closing_note) == (
        SupervisionStatus.CLOSED,
        NOW + timedelta(hours=2),
        "单位已联系市民",
    )
    assert store.rows[opened.id] == closed
    with pytest.raises(SupervisionClosed):
        await supervisions.close(opened.id, SUPERVISOR, "again")
    assert store.rows[opened.id] == closed


async def test_a_close_that_loses_the_race_in_the_store_is_supervision_closed() -> None:
    supervisions, store = service()
    opened = await supervisions.open(manual(), SUPERVISOR)
    assert opened.id is not None

    class RacedStore(InMemorySupervisions):
        async def get(self, supervision_id: SupervisionId) -> Supervision | None:
            found = store.rows.get(supervision_id)  # read while still open …
            assert found is not None
            store.rows[supervision_id] = replace(found, status=SupervisionStatus.CLOSED)  # … closed meanwhile
            return found

    raced = RacedStore()
    raced.rows = store.rows
    with pytest.raises(SupervisionClosed):
        await Supervisions(raced, SeeAll(), FixedClock(NOW)).close(opened.id, SUPERVISOR, "done")


async def test_closing_an_unknown_supervision_is_not_found() -> None:
    supervisions, _ = service()
    with pytest.raises(SupervisionNotFound):
        await supervisions.close(SupervisionId(99), SUPERVISOR, "done")


async def test_lists_and_an_orders_supervisions_newest_first() -> None:
    supervisions, _ = service()
    first = await supervisions.open(manual(), SUPERVISOR)
    other = await supervisions.open(manual(None, matter_id=3), SUPERVISOR)
    assert await supervisions.find() == [other, first]
    assert await supervisions.find(limit=1, offset=1) == [first]
    assert await supervisions.of_order(VISIBLE) == [first]


# --- the deadline sweep -----------------------------------------------------------------------------------


class InMemoryAlerts:
    """The ``DeadlineAlertStore`` port: watches as given; each ``(ticket, kind, due_at)`` recorded once."""

    def __init__(self, watches: Sequence[DeadlineWatch], lose: frozenset[TicketId] = frozenset()) -> None:
        self._watches = list(watches)
        self._lose = lose  # tickets whose alerts another sweeper records first
        self.raised: list[RaisedAlert] = []
        self.supervisions: list[Supervision] = []

    async def watches(self, now: datetime, limit: int) -> Sequence[DeadlineWatch]:
        return self._watches[:limit]

    async def record(
        self, alert: DeadlineAlert, at: datetime, supervision: Supervision | None
    ) -> tuple[bool, Supervision | None]:
        if alert.ticket_id in self._lose:
            return False, None
        self.raised.append(RaisedAlert(alert.ticket_id, alert.kind, alert.due_at, at))
        if supervision is None:
            return True, None
        stored = replace(supervision, id=SupervisionId(len(self.supervisions) + 1))
        self.supervisions.append(stored)
        return True, stored

    async def alerts_of(self, ticket_id: TicketId) -> list[RaisedAlert]:
        return [a for a in self.raised if a.ticket_id == ticket_id]


DUE = NOW + timedelta(days=3)


def due_watch(ticket: int, **changes: object) -> DeadlineWatch:
    base = DeadlineWatch(TicketId(ticket), TicketStatus.IN_PROGRESS, UNIT, DUE, None, None, NOW)
    return replace(base, **changes)  # type: ignore[arg-type]


async def test_a_sweep_records_the_red_card_with_its_supervision_and_reports_both() -> None:
    store = InMemoryAlerts([due_watch(1), due_watch(2, under_supervision=True)])
    at = DUE + timedelta(seconds=1)
    report = await DeadlineSweeper(store).sweep_once(at, limit=10)
    assert [(a.ticket_id, a.kind, a.opens_supervision) for a in report.alerts] == [
        (1, AlertKind.OVERDUE, True),
        (2, AlertKind.OVERDUE, False),  # a supervision of it is open already
    ]
    assert [(s.id, s.ticket_id, s.trigger, s.opened_by, s.opened_at) for s in report.supervisions] == [
        (1, 1, SupervisionTrigger.OVERDUE, SYSTEM_ID, at)
    ]
    assert (report.examined, store.supervisions) == (2, list(report.supervisions))
    assert await store.alerts_of(TicketId(1)) == [RaisedAlert(TicketId(1), AlertKind.OVERDUE, DUE, at)]


async def test_an_alert_another_sweeper_recorded_first_is_neither_reported_nor_supervised() -> None:
    store = InMemoryAlerts([due_watch(1), due_watch(2)], lose=frozenset({TicketId(1)}))
    report = await DeadlineSweeper(store).sweep_once(DUE + timedelta(seconds=1))
    assert [a.ticket_id for a in report.alerts] == [2]
    assert [s.ticket_id for s in report.supervisions] == [2]


async def test_nothing_due_records_nothing_and_examined_counts_the_loaded_page() -> None:
    store = InMemoryAlerts([due_watch(1), due_watch(2), due_watch(3)])
    report = await DeadlineSweeper(store).sweep_once(NOW, limit=2)
    assert (report.alerts, report.supervisions, report.examined) == ((), (), 2)
    assert store.raised == []


async def test_a_sweep_needs_an_aware_time_and_a_positive_limit() -> None:
    sweeper = DeadlineSweeper(InMemoryAlerts([]))
    with pytest.raises(InvalidInput):
        await sweeper.sweep_once(datetime(2026, 11, 30, 9, 0))
    with pytest.raises(InvalidInput):
        await sweeper.sweep_once(NOW, limit=0)
