"""Bad recordings through the real transcription service, database and model: each gives a draft work
order flagged with the reason, and the call record is untouched."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
import soundfile
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.asr.calls import transcribe_call
from callcenter.adapters.asr.whisper_engine import WhisperTranscriber
from callcenter.adapters.db.repositories import SqlCallRepository, SqlReadModel, SqlTranscriptionStore
from callcenter.asr.model import Transcript
from callcenter.calls.model import CallOutcome, CallPhase, CallRecord, RecordingFiles
from callcenter.calls.ports import TranscriptionJob
from callcenter.core.clock import FixedClock
from callcenter.core.ids import CallId
from callcenter.ticketing.orders.intake import CallTranscription, JobOutcome
from tests.support.asr import read_corpus, speech_dir

T = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def not_audio(path: Path) -> None:
    path.write_text("<html>this is not a recording</html>")


def empty(path: Path) -> None:
    path.write_bytes(b"")


def truncated(path: Path) -> None:
    soundfile.write(path, np.zeros(8000, np.int16), 8000)
    path.write_bytes(path.read_bytes()[:30])  # header cut in the middle


def silent(path: Path) -> None:
    soundfile.write(path, np.zeros(16000, np.int16), 8000)


def too_low_a_rate(path: Path) -> None:
    soundfile.write(path, np.random.default_rng(1).normal(0, 0.1, 8000).astype(np.float32), 4000)


def noise(path: Path) -> None:
    """Line noise and no voice: 6 s of white noise at about -20 dBFS."""
    soundfile.write(path, np.random.default_rng(2).normal(0, 0.1, 48000).astype(np.float32), 8000)


def clipped(path: Path) -> None:
    """Real speech at 20 times the level, cut off at full scale (a hot microphone, a bad gateway)."""
    speech, rate = soundfile.read(mandarin_clip(), dtype="float32")
    soundfile.write(path, np.clip(speech * 20, -1, 1), rate)


def mandarin_clip() -> Path:
    return read_corpus(speech_dir() / "8k")[0].path


@dataclass(frozen=True, slots=True)
class Scene:
    """An ended, answered call whose caller side ``make`` wrote (the agent side silent), stored, and the
    transcription service that runs the real Whisper model on it."""

    call: CallRecord
    job: TranscriptionJob
    calls: SqlCallRepository
    service: CallTranscription


async def scene(
    make: Callable[[Path], None], engine: AsyncEngine, tmp_path: Path, transcriber: WhisperTranscriber
) -> Scene:
    caller, agent = tmp_path / "caller.wav", tmp_path / "agent.wav"
    make(caller)
    silent(agent)
    call = CallRecord(
        CallId("1764.5"),
        "13800138005",
        "PJSIP/pstn-5",
        T,
        phase=CallPhase.ENDED,
        outcome=CallOutcome.ANSWERED,
        recording=RecordingFiles(str(caller), str(agent), str(caller)),
        recording_complete=True,
    )
    calls = SqlCallRepository(engine)
    await calls.save(call)

    async def run(job: TranscriptionJob) -> Transcript:
        return await asyncio.to_thread(transcribe_call, transcriber, job.caller_path, job.agent_path)

    service = CallTranscription(calls, SqlTranscriptionStore(engine), run, FixedClock(T))
    return Scene(call, TranscriptionJob(call.call_id, str(caller), str(agent)), calls, service)


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (not_audio, "unreadable"),
        (empty, "empty"),
        (truncated, "unreadable"),
        (silent, "silent"),
        (too_low_a_rate, "unsupported_rate"),
    ],
)
async def test_bad_recording_gives_a_flagged_draft_and_keeps_the_call(
    make: Callable[[Path], None],
    reason: str,
    engine: AsyncEngine,
    tmp_path: Path,
    whisper_transcriber: WhisperTranscriber,
) -> None:
    bad = await scene(make, engine, tmp_path, whisper_transcriber)
    assert await bad.service.process(bad.job) is JobOutcome.AUDIO_FAILED
    assert await bad.service.process(bad.job) is JobOutcome.DUPLICATE  # redelivery changes nothing

    detail = await SqlReadModel(engine).call(bad.call.call_id)
    assert detail is not None
    assert detail["ticket"]["failure_reason"] == reason and detail["ticket"]["caller_number"] == "13800138005"
    assert detail["transcript"]["status"] == "failed" and detail["transcript"]["error_code"] == reason
    assert await bad.calls.get(bad.call.call_id) == bad.call  # the call record is untouched


@pytest.mark.parametrize(
    ("make", "reason", "has_text"), [(noise, "no_caller_speech", False), (clipped, "clipped", True)]
)
async def test_damaged_audio_is_transcribed_and_the_draft_says_what_is_wrong(
    make: Callable[[Path], None],
    reason: str,
    has_text: bool,
    engine: AsyncEngine,
    tmp_path: Path,
    whisper_transcriber: WhisperTranscriber,
) -> None:
    damaged = await scene(make, engine, tmp_path, whisper_transcriber)
    assert await damaged.service.process(damaged.job) is JobOutcome.STORED

    detail = await SqlReadModel(engine).call(damaged.call.call_id)
    assert detail is not None and detail["transcript"]["status"] == "ok", detail
    assert detail["ticket"]["failure_reason"] == reason
    assert bool(detail["ticket"]["request_text"]) is has_text, detail["ticket"]
