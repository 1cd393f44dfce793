"""Logins under attack, through the real app on a real database (issue 11, item 7 a–c): over-long fields
refused before anything is stored, the failed-login table bounded, locks per login *and* source address
(the real admin still gets in from elsewhere), lockouts alerted and counted for admins, a per-address
rate limit before hashing (429 with Retry-After), and a bound on concurrent Argon2 runs.

Two source addresses are real: the test client connects from 127.0.0.1, the "attacker" from 127.0.0.2
(the whole 127/8 is loopback on Linux)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.http.auth import LOGIN_GUARD
from callcenter.adapters.http.login_guard import LoginGuard
from callcenter.staff.throttle import LoginPolicy
from tests.support.web import PASSWORD, Web, build_web

ATTACKER = "127.0.0.2"
GENEROUS = LoginPolicy(attempts_per_minute=600, burst=10_000, max_tracked=50)  # for tests of other parts


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    return await build_web(aiohttp_client, engine)


@asynccontextmanager
async def client_from(web: Web, address: str) -> AsyncIterator[aiohttp.ClientSession]:
    """A browser of its own on another loopback address."""
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    jar = aiohttp.CookieJar(unsafe=True)  # the server is an IP address
    base = str(web.client.make_url("/"))
    async with aiohttp.ClientSession(base_url=base, connector=connector, cookie_jar=jar) as session:
        yield session


def guard_of(web: Web) -> LoginGuard:
    return web.client.app[LOGIN_GUARD]


async def log_in(client: Any, login: str, password: str) -> tuple[int, dict[str, Any], Any]:
    response = await client.post("/api/login", json={"login": login, "password": password})
    return response.status, await response.json(), response.headers


async def test_over_long_or_malformed_logins_are_refused_before_anything_is_stored(web: Web) -> None:
    guard = guard_of(web)
    megabyte = "a" * 1_000_000
    for body in (
        {"login": megabyte, "password": "x" * 10},  # the attack of the issue: ~1 MB login names
        {"login": "a" * 65, "password": "wrong-password!"},
        {"login": "agent1", "password": "p" * 257},
        {"login": "Agent 1!", "password": "wrong-password!"},
        {"login": "agent1", "password": ""},
        {"login": ["agent1"], "password": "wrong-password!"},
    ):
        response = await web.client.post("/api/login", json=body)
        assert response.status == 400, (str(body)[:80], await response.text())
        assert (await response.json())["code"] == "invalid_input"
    assert len(guard.failures) == 0 and len(guard.buckets) == 0 and guard.counts["failed"] == 0


async def test_junk_logins_do_not_grow_the_failed_login_table(
    aiohttp_client: Any, engine: AsyncEngine
) -> None:
    web = await build_web(aiohttp_client, engine, login_policy=GENEROUS)
    for n in range(120):
        status, body, _ = await log_in(web.client, f"junk-{n}", "wrong-password!")
        assert status == 401 and body["code"] == "invalid_credentials"
    guard = guard_of(web)
    assert guard.counts["failed"] == 120 and len(guard.failures) == GENEROUS.max_tracked


async def test_an_attacker_hammering_admin_does_not_lock_out_the_real_admin(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="callcenter.adapters.http.login_guard")
    async with client_from(web, ATTACKER) as attacker:
        for n in range(5):
            status, body, _ = await log_in(attacker, "admin", f"guess-number-{n}")
            assert (status, body["code"]) == (401, "invalid_credentials")
        web.clock.set(web.clock.now() + timedelta(minutes=1))  # the address's bucket has refilled
        status, body, headers = await log_in(attacker, "admin", PASSWORD)  # even the right password
        assert (status, body["code"]) == (429, "login_locked")
        assert 800 < int(headers["Retry-After"]) <= 900 and body["details"]["retry_after"] > 800
        # The real admin, at their own desk, is not locked out.
        client = await web.login("admin")
        security = await (await client.get("/api/admin/security")).json()
        assert security["since_start"]["lockouts"] == 1 and security["locked_now"] == 1
        lock = security["locks"][0]
        assert lock["login"] == "admin" and lock["source"].startswith("127.0.0.*#")
        assert ATTACKER not in str(security)
        # The alert: one WARNING naming the login and the counts, with the source masked, no passwords.
        alerts = [r.getMessage() for r in caplog.records if "login locked" in r.getMessage()]
        assert len(alerts) == 1 and "'admin'" in alerts[0] and "failures=5" in alerts[0]
        assert ATTACKER not in alerts[0] and "guess-number" not in caplog.text
        # The lock ends by itself, or when an admin lifts it.
        assert (await (await client.delete("/api/admin/security/locks/admin")).json()) == {"unlocked": 1}
        status, _, _ = await log_in(attacker, "admin", PASSWORD)
        assert status == 200


async def test_a_lock_ends_after_the_lockout_time(web: Web) -> None:
    async with client_from(web, ATTACKER) as attacker:
        for _ in range(5):
            await log_in(attacker, "agent1", "wrong-password!")
        web.clock.set(web.clock.now() + timedelta(minutes=14))
        assert (await log_in(attacker, "agent1", PASSWORD))[0] == 429
        web.clock.set(web.clock.now() + timedelta(minutes=1))
        assert (await log_in(attacker, "agent1", PASSWORD))[0] == 200


async def test_one_address_is_rate_limited_before_hashing(web: Web) -> None:
    guard = guard_of(web)
    for n in range(5):  # a burst of five guesses at different accounts
        assert (await log_in(web.client, f"someone{n}", "wrong-password!"))[0] == 401
    status, body, headers = await log_in(web.client, "someone-else", "wrong-password!")
    assert (status, body["code"]) == (429, "too_many_attempts")
    assert headers["Retry-After"] == "6" and body["details"] == {"retry_after": 6}  # 10 a minute
    assert guard.counts["failed"] == 5 and guard.counts["rate_limited"] == 1  # never got to Argon2
    web.clock.set(web.clock.now() + timedelta(seconds=6))
    assert (await log_in(web.client, "agent1", PASSWORD))[0] == 200


async def test_successful_logins_give_their_attempt_back(web: Web) -> None:
    """Many colleagues behind one NAT address log in at shift start: never held up."""
    for user in ("agent1", "dispatcher1", "supervisor1", "admin", "unit-a", "unit-b", "unit-w") * 2:
        assert (await log_in(web.client, user, PASSWORD))[0] == 200


async def test_fifty_parallel_unknown_logins_from_one_address_hash_five(web: Web) -> None:
    logins = [log_in(web.client, f"nobody-{n}", "wrong-password!") for n in range(50)]
    statuses = sorted(status for status, _, _ in await asyncio.gather(*logins))
    assert statuses == [401] * 5 + [429] * 45


async def test_concurrent_argon2_runs_are_bounded_and_unknown_logins_cost_a_hash_too(
    aiohttp_client: Any, engine: AsyncEngine
) -> None:
    web = await build_web(aiohttp_client, engine, login_policy=GENEROUS, hash_slots=2)
    hashing = web.staff.hashing
    before = hashing.done
    await log_in(web.client, "agent1", "wrong-password!")
    await log_in(web.client, "nobody-at-all", "wrong-password!")
    assert hashing.done - before >= 2  # a known and an unknown login: an Argon2 run each
    logins = [log_in(web.client, f"nobody-{n}", "wrong-password!") for n in range(50)]
    assert {status for status, _, _ in await asyncio.gather(*logins)} == {401}
    assert hashing.peak == 2 and hashing.busy == 0 and hashing.waiting == 0
    client = await web.login("admin")
    shown = await (await client.get("/api/admin/security")).json()
    assert shown["hashing"]["slots"] == 2 and shown["hashing"]["peak"] == 2


async def test_the_security_view_is_for_admins_only(web: Web) -> None:
    for user in ("agent1", "supervisor1", "unit-a"):
        client = await web.login(user)
        assert (await client.get("/api/admin/security")).status == 403
        assert (await client.delete("/api/admin/security/locks/admin")).status == 403
