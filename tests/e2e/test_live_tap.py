"""Live taps against the real Asterisk 22: when an agent answers, each party's own voice is streamed
over AudioSocket to the live worker (here a stand-in receiver, tests/support/audiosocket_receiver.py).

Asterisk, the AMI bridge, the floor pipeline and Redis are real; the caller is sipp playing a WAV, the
agent a pyVoIP phone that sends silence, so the caller's stream must carry speech and the agent's not.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
import soundfile

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.adapters.asterisk.phones import AgentPhone, CallerScript, SippCaller
from callcenter.adapters.asterisk.phones.ports import free_port_block
from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.asr.live import Tap
from callcenter.asr.model import Speaker
from callcenter.queue.service_level import figures_of
from tests.support.asr import read_corpus, speech_dir
from tests.support.audiosocket_receiver import RATE, AudioSocketReceiver, Stream
from tests.support.hotline import RunningHotline

pytestmark = [pytest.mark.asterisk, pytest.mark.slow, pytest.mark.usefixtures("redis_streams_cleanup")]

StartHotline = Callable[..., Awaitable[RunningHotline]]
AgentPhones = Callable[..., AgentPhone]
Callers = Callable[[CallerScript], SippCaller]

CITIZEN_CLIPS = ("aishell1_BAC009S0724W0121", "aishell1_BAC009S0724W0122")
FRAME_BYTES = 320  # 20 ms of 16-bit 8 kHz mono
SPEECH_RMS = 300.0  # the citizen's clips: 600-1100 RMS per second of speech
SILENCE_RMS = 30.0  # the agent phone sends digital silence; G.711 round trips leave a few units at most
# Where the caller's speech starts in the recording vs. in the stream shifted by the tap's offset:
# measured 0.000-0.02 s on one host (docs/ivr-and-queues.md, "Asterisk side (tap)"). Bound with margin:
OFFSET_ERROR_BOUND_S = 0.25


@pytest.fixture
async def receiver() -> AsyncIterator[AudioSocketReceiver]:
    listening = AudioSocketReceiver(free_port_block(1))
    await listening.start()
    yield listening
    await listening.close()


def citizen_audio(tmp_path: Path, lead_s: float) -> tuple[Path, float]:
    """``lead_s`` of silence (covering greeting, queue and answer: sipp then sends RTP from the start,
    as a real phone does), the citizen's clips, 1 s of silence. Returns the WAV and the speech length."""
    corpus = {u.path.stem.removesuffix("_8k"): u for u in read_corpus(speech_dir() / "8k")}
    speech = np.concatenate([soundfile.read(corpus[n].path, dtype="float32")[0] for n in CITIZEN_CLIPS])
    silence = np.zeros(int(lead_s * RATE), dtype=np.float32)
    path = tmp_path / "citizen.wav"
    soundfile.write(path, np.concatenate([silence, speech, np.zeros(RATE, np.float32)]), RATE, "PCM_16")
    return path, len(speech) / RATE


async def answered_call(
    running: RunningHotline, agent_phone: AgentPhones, caller: Callers, tmp_path: Path, number: str
) -> dict[str, Any]:
    """``number`` calls and speaks once an idle agent1001 has answered; the agent stays silent and hangs
    up after the citizen's last words. Returns the ended call."""
    greeting = running.asterisk.greeting_seconds()
    audio, speech_s = citizen_audio(tmp_path, lead_s=greeting + 4.0)
    agent_phone("agent1001", hang_up_after_s=4.0 + speech_s + 2.0)
    await running.log_in_agent("agent1001")
    script = CallerScript(caller_number=number, audio=audio, speak_after_s=0.0, tail_s=30.0)
    result = await asyncio.to_thread(caller(script).run, 120)
    assert result.completed and result.answered, result.log
    ended: dict[str, Any] = await running.wait_for(
        lambda: _ended_call(running, number), 20, f"call from {number} ended"
    )
    return ended


async def _ended_call(running: RunningHotline, number: str) -> dict[str, Any] | None:
    call = await running.call_by_number(number)
    return call if call and call["phase"] == "ended" and call["recording_complete"] else None


def rms(samples: npt.NDArray[np.float32]) -> float:
    return float(np.sqrt(np.mean(samples**2))) if len(samples) else 0.0


def speech_onset(samples: npt.NDArray[np.float32]) -> float:
    """Seconds to the first 10 ms whose level is clearly speech."""
    level = np.convolve(np.abs(samples), np.ones(80) / 80, mode="same")
    above = np.flatnonzero(level > SPEECH_RMS)
    assert len(above), "no speech found"
    return float(above[0]) / RATE


def caller_recording(asterisk: AsteriskInstance, call_id: str) -> npt.NDArray[np.float32]:
    (path,) = asterisk.recording_dir.glob(f"*/{call_id}_*-caller.wav")
    samples, rate = soundfile.read(path, dtype="int16")
    assert rate == RATE
    return np.asarray(samples, dtype=np.float32)


async def ended_streams(running: RunningHotline, receiver: AudioSocketReceiver, count: int) -> list[Stream]:
    async def ended() -> list[Stream] | None:
        done = [s for s in receiver.streams if s.ended.is_set()]
        return done if len(done) >= count else None

    streams: list[Stream] = await running.wait_for(ended, 20, f"{count} AudioSocket streams ended")
    return streams


async def test_each_party_of_an_answered_call_is_streamed_on_its_own(
    start_hotline: StartHotline,
    agent_phone: AgentPhones,
    caller: Callers,
    receiver: AudioSocketReceiver,
    asterisk: AsteriskInstance,
    tmp_path: Path,
) -> None:
    running = await start_hotline(asr_workers=0, live_asr=1, live_asr_port=receiver.port)
    call = await answered_call(running, agent_phone, caller, tmp_path, "13800138601")
    assert call["outcome"] == "answered" and call["agent"] == "PJSIP/agent1001"

    streams = await ended_streams(running, receiver, 2)
    assert len(receiver.streams) == 2 and all(s.ended_by in ("hangup", "close") for s in streams)
    registry = RedisLiveTranscripts(running.hotline.redis)
    taps: dict[Speaker, tuple[Tap, Stream]] = {}
    for stream in streams:
        tap = await registry.tap(stream.tap_id)  # the UUID Asterisk sent is the one registered
        assert tap is not None, stream.tap_id
        assert tap.call_id == call["call_id"] and tap.server == asterisk.settings.name
        taps[tap.speaker] = (tap, stream)
    assert set(taps) == {Speaker.CALLER, Speaker.AGENT}
    for _, stream in taps.values():
        assert set(stream.frame_sizes) == {FRAME_BYTES} and not stream.other_kinds
    assert running.hotline.live_tap is not None and running.hotline.live_tap.started == 2

    (caller_tap, caller_stream), (_, agent_stream) = taps[Speaker.CALLER], taps[Speaker.AGENT]
    heard, silent = caller_stream.samples(), agent_stream.samples()
    onset = speech_onset(heard)
    speech_level = rms(heard[int(onset * RATE) : int((onset + 2.0) * RATE)])
    print(f"caller stream: speech RMS {speech_level:.0f}; agent stream RMS {rms(silent):.1f}")
    assert speech_level > SPEECH_RMS  # the caller's words are in the caller's stream …
    assert rms(silent) < SILENCE_RMS  # … and not in the agent's (ChanSpy option o)

    recording = caller_recording(asterisk, call["call_id"])
    error = (onset + caller_tap.offset_s) - speech_onset(recording)
    print(
        f"tap offset {caller_tap.offset_s:.3f} s; speech onset in the recording vs. the stream + offset: "
        f"{error * 1000:+.0f} ms (measured under load from other tests)"
    )
    assert abs(error) <= OFFSET_ERROR_BOUND_S
    assert caller_stream.seconds <= len(recording) / RATE  # the stream ended with the call


async def test_no_stream_when_live_transcription_is_off(
    start_hotline: StartHotline,
    agent_phone: AgentPhones,
    caller: Callers,
    receiver: AudioSocketReceiver,
    tmp_path: Path,
) -> None:
    running = await start_hotline(asr_workers=0, live_asr=0, live_asr_port=receiver.port)
    assert running.hotline.live_tap is None
    call = await answered_call(running, agent_phone, caller, tmp_path, "13800138602")
    assert call["outcome"] == "answered"
    await running.hotline.bridge.drained()
    assert receiver.streams == []


async def test_with_the_live_worker_down_the_call_is_answered_recorded_and_counted(
    start_hotline: StartHotline, agent_phone: AgentPhones, caller: Callers, tmp_path: Path
) -> None:
    nobody = free_port_block(1)  # nothing listens here: every AudioSocket Originate fails
    running = await start_hotline(asr_workers=0, live_asr=1, live_asr_port=nobody)
    start = datetime.now(UTC).replace(microsecond=0)
    call = await answered_call(running, agent_phone, caller, tmp_path, "13800138603")
    assert call["outcome"] == "answered" and call["recording_complete"]
    assert 0 < call["answer_delay"] < 15
    live_tap = running.hotline.live_tap
    assert live_tap is not None
    await live_tap.settle()
    assert (live_tap.started, live_tap.failed) == (0, 2)

    recorder = running.hotline.service_level
    mine = [e for e in recorder.tally.entries() if e.entered_at >= start]
    figures = figures_of(mine, recorder.tally.policy, running.hotline.clock.now())
    assert (figures.offered, figures.answered, figures.answered_in_threshold) == (1, 1, 1)
    calls = (await running.get("/api/calls?limit=200"))["items"]
    assert [c["caller_number"] for c in calls].count("13800138603") == 1
    replay = await running.client.get(f"/api/calls/{call['call_id']}/recording.wav")
    assert replay.status == 200
