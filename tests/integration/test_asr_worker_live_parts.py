"""The after-call job takes what the live worker closed during the call from a real Redis."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.asr.live import LiveEvent, LiveKind
from callcenter.asr.model import Speaker
from callcenter.commands.asr_worker import live_parts
from callcenter.core.ids import CallId

CALL = CallId("1732435200.77")


def final(speaker: Speaker, seq: int, text: str, start: float, end: float) -> LiveEvent:
    return LiveEvent(CALL, speaker, LiveKind.FINAL, seq, text, start, end)


@pytest.fixture
def store(redis: Redis, stream_name: str) -> RedisLiveTranscripts:
    return RedisLiveTranscripts(redis, prefix=stream_name)


async def close(store: RedisLiveTranscripts, event: LiveEvent) -> None:
    await store.publish(event)
    await store.set_covered(CALL, event.speaker, event.end + 0.3)


async def test_both_ended_sides_come_back_with_their_finals(store: RedisLiveTranscripts) -> None:
    await close(store, final(Speaker.CALLER, 1, "我家停电了", 1.0, 3.0))
    await close(store, final(Speaker.AGENT, 1, "您好请讲", 0.0, 0.9))
    await close(store, final(Speaker.CALLER, 2, "在建国门内大街", 4.0, 6.0))
    for speaker in Speaker:
        await store.mark_ended(CALL, speaker)

    sides = await live_parts(store, CALL, wait_s=5)

    assert [s.text for s in sides[Speaker.CALLER].segments] == ["我家停电了", "在建国门内大街"]
    assert sides[Speaker.CALLER].covered == pytest.approx(6.3)
    assert sides[Speaker.AGENT].covered == pytest.approx(1.2)


async def test_a_side_still_streaming_is_awaited_and_its_last_final_included(
    store: RedisLiveTranscripts,
) -> None:
    await close(store, final(Speaker.CALLER, 1, "我家停电了", 1.0, 3.0))

    async def live_worker_flushes_the_last_words() -> None:
        await asyncio.sleep(0.5)
        await close(store, final(Speaker.CALLER, 2, "谢谢", 4.0, 4.6))
        await store.mark_ended(CALL, Speaker.CALLER)

    flushing = asyncio.create_task(live_worker_flushes_the_last_words())
    sides = await live_parts(store, CALL, wait_s=30)
    await flushing
    assert [s.text for s in sides[Speaker.CALLER].segments] == ["我家停电了", "谢谢"]
    assert sides[Speaker.CALLER].covered == pytest.approx(4.9)


async def test_a_stream_that_never_ends_gives_what_was_covered_when_the_wait_is_over(
    store: RedisLiveTranscripts,
) -> None:
    await close(store, final(Speaker.CALLER, 1, "我家停电了", 1.0, 3.0))
    sides = await live_parts(store, CALL, wait_s=0.3)
    assert sides[Speaker.CALLER].covered == pytest.approx(3.3) and len(sides[Speaker.CALLER].segments) == 1


async def test_a_call_the_live_worker_never_saw_has_no_live_part(store: RedisLiveTranscripts) -> None:
    assert await live_parts(store, CALL, wait_s=0.3) == {}


async def test_redis_down_means_the_whole_recording_is_decoded() -> None:
    dead = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    try:
        assert await live_parts(RedisLiveTranscripts(dead), CALL, wait_s=1) == {}
    finally:
        await dead.aclose()
