"""The health probe of the main process (``GET /health``): every AMI server, the database, Redis and the
transcription backlog."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.ami.bridges import BridgeSet
from callcenter.adapters.redis.jobs import RedisTranscriptionQueue


def health_probe(
    bridges: BridgeSet, engine: AsyncEngine, redis: Redis, jobs: RedisTranscriptionQueue
) -> Callable[[], Awaitable[dict[str, Any]]]:
    async def probe() -> dict[str, Any]:
        # "ami": every server up; "ami_servers": each one; "ami_down": which not
        status: dict[str, Any] = {"ami": bridges.synced(), "ami_servers": bridges.health()}
        status["ami_down"] = list(bridges.down())
        status["database"] = await _ping_db(engine)
        try:
            status["redis"] = bool(await redis.ping())
            status["asr_backlog"] = await jobs.backlog()
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
