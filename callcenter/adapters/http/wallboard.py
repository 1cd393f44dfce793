"""The wallboard (大屏): ``GET /api/wallboard`` (JSON), ``/api/wallboard/stream`` (SSE), page ``/wallboard``.

Read-only, for the hotline's own staff (agents, dispatchers, supervisors, admin); a handling unit's staff
get 403, nobody logged in 401. The snapshot is the JSON the publisher stored in Redis, passed through as
it is (docs/wallboard.md). The stream sends ``event: snapshot`` with the current snapshot at once and then
each one published, latest first: a slow screen skips snapshots instead of queueing them. A comment line
every ``heartbeat_seconds`` keeps proxies from closing it; the session is checked again as often
(streams.py); on shutdown every stream ends at once.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from callcenter.adapters.http.app import STATIC, RouteHook
from callcenter.adapters.http.auth import require_role
from callcenter.adapters.http.inbox import HEARTBEAT, SSE_HEADERS, OpenStreams
from callcenter.adapters.http.streams import StreamLease, open_stream
from callcenter.core.actors import HOTLINE_ROLES
from callcenter.core.errors import QueueUnavailable

log = logging.getLogger(__name__)

VIEWERS = tuple(HOTLINE_ROLES)  # 话务员, 派单员, 督办 (supervisors), admin; not a handling unit's staff


class WallboardSource(Protocol):
    """What the endpoints need of ``WallboardFeed`` (callcenter/adapters/redis/wallboard.py)."""

    latest: str | None
    version: int

    async def current(self) -> str | None: ...

    async def changed_after(self, version: int, within: float) -> tuple[int, str] | None: ...


@dataclass(frozen=True, slots=True)
class WallboardSettings:
    heartbeat_seconds: float = 15.0
    retry_ms: int = 3000  # how long a browser waits before reconnecting


WALLBOARD_FEED = web.AppKey("wallboard_feed", WallboardSource)
WALLBOARD_SETTINGS = web.AppKey("wallboard_settings", WallboardSettings)
WALLBOARD_STREAMS = web.AppKey("wallboard_streams", OpenStreams)


async def _stored(feed: WallboardSource) -> str:
    try:
        data = await feed.current()
    except Exception as exc:  # Redis down or refusing: the wall says so and retries
        raise QueueUnavailable(f"wallboard unavailable: {exc}") from exc
    if data is None:
        raise QueueUnavailable("wallboard unavailable: no snapshot published (is the AMI bridge running?)")
    return data


async def snapshot(request: web.Request) -> web.Response:
    require_role(request, *VIEWERS)
    data = await _stored(request.app[WALLBOARD_FEED])
    return web.Response(text=data, content_type="application/json", charset="utf-8")


def frame(version: int, data: str) -> bytes:
    """One snapshot event; the feed checked that ``data`` is one line of JSON."""
    return f"id: {version}\nevent: snapshot\ndata: {data}\n\n".encode()


async def stream(request: web.Request) -> web.StreamResponse:
    actor = require_role(request, *VIEWERS)
    feed, settings = request.app[WALLBOARD_FEED], request.app[WALLBOARD_SETTINGS]
    streams = request.app[WALLBOARD_STREAMS]
    version, first = feed.version, feed.latest
    if first is None:
        first = await _stored(feed)  # 503 before the stream opens: the browser retries later
    lease = open_stream(request, settings.heartbeat_seconds)
    closing = streams.open()
    response = web.StreamResponse(headers=SSE_HEADERS)
    try:
        await response.prepare(request)
        await response.write(f"retry: {settings.retry_ms}\n".encode() + frame(version, first))
        await _relay(response, feed, version, closing, lease)
    except ConnectionResetError:
        log.debug("wallboard stream of %s: client gone", actor.id)
    finally:
        streams.release(closing)
        lease.release()
    return response


async def _relay(
    response: web.StreamResponse,
    feed: WallboardSource,
    version: int,
    closing: asyncio.Event,
    lease: StreamLease,
) -> None:
    loop = asyncio.get_running_loop()
    closed = asyncio.create_task(closing.wait())
    try:
        while True:
            upcoming = asyncio.create_task(feed.changed_after(version, lease.every))
            done, _ = await asyncio.wait({upcoming, closed}, return_when=asyncio.FIRST_COMPLETED)
            if closed in done or not await lease.holds(loop.time()):
                upcoming.cancel()
                await asyncio.gather(upcoming, return_exceptions=True)
                return
            newer = upcoming.result()
            if newer is None:
                await response.write(HEARTBEAT)
                continue
            version, data = newer
            await response.write(frame(version, data))
    finally:
        closed.cancel()
        await asyncio.gather(closed, return_exceptions=True)


async def page(_request: web.Request) -> web.FileResponse:
    """The wall screen; it logs in like the other pages and reads the stream (no login, no numbers)."""
    return web.FileResponse(STATIC / "wallboard.html")


async def _close_streams(app: web.Application) -> None:
    app[WALLBOARD_STREAMS].close_all()


def add_wallboard_routes(
    app: web.Application, feed: WallboardSource, settings: WallboardSettings | None = None
) -> None:
    app[WALLBOARD_FEED] = feed
    app[WALLBOARD_SETTINGS] = settings or WallboardSettings()
    app[WALLBOARD_STREAMS] = OpenStreams()
    app.on_shutdown.append(_close_streams)
    app.router.add_get("/api/wallboard", snapshot)
    app.router.add_get("/api/wallboard/stream", stream)
    app.router.add_get("/wallboard", page)


def wallboard_routes(feed: WallboardSource, settings: WallboardSettings | None = None) -> RouteHook:
    """A route hook for ``WebDeps.extra_routes``."""
    return lambda app: add_wallboard_routes(app, feed, settings)
