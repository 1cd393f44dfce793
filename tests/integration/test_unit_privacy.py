"""What handling units read of the citizen's words, through the real app on a real database (SQLite and
PostgreSQL): numbers masked on every order, the informant removed from a confidential one (保密), the agent
warned at 受理 before any unit reads it; hotline staff keep the full text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.tables import tickets
from callcenter.adapters.db.workorders import unit_search_text
from tests.integration.test_work_orders import act, draft_from_words, get, post
from tests.support.web import Web, build_web

REPORT = "举报人王五 13511112222，王府井大街的烧烤店天天占道经营到凌晨，我住在幸福小区3号楼。"
SECRETS = ("王五", "13511112222", "1351111", "2222", "幸福小区")
ORDER: dict[str, Any] = {
    "request_text": REPORT,
    "caller_number": "13511112222",
    "citizen": {"name": "王五", "phone": "13511112222"},
    "category_code": "0501",
    "address": "东城区王府井大街",
    "confidential": True,
    "dispatch": {"lead_unit": "jianguomen", "assisting_units": ["chaoyangmen"]},
}
PLAIN: dict[str, Any] = {
    **ORDER,
    "request_text": "小区门口的路灯坏了三天。我的电话是幺三九 幺二三四 五六七八，身份证110101199003071234。",
    "confidential": False,
    "citizen": {"name": "李女士", "phone": "13912345678"},
    "caller_number": "13912345678",
}
UNITS = ("unit-a", "unit-b")  # the lead unit (主办) and the assisting unit (协办)


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    return await build_web(aiohttp_client, engine)


def everything(body: dict[str, Any]) -> str:
    return json.dumps(body, ensure_ascii=False)


async def stored_orders(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(tickets))).scalar_one())


async def test_a_confidential_order_is_refused_until_the_agent_has_seen_what_identifies_the_informant(
    web: Web, engine: AsyncEngine
) -> None:
    refused = await post(web, "agent1", "/api/workorders", ORDER, status=422)
    assert refused["code"] == "privacy_review_needed"
    warnings = refused["details"]["privacy_warnings"]
    assert {"kind": "phone", "text": "135****2222"} in warnings
    assert {"kind": "name", "text": "王五"} in warnings and {
        "kind": "address",
        "text": "幸福小区3号楼",
    } in warnings
    assert "13511112222" not in everything(warnings)
    preview = refused["details"]["unit_view"]["request_text"]
    assert preview.startswith("举报人【姓名已隐去】 【电话已隐去】，王府井大街的烧烤店")
    assert await stored_orders(engine) == 0  # nothing saved, no unit notified
    assert web.notifier.notices == []  # type: ignore[attr-defined]

    order = await post(web, "agent1", "/api/workorders", {**ORDER, "privacy_confirmed": True})
    assert order["status"] == "dispatched" and order["privacy_warnings"] == warnings
    assert order["request_text"] == REPORT and order["unit_view"]["request_text"] == preview


async def test_lead_and_assisting_units_never_receive_the_informant(web: Web) -> None:
    order = await post(web, "agent1", "/api/workorders", {**ORDER, "privacy_confirmed": True})
    await act(web, "supervisor1", order, "supervise", note="请尽快处理，举报人王五电话13511112222")
    for user in UNITS:
        seen = await get(web, user, f"/api/workorders/{order['id']}")
        inbox = await get(web, user, "/api/workorders/inbox")
        listed = await get(web, user, "/api/workorders")
        for body in (seen, inbox, listed):
            assert not any(secret in everything(body) for secret in SECRETS), (user, body)
        assert "王府井大街的烧烤店天天占道经营到凌晨" in seen["request_text"]
        assert "【姓名已隐去】" in seen["summary"] and inbox["items"][0]["summary"] == seen["summary"]
        assert seen["annotations"][0]["text"] == "请尽快处理，举报人【姓名已隐去】电话【电话已隐去】"
        assert "unit_view" not in seen and "unit_summary" not in seen
    hotline = await get(web, "dispatcher1", f"/api/workorders/{order['id']}")
    assert hotline["request_text"] == REPORT and "13511112222" in hotline["annotations"][0]["text"]


async def search(web: Web, user: str, words: str) -> dict[str, Any]:
    return await post(web, user, "/api/workorders/search", {"q": words})


async def test_a_units_search_looks_only_in_what_the_unit_reads(web: Web, engine: AsyncEngine) -> None:
    order = await post(web, "agent1", "/api/workorders", {**ORDER, "privacy_confirmed": True})
    for probe in ("王五", "1351111", "2222", "幸福小区"):
        assert (await search(web, "unit-a", probe))["items"] == [], probe
    assert [o["id"] for o in (await search(web, "unit-a", "烧烤店"))["items"]] == [order["id"]]
    hotline = await search(web, "dispatcher1", "王五")
    assert [o["id"] for o in hotline["items"]] == [order["id"]]
    async with engine.connect() as conn:
        row = (await conn.execute(select(tickets.c.unit_text))).scalar_one()
    assert "王府井大街" in row and not any(secret in row for secret in SECRETS)


async def test_a_unit_summary_is_what_units_read_of_a_confidential_order(web: Web) -> None:
    written = "王府井大街一烧烤店夜间占道经营，请核查处理。"
    order = await post(web, "agent1", "/api/workorders", {**ORDER, "unit_summary": written})
    assert order["privacy_warnings"] == []  # the text units read holds nothing: no confirmation needed
    assert order["unit_summary"] == written and order["request_text"] == REPORT
    seen = await get(web, "unit-b", f"/api/workorders/{order['id']}")
    assert (seen["summary"], seen["request_text"]) == (written, written)
    careless = {**ORDER, "unit_summary": "王五反映烧烤店占道"}
    refused = await post(web, "agent1", "/api/workorders", careless, status=422)
    assert refused["details"]["privacy_warnings"] == [{"kind": "name", "text": "王五"}]


async def test_units_read_ordinary_orders_with_every_number_masked(web: Web) -> None:
    order = await post(web, "agent1", "/api/workorders", PLAIN)
    assert "privacy_warnings" in order and order["privacy_warnings"] == []
    await act(web, "supervisor1", order, "supervise", note="市民说身份证110101199003071234办不了")
    for user in UNITS:
        seen = await get(web, user, f"/api/workorders/{order['id']}")
        assert seen["request_text"] == (
            "小区门口的路灯坏了三天。我的电话是139****5678，身份证110101********1234。"
        )
        assert seen["summary"] == seen["request_text"]  # the automatic summary, masked for everyone
        assert seen["citizen"] == {"name": "李女士", "phone": "139****5678"}  # as before (views.citizen_for)
        assert seen["annotations"][0]["text"] == "市民说身份证110101********1234办不了"
        assert [t["details"].get("note") for t in seen["trail"] if t["action"] == "supervise"] == [
            "市民说身份证110101********1234办不了"
        ]
        inbox = await get(web, user, "/api/workorders/inbox")
        assert "13912345678" not in everything(inbox) and "199003071234" not in everything(inbox)
    agent = await get(web, "agent1", f"/api/workorders/{order['id']}")
    assert (
        agent["request_text"] == PLAIN["request_text"] and agent["summary"] == agent["unit_view"]["summary"]
    )


async def test_a_supervision_note_on_a_units_order_is_masked_for_the_unit(web: Web) -> None:
    order = await post(web, "agent1", "/api/workorders", PLAIN)
    body = {"ticket_id": order["id"], "kind": "platform", "note": "市民13912345678多次来电，请回电"}
    await post(web, "supervisor1", "/api/supervisions", body, status=201)
    seen = await get(web, "unit-a", f"/api/workorders/{order['id']}/supervision")
    assert [s["note"] for s in seen["supervisions"]] == ["市民139****5678多次来电，请回电"]
    hotline = await get(web, "supervisor1", f"/api/workorders/{order['id']}/supervision")
    assert [s["note"] for s in hotline["supervisions"]] == [body["note"]]


async def test_registering_a_confidential_draft_from_a_call_warns_the_agent_first(
    web: Web, engine: AsyncEngine
) -> None:
    words = "我叫王五 电话 幺三五 幺幺幺幺 二二二二 王府井大街 的 烧烤店 天天 占道 经营"
    draft = await draft_from_words(web, engine, "1764.7", words)
    assert draft["summary"] == "我叫王五 电话 135****2222 王府井大街 的 烧烤店 天天 占道 经营"
    body = {
        "version": draft["version"],
        "request_text": draft["request_text"],
        "confidential": True,
        "category_code": "0501",
        "address": "东城区王府井大街",
        "dispatch": {"lead_unit": "jianguomen"},
    }
    url = f"/api/workorders/{draft['id']}/register"
    refused = await post(web, "agent1", url, body, status=422)
    assert {"kind": "phone", "text": "135****2222"} in refused["details"]["privacy_warnings"]
    still = await get(web, "agent1", f"/api/workorders/{draft['id']}")
    assert still["status"] == "draft" and still["version"] == draft["version"]
    order = await post(web, "agent1", url, {**body, "privacy_confirmed": True})
    seen = await get(web, "unit-a", f"/api/workorders/{order['id']}")
    assert seen["request_text"].startswith("我叫【姓名已隐去】 电话 【电话已隐去】 王府井大街 的 烧烤店")
    assert "王五" not in everything(seen) and "2222" not in everything(seen)


def test_the_search_text_is_what_units_read() -> None:
    from tests.unit.test_redaction import order

    assert unit_search_text(order(True)).startswith("【姓名已隐去】举报烧烤店占道")


async def test_the_migration_fills_the_unit_text_of_older_orders(tmp_path: Any) -> None:
    """0006 on an SQLite file holding an order from before: its unit text is filled by today's rules."""
    from datetime import UTC, datetime

    from callcenter.adapters.db.engine import create_engine, upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await upgrade(url, "0005")
    old = create_engine(url)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    columns = {"status": "dispatched", "caller_number": "13511112222", "summary": "王五举报烧烤店"}
    columns.update(request_text=REPORT, citizen_name="王五", citizen_phone="13511112222")
    async with old.begin() as conn:
        await conn.exec_driver_sql(
            "INSERT INTO tickets (status, caller_number, summary, request_text, citizen_name, citizen_phone,"
            " confidential, created_at, updated_at, version) VALUES (:status, :caller_number, :summary,"
            " :request_text, :citizen_name, :citizen_phone, 1, :at, :at, 3)",
            {**columns, "at": at.isoformat()},
        )
    await old.dispose()
    await upgrade(url)
    new = create_engine(url)
    async with new.connect() as conn:
        row = (await conn.execute(select(tickets.c.unit_text, tickets.c.unit_summary))).one()
    await new.dispose()
    assert row.unit_summary == "" and row.unit_text.startswith(
        "【姓名已隐去】举报烧烤店\n举报人【姓名已隐去】"
    )
    assert not any(secret in row.unit_text for secret in SECRETS)
