"""From hangup to a complete draft work order, for 3-minute calls (issue 6 target: ≤ 15 s at p95, Mandarin).

Run from the repository root:  python bench/hangup_to_draft.py [--calls 6] [--concurrent 2] [--seconds 180]

Each call is built from the real Mandarin utterances of ../shared/speech/zh/8k: agent and citizen take
turns with pauses, through the G.711 μ-law channel, for ``--seconds``; the citizen speaks last and hangs up
0.3–1.5 s later. Both sides go, as Asterisk's AudioSocket channels would send them (20 ms frames), to the
real live worker server (callcenter/adapters/audiosocket/server.py, Whisper engine, real Redis); all but
the last ``--realtime-tail`` seconds are sent at ``--pre-speed`` times real time (the worker keeps up, see
bench/live_capacity.py), the rest at real time, so the worker's state at hangup is the live one. At hangup
the after-call job starts as the ASR worker runs it (commands/asr_worker.py: wait for the live sides to
end, take their finals from Redis, decode only what follows them in the recording files, store transcript
and draft in SQLite). Printed: hangup → draft stored per call, p50/p95/max; the same calls decoded whole
after hangup (no live worker) for comparison; CER of each draft's citizen text against the reference.
The after-call job has a Whisper model of its own, as a separate worker process would. Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the repository root

from redis.asyncio import Redis

from callcenter.adapters.asr.audio import load_mono, pcm16, telephone_round_trip
from callcenter.adapters.asr.calls import transcribe_call
from callcenter.adapters.asr.cer import cer
from callcenter.adapters.asr.factory import transcriber_from_config
from callcenter.adapters.asr.live_factory import live_engine_from_config
from callcenter.adapters.audiosocket.protocol import (
    FRAME_BYTES,
    audio_message,
    hangup_message,
    uuid_message,
)
from callcenter.adapters.audiosocket.server import LiveTranscriptionServer, ServerOptions
from callcenter.adapters.db.engine import create_engine, upgrade
from callcenter.adapters.db.repositories import SqlCallRepository, SqlReadModel, SqlTranscriptionStore
from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.asr.model import Audio, Speaker, Transcript
from callcenter.calls.model import CallOutcome, CallPhase, CallRecord, RecordingFiles
from callcenter.calls.ports import TranscriptionJob
from callcenter.commands.asr_worker import live_parts
from callcenter.config.settings import Settings
from callcenter.core.clock import SystemClock
from callcenter.core.ids import CallId
from callcenter.ticketing.orders.intake import CallTranscription

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "speech" / "zh" / "8k"
RATE = 8000


@dataclass(frozen=True, slots=True)
class Call:
    call_id: CallId
    caller: Audio
    agent: Audio
    caller_text: str  # reference: what the citizen said, in order
    hangup_after_speech_s: float


def utterances() -> list[tuple[Audio, str]]:
    rows = (
        line.split("\t", 1) for line in (CORPUS / "transcripts.tsv").read_text("utf-8").splitlines() if line
    )
    return [(load_mono(CORPUS / name, rate=RATE), text.strip()) for name, text in rows]


def compose(clips: list[tuple[Audio, str]], seconds: float, seed: int) -> Call:
    """Turns (agent, then the citizen with 1–3 utterances) until ``seconds``; the citizen speaks last."""
    rng = random.Random(seed)
    caller, agent = np.zeros(0, np.float32), np.zeros(0, np.float32)
    said: list[str] = []

    def put(side: str, samples: np.ndarray) -> None:
        nonlocal caller, agent
        gap = np.zeros(len(samples), np.float32)
        caller = np.concatenate([caller, samples if side == "caller" else gap])
        agent = np.concatenate([agent, samples if side == "agent" else gap])

    def pause(low: float, high: float) -> None:
        put("caller", np.zeros(int(rng.uniform(low, high) * RATE), np.float32))

    while len(caller) < seconds * RATE:
        audio, _ = rng.choice(clips)
        put("agent", audio.samples)
        pause(0.5, 1.5)
        for _ in range(rng.randint(1, 3)):
            audio, text = rng.choice(clips)
            put("caller", audio.samples)
            said.append(text)
            pause(0.8, 2.5)
    tail = rng.uniform(0.3, 1.5)
    last_speech = len(caller) - int(0.8 * RATE)  # the last pause above was at least 0.8 s
    cut = last_speech + int(tail * RATE)
    call_id = CallId(f"bench.{seed}.{uuid.uuid4().hex[:6]}")
    sides = [telephone_round_trip(Audio(x[:cut], RATE)) for x in (caller, agent)]
    return Call(call_id, sides[0], sides[1], "".join(said), tail)


async def stream_side(port: int, tap: str, audio: Audio, pre_speed: float, realtime_tail_s: float) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(uuid_message(tap))
    pcm = pcm16(audio.samples).tobytes()
    fast_until = max(0, len(pcm) - int(realtime_tail_s * RATE) * 2)
    start, sent_s = time.monotonic(), 0.0
    for at in range(0, len(pcm), FRAME_BYTES):
        writer.write(audio_message(pcm[at : at + FRAME_BYTES]))
        sent_s += FRAME_BYTES / 2 / RATE / (pre_speed if at < fast_until else 1.0)
        await writer.drain()
        await asyncio.sleep(max(0.0, start + sent_s - time.monotonic()))
    writer.write(hangup_message())
    await writer.drain()
    writer.close()
    del reader


async def one_call(
    call: Call,
    args: argparse.Namespace,
    port: int,
    live: RedisLiveTranscripts,
    service: CallTranscription,
    files: Path,
) -> float:
    paths = {}
    for speaker, audio in ((Speaker.CALLER, call.caller), (Speaker.AGENT, call.agent)):
        paths[speaker] = files / f"{call.call_id}-{speaker.value}.wav"
        sf.write(paths[speaker], audio.samples, RATE, subtype="PCM_16")
    taps = {speaker: str(uuid.uuid4()) for speaker in Speaker}
    for speaker, tap in taps.items():
        await live.register_tap(tap, call.call_id, speaker, 0.0, "bench")
    await asyncio.gather(
        *(
            stream_side(port, taps[s], a, args.pre_speed, args.realtime_tail)
            for s, a in ((Speaker.CALLER, call.caller), (Speaker.AGENT, call.agent))
        )
    )
    hangup = time.monotonic()
    job = TranscriptionJob(call.call_id, str(paths[Speaker.CALLER]), str(paths[Speaker.AGENT]))
    await service.process(job)
    return time.monotonic() - hangup


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=6)
    parser.add_argument("--concurrent", type=int, default=2, help="calls going on at once")
    parser.add_argument("--seconds", type=float, default=180.0, help="length of each call")
    parser.add_argument("--pre-speed", type=float, default=3.0, help="pace of all but the real-time tail")
    parser.add_argument("--realtime-tail", type=float, default=30.0, help="seconds sent at real time")
    parser.add_argument("--baseline", type=int, default=3, help="calls also decoded whole after hangup")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()

    settings = replace(Settings(), asr_engine="whisper")
    print(f"loading Whisper twice (live worker, after-call worker); corpus {CORPUS}", flush=True)
    engine = live_engine_from_config(settings)
    after_call = transcriber_from_config(settings)
    clips = utterances()
    calls = [compose(clips, args.seconds, seed) for seed in range(1, args.calls + 1)]

    redis = Redis.from_url(args.redis)
    prefix = f"cc:bench:live:{uuid.uuid4().hex[:8]}"
    live = RedisLiveTranscripts(redis, prefix=prefix)
    live_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="live")
    server = LiveTranscriptionServer(engine, live, live_pool, ServerOptions(max_streams=2 * args.concurrent))
    await server.start("127.0.0.1", 0)
    job_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asr")
    with tempfile.TemporaryDirectory(prefix="hangup-to-draft-") as tmp:
        files = Path(tmp)
        url = f"sqlite+aiosqlite:///{files / 'bench.db'}"
        await upgrade(url)
        db = create_engine(url)
        calls_repo = SqlCallRepository(db)
        now = datetime.now(UTC)
        for call in calls:
            record = RecordingFiles(
                str(files / f"{call.call_id}-caller.wav"), str(files / f"{call.call_id}-agent.wav"), ""
            )
            await calls_repo.save(
                CallRecord(
                    call.call_id, "13800138000", "PJSIP/pstn-1", now, phase=CallPhase.ENDED,
                    outcome=CallOutcome.ANSWERED, recording=record, recording_complete=True,
                )
            )  # fmt: skip

        async def run(job: TranscriptionJob) -> Transcript:
            sides = await live_parts(live, job.call_id, 3.0)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                job_pool, transcribe_call, after_call, job.caller_path, job.agent_path, sides
            )

        service = CallTranscription(calls_repo, SqlTranscriptionStore(db), run, SystemClock())
        read_model = SqlReadModel(db)
        results: list[tuple[Call, float, float]] = []
        print(
            f"{len(calls)} calls of {args.seconds:.0f} s, {args.concurrent} at a time; pre-hangup pace "
            f"{args.pre_speed}x, last {args.realtime_tail:.0f} s real time",
            flush=True,
        )
        for start in range(0, len(calls), args.concurrent):
            batch = calls[start : start + args.concurrent]
            done = await asyncio.gather(
                *(one_call(c, args, server.port, live, service, files) for c in batch)
            )
            for call, took in zip(batch, done, strict=True):
                detail = await read_model.call(call.call_id)
                text = (detail or {}).get("ticket", {}).get("request_text", "")
                results.append((call, took, cer(call.caller_text, text)))
                print(
                    f"  {call.call_id}: hangup {call.hangup_after_speech_s:.1f} s after the last words → "
                    f"draft in {took:.2f} s, citizen CER {results[-1][2]:.1%}",
                    flush=True,
                )
        print(f"live server counters: {server.counters}")

        whole: list[tuple[float, float]] = []
        for call in calls[: args.baseline]:
            began = time.monotonic()
            transcript = await asyncio.get_running_loop().run_in_executor(
                job_pool,
                transcribe_call,
                after_call,
                str(files / f"{call.call_id}-caller.wav"),
                str(files / f"{call.call_id}-agent.wav"),
                None,
            )
            whole.append(
                (time.monotonic() - began, cer(call.caller_text, transcript.text_of(Speaker.CALLER)))
            )
        await server.close()
        await db.dispose()
    await redis.aclose()

    latencies = [t for _, t, _ in results]
    print()
    print(f"hangup → draft stored, with the live worker ({len(latencies)} calls of {args.seconds:.0f} s):")
    print(
        f"  p50 {statistics.median(latencies):.2f} s   p95 {percentile(latencies, 0.95):.2f} s   "
        f"max {max(latencies):.2f} s"
    )
    print(f"  citizen CER of the drafts: mean {statistics.mean(c for _, _, c in results):.1%}")
    if whole:
        print(f"the same calls decoded whole after hangup (no live worker, {len(whole)} calls):")
        times = [t for t, _ in whole]
        print(
            f"  p50 {statistics.median(times):.2f} s   max {max(times):.2f} s   "
            f"citizen CER mean {statistics.mean(c for _, c in whole):.1%}"
        )
    print("(2-core machine; other work on it at the same time shows in these figures)")


if __name__ == "__main__":
    asyncio.run(main())
