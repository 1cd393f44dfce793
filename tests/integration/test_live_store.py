"""The live-transcript store on a real Redis: the tap registry, events over pub/sub, finals, coverage."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from redis.asyncio import Redis

from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.asr.live import LiveEvent, LiveKind, Tap, event_from_json, to_json
from callcenter.asr.model import Speaker, Word
from callcenter.core.ids import CallId

CALL = CallId("1732435200.42")


def event(kind: LiveKind, seq: int, text: str = "我要反映", start: float = 1.0) -> LiveEvent:
    words = (Word("我要", start, start + 0.4, 0.9), Word("反映", start + 0.4, start + 0.9, None))
    return LiveEvent(CALL, Speaker.CALLER, kind, seq, text, start, start + 0.9, words)


async def subscribed(redis: Redis, channel: str) -> None:
    for _ in range(500):
        if (await redis.pubsub_numsub(channel))[0][1]:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"nobody subscribed to {channel}")


@pytest.fixture
def store(redis: Redis, stream_name: str) -> RedisLiveTranscripts:
    return RedisLiveTranscripts(redis, prefix=stream_name)


def test_an_event_survives_the_json_round_trip() -> None:
    sent = event(LiveKind.FINAL, 3, "建国门内大街18号")
    assert event_from_json(to_json(sent)) == sent
    assert "建国门" in to_json(sent)  # readable Chinese, not \u escapes


GOOD = to_json(event(LiveKind.FINAL, 1))
BAD = [
    "",
    "[]",
    "nul",
    '{"call_id": "c"}',
    GOOD.replace('"final"', '"maybe"'),
    GOOD.replace('"seq": 1', '"seq": "1"'),
    GOOD.replace('"start": 1.0', '"start": NaN'),
    GOOD.replace('"caller"', '"mayor"'),
    GOOD.replace('"words": [', '"words": [7, '),
]


@pytest.mark.parametrize("bad", BAD)
def test_malformed_events_raise_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        event_from_json(bad)


async def test_a_registered_tap_is_found_by_its_uuid(store: RedisLiveTranscripts) -> None:
    tap_id = str(uuid.uuid4())
    before = time.time()
    await store.register_tap(tap_id, CALL, Speaker.AGENT, 2.5, "pbx1")
    found = await store.tap(tap_id)
    assert found is not None and found.registered_at is not None
    assert before <= found.registered_at <= time.time()  # the live worker measures the real start from it
    assert found == Tap(CALL, Speaker.AGENT, 2.5, "pbx1", found.registered_at)
    assert await store.tap(tap_id.upper()) == found
    assert await store.tap(str(uuid.uuid4())) is None


async def test_a_malformed_tap_entry_is_unknown(
    store: RedisLiveTranscripts, redis: Redis, stream_name: str
) -> None:
    tap_id = str(uuid.uuid4())
    await redis.hset(
        f"{stream_name}:tap:{tap_id}", mapping={"call_id": "c", "speaker": "mayor", "offset_s": "x"}
    )
    assert await store.tap(tap_id) is None


async def test_taps_expire(store: RedisLiveTranscripts, redis: Redis, stream_name: str) -> None:
    tap_id = str(uuid.uuid4())
    await store.register_tap(tap_id, CALL, Speaker.CALLER, 0.0, "pbx1")
    assert 0 < await redis.ttl(f"{stream_name}:tap:{tap_id}") <= 6 * 3600


async def test_finals_are_stored_in_order_and_partials_are_not(store: RedisLiveTranscripts) -> None:
    first, partial, second = event(LiveKind.FINAL, 1), event(LiveKind.PARTIAL, 2), event(LiveKind.FINAL, 3)
    for sent in (first, partial, second):
        await store.publish(sent)
    assert await store.finals(CALL) == [first, second]
    assert await store.finals(CallId("other")) == []


async def test_subscribers_hear_every_event(store: RedisLiveTranscripts, redis: Redis) -> None:
    events = store.subscribe(CALL)
    heard = asyncio.ensure_future(anext(events))
    async with asyncio.timeout(5):
        await subscribed(redis, store.channel(CALL))
        sent = event(LiveKind.PARTIAL, 1)
        await store.publish(sent)
        assert await heard == sent
        await redis.publish(store.channel(CALL), "not json")  # skipped, logged
        final = event(LiveKind.FINAL, 2)
        await store.publish(final)
        assert await anext(events) == final
    await events.aclose()  # type: ignore[attr-defined]
    assert (await redis.pubsub_numsub(store.channel(CALL)))[0][1] == 0


async def test_covered_only_moves_forward(store: RedisLiveTranscripts) -> None:
    assert await store.covered(CALL) == {}
    await store.set_covered(CALL, Speaker.CALLER, 12.5)
    await store.set_covered(CALL, Speaker.CALLER, 3.0)
    await store.set_covered(CALL, Speaker.AGENT, 4.0)
    assert await store.covered(CALL) == {Speaker.CALLER: 12.5, Speaker.AGENT: 4.0}


async def test_where_each_side_s_stream_started_is_kept(store: RedisLiveTranscripts) -> None:
    assert await store.started(CALL) == {}
    await store.set_started(CALL, Speaker.CALLER, 3.04)
    assert await store.started(CALL) == {Speaker.CALLER: 3.04}


async def test_ended_sides_are_marked(store: RedisLiveTranscripts) -> None:
    assert await store.ended(CALL) == set()
    await store.mark_ended(CALL, Speaker.CALLER)
    assert await store.ended(CALL) == {Speaker.CALLER}


async def test_event_numbers_increase_per_side(store: RedisLiveTranscripts) -> None:
    assert [await store.next_seq(CALL, Speaker.CALLER) for _ in range(3)] == [1, 2, 3]
    assert await store.next_seq(CALL, Speaker.AGENT) == 1


async def every_write_of_a_call(store: RedisLiveTranscripts) -> None:
    """What the live worker writes for one call: a final on each side, start, coverage, end marks,
    counters."""
    for speaker in Speaker:
        seq = await store.next_seq(CALL, speaker)
        await store.publish(
            LiveEvent(CALL, speaker, LiveKind.FINAL, seq, "我家住在建国门内大街18号", 1.0, 3.0)
        )
        await store.set_started(CALL, speaker, 0.1)
        await store.set_covered(CALL, speaker, 3.3)
        await store.mark_ended(CALL, speaker)


async def test_a_call_s_live_words_expire_on_the_configured_schedule(redis: Redis, stream_name: str) -> None:
    """Every key written for a call carries a TTL of at most ``live_transcript_ttl_s`` (here 120 s), set
    again by each write: the words are gone that long after the call's last segment."""
    store = RedisLiveTranscripts(redis, prefix=stream_name, ttl_s=120)
    await every_write_of_a_call(store)
    keys = sorted([k async for k in redis.scan_iter(f"{stream_name}:*")])
    assert sorted(store.call_keys(CALL)) == keys and len(keys) == 6
    ttls = {key: await redis.ttl(key) for key in keys}
    assert all(110 <= ttl <= 120 for ttl in ttls.values()), ttls


async def test_the_default_schedule_is_an_hour(store: RedisLiveTranscripts, redis: Redis) -> None:
    await every_write_of_a_call(store)
    ttls = [await redis.ttl(key) for key in store.call_keys(CALL)]
    assert all(3500 < ttl <= 3600 for ttl in ttls), ttls


async def test_forgetting_a_call_deletes_its_words(store: RedisLiveTranscripts, redis: Redis) -> None:
    await every_write_of_a_call(store)
    other = CallId("1732435200.43")
    await store.publish(LiveEvent(other, Speaker.CALLER, LiveKind.FINAL, 1, "另一通", 0.0, 1.0))
    assert await store.forget(CALL) == 6
    assert await redis.exists(*store.call_keys(CALL)) == 0
    assert await store.finals(CALL) == [] and len(await store.finals(other)) == 1
    assert await store.forget(CALL) == 0
