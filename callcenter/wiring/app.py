"""The composition root: the one place that creates engines, clients, the AMI bridge and workers.

Nothing here runs at import. ``build_app`` wires the hotline into an aiohttp application whose
``cleanup_ctx`` opens every resource at start-up and closes it at shutdown, in reverse order.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.ami.bridge import AmiBridge
from callcenter.adapters.ami.bridges import BridgeSet
from callcenter.adapters.ami.live_tap import LiveTap
from callcenter.adapters.asterisk.seats import SeatSecretStore
from callcenter.adapters.db.engine import create_engine, upgrade
from callcenter.adapters.db.repositories import SqlCallRepository, SqlReadModel
from callcenter.adapters.http.agents import agent_routes
from callcenter.adapters.http.app import WebDeps, create_app
from callcenter.adapters.http.live import LiveDeps, live_routes
from callcenter.adapters.http.missed_calls import missed_call_routes
from callcenter.adapters.http.seats import seat_routes
from callcenter.adapters.http.service_level import service_level_routes
from callcenter.adapters.http.staffing import staffing_routes
from callcenter.adapters.http.wallboard import wallboard_routes
from callcenter.adapters.parent_death import die_with_parent
from callcenter.adapters.private_files import private_dir
from callcenter.adapters.recording_files import RecordingFileStore
from callcenter.adapters.redis.inbox import RedisInbox
from callcenter.adapters.redis.jobs import RedisTranscriptionQueue
from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.adapters.redis.wallboard import Wallboard
from callcenter.asr.pool import AUTO, pool_size
from callcenter.calls.service import CallFlow, PathMap
from callcenter.config.rules import load_rules
from callcenter.config.settings import Settings
from callcenter.core.actors import Role, StaffId
from callcenter.core.clock import Clock, SystemClock
from callcenter.core.ids import TicketId
from callcenter.core.proxies import TrustedProxies
from callcenter.core.waiting import bounded_stop, cancel_all
from callcenter.ivr.self_service import status_for_caller
from callcenter.queue.pipeline import FloorPipeline
from callcenter.queue.seats.agent_floor import AgentFloor
from callcenter.queue.seats.sessions import AgentSessions
from callcenter.queue.service_level.recorder import ServiceLevelRecorder
from callcenter.staff.model import StaffMember
from callcenter.ticketing.orders.attachments import AttachmentLimits
from callcenter.ticketing.orders.service import InboxNotice, WorkOrders, WorkOrderStore
from callcenter.ticketing.states import TicketStatus
from callcenter.wiring.floor import (
    StatusLookup,
    agent_floor_ctx,
    build_agents,
    build_bridges,
    build_live_tap,
    build_service_level,
    build_wallboard,
    fast_agi_ctx,
    live_tap_ctx,
    service_level_ctx,
    wallboard_ctx,
)
from callcenter.wiring.missed_calls import MissedCallParts, build_missed_calls, dialer_ctx
from callcenter.wiring.service_level import alarm_policy
from callcenter.wiring.settings_policies import login_hash_slots, login_policy
from callcenter.wiring.workorders import (
    WorkOrderParts,
    attachment_routes,
    build_work_orders,
    inbox_routes,
    load_state,
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
    bridges: BridgeSet  # one AMI bridge per Asterisk server, by name (docs/scale-out.md)
    clock: Clock
    inbox: RedisInbox
    work: WorkOrderParts  # work orders: service, stores, catalogue, deadline watch, attachments
    floor: FloorPipeline  # floor events (seats, waiting callers) → live state, service level, missed calls
    service_level: ServiceLevelRecorder  # the live 15-second tally: hotline.service_level.tally
    wallboard: Wallboard  # the live floor folded per event, published to Redis (coalesced) for the wall
    agents: AgentSessions  # 签入/示忙/示闲/签出 (docs/agents.md)
    agent_floor: AgentFloor  # seats folded from the floor, published to Redis; after-call-work timers
    missed_calls: (
        MissedCallParts  # 漏接回拨: the missed-call list, its floor handler and dialer (docs/missed-calls.md)
    )
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
TERMINATE_GRACE_S = 10.0  # a worker process asked to stop (SIGTERM) is killed after this


def build_hotline(settings: Settings, host_path: PathMap, clock: Clock | None = None) -> Hotline:
    clock = clock or SystemClock()
    engine = create_engine(settings.effective_database_url)
    redis = Redis.from_url(settings.redis_url, decode_responses=True)
    jobs = RedisTranscriptionQueue(
        redis, stream=settings.jobs_stream, claim_after_ms=settings.asr_claim_after_s * 1000
    )
    flow = CallFlow(SqlCallRepository(engine), jobs, host_path, recording_store(settings, host_path))
    floor = FloorPipeline()
    service_level = build_service_level(settings, engine, clock)
    wallboard = build_wallboard(settings, redis, clock, service_level.tally)
    bridges = build_bridges(settings, flow, floor, clock)
    agents, agent_floor = build_agents(settings, redis, clock, bridges)
    # Live state in memory, run as events arrive (the wallboard publishes on its own task); then, in the
    # storing stage, the service-level ledger (stored once per burst by the floor's flush) and missed calls.
    floor.add_live(agent_floor.handle)
    floor.add_live(wallboard.publisher.handle)
    live_tap = build_live_tap(settings, redis, bridges, clock) if settings.live_asr else None
    if live_tap is not None:  # on AgentConnect: the two live taps, started in a task (issue 6)
        floor.add_live(live_tap.handle)
    floor.add(service_level.handle)
    floor.add_flush(service_level.flush)
    missed_calls = build_missed_calls(settings, engine, bridges, clock)
    if missed_calls.enabled:
        floor.add(missed_calls.floor.handle)
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
    )
    return Hotline(
        settings,
        engine,
        redis,
        jobs,
        flow,
        bridges,
        clock,
        inbox,
        work,
        floor,
        service_level,
        wallboard,
        agents,
        agent_floor,
        missed_calls,
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
        health=_health(hotline),
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
                    RedisLiveTranscripts(hotline.redis, ttl_s=hotline.settings.live_transcript_ttl_s),
                    hotline.redis,
                    SqlCallRepository(hotline.engine),
                )
            ),
            missed_call_routes(hotline.missed_calls.desk),
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
        ("FastAGI", fast_agi_ctx(hotline.settings, _ticket_status(hotline))),
        ("transcription sweep", _sweeper(hotline)),
        ("deadline watch", _deadline_watch(hotline)),
    ]
    workers = asr_pool_size(settings) if asr_workers is None else asr_workers
    if workers:
        parts.append(("ASR workers", _asr_workers(settings, workers)))
        if settings.live_asr:  # the live ASR worker (AudioSocket server) beside them: issue 6
            parts.append(("live ASR worker", _live_worker(settings)))
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


def _sweeper(hotline: Hotline) -> Callable[[web.Application], AsyncIterator[None]]:
    """Every ``transcription_sweep_s``: queue transcriptions that could not be queued before (Redis was
    down)."""

    async def sweep() -> None:
        while True:
            await asyncio.sleep(hotline.settings.transcription_sweep_s)
            try:
                await hotline.flow.recover_lost_jobs()
                await hotline.flow.requeue_waiting()
            except Exception as exc:  # Redis or the database down: next sweep
                log.warning("transcription sweep failed: %s", exc)

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(sweep(), name="transcription-sweeper")
        yield
        await cancel_all([task])

    return ctx


def _deadline_watch(hotline: Hotline) -> Callable[[web.Application], AsyncIterator[None]]:
    """Every ``deadline_sweep_s``: yellow and red cards, overdue supervision, live inbox notices; then the
    catalogue and calendar are read again, so that every app process follows an admin's edit."""

    async def watch() -> None:
        while True:
            try:
                await hotline.work.deadlines.run_once()
                # Another app process may have changed the catalogue or the calendar: converge within a sweep.
                await load_state(hotline.work)
            except Exception as exc:  # the database down: next sweep
                log.warning("deadline sweep failed: %s", exc)
            await asyncio.sleep(hotline.settings.deadline_sweep_s)

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(watch(), name="deadline-watch")
        yield
        await cancel_all([task])

    return ctx


async def seed_catalogue(settings: Settings) -> Mapping[str, int]:
    """``python -m callcenter seed-catalogue``: migrate, then seed the sample city."""
    await upgrade(settings.effective_database_url)
    engine = create_engine(settings.effective_database_url)
    try:
        work = build_work_orders(engine, NoInbox(), SystemClock(), settings.effective_attachments_dir)
        return await seed_sample_city(work, SystemClock().now())
    finally:
        await engine.dispose()


class NoInbox:
    """For commands that change no order: nothing to tell the inboxes."""

    async def publish(self, notice: InboxNotice) -> None:
        return None


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as CALLCENTER_* variables, so child processes load exactly the same ones."""
    return {f"CALLCENTER_{f.name.upper()}": str(getattr(settings, f.name)) for f in fields(Settings)}


def asr_pool_size(settings: Settings) -> int:
    """``asr_workers``, or for -1 what this machine's cores and memory carry (callcenter/asr/pool.py)."""
    memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    cpus = len(os.sched_getaffinity(0))
    size = pool_size(settings.asr_workers, settings.asr_engine, cpus, memory_mb, settings.whisper_threads)
    if settings.asr_workers == AUTO:
        log.info("ASR workers: %d for %d cores and %d MB (%s)", size, cpus, memory_mb, settings.asr_engine)
    return size


def _asr_workers(settings: Settings, count: int) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        supervisor = WorkerSupervisor(settings, count)
        await supervisor.start()
        yield
        await supervisor.stop()

    return ctx


class WorkerSupervisor:
    """Keeps ``count`` ASR worker processes alive: a crashed worker is restarted after a pause; one that
    stopped cleanly (exit status 0: it was asked to) is not."""

    def __init__(self, settings: Settings, count: int) -> None:
        self._settings = settings
        self._count = count
        self._tasks: list[asyncio.Task[None]] = []
        self.processes: dict[str, asyncio.subprocess.Process] = {}

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._keep(f"asr-{i + 1}"), name=f"asr-{i + 1}") for i in range(self._count)
        ]

    async def stop(self) -> None:
        await cancel_all(self._tasks, grace=TERMINATE_GRACE_S + 2.0)

    async def _keep(self, name: str) -> None:
        while True:
            proc = await self._spawn(name)
            try:
                code = await proc.wait()
            except asyncio.CancelledError:
                await _terminate(proc)
                raise
            if code == 0:  # it was asked to stop (SIGTERM, or Ctrl-C reaching the whole process group)
                log.info("worker %s stopped", name)
                return
            log.warning("worker %s exited with %s; restarting", name, code)
            await asyncio.sleep(2.0)

    def _command(self, name: str) -> list[str]:
        return ["asr-worker", "--consumer", name]

    async def _spawn(self, name: str) -> asyncio.subprocess.Process:
        """The worker process, with the app's settings; it dies with the app even if the app is killed."""
        env = {**os.environ, **settings_env(self._settings)}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "callcenter", *self._command(name), env=env, preexec_fn=die_with_parent
        )
        self.processes[name] = proc
        return proc


def _live_worker(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        supervisor = LiveWorkerSupervisor(settings, 1)
        await supervisor.start()
        yield
        await supervisor.stop()

    return ctx


class LiveWorkerSupervisor(WorkerSupervisor):
    """Keeps the live ASR worker process alive (docs/live-transcription.md)."""

    def _command(self, name: str) -> list[str]:
        return ["live-asr"]


async def _terminate(proc: asyncio.subprocess.Process, grace: float = TERMINATE_GRACE_S) -> None:
    if proc.returncode is not None:
        return
    proc.terminate()
    try:
        async with asyncio.timeout(grace):
            await proc.wait()
    except TimeoutError:
        log.warning("worker pid %d did not stop within %.0f s of SIGTERM: killed", proc.pid, grace)
        proc.kill()
        await proc.wait()


def _health(hotline: Hotline) -> Callable[[], Any]:
    async def probe() -> dict[str, Any]:
        bridges = hotline.bridges  # "ami": every server up; "ami_servers": each one; "ami_down": which not
        status: dict[str, Any] = {"ami": bridges.synced(), "ami_servers": bridges.health()}
        status["ami_down"] = list(bridges.down())
        status["database"] = await _ping_db(hotline.engine)
        try:
            status["redis"] = bool(await hotline.redis.ping())
            status["asr_backlog"] = await hotline.jobs.backlog()
        except (RedisError, OSError):
            status["redis"] = False
        status["ok"] = bool(status["ami"] and status["database"] and status["redis"])
        return status

    return probe


async def _ping_db(engine: AsyncEngine) -> bool:
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True
