"""The live ASR worker process (``python -m callcenter live-asr``): the AudioSocket server of
docs/live-transcription.md. One model per process, shared by every stream; recognition runs in a thread
pool with one thread per stream (Vosk and CTranslate2 release the GIL while decoding)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from concurrent.futures import ThreadPoolExecutor

from callcenter.adapters.audiosocket.server import LiveTranscriptionServer, ServerOptions
from callcenter.asr.live_capacity import AUTO, live_streams
from callcenter.asr.ports import LiveEngine
from callcenter.config.settings import Settings
from callcenter.wiring.stores import live_transcripts, opened_redis

log = logging.getLogger(__name__)


def stream_limit(settings: Settings) -> int:
    """``live_asr_streams``, or for -1 what this machine's cores carry (callcenter/asr/live_capacity.py)."""
    cpus = len(os.sched_getaffinity(0))
    limit = live_streams(settings.live_asr_streams, settings.asr_engine, cpus)
    if settings.live_asr_streams == AUTO:
        log.info("live ASR: %d streams for %d cores (%s)", limit, cpus, settings.asr_engine)
    return limit


async def run_live_worker(settings: Settings, engine: LiveEngine, streams: int) -> None:
    """Serve AudioSocket streams until SIGTERM/SIGINT; streams still open are flushed before exit."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with opened_redis(settings) as redis:
        executor = ThreadPoolExecutor(max_workers=max(1, streams), thread_name_prefix="live-asr")
        server = LiveTranscriptionServer(
            engine, live_transcripts(settings, redis), executor, ServerOptions(max_streams=streams)
        )
        try:
            await server.start(settings.live_asr_bind, settings.live_asr_port)
            log.info(
                "live ASR worker on %s:%d (engine %s, %d streams, pid %d)",
                settings.live_asr_bind, server.port, engine.name, streams, os.getpid(),
            )  # fmt: skip
            await stop.wait()
        finally:
            await server.close()
            executor.shutdown(wait=False, cancel_futures=True)
