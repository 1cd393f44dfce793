"""The hotline floor's half of the composition root (issue 5): the AMI actions and one AMI bridge per
Asterisk, the live seats and wallboard, the service-level ledger, the FastAGI server. ``wiring.app``
calls these builders and adds the contexts to the app's cleanup_ctx; nothing is created at import.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from functools import partial

from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.agi.routes import hotline_routes
from callcenter.adapters.agi.server import FastAgiServer
from callcenter.adapters.ami.actions import AmiActions
from callcenter.adapters.ami.bridge import AmiBridge, BridgeSink
from callcenter.adapters.ami.bridges import BridgeSet, endpoints
from callcenter.adapters.ami.live_tap import AudioSocketTarget, LiveTap
from callcenter.adapters.ami.translate import HotlineMatch
from callcenter.adapters.db.queue_entries import SqlQueueEntries
from callcenter.adapters.redis.agents import RedisAgentState
from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.adapters.redis.wallboard import Wallboard, WallboardFeed, WallboardPublisher
from callcenter.config.asterisk_servers import asterisk_servers
from callcenter.config.settings import Settings
from callcenter.core.clock import Clock
from callcenter.core.ids import TicketId
from callcenter.core.waiting import cancel_all
from callcenter.ivr.routing import OverflowPolicy
from callcenter.queue.floor import ViewPolicy, rates_of
from callcenter.queue.seats.agent_floor import AgentFloor
from callcenter.queue.seats.sessions import AgentSessions
from callcenter.queue.service_level.recorder import ServiceLevelRecorder
from callcenter.queue.service_level.tally import ServiceLevelTally
from callcenter.ticketing.states import TicketStatus
from callcenter.wiring.service_level import alarm_policy, call_me_back_keys, service_level_policy

StatusLookup = Callable[[TicketId, str], Awaitable[TicketStatus | None]]  # (order, calling number)
Context = Callable[[web.Application], AsyncIterator[None]]


def build_telephony(settings: Settings, clock: Clock) -> dict[str, AmiActions]:
    """The AMI actions of each Asterisk server, by name in configured order (the first is the local one):
    what agent sessions, after-call work, live taps and the callback dialer send through."""
    servers = endpoints(asterisk_servers(settings), settings.ami_secret, os.environ)
    return {endpoint.server: AmiActions(endpoint, clock) for endpoint in servers}


def build_bridges(
    settings: Settings, telephony: Mapping[str, AmiActions], sink: BridgeSink, clock: Clock
) -> BridgeSet:
    """One AMI bridge per Asterisk server, all into the same sink (the call flow and the floor, built from
    wiring/pipeline.py). Each accepts recording paths only inside its own server's recordings directory
    (issue 11)."""
    from callcenter.wiring.telephony import recordings_dirs

    recordings = recordings_dirs(settings)

    def bridge(actions: AmiActions) -> AmiBridge:
        match = HotlineMatch(
            contexts=frozenset({settings.hotline_context}),
            numbers=frozenset({settings.hotline_number}),
            recordings=(recordings[actions.endpoint.server],),
        )
        return AmiBridge(actions, match, sink, clock)

    return BridgeSet([bridge(actions) for actions in telephony.values()])


def build_agents(
    settings: Settings, redis: Redis, clock: Clock, telephony: Mapping[str, AmiActions]
) -> tuple[AgentSessions, AgentFloor]:
    state = RedisAgentState(redis, prefix=settings.agents_prefix)
    floor = AgentFloor(
        state,
        telephony,
        clock,
        settings.wrapup_time,
        flush_every=settings.agents_flush_ms / 1000,
        check_every=settings.agents_check_ms / 1000,
    )
    return AgentSessions(state, telephony, clock), floor


def build_service_level(settings: Settings, engine: AsyncEngine, clock: Clock) -> ServiceLevelRecorder:
    from callcenter.wiring.telephony import queue_log_files  # the local instance's queue_log, if any

    tally = ServiceLevelTally(service_level_policy(settings))
    store = SqlQueueEntries(engine)
    return ServiceLevelRecorder(tally, store, clock, queue_log_files(settings), call_me_back_keys(settings))


def build_wallboard(settings: Settings, redis: Redis, clock: Clock, tally: ServiceLevelTally) -> Wallboard:
    policy = ViewPolicy(alarm_policy(settings), service_level_policy(settings).excluded_queues)
    publisher = WallboardPublisher(
        redis,
        partial(rates_of, tally),
        clock,
        policy=policy,
        threshold_seconds=settings.sl_threshold_s,
        interval=settings.wallboard_publish_ms / 1000,
        tick=settings.wallboard_tick_ms / 1000,
        prefix=settings.wallboard_prefix,
    )
    return Wallboard(publisher, WallboardFeed(redis, prefix=settings.wallboard_prefix))


def service_level_ctx(recorder: ServiceLevelRecorder) -> Context:
    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        await recorder.start()  # the last 25 h from the database, before any AMI event
        yield

    return ctx


def wallboard_ctx(board: Wallboard) -> Context:
    """The wallboard's publisher (snapshots to Redis) and this process's feed (Redis to the streams)."""

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        tasks = [
            asyncio.create_task(board.publisher.run(), name="wallboard-publisher"),
            asyncio.create_task(board.feed.run(), name="wallboard-feed"),
        ]
        yield
        await cancel_all(tasks)

    return ctx


def fast_agi_ctx(settings: Settings, ticket_status: StatusLookup) -> Context:
    """The FastAGI server the dialplan asks for ticket status and the overflow route (part D)."""

    policy = OverflowPolicy(
        wait_threshold_s=settings.overflow_wait_s,
        default_handle_s=settings.overflow_handle_s,
        wrapup_s=settings.wrapup_time,
        general_overflow=settings.overflow_general_queue,
    )
    deadline = settings.agi_deadline_ms / 1000
    routes = hotline_routes(ticket_status, policy, lookup_timeout_s=deadline * 0.6)
    server = FastAgiServer(routes, settings.agi_bind, settings.agi_port, deadline_s=deadline)

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        await server.start()
        yield
        await server.close()

    return ctx


def agent_floor_ctx(agent_floor: AgentFloor) -> Context:
    """The seat writer and after-call-work timers: opened before the bridge, closed after it."""

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        await agent_floor.open()
        yield
        await agent_floor.close()

    return ctx


def build_live_tap(
    settings: Settings, redis: Redis, telephony: Mapping[str, AmiActions], clock: Clock
) -> LiveTap:
    """Answered calls streamed to the live worker over AudioSocket (issue 6; docs/ivr-and-queues.md,
    "Asterisk side (tap)"). The call-back queue's legs are not recorded, so they are not tapped."""
    target = AudioSocketTarget(settings.live_asr_host, settings.live_asr_port)
    registry = RedisLiveTranscripts(redis, ttl_s=settings.live_transcript_ttl_s)
    return LiveTap(telephony, registry, target, clock, unrecorded_queues={settings.missed_call_queue})


def live_tap_ctx(live_tap: LiveTap) -> Context:
    """Taps still being started at shutdown are cancelled (their calls go on; after-call transcript)."""

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        yield
        await live_tap.close()

    return ctx
