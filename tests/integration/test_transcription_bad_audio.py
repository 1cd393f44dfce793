"""Bad recordings through the real transcription service, database and model: each gives a draft work
order flagged with the reason, and the call record is untouched."""

from __future__ import annotations

import asyncio
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
from callcenter.asr.service import CallTranscription, JobOutcome
from callcenter.calls.model import CallOutcome, CallPhase, CallRecord, RecordingFiles
from callcenter.calls.ports import TranscriptionJob
from callcenter.core.clock import FixedClock
from callcenter.core.ids import CallId

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


@pytest.mark.parametrize(
    ("make", "reason"),
    [(not_audio, "unreadable"), (empty, "empty"), (truncated, "unreadable"), (silent, "silent")],
)
async def test_bad_recording_gives_a_flagged_draft_and_keeps_the_call(
    make,
    reason: str,
    engine: AsyncEngine,
    tmp_path: Path,
    whisper_transcriber: WhisperTranscriber,  # type: ignore[no-untyped-def]
) -> None:
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
        return await asyncio.to_thread(transcribe_call, whisper_transcriber, job.caller_path, job.agent_path)

    service = CallTranscription(calls, SqlTranscriptionStore(engine), run, FixedClock(T))
    job = TranscriptionJob(call.call_id, str(caller), str(agent))
    assert await service.process(job) is JobOutcome.AUDIO_FAILED
    assert await service.process(job) is JobOutcome.DUPLICATE  # redelivery changes nothing

    detail = await SqlReadModel(engine).call(call.call_id)
    assert detail is not None
    assert detail["ticket"]["failure_reason"] == reason and detail["ticket"]["caller_number"] == "13800138005"
    assert detail["transcript"]["status"] == "failed" and detail["transcript"]["error_code"] == reason
    assert await calls.get(call.call_id) == call  # the call record is untouched
