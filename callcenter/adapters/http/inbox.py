"""``GET /api/inbox/events``: the live inbox as Server-Sent Events.

Unit staff hear their own unit's channel only, hotline staff the hotline channel (every order). The
stream starts with ``event: ready``; each change of an order (or deadline alert) is ``event: ticket``
whose data is the notice (ids, version, action, alert, status, units, time — nothing personal) and whose
``id`` is ``ticket_id:version``.
A comment line every ``heartbeat_seconds`` keeps proxies from closing an idle stream and tells the server
when the client has gone; the session is checked again as often, and the stream ends when it is gone
(streams.py, which also caps the streams of one session). On app shutdown every open stream is ended at
once (``on_shutdown``), before the Redis client is closed. Notices are not replayed: a client that
reconnects reloads its list instead.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from callcenter.adapters.http.auth import actor_of
from callcenter.adapters.http.streams import StreamLease, open_stream
from callcenter.adapters.redis.inbox import notice_dict
from callcenter.core.actors import Actor
from callcenter.ticketing.orders.ports import InboxNotice

log = logging.getLogger(__name__)

SSE_HEADERS = {
    "Content-Type": "text/event-stream; charset=utf-8",
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",  # nginx: pass events through at once
    "X-Content-Type-Options": "nosniff",
}
HEARTBEAT = b": keep-alive\n\n"


class InboxFeed(Protocol):
    """What the endpoint needs of the pub/sub adapter (``RedisInbox``)."""

    def channels_for(self, actor: Actor) -> tuple[str, ...]: ...

    def subscribe(
        self, channels: Iterable[str]
    ) -> AbstractAsyncContextManager[AsyncIterator[InboxNotice]]: ...


@dataclass(frozen=True, slots=True)
class InboxSettings:
    heartbeat_seconds: float = 15.0
    retry_ms: int = 5000  # how long a browser waits before reconnecting


class OpenStreams:
    """The streams being served; ``close_all`` ends them (app shutdown)."""

    def __init__(self) -> None:
        self._closing: set[asyncio.Event] = set()
        self.shutting_down = False

    def open(self) -> asyncio.Event:
        event = asyncio.Event()
        if self.shutting_down:
            event.set()
        self._closing.add(event)
        return event

    def release(self, event: asyncio.Event) -> None:
        self._closing.discard(event)

    def close_all(self) -> None:
        self.shutting_down = True
        for event in self._closing:
            event.set()

    def __len__(self) -> int:
        return len(self._closing)


INBOX_FEED = web.AppKey("inbox_feed", InboxFeed)
INBOX_SETTINGS = web.AppKey("inbox_settings", InboxSettings)
INBOX_STREAMS = web.AppKey("inbox_streams", OpenStreams)


notice_json = notice_dict  # the SSE data is the pub/sub message itself


def sse(event: str, data: object, event_id: str | None = None) -> bytes:
    """One event; JSON data has no line breaks, so it fits on one ``data:`` line."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


async def events(request: web.Request) -> web.StreamResponse:
    actor = actor_of(request)
    feed, settings, streams = request.app[INBOX_FEED], request.app[INBOX_SETTINGS], request.app[INBOX_STREAMS]
    lease = open_stream(request, settings.heartbeat_seconds)
    closing = streams.open()
    response = web.StreamResponse(headers=SSE_HEADERS)
    try:
        async with feed.subscribe(feed.channels_for(actor)) as notices:
            await response.prepare(request)
            ready = {"heartbeat_seconds": settings.heartbeat_seconds}
            await response.write(f"retry: {settings.retry_ms}\n".encode() + sse("ready", ready))
            await _relay(response, notices, closing, lease)
    except ConnectionResetError:
        log.debug("inbox stream of %s: client gone", actor.id)
    finally:
        streams.release(closing)
        lease.release()
    return response


async def _relay(
    response: web.StreamResponse,
    notices: AsyncIterator[InboxNotice],
    closing: asyncio.Event,
    lease: StreamLease,
) -> None:
    """Write notices as they come and a heartbeat when idle, until the feed ends, fails, the session ends
    or we shut down."""
    loop = asyncio.get_running_loop()
    upcoming = asyncio.create_task(_next(notices))
    closed = asyncio.create_task(closing.wait())
    try:
        while True:
            done, _ = await asyncio.wait(
                {upcoming, closed}, timeout=lease.every, return_when=asyncio.FIRST_COMPLETED
            )
            if closed in done or not await lease.holds(loop.time()):
                return
            if upcoming not in done:
                await response.write(HEARTBEAT)
                continue
            notice = upcoming.result()
            if notice is None:
                return
            await response.write(sse("ticket", notice_json(notice), f"{notice.ticket_id}:{notice.version}"))
            upcoming = asyncio.create_task(_next(notices))
    finally:
        for task in (upcoming, closed):
            task.cancel()
        await asyncio.gather(upcoming, closed, return_exceptions=True)


async def _next(notices: AsyncIterator[InboxNotice]) -> InboxNotice | None:
    """The next notice; None when the feed ends or fails (the browser reconnects and reloads)."""
    try:
        return await anext(notices)
    except StopAsyncIteration:
        return None
    except Exception:
        log.warning("inbox feed failed; ending the stream", exc_info=True)
        return None


async def _close_streams(app: web.Application) -> None:
    app[INBOX_STREAMS].close_all()


def add_inbox_routes(app: web.Application, feed: InboxFeed, settings: InboxSettings | None = None) -> None:
    app[INBOX_FEED] = feed
    app[INBOX_SETTINGS] = settings or InboxSettings()
    app[INBOX_STREAMS] = OpenStreams()
    app.on_shutdown.append(_close_streams)
    app.router.add_get("/api/inbox/events", events)
