"""Re-transcribing stored calls (``python -m callcenter retranscribe``) through a real database (SQLite
and PostgreSQL), real recordings of the shared Mandarin set and Whisper-base: transcripts are replaced,
drafts follow only while untouched, bad audio fails that call alone, an interrupted batch keeps what it
stored."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import soundfile
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.asr.text import to_simplified
from callcenter.adapters.db.repositories import SqlCallRepository, SqlReadModel, SqlTranscriptionStore
from callcenter.adapters.db.retranscription import SqlRetranscriptionStore
from callcenter.adapters.db.tables import tickets, transcripts
from callcenter.asr.model import Segment, Speaker, Transcript
from callcenter.calls.model import CallOutcome, CallPhase, CallRecord, RecordingFiles
from callcenter.commands.retranscribe import day_window, run_batch
from callcenter.config.loading import load
from callcenter.core.clock import FixedClock
from callcenter.core.ids import CallId
from callcenter.ticketing.orders.drafting import draft_from_transcript
from callcenter.wiring.settings_policies import with_local_secret
from callcenter.wiring.telephony import host_path_for
from tests.support.asr import speech_dir

if TYPE_CHECKING:
    from callcenter.adapters.asr.whisper_engine import WhisperTranscriber

T = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]
CLIP = "paddlespeech_zh_8k.wav"  # 我认为跑步最重要的就是给我带来了身体健康 (5 s)
OTHER = "aishell1_BAC009S0724W0123_8k.wav"  # 相比于其他一线城市 (3 s)
OLD_TEXT = "旧的转写文字"


def silent(path: Path) -> Path:
    soundfile.write(path, np.zeros(16000, np.int16), 8000)
    return path


def corrupt(path: Path) -> Path:
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage, not a recording")
    return path


def call_with(call_id: str, caller: Path, agent: Path, at: datetime = T) -> CallRecord:
    return CallRecord(
        CallId(call_id),
        "13800138005",
        "PJSIP/pstn-1",
        at,
        phase=CallPhase.ENDED,
        outcome=CallOutcome.ANSWERED,
        recording=RecordingFiles(str(caller), str(agent), str(caller)),
        recording_complete=True,
        transcription_queued=True,
    )


async def stored_earlier(engine: AsyncEngine, call: CallRecord) -> None:
    """The call as the ASR worker left it: an old transcript and its untouched draft."""
    await SqlCallRepository(engine).save(call)
    old = Transcript("vosk", "zh", 5.0, (Segment(Speaker.CALLER, 0.0, 2.0, OLD_TEXT),))
    await SqlTranscriptionStore(engine).store(call.call_id, old, None, draft_from_transcript(call, old, T), T)


async def detail(engine: AsyncEngine, call_id: str) -> dict:  # type: ignore[type-arg]
    found = await SqlReadModel(engine).call(call_id)
    assert found is not None
    return found


async def test_new_transcripts_replace_old_ones_and_only_untouched_drafts_follow(
    engine: AsyncEngine, tmp_path: Path, whisper_transcriber: WhisperTranscriber
) -> None:
    phone = speech_dir() / "8k"
    agent = silent(tmp_path / "agent.wav")
    draft_call = call_with("1.1", phone / CLIP, agent)
    registered_call = call_with("1.2", phone / OTHER, agent)
    for call in (draft_call, registered_call):
        await stored_earlier(engine, call)
    async with engine.begin() as conn:  # an agent registered the second order (受理): version moves on
        await conn.execute(
            update(tickets).where(tickets.c.call_id == "1.2").values(status="registered", version=2)
        )

    store = SqlRetranscriptionStore(engine)
    found = await store.recorded_calls()
    summary = await run_batch(store, whisper_transcriber, found, str, progress=False, clock=FixedClock(LATER))

    assert (summary.done, summary.calls, summary.failures) == (2, 2, [])
    assert summary.transcripts["replaced"] == 2 and summary.drafts == {"updated": 1, "kept": 1}
    assert 4.0 < summary.audio_seconds < 10.0
    first, second = await detail(engine, "1.1"), await detail(engine, "1.2")
    for d in (first, second):
        assert d["transcript"]["engine"] == "whisper" and d["transcript"]["status"] == "ok"
        assert d["transcript"]["created_at"] == LATER
    text = to_simplified("".join(s["text"] for s in first["transcript"]["segments"]))
    assert "跑步" in text and "健康" in text
    assert first["ticket"]["request_text"] == text and first["ticket"]["updated_at"] == LATER
    assert first["ticket"]["version"] == 1  # still an untouched draft for the agent
    assert second["ticket"]["request_text"] == OLD_TEXT and second["ticket"]["status"] == "registered"
    assert "相比于" in "".join(s["text"] for s in second["transcript"]["segments"])


async def test_bad_audio_fails_that_call_alone_and_never_replaces_a_good_transcript(
    engine: AsyncEngine, tmp_path: Path, whisper_transcriber: WhisperTranscriber
) -> None:
    agent = silent(tmp_path / "agent.wav")
    damaged_later = call_with("2.1", corrupt(tmp_path / "a.wav"), agent)  # had a good transcript
    never_done = call_with("2.2", corrupt(tmp_path / "b.wav"), agent)  # its job was lost
    one_file = speech_dir() / "8k" / OTHER  # a call recorded as one file: no agent path
    good = replace(
        call_with("2.3", one_file, agent), recording=RecordingFiles(str(one_file), "", str(one_file))
    )
    await stored_earlier(engine, damaged_later)
    await SqlCallRepository(engine).save_many([never_done, good])

    store = SqlRetranscriptionStore(engine)
    summary = await run_batch(
        store, whisper_transcriber, await store.recorded_calls(), str, progress=False, clock=FixedClock(LATER)
    )

    assert summary.done == 3 and [c for c, _ in summary.failures] == ["2.1", "2.2"]
    assert "kept" in summary.failures[0][1]
    kept, failed, fine = [await detail(engine, c) for c in ("2.1", "2.2", "2.3")]
    assert kept["transcript"]["status"] == "ok" and kept["ticket"]["request_text"] == OLD_TEXT
    assert failed["transcript"]["status"] == "failed" and failed["transcript"]["error_code"] == "unreadable"
    assert failed["ticket"]["failure_reason"] == "unreadable" and failed["ticket"]["status"] == "draft"
    assert fine["transcript"]["status"] == "ok" and fine["ticket"]["request_text"]


async def test_calls_are_chosen_by_id_and_by_shanghai_calendar_day(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    audio = silent(tmp_path / "x.wav")
    calls = SqlCallRepository(engine)
    late_evening = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)  # 23:30 on the 23rd in Shanghai
    next_morning = datetime(2026, 11, 23, 16, 30, tzinfo=UTC)  # 00:30 on the 24th in Shanghai
    await calls.save_many(
        [call_with("3.1", audio, audio, late_evening), call_with("3.2", audio, audio, next_morning)]
    )
    await calls.save(CallRecord(CallId("3.3"), "1", "PJSIP/x", T, phase=CallPhase.ENDED))  # no recording
    store = SqlRetranscriptionStore(engine)

    assert [c.call_id for c in await store.recorded_calls()] == ["3.1", "3.2"]
    assert [c.call_id for c in await store.recorded_calls(["3.2", "3.3"])] == ["3.2"]
    day = day_window(date(2026, 11, 24), date(2026, 11, 24))
    assert [c.call_id for c in await store.recorded_calls((), *day)] == ["3.2"]
    day = day_window(None, date(2026, 11, 23))
    assert [c.call_id for c in await store.recorded_calls((), *day)] == ["3.1"]


async def test_a_cancelled_batch_keeps_the_calls_it_stored(
    engine: AsyncEngine, tmp_path: Path, whisper_transcriber: WhisperTranscriber
) -> None:
    phone, agent = speech_dir() / "8k", silent(tmp_path / "agent.wav")
    first, second = call_with("4.1", phone / OTHER, agent), call_with("4.2", phone / CLIP, agent, LATER)
    for call in (first, second):
        await stored_earlier(engine, call)
    store = SqlRetranscriptionStore(engine)
    batch = asyncio.create_task(
        run_batch(store, whisper_transcriber, await store.recorded_calls(), str, progress=False)
    )
    while await _engine_of(engine, "4.1") != "whisper":  # noqa: ASYNC110 (polls the database)
        await asyncio.sleep(0.02)  # Ctrl-C arrives while the second call is decoded
    batch.cancel()
    summary = await batch

    assert summary.interrupted and summary.done == 1
    assert (await detail(engine, "4.1"))["ticket"]["request_text"] != OLD_TEXT
    assert (await detail(engine, "4.2"))["transcript"]["engine"] == "vosk"  # untouched, not half-written


async def _engine_of(engine: AsyncEngine, call_id: str) -> str:
    async with engine.connect() as conn:
        row = (
            await conn.execute(select(transcripts.c.engine).where(transcripts.c.call_id == call_id))
        ).first()
    return row.engine if row else ""


async def test_command_line_dry_run_lists_calls_and_changes_nothing(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    env = os.environ | {"DATABASE_URL": database_url, "PYTHONPATH": str(REPO)}
    as_asterisk_sees_it = f"/tmp/retranscribe-test-{os.getpid()}-{tmp_path.name}/caller.wav"
    settings = with_local_secret(load(env=env, data_dir=tmp_path / "var"))  # as the command loads them
    on_this_host = Path(host_path_for(settings)(as_asterisk_sees_it))  # the sid chroot, where used
    on_this_host.parent.mkdir(parents=True, exist_ok=True)
    try:
        shutil.copyfile(speech_dir() / "8k" / CLIP, on_this_host)
        call = replace(
            call_with("5.1", on_this_host, on_this_host),
            recording=RecordingFiles(as_asterisk_sees_it, as_asterisk_sees_it, as_asterisk_sees_it),
        )
        await stored_earlier(engine, call)
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "callcenter", "retranscribe", "--dry-run", "--since", "2026-11-24"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
    finally:
        shutil.rmtree(on_this_host.parent)
    assert done.returncode == 0, done.stderr
    assert "5.1\t2026-11-24 11:00\t5.0 s" in done.stdout and "1 calls" in done.stdout
    assert (await detail(engine, "5.1"))["ticket"]["request_text"] == OLD_TEXT

    unknown = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "callcenter", "retranscribe", "--call", "404.1"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert unknown.returncode == 1 and "no stored recording for call 404.1" in unknown.stderr
