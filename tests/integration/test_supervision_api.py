"""Supervision (督办) and the deadline watch through the HTTP API on a real database: yellow and red cards
raised once, the overdue supervision opened, notices to the lead unit's inbox, manual supervision."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.test_work_orders import act, dispatched, get, post
from tests.support.web import RecordingNotifier, Web, build_web


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    return await build_web(aiohttp_client, engine)


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


async def test_yellow_then_red_card_opens_supervision_and_tells_the_unit(web: Web) -> None:
    order = await dispatched(web)
    order = await act(web, "unit-a", order, "acknowledge")
    order = await act(web, "unit-a", order, "start_handling")  # the citizen was contacted
    assert isinstance(web.notifier, RecordingNotifier)
    web.clock.set(at(order["warn_at"]) - timedelta(minutes=1))
    assert (await web.deadlines.run_once()).alerts == 0

    web.clock.set(at(order["warn_at"]) + timedelta(minutes=1))
    assert (await web.deadlines.run_once()).alerts == 1
    assert web.notifier.notices[-1].alert == "warning" and web.notifier.notices[-1].units == ("jianguomen",)
    assert (await web.deadlines.run_once()).alerts == 0  # raised once

    web.clock.set(at(order["due_at"]) + timedelta(minutes=1))
    summary = await web.deadlines.run_once()
    assert (summary.alerts, summary.supervisions) == (1, 1)
    seen = await get(web, "unit-a", f"/api/workorders/{order['id']}/supervision")
    assert [a["kind"] for a in seen["alerts"]] == ["warning", "overdue"]
    (supervision,) = seen["supervisions"]
    assert (supervision["trigger"], supervision["kind"], supervision["opened_by"]) == (
        "overdue",
        "platform",
        "system",
    )
    await get(web, "unit-b", f"/api/workorders/{order['id']}/supervision", status=404)
    listed = await get(web, "supervisor1", "/api/supervisions?status=open")
    assert [s["id"] for s in listed["items"]] == [supervision["id"]]
    overdue = await get(web, "supervisor1", "/api/workorders/inbox")
    assert order["id"] in [o["id"] for o in overdue["items"]]


async def test_a_supervisor_opens_and_closes_a_manual_supervision(web: Web) -> None:
    order = await dispatched(web)
    body = {"ticket_id": order["id"], "kind": "key", "note": "市民多次来电，列为重点督办",
            "due_at": "2026-11-26T17:30:00+08:00"}  # fmt: skip
    refused = await post(web, "agent1", "/api/supervisions", body, status=403)
    assert refused["code"] == "role_forbidden"
    for bad, code in (
        ({**body, "kind": "urgent"}, "invalid_input"),
        ({**body, "note": ""}, "note_required"),
        ({**body, "due_at": "2026-11-20T10:00:00+08:00"}, "supervision_due_before_opening"),
        ({**body, "due_at": "tomorrow"}, "invalid_input"),
        ({**body, "ticket_id": "1; DROP TABLE tickets"}, "invalid_input"),
    ):
        assert (await post(web, "supervisor1", "/api/supervisions", bad, status=400))["code"] == code
    await post(web, "supervisor1", "/api/supervisions", {**body, "ticket_id": 999999}, status=404)
    opened = await post(web, "supervisor1", "/api/supervisions", body, status=201)
    assert opened["status"] == "open" and opened["kind"] == "key"
    url = f"/api/supervisions/{opened['id']}/close"
    assert (await post(web, "supervisor1", url, {"closing_note": ""}, status=400))["code"] == "note_required"
    closed = await post(web, "supervisor1", url, {"closing_note": "单位已整改"})
    assert closed["status"] == "closed" and closed["closed_by"] == "supervisor1"
    again = await post(web, "supervisor1", url, {"closing_note": "再次"}, status=409)
    assert again["code"] == "supervision_closed"
