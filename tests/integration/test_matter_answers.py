"""A matter (并单) handled once, through the HTTP API on SQLite and PostgreSQL: the lead unit's reply to one
order — or to the matter — concludes every open order it leads, each with its own reply and audit event;
the orders it cannot conclude are reported; a 不满意 at any citizen's 回访 reopens the matter for all."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.test_work_orders import NEW_ORDER, act, get, post
from tests.support.web import Web, build_web

REPLY = "已联系路灯所，当天修复。"


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    return await build_web(aiohttp_client, engine)


async def order_for(web: Web, unit: str, caller: str) -> dict[str, Any]:
    body = {**NEW_ORDER, "caller_number": caller, "dispatch": {"lead_unit": unit}}
    body["citizen"] = {"name": "市民", "phone": caller}
    return await post(web, "agent1", "/api/workorders", body)


async def one_matter(web: Web) -> tuple[int, list[dict[str, Any]]]:
    """Four calls about one street light: three for 建国门 (unit-a), one dispatched to 朝阳门 (unit-b)."""
    orders = [await order_for(web, "jianguomen", f"1380013800{n}") for n in range(3)]
    orders.append(await order_for(web, "chaoyangmen", "13800138009"))
    await web.service.settle()
    fresh = [await get(web, "agent1", f"/api/workorders/{o['id']}") for o in orders]
    (matter_id,) = {o["matter_id"] for o in fresh}
    assert matter_id is not None
    return matter_id, fresh


def ids(items: list[dict[str, Any]]) -> list[int]:
    return sorted(i["ticket_id"] for i in items)


async def test_one_reply_concludes_the_matter_and_reports_what_it_could_not(web: Web) -> None:
    matter_id, (waiting, handled, returned, elsewhere) = await one_matter(web)
    handled = await act(web, "unit-a", handled, "acknowledge")
    handled = await act(web, "unit-a", handled, "start_handling")
    await act(web, "unit-a", returned, "return", reason="不属本单位职责")
    preview = await get(web, "unit-a", f"/api/workorders/{handled['id']}/matter/reply")
    assert (preview["matter_id"], sorted(preview["done"])) == (
        matter_id,
        sorted([waiting["id"], handled["id"]]),
    )
    replied = await act(web, "unit-a", handled, "reply", text=REPLY)
    assert replied["status"] == "replied"
    outcome = replied["matter_reply"]
    assert sorted(outcome["done"]) == sorted([handled["id"], waiting["id"]])
    refused = {r["ticket_id"]: (r["status"], r["code"]) for r in outcome["refused"]}
    assert refused == {
        returned["id"]: ("returned", "not_in_handling"),
        elsewhere["id"]: (None, "not_lead_unit"),
    }
    other = await get(web, "unit-a", f"/api/workorders/{waiting['id']}")
    assert other["status"] == "replied" and [r["text"] for r in other["replies"]] == [REPLY]
    steps = [(t["action"], t["actor_id"]) for t in other["trail"]][-3:]
    assert steps == [("acknowledge", "unit-a"), ("start_handling", "unit-a"), ("reply", "unit-a")]
    assert (await get(web, "unit-b", f"/api/workorders/{elsewhere['id']}"))["status"] == "dispatched"


async def test_a_dissatisfied_citizen_reopens_the_matter_for_all(web: Web) -> None:
    matter_id, orders = await one_matter(web)
    first, second = orders[0], orders[1]
    started = await act(web, "unit-a", first, "acknowledge")
    started = await act(web, "unit-a", started, "start_handling")
    await act(web, "unit-a", started, "reply", text=REPLY)
    pending = []
    for order in (first, second):
        fresh = await get(web, "agent1", f"/api/workorders/{order['id']}")
        pending.append(await act(web, "agent1", fresh, "schedule_callback"))
    unhappy = await act(web, "agent1", pending[1], "callback", outcome="dissatisfied", note="路灯还是不亮")
    assert unhappy["status"] == "dispatched"
    reopened = await get(web, "unit-a", f"/api/workorders/{first['id']}")
    assert reopened["status"] == "dispatched" and reopened["lead_unit"] == "jianguomen"
    last = reopened["trail"][-1]
    assert (last["action"], last["actor_id"]) == ("reopen", "system:matter")
    assert f"#{second['id']}" in last["details"]["reason"] and "路灯还是不亮" in last["details"]["reason"]
    again = await post(web, "unit-a", f"/api/matters/{matter_id}/reply", {"text": "已更换灯泡。"})
    assert sorted(again["done"]) == sorted(o["id"] for o in orders[:3])  # the third was never handled
    for order in orders[:2]:
        shown = await get(web, "unit-a", f"/api/workorders/{order['id']}")
        assert shown["status"] == "replied" and shown["replies"][-1]["text"] == "已更换灯泡。"


async def test_the_matter_reply_is_for_units_that_lead_its_orders(web: Web) -> None:
    matter_id, orders = await one_matter(web)
    url = f"/api/matters/{matter_id}/reply"
    assert (await post(web, "agent1", url, {"text": REPLY}, status=403))["code"] == "role_forbidden"
    assert (await post(web, "unit-w", url, {"text": REPLY}, status=404))["code"] == "matter_not_found"
    assert (await post(web, "unit-b", url, {"text": ""}, status=400))["code"] == "invalid_input"
    done = await post(web, "unit-b", url, {"text": REPLY})
    assert done["done"] == [orders[3]["id"]] and len(done["refused"]) == 3
    nothing = await post(web, "unit-b", url, {"text": REPLY}, status=409)
    assert nothing["code"] == "matter_nothing_to_reply"
    assert ids(nothing["details"]["refused"]) == sorted(o["id"] for o in orders)
