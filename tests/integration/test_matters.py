"""Matters (并单) in SQLite and PostgreSQL: candidates, links, distinct callers, escalation once, undo."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.matters import SqlMatterIndex
from callcenter.adapters.db.tables import matters, tickets
from callcenter.core.ids import TicketId
from callcenter.ticketing.matters.duplicates import (
    DuplicateRules,
    MatterId,
    MatterMatch,
    OpenOrder,
    find_matter,
)
from callcenter.ticketing.matters.model import (
    AlreadyInOtherMatter,
    MatterNotFound,
    MatterStatus,
    MatterTicketNotFound,
    NotInMatter,
    SelfLink,
)

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
AREA = "110105010"
WATER = "阳光花园小区从早上开始停水了，到现在还没来水"
RULES = DuplicateRules()


async def add_ticket(
    engine: AsyncEngine,
    caller: str,
    minutes: int = 0,
    text: str = WATER,
    status: str = "dispatched",
    area: str | None = AREA,
    category: str | None = "0301",
) -> TicketId:
    at = T0 + timedelta(minutes=minutes)
    values: dict[str, Any] = {
        "status": status,
        "caller_number": caller,
        "summary": text[:20],
        "request_text": text,
        "area_code": area,
        "category_code": category,
        "created_at": at,
        "updated_at": at,
    }
    async with engine.begin() as conn:
        result = await conn.execute(tickets.insert().values(**values))
    assert result.inserted_primary_key is not None
    return TicketId(result.inserted_primary_key[0])


def match(ticket_id: TicketId) -> MatterMatch:
    return MatterMatch(ticket_id, None, 0.9)


async def matter_ids(engine: AsyncEngine) -> dict[int, int | None]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(tickets.c.id, tickets.c.matter_id))).all()
    return {r.id: r.matter_id for r in rows}


async def matter_count(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(matters))).scalar_one()


async def test_ten_distinct_callers_escalate_exactly_once(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, RULES)
    first = await add_ticket(engine, "13800000000")
    outcomes = []
    for n in range(1, 12):
        new = await add_ticket(engine, f"1380000{n:04d}", minutes=n)
        outcomes.append(await index.link(new, match(first), T0 + timedelta(minutes=n)))
    assert [o.caller_count for o in outcomes] == list(range(2, 13))
    assert [o.escalate for o in outcomes] == [c == 10 for c in range(2, 13)]
    assert outcomes[0].opened and not any(o.opened for o in outcomes[1:])
    assert len({o.matter_id for o in outcomes}) == 1
    shown = await index.matter(outcomes[0].matter_id)
    assert shown.escalated_at == T0 + timedelta(minutes=9)
    assert (shown.ticket_count, shown.caller_count, shown.status) == (12, 12, MatterStatus.OPEN)
    assert (shown.first_ticket_id, shown.opened_at, shown.last_seen_at) == (
        first,
        T0,
        T0 + timedelta(minutes=11),
    )


async def test_the_same_caller_counts_once(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, RULES)
    first = await add_ticket(engine, "13800000001")
    again = await add_ticket(engine, "+86 138 0000 0001", minutes=5)
    third = await add_ticket(engine, "013800000001", minutes=9)
    await index.link(again, match(first), T0)
    linked = await index.link(third, match(again), T0)
    assert (linked.ticket_count, linked.caller_count) == (3, 1)


async def test_withheld_numbers_are_not_counted(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, RULES)
    first = await add_ticket(engine, "13800000001")
    withheld = await add_ticket(engine, "", minutes=1)
    linked = await index.link(withheld, match(first), T0)
    assert (linked.ticket_count, linked.caller_count) == (2, 1)


async def test_linking_again_into_the_same_matter_changes_nothing(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, RULES)
    first, new = await add_ticket(engine, "13800000001"), await add_ticket(engine, "13800000002", 1)
    once = await index.link(new, match(first), T0)
    again = await index.link(new, MatterMatch(first, once.matter_id, 0.9), T0)
    assert (again.matter_id, again.ticket_count, again.opened, again.escalate) == (
        once.matter_id,
        2,
        False,
        False,
    )
    assert len((await index.matter(once.matter_id)).history) == 1


async def test_bad_links_are_refused_and_change_nothing(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, RULES)
    a, b = await add_ticket(engine, "13800000001"), await add_ticket(engine, "13800000002", 1)
    c, d = await add_ticket(engine, "13800000003", 2), await add_ticket(engine, "13800000004", 3)
    await index.link(b, match(a), T0)
    await index.link(d, match(c), T0)
    before = await matter_ids(engine)
    with pytest.raises(SelfLink):
        await index.link(a, match(a), T0)
    with pytest.raises(AlreadyInOtherMatter):  # by hand: the agent undoes the other link first
        await index.link(d, match(a), T0, by="agent-7")
    with pytest.raises(MatterTicketNotFound):
        await index.link(TicketId(9999), match(a), T0)
    with pytest.raises(MatterTicketNotFound):
        await index.link(a, match(TicketId(9999)), T0)
    assert await matter_ids(engine) == before
    assert await matter_count(engine) == 2


async def test_unlink_recomputes_and_a_lone_order_dissolves_the_matter(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, RULES)
    first = await add_ticket(engine, "13800000001")
    second = await add_ticket(engine, "13800000002", 1)
    third = await add_ticket(engine, "13800000003", 2)
    await index.link(second, match(first), T0)
    matter_id = (await index.link(third, match(first), T0)).matter_id
    undone = await index.unlink(first, "agent-7", T0 + timedelta(hours=1))
    assert (undone.ticket_count, undone.caller_count, undone.dissolved) == (2, 2, False)
    shown = await index.matter(matter_id)
    assert (shown.first_ticket_id, shown.opened_at) == (second, T0 + timedelta(minutes=1))
    assert [e["action"] for e in shown.history] == ["link", "link", "unlink"]
    assert shown.history[-1]["by"] == "agent-7"
    last = await index.unlink(third, "agent-7", T0 + timedelta(hours=2))
    assert (last.ticket_count, last.dissolved) == (0, True)
    assert (await index.matter(matter_id)).status is MatterStatus.DISSOLVED
    assert set((await matter_ids(engine)).values()) == {None}
    with pytest.raises(NotInMatter):
        await index.unlink(first, "agent-7", T0)


async def test_unlink_keeps_an_escalation_already_made(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, DuplicateRules(escalate_at_callers=3))
    first = await add_ticket(engine, "13800000001")
    ids = [await add_ticket(engine, f"1380000000{n}", n) for n in (2, 3)]
    results = [await index.link(t, match(first), T0) for t in ids]
    assert [r.escalate for r in results] == [False, True]
    await index.unlink(ids[-1], "agent-7", T0)
    relinked = await index.link(ids[-1], match(first), T0)
    assert relinked.caller_count == 3 and not relinked.escalate


async def test_display_of_a_matter_and_its_orders(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, RULES)
    first, new = await add_ticket(engine, "13800000001"), await add_ticket(engine, "13800000002", 1)
    matter_id = (await index.link(new, match(first), T0)).matter_id
    shown = await index.tickets_of(matter_id)
    assert [(t.ticket_id, t.caller_number, t.status) for t in shown] == [
        (first, "13800000001", "dispatched"),
        (new, "13800000002", "dispatched"),
    ]
    assert shown[0].created_at == T0
    with pytest.raises(MatterNotFound):
        await index.matter(MatterId(9999))
    with pytest.raises(MatterNotFound):
        await index.tickets_of(MatterId(9999))


async def test_candidates_are_open_orders_of_the_area_in_the_window_newest_first(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, RULES)
    old = await add_ticket(engine, "1", minutes=-4 * 24 * 60)  # outside the 72-hour window
    draft = await add_ticket(engine, "2", minutes=10, status="draft")
    closed = await add_ticket(engine, "3", minutes=20, status="closed")
    elsewhere = await add_ticket(engine, "4", minutes=30, area="110105099")
    nowhere = await add_ticket(engine, "5", minutes=40, area=None)
    open_a = await add_ticket(engine, "6", minutes=50, status="in_progress")
    open_b = await add_ticket(engine, "7", minutes=60, status="registered")
    new_id = await add_ticket(engine, "8", minutes=70, status="registered")
    new = OpenOrder(new_id, None, WATER, AREA, "0301", "8", T0 + timedelta(minutes=70))
    found = await index.candidates(new, RULES, limit=10)
    assert [c.ticket_id for c in found] == [open_b, open_a, nowhere]
    assert [c.ticket_id for c in await index.candidates(new, RULES, limit=2)] == [open_b, open_a]
    anywhere = await index.candidates(
        OpenOrder(new_id, None, WATER, None, None, "8", new.received_at), RULES, 10
    )
    assert [c.ticket_id for c in anywhere] == [open_b, open_a, nowhere, elsewhere]
    assert {old, draft, closed}.isdisjoint(c.ticket_id for c in anywhere)
    assert found[0].received_at == T0 + timedelta(minutes=60) and found[0].text == WATER


async def test_registration_flow_candidates_then_find_then_link(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, RULES)
    await add_ticket(engine, "13800000001", text="阳光花园小区停电了，整栋楼都没电", category="0302")
    water = await add_ticket(engine, "13800000002", minutes=5)
    new_id = await add_ticket(engine, "13800000003", minutes=9, text="您好，阳光花园停水了，一早上都没有水")
    new = OpenOrder(new_id, None, "您好，阳光花园停水了，一早上都没有水", AREA, "0301", "13800000003", T0)
    found = find_matter(new, await index.candidates(new, RULES, 100), RULES)
    assert found is not None and found.ticket_id == water
    assert (await index.link(new_id, found, T0)).ticket_count == 2


async def test_concurrent_links_escalate_once(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, RULES)
    first = await add_ticket(engine, "13800000000")
    for n in range(1, 9):
        await index.link(await add_ticket(engine, f"1380000{n:04d}", n), match(first), T0)
    racers = [await add_ticket(engine, f"1390000{n:04d}", 20 + n) for n in range(3)]
    results = await asyncio.gather(*(index.link(t, match(first), T0) for t in racers))
    assert sum(r.escalate for r in results) == 1
    assert max(r.caller_count for r in results) == 12


async def test_concurrent_first_duplicates_open_one_matter(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, RULES)
    first = await add_ticket(engine, "13800000000")
    racers = [await add_ticket(engine, f"1380000{n:04d}", n) for n in range(1, 5)]
    results = await asyncio.gather(*(index.link(t, match(first), T0) for t in racers))
    assert sum(r.opened for r in results) == 1
    assert len({r.matter_id for r in results}) == 1
    assert await matter_count(engine) == 1
    assert (await index.matter(results[0].matter_id)).ticket_count == 5


async def test_registration_links_merge_two_matters_of_one_incident(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, DuplicateRules(escalate_at_callers=3))
    a, b, c = [await add_ticket(engine, f"1380000000{n}", n) for n in (1, 2, 3)]
    d, e = [await add_ticket(engine, f"1380000000{n}", n) for n in (4, 5)]
    older = (await index.link(b, match(a), T0)).matter_id
    escalated = (await index.link(c, match(a), T0)).matter_id  # 3 callers: escalated
    newer = (await index.link(e, match(d), T0)).matter_id
    assert escalated == older and newer != older
    merged = await index.link(d, match(b), T0 + timedelta(minutes=9))
    assert (merged.matter_id, merged.absorbed, merged.ticket_count, merged.caller_count) == (
        older,
        newer,
        5,
        5,
    )
    assert not merged.escalate and not merged.opened  # escalated once, before the merge
    assert set((await matter_ids(engine)).values()) == {older}
    gone = await index.matter(newer)
    assert (gone.status, gone.ticket_count) == (MatterStatus.MERGED, 0)
    assert gone.history[-1]["action"] == "merged_into" and gone.history[-1]["into"] == older
    assert (await index.matter(older)).history[-1]["merged"] == newer
    assert await index.matter_of(e) == older


async def test_the_escalated_matter_survives_a_merge_and_a_lone_match_joins(engine: AsyncEngine) -> None:
    index = SqlMatterIndex(engine, DuplicateRules(escalate_at_callers=3))
    a, b = await add_ticket(engine, "13800000001"), await add_ticket(engine, "13800000002", 1)
    c, d, e = [await add_ticket(engine, f"1380000000{n}", n) for n in (3, 4, 5)]
    older = (await index.link(b, match(a), T0)).matter_id
    newer = (await index.link(d, match(c), T0)).matter_id
    assert (await index.link(e, match(c), T0)).escalate  # the newer one reaches 3 callers first
    merged = await index.link(a, match(e), T0)
    assert (merged.matter_id, merged.absorbed) == (newer, older)
    lone = await add_ticket(engine, "13800000006", 6)
    joined = await index.link(a, match(lone), T0)  # the matched order on its own joins the new one's
    assert (joined.matter_id, joined.ticket_count, joined.absorbed) == (newer, 6, None)
