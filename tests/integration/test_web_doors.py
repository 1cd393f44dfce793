"""The doors of the web app through the real app on a real database: where a state-changing request may
come from and what it may carry (csrf.py), strict ids, numbers, days and JSON bodies (params.py,
bodies.py), who is behind a TLS proxy (client.py), security headers on every response (headers.py) and
what an anonymous health check tells.

SQLite only: the database holds the accounts and orders here and is not the subject (the hostile-input
fuzzing and the access tests run on both databases)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.engine import upgrade
from callcenter.adapters.http.api import json_response
from callcenter.adapters.http.client import client_address, is_secure, public_origin
from callcenter.core.proxies import TrustedProxies
from tests.support.web import Web, build_web

ORDER = {
    "request_text": "王府井大街18号院门口的垃圾三天没人清运了，味道很大，请尽快处理。",
    "caller_number": "13800138000",
    "category_code": "010101",
    "address": "东城区王府井大街18号",
    "dispatch": "auto",
}
ELSEWHERE = "http://127.0.0.1:8099"  # another port of the same host: same-site for the cookie


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'callcenter.db'}"
    await upgrade(url)
    return url


async def who(request: web.Request) -> web.Response:
    """What client.py makes of the request (a route of this test only)."""
    return json_response(
        {"client": client_address(request), "secure": is_secure(request), "origin": public_origin(request)}
    )


async def broken(_request: web.Request) -> web.Response:
    raise RuntimeError("a bug in a handler")


def probe_routes(app: web.Application) -> None:
    app.router.add_get("/api/test/who", who)
    app.router.add_get("/api/test/broken", broken)
    app.router.add_get("/test/broken", broken)


@pytest.fixture
async def doors(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    return await build_web(aiohttp_client, engine, extra_routes=[probe_routes])


async def merged_pair(web: Web) -> tuple[int, int]:
    """Two orders of one matter (并单 by hand), as the agent who merged them."""
    client = await web.login("agent1")
    first = await (await client.post("/api/workorders", json=ORDER)).json()
    second = await (
        await client.post("/api/workorders", json={**ORDER, "caller_number": "13900139000"})
    ).json()
    await web.service.settle()
    link = await client.post(f"/api/workorders/{second['id']}/matter/link", json={"ticket_id": first["id"]})
    assert link.status == 200, await link.text()
    return first["id"], second["id"]


async def matter_of(web: Web, ticket_id: int) -> Any:
    response = await web.client.get(f"/api/workorders/{ticket_id}")
    return (await response.json())["matter_id"]


# --- where a state-changing request comes from --------------------------------------------------------


async def test_a_form_from_another_port_cannot_undo_a_merge(doors: Web) -> None:
    """The issue's case: a urlencoded form post from http://127.0.0.1:8099 undid a 并单."""
    _, second = await merged_pair(doors)
    url = f"/api/workorders/{second}/matter/unlink"
    for headers in (
        {"Origin": ELSEWHERE},
        {"Origin": "null"},  # a sandboxed frame or a data: page
        {"Origin": f"https://{doors.client.host}:{doors.client.port}"},  # the right host, the wrong scheme
        {"Sec-Fetch-Site": "same-site"},  # no Origin, but Fetch Metadata says where it came from
        {"Sec-Fetch-Site": "cross-site"},
    ):
        refused = await doors.client.post(url, data={"x": "1"}, headers=headers)
        assert refused.status == 403, headers
        assert (await refused.json())["code"] == "cross_site_request"
        assert await matter_of(doors, second) is not None
    bodiless = await doors.client.post(url, headers={"Origin": ELSEWHERE})
    assert bodiless.status == 403 and await matter_of(doors, second) is not None


async def test_the_apps_own_pages_and_programs_pass(doors: Web) -> None:
    first, second = await merged_pair(doors)
    own = f"http://{doors.client.host}:{doors.client.port}"
    same = await doors.client.post(f"/api/workorders/{second}/matter/unlink", headers={"Origin": own})
    assert same.status == 200 and await matter_of(doors, second) is None
    relink = {"ticket_id": first}
    fetched = await doors.client.post(
        f"/api/workorders/{second}/matter/link", json=relink, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert fetched.status == 200
    program = await doors.client.post(
        f"/api/workorders/{second}/matter/unlink"
    )  # no Origin, no Fetch Metadata
    assert program.status == 200 and await matter_of(doors, second) is None


async def test_login_and_every_method_are_checked(doors: Web) -> None:
    login = {"login": "admin", "password": "correct-horse-12345"}
    refused = await doors.client.post("/api/login", json=login, headers={"Origin": ELSEWHERE})
    assert refused.status == 403  # no login CSRF
    await doors.login("admin")
    for method, url in (
        ("PUT", "/api/admin/calendar/2026-12-01"),
        ("DELETE", "/api/admin/calendar/2026-12-01"),
        ("POST", "/api/admin/staff/agent1/password"),
    ):
        response = await doors.client.request(
            method, url, json={"workday": True, "password": "x" * 12}, headers={"Origin": ELSEWHERE}
        )
        assert response.status == 403, (method, url)
    assert (await (await doors.client.get("/api/admin/calendar")).json())["items"] == []


async def test_json_routes_take_json_only(doors: Web) -> None:
    first, second = await merged_pair(doors)
    cases = (
        ("application/x-www-form-urlencoded", b"ticket_id=1"),
        ("text/plain", b'{"ticket_id": 1}'),  # the type a form may post without a CORS preflight
        ("multipart/form-data; boundary=x", b"--x--\r\n"),
        ("application/octet-stream", b"{}"),
    )
    for content_type, data in cases:
        for url in (f"/api/workorders/{second}/matter/unlink", f"/api/workorders/{second}/matter/link"):
            response = await doors.client.post(url, data=data, headers={"Content-Type": content_type})
            assert response.status == 415, (content_type, url)
            assert (await response.json())["code"] == "unsupported_media_type"
    assert await matter_of(doors, second) is not None
    unlinked = await doors.client.post(
        f"/api/workorders/{second}/matter/unlink", json={}, headers={"Content-Type": "application/json"}
    )
    assert unlinked.status == 200 and first != second


# --- strict input ---------------------------------------------------------------------------------------


async def test_ids_are_ascii_digits_in_range(doors: Web) -> None:
    client = await doors.login("agent1")
    first = await (await client.post("/api/workorders", json=ORDER)).json()
    assert first["id"] == 1
    for raw in ("%C2%B2", "%D9%A1", "%EF%BC%91", "+1", "%201", "1_0", "2147483648", "9" * 30, "0"):
        response = await client.get(f"/api/workorders/{raw}")
        assert response.status == 400, raw  # "²" was a 500, "١" (Arabic-Indic one) found order 1
        assert (await response.json())["code"] == "invalid_input"
    missing = await client.get("/api/workorders/2147483647")
    assert missing.status == 404


async def test_huge_numbers_and_far_days_are_400(doors: Web) -> None:
    client = await doors.login("supervisor1")
    for url in (
        "/api/workorders?offset=99999999999999999999",
        "/api/workorders?offset=1000001",
        "/api/workorders?limit=%D9%A3",
        "/api/workorders?to=9999-12-31",  # the day after it was an OverflowError
        "/api/workorders?from=0001-01-01",
        "/api/workorders?from=99999-01-01",
        "/api/workorders?from=20261124",  # date.fromisoformat would take it
        "/api/supervisions?offset=-1",
    ):
        response = await client.get(url)
        assert response.status == 400, url
    assert (await client.get("/api/workorders?from=2026-11-01&to=2026-11-30")).status == 200
    far = {"ticket_id": None, "note": "督办", "due_at": "9999-12-31T23:59:59+14:00"}
    opened = await client.post("/api/supervisions", json=far)
    assert opened.status == 400 and (await opened.json())["details"]["field"] == "due_at"


async def test_deep_json_and_lone_surrogates_are_400(doors: Web) -> None:
    client = await doors.login("agent1")
    headers = {"Content-Type": "application/json"}
    deep = b"[" * 100_000 + b"]" * 100_000
    for data, code in (
        (deep, "json_too_deep"),  # RecursionError in json.loads: a 500 before
        (b'{"a":' * 50 + b"1" + b"}" * 50, "json_too_deep"),
        (b'{"request_text": "\\ud800"}', "invalid_text"),  # UnicodeEncodeError at the database: a 500
        (b'{"request_text": "ok", "citizen": {"name": "\\udfff"}}', "invalid_text"),
        (b'{"\\ud800": 1}', "invalid_text"),
        (b'{"request_text": "a\\u0000b"}', "invalid_text"),
        (b"\xff\xfe{}", "invalid_input"),
        (b"{", "invalid_input"),
    ):
        response = await client.post("/api/workorders", data=data, headers=headers)
        assert (response.status, (await response.json())["code"]) == (400, code), data[:40]
    nul = await client.get("/api/workorders?q=a%00b")
    assert nul.status == 400 and (await nul.json())["code"] == "invalid_input"


# --- behind a TLS proxy ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trusted", "headers", "client", "secure"),
    [
        ("", {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}, "127.0.0.1", False),
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}, "203.0.113.9", True),
        ("127.0.0.0/8", {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}, "203.0.113.9", False),
        ("127.0.0.1, 10.0.0.0/8", {"X-Forwarded-For": "203.0.113.9, 10.1.2.3"}, "203.0.113.9", False),
        ("127.0.0.1", {"X-Forwarded-For": "not-an-address, 203.0.113.9"}, "203.0.113.9", False),
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9, garbage"}, "127.0.0.1", False),
        ("127.0.0.1", {"X-Forwarded-Proto": "http, https"}, "127.0.0.1", True),
        ("10.0.0.0/8", {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}, "127.0.0.1", False),
    ],
)
async def test_forwarded_headers_are_believed_only_from_trusted_proxies(
    aiohttp_client: Any, engine: AsyncEngine, trusted: str, headers: dict[str, str], client: str, secure: bool
) -> None:
    web_ = await build_web(
        aiohttp_client, engine, extra_routes=[probe_routes], trusted_proxies=TrustedProxies.parse(trusted)
    )
    seen = await (await web_.client.get("/api/test/who", headers=headers)).json()
    assert (seen["client"], seen["secure"]) == (client, secure)


async def test_behind_a_tls_proxy_the_cookie_is_secure_and_the_origin_is_the_public_one(
    aiohttp_client: Any, engine: AsyncEngine
) -> None:
    proxied = await build_web(aiohttp_client, engine, trusted_proxies=TrustedProxies.parse("127.0.0.1"))
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "12345.example.gov.cn"}
    login = {"login": "agent1", "password": "correct-horse-12345"}
    response = await proxied.client.post("/api/login", json=login, headers=https)
    cookie = response.headers["Set-Cookie"]
    assert (
        response.status == 200 and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    )
    public = {**https, "Origin": "https://12345.example.gov.cn"}
    assert (await proxied.client.post("/api/logout", headers=public)).status == 200
    wrong = {**https, "Origin": "http://12345.example.gov.cn"}  # the page was HTTPS: its origin says so
    assert (await proxied.client.post("/api/logout", headers=wrong)).status == 403


async def test_without_trust_forwarded_https_sets_no_secure_cookie(doors: Web) -> None:
    login = {"login": "agent1", "password": "correct-horse-12345"}
    response = await doors.client.post("/api/login", json=login, headers={"X-Forwarded-Proto": "https"})
    assert response.status == 200 and "Secure" not in response.headers["Set-Cookie"]


# --- headers on every response -----------------------------------------------------------------------------


async def test_every_response_has_the_security_headers_and_no_server_version(doors: Web) -> None:
    await doors.login("agent1")
    answers = {
        "page": await doors.client.get("/"),
        "static file": await doors.client.get("/static/app.js"),
        "api": await doors.client.get("/api/me"),
        "api 400": await doors.client.get("/api/workorders/abc"),
        "api 404 route": await doors.client.get("/api/no/such/route"),
        "page 404": await doors.client.get("/no/such/page"),
        "static 404": await doors.client.get("/static/missing.js"),
        "api 405": await doors.client.delete("/api/me"),
        "page 405": await doors.client.post("/"),
        "api 500": await doors.client.get("/api/test/broken"),
        "page 500": await doors.client.get("/test/broken"),
    }
    for what, response in answers.items():
        h = response.headers
        assert "frame-ancestors 'none'" in h.get("Content-Security-Policy", ""), what
        assert h.get("X-Content-Type-Options") == "nosniff", what
        assert h.get("X-Frame-Options") == "DENY", what
        assert h.get("Referrer-Policy") == "no-referrer", what
        assert "Server" not in h, (what, h.get("Server"))
    assert [answers[k].status for k in ("api 404 route", "page 404", "api 405", "api 500", "page 500")] == [
        404, 404, 405, 500, 500,
    ]  # fmt: skip
    assert await answers["api 500"].json() == {
        "code": "internal_error", "message": "internal server error", "details": {},
    }  # fmt: skip
    assert "GET" in answers["api 405"].headers["Allow"]
    assert answers["api"].headers["Cache-Control"] == "no-store"


# --- health -----------------------------------------------------------------------------------------------


async def test_anonymous_health_says_only_ok_or_not(aiohttp_client: Any, engine: AsyncEngine) -> None:
    status = {"ok": False, "ami": False, "ami_down": ["b"], "database": True, "redis": True, "asr_backlog": 3}

    async def probe() -> dict[str, Any]:
        return dict(status)

    web_ = await build_web(aiohttp_client, engine, health=probe)
    anonymous = await web_.client.get("/api/health")
    assert (anonymous.status, await anonymous.json()) == (503, {"ok": False})
    for user in ("agent1", "dispatcher1", "unit-a"):
        client = await web_.login(user)
        assert await (await client.get("/api/health")).json() == {"ok": False}, user
    for user in ("supervisor1", "admin"):
        client = await web_.login(user)
        detail = await client.get("/api/health")
        assert detail.status == 503 and (await detail.json())["ami_down"] == ["b"], user
    web_.client.session.cookie_jar.clear()
    status.update(ok=True, ami=True, ami_down=[])
    answer = await web_.client.get("/api/health")
    assert (answer.status, await answer.json()) == (200, {"ok": True})
