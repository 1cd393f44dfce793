"""Live transcription end to end below Asterisk: an AudioSocket client streams a call side to the real
server, the real engines recognize it while it streams, and the results land in the real Redis.

Bounds (measured on the 2-core machine under other helpers' load, 2026-11; docs/live-transcription.md):
Whisper-base on three AISHELL phone utterances joined with 1.2 s pauses: CER 0.176 (6 edits / 34 chars,
one FINAL per utterance, the same as decoding them after the call). Bound 0.30. Vosk Korean on
espeak-ng Korean: letter error rate as after the call (bound 0.80).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
from redis.asyncio import Redis

from callcenter.adapters.asr.audio import pcm16
from callcenter.adapters.asr.cer import cer
from callcenter.adapters.audiosocket.server import LiveTranscriptionServer, ServerOptions
from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.asr.live import ANNOUNCED_START_S, LiveEvent, LiveKind
from callcenter.asr.live_segments import SegmentedLiveEngine
from callcenter.asr.model import Audio, Speaker
from callcenter.asr.ports import LiveEngine
from callcenter.core.ids import CallId
from tests.support.asr import Utterance, jamo_error_rate
from tests.support.audiosocket import AudioSocketClient, Clip, joined_clip, noise

if TYPE_CHECKING:
    from callcenter.adapters.asr.vosk_engine import VoskTranscriber
    from callcenter.adapters.asr.whisper_engine import WhisperTranscriber

HOST = "127.0.0.1"
OFFSET_S = 2.5  # the tap started 2.5 s into the side's recording
WHISPER_LIVE_CER_BOUND = 0.30
KOREAN_JAMO_ERROR_BOUND = 0.80
WAIT_S = 120.0  # an upper bound for a loaded machine, not a timing assertion


@pytest.fixture(scope="module")
def clip(mandarin_phone_corpus: tuple[Utterance, ...]) -> Clip:
    chosen = [u for u in mandarin_phone_corpus if u.path.name.startswith("aishell1_BAC009S0724")]
    assert len(chosen) == 3, "the shared speech set changed"
    return joined_clip([(u.path, u.text) for u in chosen])


@pytest.fixture
def whisper_live(whisper_transcriber: WhisperTranscriber) -> LiveEngine:
    return SegmentedLiveEngine(whisper_transcriber)


@pytest.fixture
def vosk_live(vosk_transcriber: VoskTranscriber) -> LiveEngine:
    """Vosk streaming with the Korean model (the session's transcriber proves it is installed)."""
    from callcenter.adapters.asr.live_vosk import VoskLiveEngine

    return VoskLiveEngine(vosk_transcriber.model_path, language="ko")


@pytest.fixture
def live(redis: Redis, stream_name: str) -> RedisLiveTranscripts:
    return RedisLiveTranscripts(redis, prefix=stream_name)


Serve = Callable[..., Any]


@pytest.fixture
def serve(live: RedisLiveTranscripts) -> Serve:
    @asynccontextmanager
    async def serving(engine: LiveEngine, **options: Any) -> AsyncIterator[LiveTranscriptionServer]:
        options.setdefault("max_streams", 4)
        executor = ThreadPoolExecutor(max_workers=4)
        server = LiveTranscriptionServer(engine, live, executor, ServerOptions(**options))
        await server.start(HOST, 0)
        try:
            yield server
        finally:
            await server.close()
            executor.shutdown()

    return serving


async def tap(live: RedisLiveTranscripts, speaker: Speaker = Speaker.CALLER) -> tuple[str, CallId]:
    stream, call_id = str(uuid.uuid4()), CallId(f"1732435200.{uuid.uuid4().int % 10_000}")
    await live.register_tap(stream, call_id, speaker, OFFSET_S, "hotline")
    return stream, call_id


async def eventually(check: Callable[[], Awaitable[bool]], what: str) -> None:
    for _ in range(round(WAIT_S / 0.1)):  # polling Redis, which has no event for these states
        if await check():
            return
        await asyncio.sleep(0.1)
    pytest.fail(what)


async def ended(live: RedisLiveTranscripts, call_id: CallId, speaker: Speaker = Speaker.CALLER) -> None:
    async def done() -> bool:
        return speaker in await live.ended(call_id)

    await eventually(done, f"{speaker} of {call_id} never ended")


def text_of(finals: list[LiveEvent]) -> str:
    return "".join(e.text for e in finals)


# --- Whisper: finals while the call goes on --------------------------------------------------------


async def test_whisper_closes_each_utterance_during_the_call(
    serve: Serve, whisper_live: LiveEngine, live: RedisLiveTranscripts, clip: Clip
) -> None:
    stream, call_id = await tap(live)
    async with serve(whisper_live) as server:
        client = await AudioSocketClient.connect(HOST, server.port, stream)
        await client.stream(clip.pcm)  # the whole side, the caller has not hung up

        async def all_closed() -> bool:
            return len(await live.finals(call_id)) >= len(clip.texts)

        await eventually(all_closed, "the three utterances were not closed while the call went on")
        covered = (await live.covered(call_id))[Speaker.CALLER]
        last_end = clip.spans[-1][1]
        assert OFFSET_S + last_end - 0.5 <= covered <= OFFSET_S + clip.duration, covered
        assert await live.ended(call_id) == set()  # still streaming
        await client.hangup()
        await ended(live, call_id)
    finals = await live.finals(call_id)
    assert all(e.kind is LiveKind.FINAL and e.speaker is Speaker.CALLER for e in finals)
    assert [e.seq for e in finals] == sorted(e.seq for e in finals)
    error = cer("".join(clip.texts), text_of(finals))
    assert error < WHISPER_LIVE_CER_BOUND, (error, text_of(finals))
    for event, (start, end) in zip(finals, clip.spans, strict=True):  # on the recording's time line
        assert OFFSET_S + start - 0.5 <= event.start < event.end <= OFFSET_S + end + 0.5, (event, start, end)
        assert all(event.start - 0.01 <= w.start <= w.end <= event.end + 0.01 for w in event.words)
    assert (await live.covered(call_id))[Speaker.CALLER] == pytest.approx(OFFSET_S + clip.duration, abs=0.01)
    assert server.counters.streams == 1 and server.counters.finals == len(finals)


async def test_a_stream_whose_audio_starts_late_is_placed_where_it_really_starts(
    serve: Serve, whisper_live: LiveEngine, live: RedisLiveTranscripts, clip: Clip
) -> None:
    """Asterisk took 1.5 s longer than announced to open the stream (Originate under load): the finals
    still sit where that audio is in the recording, so the after-call job trims at the right place."""
    stream, call_id = await tap(live)
    late_s = 1.5
    async with serve(whisper_live) as server:
        client = await AudioSocketClient.connect(HOST, server.port, stream)
        await asyncio.sleep(late_s + ANNOUNCED_START_S)
        await client.stream(clip.pcm)
        await client.hangup()
        await ended(live, call_id)
    first = (await live.finals(call_id))[0]
    assert first.start == pytest.approx(OFFSET_S + late_s + clip.spans[0][0], abs=0.5), first
    covered = (await live.covered(call_id))[Speaker.CALLER]
    assert covered == pytest.approx(OFFSET_S + late_s + clip.duration, abs=0.5)


async def test_a_phone_that_sends_nothing_while_silent_does_not_shift_what_follows(
    serve: Serve, whisper_live: LiveEngine, live: RedisLiveTranscripts, clip: Clip
) -> None:
    """Silence suppression: the party's phone stops sending for 2 s between two sentences. The worker fills
    the gap by the wall clock, so the second sentence keeps its place in the recording."""
    stream, call_id = await tap(live)
    cut = round((clip.spans[0][1] + 0.6) * 8000) * 2
    async with serve(whisper_live) as server:
        client = await AudioSocketClient.connect(HOST, server.port, stream)
        await client.stream(clip.pcm[:cut], realtime=True)
        await asyncio.sleep(2.0)
        await client.stream(clip.pcm[cut:], realtime=True)
        await client.hangup()
        await ended(live, call_id)
    second = (await live.finals(call_id))[1]
    assert second.start == pytest.approx(OFFSET_S + clip.spans[1][0] + 2.0, abs=0.5), second


async def test_silence_and_noise_give_no_finals_and_end(
    serve: Serve, whisper_live: LiveEngine, live: RedisLiveTranscripts
) -> None:
    stream, call_id = await tap(live)
    line = bytes(2 * 8000 * 2) + noise(8.0, -40.0) + bytes(2 * 8000 * 2)
    async with serve(whisper_live) as server:
        client = await AudioSocketClient.connect(HOST, server.port, stream)
        await client.stream(line)
        await client.hangup()
        await ended(live, call_id)
    assert await live.finals(call_id) == []
    assert (await live.covered(call_id))[Speaker.CALLER] == pytest.approx(OFFSET_S + 12.0, abs=0.01)


# --- Vosk: partials before the final -----------------------------------------------------------------


async def test_vosk_sends_partials_before_the_final(
    serve: Serve,
    vosk_live: LiveEngine,
    live: RedisLiveTranscripts,
    redis: Redis,
    korean_phone_speech: tuple[tuple[str, Audio], ...],
) -> None:
    stream, call_id = await tap(live, Speaker.AGENT)
    pause = np.zeros(8000, np.float32)
    sentences = korean_phone_speech[:2]
    samples = np.concatenate([part for _text, audio in sentences for part in (audio.samples, pause)])
    heard: list[LiveEvent] = []
    async with serve(vosk_live) as server:
        events = live.subscribe(call_id)

        async def listen() -> None:
            async for event in events:
                heard.append(event)

        listening = asyncio.create_task(listen())
        await eventually(lambda: subscribed(redis, live, call_id), "no subscription")
        client = await AudioSocketClient.connect(HOST, server.port, stream)
        await client.stream(pcm16(samples).astype("<i2").tobytes(), realtime=True)
        await client.hangup()
        await ended(live, call_id, Speaker.AGENT)
        listening.cancel()
    finals = await live.finals(call_id)
    assert finals and all(e.speaker is Speaker.AGENT for e in finals)
    partials = [e for e in heard if e.kind is LiveKind.PARTIAL]
    assert partials, "no partial result was published"
    assert min(e.seq for e in partials) < min(e.seq for e in finals)
    assert [e.seq for e in heard] == sorted(e.seq for e in heard)
    assert all(OFFSET_S <= e.start <= e.end <= OFFSET_S + len(samples) / 8000 + 0.01 for e in heard)
    pairs = [(" ".join(t for t, _a in sentences), " ".join(e.text for e in finals))]
    assert jamo_error_rate(pairs) < KOREAN_JAMO_ERROR_BOUND, pairs


async def subscribed(redis: Redis, live: RedisLiveTranscripts, call_id: CallId) -> bool:
    return bool((await redis.pubsub_numsub(live.channel(call_id)))[0][1])


# --- refusals and bad input --------------------------------------------------------------------------


async def test_an_unknown_stream_is_closed(serve: Serve, whisper_live: LiveEngine) -> None:
    async with serve(whisper_live) as server:
        client = await AudioSocketClient.connect(HOST, server.port, str(uuid.uuid4()))
        assert await client.closed_by_server()
        await client.close()
    assert server.counters.unknown == 1 and server.counters.streams == 0


async def test_one_stream_over_capacity_is_refused(
    serve: Serve, whisper_live: LiveEngine, live: RedisLiveTranscripts
) -> None:
    taps = [await tap(live) for _ in range(3)]
    async with serve(whisper_live, max_streams=2) as server:
        clients = []
        for stream, _call in taps[:2]:
            clients.append(await AudioSocketClient.connect(HOST, server.port, stream))
            await clients[-1].stream(bytes(3200))

        async def both_admitted() -> bool:
            return bool(server.active == 2)

        await eventually(both_admitted, "the two streams were not admitted")
        extra = await AudioSocketClient.connect(HOST, server.port, taps[2][0])
        assert await extra.closed_by_server()
        assert not await clients[0].closed_by_server(within=0.3)  # the two admitted streams stay open
        for client in clients:
            await client.hangup()
        for _stream, call_id in taps[:2]:
            await ended(live, call_id)
    assert server.counters.refused == 1 and server.counters.streams == 2
    assert await live.ended(taps[2][1]) == set()  # the refused call is left to after hangup


@pytest.mark.parametrize(
    "garbage",
    [
        b"\x42\x00\x00",
        b"\x10\x00\x03\x01\x02\x03",
        b"\x01\x00\x04abcd",
        b"\x10\xff\xff",
    ],
    ids=["unknown-kind", "odd-audio", "short-uuid", "oversized"],
)
async def test_malformed_data_closes_that_stream_only(
    serve: Serve, whisper_live: LiveEngine, live: RedisLiveTranscripts, clip: Clip, garbage: bytes
) -> None:
    (bad, bad_call), (good, good_call) = await tap(live), await tap(live)
    async with serve(whisper_live) as server:
        healthy = await AudioSocketClient.connect(HOST, server.port, good)
        broken = await AudioSocketClient.connect(HOST, server.port, bad)
        await broken.stream(bytes(3200))
        await broken.send(garbage)
        assert await broken.closed_by_server()
        await ended(live, bad_call)  # what it sent before the fault was flushed
        first_utterance = clip.pcm[: round((clip.spans[0][1] + 1.0) * 8000) * 2]
        await healthy.stream(first_utterance)
        await healthy.hangup()
        await ended(live, good_call)
    assert server.counters.malformed == 1
    assert len(await live.finals(good_call)) == 1
    await broken.close()


async def test_audio_before_the_uuid_is_refused(serve: Serve, whisper_live: LiveEngine) -> None:
    async with serve(whisper_live) as server:
        client = await AudioSocketClient.connect(HOST, server.port)
        await client.stream(bytes(640))
        assert await client.closed_by_server()
        await client.close()
    assert server.counters.malformed == 1


async def test_a_recognizer_behind_by_more_than_the_backlog_stops_live_at_that_point(
    serve: Serve, whisper_live: LiveEngine, live: RedisLiveTranscripts, clip: Clip
) -> None:
    stream, call_id = await tap(live)
    async with serve(whisper_live, backlog_s=1.0) as server:
        client = await AudioSocketClient.connect(HOST, server.port, stream)
        await client.stream(clip.pcm)  # 22 s at once: far more than 1 s ahead of the recognizer
        await client.hangup()
        await ended(live, call_id)
    assert server.counters.overflowed == 1
    covered = (await live.covered(call_id))[Speaker.CALLER]
    assert OFFSET_S <= covered < OFFSET_S + clip.duration - 1.0  # the rest is left to the after-call job
    assert all(e.end <= covered + 0.05 for e in await live.finals(call_id))


async def test_without_redis_a_stream_is_closed_and_the_server_keeps_serving(
    whisper_live: LiveEngine,
) -> None:
    unreachable = Redis(host=HOST, port=1, socket_connect_timeout=1)  # nothing listens on port 1
    executor = ThreadPoolExecutor(max_workers=1)
    server = LiveTranscriptionServer(
        whisper_live, RedisLiveTranscripts(unreachable), executor, ServerOptions(2)
    )
    await server.start(HOST, 0)
    try:
        for _ in range(2):
            client = await AudioSocketClient.connect(HOST, server.port, str(uuid.uuid4()))
            assert await client.closed_by_server()
            await client.close()
    finally:
        await server.close()
        executor.shutdown()
        await unreachable.aclose()
    assert server.counters.failed == 2 and server.counters.streams == 0
