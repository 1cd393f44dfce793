"""The database engine, the Redis client and the stores on them, built from Settings in one place.

The app (``wiring/app.py``), the workers (ASR, live ASR) and the commands that read the database
(retranscribe, sl-recount) all take them from here, so every process runs with the same ones. Nothing is
created at import; ``opened_engine`` and ``opened_redis`` close what they open.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.engine import create_engine
from callcenter.adapters.redis.jobs import RedisTranscriptionQueue
from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.config.settings import Settings


def build_engine(settings: Settings) -> AsyncEngine:
    return create_engine(settings.effective_database_url)


def build_redis(settings: Settings) -> Redis:
    return Redis.from_url(settings.redis_url, decode_responses=True)


def transcription_queue(
    settings: Settings, redis: Redis, claim_after_ms: int | None = None
) -> RedisTranscriptionQueue:
    """The durable transcription jobs (Redis Streams, ADR 0003); a job idle ``claim_after_ms`` (default:
    ``asr_claim_after_s``) is claimed by another worker."""
    if claim_after_ms is None:
        claim_after_ms = settings.asr_claim_after_s * 1000
    return RedisTranscriptionQueue(redis, stream=settings.jobs_stream, claim_after_ms=claim_after_ms)


def live_transcripts(settings: Settings, redis: Redis) -> RedisLiveTranscripts:
    """The live workers' taps, finals and coverage (docs/live-transcription.md)."""
    return RedisLiveTranscripts(redis, ttl_s=settings.live_transcript_ttl_s)


@contextlib.asynccontextmanager
async def opened_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = build_engine(settings)
    try:
        yield engine
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def opened_redis(settings: Settings) -> AsyncIterator[Redis]:
    redis = build_redis(settings)
    try:
        yield redis
    finally:
        await redis.aclose()
