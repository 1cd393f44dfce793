"""Accounts through the real app on a real database (issue 11, item 7 d): the password strength rule on
every way a password is set, the member's own change (修改密码), "must change" for admin-set and
now-weak passwords, and disabling an account (停用)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.tables import staff
from tests.support.web import FAST_HASHER, PASSWORD, Web, build_web

NEW_PASSWORD = "Lantern-River-2026"
UNIT_STAFF = {"id": "unit-a3", "display_name": "建国门街道三", "role": "unit_staff", "unit": "jianguomen"}


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    return await build_web(aiohttp_client, engine)


async def another_browser(web: Web, aiohttp_client: Any, user: str, password: str = PASSWORD) -> TestClient:  # type: ignore[type-arg]
    """A second client on the same app: another desk where ``user`` is logged in too."""
    client: TestClient = await aiohttp_client(web.client.server)  # type: ignore[type-arg]
    response = await client.post("/api/login", json={"login": user, "password": password})
    assert response.status == 200, await response.text()
    return client


async def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    body: dict[str, Any] = await response.json()
    assert (response.status, body["code"]) == (status, code), body
    return body


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaa", "repetitive"),
        ("1234567890", "common"),
        ("qwertyuiop", "common"),
        ("woaini1314", "common"),
        ("unit-a3-password", "contains_login"),
        ("zhangwei1987", "few_classes"),
    ],
)
async def test_an_admin_cannot_set_a_weak_password(web: Web, password: str, reason: str) -> None:
    client = await web.login("admin")
    created = await client.post("/api/admin/staff", json={**UNIT_STAFF, "password": password})
    body = await refused(created, 400, "weak_password")
    assert body["details"] == {"field": "password", "reason": reason}
    again = {"password": password.replace("unit-a3", "agent1")}
    reset = await client.post("/api/admin/staff/agent1/password", json=again)
    assert (await refused(reset, 400, "weak_password"))["details"]["reason"] == reason


async def test_a_member_changes_their_own_password_and_other_desks_are_logged_out(
    web: Web, aiohttp_client: Any
) -> None:
    other_desk = await another_browser(web, aiohttp_client, "agent1")
    client = await web.login("agent1")
    change = {"current": "not-my-password", "new": NEW_PASSWORD}
    body = await refused(await client.post("/api/me/password", json=change), 400, "wrong_password")
    assert body["details"]["field"] == "current"
    weak = {"current": PASSWORD, "new": "agent1-2026-x"}
    body = await refused(await client.post("/api/me/password", json=weak), 400, "weak_password")
    assert body["details"] == {"field": "new", "reason": "contains_login"}
    same = {"current": PASSWORD, "new": PASSWORD}
    body = await refused(await client.post("/api/me/password", json=same), 400, "weak_password")
    assert body["details"]["reason"] == "same_as_current"
    changed = await client.post("/api/me/password", json={"current": PASSWORD, "new": NEW_PASSWORD})
    assert changed.status == 200, await changed.text()
    assert (await client.get("/api/me")).status == 200  # this desk stays logged in
    assert (await other_desk.get("/api/me")).status == 401  # every other session ended
    client.session.cookie_jar.clear()
    old = await client.post("/api/login", json={"login": "agent1", "password": PASSWORD})
    assert old.status == 401
    new = await client.post("/api/login", json={"login": "agent1", "password": NEW_PASSWORD})
    assert new.status == 200


async def test_the_current_password_is_guessed_no_faster_than_a_login(web: Web) -> None:
    client = await web.login("agent1")
    for n in range(5):
        wrong = {"current": f"guess-number-{n}", "new": NEW_PASSWORD}
        await refused(await client.post("/api/me/password", json=wrong), 400, "wrong_password")
    web.clock.set(web.clock.now() + timedelta(minutes=1))
    right = {"current": PASSWORD, "new": NEW_PASSWORD}
    await refused(await client.post("/api/me/password", json=right), 429, "login_locked")
    assert (await client.post("/api/me/password", json={"new": NEW_PASSWORD})).status == 400
    client.session.cookie_jar.clear()
    assert (await client.post("/api/me/password", json=right)).status == 401


async def test_an_admin_set_password_must_be_changed_before_anything_else(web: Web) -> None:
    client = await web.login("admin")
    body = {**UNIT_STAFF, "password": "Initial-Pass-01", "must_change_password": True}
    created = await client.post("/api/admin/staff", json=body)
    assert created.status == 201 and (await created.json())["must_change_password"] is True
    client.session.cookie_jar.clear()
    login = await client.post("/api/login", json={"login": "unit-a3", "password": "Initial-Pass-01"})
    assert (await login.json())["must_change_password"] is True
    await refused(await client.get("/api/workorders/inbox"), 403, "password_change_required")
    assert (await (await client.get("/api/me")).json())["must_change_password"] is True
    change = {"current": "Initial-Pass-01", "new": NEW_PASSWORD}
    assert (await client.post("/api/me/password", json=change)).status == 200
    assert (await (await client.get("/api/me")).json())["must_change_password"] is False
    assert (await client.get("/api/workorders/inbox")).status == 200
    # An admin's reset can ask for the same, and lifts the account's login locks.
    client = await web.login("admin")
    reset = {"password": "Temporary-Pass-02", "must_change_password": True}
    assert (await client.post("/api/admin/staff/agent1/password", json=reset)).status == 200
    listed = await (await client.get("/api/admin/staff")).json()
    assert {m["id"]: m["must_change_password"] for m in listed["items"]}["agent1"] is True


async def test_an_existing_weak_password_still_logs_in_but_must_be_changed(
    web: Web, engine: AsyncEngine
) -> None:
    """Accounts from before the rule keep working: the login marks them, the desk asks for a change."""
    weak_hash = FAST_HASHER.hash("aaaaaaaaaa")
    async with engine.begin() as conn:
        await conn.execute(update(staff).where(staff.c.id == "agent1").values(password_hash=weak_hash))
    client = web.client
    login = await client.post("/api/login", json={"login": "agent1", "password": "aaaaaaaaaa"})
    assert login.status == 200 and (await login.json())["must_change_password"] is True
    await refused(await client.get("/api/workorders"), 403, "password_change_required")
    change = {"current": "aaaaaaaaaa", "new": NEW_PASSWORD}
    assert (await client.post("/api/me/password", json=change)).status == 200
    assert (await client.get("/api/workorders")).status == 200


async def test_a_disabled_account_is_logged_out_at_once_and_cannot_log_in(
    web: Web, aiohttp_client: Any
) -> None:
    agent_desk = await another_browser(web, aiohttp_client, "agent1")
    client = await web.login("admin")
    disabled = await client.put("/api/admin/staff/agent1/active", json={"active": False})
    assert disabled.status == 200 and (await disabled.json()) == {"id": "agent1", "active": False}
    assert (await agent_desk.get("/api/me")).status == 401
    again = await agent_desk.post("/api/login", json={"login": "agent1", "password": PASSWORD})
    await refused(again, 401, "invalid_credentials")  # the same answer as a wrong password
    listed = await (await client.get("/api/admin/staff")).json()
    assert {m["id"]: m["active"] for m in listed["items"]}["agent1"] is False
    enabled = await client.put("/api/admin/staff/agent1/active", json={"active": True})
    assert enabled.status == 200
    assert (await agent_desk.post("/api/login", json={"login": "agent1", "password": PASSWORD})).status == 200


async def test_an_admin_cannot_disable_their_own_account(web: Web) -> None:
    client = await web.login("admin")
    own = await client.put("/api/admin/staff/admin/active", json={"active": False})
    await refused(own, 400, "cannot_deactivate")
    assert (await client.get("/api/me")).status == 200
    await refused(
        await client.put("/api/admin/staff/nobody/active", json={"active": False}), 404, "not_found"
    )
    await refused(
        await client.put("/api/admin/staff/agent1/active", json={"active": "no"}), 400, "invalid_input"
    )
    for user in ("agent1", "supervisor1", "unit-a"):
        client = await web.login(user)
        response = await client.put("/api/admin/staff/dispatcher1/active", json={"active": False})
        assert response.status == 403, user
