"""Reliability of the live floor with callers waiting and seats logged in: Asterisk restarted, the AMI
connection dropped, Redis restarted. After each: no call record lost (every call placed has a record,
closed), the seats right again (Asterisk is the truth; the board rebuilt), and the service-level figures
(live tally, stored ledger) still equal the recount of Asterisk's queue_log.

The app gets a redis-server of its own on a free loopback port (tests/support/redis_server.py) so that
this test may kill it; the AMI connection runs through a loopback relay the test can cut.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.adapters.asterisk.queue_log_file import read_lines
from callcenter.adapters.db.queue_entries import SqlQueueEntries
from callcenter.queue.service_level.ledger import ServiceLevelFigures, figures_of
from callcenter.queue.service_level.queue_log import recount
from callcenter.queue.service_level.reconcile import Window, grouped
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller
from tests.support.asterisk import AmiSession
from tests.support.hotline import RunningHotline, queue_log_of
from tests.support.redis_server import OwnRedis
from tests.support.services import _create_pg_database, _drop_pg_database, _pg_url
from tests.support.tcp_proxy import TcpRelay

pytestmark = [pytest.mark.asterisk, pytest.mark.slow]

StartHotline = Callable[..., Awaitable[RunningHotline]]
Callers = Callable[[CallerScript], SippCaller]
AgentPhones = Callable[..., AgentPhone]
LONG = 150.0  # a caller who keeps waiting until the test ends the call


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path / "redis")
    server.start()
    yield server
    server.kill()


@pytest.fixture
async def relay(asterisk: AsteriskInstance) -> AsyncIterator[TcpRelay]:
    proxy = TcpRelay(asterisk.settings.ami_port)
    await proxy.start()
    yield proxy
    await proxy.close()


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    name = await _create_pg_database()
    yield _pg_url(name)
    await _drop_pg_database(name)


# --- (a) Asterisk restarted -------------------------------------------------------------------------------


async def test_asterisk_restart_with_callers_waiting(
    start_hotline: StartHotline,
    own_redis: OwnRedis,
    postgres_url: str,
    agent_phone: AgentPhones,
    caller: Callers,
    asterisk: AsteriskInstance,
) -> None:
    running = await start_hotline(**_app(own_redis, asterisk), database_url=postgres_url)
    server, start, greeting = asterisk.settings.name, _now(), asterisk.greeting_seconds()
    agent_phone("agent1001")  # answers and talks until the caller hangs up
    await running.log_in_agent("agent1001")
    await running.log_in_agent("agent1002")  # no phone: paused for a break the whole time
    await running.hotline.bridge.actions.queue_pause(None, "PJSIP/agent1002", True, "break")
    talking = caller(CallerScript(caller_number="13800138601", hang_up_after_s=LONG))
    talking.start()
    await running.wait_for(_phase(running, "13800138601", "connected"), 30, "the first call connected")
    waiting = [
        caller(CallerScript(caller_number=n, hang_up_after_s=LONG)) for n in ("13800138602", "13800138603")
    ]
    for phone in waiting:
        phone.start()
    for number in ("13800138602", "13800138603"):
        await running.wait_for(_phase(running, number, "queued"), 30, f"{number} waiting in the queue")

    asterisk.stop()  # a clean restart: channels hung up, AMI closed, persistent members kept
    await running.wait_for(_not_synced(running, server), 15, "the bridge to notice")
    asterisk.start(timeout=60.0)
    for phone in (talking, *waiting):
        phone.stop()
    await running.wait_for(_resynced(running, server, 2), 30, "the bridge to log in again and resync")

    # No call record lost: all three there, all closed.
    await _closed(
        running, server, {"13800138601": "answered", "13800138602": "abandoned", "13800138603": "abandoned"}
    )

    # Seats: persistent members back in Asterisk and on the board, the break still a break.
    ast = asterisk.settings
    with AmiSession(ast.ami_port, ast.ami_user, ast.ami_secret, events=False) as ami:  # the new Asterisk
        members = _members(ami)
    assert {"PJSIP/agent1001", "PJSIP/agent1002"} <= set(members), members
    seats = await running.wait_for(_seats(running, server, {"agent1001", "agent1002"}), 20, "seats rebuilt")
    assert seats["PJSIP/agent1002"]["activity"] == "paused"
    assert seats["PJSIP/agent1002"]["pause_reason"] == "break"
    assert seats["PJSIP/agent1001"]["activity"] == "idle"

    # The next caller is answered by the seat that came back.
    await running.wait_for(_registered(asterisk, "agent1001"), 60, "agent1001 registered again")
    after = caller(CallerScript(caller_number="13800138604", hang_up_after_s=greeting + 4))
    result = await asyncio.to_thread(after.run, 90)
    assert result.completed and result.answered, result.log
    await running.wait_for(_phase(running, "13800138604", "ended"), 20, "the call after the restart")

    await _reconciles(running, asterisk, start)


# --- (b) the AMI connection dropped -----------------------------------------------------------------------


async def test_ami_drop_with_callers_waiting(
    start_hotline: StartHotline,
    own_redis: OwnRedis,
    relay: TcpRelay,
    agent_phone: AgentPhones,
    caller: Callers,
    asterisk: AsteriskInstance,
    ami: AmiSession,
) -> None:
    running = await start_hotline(**_app(own_redis, asterisk), ami_port=relay.port)
    server, start, greeting = asterisk.settings.name, _now(), asterisk.greeting_seconds()
    seat = agent_phone("agent1001")
    agent_phone("agent1002")
    await running.log_in_agent("agent1001")
    await running.log_in_agent("agent1002")
    await running.hotline.bridge.actions.queue_pause(None, "PJSIP/agent1002", True, "meal")
    first = caller(CallerScript(caller_number="13800138611", hang_up_after_s=LONG))
    first.start()
    await running.wait_for(_phase(running, "13800138611", "connected"), 30, "the first call connected")
    gives_up = caller(CallerScript(caller_number="13800138612", hang_up_after_s=greeting + 6))
    gives_up.start()
    await running.wait_for(_phase(running, "13800138612", "queued"), 30, "13800138612 waiting")
    waits = caller(CallerScript(caller_number="13800138613", hang_up_after_s=LONG))
    waits.start()
    await running.wait_for(_phase(running, "13800138613", "queued"), 30, "13800138613 waiting")

    relay.cut()  # the TCP connection aborted at both ends; reconnects refused for now
    await running.wait_for(_not_synced(running, server), 15, "the bridge to notice")
    # While the bridge is away: one caller gives up, the first call ends, the other waiting caller is
    # answered, and the meal break is lifted by someone else (e.g. a supervisor's softphone).
    assert (await asyncio.to_thread(gives_up.wait, 60)).completed
    marker = ami.messages()[-1]
    seat.hang_up()
    ami.wait_event("AgentConnect", 30, after=marker, calleridnum="13800138613")
    reply = ami.action("QueuePause", Interface="PJSIP/agent1002", Paused="false")
    assert reply.get("response") == "Success", reply
    relay.restore()
    await running.wait_for(_resynced(running, server, 2), 30, "the bridge to log in again and resync")

    seats = await running.wait_for(_seats(running, server, {"agent1001", "agent1002"}), 20, "seats resynced")
    assert seats["PJSIP/agent1002"]["activity"] == "idle" and not seats["PJSIP/agent1002"]["pause_reason"]
    assert seats["PJSIP/agent1001"]["activity"] == "on_call"

    seat.hang_up()  # the call answered during the gap ends while the bridge watches
    outcomes = {}
    for number in ("13800138611", "13800138612", "13800138613"):
        call = await running.wait_for(_phase(running, number, "ended"), 20, f"{number} closed")
        assert call["server"] == server, call
        outcomes[number] = (call["outcome"], call["agent"])
    assert outcomes == {
        "13800138611": ("answered", "PJSIP/agent1001"),  # ended unseen: closed at the resync
        "13800138612": ("abandoned", None),  # gave up unseen: closed at the resync
        "13800138613": ("answered", "PJSIP/agent1001"),  # answered unseen: learnt from the live channels
    }
    first.stop()
    waits.stop()
    await _reconciles(running, asterisk, start)


# --- (c) Redis restarted ----------------------------------------------------------------------------------


async def test_redis_restart_with_callers_waiting(
    start_hotline: StartHotline,
    own_redis: OwnRedis,
    agent_phone: AgentPhones,
    caller: Callers,
    asterisk: AsteriskInstance,
) -> None:
    # the transcription sweep soon rather than in 30 s
    running = await start_hotline(**_app(own_redis, asterisk), transcription_sweep_s=0.5)
    server, start, greeting = asterisk.settings.name, _now(), asterisk.greeting_seconds()
    agent_phone("agent1001", hang_up_after_s=2.0)
    await running.log_in_agent("agent1001")
    await running.log_in_agent("agent1002")
    await running.hotline.bridge.actions.queue_pause(None, "PJSIP/agent1002", True, "training")
    answered = caller(CallerScript(caller_number="13800138621", hang_up_after_s=greeting + 30))
    assert (await asyncio.to_thread(answered.run, 90)).answered
    done = await running.wait_for(_queued_for_asr(running, "13800138621"), 30, "the recording queued for ASR")
    await running.hotline.bridge.actions.queue_pause(None, "PJSIP/agent1001", True, "break")
    first = caller(CallerScript(caller_number="13800138622", hang_up_after_s=LONG))
    first.start()
    await running.wait_for(_phase(running, "13800138622", "queued"), 30, "a caller waiting")
    await running.wait_for(_wall_waiting(running, 1), 20, "the wall showing one caller waiting")

    own_redis.kill()  # SIGKILL: the job stream, seat states and wall snapshot are gone with it
    second = caller(CallerScript(caller_number="13800138623", hang_up_after_s=LONG))
    second.start()  # joins while Redis is down: the call flow does not wait for Redis
    await running.wait_for(_phase(running, "13800138623", "queued"), 30, "a caller joining without Redis")
    restarted = _now()
    own_redis.start()

    # Transcription job recovered by the sweep (Redis lost the stream): the answered call is queued again.
    client = Redis.from_url(own_redis.url, decode_responses=True)
    try:
        await running.wait_for(_job_for(client, running, done["call_id"]), 30, "the lost job sent again")
    finally:
        await client.aclose()
    # Seats rebuilt from the board, pauses and reasons intact.
    seats = await running.wait_for(_seats(running, server, {"agent1001", "agent1002"}), 20, "seats rebuilt")
    assert (seats["PJSIP/agent1001"]["pause_reason"], seats["PJSIP/agent1002"]["pause_reason"]) == (
        "break",
        "training",
    )
    # The wall resumes with both callers waiting, published after Redis came back.
    wall = await running.wait_for(_wall_waiting(running, 2), 20, "the wall showing both callers")
    assert datetime.fromisoformat(wall["published_at"]) >= restarted

    await asyncio.to_thread(asterisk.cli, "channel request hangup all")  # both give up waiting
    await _closed(
        running, server, {"13800138621": "answered", "13800138622": "abandoned", "13800138623": "abandoned"}
    )
    await _reconciles(running, asterisk, start)


# --- helpers ----------------------------------------------------------------------------------------------


def _app(own_redis: OwnRedis, asterisk: AsteriskInstance) -> dict[str, Any]:
    """The app on our own Redis, no ASR workers, no after-call work, the instance's queue_log readable."""
    return {
        "asr_workers": 0,
        "redis_url": own_redis.url,
        "wrapup_time": 0,
        "sl_queue_log": str(queue_log_of(asterisk)),
    }


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


async def _reconciles(running: RunningHotline, asterisk: AsteriskInstance, start: datetime) -> None:
    """Live tally = stored ledger = recount of the queue_log, for every entry since ``start``."""
    server = asterisk.settings.name
    recorder = running.hotline.service_level
    policy = recorder.tally.policy

    async def settled() -> ServiceLevelFigures | None:
        now = running.hotline.clock.now()
        live = figures_of([e for e in recorder.tally.entries() if e.entered_at >= start], policy, now)
        recounted = recount(read_lines(queue_log_of(asterisk)), server=server)
        offline = grouped(recounted.entries, policy, now, Window(start, now))["all"]
        stored = figures_of(await SqlQueueEntries(running.hotline.engine).since(start, server), policy, now)
        return live if live == offline == stored else None

    live = await running.wait_for(settled, 20, "live, stored and recounted figures to agree")
    assert live.offered >= 1


async def _closed(running: RunningHotline, server: str, outcomes: dict[str, str]) -> None:
    """Every call placed has its record on ``server``, ended with the outcome given."""
    for number, outcome in outcomes.items():
        call = await running.wait_for(_phase(running, number, "ended"), 20, f"the call from {number} closed")
        assert (call["server"], call["outcome"]) == (server, outcome), call
        assert (call["agent"] is not None) == (outcome == "answered"), call


def _phase(
    running: RunningHotline, number: str, phase: str
) -> Callable[[], Awaitable[dict[str, Any] | None]]:
    async def check() -> dict[str, Any] | None:
        call = await running.call_by_number(number)
        return call if call and call["phase"] == phase else None

    return check


def _not_synced(running: RunningHotline, server: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return not running.hotline.bridges[server].synced.is_set()

    return check


def _resynced(running: RunningHotline, server: str, times: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        bridge = running.hotline.bridges[server]
        return bridge.resyncs >= times and bridge.synced.is_set()

    return check


def _seats(
    running: RunningHotline, server: str, names: set[str]
) -> Callable[[], Awaitable[dict[str, dict[str, Any]] | None]]:
    """The server's seats by interface once every one of ``names`` shows (GET /api/agents)."""

    async def check() -> dict[str, dict[str, Any]] | None:
        response = await running.client.get("/api/agents")
        if response.status != 200:  # Redis not back yet: 503
            return None
        items = (await response.json())["items"]
        seats = {s["seat"]: s for s in items if s["server"] == server}
        return seats if {f"PJSIP/{n}" for n in names} <= set(seats) else None

    return check


def _members(ami: AmiSession) -> dict[str, dict[str, str]]:
    replies = ami.action_list("QueueStatus", Queue="hotline")
    return {m["location"]: m for m in replies if m.get("event") == "QueueMember"}


def _registered(asterisk: AsteriskInstance, agent: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        out = await asyncio.to_thread(asterisk.cli, f"pjsip show contacts like {agent}")
        return "Avail" in out or "Unknown" in out or "NonQual" in out

    return check


def _queued_for_asr(running: RunningHotline, number: str) -> Callable[[], Awaitable[dict[str, Any] | None]]:
    async def check() -> dict[str, Any] | None:
        call = await running.call_by_number(number)
        return call if call and call["transcription_queued"] else None

    return check


def _job_for(client: Redis, running: RunningHotline, call_id: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        try:
            entries = await client.xrange(running.hotline.settings.jobs_stream) or []
        except OSError:
            return False
        return any(fields and fields.get("call_id") == call_id for _id, fields in entries)

    return check


def _wall_waiting(running: RunningHotline, waiting: int) -> Callable[[], Awaitable[dict[str, Any] | None]]:
    async def check() -> dict[str, Any] | None:
        response = await running.client.get("/api/wallboard")
        if response.status != 200:
            return None
        wall = await response.json()
        return wall if wall["totals"]["waiting"] == waiting else None

    return check
