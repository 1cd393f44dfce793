"""The wall page in a real browser: it logs in, shows the numbers the stream pushes, and the 95 % alarm.

Headless Chromium (tests/support/browser.py) on the app served on a loopback port, real Redis between the
publisher and the stream; floor events are handed to the publisher as the AMI bridge would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.engine import upgrade
from callcenter.adapters.http.wallboard import WallboardSettings, add_wallboard_routes
from callcenter.adapters.redis.inbox import RedisInbox
from callcenter.adapters.redis.wallboard import WallboardFeed, WallboardPublisher
from callcenter.core.clock import FixedClock
from callcenter.core.ids import CallId
from callcenter.core.waiting import cancel_all
from callcenter.queue.events import CallerJoined, CallerLeft
from callcenter.queue.floor import Rates
from callcenter.queue.service_level.ledger import ServiceLevelFigures
from tests.support.browser import Browser, HeldNotices, LiveApp
from tests.support.web import PASSWORD, build_web

pytestmark = pytest.mark.slow

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
HOSTILE = "<img src=x onerror=alert(1)>队列"


class Figures:
    """The service-level figures the publisher reads; a test changes them."""

    def __init__(self) -> None:
        self.rates = Rates()

    def __call__(self, _now: datetime) -> Rates:
        return self.rates


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'callcenter.db'}"
    await upgrade(url)
    return url


@pytest.fixture
def figures() -> Figures:
    return Figures()


@pytest.fixture
async def publisher(redis: Redis, stream_name: str, figures: Figures) -> AsyncIterator[WallboardPublisher]:
    made = WallboardPublisher(redis, figures, FixedClock(T0 + timedelta(seconds=42)), prefix=stream_name)
    task = asyncio.create_task(made.run())
    yield made
    await cancel_all([task])


@pytest.fixture
async def live_app(
    aiohttp_client: Any,
    engine: AsyncEngine,
    redis: Redis,
    stream_name: str,
    publisher: WallboardPublisher,
    tmp_path: Path,
) -> AsyncIterator[LiveApp]:
    """The app with the wallboard's routes and this process's feed (replaces the inbox's ``live_app``)."""
    feed = WallboardFeed(redis, prefix=stream_name, retry_s=0.2)
    settings = WallboardSettings(heartbeat_seconds=1.0, retry_ms=1000)
    built = await build_web(
        aiohttp_client, engine, extra_routes=[lambda app: add_wallboard_routes(app, feed, settings)]
    )
    task = asyncio.create_task(feed.run())
    notices = HeldNotices(RedisInbox(redis, prefix=stream_name))  # no inbox here; LiveApp wants one
    yield LiveApp(built, str(built.client.make_url("")).rstrip("/"), notices, tmp_path)
    await cancel_all([task])


async def test_the_wall_shows_pushed_numbers_and_the_alarm(
    browser: Browser, publisher: WallboardPublisher, figures: Figures
) -> None:
    await browser.login("/wallboard", "supervisor1", PASSWORD)
    await browser.text("#live", "实时")
    await browser.text("#waiting", "0")

    await publisher.handle(CallerJoined("ast1", "hotline", "u1", CallId("c1"), "13800138000", 1, T0))
    await publisher.handle(CallerJoined("ast1", HOSTILE, "u2", CallId("c2"), "13800138001", 1, T0))
    await browser.text("#waiting", "2")
    await browser.text("#longest", "00:42")
    await browser.text("#queues tr", "普通话")
    row = await browser.text("#queues tr", "onerror")  # the hostile queue name is text, not markup
    assert HOSTILE in row.text
    assert await browser.js("return document.querySelectorAll('#queues img').length") == 0
    await browser.text("#servers tr", "ast1")

    slow = ServiceLevelFigures(offered=100, answered=96, answered_in_threshold=80, abandoned=4)
    figures.rates = Rates(today=slow, rolling_24h=slow, today_by_queue={"hotline": slow})
    await publisher.handle(CallerLeft("ast1", "hotline", "u1", CallId("c1"), T0 + timedelta(seconds=5)))
    await browser.text("#alarm", "服务水平告警")
    await browser.text("#alarm", "今日15秒接通率")
    await browser.text("#rate", "80.0%")
    await browser.text("#abandon", "4.0%")
    await browser.text("#waiting", "1")
    assert "bad" in await browser.js("return document.getElementById('tile-rate').className")


async def test_unit_staff_are_told_they_may_not_see_the_wall(browser: Browser) -> None:
    await browser.login("/wallboard", "unit-a", PASSWORD)
    await browser.text("#message", "无权查看大屏")
