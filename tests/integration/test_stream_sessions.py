"""Live streams (SSE) belong to a login session (streams.py), through the real app on a real database and a
real Redis: each of the three streams — the inbox, the wallboard, a call's live transcript — ends at its
next heartbeat once its session is gone (logged out, password reset, account disabled); one session holds
at most ``streams_per_session`` of them and the next one is refused with 429."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse
from redis.asyncio import Redis
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.engine import upgrade
from callcenter.adapters.db.repositories import SqlCallRepository
from callcenter.adapters.db.tables import staff
from callcenter.adapters.http.streams import SESSION_STREAMS
from callcenter.calls.model import CallRecord
from callcenter.core.ids import CallId
from tests.support.all_routes import build_all_routes
from tests.support.web import Web

CALL = CallId("1764000000.42")
STREAMS = {
    "inbox": "/api/inbox/events",
    "wallboard": "/api/wallboard/stream",
    "live transcript": f"/api/calls/{CALL}/live",
}


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    """SQLite only: the database holds the sessions here; Redis carries the streams."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'callcenter.db'}"
    await upgrade(url)
    return url


@pytest.fixture
async def app(
    aiohttp_client: Any, engine: AsyncEngine, redis: Redis, stream_name: str, tmp_path: Path
) -> Web:
    web = await build_all_routes(
        aiohttp_client, engine, redis, stream_name, tmp_path / "files", heartbeat=0.2
    )
    await redis.set(f"{stream_name}:wall:snapshot", '{"waiting": 0}')  # the wallboard has something to show
    arrived = datetime(2026, 11, 24, 1, 59, tzinfo=UTC)
    await SqlCallRepository(engine).save(CallRecord(CALL, "13800138000", "PJSIP/pstn-00000001", arrived))
    return web


async def open_stream(web: Web, path: str) -> ClientResponse:
    response: ClientResponse = await web.client.get(path)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/event-stream")
    await response.content.readany()  # the stream has started
    return response


async def ended(stream: ClientResponse, within: float = 3.0) -> bool:
    """Read until the server ends the stream; False if it is still open after ``within`` seconds."""
    try:
        async with asyncio.timeout(within):
            while await stream.content.readany():
                pass
    except TimeoutError:
        return False
    return stream.content.at_eof()


async def none_held(web: Web) -> bool:
    """Whether the app counts no open stream, once it has noticed the closed ones (next heartbeat)."""
    async with asyncio.timeout(3):
        while web.client.app[SESSION_STREAMS].held():  # noqa: ASYNC110 (no event to wait on)
            await asyncio.sleep(0.05)
    return True


@pytest.mark.parametrize("name", list(STREAMS))
@pytest.mark.parametrize("ending", ["password reset", "account disabled"])
async def test_a_stream_ends_when_its_session_does(
    app: Web, engine: AsyncEngine, name: str, ending: str
) -> None:
    await app.login("supervisor1")
    stream = await open_stream(app, STREAMS[name])
    await app.login("admin")
    bystander = await open_stream(app, STREAMS[name])  # someone else's stream goes on
    assert not await ended(stream, within=0.5)  # heartbeats pass while the session holds
    if ending == "password reset":  # set_password deletes the account's sessions
        answer = await app.client.post(
            "/api/admin/staff/supervisor1/password", json={"password": "another-horse-54321"}
        )
        assert answer.status == 200
    else:
        async with engine.begin() as conn:
            await conn.execute(update(staff).where(staff.c.id == "supervisor1").values(active=False))
    assert await ended(stream), f"the {name} stream outlived the {ending}"
    assert not await ended(bystander, within=0.5)
    bystander.close()


@pytest.mark.parametrize("name", list(STREAMS))
async def test_logging_out_ends_the_stream_at_its_next_heartbeat(app: Web, name: str) -> None:
    await app.login("supervisor1")
    stream = await open_stream(app, STREAMS[name])
    assert (await app.client.post("/api/logout")).status == 200
    assert await ended(stream)
    again = await app.client.get(STREAMS[name])
    assert again.status == 401


async def test_one_session_holds_at_most_four_streams(app: Web) -> None:
    await app.login("supervisor1")
    open_ = [await open_stream(app, STREAMS[n]) for n in ("inbox", "wallboard", "live transcript", "inbox")]
    refused = await app.client.get(STREAMS["wallboard"])
    assert refused.status == 429 and (await refused.json())["code"] == "too_many_streams"
    assert all(not s.content.at_eof() for s in open_)  # the open ones go on
    open_.pop().close()
    async with asyncio.timeout(3):  # the closed one is noticed at its next heartbeat, then there is room
        while (again := await app.client.get(STREAMS["inbox"])).status == 429:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    assert again.status == 200
    open_.append(again)
    await app.login("supervisor1")  # another login is another session, with room of its own
    open_.append(await open_stream(app, STREAMS["inbox"]))
    for stream in open_:
        stream.close()
    assert await none_held(app)
