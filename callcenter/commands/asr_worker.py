"""The ASR worker process: takes transcription jobs from the durable queue, one at a time.

The model is loaded once per process. Transcription runs in a single worker thread so this process's
event loop stays free to talk to Redis and the database. A job is acknowledged only after its
transcript and draft are stored; a job that keeps failing becomes a flagged draft after
``max_attempts`` deliveries. Killing the process loses nothing: its pending job is claimed by the
next worker once it has been idle ``claim_after`` seconds.

What the live worker already closed during the call (``docs/live-transcription.md``) is taken from Redis,
so only the rest of each side is decoded here: that is what makes a draft ready soon after hangup.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from redis.exceptions import RedisError

from callcenter.adapters.asr.calls import transcribe_call
from callcenter.adapters.db.repositories import SqlCallRepository, SqlTranscriptionStore
from callcenter.adapters.redis.jobs import Delivery, RedisTranscriptionQueue
from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.asr.model import Speaker, Transcript
from callcenter.asr.ports import Transcriber
from callcenter.asr.stitch import LiveSide, live_sides
from callcenter.calls.ports import TranscriptionJob
from callcenter.config.settings import Settings
from callcenter.core.clock import SystemClock
from callcenter.core.errors import NotFound
from callcenter.core.ids import CallId
from callcenter.core.waiting import cancel_all
from callcenter.ticketing.orders.intake import CallTranscription
from callcenter.wiring.stores import live_transcripts, opened_engine, opened_redis, transcription_queue

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WorkerOptions:
    consumer: str
    claim_after_ms: int
    max_attempts: int
    block_ms: int = 1000
    live_wait_s: float = 3.0  # how long a job waits for the live worker to close the call's last words


async def run_worker(settings: Settings, transcriber: Transcriber, options: WorkerOptions) -> None:
    """Serve jobs until SIGTERM/SIGINT. Opens and closes every resource it uses."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with opened_engine(settings) as engine, opened_redis(settings) as redis:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asr")
        try:
            queue = transcription_queue(settings, redis, claim_after_ms=options.claim_after_ms)
            live = live_transcripts(settings, redis)
            service = CallTranscription(
                SqlCallRepository(engine),
                SqlTranscriptionStore(engine),
                _runner(transcriber, executor, live, options.live_wait_s),
                SystemClock(),
            )
            log.info(
                "ASR worker %s ready (engine %s, pid %d)", options.consumer, transcriber.name, os.getpid()
            )
            await _serve(queue, service, options, stop, live)
        finally:
            executor.shutdown(wait=False, cancel_futures=True)


def _runner(  # type: ignore[no-untyped-def]
    transcriber: Transcriber, executor: ThreadPoolExecutor, live: RedisLiveTranscripts, live_wait_s: float
):
    async def run(job: TranscriptionJob) -> Transcript:
        sides = await live_parts(live, job.call_id, live_wait_s)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            executor, transcribe_call, transcriber, job.caller_path, job.agent_path, sides
        )

    return run


async def live_parts(live: RedisLiveTranscripts, call_id: CallId, wait_s: float) -> dict[Speaker, LiveSide]:
    """The sides the live worker covered, once each has ended (or after ``wait_s``: then up to where it got).
    Redis unavailable: nothing, and the whole recording is decoded here."""
    deadline = time.monotonic() + wait_s
    try:
        while True:
            covered = await live.covered(call_id)  # read before the finals: they include all it covers
            started = await live.started(call_id)  # written before the coverage
            finals = await live.finals(call_id)
            seen = set(covered) | {e.speaker for e in finals}
            if seen <= await live.ended(call_id) or time.monotonic() >= deadline:
                return live_sides(finals, covered, started)
            await asyncio.sleep(0.1)
    except (RedisError, OSError) as exc:
        log.warning(
            "call_id=%s: live transcript unavailable (%s); decoding the whole recording", call_id, exc
        )
        return {}


async def forget_live(live: RedisLiveTranscripts, call_id: CallId) -> None:
    """Once the call's transcript (or its failure) is stored, its live words leave Redis (a job left for
    a retry keeps them). Redis down: they expire on their own (``live_transcript_ttl_s``)."""
    try:
        await live.forget(call_id)
    except (RedisError, OSError) as exc:
        log.warning("call_id=%s: live transcript not deleted (%s); it expires by itself", call_id, exc)


async def _serve(
    queue: RedisTranscriptionQueue,
    service: CallTranscription,
    options: WorkerOptions,
    stop: asyncio.Event,
    live: RedisLiveTranscripts,
) -> None:
    failures = 0
    while not stop.is_set():
        try:
            await queue.ensure_group()
            delivery = await queue.next(options.consumer, options.block_ms)
            failures = 0
        except (RedisError, OSError) as exc:
            failures += 1
            log.warning("ASR worker: Redis unavailable (%s); retrying", exc)
            await asyncio.sleep(min(10.0, 0.5 * 2**failures))
            continue
        if delivery is not None and await _handle(queue, service, delivery, options):
            await forget_live(live, delivery.job.call_id)


@contextlib.asynccontextmanager
async def _keepalive(
    queue: RedisTranscriptionQueue, delivery: Delivery, options: WorkerOptions
) -> AsyncIterator[None]:
    """While a long call is transcribed, keep the job ours: a live worker's job is never claimed."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(options.claim_after_ms / 3000)
            with contextlib.suppress(RedisError, OSError):
                await queue.touch(delivery, options.consumer)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        await cancel_all([task])


async def _handle(
    queue: RedisTranscriptionQueue, service: CallTranscription, delivery: Delivery, options: WorkerOptions
) -> bool:
    """Process and acknowledge one job; False when it is left pending for a retry."""
    job = delivery.job
    try:
        if delivery.attempt > options.max_attempts:
            await service.give_up(job, f"failed {delivery.attempt - 1} times")
        else:
            async with _keepalive(queue, delivery, options):
                outcome = await service.process(job)
            log.info("call_id=%s transcription job %s: %s", job.call_id, delivery.entry_id, outcome.value)
    except NotFound as exc:
        log.error("call_id=%s: dropping job %s: %s", job.call_id, delivery.entry_id, exc.message)
    except Exception:
        # Left pending on purpose: it is claimed again after claim_after and retried.
        log.exception(
            "call_id=%s: job %s failed (attempt %d)", job.call_id, delivery.entry_id, delivery.attempt
        )
        return False
    await queue.ack(delivery)
    return True
