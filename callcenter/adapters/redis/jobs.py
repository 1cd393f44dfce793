"""Durable transcription jobs on a Redis Stream with a consumer group.

A job is acknowledged only after its result is stored. A worker that dies holding a job leaves it
pending; any live worker claims it (XAUTOCLAIM) once it has been idle longer than ``claim_after``.
A job delivered ``max_deliveries`` times without success is handed back as poison so the worker can
store a failure draft for it instead of looping forever.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from callcenter.calls.ports import TranscriptionJob
from callcenter.core.errors import QueueUnavailable
from callcenter.core.ids import CallId

log = logging.getLogger(__name__)

STREAM = "cc:jobs:transcribe"
GROUP = "asr-workers"


@dataclass(frozen=True, slots=True)
class Delivery:
    """A job handed to one consumer; ``attempt`` counts deliveries including this one."""

    entry_id: str
    job: TranscriptionJob
    attempt: int


def encode(job: TranscriptionJob) -> dict[str, str]:
    return {"call_id": job.call_id, "caller_path": job.caller_path, "agent_path": job.agent_path}


def decode(fields: dict[str, str]) -> TranscriptionJob:
    return TranscriptionJob(
        call_id=CallId(fields["call_id"]),
        caller_path=fields.get("caller_path", ""),
        agent_path=fields.get("agent_path", ""),
    )


class RedisTranscriptionQueue:
    def __init__(
        self, redis: Redis, stream: str = STREAM, group: str = GROUP, claim_after_ms: int = 300_000
    ) -> None:
        self._redis: Any = redis  # redis-py's reply types are too loose to check usefully
        self._stream = stream
        self._group = group
        self._claim_after_ms = claim_after_ms

    async def ensure_group(self) -> None:
        try:
            await self._redis.xgroup_create(self._stream, self._group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def enqueue(self, job: TranscriptionJob) -> str:
        try:
            entry_id = await self._redis.xadd(self._stream, encode(job))
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            raise QueueUnavailable(f"Redis unreachable: {exc}", call_id=job.call_id) from exc
        log.info("transcription job %s queued for call_id=%s", entry_id, job.call_id)
        return str(entry_id)

    async def next(self, consumer: str, block_ms: int = 1000) -> Delivery | None:
        """A job abandoned by a dead worker first, else a new one; None when idle."""
        claimed = await self._claim_stale(consumer)
        if claimed is not None:
            return claimed
        reply = await self._redis.xreadgroup(
            self._group, consumer, {self._stream: ">"}, count=1, block=block_ms
        )
        if not reply:
            return None
        _, entries = reply[0]
        entry_id, fields = entries[0]
        return Delivery(entry_id=entry_id, job=decode(fields), attempt=1)

    async def ack(self, delivery: Delivery) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(self._stream, self._group, delivery.entry_id)
            pipe.xdel(self._stream, delivery.entry_id)
            await pipe.execute()

    async def touch(self, delivery: Delivery, consumer: str) -> None:
        """Still working on it: reset the job's idle time so no other worker claims it meanwhile."""
        await self._redis.xclaim(
            self._stream, self._group, consumer, min_idle_time=0, message_ids=[delivery.entry_id], justid=True
        )

    async def is_intact(self) -> bool:
        """False when Redis lost the queue (restarted without persistence): jobs must be re-sent."""
        try:
            groups = await self._redis.xinfo_groups(self._stream)
        except ResponseError:  # no such key
            return False
        return any(g["name"] == self._group for g in groups)

    async def pending_count(self) -> int:
        info = await self._redis.xpending(self._stream, self._group)
        return int(info["pending"])

    async def backlog(self) -> int:
        """Jobs not yet acknowledged: waiting plus in progress."""
        return int(await self._redis.xlen(self._stream))

    async def _claim_stale(self, consumer: str) -> Delivery | None:
        _, entries, *_ = await self._redis.xautoclaim(
            self._stream, self._group, consumer, min_idle_time=self._claim_after_ms, count=1
        )
        if not entries:
            return None
        entry_id, fields = entries[0]
        if fields is None:  # deleted while pending
            await self._redis.xack(self._stream, self._group, entry_id)
            return None
        return Delivery(entry_id=entry_id, job=decode(fields), attempt=await self._deliveries(entry_id))

    async def _deliveries(self, entry_id: str) -> int:
        rows = await self._redis.xpending_range(
            self._stream, self._group, min=entry_id, max=entry_id, count=1
        )
        return int(rows[0]["times_delivered"]) if rows else 1
