"""The main process's timers: the transcription sweep and the deadline watch (docs/architecture.md,
"Processes at run time"). Each runs as one task while the app runs; a failed round is logged and the
next round tries again; at shutdown the task is cancelled (bounded: core/waiting.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from aiohttp import web

from callcenter.calls.service import CallFlow
from callcenter.core.waiting import cancel_all
from callcenter.wiring.workorders import WorkOrderParts, load_state

log = logging.getLogger(__name__)
Context = Callable[[web.Application], AsyncIterator[None]]


def transcription_sweep_ctx(flow: CallFlow, every_s: float) -> Context:
    """Every ``transcription_sweep_s``: queue transcriptions that could not be queued before (Redis was
    down)."""

    async def sweep() -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                await flow.recover_lost_jobs()
                await flow.requeue_waiting()
            except Exception as exc:  # Redis or the database down: next sweep
                log.warning("transcription sweep failed: %s", exc)

    return _task_ctx(sweep, "transcription-sweeper")


def deadline_watch_ctx(work: WorkOrderParts, every_s: float) -> Context:
    """Every ``deadline_sweep_s``: yellow and red cards, overdue supervision, live inbox notices; then the
    catalogue and calendar are read again, so that every app process follows an admin's edit."""

    async def watch() -> None:
        while True:
            try:
                await work.deadlines.run_once()
                # Another app process may have changed the catalogue or the calendar: converge within a sweep.
                await load_state(work)
            except Exception as exc:  # the database down: next sweep
                log.warning("deadline sweep failed: %s", exc)
            await asyncio.sleep(every_s)

    return _task_ctx(watch, "deadline-watch")


def _task_ctx(run: Callable[[], Coroutine[Any, Any, None]], name: str) -> Context:
    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(run(), name=name)
        yield
        await cancel_all([task])

    return ctx
