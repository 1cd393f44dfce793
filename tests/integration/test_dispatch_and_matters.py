"""一单通达 and 并单 through the HTTP API on a real database with the sample city's catalogue: the catalogue
routes a registered order straight to the street office or department; unclear ones wait for a
dispatcher with the reason; repeated calls on one matter are merged and, from 10 callers on, supervised."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.test_work_orders import get, post
from tests.support.web import Web, build_web

GARBAGE = {
    "request_text": "王府井大街18号院门口的垃圾三天没人清运了，味道很大，请尽快处理。",
    "caller_number": "13800138000",
    "category_code": "010101",
    "address": "东城区王府井大街18号",
    "dispatch": "auto",
}


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    return await build_web(aiohttp_client, engine)


async def test_the_catalogue_sends_the_order_straight_to_the_street_office(web: Web) -> None:
    order = await post(web, "agent1", "/api/workorders", GARBAGE)
    assert order["status"] == "dispatched" and order["lead_unit"] == "jd-110101001"
    assert order["area_code"] == "110101001000" and order["request_type"] == "request"  # category default
    assert order["routing"]["unclear"] is None
    inbox = await get(web, "unit-a", "/api/workorders/inbox")
    assert inbox["items"] == []  # unit-a is the tests' own 建国门 unit, not the seed's 东华门 office


async def test_a_city_wide_category_goes_to_the_department_without_an_address(web: Web) -> None:
    body = {**GARBAGE, "request_text": "我家停水了，什么时候来水？", "category_code": "020101", "address": ""}
    order = await post(web, "agent1", "/api/workorders", body)
    assert order["lead_unit"] == "bj-water" and order["status"] == "dispatched"


async def test_an_unclear_route_leaves_the_order_with_the_dispatcher_and_says_why(web: Web) -> None:
    order = await post(web, "agent1", "/api/workorders", {**GARBAGE, "address": "火星路1号"})
    assert order["status"] == "registered" and order["lead_unit"] is None
    assert order["routing"]["unclear"] == "area_unresolved"
    queue = await get(web, "dispatcher1", "/api/workorders/inbox")
    assert order["id"] in [o["id"] for o in queue["items"]]
    no_category = await post(web, "agent1", "/api/workorders", {**GARBAGE, "category_code": ""})
    assert no_category["routing"]["unclear"] == "no_category"


async def test_unknown_codes_are_refused_before_anything_is_stored(web: Web) -> None:
    for body, code in (
        ({**GARBAGE, "category_code": "999999"}, "unknown_category"),
        ({**GARBAGE, "area_code": "999999999999"}, "unknown_area"),
        ({**GARBAGE, "dispatch": "everywhere"}, "invalid_input"),
    ):
        refused = await post(web, "agent1", "/api/workorders", body, status=400)
        assert refused["code"] == code
    assert (await get(web, "agent1", "/api/workorders"))["items"] == []


async def test_the_suggestion_and_the_admins_rule_edit(web: Web) -> None:
    url, where = "/api/catalogue/suggest", {"address": "东城区王府井大街18号", "category": "010101"}
    found = await post(web, "agent1", url, where)
    assert found["area"]["code"] == "110101001000" and found["route"]["lead_unit"] == "jd-110101001"
    categories = await get(web, "agent1", "/api/catalogue/categories")
    assert any(c["path"] == "城乡建设 / 市容环卫 / 垃圾清运" for c in categories["items"])
    rule = {"category_code": "010101", "area_code": "110101001000", "lead_unit": "bj-cgw", "note": "试点"}
    assert await post(web, "dispatcher1", "/api/admin/dispatch-rules", rule, status=405)  # PUT only
    client = await web.login("dispatcher1")
    assert (await client.put("/api/admin/dispatch-rules", json=rule)).status == 403
    client = await web.login("admin")
    assert (await client.put("/api/admin/dispatch-rules", json={**rule, "lead_unit": "nobody"})).status == 400
    assert (await client.put("/api/admin/dispatch-rules", json=rule)).status == 200
    assert (await post(web, "agent1", url, where))["route"]["lead_unit"] == "bj-cgw"
    refused = await get(web, "agent1", "/api/catalogue/suggest?address=王府井大街18号", status=400)
    assert refused["code"] == "personal_data_in_url" and refused["details"]["fields"] == ["address"]
    by_category = await get(web, "agent1", "/api/catalogue/suggest?category=010101")  # no one's data
    assert by_category["area"] is None


async def test_repeated_calls_are_merged_and_ten_callers_escalate_once(web: Web) -> None:
    ids = []
    for n in range(11):
        body = {**GARBAGE, "caller_number": f"1380013{n:04d}"}
        if n % 2:
            body["request_text"] = "王府井大街18号院门口垃圾好几天没清运了，臭得很。"
        ids.append((await post(web, "agent1", "/api/workorders", body))["id"])
    await web.service.settle()  # a match that took longer than the registration waits finishes here
    first = await get(web, "agent1", f"/api/workorders/{ids[0]}")
    matter_id = first["matter_id"]
    assert matter_id is not None
    matter = await get(web, "agent1", f"/api/matters/{matter_id}")
    assert matter["ticket_count"] == 11 and matter["caller_count"] == 11
    supervisions = await get(web, "supervisor1", "/api/supervisions?status=open")
    escalated = [s for s in supervisions["items"] if s["matter_id"] == matter_id]
    assert [s["trigger"] for s in escalated] == ["duplicates"]
    other = await post(web, "agent1", "/api/workorders", {**GARBAGE, "request_text": "王府井大街路灯不亮了"})
    await web.service.settle()
    other = await get(web, "agent1", f"/api/workorders/{other['id']}")
    assert other["matter_id"] is None  # a different matter in the same place
    undone = await post(web, "agent1", f"/api/workorders/{ids[-1]}/matter/unlink", {})
    assert undone["ticket_count"] == 10
    await get(web, "unit-a", f"/api/matters/{matter_id}", status=403)
