"""Hostile input on every route of the web app, on SQLite and PostgreSQL and a real Redis: whatever a client
sends in the path, the query string or the body, the answer is a 2xx, 3xx or 4xx with a JSON error — never
a 500. Then the particular cases, each with the status and code it must get."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import ClientResponse
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine
from yarl import URL

from tests.support.all_routes import build_all_routes
from tests.support.web import Web

ORDER = {
    "request_text": "建国门内大街18号门口的路灯坏了三天，晚上很黑。",
    "caller_number": "13800138000",
    "citizen": {"name": "王女士", "phone": "13800138000"},
    "category_code": "0501",
    "address": "东城区建国门内大街18号",
    "dispatch": {"lead_unit": "jianguomen"},
}
STREAMS = ("/api/inbox/events", "/api/wallboard/stream", "/api/calls/{call_id}/live")
SKIPPED = (*STREAMS, "/api/logout")  # streams stay open; a logout would end the fuzzing admin's session

# In a path segment (already percent-encoded where needed).
PATH_VALUES = (
    "%C2%B2",  # ² : str.isdigit() says yes, int() says no
    "%D9%A3",  # ٣ (Arabic-Indic three): int() takes it
    "%EF%BC%93",  # ３ (full-width three)
    "0", "-1", "+1", "1e3", "1_0", "%201",
    "2147483648", "99999999999", "9" * 30, "9" * 5000,
    "%00", "a%00b", "%ED%A0%80", "%FF%FE", "%F0%9F%98%80",
    "x" * 300, "..", "'%20OR%201=1--",
    "9999-12-31", "99999-01-01", "0001-01-01", "2026-02-30", "2026-W48-2", "20261124",
)  # fmt: skip
# As a query value, for every key at once (the request line stays under aiohttp's 8190 bytes).
QUERY_VALUES = (
    "²", "٣", "-1", "1e3", "9" * 30, "9" * 400, "2147483648", "1000001",
    "\x00", "a\x00b", "\ud800", "x" * 400,
    "9999-12-31", "99999-01-01", "0001-01-01", "1969-12-31", "2026-02-30", "2026-W48-2",
)  # fmt: skip
QUERY_KEYS = (
    "limit", "offset", "q", "status", "caller", "category", "unit", "from", "to", "date", "state",
    "version", "text", "address", "area",
)  # fmt: skip
# As a JSON value: every field of the body at once, then the whole-number fields one by one.
JSON_VALUES: tuple[Any, ...] = (
    "\ud800", "a\udfffb", "\x00", "x" * 20_000, 10**30, -(10**30), 2**31, 2**63, 1e308, -1e308,
    True, None, [], {}, [[[[[[]]]]]], "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00",
)  # fmt: skip
BODY_FIELDS = (
    "login", "password", "ticket_id", "matter_id", "kind", "note", "due_at", "closing_note", "version",
    "request_text", "summary", "citizen", "confidential", "category_code", "area_code", "address",
    "urgency", "request_type", "caller_number", "dispatch", "lead_unit", "assisting_units", "text",
    "answer", "reason", "working_days", "outcome", "id", "display_name", "role", "unit", "workday",
    "alias", "name", "active", "title", "keywords", "server", "seat", "skills", "aht_s", "patience_s",
    "target", "threshold_s", "max_occupancy", "calls_per_hour", "forecast",
)  # fmt: skip
WHOLE_FIELDS = ("version", "ticket_id", "matter_id", "working_days")
DEEP = 100_000
RAW_BODIES: tuple[bytes, ...] = (
    b"[" * DEEP + b"]" * DEEP,
    b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    b'{"x": "\\ud800"}',
    b'{"version": NaN}',
    b'{"version": 1e999}',
    b'{"version": ' + b"9" * 5000 + b"}",
    b"\xff\xfe{}",
    b"",
    b"null",
    b"[]",
    b'"text"',
    b"{",
)


def routes(web: Web) -> Iterator[tuple[str, str]]:
    """(method, path template) of every route but the event streams."""
    for route in web.client.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("formatter") or info.get("path")
        if path and route.method != "HEAD" and path not in SKIPPED and path.startswith("/api/"):
            yield route.method, path


def fill(template: str, value: str) -> str:
    out = template
    while "{" in out:
        start, end = out.index("{"), out.index("}")
        out = out[:start] + value + out[end + 1 :]
    return out


@pytest.fixture
async def app(
    aiohttp_client: Any, engine: AsyncEngine, redis: Redis, stream_name: str, tmp_path: Path
) -> Web:
    web = await build_all_routes(aiohttp_client, engine, redis, stream_name, tmp_path / "attachments")
    client = await web.login("agent1")
    assert (await client.post("/api/workorders", json=ORDER)).status == 200  # order 1 exists
    await web.login("admin")
    return web


async def send(web: Web, method: str, url: str, **kwargs: Any) -> tuple[int, str]:
    async with asyncio.timeout(20):
        response: ClientResponse = await web.client.request(method, URL(url, encoded=True), **kwargs)
        return response.status, await response.text()


async def test_no_input_anywhere_makes_a_500(app: Web) -> None:
    failures: list[str] = []

    async def check(method: str, url: str, **kwargs: Any) -> None:
        status, text = await send(app, method, url, **kwargs)
        if status >= 500 and not (status == 503 and "_unavailable" in text):  # a part down is no bug
            failures.append(f"{method} {url[:80]} {str(kwargs)[:120]} → {status} {text[:200]}")

    for method, template in routes(app):
        for value in PATH_VALUES:
            if "{" in template:
                await check(method, fill(template, value))
        base = fill(template, "1")
        for value in QUERY_VALUES:
            encoded = quote(value.encode("utf-8", "surrogatepass"), safe="")
            query = "&".join(f"{k}={encoded}" for k in QUERY_KEYS)
            await check(method, f"{base}?{query}")
        if method in ("GET", "HEAD"):
            continue
        for value in JSON_VALUES:
            body = json.dumps(dict.fromkeys(BODY_FIELDS, value))
            await check(method, base, data=body, headers={"Content-Type": "application/json"})
        for field in WHOLE_FIELDS:
            for value in (10**30, 2**31, -(2**31) - 1):
                body = json.dumps({**ORDER, "version": 1, "password": "x" * 12, field: value})
                await check(method, base, data=body, headers={"Content-Type": "application/json"})
        for raw in RAW_BODIES:
            await check(method, base, data=raw, headers={"Content-Type": "application/json"})
    assert not failures, f"{len(failures)} answers were 5xx:\n" + "\n".join(failures[:60])


# A valid body for every route that takes one; each field is then made hostile in turn, so that the
# checks after the first one are reached too.
ACTION_BODY = {
    "version": 1, "text": "已处理", "reason": "不属本单位", "answer": "已答复", "note": "备注",
    "lead_unit": "jianguomen", "assisting_units": ["chaoyangmen"], "working_days": 2, "outcome": "satisfied",
}  # fmt: skip
WRITES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("POST", "/api/login", {"login": "agent9", "password": "not-the-password"}),
    ("POST", "/api/workorders", ORDER),
    ("POST", "/api/workorders/1/register", {**ORDER, "version": 1, "dispatch": "auto"}),
    *(
        ("POST", f"/api/workorders/1/actions/{a}", ACTION_BODY)
        for a in ("reply", "return", "dispatch", "request_extension", "callback", "reopen", "supervise")
    ),
    ("POST", "/api/workorders/1/matter/link", {"ticket_id": 1}),
    ("POST", "/api/matters/1/reply", {"text": "已处理"}),
    (
        "POST",
        "/api/supervisions",
        {"ticket_id": 1, "kind": "platform", "note": "督办", "due_at": "2026-12-01T09:00:00+08:00"},
    ),
    ("POST", "/api/supervisions/1/close", {"closing_note": "已办结"}),
    (
        "PUT",
        "/api/admin/dispatch-rules",
        {
            "category_code": "0501",
            "area_code": "110101001000",
            "lead_unit": "jianguomen",
            "assisting_units": [],
            "note": "",
        },
    ),
    ("POST", "/api/admin/aliases", {"alias": "长安街北侧", "area_code": "110101001000"}),
    (
        "PUT",
        "/api/admin/units/{unit}",
        {"name": "新单位", "kind": "street_office", "area_code": "110101001000", "active": True},
    ),
    (
        "POST",
        "/api/admin/staff",
        {"id": "agent9", "display_name": "话务员九", "role": "agent", "password": "correct-horse-99999"},
    ),
    ("POST", "/api/admin/staff/{staff}/password", {"password": "correct-horse-77777"}),
    ("PUT", "/api/admin/calendar/{day}", {"workday": True, "note": "调休"}),
    (
        "POST",
        "/api/knowledge",
        {"id": "kb-fuzz", "title": "标题", "keywords": ["路灯"], "answer": "答复", "category_code": "0501"},
    ),
    (
        "PUT",
        "/api/knowledge/{article}",
        {"title": "标题", "keywords": ["路灯"], "answer": "答复", "version": 1},
    ),
    ("POST", "/api/agent/session", {"seat": "PJSIP/agent1001", "skills": ["enterprise"], "server": "a"}),
    ("POST", "/api/agent/session/pause", {"reason": "break"}),
    ("POST", "/api/staffing", {"aht_s": 200, "calls_per_hour": 100, "patience_s": 60, "target": 0.8}),
)
PATH_DEFAULTS = {"{unit}": "unit-x", "{staff}": "unit-b", "{day}": "2026-12-01", "{article}": "kb-fuzz"}
FIELD_VALUES: tuple[Any, ...] = (
    "x" * 300, "x" * 5000, "\x00", "a\ud800", 10**30, 2**31, -1, 0, 1e308, ["\ud800"], {"a": 10**30},
    "9999-12-31T23:59:59+14:00", "0001-01-01T00:00:00-14:00", "0" * 40,
)  # fmt: skip
HOSTILE_SEGMENTS = ("x" * 300, "a%00", "%ED%A0%80", "%C2%B2", "9999-12-31", "0001-01-01", "-", "x%2Fy")


async def test_hostile_fields_of_valid_bodies_make_no_500(app: Web) -> None:
    failures: list[str] = []

    async def check(method: str, url: str, body: dict[str, Any]) -> None:
        raw = json.dumps(body)
        status, text = await send(app, method, url, data=raw, headers={"Content-Type": "application/json"})
        if status >= 500:
            failures.append(f"{method} {url[:80]} {raw[:160]} → {status} {text[:200]}")
        if url == "/api/login" or url.endswith("/password"):
            await app.login("admin")  # keep acting as the admin

    for method, template, body in WRITES:
        url = template
        for name, value in PATH_DEFAULTS.items():
            url = url.replace(name, value)
        await check(method, url, body)
        for field in body:
            for value in FIELD_VALUES:
                await check(method, url, {**body, field: value})
        for name in PATH_DEFAULTS:
            if name in template:
                for segment in HOSTILE_SEGMENTS:
                    await check(
                        method, template.replace(name, segment).replace("{", "").replace("}", ""), body
                    )
    assert not failures, f"{len(failures)} answers were 5xx:\n" + "\n".join(failures[:60])
