"""Call records, transcripts, drafts and transcription jobs through real SQLite/PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.repositories import SqlCallRepository, SqlReadModel, SqlTranscriptionStore
from callcenter.adapters.db.tables import tickets, transcripts
from callcenter.adapters.redis.jobs import RedisTranscriptionQueue
from callcenter.asr.model import Segment, Speaker, Transcript, Word
from callcenter.calls.events import (
    AgentConnected,
    CallArrived,
    CallHungUp,
    JoinedQueue,
    RecordingFinished,
    RecordingStarted,
)
from callcenter.calls.model import CallOutcome, start_call
from callcenter.calls.ports import TranscriptionJob
from callcenter.calls.service import CallFlow
from callcenter.core.ids import CallId
from callcenter.ticketing.orders.drafting import draft_from_transcript

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
CID = CallId("1764000000.42")


def at(s: float) -> datetime:
    return T0 + timedelta(seconds=s)


ANSWERED_CALL = [
    CallArrived(CID, at(0), "13800138000", "PJSIP/pstn-0000002a", "12345"),
    RecordingStarted(CID, at(4), "/spool/c.wav", "/spool/a.wav", "/spool/m.wav"),
    JoinedQueue(CID, at(5), "hotline", 1),
    AgentConnected(CID, at(9.25), "hotline", "PJSIP/agent1001", 4),
    CallHungUp(CID, at(40), 16, "Normal Clearing"),
    RecordingFinished(CID, at(40.2)),
]


def host(path: str) -> str:
    return "/host" + path


async def test_answered_call_is_stored_and_queued_for_transcription(
    engine: AsyncEngine, redis: Redis, stream_name: str
) -> None:
    calls = SqlCallRepository(engine)
    jobs = RedisTranscriptionQueue(redis, stream=stream_name)
    await jobs.ensure_group()
    flow = CallFlow(calls, jobs, host)
    for event in ANSWERED_CALL:
        await flow.handle(event)
    record = await calls.get(CID)
    assert record is not None
    assert record.outcome is CallOutcome.ANSWERED
    assert record.answer_delay == pytest.approx(4.25)
    assert record.arrived_at == at(0)  # time zone survives the round trip on both databases
    assert record.transcription_queued
    delivery = await jobs.next("w1", block_ms=100)
    assert delivery is not None
    assert delivery.job == TranscriptionJob(CID, "/host/spool/c.wav", "/host/spool/a.wav")


async def test_redis_down_keeps_the_job_in_the_database_until_a_sweep(
    engine: AsyncEngine, redis: Redis, stream_name: str
) -> None:
    calls = SqlCallRepository(engine)
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    flow_without_redis = CallFlow(calls, RedisTranscriptionQueue(dead, stream=stream_name), host)
    for event in ANSWERED_CALL:
        await flow_without_redis.handle(event)
    await dead.aclose()
    record = await calls.get(CID)
    assert record is not None and not record.transcription_queued
    assert [r.call_id for r in await calls.awaiting_transcription()] == [CID]

    jobs = RedisTranscriptionQueue(redis, stream=stream_name)
    await jobs.ensure_group()
    assert await CallFlow(calls, jobs, host).requeue_waiting() == 1
    assert await calls.awaiting_transcription() == []
    assert await jobs.backlog() == 1


async def test_calls_missing_at_resync_are_closed(
    engine: AsyncEngine, redis: Redis, stream_name: str
) -> None:
    calls = SqlCallRepository(engine)
    jobs = RedisTranscriptionQueue(redis, stream=stream_name)
    await jobs.ensure_group()
    flow = CallFlow(calls, jobs, host)
    for event in ANSWERED_CALL[:4]:  # answered, then the bridge lost sight of it
        await flow.handle(event)
    assert await flow.reconcile("default", live_call_ids={"other"}, at=at(100)) == 1
    record = await calls.get(CID)
    assert record is not None and record.outcome is CallOutcome.ANSWERED and record.ended_at == at(100)
    assert record.transcription_queued  # what was recorded of the conversation is still transcribed


async def test_transcript_and_draft_are_stored_once(engine: AsyncEngine) -> None:
    record = start_call(ANSWERED_CALL[0])  # type: ignore[arg-type]
    await SqlCallRepository(engine).save(record)
    words = (Word("路灯", 1.0, 1.4, 0.9), Word("坏了", 1.4, 1.8, 0.8))
    transcript = Transcript("whisper", "zh", 12.0, (Segment(Speaker.CALLER, 1.0, 1.8, "路灯坏了", words),))
    store = SqlTranscriptionStore(engine)
    ticket = draft_from_transcript(record, transcript, at(50))
    assert await store.store(CID, transcript, None, ticket, at(50))
    assert not await store.store(CID, transcript, None, ticket, at(51))
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(tickets))).scalar() == 1
        assert (await conn.execute(select(func.count()).select_from(transcripts))).scalar() == 1
    detail = await SqlReadModel(engine).call(CID)
    assert detail is not None
    assert detail["ticket"]["request_text"] == "路灯坏了"
    assert detail["transcript"]["segments"][0]["words"][0] == ["路灯", 1.0, 1.4, 0.9]


async def test_a_job_held_by_a_dead_worker_is_claimed_by_another(redis: Redis, stream_name: str) -> None:
    queue = RedisTranscriptionQueue(redis, stream=stream_name, claim_after_ms=300)
    await queue.ensure_group()
    await queue.enqueue(TranscriptionJob(CID, "/c.wav", "/a.wav"))
    first = await queue.next("worker-that-dies", block_ms=100)
    assert first is not None and first.attempt == 1
    assert await queue.next("survivor", block_ms=100) is None  # not yet idle long enough
    await asyncio.sleep(0.4)
    again = await queue.next("survivor", block_ms=100)
    assert again is not None and again.job == first.job and again.attempt == 2
    await queue.ack(again)
    assert await queue.pending_count() == 0 and await queue.backlog() == 0


async def test_a_busy_worker_keeps_its_job(redis: Redis, stream_name: str) -> None:
    queue = RedisTranscriptionQueue(redis, stream=stream_name, claim_after_ms=300)
    await queue.ensure_group()
    await queue.enqueue(TranscriptionJob(CID, "/c.wav", "/a.wav"))
    held = await queue.next("busy", block_ms=100)
    assert held is not None
    for _ in range(3):
        await asyncio.sleep(0.2)
        await queue.touch(held, "busy")
        assert await queue.next("other", block_ms=10) is None


async def test_jobs_lost_with_redis_data_are_sent_again(
    engine: AsyncEngine, redis: Redis, stream_name: str
) -> None:
    calls = SqlCallRepository(engine)
    jobs = RedisTranscriptionQueue(redis, stream=stream_name)
    await jobs.ensure_group()
    flow = CallFlow(calls, jobs, host)
    for event in ANSWERED_CALL:
        await flow.handle(event)
    assert await flow.recover_lost_jobs() == 0  # queue intact: nothing to do
    await redis.delete(stream_name)  # what a Redis restart without persistence does
    assert await flow.recover_lost_jobs() == 1
    delivery = await jobs.next("w", block_ms=100)
    assert delivery is not None and delivery.job.call_id == CID
