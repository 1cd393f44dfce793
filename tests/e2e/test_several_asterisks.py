"""One hotline, two Asterisks on loopback (different ports, names and AMI secrets): calls recorded with
their server, seats keyed by server, one service-level view equal to the sum of both queue_log recounts,
and one Asterisk stopped while the other keeps working and health names the one that is down."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.adapters.asterisk.queue_log_file import read_lines
from callcenter.queue.service_level.ledger import QueueEntry, ServiceLevelFigures, figures_of
from callcenter.queue.service_level.queue_log import recount
from callcenter.queue.service_level.reconcile import Window, grouped
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller
from tests.support.hotline import RunningHotline, queue_log_of

pytestmark = [pytest.mark.asterisk, pytest.mark.slow, pytest.mark.usefixtures("redis_streams_cleanup")]

StartHotline = Callable[..., Awaitable[RunningHotline]]
Phones = Callable[..., AgentPhone]
Callers = Callable[[AsteriskInstance, CallerScript], SippCaller]
SEAT = "agent1001"  # the same seat name on both servers: state must keep them apart


@pytest.fixture
def phone_on(tmp_path: Path) -> Iterator[Callable[[AsteriskInstance, str], AgentPhone]]:
    """``phone_on(instance, agent)``: a registered agent phone on that Asterisk; stopped afterwards."""
    phones: list[AgentPhone] = []

    def start(instance: AsteriskInstance, agent: str) -> AgentPhone:
        ast = instance.settings
        phone = AgentPhone(agent, instance.seat_secret(agent), ast.sip_port, hang_up_after_s=2.0)
        phone.start()
        phones.append(phone)
        return phone

    yield start
    for phone in phones:
        phone.stop()


@pytest.fixture
def caller_on(tmp_path: Path) -> Iterator[Callers]:
    """``caller_on(instance, script)``: a sipp caller to that Asterisk (not started); killed if left."""
    callers: list[SippCaller] = []

    def make(instance: AsteriskInstance, script: CallerScript) -> SippCaller:
        workdir = tmp_path / f"caller-{len(callers)}"
        phone = SippCaller(script, instance.settings.sip_port, workdir=workdir)
        callers.append(phone)
        return phone

    yield make
    for phone in callers:
        phone.stop()


async def test_two_asterisks_one_hotline(
    start_hotline: StartHotline,
    phone_on: Callable[[AsteriskInstance, str], AgentPhone],
    caller_on: Callers,
    asterisk: AsteriskInstance,
    asterisk_b: AsteriskInstance,
) -> None:
    a, b = asterisk.settings.name, asterisk_b.settings.name
    running = await start_hotline(asr_workers=0, also=(asterisk_b,))
    start = datetime.now(UTC).replace(microsecond=0)
    health = await running.get("/api/health")
    assert health["ami"] and health["ami_down"] == [] and set(health["ami_servers"]) == {a, b}
    assert all(s["synced"] for s in health["ami_servers"].values())

    # One seat on each server, the same seat name on both.
    for instance in (asterisk, asterisk_b):
        phone_on(instance, SEAT)
        await running.log_in_agent(SEAT, instance.settings.name)
    seats = await running.wait_for(_idle_seats(running, {a, b}), 20, "an idle seat on each server")
    assert {(s["server"], s["seat"]) for s in seats} >= {(a, f"PJSIP/{SEAT}"), (b, f"PJSIP/{SEAT}")}

    # A call on each server, answered by that server's seat.
    greeting = max(asterisk.greeting_seconds(), asterisk_b.greeting_seconds())
    numbers = {a: "13800138501", b: "13800138502"}
    calls = [
        caller_on(i, CallerScript(caller_number=numbers[i.settings.name], hang_up_after_s=greeting + 30))
        for i in (asterisk, asterisk_b)
    ]
    results = await asyncio.gather(*(asyncio.to_thread(c.run, 90) for c in calls))
    assert all(r.completed and r.answered for r in results), [r.log for r in results]
    for server, number in numbers.items():
        call = await running.wait_for(_ended(running, number), 20, f"the call on {server} recorded")
        assert call["server"] == server and call["outcome"] == "answered", call

    # One service-level view across both = the sum of the recounts of both queue_logs.
    live = await running.wait_for(_live_answered(running, start, 2), 20, "both answers in the live tally")
    now = running.hotline.clock.now()
    entries: list[QueueEntry] = []
    for instance in (asterisk, asterisk_b):
        counted = recount(read_lines(queue_log_of(instance)), server=instance.settings.name)
        assert counted.bad_lines == 0, counted.bad_samples
        entries.extend(counted.entries)
    offline = grouped(entries, running.hotline.service_level.tally.policy, now, Window(start, now))
    assert offline["all"] == live and live.offered == 2
    by_server = {e.server for e in running.hotline.service_level.tally.entries() if e.entered_at >= start}
    assert by_server == {a, b}

    # Server b goes away: a keeps taking calls; health says which one is down.
    asterisk_b.stop()
    try:
        await running.wait_for(_down(running, b), 15, f"health to report {b} down")
        response = await running.client.get("/api/health")
        assert response.status == 503
        body = await response.json()
        assert body["ami_down"] == [b] and body["ami_servers"][a]["synced"] and body["database"]
        after = caller_on(asterisk, CallerScript(caller_number="13800138503", hang_up_after_s=greeting + 30))
        result = await asyncio.to_thread(after.run, 90)
        assert result.completed and result.answered, result.log
        call = await running.wait_for(_ended(running, "13800138503"), 20, "the call on a while b is down")
        assert call["server"] == a and call["outcome"] == "answered"
    finally:
        asterisk_b.start(timeout=60.0)  # the session's instance stays up for later tests
    await asyncio.wait_for(running.hotline.bridges[b].synced.wait(), 30)
    health = await running.get("/api/health")
    assert health["ami"] and health["ami_down"] == []


def _idle_seats(running: RunningHotline, servers: set[str]) -> Callable[[], Awaitable[list[Any] | None]]:
    async def check() -> list[Any] | None:
        items = (await running.get("/api/agents"))["items"]
        idle = [s for s in items if s["seat"] == f"PJSIP/{SEAT}" and s["activity"] == "idle"]
        return idle if {s["server"] for s in idle} >= servers else None

    return check


def _ended(running: RunningHotline, number: str) -> Callable[[], Awaitable[dict[str, Any] | None]]:
    async def check() -> dict[str, Any] | None:
        call = await running.call_by_number(number)
        return call if call and call["phase"] == "ended" else None

    return check


def _live_answered(
    running: RunningHotline, start: datetime, answered: int
) -> Callable[[], Awaitable[ServiceLevelFigures | None]]:
    async def check() -> ServiceLevelFigures | None:
        recorder = running.hotline.service_level
        mine = [e for e in recorder.tally.entries() if e.entered_at >= start]
        live = figures_of(mine, recorder.tally.policy, running.hotline.clock.now())
        return live if live.answered >= answered else None

    return check


def _down(running: RunningHotline, server: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        response = await running.client.get("/api/health")
        return server in (await response.json())["ami_down"]

    return check
