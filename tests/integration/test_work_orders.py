"""Work orders through the HTTP API on a real database (SQLite and PostgreSQL): the 七单法 loop, access
by role and unit, version conflicts, bad input. Every step is read back from the database."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.tables import ticket_events, tickets
from tests.support.web import RecordingNotifier, Web, build_web

HOSTILE = '<script>alert("x")</script>小区门口的路灯坏了三天'
NEW_ORDER = {
    "request_text": "东城区建国门内大街18号小区门口的路灯坏了三天，晚上很黑，请尽快修理。",
    "caller_number": "13800138000",
    "citizen": {"name": "王女士", "phone": "13800138000"},
    "category_code": "0501",
    "address": "东城区建国门内大街18号",
    "urgency": "normal",
    "request_type": "request",
}


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    return await build_web(aiohttp_client, engine)


async def post(web: Web, user: str, url: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    client = await web.login(user)
    response = await client.post(url, json=body)
    data: dict[str, Any] = await response.json()
    assert response.status == status, data
    return data


async def get(web: Web, user: str, url: str, status: int = 200) -> dict[str, Any]:
    client = await web.login(user)
    response = await client.get(url)
    data: dict[str, Any] = await response.json()
    assert response.status == status, data
    return data


async def act(
    web: Web, user: str, order: dict[str, Any], action: str, status: int = 200, **fields: Any
) -> Any:
    url = f"/api/workorders/{order['id']}/actions/{action}"
    return await post(web, user, url, {"version": order["version"], **fields}, status)


async def dispatched(web: Web, **extra: Any) -> dict[str, Any]:
    body = {**NEW_ORDER, "dispatch": {"lead_unit": "jianguomen"}, **extra}
    return await post(web, "agent1", "/api/workorders", body)


async def test_the_whole_loop_register_dispatch_handle_reply_callback_close(
    web: Web, engine: AsyncEngine
) -> None:
    order = await dispatched(web)
    assert order["status"] == "dispatched" and order["lead_unit"] == "jianguomen"
    assert order["due_at"] and order["contact_due_at"] and order["warn_at"]

    inbox = await get(web, "unit-a", "/api/workorders/inbox")
    assert [o["id"] for o in inbox["items"]] == [order["id"]]
    order = await act(web, "unit-a", order, "acknowledge")
    order = await act(web, "unit-a", order, "start_handling")
    order = await act(web, "unit-a", order, "reply", text="已联系路灯所，当天修复。")
    assert order["status"] == "replied"
    order = await act(web, "agent1", order, "schedule_callback")
    order = await act(web, "agent1", order, "callback", outcome="satisfied", note="市民满意")
    assert order["status"] == "closed" and order["closed_at"]

    trail = order["trail"]
    assert [(t["action"], t["from_status"], t["to_status"]) for t in trail] == [
        ("register", "draft", "registered"),
        ("dispatch", "registered", "dispatched"),
        ("acknowledge", "dispatched", "acknowledged"),
        ("start_handling", "acknowledged", "in_progress"),
        ("reply", "in_progress", "replied"),
        ("schedule_callback", "replied", "callback_pending"),
        ("callback_satisfied", "callback_pending", "closed"),
    ]
    assert [t["actor_id"] for t in trail][2:5] == ["unit-a"] * 3
    async with engine.connect() as conn:
        row = (await conn.execute(select(tickets).where(tickets.c.id == order["id"]))).mappings().one()
    assert row["status"] == "closed" and row["version"] == order["version"] == 8
    notified = web.notifier.notices  # type: ignore[attr-defined]
    assert isinstance(web.notifier, RecordingNotifier) and notified[-1].units == ("jianguomen",)


async def test_a_stale_version_is_refused_and_changes_nothing(web: Web, engine: AsyncEngine) -> None:
    order = await dispatched(web)
    await act(web, "unit-a", order, "acknowledge")
    refused = await act(web, "unit-a", order, "return", status=409, reason="不属于本单位职责")
    assert refused["code"] == "concurrent_update"
    current = await get(web, "unit-a", f"/api/workorders/{order['id']}")
    assert current["status"] == "acknowledged" and current["returns"] == []
    async with engine.connect() as conn:
        events = (await conn.execute(select(func.count()).select_from(ticket_events))).scalar_one()
    assert events == 3


async def test_another_units_order_is_not_found_and_never_shown(web: Web) -> None:
    order = await dispatched(web)
    for url in (f"/api/workorders/{order['id']}", "/api/workorders/999999"):
        missing = await get(web, "unit-b", url, status=404)
        assert "13800138000" not in str(missing) and "路灯" not in str(missing)
    refused = await act(web, "unit-b", order, "acknowledge", status=404)
    missing = await act(web, "unit-b", {**order, "id": 999999}, "acknowledge", status=404)
    assert refused == {
        "code": "not_found",
        "message": "ticket not found",
        "details": {"ticket_id": order["id"]},
    }
    assert {**missing, "details": refused["details"]} == refused  # the same answer, bar the id asked for
    assert (await get(web, "unit-b", "/api/workorders"))["items"] == []
    assert (await get(web, "unit-b", "/api/workorders/inbox"))["items"] == []
    assert (await get(web, "unit-b", "/api/calls", status=403))["code"] == "role_forbidden"


async def test_units_see_a_masked_phone_and_nothing_of_a_confidential_citizen(web: Web) -> None:
    plain = await dispatched(web)
    seen = await get(web, "unit-a", f"/api/workorders/{plain['id']}")
    assert seen["citizen"] == {"name": "王女士", "phone": "138****8000"}
    assert seen["caller_number"] == "138****8000"
    secret = await dispatched(web, confidential=True)
    seen = await get(web, "unit-a", f"/api/workorders/{secret['id']}")
    assert seen["citizen"] is None and seen["caller_number"] is None
    assert "13800138000" not in str(seen) and "王女士" not in str(seen)
    hotline = await get(web, "dispatcher1", f"/api/workorders/{secret['id']}")
    assert hotline["citizen"]["phone"] == "13800138000"


async def test_return_reassign_and_reject_are_recorded(web: Web) -> None:
    order = await dispatched(web)
    order = await act(web, "unit-a", order, "return", reason="供水问题，应由自来水集团办理")
    assert order["status"] == "returned"
    queue = await get(web, "dispatcher1", "/api/workorders/inbox")
    assert order["id"] in [o["id"] for o in queue["items"]]
    same = await act(web, "dispatcher1", order, "reassign", status=400, lead_unit="jianguomen")
    assert same["code"] == "reassign_to_same_unit"
    order = await act(web, "dispatcher1", order, "reassign", lead_unit="water")
    assert order["lead_unit"] == "water" and order["returns"][0]["outcome"] == "reassigned"
    await get(web, "unit-a", f"/api/workorders/{order['id']}", status=404)  # no longer involved
    order = await act(web, "unit-w", order, "return", reason="非供水管网问题")
    order = await act(web, "dispatcher1", order, "reject_return", reason="经核实属供水管网")
    assert order["status"] == "dispatched" and order["lead_unit"] == "water"


async def test_an_extension_moves_the_deadline_by_working_days(web: Web) -> None:
    order = await dispatched(web)
    order = await act(web, "unit-a", order, "acknowledge")
    due = order["due_at"]
    order = await act(web, "unit-a", order, "request_extension", working_days=3, reason="需协调施工单位")
    inbox = await get(web, "supervisor1", "/api/workorders/inbox")
    assert order["id"] in [o["id"] for o in inbox["items"]]
    refused = await act(web, "unit-a", order, "approve_extension", status=403)
    assert refused["code"] == "role_forbidden"
    order = await act(web, "supervisor1", order, "approve_extension")
    assert order["due_at"] > due and order["extensions"][0]["approved_days"] == 3
    too_many = await act(web, "unit-a", order, "request_extension", status=409, working_days=8, reason="再延")
    assert too_many["code"] == "extension_limit_exceeded"


async def test_bad_input_gets_clear_errors_and_stores_nothing(web: Web, engine: AsyncEngine) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({**NEW_ORDER, "dispatch": {"lead_unit": "no-such-unit"}}, "unknown_unit"),
        ({**NEW_ORDER, "request_text": "  "}, "invalid_input"),
        ({**NEW_ORDER, "request_text": "x" * 5000}, "invalid_input"),
        ({**NEW_ORDER, "request_text": "路灯\x00坏了"}, "invalid_text"),
        ({**NEW_ORDER, "urgency": "panic"}, "invalid_input"),
        ({**NEW_ORDER, "citizen": "王女士"}, "invalid_input"),
    ]
    for body, code in cases:
        refused = await post(web, "agent1", "/api/workorders", body, status=400)
        assert refused["code"] == code, (body, refused)
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(tickets))).scalar_one() == 0
    client = await web.login("agent1")
    not_json = await client.post("/api/workorders", data="request_text=x")
    assert not_json.status == 415
    order = await dispatched(web)
    early = await act(web, "unit-a", order, "reply", status=409, text="已处理")
    assert early["code"] == "invalid_transition"
    unknown = await act(web, "unit-a", order, "explode", status=404)
    assert unknown["code"] == "not_found"


async def test_hostile_text_is_stored_and_returned_verbatim_as_data(web: Web) -> None:
    order = await post(web, "agent1", "/api/workorders", {**NEW_ORDER, "request_text": HOSTILE})
    client = await web.login("agent1")
    response = await client.get(f"/api/workorders/{order['id']}")
    assert response.content_type == "application/json"
    assert (await response.json())["request_text"] == HOSTILE


async def test_without_a_session_every_api_answers_401(web: Web) -> None:
    client = await web.login("agent1")
    await client.post("/api/logout")
    for url in ("/api/workorders", "/api/workorders/inbox", "/api/calls", "/api/tickets", "/api/me"):
        response = await client.get(url)
        assert response.status == 401, url
    wrong = await client.post("/api/login", json={"login": "agent1", "password": "wrong-password!"})
    assert wrong.status == 401 and (await wrong.json())["code"] == "invalid_credentials"


async def test_the_deadline_runs_in_working_days_from_dispatch(web: Web) -> None:
    web.clock.set(web.clock.now() + timedelta(days=0))
    order = await dispatched(web, request_type="consultation")
    # Tue 2026-11-24 10:00 Shanghai + 3 working days, receipt day not counted → Fri 27th 17:30 = 09:30 UTC
    assert order["due_at"].startswith("2026-11-27T09:30:00")


async def test_a_draft_from_a_call_is_registered_and_dispatched_in_one_step(
    web: Web, engine: AsyncEngine
) -> None:
    from callcenter.adapters.db.repositories import SqlCallRepository, SqlTranscriptionStore
    from callcenter.asr.model import Segment, Speaker, Transcript
    from callcenter.calls.model import CallPhase, CallRecord
    from callcenter.core.ids import CallId
    from callcenter.ticketing.orders.drafting import draft_from_transcript
    from callcenter.ticketing.suggestions.assistant import suggest

    call = CallRecord(CallId("1764.9"), "13900139000", "PJSIP/pstn-9", web.clock.now(), phase=CallPhase.ENDED)
    await SqlCallRepository(engine).save(call)
    words = "我家自来水停了两天了，请帮忙问问什么时候恢复。"
    transcript = Transcript("whisper", "zh", 3.0, (Segment(Speaker.CALLER, 0.5, 2.5, words),))
    draft = draft_from_transcript(call, transcript, web.clock.now())
    await SqlTranscriptionStore(engine).store(call.call_id, transcript, None, draft, web.clock.now())
    drafts = await get(web, "agent1", "/api/workorders?status=draft")
    (found,) = drafts["items"]
    assert found["call_id"] == "1764.9" and found["citizen"] == {"name": "", "phone": ""}
    whole = await get(web, "agent1", f"/api/workorders/{found['id']}")
    suggested = whole["suggestions"]  # read from the caller's words; nothing stored until registered
    assert suggested["request_type"] == "request" and suggested["contact_number"] is None
    expected = suggest(words)
    assert (suggested["urgency"], suggested["urgency_reasons"]) == (
        expected.urgency,
        list(expected.urgency_reasons),
    )
    assert suggested["request_text"] == expected.request_text and whole["request_text"] == words

    body = {
        "version": found["version"],
        "request_text": words,
        "address": "东城区朝阳门南小街",
        "request_type": "request",
        "dispatch": {"lead_unit": "water", "assisting_units": ["chaoyangmen"]},
    }
    order = await post(web, "agent1", f"/api/workorders/{found['id']}/register", body)
    assert order["status"] == "dispatched" and order["assisting_units"] == ["chaoyangmen"]
    assert order["citizen"]["phone"] == "13900139000"  # the calling number, by default
    assistant = await get(web, "unit-b", f"/api/workorders/{order['id']}")
    order = await act(web, "unit-b", assistant, "contribute", text="已配合排查小区管网")
    assert order["contributions"][0]["unit"] == "chaoyangmen"
    refused = await act(web, "unit-b", order, "reply", status=403, text="已处理")
    assert refused["code"] == "not_lead_unit"


async def draft_from_words(web: Web, engine: AsyncEngine, call_id: str, words: str) -> dict[str, Any]:
    """A call's draft as the ASR worker stores it, read back through the API as an agent."""
    from callcenter.adapters.db.repositories import SqlCallRepository, SqlTranscriptionStore
    from callcenter.asr.model import Segment, Speaker, Transcript
    from callcenter.calls.model import CallPhase, CallRecord
    from callcenter.core.ids import CallId
    from callcenter.ticketing.orders.drafting import draft_from_transcript

    call = CallRecord(CallId(call_id), "13900139000", "PJSIP/pstn-9", web.clock.now(), phase=CallPhase.ENDED)
    await SqlCallRepository(engine).save(call)
    transcript = Transcript("whisper", "zh", 3.0, (Segment(Speaker.CALLER, 0.5, 2.5, words),))
    draft = draft_from_transcript(call, transcript, web.clock.now())
    await SqlTranscriptionStore(engine).store(call.call_id, transcript, None, draft, web.clock.now())
    drafts = await get(web, "agent1", "/api/workorders?status=draft")
    found = next(d for d in drafts["items"] if d["call_id"] == call_id)
    return await get(web, "agent1", f"/api/workorders/{found['id']}")


async def test_a_drafts_suggestions_name_a_category_and_a_place_the_agent_can_register_with(
    web: Web, engine: AsyncEngine
) -> None:
    words = "喂 你好 王府井大街 三十五号 门口 的 路灯 不亮 好几天 了 晚上 特别 黑"
    whole = await draft_from_words(web, engine, "1764.21", words)
    suggested = whole["suggestions"]
    category, location = suggested["category"], suggested["location"]
    assert category["code"] == "0303" and category["path"] == ["交通运输", "道路设施"]
    assert 0 < category["confidence"] <= 1 and category["terms"]
    assert location == {
        "area_code": "110101001000",
        "level": "street",
        "path": ["东城区", "东华门街道"],
        "phrase": "王府井大街35号门口",
        "issue": None,
        "candidates": [],
    }
    body = {  # 采用: what the desk fills in, sent as the agent would
        "version": whole["version"],
        "request_text": suggested["request_text"],
        "category_code": category["code"],
        "address": location["phrase"],
        "area_code": location["area_code"],
        "dispatch": "auto",
    }
    order = await post(web, "agent1", f"/api/workorders/{whole['id']}/register", body)
    assert order["status"] == "dispatched" and order["area_code"] == "110101001000"
    assert order["category_code"] == "0303" and order["suggestions"] is None


async def test_a_misheard_place_name_is_put_right_in_the_suggestions_and_kept_in_the_transcript(
    web: Web, engine: AsyncEngine
) -> None:
    words = "喂 你好 王府井 大姐 三十五号 门口 的 路灯 不亮 好几天 了"
    whole = await draft_from_words(web, engine, "1764.23", words)
    suggested = whole["suggestions"]
    assert suggested["corrections"] == [{"heard": "王府井 大姐", "name": "王府井大街"}]
    assert suggested["location"]["path"] == ["东城区", "东华门街道"]
    assert "王府井大街 35号" in suggested["request_text"] and "王府井 大姐" in whole["request_text"]


async def test_a_draft_naming_no_category_or_place_suggests_none(web: Web, engine: AsyncEngine) -> None:
    whole = await draft_from_words(web, engine, "1764.22", "喂 你好 我 想 说 一下 那个 事情 谢谢")
    assert whole["suggestions"]["category"] is None and whole["suggestions"]["location"] is None
