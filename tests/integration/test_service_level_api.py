"""GET /api/service-level on a real database: supervisors and admins read the live figures (today,
rolling 24 h, per queue, per hour, alarm); agents and unit staff may not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.http.service_level import service_level_routes
from callcenter.queue.service_level.alarm import AlarmPolicy
from callcenter.queue.service_level.ledger import ServiceLevelPolicy
from callcenter.queue.service_level.tally import ServiceLevelTally
from tests.support.sl_stories import Story, told_live
from tests.support.web import START, Web, build_web


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    tally = ServiceLevelTally(ServiceLevelPolicy())
    stories = [
        Story("hotline", START - timedelta(minutes=30), "answered", 12, 1),
        Story("hotline", START - timedelta(minutes=20), "answered", 25, 2),
        Story("hotline-dialect", START - timedelta(minutes=10), "abandoned", 30, 3),
        Story("hotline", START - timedelta(minutes=5), "abandoned", 2, 4),
    ]
    for event in told_live(stories):
        tally.apply(event)
    return await build_web(
        aiohttp_client, engine, extra_routes=(service_level_routes(tally, AlarmPolicy(min_offered=3)),)
    )


async def test_a_supervisor_reads_the_figures(web: Web) -> None:
    client = await web.login("supervisor1")
    response = await client.get("/api/service-level")
    assert response.status == 200
    body = await response.json()
    today = body["today"]
    assert (today["offered"], today["answered"], today["answered_in_threshold"]) == (3, 2, 1)
    assert (today["abandoned"], today["short_abandoned"]) == (1, 1)
    assert today["rate_in_threshold"] == pytest.approx(1 / 3)
    assert body["rolling_24h"]["offered"] == 3
    assert set(body["by_queue"]["today"]) == {"hotline", "hotline-dialect"}
    assert set(body["by_hour"]) == {"9"}  # 09:30–09:55 Beijing time
    assert body["at_risk"] is True and body["target"] == 0.95


@pytest.mark.parametrize("user", ["agent1", "dispatcher1", "unit-a"])
async def test_other_roles_may_not(web: Web, user: str) -> None:
    client = await web.login(user)
    assert (await client.get("/api/service-level")).status == 403


async def test_anonymous_may_not(web: Web) -> None:
    web.client.session.cookie_jar.clear()
    assert (await web.client.get("/api/service-level")).status == 401
