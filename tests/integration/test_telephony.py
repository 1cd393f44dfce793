"""Real Asterisk, real SIP: citizens dial 12345 through sipp, agents answer on pyVoIP phones.

What these tests pin down for the rest of the system:

* the recording of an answered call is three complete, sample-aligned 8 kHz WAV files, and the caller's side
  holds the caller's voice, the agent's side the agent's voice;
* a caller who hangs up while waiting is reported as ``QueueCallerAbandon`` with an empty recording
  (``HasAudio: no``; the app deletes it);
* the AMI events of both calls, and the ``QueueStatus`` answer, as the bridge's AMI user receives them.

Set ``CALLCENTER_RECORD_AMI=tests/fixtures/ami`` to write those AMI streams as fixtures (see its README).
"""

from __future__ import annotations

import os
import stat
import struct
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pytest
import soundfile

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.adapters.asterisk.account import service_account
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller

if TYPE_CHECKING:  # a pytest plugin (tests/conftest.py): only its types are needed here
    from tests.support.asterisk import AmiSession

AgentPhones = Callable[..., AgentPhone]
Callers = Callable[[CallerScript], SippCaller]
Speech = Callable[[str], Path]
pytestmark = [pytest.mark.asterisk, pytest.mark.slow]

RATE = 8000
VOICED_RMS = 0.01  # -40 dBFS: quieter half-second pieces of a sample are pauses
SAME_VOICE = 0.5  # similarity of a side to the sample played into it (1.0 idle, >= 0.68 with both cores busy)
OTHER_VOICE = 0.35  # similarity to the sample played into the other side (0.15-0.2)
RECORD_AMI = os.environ.get("CALLCENTER_RECORD_AMI")
Samples = npt.NDArray[np.float64]


# --- helpers ------------------------------------------------------------------------------------------------


def read_mono(path: Path) -> Samples:
    samples, rate = soundfile.read(path, dtype="float64")
    assert rate == RATE and samples.ndim == 1
    return np.asarray(samples)


def best_match(recording: Samples, source: Samples) -> tuple[float, float]:
    """(offset in seconds, normalised cross-correlation) where ``source`` fits ``recording`` best.

    Normalised at every lag by the energy of the recording under the source, so a loud passage elsewhere
    cannot win; near-silent windows are floored at -60 dBFS so that silence never looks like a match.
    """
    n = len(source)
    size = len(recording) + n
    spectrum = np.fft.rfft(recording, 2 * size) * np.conj(np.fft.rfft(source, 2 * size))
    correlation = np.fft.irfft(spectrum)[: len(recording) - n + 1]
    energy = np.concatenate([[0.0], np.cumsum(recording**2)])
    window = np.sqrt(np.maximum(energy[n:] - energy[:-n], 0.0))
    normalised = correlation / (np.linalg.norm(source) * np.maximum(window, 0.001 * np.sqrt(n)) + 1e-12)
    lag = int(np.argmax(normalised))
    return lag / RATE, float(normalised[lag])


def similarity(recording: Samples, source: Samples, piece_s: float = 0.5) -> float:
    """How much of ``source`` is found intact in ``recording``: the median, over the voiced half-second pieces
    of ``source``, of each piece's best normalised correlation anywhere in ``recording``.

    1.0 means every piece is there; unrelated speech scores about 0.15-0.2. Piecewise on purpose: when the
    simulated phones are starved of CPU their RTP timing jitters, and a gap that shifts the rest of an
    utterance must not count as a different voice (a whole-utterance correlation can drop to 0.3 then while
    most pieces still match at 0.7-1.0).
    """
    size = int(RATE * piece_s)
    pieces = [source[i : i + size] for i in range(0, len(source) - size + 1, size)]
    scores = [best_match(recording, p)[1] for p in pieces if np.sqrt(np.mean(p**2)) > VOICED_RMS]
    return float(np.median(scores))


def frame_levels_db(samples: Samples, frame_s: float = 0.1) -> Samples:
    frame = int(RATE * frame_s)
    frames = samples[: len(samples) // frame * frame].reshape(-1, frame)
    return np.asarray(20 * np.log10(np.sqrt(np.mean(frames**2, axis=1)) + 1e-9))


def assert_complete_wav(path: Path) -> None:
    """RIFF and data sizes in the header agree with the file: MixMonitor closed it."""
    data = path.read_bytes()
    (riff_size,) = struct.unpack("<I", data[4:8])
    (data_size,) = struct.unpack("<I", data[40:44])
    assert data[:4] == b"RIFF" and data[36:40] == b"data", path
    assert riff_size + 8 == len(data) and data_size + 44 == len(data), path
    info = soundfile.info(path)
    assert (info.samplerate, info.channels, info.subtype) == (RATE, 1, "PCM_16"), path


def log_in(ami: AmiSession, agent: str, paused: bool = False) -> None:
    """What the bridge does when an agent logs in (签入): a dynamic queue member."""
    response = ami.action(
        "QueueAdd",
        Queue="hotline",
        Interface=f"PJSIP/{agent}",
        MemberName=agent,
        Paused="true" if paused else "false",
    )
    assert response["response"] == "Success", response


def save_fixture(name: str, raw: bytes) -> None:
    if RECORD_AMI:
        Path(RECORD_AMI).mkdir(parents=True, exist_ok=True)
        (Path(RECORD_AMI) / name).write_bytes(raw)


def events_of_call(ami: AmiSession, linkedid: str) -> list[dict[str, str]]:
    return [m for m in ami.events() if m.get("linkedid") == linkedid]


# --- an answered call ---------------------------------------------------------------------------------------


def test_answered_call_is_recorded_with_caller_and_agent_apart(
    asterisk: AsteriskInstance, ami: AmiSession, agent_phone: AgentPhones, caller: Callers, speech: Speech
) -> None:
    citizen, agent_voice = speech("aishell1_BAC009S0724W0121"), speech("cv_zh-CN_18536155")
    # The agent answers about 1 s after the queue rings it and hangs up 8 s later; the citizen speaks 1.5 s
    # after that answer for 4.3 s and would stay on the line 6 s longer: the agent's BYE ends the call.
    agent = agent_phone("agent1001", play=agent_voice, play_after_s=0.3, hang_up_after_s=8.0)
    log_in(ami, "agent1001")
    script = CallerScript(
        caller_number="13800138001",
        audio=citizen,
        speak_after_s=asterisk.greeting_seconds() + 2.5,
        tail_s=6.0,
    )

    result = caller(script).run(timeout=60)
    complete = ami.wait_event("UserEvent", 10, userevent="HotlineRecordingComplete")
    # The end of the call is reported by several Asterisk threads, in no fixed order: wait for all of it.
    connected = ami.wait_event("AgentConnect", 5, linkedid=complete["linkedid"])
    # AgentComplete may come after both Hangups, and then without any channel headers (Asterisk 22.10):
    # it is found by the member's Interface, after the AgentConnect.
    ami.wait_event("AgentComplete", 5, after=connected, interface="PJSIP/agent1001")
    ami.wait_event("QueueMemberStatus", 5, after=connected, interface="PJSIP/agent1001", status="1")  # idle
    ami.wait_event("Hangup", 5, linkedid=complete["linkedid"], uniqueid=complete["linkedid"])  # caller leg
    ami.wait_for(
        lambda m: m.get("event") == "Hangup" and m.get("channel", "").startswith("PJSIP/agent1001"), 5
    )
    call = agent.wait_ended(10)
    save_fixture("answered_call.ami", ami.raw)

    assert result.completed and result.answered and result.ended_by == "remote", result.log
    assert call.ended_by == "agent"
    assert complete["hasaudio"] == "yes"
    assert_recording_sides(asterisk, complete, citizen, agent_voice)
    assert_recordings_private(asterisk, complete)
    assert similarity(call.heard / 32768.0, read_mono(citizen)) > SAME_VOICE  # the agent heard the citizen
    assert_answered_call_events(ami, complete["linkedid"])


def assert_recording_sides(
    asterisk: AsteriskInstance, event: dict[str, str], citizen: Path, agent_voice: Path
) -> None:
    paths = {side: asterisk.host_path(event[f"{side}file"]) for side in ("caller", "agent", "mixed")}
    for path in paths.values():
        assert_complete_wav(path)
    caller_side, agent_side = read_mono(paths["caller"]), read_mono(paths["agent"])
    assert len(caller_side) == len(agent_side) == len(read_mono(paths["mixed"]))  # sample-aligned sides

    citizen_samples, agent_samples = read_mono(citizen), read_mono(agent_voice)
    assert similarity(caller_side, citizen_samples) > SAME_VOICE  # the citizen's voice on the caller side
    assert similarity(agent_side, agent_samples) > SAME_VOICE  # the agent's voice on the agent side
    assert similarity(agent_side, citizen_samples) < OTHER_VOICE  # and not mixed into each other
    assert similarity(caller_side, agent_samples) < OTHER_VOICE

    offset, _ = best_match(caller_side, citizen_samples)

    levels = frame_levels_db(caller_side)
    speaking = slice(int(offset * 10), int((offset + soundfile.info(citizen).duration) * 10))
    assert np.median(levels[speaking]) > -45 and np.median(levels[: max(speaking.start, 1)]) < -60


def assert_recordings_private(asterisk: AsteriskInstance, event: dict[str, str]) -> None:
    """Issue 11: Asterisk runs as its unprivileged account and its recordings are nobody else's: each file
    is the account's, in the app's group (this process's), and not readable by others."""
    account = service_account(asterisk.runtime)
    assert account is not None, "the tests run as root: Asterisk must run as its own account"
    pid = asterisk.pid()
    assert pid is not None
    uids = Path(f"/proc/{pid}/status").read_text().split("Uid:")[1].split()[:4]
    assert set(uids) == {str(account.uid)}, uids  # real, effective, saved and filesystem uid
    paths = [asterisk.host_path(event[f"{side}file"]) for side in ("caller", "agent", "mixed")]
    for path in [*paths, paths[0].parent]:
        info = path.stat()
        assert info.st_mode & 0o007 == 0, f"{path} is open to others: {oct(info.st_mode)}"
        assert (info.st_uid, info.st_gid) == (account.uid, os.getegid()), path
    assert paths[0].parent.stat().st_mode & stat.S_ISGID  # the day's directory hands its group on


def assert_answered_call_events(ami: AmiSession, linkedid: str) -> None:
    """The call's own events (by Linkedid) in call-flow order; AgentComplete is matched by Interface."""
    names = [e["event"] for e in events_of_call(ami, linkedid)]
    flow = ["Newchannel", "MixMonitorStart", "UserEvent", "QueueCallerJoin", "AgentCalled", "AgentConnect"]
    assert set(flow) | {"MixMonitorStop", "Hangup"} <= set(names), names
    assert [names.index(n) for n in flow] == sorted(names.index(n) for n in flow), names
    connect = next(e for e in events_of_call(ami, linkedid) if e["event"] == "AgentConnect")
    assert (connect["queue"], connect["interface"], connect["calleridnum"]) == (
        "hotline",
        "PJSIP/agent1001",
        "13800138001",
    )
    assert int(connect["holdtime"]) <= 3
    complete = ami.wait_event("AgentComplete", 0, after=connect, interface="PJSIP/agent1001")
    assert complete["reason"] == "agent" and int(complete["talktime"]) >= 7
    hangups = [e for e in events_of_call(ami, linkedid) if e["event"] == "Hangup"]
    assert {e["channel"].split("-")[0] for e in hangups} == {"PJSIP/pstn", "PJSIP/agent1001"}


# --- an abandoned call --------------------------------------------------------------------------------------


def test_caller_who_hangs_up_while_waiting_is_abandoned_and_has_an_empty_recording(
    asterisk: AsteriskInstance, ami: AmiSession, caller: Callers
) -> None:
    script = CallerScript(caller_number="13800138002", hang_up_after_s=asterisk.greeting_seconds() + 2.5)

    result = caller(script).run(timeout=60)
    abandon = ami.wait_event("QueueCallerAbandon", 10, calleridnum="13800138002")
    complete = ami.wait_event(
        "UserEvent", 10, userevent="HotlineRecordingComplete", linkedid=abandon["linkedid"]
    )
    ami.wait_event("Hangup", 5, uniqueid=abandon["uniqueid"])
    save_fixture("abandoned_call.ami", ami.raw)

    assert result.completed and result.ended_by == "caller", result.log
    assert (abandon["queue"], abandon["position"]) == ("hotline", "1")
    assert 1 <= int(abandon["holdtime"]) <= 4
    assert complete["hasaudio"] == "no"
    # Header-only files; the dialplan runs no shell (issue 11): the app deletes them on this event
    # (tests/e2e/test_asterisk_hardening.py).
    for side in ("caller", "agent", "mixed"):
        path = asterisk.host_path(complete[f"{side}file"])
        assert not path.exists() or path.stat().st_size <= 44, path
    assert [e["event"] for e in events_of_call(ami, abandon["linkedid"])].count("AgentConnect") == 0
    assert asterisk.status().healthy


# --- queue status -------------------------------------------------------------------------------------------


def test_queue_status_shows_the_logged_in_agent_and_the_waiting_caller(
    asterisk: AsteriskInstance,
    ami: AmiSession,
    ami_login: Callable[..., AmiSession],
    agent_phone: AgentPhones,
    caller: Callers,
) -> None:
    agent_phone("agent1002")
    log_in(ami, "agent1002", paused=True)  # logged in but on a break (小休): the caller keeps waiting
    waiting = caller(
        CallerScript(caller_number="13800138003", hang_up_after_s=asterisk.greeting_seconds() + 3)
    )
    waiting.start()
    ami.wait_event("QueueCallerJoin", 15, calleridnum="13800138003")

    status_session = ami_login(events=False)  # only the answer to QueueStatus, no call events around it
    status = status_session.action_list("QueueStatus", Queue="hotline")
    status_session.close()
    save_fixture("queue_status.ami", status_session.raw)
    waiting.wait(timeout=30)

    kinds = [m.get("event", m.get("response")) for m in status]
    assert kinds == ["Success", "QueueParams", "QueueMember", "QueueEntry", "QueueStatusComplete"], kinds
    member, entry = status[2], status[3]
    assert (member["name"], member["location"], member["paused"]) == ("agent1002", "PJSIP/agent1002", "1")
    assert member["status"] == "1"  # AST_DEVICE_NOT_INUSE: the phone is registered and idle
    assert (entry["calleridnum"], entry["position"]) == ("13800138003", "1")
    assert status[1]["servicelevel"] == "15"
