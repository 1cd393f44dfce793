"""The wallboard on a real Redis: coalesced publishing, the stored snapshot, the SSE stream and the page,
through the real app's sessions and role checks."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from redis.asyncio import Redis

from callcenter.adapters.db.engine import upgrade
from callcenter.adapters.http.wallboard import WALLBOARD_STREAMS, WallboardSettings, add_wallboard_routes
from callcenter.adapters.redis.wallboard import WallboardFeed, WallboardPublisher
from callcenter.core.clock import FixedClock
from callcenter.core.ids import CallId
from callcenter.core.waiting import cancel_all
from callcenter.queue.events import CallerAbandoned, CallerJoined, CallerLeft
from callcenter.queue.floor import Rates
from tests.support.sse import next_event
from tests.support.web import Web, build_web

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def joined(call: str, seconds: float = 0, queue: str = "hotline") -> CallerJoined:
    return CallerJoined(
        "ast1", queue, f"u-{call}", CallId(call), "13800138000", 1, T0 + timedelta(seconds=seconds)
    )


def left(call: str, seconds: float) -> CallerLeft:
    return CallerLeft("ast1", "hotline", f"u-{call}", CallId(call), T0 + timedelta(seconds=seconds))


def no_rates(_now: datetime) -> Rates:
    return Rates()


class Board:
    """A publisher and a feed on a key prefix of the test's own, their tasks running."""

    def __init__(self, redis: Redis, prefix: str, clock: FixedClock, interval: float = 0.05) -> None:
        self.clock = clock
        self.publisher = WallboardPublisher(
            redis, no_rates, clock, interval=interval, tick=0.3, prefix=prefix
        )
        self.feed = WallboardFeed(redis, prefix=prefix, retry_s=0.1)
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.tasks = [asyncio.create_task(self.publisher.run()), asyncio.create_task(self.feed.run())]

    async def published_after(self, count: int) -> None:
        async with asyncio.timeout(3):
            while self.publisher.publishes <= count:  # noqa: ASYNC110 (the publisher has no event to wait on)
                await asyncio.sleep(0.01)


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    """SQLite only: the database holds the staff accounts here and is not the subject."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'callcenter.db'}"
    await upgrade(url)
    return url


@pytest.fixture
async def board(redis: Redis, stream_name: str) -> AsyncIterator[Board]:
    made = Board(redis, stream_name, FixedClock(T0 + timedelta(seconds=30)))
    await made.start()
    yield made
    await cancel_all(made.tasks)


@pytest.fixture
async def wall(aiohttp_client: Any, engine: Any, board: Board) -> Web:
    settings = WallboardSettings(heartbeat_seconds=0.2, retry_ms=1000)
    hook = [lambda app: add_wallboard_routes(app, board.feed, settings)]
    return await build_web(aiohttp_client, engine, extra_routes=hook)


# --- publishing --------------------------------------------------------------------------------------


async def test_a_burst_of_events_makes_one_publish_of_the_latest_state(board: Board, redis: Redis) -> None:
    await board.published_after(0)  # the first snapshot goes out at start-up
    before = board.publisher.publishes
    for i in range(5000):  # the bridge hands events over back to back: the publisher cannot run between
        await board.publisher.handle(joined(f"c{i}", seconds=i / 1000))
        if i < 4990:
            await board.publisher.handle(left(f"c{i}", seconds=i / 1000))
    await board.published_after(before)
    stored = json.loads(str(await redis.get(board.publisher.key)))
    assert board.publisher.publishes - before <= 2  # not 9,990
    assert stored["totals"]["waiting"] == 10
    assert stored["source_event_at"] == (T0 + timedelta(seconds=4.999)).isoformat()
    assert stored["published_at"] == board.clock.now().isoformat()


async def test_the_tick_republishes_so_the_longest_wait_keeps_counting(board: Board, redis: Redis) -> None:
    await board.publisher.handle(joined("c1", seconds=0))
    await board.published_after(board.publisher.publishes)
    board.clock.set(T0 + timedelta(seconds=75))
    await board.published_after(board.publisher.publishes)  # no event: the tick
    stored = json.loads(str(await redis.get(board.publisher.key)))
    assert stored["totals"]["longest_wait_seconds"] == 75
    assert stored["published_at"] == (T0 + timedelta(seconds=75)).isoformat()


async def test_redis_down_keeps_the_floor_and_publishes_nothing(stream_name: str) -> None:
    down = Redis.from_url("redis://127.0.0.1:1/0", decode_responses=True, socket_connect_timeout=0.2)
    publisher = WallboardPublisher(down, no_rates, FixedClock(T0), prefix=stream_name)
    await publisher.handle(joined("c1"))
    assert await publisher.publish() is False
    assert publisher.snapshot()["totals"]["waiting"] == 1  # the floor goes on; the next publish carries it
    await down.aclose()


# --- HTTP --------------------------------------------------------------------------------------------


async def test_hotline_staff_read_the_snapshot(wall: Web, board: Board) -> None:
    await board.publisher.handle(joined("c1", seconds=10))
    await board.published_after(board.publisher.publishes)
    for user in ("agent1", "dispatcher1", "supervisor1", "admin"):
        response = await (await wall.login(user)).get("/api/wallboard")
        assert response.status == 200, user
        snap = await response.json()
        assert snap["totals"]["waiting"] == 1 and snap["totals"]["longest_wait_seconds"] == 20
        assert {"source_event_at", "published_at", "queues", "servers"} <= set(snap)
        assert response.headers["Cache-Control"] == "no-store"


async def test_unit_staff_and_strangers_are_refused(wall: Web) -> None:
    client = await wall.login("unit-a")
    assert (await client.get("/api/wallboard")).status == 403
    assert (await client.get("/api/wallboard/stream")).status == 403
    client.session.cookie_jar.clear()
    for path in ("/api/wallboard", "/api/wallboard/stream"):
        response = await client.get(path)
        assert response.status == 401 and (await response.json())["code"] == "not_authenticated"
    forged = await client.get("/api/wallboard", cookies={"cc_session": "x" * 40})
    assert forged.status == 401


async def test_no_snapshot_yet_is_a_503(
    aiohttp_client: Any, engine: Any, redis: Redis, stream_name: str
) -> None:
    feed = WallboardFeed(redis, prefix=f"{stream_name}:nobody")
    web = await build_web(aiohttp_client, engine, extra_routes=[lambda app: add_wallboard_routes(app, feed)])
    response = await (await web.login("supervisor1")).get("/api/wallboard")
    assert response.status == 503 and (await response.json())["code"] == "queue_unavailable"


async def open_stream(web: Web, user: str) -> ClientResponse:
    response: ClientResponse = await (await web.login(user)).get("/api/wallboard/stream")
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/event-stream")
    return response


async def next_snapshot(response: ClientResponse) -> dict[str, Any]:
    return await next_event(response, "snapshot")


async def test_the_stream_sends_the_current_snapshot_at_once_then_each_change(
    wall: Web, board: Board
) -> None:
    await board.published_after(0)
    stream = await open_stream(wall, "agent1")
    assert (await next_snapshot(stream))["totals"]["waiting"] == 0
    await board.publisher.handle(joined("c1"))
    while (snap := await next_snapshot(stream))["totals"]["waiting"] != 1:
        pass  # a tick may come first
    assert snap["source_event_at"] == T0.isoformat()
    await board.publisher.handle(CallerAbandoned("ast1", "hotline", "u-c1", CallId("c1"), "1380", 9, 1, T0))
    while (await next_snapshot(stream))["totals"]["waiting"] != 0:
        pass
    stream.close()


async def test_hostile_messages_on_the_channel_stay_inert(wall: Web, board: Board, redis: Redis) -> None:
    await board.published_after(0)
    stream = await open_stream(wall, "supervisor1")
    await next_snapshot(stream)
    board.publisher.tick = 60.0  # only our messages from now on
    await board.published_after(board.publisher.publishes)
    injected = 'x\n\nevent: snapshot\ndata: {"published_at": "evil"}\n\n'
    hostile = json.dumps({"published_at": "2026-01-01T00:00:00+00:00", "queues": [{"queue": "<script>\n"}]})
    for raw in ("not json", "[1, 2]", injected, hostile):
        await redis.publish(board.publisher.channel, raw)
    seen = [await next_snapshot(stream)]
    while seen[-1]["published_at"] != "2026-01-01T00:00:00+00:00":  # the tick we waited for may come first
        seen.append(await next_snapshot(stream))
    assert seen[-1]["queues"] == [{"queue": "<script>\n"}]  # JSON-escaped on one line; the page shows text
    assert all(snap["published_at"] != "evil" for snap in seen)
    await board.publisher.handle(joined("c2"))
    assert (await next_snapshot(stream))["totals"]["waiting"] == 1  # nothing else came in between
    stream.close()


async def test_an_idle_stream_gets_heartbeats_and_shutdown_ends_it(wall: Web, board: Board) -> None:
    board.publisher.tick = 60.0
    await board.published_after(0)
    stream = await open_stream(wall, "admin")
    await next_snapshot(stream)
    chunks: list[bytes] = []
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.7):
            while True:
                chunks.append(await stream.content.readany())
    assert b"".join(chunks).count(b": keep-alive") >= 2
    await wall.client.app.shutdown()
    async with asyncio.timeout(2):
        while await stream.content.readany():
            pass
    assert stream.content.at_eof() and len(wall.client.app[WALLBOARD_STREAMS]) == 0


# --- the page ----------------------------------------------------------------------------------------


async def test_the_page_is_chinese_and_csp_clean(wall: Web) -> None:
    client = wall.client
    page = await client.get("/wallboard")
    html = await page.text()
    assert page.status == 200 and 'lang="zh-CN"' in html and "实时大屏" in html and "15秒接通率" in html
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="/static/' in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in html and not re.search(r"\sstyle=", html) and not re.search(r"\son[a-z]+=", html)
    assert "http://" not in html and "https://" not in html  # no external assets
    script = await (await client.get("/static/wallboard.js")).text()
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "document.write"):
        assert forbidden not in script
    assert "EventSource" in script
