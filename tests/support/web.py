"""The web application on a real database, with staff accounts and a logged-in client per role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.calendar import SqlCalendarOverrides
from callcenter.adapters.db.repositories import SqlReadModel
from callcenter.adapters.db.staff import SqlStaffDirectory
from callcenter.adapters.db.supervision import SqlDeadlineSweeper, SqlSupervisionStore
from callcenter.adapters.db.tables import units
from callcenter.adapters.db.workorder_queries import SqlWorkOrderQueries
from callcenter.adapters.db.workorders import SqlUnitDirectory, SqlWorkOrderStore
from callcenter.adapters.http.admin import admin_routes
from callcenter.adapters.http.app import RouteHook, WebDeps, create_app
from callcenter.adapters.http.supervision import supervision_routes
from callcenter.core.clock import FixedClock
from callcenter.core.workcalendar import WorkCalendar
from callcenter.staff.model import StaffMember
from callcenter.ticketing.actors import Role, StaffId, UnitId
from callcenter.ticketing.alerts import DeadlineWatch
from callcenter.ticketing.service import InboxNotice, InboxNotifier, WorkOrders

PASSWORD = "correct-horse-12345"
START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # tests only
UNITS = (
    ("jianguomen", "建国门街道办事处", "street_office"),
    ("chaoyangmen", "朝阳门街道办事处", "street_office"),
    ("water", "市自来水集团", "enterprise"),
)
STAFF = (
    StaffMember(StaffId("agent1"), "话务员一", Role.AGENT),
    StaffMember(StaffId("dispatcher1"), "派单员一", Role.DISPATCHER),
    StaffMember(StaffId("supervisor1"), "督办员一", Role.SUPERVISOR),
    StaffMember(StaffId("admin"), "管理员", Role.ADMIN),
    StaffMember(StaffId("unit-a"), "建国门街道", Role.UNIT_STAFF, UnitId("jianguomen")),
    StaffMember(StaffId("unit-b"), "朝阳门街道", Role.UNIT_STAFF, UnitId("chaoyangmen")),
    StaffMember(StaffId("unit-w"), "自来水", Role.UNIT_STAFF, UnitId("water")),
)


@dataclass
class RecordingNotifier:
    """Keeps the notices (a fake of our own port); the Redis one is tested in test_inbox."""

    notices: list[InboxNotice] = field(default_factory=list)

    async def publish(self, notice: InboxNotice) -> None:
        self.notices.append(notice)


async def healthy() -> dict[str, Any]:
    return {"ok": True}


async def add_units_and_staff(engine: AsyncEngine, staff_dir: SqlStaffDirectory) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            units.insert(), [{"id": i, "name": n, "kind": k, "active": True} for i, n, k in UNITS]
        )
    for member in STAFF:
        await staff_dir.add(member, PASSWORD, START)


@dataclass
class Web:
    client: Any  # the aiohttp TestClient
    clock: FixedClock
    service: WorkOrders
    notifier: InboxNotifier
    staff: SqlStaffDirectory
    login: Callable[[str], Awaitable[TestClient]]  # type: ignore[type-arg]
    deadlines: DeadlineWatch


async def build_web(
    aiohttp_client: Any,
    engine: AsyncEngine,
    notifier: InboxNotifier | None = None,
    extra_routes: Sequence[RouteHook] = (),
) -> Web:
    clock = FixedClock(START)
    store = SqlWorkOrderStore(engine)
    notifier = notifier or RecordingNotifier()
    service = WorkOrders(store, SqlUnitDirectory(engine), notifier, clock, WorkCalendar.published())
    staff_dir = SqlStaffDirectory(engine, FAST_HASHER)
    sweeper = SqlDeadlineSweeper(engine)
    watch = DeadlineWatch(sweeper, store, notifier, clock)
    await add_units_and_staff(engine, staff_dir)
    deps = WebDeps(
        read_model=SqlReadModel(engine),
        host_path=lambda p: p,
        health=healthy,
        staff=staff_dir,
        clock=clock,
        work_orders=service,
        order_queries=SqlWorkOrderQueries(engine),
        audit_trail=store,
        extra_routes=(
            admin_routes(staff_dir, SqlCalendarOverrides(engine), service),
            supervision_routes(SqlSupervisionStore(engine), sweeper),
            *extra_routes,
        ),
    )
    client: TestClient = await aiohttp_client(create_app(deps))  # type: ignore[type-arg]

    async def login(user: str) -> TestClient:  # type: ignore[type-arg]
        """The one test client, now logged in as ``user`` (the session cookie is replaced)."""
        client.session.cookie_jar.clear()
        response = await client.post("/api/login", json={"login": user, "password": PASSWORD})
        assert response.status == 200, await response.text()
        return client

    return Web(client, clock, service, notifier, staff_dir, login, watch)
