"""The worker processes, and what a worker runs with.

The app supervises them in the one-machine setup (``build_app``: ``asr_workers_ctx``, ``live_worker_ctx``):
each worker is ``python -m callcenter asr-worker`` or ``live-asr``, started with the app's settings as
CALLCENTER_* variables (``settings_env``), restarted after a crash, stopped with SIGTERM and killed after
``TERMINATE_GRACE_S`` (ADR 0015, bounded shutdown). In containers the orchestrator runs them instead.

What a worker runs with is built by the same builders the app uses (``wiring/stores.py``): the database
engine, the Redis client, the transcription queue and the live-transcript registry.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import fields

from aiohttp import web

from callcenter.adapters.parent_death import die_with_parent
from callcenter.asr.pool import AUTO, pool_size
from callcenter.config.settings import Settings
from callcenter.core.waiting import cancel_all

log = logging.getLogger(__name__)

TERMINATE_GRACE_S = 10.0  # a worker process asked to stop (SIGTERM) is killed after this
Context = Callable[[web.Application], AsyncIterator[None]]


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


def asr_workers_ctx(settings: Settings, count: int) -> Context:
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


def live_worker_ctx(settings: Settings) -> Context:
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
