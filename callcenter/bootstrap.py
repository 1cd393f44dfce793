"""The composition root: the one place that creates engines, clients, the AMI bridge and workers.

Nothing here runs at import. ``build_app`` wires the hotline into an aiohttp application whose
``cleanup_ctx`` opens every resource at start-up and closes it at shutdown, in reverse order.
"""

from __future__ import annotations

import asyncio
import logging
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

from callcenter.adapters.ami.bridge import AmiBridge, AmiEndpoint
from callcenter.adapters.ami.translate import HotlineMatch
from callcenter.adapters.db.engine import create_engine, upgrade
from callcenter.adapters.db.repositories import SqlCallRepository, SqlReadModel
from callcenter.adapters.http.app import WebDeps, create_app
from callcenter.adapters.redis.inbox import RedisInbox
from callcenter.adapters.redis.jobs import RedisTranscriptionQueue
from callcenter.adapters.tasks import cancel_all
from callcenter.calls.service import CallFlow, PathMap
from callcenter.config import Settings
from callcenter.core.clock import Clock, SystemClock
from callcenter.rules import load_rules
from callcenter.staff.model import StaffMember
from callcenter.ticketing.actors import Role, StaffId
from callcenter.ticketing.attachments import AttachmentLimits
from callcenter.ticketing.service import InboxNotice, WorkOrders
from callcenter.workorder_parts import (
    WorkOrderParts,
    attachment_routes,
    build_work_orders,
    inbox_routes,
    load_state,
    seed_sample_city,
    work_order_routes,
)

log = logging.getLogger(__name__)

SWEEP_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Hotline:
    """The live parts, kept on the app for health checks, tests and the demo."""

    settings: Settings
    engine: AsyncEngine
    redis: Redis
    jobs: RedisTranscriptionQueue
    flow: CallFlow
    bridge: AmiBridge
    clock: Clock
    inbox: RedisInbox
    work: WorkOrderParts  # work orders: service, stores, catalogue, deadline watch, attachments

    @property
    def orders(self) -> WorkOrders:
        return self.work.orders


HOTLINE = web.AppKey("hotline", Hotline)


def build_hotline(settings: Settings, host_path: PathMap, clock: Clock | None = None) -> Hotline:
    clock = clock or SystemClock()
    engine = create_engine(settings.effective_database_url)
    redis = Redis.from_url(settings.redis_url, decode_responses=True)
    jobs = RedisTranscriptionQueue(
        redis, stream=settings.jobs_stream, claim_after_ms=settings.asr_claim_after_s * 1000
    )
    flow = CallFlow(SqlCallRepository(engine), jobs, host_path)
    endpoint = AmiEndpoint(
        settings.asterisk_name, settings.ami_host, settings.ami_port, settings.ami_user, settings.ami_secret
    )
    match = HotlineMatch(
        contexts=frozenset({settings.hotline_context}), numbers=frozenset({settings.hotline_number})
    )
    bridge = AmiBridge(endpoint, match, flow.handle, clock, on_resync=flow.reconcile)
    inbox = RedisInbox(redis)
    limits = AttachmentLimits(max_bytes=settings.attachment_max_mb * 1024 * 1024)
    rules = load_rules(Path(settings.rules_file)) if settings.rules_file else None
    work = build_work_orders(engine, inbox, clock, settings.effective_attachments_dir, limits, rules=rules)
    return Hotline(settings, engine, redis, jobs, flow, bridge, clock, inbox, work)


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
        extra_routes=(*work_order_routes(work), attachment_routes(work), inbox_routes(hotline.inbox)),
    )


def build_app(settings: Settings, host_path: PathMap, asr_workers: int | None = None) -> web.Application:
    """The whole hotline service: web UI + API, AMI bridge, transcription sweeper, ASR workers."""
    hotline = build_hotline(settings, host_path)
    app = create_app(web_deps(hotline, host_path))
    app[HOTLINE] = hotline
    app.cleanup_ctx.append(_database(hotline))
    app.cleanup_ctx.append(_accounts(hotline))
    app.cleanup_ctx.append(_redis(hotline))
    app.cleanup_ctx.append(_bridge(hotline))
    app.cleanup_ctx.append(_sweeper(hotline))
    app.cleanup_ctx.append(_deadline_watch(hotline))
    workers = settings.asr_workers if asr_workers is None else asr_workers
    if workers:
        app.cleanup_ctx.append(_asr_workers(settings, workers))
    return app


def _database(hotline: Hotline) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        await upgrade(hotline.settings.effective_database_url)
        await load_state(hotline.work)
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
        await hotline.bridge.start()
        yield
        await hotline.bridge.stop()

    return ctx


def _sweeper(hotline: Hotline) -> Callable[[web.Application], AsyncIterator[None]]:
    """Every SWEEP_SECONDS: queue transcriptions that could not be queued before (Redis was down)."""

    async def sweep() -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
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


def _asr_workers(settings: Settings, count: int) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        supervisor = WorkerSupervisor(settings, count)
        await supervisor.start()
        yield
        await supervisor.stop()

    return ctx


class WorkerSupervisor:
    """Keeps ``count`` ASR worker processes alive; a crashed worker is restarted after a pause."""

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
        await cancel_all(self._tasks)

    async def _keep(self, name: str) -> None:
        while True:
            proc = await self._spawn(name)
            try:
                code = await proc.wait()
            except asyncio.CancelledError:
                await _terminate(proc)
                raise
            log.warning("ASR worker %s exited with %s; restarting", name, code)
            await asyncio.sleep(2.0)

    async def _spawn(self, name: str) -> asyncio.subprocess.Process:
        import os

        env = {**os.environ, **settings_env(self._settings)}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "callcenter", "asr-worker", "--consumer", name, env=env
        )
        self.processes[name] = proc
        return proc


async def _terminate(proc: asyncio.subprocess.Process, grace: float = 10.0) -> None:
    if proc.returncode is not None:
        return
    proc.terminate()
    try:
        await asyncio.wait_for(proc.wait(), grace)
    except TimeoutError:
        proc.kill()
        await proc.wait()


def _health(hotline: Hotline) -> Callable[[], Any]:
    async def probe() -> dict[str, Any]:
        status: dict[str, Any] = {"ami": hotline.bridge.synced.is_set()}
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
