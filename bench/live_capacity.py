"""How many live streams one live worker carries on this machine (issue 6: p95 lag ≤ 3 s).

Run from the repository root:  python bench/live_capacity.py [--engine whisper|vosk|both]
    [--streams 1,2,3,4,6] [--seconds 40]

Each stream is one call side as Asterisk's AudioSocket channel sends it: 20 ms frames of 8 kHz slin paced
at real time, to the real live worker server (callcenter/adapters/audiosocket/server.py) and the real
Redis. Whisper streams are the shared Mandarin phone utterances (../shared/speech/zh/8k) in a shuffled
order with 0.8–2.5 s pauses; Vosk streams are espeak-ng Korean sentences through the G.711 channel (the
Korean model is the only Vosk model here). For every FINAL the lag is the wall time it reached Redis
minus the wall time its last word was spoken (stream start + the event's end); printed per N: p50/p95/max
lag, finals, refused/overflowed streams and this process's CPU (the server, the clients and the engine
all run here). Also printed: what the soxr 8 → 16 kHz streaming resampler costs per stream.
Figures are measured on a shared 2-core machine with other work running: read them as such.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the repository root

from redis.asyncio import Redis

from callcenter.adapters.asr.audio import load_mono, pcm16, telephone_round_trip
from callcenter.adapters.audiosocket.server import LiveTranscriptionServer, ServerOptions
from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.asr.live import LiveKind, event_from_json
from callcenter.asr.model import Audio, Speaker
from callcenter.asr.ports import LiveEngine
from callcenter.core.ids import CallId
from tests.support.audiosocket import AudioSocketClient

RATE = 8000
HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parents[1]
SPEECH = REPO.parent / "shared" / "speech" / "zh" / "8k"
KOREAN = (
    "안녕하세요 민원 상담 센터입니다",
    "무엇을 도와드릴까요",
    "전화번호를 말씀해 주세요",
    "도로에 물이 새고 있어요",
)
TARGET_P95_S = 3.0
Samples = npt.NDArray[np.float32]


@dataclass
class Run:
    lags: list[float] = field(default_factory=list)
    started: dict[str, float] = field(default_factory=dict)  # call id → wall time of its first frame


def mandarin_pieces() -> list[Samples]:
    return [load_mono(p, rate=RATE).samples for p in sorted(SPEECH.glob("*.wav"))]


def korean_pieces() -> list[Samples]:
    import soundfile

    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SystemExit("espeak-ng is not installed (Debian package espeak-ng)")
    pieces = []
    for text in KOREAN:
        wav = subprocess.run([espeak, "-v", "ko", "--stdout", text], check=True, capture_output=True).stdout
        samples, rate = soundfile.read(io.BytesIO(wav), dtype="float32")
        pieces.append(telephone_round_trip(Audio(samples, int(rate))).samples)
    return pieces


def call_side(pieces: list[Samples], seconds: float, rng: random.Random) -> bytes:
    parts, total = [], 0.0
    while total < seconds:
        piece = pieces[rng.randrange(len(pieces))]
        pause = np.zeros(round(rng.uniform(0.8, 2.5) * RATE), np.float32)
        parts += [piece, pause]
        total += (len(piece) + len(pause)) / RATE
    return pcm16(np.concatenate(parts)).astype("<i2").tobytes()


async def listen(redis: Redis, prefix: str, run: Run, ready: asyncio.Event) -> None:
    pubsub = redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.psubscribe(f"{prefix}:call:*")
    ready.set()
    try:
        async for message in pubsub.listen():
            if message.get("type") != "pmessage":
                continue
            event = event_from_json(message["data"])
            if event.kind is LiveKind.FINAL and event.call_id in run.started:
                run.lags.append(time.time() - (run.started[event.call_id] + event.end))
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]


async def one_stream(port: int, store: RedisLiveTranscripts, pcm: bytes, run: Run) -> None:
    stream, call_id = str(uuid.uuid4()), CallId(uuid.uuid4().hex[:12])
    await store.register_tap(stream, call_id, Speaker.CALLER, 0.0, "bench")
    client = await AudioSocketClient.connect(HOST, port, stream)
    run.started[call_id] = time.time()
    await client.stream(pcm, realtime=True)
    await client.hangup()
    for _ in range(600):  # the last final may still be decoding
        if Speaker.CALLER in await store.ended(call_id):
            return
        await asyncio.sleep(0.1)


async def measure(
    engine: LiveEngine, pieces: list[Samples], streams: int, seconds: float
) -> dict[str, float]:
    redis = Redis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
    prefix = f"cc:bench:live:{uuid.uuid4().hex[:8]}"
    store = RedisLiveTranscripts(redis, prefix=prefix)
    executor = ThreadPoolExecutor(max_workers=streams)
    server = LiveTranscriptionServer(engine, store, executor, ServerOptions(max_streams=streams))
    await server.start(HOST, 0)
    rng = random.Random(streams)
    sides = [call_side(pieces, seconds, rng) for _ in range(streams)]
    run, ready = Run(), asyncio.Event()
    listener = asyncio.create_task(listen(redis, prefix, run, ready))
    await ready.wait()
    cpu, wall = time.process_time(), time.monotonic()
    await asyncio.gather(*(one_stream(server.port, store, side, run) for side in sides))
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    listener.cancel()
    await server.close()
    executor.shutdown()
    keys = [k async for k in redis.scan_iter(f"{prefix}:*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()
    lags = sorted(run.lags) or [float("nan")]
    return {
        "finals": len(run.lags),
        "p50": statistics.median(lags),
        "p95": lags[min(len(lags) - 1, int(0.95 * len(lags)))],
        "max": lags[-1],
        "cpu": cpu / wall,
        "overflowed": server.counters.overflowed,
        "refused": server.counters.refused,
    }


def resampling_cost(seconds: float = 60.0) -> None:
    import soxr

    audio = np.random.default_rng(3).standard_normal(round(seconds * RATE)).astype(np.float32) * 0.1
    for chunk_s in (0.02, 0.2):
        chunk = round(chunk_s * RATE)
        stream = soxr.ResampleStream(RATE, 16000, 1, dtype="float32", quality="HQ")
        start = time.process_time()
        for at in range(0, len(audio), chunk):
            stream.resample_chunk(audio[at : at + chunk])
        cost = (time.process_time() - start) * 1000 / seconds
        print(
            f"soxr HQ 8→16 kHz streaming, {chunk_s * 1000:.0f} ms chunks: {cost:.2f} CPU ms per audio second"
        )


def threads_check(engine: LiveEngine, pieces: list[Samples], name: str) -> None:
    """The same audio recognized unpaced by 1 and by 2 threads: CPU/wall above 1 means the engine ran in
    parallel threads (it releases the GIL), so a thread pool is enough and no process pool is needed."""
    audio = np.concatenate([p for piece in pieces[:4] for p in (piece, np.zeros(RATE, np.float32))])

    def recognize(_: int) -> None:
        stream = engine.open_stream(Speaker.CALLER)
        for at in range(0, len(audio), RATE // 5):
            stream.accept(Audio(audio[at : at + RATE // 5], RATE))
        stream.finish()

    for threads in (1, 2):
        cpu, wall = time.process_time(), time.monotonic()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(recognize, range(threads)))
        cpu, wall = time.process_time() - cpu, time.monotonic() - wall
        audio_s = threads * len(audio) / RATE
        print(
            f"{name}: {threads} thread(s), {audio_s:.0f} s of audio unpaced: {wall:.1f} s wall, "
            f"CPU/wall {cpu / wall:.2f}, {cpu / audio_s * 1000:.0f} CPU ms per audio second"
        )


def engine_for(name: str) -> LiveEngine:
    if name == "vosk":
        from callcenter.adapters.asr.live_vosk import VoskLiveEngine
        from callcenter.adapters.asr.models import korean_vosk_model

        return VoskLiveEngine(korean_vosk_model(), language="ko")
    from callcenter.adapters.asr.live_factory import live_engine_from_config
    from callcenter.config.loading import load

    return live_engine_from_config(load(None, {}, asr_engine="whisper"))


async def bench(name: str, counts: list[int], seconds: float) -> None:
    engine = engine_for(name)
    pieces = korean_pieces() if name == "vosk" else mandarin_pieces()
    print()
    threads_check(engine, pieces, name)
    print(f"{name}: {seconds:.0f} s per stream, paced at real time (shared 2-core machine, under load)")
    print(" N  finals  p50 lag  p95 lag  max lag  CPU (cores)  overflowed")
    best = 0
    for n in counts:
        r = await measure(engine, pieces, n, seconds)
        print(
            f"{n:2d}  {r['finals']:6.0f}  {r['p50']:6.2f} s  {r['p95']:6.2f} s  {r['max']:6.2f} s"
            f"  {r['cpu']:10.2f}  {r['overflowed']:10.0f}"
        )
        if r["p95"] <= TARGET_P95_S and not r["overflowed"]:
            best = n
    print(f"{name}: largest N with p95 lag ≤ {TARGET_P95_S:.0f} s here: {best}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=("whisper", "vosk", "both"), default="both")
    parser.add_argument("--streams", default="1,2,3,4,6")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--threads-only", action="store_true", help="only the 1-vs-2-thread check")
    args = parser.parse_args()
    counts = [int(n) for n in args.streams.split(",")]
    resampling_cost()
    for name in ("whisper", "vosk") if args.engine == "both" else (args.engine,):
        if args.threads_only:
            threads_check(engine_for(name), korean_pieces() if name == "vosk" else mandarin_pieces(), name)
        else:
            asyncio.run(bench(name, counts, args.seconds))


if __name__ == "__main__":
    main()
