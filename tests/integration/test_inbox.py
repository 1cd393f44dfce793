"""The live inbox on a real Redis: pub/sub per unit and for the hotline, and the SSE endpoint through
the real app (sessions, work-order API) on a real database."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import ClientResponse
from redis.asyncio import ConnectionPool, Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.http.inbox import INBOX_STREAMS, InboxSettings, add_inbox_routes
from callcenter.adapters.redis.inbox import RedisInbox
from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.ids import TicketId
from callcenter.ticketing.orders.ports import InboxNotice
from callcenter.ticketing.states import Action, TicketStatus
from tests.support.services import REDIS_URL
from tests.support.web import Web, build_web

A, B = UnitId("jianguomen"), UnitId("chaoyangmen")
AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
ORDER = {
    "request_text": '<script>alert("x")</script>建国门内大街18号门口的路灯坏了三天',
    "caller_number": "13800138000",
    "citizen": {"name": "王女士", "phone": "13800138000"},
    "category_code": "0501",
    "address": "东城区建国门内大街18号",
    "dispatch": {"lead_unit": "jianguomen"},
}


def notice(ticket: int, *units: UnitId, version: int = 3) -> InboxNotice:
    return InboxNotice(TicketId(ticket), version, Action.DISPATCH, TicketStatus.DISPATCHED, units, AT)


async def numsub(redis: Redis, channel: str) -> int:
    reply = await redis.pubsub_numsub(channel)
    return int(reply[0][1])


async def first(notices: Any) -> InboxNotice:
    async with asyncio.timeout(2):
        result: InboxNotice = await anext(notices)
    return result


# --- pub/sub ---------------------------------------------------------------------------------------


async def test_a_unit_and_the_hotline_hear_a_notice(redis: Redis, stream_name: str) -> None:
    inbox = RedisInbox(redis, prefix=stream_name)
    sent = notice(7, A)
    async with (
        inbox.subscribe([inbox.unit_channel(A)]) as unit_a,
        inbox.subscribe([inbox.hotline_channel]) as hotline,
    ):
        await inbox.publish(sent)
        assert await first(unit_a) == sent
        assert await first(hotline) == sent


async def test_deadline_alerts_travel_without_an_action(redis: Redis, stream_name: str) -> None:
    inbox = RedisInbox(redis, prefix=stream_name)
    alert = InboxNotice(TicketId(5), 4, None, TicketStatus.IN_PROGRESS, (A,), AT, alert="overdue")
    async with inbox.subscribe([inbox.unit_channel(A)]) as unit_a:
        await inbox.publish(alert)
        assert await first(unit_a) == alert


async def test_a_unit_does_not_hear_another_units_orders(redis: Redis, stream_name: str) -> None:
    inbox = RedisInbox(redis, prefix=stream_name)
    async with inbox.subscribe(inbox.channels_for(Actor(StaffId("a"), Role.UNIT_STAFF, A))) as unit_a:
        await inbox.publish(notice(1, B))
        await inbox.publish(notice(2, A, B))
        assert (await first(unit_a)).ticket_id == 2  # ticket 1 never arrived


async def test_malformed_messages_are_logged_and_skipped(
    redis: Redis, stream_name: str, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = RedisInbox(redis, prefix=stream_name)
    channel = inbox.unit_channel(A)
    good = json.loads(json.dumps({"ticket_id": 9, "version": 2, "action": "dispatch", "status": "dispatched",
                                  "units": ["jianguomen"], "at": AT.isoformat()}))  # fmt: skip
    bad = [
        "not json",
        "[]",
        json.dumps({**good, "status": "teleported"}),
        json.dumps({**good, "ticket_id": "9"}),
        json.dumps({**good, "at": "2026-11-24T02:00:00"}),  # no time zone
        json.dumps({**good, "units": "jianguomen"}),
        json.dumps({**good, "alert": "<b>red</b>"}),
        json.dumps({k: v for k, v in good.items() if k != "version"}),
    ]
    with caplog.at_level(logging.WARNING, logger="callcenter.adapters.redis.inbox"):
        async with inbox.subscribe([channel]) as notices:
            for message in [*bad, json.dumps(good)]:
                await redis.publish(channel, message)
            received = await first(notices)
    assert received.ticket_id == 9 and received.units == (A,)
    assert sum("malformed notice" in r.message for r in caplog.records) == len(bad)


async def test_leaving_a_subscription_unsubscribes_and_frees_its_connection(stream_name: str) -> None:
    pool = ConnectionPool.from_url(REDIS_URL, decode_responses=True, max_connections=2)
    redis = Redis(connection_pool=pool)
    inbox = RedisInbox(redis, prefix=stream_name)
    channel = inbox.hotline_channel
    try:
        for _ in range(3):  # would run out of the pool's two connections if one leaked
            async with inbox.subscribe([channel]):
                assert await numsub(redis, channel) == 1
            assert await numsub(redis, channel) == 0
        with pytest.raises(RuntimeError):
            async with inbox.subscribe([channel]):
                raise RuntimeError("the stream failed")
        assert await numsub(redis, channel) == 0
        assert await redis.ping()
    finally:
        await redis.aclose()
        await pool.aclose()


# --- SSE endpoint --------------------------------------------------------------------------------


@pytest.fixture
async def live(aiohttp_client: Any, engine: AsyncEngine, redis: Redis, stream_name: str) -> Web:
    inbox = RedisInbox(redis, prefix=stream_name)
    settings = InboxSettings(heartbeat_seconds=0.2, retry_ms=1000)
    return await build_web(
        aiohttp_client, engine, inbox, extra_routes=[lambda app: add_inbox_routes(app, inbox, settings)]
    )


async def open_stream(web: Web, user: str) -> ClientResponse:
    client = await web.login(user)
    response: ClientResponse = await client.get("/api/inbox/events")
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert await next_event(response) == ("ready", {"heartbeat_seconds": 0.2}, None)
    return response


async def next_event(response: ClientResponse) -> tuple[str, Any, str | None]:
    """The next event (name, data, id); heartbeat comments are skipped."""
    fields: dict[str, str] = {}
    async with asyncio.timeout(3):
        while True:
            line = (await response.content.readline()).decode()
            if not line:
                raise EOFError("stream ended")
            line = line.rstrip("\n")
            if not line and "event" in fields:
                return fields["event"], json.loads(fields["data"]), fields.get("id")
            if line and not line.startswith(":"):
                name, _, value = line.partition(": ")
                fields[name] = value


async def raw_until_quiet(response: ClientResponse, seconds: float) -> str:
    """Everything the stream sends for ``seconds``."""
    chunks: list[bytes] = []
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(seconds):
            while True:
                chunks.append(await response.content.readany())
    return b"".join(chunks).decode()


async def test_the_lead_unit_sees_its_new_order_live_and_no_personal_data(live: Web) -> None:
    other_unit = await open_stream(live, "unit-b")
    unit_a = await open_stream(live, "unit-a")
    hotline = await open_stream(live, "dispatcher1")
    order = await (await (await live.login("agent1")).post("/api/workorders", json=ORDER)).json()

    name, data, event_id = await next_event(unit_a)
    assert (name, data["ticket_id"], data["status"], data["units"]) == (
        "ticket", order["id"], "dispatched", ["jianguomen"]
    )  # fmt: skip
    assert event_id == f"{order['id']}:{order['version']}"
    # 受理 and 派单 are saved together: one notice, with the last action
    hotline_seen = [await next_event(hotline)]
    assert [d["action"] for _, d, _ in hotline_seen] == ["dispatch"]
    assert "ticket" not in await raw_until_quiet(other_unit, 0.6)  # heartbeats only
    for stream in (unit_a, hotline):
        stream.close()
    other_unit.close()


async def test_the_stream_carries_ids_only(live: Web) -> None:
    unit_a = await open_stream(live, "unit-a")
    await (await live.login("agent1")).post("/api/workorders", json=ORDER)
    raw = await raw_until_quiet(unit_a, 0.5)
    assert "event: ticket" in raw
    for personal in ("13800138000", "王女士", "路灯", "script", "建国门内大街"):
        assert personal not in raw
    unit_a.close()


async def test_an_idle_stream_gets_heartbeats(live: Web) -> None:
    stream = await open_stream(live, "unit-a")
    assert (await raw_until_quiet(stream, 0.7)).count(": keep-alive") >= 2
    stream.close()


async def test_without_a_session_the_stream_is_refused(live: Web) -> None:
    live.client.session.cookie_jar.clear()
    response = await live.client.get("/api/inbox/events")
    assert response.status == 401 and (await response.json())["code"] == "not_authenticated"


async def test_a_client_that_goes_away_frees_its_subscription(
    live: Web, redis: Redis, stream_name: str
) -> None:
    stream = await open_stream(live, "unit-a")
    channel = f"{stream_name}:unit:jianguomen"
    assert await numsub(redis, channel) == 1
    stream.close()
    async with asyncio.timeout(3):  # noticed at the next heartbeat
        while await numsub(redis, channel) or len(live.client.app[INBOX_STREAMS]):  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # polling Redis: there is no event to wait on


async def test_app_shutdown_ends_open_streams_at_once(live: Web, redis: Redis, stream_name: str) -> None:
    streams = [await open_stream(live, "unit-a"), await open_stream(live, "supervisor1")]
    await live.client.app.shutdown()
    for stream in streams:
        async with asyncio.timeout(2):
            while await stream.content.readany():
                pass
        assert stream.content.at_eof()
    assert await numsub(redis, f"{stream_name}:unit:jianguomen") == 0
    assert await numsub(redis, f"{stream_name}:hotline") == 0
    assert len(live.client.app[INBOX_STREAMS]) == 0


# --- the page ------------------------------------------------------------------------------------


async def test_the_inbox_page_is_chinese_mobile_and_csp_clean(live: Web) -> None:
    client = live.client
    page = await client.get("/static/inbox.html")
    html = await page.text()
    assert page.status == 200 and 'lang="zh-CN"' in html and "工单收件箱" in html
    assert 'name="viewport"' in html and "width=device-width" in html
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in html and not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    script = await (await client.get("/static/inbox.js")).text()
    for forbidden in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
    ):
        assert forbidden not in script, forbidden
    assert 'new EventSource("/api/inbox/events")' in script and "工单已被他人修改，请刷新" in script
    assert "保密工单" in script and "textContent" in script
    css = await client.get("/static/inbox.css")
    assert css.status == 200 and "@media (min-width" in await css.text()
