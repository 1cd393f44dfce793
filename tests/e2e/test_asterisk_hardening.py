"""Issue 11, item 8: "Asterisk is a root shell behind the AMI secret", tried for real.

The attacker of the issue holds the AMI secret (the app's user, its ``originate`` class) and Originates a
channel into the hangup handler ``recording-complete`` with a ``REC_BASE`` of their choosing: a shell
command in it, or files outside the recordings directory. Against the real Asterisk, through raw AMI:
no shell runs and nothing outside the recordings directory is deleted — neither by Asterisk (no
``System()``) nor by the app (paths outside the recordings directory are refused). The app still deletes
the header-only files of a call that had nothing recorded.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter_sim.phones import CallerScript, SippCaller
from tests.support.hotline import RunningHotline

if TYPE_CHECKING:
    from tests.support.asterisk import AmiSession

pytestmark = [pytest.mark.asterisk, pytest.mark.slow, pytest.mark.usefixtures("redis_streams_cleanup")]

StartHotline = Callable[..., Awaitable[RunningHotline]]
Callers = Callable[[CallerScript], SippCaller]


def hostile_originate(ami: AmiSession, rec_base: str) -> dict[str, str]:
    """What an attacker with the AMI secret sends: a Local channel whose other half runs the hangup
    handler's context with the chosen REC_BASE; returns the HotlineRecordingComplete it causes."""
    reply = ami.action(
        "Originate",
        Channel="Local/s@recording-complete",
        Application="Wait",
        Data="1",
        Variable=f"REC_BASE={rec_base}",
        Async="true",
    )
    assert reply.get("response") == "Success", reply  # AMI itself lets the app's user do it
    try:
        return ami.wait_event(
            "UserEvent", 10, userevent="HotlineRecordingComplete", mixedfile=f"{rec_base}.wav"
        )
    except TimeoutError:
        return {}  # the assertions on the files say what happened


def plant(asterisk: AsteriskInstance, base: str) -> list[Path]:
    """Three files where the attacker points (as Asterisk names them): the two sides hold audio, the mix
    is header-only, so the handler reports ``HasAudio: no`` — "delete them"."""
    paths = [asterisk.host_path(f"{base}{suffix}.wav") for suffix in ("-caller", "-agent", "")]
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    for path, size in zip(paths, (1000, 1000, 44), strict=True):
        path.write_bytes(b"RIFF" + bytes(size - 4))
    return paths


def test_an_originate_into_the_recording_handler_runs_no_shell_and_deletes_nothing(
    asterisk: AsteriskInstance, ami: AmiSession
) -> None:
    token = secrets.token_hex(4)
    pwned = asterisk.host_path(f"/tmp/pwned-{token}")
    victims = plant(asterisk, f"/tmp/victim-{token}")

    # REC_BASE with a shell command in it: System(rm -f ${REC_BASE}.wav …) used to run it (as root).
    injected = hostile_originate(ami, f"/tmp/x-{token}; touch /tmp/pwned-{token}; true")
    # REC_BASE naming files elsewhere: System(rm -f …) used to delete them.
    elsewhere = hostile_originate(ami, f"/tmp/victim-{token}")

    try:
        assert not pwned.exists(), "a shell command ran from the dialplan"
        assert all(path.exists() for path in victims), "Asterisk deleted files outside the recordings"
        assert injected.get("hasaudio") == elsewhere.get("hasaudio") == "no"  # the handler did run
    finally:
        for path in [pwned, *victims]:
            path.unlink(missing_ok=True)


async def test_the_app_refuses_hostile_recording_paths_and_deletes_only_empty_recordings(
    asterisk: AsteriskInstance, ami: AmiSession, start_hotline: StartHotline, caller: Callers
) -> None:
    running = await start_hotline(asr_workers=0, missed_call_enabled=0)
    bridge = running.hotline.bridge
    token = secrets.token_hex(4)
    outside = plant(asterisk, f"/tmp/victim-{token}")
    # A real recording of another call, inside the recordings directory: the attacker names it too.
    inside = plant(asterisk, f"{asterisk.layout.recording_dir}/20260101/other-{token}")
    refused = bridge.refused_events

    await asyncio.to_thread(hostile_originate, ami, f"/tmp/victim-{token}")
    await asyncio.to_thread(hostile_originate, ami, f"{asterisk.layout.recording_dir}/20260101/other-{token}")
    await running.wait_for(_more(bridge, refused), 10, "the bridge to refuse the outside paths")
    await bridge.drained()

    assert all(path.exists() for path in outside + inside), "the app deleted a file it was pointed at"
    for path in outside + inside:
        path.unlink()

    # A citizen who hangs up while waiting: nothing was recorded, the app deletes the empty files.
    number = "13800138111"
    script = CallerScript(caller_number=number, hang_up_after_s=asterisk.greeting_seconds() + 2.0)
    complete = await asyncio.to_thread(_abandoned_call, ami, caller(script), number)
    await running.wait_for(lambda: _ended(running, number), 20, "the abandoned call's record")
    await bridge.drained()
    files = [asterisk.host_path(complete[f"{side}file"]) for side in ("caller", "agent", "mixed")]
    assert complete["hasaudio"] == "no"
    assert not any(path.exists() for path in files), "the empty recording was left behind"


def _abandoned_call(ami: AmiSession, phone: SippCaller, number: str) -> dict[str, str]:
    result = phone.run(timeout=60)
    assert result.completed, result.log
    abandon = ami.wait_event("QueueCallerAbandon", 10, calleridnum=number)
    return ami.wait_event("UserEvent", 10, userevent="HotlineRecordingComplete", linkedid=abandon["linkedid"])


def _more(bridge: object, before: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return int(bridge.refused_events) > before

    return check


async def _ended(running: RunningHotline, number: str) -> bool:
    call = await running.call_by_number(number)
    return bool(call and call["phase"] == "ended")
