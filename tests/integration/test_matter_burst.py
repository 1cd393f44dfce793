"""并单 under a burst, on SQLite and PostgreSQL: dozens of similar calls about one incident registered at the
same moment through the real service and store, by several app processes at once (each its own service
and linker on one database), end in ONE matter holding every order, with the exact number of distinct
callers and one escalation to supervision (督办)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.tables import matters, supervisions, tickets
from callcenter.core.actors import Actor, Role, StaffId
from callcenter.core.clock import FixedClock
from callcenter.ticketing.matters.model import MatterStatus
from callcenter.ticketing.orders.registration import Registration
from callcenter.ticketing.orders.service import AUTO_DISPATCH, Registered
from callcenter.ticketing.orders.workorder import Classification
from callcenter.wiring.workorders import WorkOrderParts, build_work_orders, load_state
from tests.support.web import FAST_HASHER, START, RecordingNotifier, add_units_and_staff

AGENT = Actor(StaffId("agent1"), Role.AGENT)
ORDERS = 48
REPEATS = 6  # callers who call twice: counted once
WORDINGS = (
    "王府井大街18号院门口的垃圾三天没人清运了，味道很大，请尽快处理。",
    "王府井大街18号院门口垃圾好几天没清运了，臭得很。",
    "你好，我反映一下，王府井大街18号院门口的垃圾一直没人清运，味道很大。",
    "王府井大街18号院垃圾好多天没人清运，门口堆满了，味道大。",
)


def registration(n: int) -> Registration:
    where = Classification(category_code="010101", address="东城区王府井大街18号")
    return Registration(request_text=WORDINGS[n % len(WORDINGS)], classification=where)


def caller(n: int) -> str:
    return f"1390000{n % (ORDERS - REPEATS):04d}"


async def processes(engine: AsyncEngine, count: int) -> list[WorkOrderParts]:
    """App processes on one database: each its own service, linker and in-process lock."""
    clock = FixedClock(START)
    folder = Path(tempfile.mkdtemp(prefix="cc-burst-"))
    built = [
        build_work_orders(engine, RecordingNotifier(), clock, folder, hasher=FAST_HASHER)
        for _ in range(count)
    ]
    await add_units_and_staff(built[0])
    for parts in built[1:]:
        await load_state(parts)
    return built


@pytest.mark.parametrize("count", [1, 3], ids=["one process", "three processes"])
async def test_a_burst_of_similar_orders_ends_in_one_matter(engine: AsyncEngine, count: int) -> None:
    built = await processes(engine, count)
    registered: list[Registered] = await asyncio.gather(
        *(
            built[n % count].orders.create(registration(n), caller(n), AGENT, dispatch=AUTO_DISPATCH)
            for n in range(ORDERS)
        )
    )
    for parts in built:
        await parts.orders.settle()
    ids = {r.order.life.id for r in registered}
    async with engine.connect() as conn:
        in_matter = dict((await conn.execute(select(tickets.c.id, tickets.c.matter_id))).all())
        rows = (await conn.execute(select(matters))).mappings().all()
        escalations = (await conn.execute(select(supervisions.c.matter_id))).scalars().all()
    assert set(in_matter) == ids
    (matter_id,) = set(in_matter.values())
    assert matter_id is not None
    living = [r for r in rows if r["status"] == MatterStatus.OPEN]
    assert [r["id"] for r in living] == [matter_id]
    assert (living[0]["ticket_count"], living[0]["caller_count"]) == (ORDERS, ORDERS - REPEATS)
    assert escalations == [matter_id]
    assert all(r["status"] == MatterStatus.MERGED for r in rows if r["id"] != matter_id)
