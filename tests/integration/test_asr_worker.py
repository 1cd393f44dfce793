"""The ASR worker as a real process with a real model: a worker killed mid-job loses nothing, and
the job is not done twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile
from redis.asyncio import Redis
from sqlalchemy import func, select

from callcenter.adapters.asr.cer import cer
from callcenter.adapters.db.engine import create_engine, upgrade
from callcenter.adapters.db.repositories import SqlCallRepository, SqlReadModel
from callcenter.adapters.db.tables import tickets, transcripts
from callcenter.adapters.redis.jobs import RedisTranscriptionQueue
from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.asr.live import LiveEvent, LiveKind
from callcenter.asr.model import Speaker
from callcenter.calls.model import CallPhase, CallRecord, RecordingFiles
from callcenter.calls.ports import TranscriptionJob
from callcenter.config.loading import load
from callcenter.config.settings import Settings
from callcenter.core.ids import CallId
from callcenter.wiring.workers import settings_env
from tests.support.asr import read_corpus, speech_dir

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def long_call(tmp_path: Path) -> tuple[Path, Path, str]:
    """A ~50 s caller side (8 utterances back to back), a silent agent side, and the reference text."""
    utterances = read_corpus(speech_dir() / "8k")[:8]
    clips = [soundfile.read(u.path, dtype="float32")[0] for u in utterances]
    caller = np.concatenate([np.concatenate([c, np.zeros(2400, np.float32)]) for c in clips])
    caller_path, agent_path = tmp_path / "caller.wav", tmp_path / "agent.wav"
    soundfile.write(caller_path, caller, 8000, subtype="PCM_16")
    soundfile.write(agent_path, np.zeros_like(caller), 8000, subtype="PCM_16")
    return caller_path, agent_path, "".join(u.text for u in utterances)


class Workers:
    def __init__(self, settings: Settings) -> None:
        self._env = {**os.environ, **settings_env(settings), "PYTHONPATH": str(REPO)}
        self.procs: list[subprocess.Popen[bytes]] = []

    def spawn(self, name: str) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "callcenter", "asr-worker", "--consumer", name], env=self._env, cwd=REPO
        )
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    settings = load(
        None,
        {},
        data_dir=str(tmp_path / "var"),
        asr_engine="whisper",
        asr_claim_after_s=3,
        jobs_stream=f"cc:test:jobs:{uuid.uuid4().hex[:10]}",
        ami_secret="unused-here",
    )
    pool = Workers(settings)
    pool.settings = settings  # type: ignore[attr-defined]
    yield pool
    pool.stop_all()


async def wait_until(predicate, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds * 10)):
        if await predicate():
            return
        await asyncio.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


async def test_a_worker_killed_mid_job_loses_nothing(workers: Workers, tmp_path: Path, redis: Redis) -> None:
    settings: Settings = workers.settings  # type: ignore[attr-defined]
    url = settings.effective_database_url
    await upgrade(url)
    engine = create_engine(url)
    caller_path, agent_path, reference = long_call(tmp_path)
    call_id = CallId("1764.99")
    await SqlCallRepository(engine).save(
        CallRecord(
            call_id,
            "13800138099",
            "PJSIP/pstn-9",
            datetime.now(UTC),
            phase=CallPhase.ENDED,
            recording=RecordingFiles(str(caller_path), str(agent_path), str(caller_path)),
            recording_complete=True,
            transcription_queued=True,
        )
    )
    queue = RedisTranscriptionQueue(redis, stream=settings.jobs_stream)
    await queue.ensure_group()
    await queue.enqueue(TranscriptionJob(call_id, str(caller_path), str(agent_path)))
    read = SqlReadModel(engine)

    doomed = workers.spawn("doomed")
    await wait_until(lambda: _pending(queue, 1), 60, "the first worker to take the job")
    await asyncio.sleep(1.5)  # well inside a ~10 s transcription
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(10)
    assert (await read.call(call_id))["transcript"] is None  # type: ignore[index]
    assert await queue.pending_count() == 1  # still there, held by a dead consumer

    workers.spawn("survivor")
    await wait_until(lambda: _has_ticket(read, call_id), 120, "the survivor to store the draft")
    detail = await read.call(call_id)
    assert detail is not None and detail["transcript"]["status"] == "ok"
    assert cer(reference, detail["ticket"]["request_text"]) < 0.35  # the real transcript, not a stub
    await wait_until(lambda: _pending(queue, 0), 10, "the job to be acknowledged")
    assert await queue.backlog() == 0
    async with engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(transcripts))).scalar() == 1
        assert (await conn.execute(select(func.count()).select_from(tickets))).scalar() == 1
    await engine.dispose()
    await redis.delete(settings.jobs_stream)


async def _pending(queue: RedisTranscriptionQueue, count: int) -> bool:
    return await queue.pending_count() == count


async def _has_ticket(read: SqlReadModel, call_id: str) -> bool:
    detail = await read.call(call_id)
    return bool(detail and detail["ticket"])


async def test_a_stored_transcript_takes_the_call_s_live_words_out_of_redis(
    workers: Workers, tmp_path: Path, redis: Redis
) -> None:
    """Once the after-call job has stored the call's transcript (here: its failure, the recording being
    gone), the live worker's segments of that call are deleted from Redis at once (issue 11)."""
    settings: Settings = workers.settings  # type: ignore[attr-defined]
    await upgrade(settings.effective_database_url)
    engine = create_engine(settings.effective_database_url)
    call_id = CallId(f"1764.{uuid.uuid4().int % 10**6}")
    gone = tmp_path / "gone.wav"
    recording = RecordingFiles(str(gone), str(gone), str(gone))
    await SqlCallRepository(engine).save(
        CallRecord(
            call_id,
            "13800138098",
            "PJSIP/pstn-8",
            datetime.now(UTC),
            phase=CallPhase.ENDED,
            recording=recording,
            recording_complete=True,
            transcription_queued=True,
        )
    )
    live = RedisLiveTranscripts(redis)  # the default prefix, as the worker uses it
    await live.publish(LiveEvent(call_id, Speaker.CALLER, LiveKind.FINAL, 1, "我家停电了", 1.0, 3.0))
    await live.set_covered(call_id, Speaker.CALLER, 3.3)
    for speaker in Speaker:
        await live.mark_ended(call_id, speaker)
    queue = RedisTranscriptionQueue(redis, stream=settings.jobs_stream)
    await queue.ensure_group()
    await queue.enqueue(TranscriptionJob(call_id, str(gone), str(gone)))

    workers.spawn("tidy")
    read = SqlReadModel(engine)
    await wait_until(lambda: _has_ticket(read, call_id), 120, "the failed transcript's draft")
    await wait_until(lambda: _gone(redis, live.call_keys(call_id)), 10, "the live words to be deleted")
    detail = await read.call(call_id)
    assert detail is not None and detail["transcript"]["error_code"] == "not_found"
    await engine.dispose()
    await redis.delete(settings.jobs_stream)


async def _gone(redis: Redis, keys: list[str]) -> bool:
    return await redis.exists(*keys) == 0
