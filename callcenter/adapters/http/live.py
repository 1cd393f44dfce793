"""The live transcript of a call on the desk (实时转写), docs/live-transcription.md.

* ``GET /api/agent/call``            the call the logged-in agent's seat is connected to, or ``null``
* ``GET /api/calls/{call_id}/live``  Server-Sent Events: ``event: final`` for each segment already closed
  (replayed at once), then ``partial`` and ``final`` events as the live worker publishes them; a comment line
  as heartbeat; every stream ends at shutdown.

Who may listen: the agent whose seat holds the call, and the call reviewers (``CALL_REVIEWERS``: supervisors,
admins) for any call; to anyone else the call does not exist (404, staff/call_access.py). Nothing here is
stored: the after-call transcript (from the recording) is what the work order keeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from callcenter.adapters.http.agents import SEAT_ROLES, SESSIONS
from callcenter.adapters.http.api import json_response
from callcenter.adapters.http.auth import require_role
from callcenter.adapters.http.inbox import HEARTBEAT, SSE_HEADERS, OpenStreams, sse
from callcenter.adapters.http.streams import StreamLease, open_stream
from callcenter.asr.live import LiveEvent, event_dict, event_from_json
from callcenter.calls.model import CallRecord
from callcenter.core.actors import CALL_REVIEWERS, Actor
from callcenter.core.errors import InvalidInput, NotFound
from callcenter.core.ids import CallId
from callcenter.ticketing.orders.views import mask_phone

log = logging.getLogger(__name__)

CALL_ID_MAX = 64


class LiveStore(Protocol):
    """What the endpoints need of ``RedisLiveTranscripts`` (callcenter/adapters/redis/live.py)."""

    def channel(self, call_id: CallId) -> str: ...

    async def finals(self, call_id: CallId) -> list[LiveEvent]: ...


class UnfinishedCalls(Protocol):
    async def get(self, call_id: CallId) -> CallRecord | None: ...

    async def unfinished(self, server: str) -> Sequence[CallRecord]: ...


@dataclass(frozen=True, slots=True)
class LiveDeps:
    store: LiveStore
    redis: Any  # redis.asyncio.Redis: one pub/sub connection per open stream
    calls: UnfinishedCalls
    heartbeat_seconds: float = 15.0
    retry_ms: int = 3000


LIVE = web.AppKey("live_transcripts", LiveDeps)
LIVE_STREAMS = web.AppKey("live_streams", OpenStreams)


async def _seat_call(request: web.Request, actor: Actor) -> CallRecord | None:
    """The call connected to the actor's seat right now (none when not logged in to a seat)."""
    session, _ = await request.app[SESSIONS].view(actor.id)
    if session is None:
        return None
    calls = await request.app[LIVE].calls.unfinished(session.server)
    mine = [c for c in calls if c.agent == session.seat and c.connected_at is not None]
    return max(mine, key=lambda c: c.connected_at or c.arrived_at, default=None)


async def my_call(request: web.Request) -> web.Response:
    actor = require_role(request, *SEAT_ROLES)
    call = await _seat_call(request, actor)
    if call is None:
        return json_response({"call": None})
    assert call.connected_at is not None
    return json_response(
        {
            "call": {
                "call_id": call.call_id,
                "caller_number": mask_phone(call.caller_number),
                "queue": call.queue,
                "connected_at": call.connected_at.isoformat(),
            }
        }
    )


def _call_id(request: web.Request) -> CallId:
    raw = request.match_info["call_id"]
    if not 0 < len(raw) <= CALL_ID_MAX or not all(
        ch.isascii() and (ch.isalnum() or ch in ".-_") for ch in raw
    ):
        raise InvalidInput("bad call id", field="call_id")
    return CallId(raw)


async def _may_listen(request: web.Request, actor: Actor, call_id: CallId) -> None:
    if actor.role in CALL_REVIEWERS:
        if await request.app[LIVE].calls.get(call_id) is None:
            raise NotFound(f"no call {call_id}", call_id=call_id)
        return
    call = await _seat_call(request, actor)
    if call is None or call.call_id != call_id:  # not the call at this agent's seat: as if there were none
        raise NotFound(f"no call {call_id}", call_id=call_id)


async def stream(request: web.Request) -> web.StreamResponse:
    actor = require_role(request, *SEAT_ROLES)
    call_id = _call_id(request)
    await _may_listen(request, actor, call_id)
    deps, streams = request.app[LIVE], request.app[LIVE_STREAMS]
    lease = open_stream(request, deps.heartbeat_seconds)
    closing = streams.open()
    response = web.StreamResponse(headers=SSE_HEADERS)
    try:
        async with _subscribed(deps.redis, deps.store.channel(call_id)) as messages:
            replayed = await deps.store.finals(call_id)  # after subscribing: nothing falls in between
            await response.prepare(request)
            await response.write(f"retry: {deps.retry_ms}\n".encode())
            sent = {(e.kind, e.speaker, e.seq) for e in replayed}
            for event in replayed:
                await response.write(sse(event.kind.value, event_dict(event)))
            await _relay(response, messages, sent, closing, lease)
    except ConnectionResetError:
        log.debug("live stream of call %s for %s: client gone", call_id, actor.id)
    finally:
        streams.release(closing)
        lease.release()
    return response


@contextlib.asynccontextmanager
async def _subscribed(redis: Any, channel: str) -> AsyncIterator[Any]:
    """A pub/sub connection whose subscription Redis has confirmed."""
    pubsub = redis.pubsub()
    try:
        await pubsub.subscribe(channel)
        async with asyncio.timeout(5):
            while (await pubsub.get_message(timeout=1.0) or {}).get("type") != "subscribe":
                pass
        yield pubsub
    finally:
        with contextlib.suppress(Exception):
            await pubsub.unsubscribe()
        await pubsub.aclose()


async def _relay(
    response: web.StreamResponse, pubsub: Any, sent: set[Any], closing: asyncio.Event, lease: StreamLease
) -> None:
    """Events as they come (a final already replayed is not sent twice), a heartbeat when idle; until
    shutdown or the end of the session."""
    loop = asyncio.get_running_loop()
    heartbeat = lease.every
    quiet_since = loop.time()
    while not closing.is_set() and await lease.holds(loop.time()):
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=min(heartbeat, 1.0))
        if message is None:
            if loop.time() - quiet_since >= heartbeat:
                await response.write(HEARTBEAT)
                quiet_since = loop.time()
            continue
        try:
            event = event_from_json(message["data"])
        except ValueError as exc:
            log.warning("live stream: malformed event skipped (%s)", exc)
            continue
        if (event.kind, event.speaker, event.seq) not in sent:
            await response.write(sse(event.kind.value, event_dict(event)))
            quiet_since = loop.time()


async def _close_streams(app: web.Application) -> None:
    app[LIVE_STREAMS].close_all()


def add_live_routes(app: web.Application, deps: LiveDeps) -> None:
    app[LIVE] = deps
    app[LIVE_STREAMS] = OpenStreams()
    app.on_shutdown.append(_close_streams)
    app.router.add_get("/api/agent/call", my_call)
    app.router.add_get("/api/calls/{call_id}/live", stream)


def live_routes(deps: LiveDeps) -> Any:
    """A route hook for ``WebDeps.extra_routes``."""
    return lambda app: add_live_routes(app, deps)
