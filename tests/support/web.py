"""The web application on a real database, with staff accounts and a logged-in client per role."""

from __future__ import annotations

import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web import Application
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.catalogue import load_seed
from callcenter.adapters.db.repositories import SqlReadModel
from callcenter.adapters.db.staff import DEFAULT_HASH_SLOTS, SqlStaffDirectory
from callcenter.adapters.http.access_log import RUNNER_OPTIONS
from callcenter.adapters.http.api import HealthProbe
from callcenter.adapters.http.app import RouteHook, WebDeps, create_app
from callcenter.adapters.http.streams import DEFAULT_PER_SESSION
from callcenter.core.actors import Role, StaffId, UnitId
from callcenter.core.clock import FixedClock
from callcenter.core.proxies import NO_PROXIES, TrustedProxies
from callcenter.staff.model import StaffMember
from callcenter.staff.throttle import LoginPolicy
from callcenter.ticketing.catalogue.gazetteer import AreaCode
from callcenter.ticketing.catalogue.model import HandlingUnit, UnitKind
from callcenter.ticketing.orders.ports import InboxNotice, InboxNotifier
from callcenter.ticketing.orders.service import WorkOrders
from callcenter.ticketing.supervision.alerts import DeadlineWatch
from callcenter.wiring.workorders import WorkOrderParts, build_work_orders, load_state, work_order_routes

PASSWORD = "correct-horse-12345"
START = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # tests only
UNITS = (  # (id, name, kind, area): units of the tests' own beside the sample city's
    ("jianguomen", "建国门街道办事处", "street_office", "110101001000"),
    ("chaoyangmen", "朝阳门街道办事处", "street_office", "110101002000"),
    ("water", "市自来水集团", "enterprise", ""),
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


async def add_units_and_staff(parts: WorkOrderParts) -> None:
    """The sample city's catalogue (seed data), three units of our own for explicit dispatch, the staff."""
    await parts.catalogue_store.seed(load_seed(), START)
    for unit_id, name, kind, area in UNITS:
        await parts.dispatch_catalogue.put_unit(
            HandlingUnit(UnitId(unit_id), name, UnitKind(kind), AreaCode(area) if area else None)
        )
    await load_state(parts)
    for member in STAFF:
        await parts.staff.add(member, PASSWORD, START)


async def served(aiohttp_client: Any, app: Application) -> TestClient:  # type: ignore[type-arg]
    """A test client of ``app`` served as ``serve`` serves it: with the redacting access log. (The
    fixture's ``server_kwargs`` never reach aiohttp's runner, so the server is started here.)"""
    server = TestServer(app)
    await server.start_server(**RUNNER_OPTIONS)
    client: TestClient = await aiohttp_client(server)  # type: ignore[type-arg]
    return client


@dataclass
class Web:
    client: Any  # the aiohttp TestClient
    clock: FixedClock
    service: WorkOrders
    notifier: InboxNotifier
    staff: SqlStaffDirectory
    login: Callable[[str], Awaitable[TestClient]]  # type: ignore[type-arg]
    deadlines: DeadlineWatch
    parts: WorkOrderParts


async def build_web(
    aiohttp_client: Any,
    engine: AsyncEngine,
    notifier: InboxNotifier | None = None,
    extra_routes: Sequence[RouteHook] = (),
    attachments_dir: Path | None = None,
    login_policy: LoginPolicy | None = None,
    hash_slots: int = DEFAULT_HASH_SLOTS,
    trusted_proxies: TrustedProxies = NO_PROXIES,
    health: HealthProbe = healthy,
    streams_per_session: int = DEFAULT_PER_SESSION,
) -> Web:
    """The app as bootstrap composes it (work_order_parts), minus calls; ``extra_routes`` add the inbox
    or attachment routes a test wants."""
    clock = FixedClock(START)
    notifier = notifier or RecordingNotifier()
    folder = attachments_dir or Path(tempfile.mkdtemp(prefix="cc-attachments-"))
    parts = build_work_orders(engine, notifier, clock, folder, hasher=FAST_HASHER, hash_slots=hash_slots)
    await add_units_and_staff(parts)
    deps = WebDeps(
        read_model=SqlReadModel(engine),
        host_path=lambda p: p,
        health=health,
        staff=parts.staff,
        clock=clock,
        work_orders=parts.orders,
        order_queries=parts.queries,
        audit_trail=parts.store,
        extra_routes=(*work_order_routes(parts), *extra_routes),
        login_policy=login_policy or LoginPolicy(),
        trusted_proxies=trusted_proxies,
        streams_per_session=streams_per_session,
    )
    client = await served(aiohttp_client, create_app(deps))

    async def login(user: str) -> TestClient:  # type: ignore[type-arg]
        """The one test client, now logged in as ``user`` (the session cookie is replaced)."""
        client.session.cookie_jar.clear()
        response = await client.post("/api/login", json={"login": user, "password": PASSWORD})
        assert response.status == 200, await response.text()
        return client

    return Web(client, clock, parts.orders, notifier, parts.staff, login, parts.deadlines, parts)
