"""The wallboard through the whole app on a real Asterisk: AMI → bridge → floor → Redis → SSE."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest
from aiohttp import ClientResponse

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller
from tests.support.hotline import RunningHotline
from tests.support.sse import next_event

pytestmark = [pytest.mark.asterisk, pytest.mark.slow, pytest.mark.usefixtures("redis_streams_cleanup")]

StartHotline = Callable[..., Awaitable[RunningHotline]]
Callers = Callable[[CallerScript], SippCaller]
AgentPhones = Callable[..., AgentPhone]
Snapshot = dict[str, Any]


async def snapshot_where(
    stream: ClientResponse, ok: Callable[[Snapshot], bool], within: float, what: str
) -> Snapshot:
    """The first snapshot on the stream for which ``ok`` holds (the wall republishes every second)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        snap = await next_event(stream, "snapshot")
        if ok(snap):
            return snap
    pytest.fail(f"no snapshot with {what} within {within:.0f} s")


def totals(snap: Snapshot) -> Any:
    return snap["totals"]


async def test_the_wall_shows_a_waiting_caller_the_abandon_and_an_idle_seat(
    start_hotline: StartHotline, caller: Callers, agent_phone: AgentPhones, asterisk: AsteriskInstance
) -> None:
    running = await start_hotline(asr_workers=0)  # a wallboard prefix of its own (hotline_settings)
    stream = await running.client.get("/api/wallboard/stream")
    assert stream.status == 200, await stream.text()
    synced = await snapshot_where(stream, lambda s: bool(s["source_event_at"]), 10, "the resync folded in")
    assert totals(synced)["waiting"] == 0
    # The live stage folds the resync at once; the service-level catch-up from queue_log (earlier tests'
    # calls) follows in the storing stage: count from a snapshot published after it (ADR 0014).
    await running.hotline.bridge.drained()
    mark = running.hotline.clock.now()
    settled = await snapshot_where(
        stream,
        lambda s: datetime.fromisoformat(s["published_at"]) > mark,
        10,
        "a snapshot after the catch-up",
    )
    abandoned_before = totals(settled)["today"]["abandoned"]

    # A citizen waits with no seat logged in, then hangs up after ~8 s in the queue (not a short abandon).
    script = CallerScript(caller_number="13800138301", hang_up_after_s=asterisk.greeting_seconds() + 8)
    caller(script).start()
    first = await snapshot_where(stream, lambda s: totals(s)["waiting"] == 1, 20, "one caller waiting")
    hotline = next(q for q in first["queues"] if q["queue"] == "hotline")
    assert hotline["waiting"] == 1 and first["servers"][0]["server"] == asterisk.settings.name
    later = await snapshot_where(
        stream,
        lambda s: totals(s)["longest_wait_seconds"] >= totals(first)["longest_wait_seconds"] + 2,
        10,
        "the longest wait growing",
    )
    assert totals(later)["waiting"] == 1 and later["published_at"] > first["published_at"]

    gone = await snapshot_where(
        stream,
        lambda s: totals(s)["waiting"] == 0 and totals(s)["today"]["abandoned"] == abandoned_before + 1,
        20,
        "the caller gone and the abandon counted",
    )
    assert totals(gone)["longest_wait_seconds"] == 0 and totals(gone)["today"]["abandon_rate"] > 0
    assert gone["source_event_at"] > synced["source_event_at"]

    # A seat logs in (QueueAdd through the bridge) with its phone registered: idle on the wall.
    agent_phone("agent1001")
    await running.log_in_agent("agent1001")
    idle = await snapshot_where(stream, lambda s: totals(s)["agents"]["idle"] == 1, 20, "one idle seat")
    hotline = next(q for q in idle["queues"] if q["queue"] == "hotline")
    assert hotline["agents"]["idle"] == 1 and idle["servers"][0]["agents"]["idle"] == 1

    stored = await running.get("/api/wallboard")
    assert totals(stored)["agents"]["idle"] == 1 and stored["published_at"] >= idle["published_at"]
    stream.close()
    running.client.session.cookie_jar.clear()  # nobody logged in: nothing of the floor
    for path in ("/api/wallboard", "/api/wallboard/stream"):
        assert (await running.client.get(path)).status == 401
