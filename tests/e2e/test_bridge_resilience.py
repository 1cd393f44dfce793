"""The AMI bridge against a real Asterisk that goes away in the middle of a session."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable

import pytest

from callcenter.adapters.ami.bridge import AmiBridge
from callcenter.adapters.asterisk import AsteriskInstance
from callcenter_sim.phones import CallerScript, SippCaller
from tests.support.hotline import RunningHotline

pytestmark = [pytest.mark.asterisk, pytest.mark.slow, pytest.mark.usefixtures("redis_streams_cleanup")]

StartHotline = Callable[..., Awaitable[RunningHotline]]
Callers = Callable[[CallerScript], SippCaller]


async def test_bridge_survives_an_asterisk_restart_and_tracks_the_next_call(
    start_hotline: StartHotline, caller: Callers, asterisk: AsteriskInstance
) -> None:
    running = await start_hotline(asr_workers=0)
    bridge = running.hotline.bridge
    # A citizen is waiting in the queue when Asterisk goes down.
    waiting = caller(CallerScript(caller_number="13800138201", hang_up_after_s=120))
    waiting.start()
    await running.wait_for(lambda: _phase(running, "13800138201", "queued"), 20, "the caller to queue")

    crash(asterisk)  # no Hangup events: only the resync after reconnect can close the call
    await running.wait_for(_not(bridge.connected.is_set), 15, "the bridge to notice")
    asterisk.start(timeout=60.0)  # main thread: the instance's life stays tied to the test run
    await running.wait_for(_resynced_twice(bridge), 30, "the bridge to log in again and resync")
    assert bridge.logins == 2
    lost = await running.call_by_number("13800138201")
    assert lost is not None and lost["phase"] == "ended"
    assert lost["outcome"] == "lost_track"  # closed by the resync, never left "in progress" forever
    waiting.stop()

    # The next call is tracked as if nothing had happened.
    after = caller(CallerScript(caller_number="13800138202", hang_up_after_s=asterisk.greeting_seconds() + 3))
    result = await asyncio.to_thread(after.run, 60)
    assert result.completed, result.log
    call = await running.wait_for(lambda: _phase(running, "13800138202", "ended"), 20, "the next call")
    assert call["outcome"] == "abandoned" and call["wait_seconds"] == pytest.approx(3, abs=1.5)


def crash(asterisk: AsteriskInstance) -> None:
    """Kill the Asterisk this test session started, as a crash would: no goodbye on AMI."""
    pid = asterisk.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        if not asterisk.is_running():
            return
        time.sleep(0.05)
    pytest.fail("Asterisk survived SIGKILL")


async def _phase(running: RunningHotline, number: str, phase: str) -> dict[str, object] | None:
    call = await running.call_by_number(number)
    return call if call and call["phase"] == phase else None


def _resynced_twice(bridge: AmiBridge) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return bridge.resyncs >= 2 and bridge.synced.is_set()

    return check


def _not(check: Callable[[], bool]) -> Callable[[], Awaitable[bool]]:
    async def negated() -> bool:
        return not check()

    return negated
