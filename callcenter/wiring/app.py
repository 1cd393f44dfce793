"""The composition root of the main process: the hotline's parts, built and started in order.

Nothing here runs at import. ``build_hotline`` builds the parts with the wiring builders beside it — the
engine and Redis client (``stores``), the AMI actions and bridges (``floor``), the bridges' handlers from the
call-flow table (``pipeline``), the work-order service (``workorders``), the missed-call call-backs
(``missed_calls``).
``build_app`` wires them into an aiohttp application whose ``cleanup_ctx`` opens every resource at
start-up and closes it at shutdown, in reverse order, each stop bounded; the worker processes are
supervised from ``workers``, the timers run from ``sweeps``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.ami.actions import AmiActions
from callcenter.adapters.ami.bridge import AmiBridge
from callcenter.adapters.ami.bridges import BridgeSet
from callcenter.adapters.ami.live_tap import LiveTap
from callcenter.adapters.asterisk.seats import SeatSecretStore
from callcenter.adapters.db.engine import upgrade
from callcenter.adapters.db.repositories import SqlCallRepository, SqlReadModel
from callcenter.adapters.http.agents import agent_routes
from callcenter.adapters.http.app import WebDeps, create_app
from callcenter.adapters.http.live import LiveDeps, live_routes
from callcenter.adapters.http.missed_calls import missed_call_routes
from callcenter.adapters.http.seats import seat_routes
from callcenter.adapters.http.service_level import service_level_routes
from callcenter.adapters.http.staffing import staffing_routes
from callcenter.adapters.http.wallboard import wallboard_routes
from callcenter.adapters.private_files import private_dir
from callcenter.adapters.recording_files import RecordingFileStore
from callcenter.adapters.redis.inbox import RedisInbox
from callcenter.adapters.redis.jobs import RedisTranscriptionQueue
from callcenter.adapters.redis.wallboard import Wallboard
from callcenter.calls.service import CallFlow, PathMap
from callcenter.config.rules import load_rules
from callcenter.config.settings import Settings
from callcenter.core.actors import Role, StaffId
from callcenter.core.clock import Clock, SystemClock
from callcenter.core.ids import TicketId
from callcenter.core.proxies import TrustedProxies
from callcenter.core.waiting import bounded_stop
from callcenter.ivr.self_service import status_for_caller
from callcenter.queue.missed_calls.dial_policy import dial_policy
from callcenter.queue.pipeline import FloorPipeline
from callcenter.queue.seats.agent_floor import AgentFloor
from callcenter.queue.seats.sessions import AgentSessions
from callcenter.queue.service_level.recorder import ServiceLevelRecorder
from callcenter.staff.model import StaffMember
from callcenter.ticketing.orders.attachments import AttachmentLimits
from callcenter.ticketing.orders.ports import InboxNotice, WorkOrderStore
from callcenter.ticketing.orders.service import WorkOrders
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.surveys.policy import DEFAULT_SURVEY_POLICY
from callcenter.wiring.floor import (
    StatusLookup,
    agent_floor_ctx,
    build_agents,
    build_bridges,
    build_live_tap,
    build_service_level,
    build_telephony,
    build_wallboard,
    fast_agi_ctx,
    live_tap_ctx,
    service_level_ctx,
    wallboard_ctx,
)
from callcenter.wiring.health import health_probe
from callcenter.wiring.missed_calls import MissedCallParts, build_missed_calls, dialer_ctx
from callcenter.wiring.pipeline import FlowParts, FlowSink
from callcenter.wiring.service_level import alarm_policy
from callcenter.wiring.settings_policies import login_hash_slots, login_policy
from callcenter.wiring.stores import (
    build_engine,
    build_redis,
    live_transcripts,
    opened_engine,
    transcription_queue,
)
from callcenter.wiring.surveys import (
    SurveyParts,
    build_surveys,
    campaign_ctx,
    survey_dialer,
    survey_route_hook,
)
from callcenter.wiring.sweeps import deadline_watch_ctx, transcription_sweep_ctx
from callcenter.wiring.workers import asr_pool_size, asr_workers_ctx, live_worker_ctx
from callcenter.wiring.workorders import (
    WorkOrderParts,
    attachment_routes,
    build_work_orders,
    inbox_routes,
    seed_knowledge,
    seed_sample_city,
    work_order_routes,
)

log = logging.getLogger(__name__)
MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Hotline:
    """The live parts, kept on the app for health checks, tests and the demo."""

    settings: Settings
    engine: AsyncEngine
    redis: Redis
    jobs: RedisTranscriptionQueue
    flow: CallFlow
    bridges: BridgeSet  # one AMI bridge (event pump) per Asterisk server, by name (docs/scale-out.md)
    telephony: Mapping[str, AmiActions]  # the AMI actions of each server, by name (queue members, Originate)
    clock: Clock
    inbox: RedisInbox
    work: WorkOrderParts  # work orders: service, stores, catalogue, deadline watch, attachments
    floor: FloorPipeline  # floor events → live state, service level, missed calls (wiring/pipeline.py)
    service_level: ServiceLevelRecorder  # the live 15-second tally: hotline.service_level.tally
    wallboard: Wallboard  # the live floor folded per event, published to Redis (coalesced) for the wall
    agents: AgentSessions  # 签入/示忙/示闲/签出 (docs/agents.md)
    agent_floor: AgentFloor  # seats folded from the floor, published to Redis; after-call-work timers
    missed_calls: (
        MissedCallParts  # 漏接回拨: the missed-call list, its floor handler and dialer (docs/missed-calls.md)
    )
    surveys: SurveyParts | None = None  # automated 回访: scheduler, desk, campaign (docs/surveys.md)
    live_tap: LiveTap | None = None  # answered calls streamed to the live ASR worker (``live_asr`` on)
    seat_secrets: SeatSecretStore | None = None  # one SIP secret per seat phone (seats.py); None: not here

    @property
    def bridge(self) -> AmiBridge:
        """The first (local) server's bridge, for code that knows only one Asterisk."""
        return self.bridges.first

    @property
    def orders(self) -> WorkOrders:
        return self.work.orders


HOTLINE = web.AppKey("hotline", Hotline)
Context = Callable[[web.Application], AsyncIterator[None]]


def build_hotline(settings: Settings, host_path: PathMap, clock: Clock | None = None) -> Hotline:
    clock = clock or SystemClock()
    engine = build_engine(settings)
    redis = build_redis(settings)
    jobs = transcription_queue(settings, redis)
    flow = CallFlow(SqlCallRepository(engine), jobs, host_path, recording_store(settings, host_path))
    telephony = build_telephony(settings, clock)
    service_level = build_service_level(settings, engine, clock)
    wallboard = build_wallboard(settings, redis, clock, service_level.tally)
    agents, agent_floor = build_agents(settings, redis, clock, telephony)
    live_tap = build_live_tap(settings, redis, telephony, clock) if settings.live_asr else None
    missed_calls = build_missed_calls(settings, engine, telephony, clock)
    parts = FlowParts(
        calls=flow,
        seats=agent_floor,
        wallboard=wallboard.publisher,
        service_level=service_level,
        live_tap=live_tap,
        missed_calls=missed_calls.floor if missed_calls.enabled else None,
    )
    sink = FlowSink.build(parts)  # the bridges' handlers, in the order of the call-flow table
    bridges = build_bridges(settings, telephony, sink, clock)
    inbox = RedisInbox(redis)
    limits = AttachmentLimits(
        max_bytes=settings.attachment_max_mb * MB,
        max_files=settings.attachment_max_files,
        max_order_bytes=settings.attachment_order_max_mb * MB,
    )
    rules = load_rules(Path(settings.rules_file)) if settings.rules_file else None
    work = build_work_orders(
        engine,
        inbox,
        clock,
        settings.effective_attachments_dir,
        limits,
        rules=rules,
        hash_slots=login_hash_slots(settings),
        asr_correction=bool(settings.asr_correction),
    )
    return Hotline(
        settings,
        engine,
        redis,
        jobs,
        flow,
        bridges,
        telephony,
        clock,
        inbox,
        work,
        sink.floor_pipeline,
        service_level,
        wallboard,
        agents,
        agent_floor,
        missed_calls,
        build_surveys(
            engine,
            work.orders,
            clock,
            rules.survey if rules else DEFAULT_SURVEY_POLICY,
            survey_dialer(settings, telephony, host_path),
            recordings=recording_store(settings, host_path),
            refusal=dial_policy(settings.missed_call_dial_allowed, settings.missed_call_dial_refused).refusal,
        ),
        live_tap,
        seat_store(settings),
    )


def seat_store(settings: Settings) -> SeatSecretStore | None:
    from callcenter.wiring.telephony import seat_secrets

    secrets_file = seat_secrets(settings)
    return None if secrets_file is None else SeatSecretStore(secrets_file)


def recording_store(settings: Settings, host_path: PathMap) -> RecordingFileStore:
    """Deletes empty recordings, only inside the servers' recordings directories (issue 11)."""
    from callcenter.wiring.telephony import recordings_dirs

    return RecordingFileStore(sorted(set(recordings_dirs(settings).values())), host_path)


def web_deps(hotline: Hotline, host_path: PathMap) -> WebDeps:
    work = hotline.work
    return WebDeps(
        read_model=SqlReadModel(hotline.engine),
        host_path=host_path,
        health=health_probe(hotline.bridges, hotline.engine, hotline.redis, hotline.jobs),
        staff=work.staff,
        clock=hotline.clock,
        work_orders=work.orders,
        order_queries=work.queries,
        audit_trail=work.store,
        trusted_proxies=TrustedProxies.parse(hotline.settings.trusted_proxies),
        streams_per_session=hotline.settings.sse_streams_per_session,
        extra_routes=(
            *work_order_routes(work),
            attachment_routes(work),
            inbox_routes(hotline.inbox),
            service_level_routes(hotline.service_level.tally, alarm_policy(hotline.settings)),
            wallboard_routes(hotline.wallboard.feed),
            agent_routes(hotline.agents),
            live_routes(
                LiveDeps(
                    live_transcripts(hotline.settings, hotline.redis),
                    hotline.redis,
                    SqlCallRepository(hotline.engine),
                )
            ),
            missed_call_routes(hotline.missed_calls.desk),
            *((survey_route_hook(hotline.surveys),) if hotline.surveys is not None else ()),
            seat_routes(hotline.seat_secrets),
            staffing_routes(),
        ),
        login_policy=login_policy(hotline.settings),
    )


def build_app(settings: Settings, host_path: PathMap, asr_workers: int | None = None) -> web.Application:
    """The whole hotline service: web UI + API, AMI bridge, transcription sweeper, ASR workers."""
    private_dir(settings.data_dir)  # the database, secrets and attachments: the service's alone (0700)
    hotline = build_hotline(settings, host_path)
    app = create_app(web_deps(hotline, host_path))
    app[HOTLINE] = hotline
    parts: list[tuple[str, Context]] = [
        ("database", _database(hotline)),
        ("accounts", _accounts(hotline)),
        ("seat secrets", _seats(hotline)),
        ("redis", _redis(hotline)),
        ("service level", service_level_ctx(hotline.service_level)),
        ("wallboard", wallboard_ctx(hotline.wallboard)),
        ("agent floor", agent_floor_ctx(hotline.agent_floor)),
    ]
    if hotline.live_tap is not None:
        parts.append(("live taps", live_tap_ctx(hotline.live_tap)))
    parts += [
        ("AMI bridges", _bridge(hotline)),
        ("missed-call dialer", dialer_ctx(hotline.missed_calls)),
        *((("survey dialer", campaign_ctx(hotline.surveys)),) if hotline.surveys is not None else ()),
        ("FastAGI", fast_agi_ctx(hotline.settings, _ticket_status(hotline))),
        ("transcription sweep", transcription_sweep_ctx(hotline.flow, settings.transcription_sweep_s)),
        ("deadline watch", deadline_watch_ctx(hotline.work, settings.deadline_sweep_s)),
    ]
    workers = asr_pool_size(settings) if asr_workers is None else asr_workers
    if workers:
        parts.append(("ASR workers", asr_workers_ctx(settings, workers)))
        if settings.live_asr:  # the live ASR worker (AudioSocket server) beside them: issue 6
            parts.append(("live ASR worker", live_worker_ctx(settings)))
    for name, ctx in parts:  # started in this order, stopped in reverse, each stop bounded
        app.cleanup_ctx.append(bounded_stop(name, ctx))
    return app


def _database(hotline: Hotline) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        await upgrade(hotline.settings.effective_database_url)
        await seed_knowledge(hotline.work, hotline.clock.now())  # first start: the sample 知识库; then loads
        yield
        await hotline.orders.settle()  # matches still running finish before the engine goes
        await hotline.engine.dispose()

    return ctx


ADMIN = StaffMember(StaffId("admin"), "系统管理员", Role.ADMIN)


def _accounts(hotline: Hotline) -> Callable[[web.Application], AsyncIterator[None]]:
    """The first start-up creates the account ``admin`` with the configured (or generated) password."""

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        staff = hotline.work.staff
        if await staff.get(ADMIN.id) is None:
            await staff.add(ADMIN, hotline.settings.admin_password, hotline.clock.now())
            log.info(
                "created the account admin (password: CALLCENTER_ADMIN_PASSWORD or data_dir/admin_password)"
            )
        yield

    return ctx


def _seats(hotline: Hotline) -> Callable[[web.Application], AsyncIterator[None]]:
    """First start: a SIP secret for every seat phone, where the seat secrets file is this app's to write
    (containers: the app's volume; one machine: the instance manager made it already)."""

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        store, settings = hotline.seat_secrets, hotline.settings
        if store is not None and store.writable():
            from callcenter.wiring.telephony import seats

            await store.ensure(seats(settings))
        yield

    return ctx


def _redis(hotline: Hotline) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        try:
            await hotline.jobs.ensure_group()
        except (RedisError, OSError) as exc:
            log.warning("Redis unavailable at start-up (%s); jobs wait in the database", exc)
        yield
        await hotline.redis.aclose()

    return ctx


def _bridge(hotline: Hotline) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        await hotline.bridges.start()
        yield
        await hotline.bridges.stop()

    return ctx


def _ticket_status(hotline: Hotline) -> StatusLookup:
    return ticket_status_lookup(hotline.work.store)


def ticket_status_lookup(store: WorkOrderStore) -> StatusLookup:
    """What a caller hears when keying a work-order number: the status of an order of theirs that is not
    confidential, else None (未查到) — the rule is ivr/self_service.status_for_caller (issue 11)."""

    async def status(ticket_id: TicketId, calling_number: str) -> TicketStatus | None:
        return status_for_caller(await store.get(ticket_id), calling_number)

    return status


async def seed_catalogue(settings: Settings) -> Mapping[str, int]:
    """``python -m callcenter seed-catalogue``: migrate, then seed the sample city."""
    await upgrade(settings.effective_database_url)
    async with opened_engine(settings) as engine:
        work = build_work_orders(engine, NoInbox(), SystemClock(), settings.effective_attachments_dir)
        return await seed_sample_city(work, SystemClock().now())


class NoInbox:
    """For commands that change no order: nothing to tell the inboxes."""

    async def publish(self, notice: InboxNotice) -> None:
        return None
