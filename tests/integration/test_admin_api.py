"""Administration through the HTTP API on a real database: accounts and the calendar's overrides."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.web import PASSWORD, Web, build_web


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    return await build_web(aiohttp_client, engine)


async def test_an_admin_creates_unit_staff_who_can_then_log_in(web: Web) -> None:
    client = await web.login("admin")
    body = {"id": "unit-a2", "display_name": "建国门街道二", "role": "unit_staff", "unit": "jianguomen",
            "password": "another-password-1"}  # fmt: skip
    created = await client.post("/api/admin/staff", json=body)
    assert created.status == 201, await created.text()
    again = await client.post("/api/admin/staff", json=body)
    assert again.status == 400
    for bad in (
        {**body, "id": "x2", "unit": "no-such-unit"},
        {**body, "id": "x3", "password": "short"},
        {**body, "id": "x4", "role": "king"},
        {**body, "id": "x5", "role": "agent"},  # an agent bound to a unit
        {**body, "id": "Bad Login!"},
        {**body, "id": "system", "role": "admin", "unit": ""},  # the platform's own name in audit trails
    ):
        response = await client.post("/api/admin/staff", json=bad)
        assert response.status == 400, bad
    listed = await (await client.get("/api/admin/staff")).json()
    assert "unit-a2" in [m["id"] for m in listed["items"]] and "x2" not in str(listed)
    client.session.cookie_jar.clear()
    login = await client.post("/api/login", json={"login": "unit-a2", "password": "another-password-1"})
    assert (await login.json())["unit"] == "jianguomen"


async def test_only_admins_administer(web: Web) -> None:
    for user in ("agent1", "supervisor1", "unit-a"):
        client = await web.login(user)
        response = await client.post("/api/admin/staff", json={"id": "x", "password": PASSWORD})
        assert response.status == 403, user
        response = await client.put("/api/admin/calendar/2026-11-25", json={"workday": False})
        assert response.status == 403, user


async def test_a_day_off_set_by_the_admin_moves_later_deadlines(web: Web) -> None:
    client = await web.login("admin")
    for day in ("2026-11-25", "2026-11-26"):  # e.g. a typhoon closes the city
        response = await client.put(f"/api/admin/calendar/{day}", json={"workday": False, "note": "台风停工"})
        assert response.status == 200
    assert (await client.put("/api/admin/calendar/2026-13-01", json={"workday": False})).status == 400
    body = {"request_text": "咨询公积金提取需要什么材料", "caller_number": "13800138000",
            "request_type": "consultation", "dispatch": {"lead_unit": "jianguomen"}}  # fmt: skip
    client = await web.login("agent1")
    order = await (await client.post("/api/workorders", json=body)).json()
    # Tue 24th + 3 working days, 25th and 26th off → 27th, 30th, Dec 1st (Tue) 17:30 Shanghai
    assert order["due_at"].startswith("2026-12-01T09:30:00"), order["due_at"]
    client = await web.login("admin")
    await client.delete("/api/admin/calendar/2026-11-25")
    listed = await (await client.get("/api/admin/calendar")).json()
    assert listed["items"] == [
        {"day": "2026-11-26", "workday": False, "note": "台风停工", "updated_by": "admin"}
    ]
