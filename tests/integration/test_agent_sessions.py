"""Agent sessions against a real Asterisk and Redis, through the HTTP API of the whole app:
签入 with skills → memberships and penalties in QueueStatus, 示忙 with a reason, 示闲, 签出, a held seat,
after-call work after a real queue call, and the live state rebuilt from Asterisk alone."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from redis.asyncio import Redis

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.asr.live import LiveEvent, LiveKind
from callcenter.asr.model import Speaker
from callcenter.core.actors import Role, StaffId
from callcenter.core.ids import CallId
from callcenter.staff.model import StaffMember
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller
from tests.support.asterisk import AmiSession
from tests.support.hotline import REDIS_URL, RunningHotline
from tests.support.sse import next_event

pytestmark = [pytest.mark.asterisk, pytest.mark.usefixtures("redis_streams_cleanup")]

StartHotline = Callable[..., Awaitable[RunningHotline]]
PASSWORD = "agent-test-password"
SKILL_QUEUES = ("hotline-enterprise", "hotline-dialect", "hotline-foreign", "hotline-callback")


class Staff:
    """One staff member's browser: a cookie session of their own against the running app."""

    def __init__(self, running: RunningHotline, http: aiohttp.ClientSession) -> None:
        self.running = running
        self.http = http

    def url(self, path: str) -> str:
        return str(self.running.client.make_url(path))

    async def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        async with self.http.request(method, self.url(path), json=body) as response:
            data = await response.json()
            assert response.status == status, (method, path, response.status, data)
            return data


@pytest.fixture
async def floor(start_hotline: StartHotline) -> AsyncIterator[RunningHotline]:
    """The app with its agent state under a Redis prefix of its own, wrap-up 1 s, no ASR workers."""
    prefix = f"cc:test:agents:{uuid.uuid4().hex[:8]}"
    running = await start_hotline(asr_workers=0, agents_prefix=prefix, wrapup_time=1, agents_check_ms=200)
    await require_skill_queues(running)
    yield running
    bridge = running.hotline.bridge
    for member in (await bridge.actions.queue_status()).members:  # leave the shared Asterisk as we found it
        await bridge.actions.queue_remove(member.queue, member.interface)
    await wipe(prefix)


async def require_skill_queues(running: RunningHotline) -> None:
    replies = await running.hotline.bridge.actions.action({"Action": "QueueSummary"}, as_list=True)
    queues = {str(m.get("Queue")) for m in replies if m.get("Queue")}
    missing = [q for q in SKILL_QUEUES if q not in queues]
    if missing:
        pytest.fail(
            f"asterisk_conf/queues.conf lacks the queues {missing} (docs/agents.md; the skill queues of "
            "issue 5 come with the IVR part): add them and rerun",
            pytrace=False,
        )


async def wipe(prefix: str) -> None:
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    async for key in client.scan_iter(f"{prefix}:*"):
        await client.delete(key)
    await client.aclose()


@pytest.fixture
async def staff(floor: RunningHotline) -> AsyncIterator[Callable[..., Awaitable[Staff]]]:
    sessions: list[aiohttp.ClientSession] = []

    async def login(name: str, role: Role = Role.AGENT) -> Staff:
        store = floor.hotline.work.staff
        if await store.get(name) is None:
            await store.add(StaffMember(StaffId(name), name, role), PASSWORD, floor.hotline.clock.now())
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        sessions.append(http)
        person = Staff(floor, http)
        await person.call("POST", "/api/login", {"login": name, "password": PASSWORD})
        return person

    yield login
    for http in sessions:
        await http.close()


def members(ami: AmiSession, seat: str) -> dict[str, dict[str, str]]:
    listing = ami.action_list("QueueStatus")
    return {m["queue"]: m for m in listing if m.get("event") == "QueueMember" and m.get("location") == seat}


async def seat_state(person: Staff, activity: str, within: float = 10.0) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        session = await person.call("GET", "/api/agent/session")
        state = session.get("seat_state")
        return session if state and state["activity"] == activity else None

    return await person.running.wait_for(check, within, f"the seat to be {activity}")  # type: ignore[no-any-return]


async def test_login_pause_resume_logout(
    staff: Callable[..., Awaitable[Staff]], ami: AmiSession, agent_phone: Callable[..., AgentPhone]
) -> None:
    agent_phone("agent1001")
    alice = await staff("alice")
    session = await alice.call("POST", "/api/agent/session", {"seat": "agent1001", "skills": ["enterprise"]})
    assert (session["seat"], session["skills"]) == ("PJSIP/agent1001", ["enterprise"])
    joined = members(ami, "PJSIP/agent1001")
    assert {q: m["penalty"] for q, m in joined.items()} == {
        "hotline": "1",
        "hotline-enterprise": "0",
        "hotline-callback": "0",
    }
    assert {m["name"] for m in joined.values()} == {"alice"}  # the member name is the staff id
    await seat_state(alice, "idle")

    await alice.call("POST", "/api/agent/session/pause", {"reason": "training"})
    assert {(m["paused"], m["pausedreason"]) for m in members(ami, "PJSIP/agent1001").values()} == {
        ("1", "training")
    }
    paused = await seat_state(alice, "paused")
    assert paused["seat_state"]["pause_reason"] == "training"
    await alice.call("POST", "/api/agent/session/pause", {"reason": "acw"}, status=400)  # the system's only

    await alice.call("POST", "/api/agent/session/resume")
    await seat_state(alice, "idle")
    assert {m["paused"] for m in members(ami, "PJSIP/agent1001").values()} == {"0"}

    # Skills changed by logging in again on the same seat: the general line moves to penalty 0.
    await alice.call("POST", "/api/agent/session", {"seat": "agent1001", "skills": []})
    assert {q: m["penalty"] for q, m in members(ami, "PJSIP/agent1001").items()} == {
        "hotline": "0",
        "hotline-callback": "0",
    }

    assert await alice.call("DELETE", "/api/agent/session") == {"logged_in": False}
    assert members(ami, "PJSIP/agent1001") == {}
    assert (await alice.call("GET", "/api/agent/session")) == {"logged_in": False}
    error = await alice.call("POST", "/api/agent/session/pause", {"reason": "break"}, status=409)
    assert error["code"] == "not_logged_in"


async def test_a_held_seat_cannot_be_taken(staff: Callable[..., Awaitable[Staff]], ami: AmiSession) -> None:
    alice, bob = await staff("alice2"), await staff("bob2")
    await alice.call("POST", "/api/agent/session", {"seat": "agent1002", "skills": ["dialect"]})
    error = await bob.call("POST", "/api/agent/session", {"seat": "PJSIP/agent1002"}, status=409)
    assert error["code"] == "seat_taken"
    error = await alice.call("POST", "/api/agent/session", {"seat": "agent1003"}, status=409)
    assert error["code"] == "already_logged_in"
    assert {m["name"] for m in members(ami, "PJSIP/agent1002").values()} == {"alice2"}
    assert members(ami, "PJSIP/agent1003") == {}
    await bob.call("POST", "/api/agent/session", {"seat": "<img src=x>"}, status=400)


async def test_supervisor_sees_every_seat_and_logs_an_agent_out(
    staff: Callable[..., Awaitable[Staff]], ami: AmiSession
) -> None:
    """No phone registered on the seat: it counts as paused (unavailable), never as idle."""
    agent, boss = await staff("carol"), await staff("boss", Role.SUPERVISOR)
    await agent.call("POST", "/api/agent/session", {"seat": "agent1003", "skills": ["foreign"]})
    offline = await seat_state(agent, "paused")
    assert offline["seat_state"]["pause_reason"] == "unavailable"
    await agent.call("GET", "/api/agents", status=403)  # agents see their own seat only
    seats = (await boss.call("GET", "/api/agents"))["items"]
    assert [(s["seat"], s["staff"], s["activity"]) for s in seats] == [("PJSIP/agent1003", "carol", "paused")]
    await agent.call("POST", "/api/agents/carol/logout", status=403)
    await boss.call("POST", "/api/agents/carol/logout")
    assert members(ami, "PJSIP/agent1003") == {}
    assert (await agent.call("GET", "/api/agent/session")) == {"logged_in": False}


async def test_after_a_call_the_seat_wraps_up_then_takes_calls_again(
    floor: RunningHotline,
    staff: Callable[..., Awaitable[Staff]],
    agent_phone: Callable[..., AgentPhone],
    caller: Callable[[CallerScript], SippCaller],
    asterisk: AsteriskInstance,
) -> None:
    agent_phone("agent1004", hang_up_after_s=1.5)
    dave = await staff("dave")
    await dave.call("POST", "/api/agent/session", {"seat": "agent1004"})
    await seat_state(dave, "idle")
    script = CallerScript(caller_number="13800138401", hang_up_after_s=asterisk.greeting_seconds() + 20)
    result = await asyncio.to_thread(caller(script).run, 60)
    assert result.answered, result.log
    wrapping = await seat_state(dave, "wrap_up")
    assert wrapping["seat_state"]["pause_reason"] == "acw"
    await seat_state(dave, "idle")  # lifted after wrapup_time (1 s)


async def test_state_rebuilt_from_asterisk_after_redis_lost_it_and_after_a_restart(
    floor: RunningHotline, staff: Callable[..., Awaitable[Staff]], start_hotline: StartHotline
) -> None:
    erin = await staff("erin")
    await erin.call("POST", "/api/agent/session", {"seat": "agent1001", "skills": ["dialect"]})
    await erin.call("POST", "/api/agent/session/pause", {"reason": "meal"})
    await seat_state(erin, "paused")

    await wipe(floor.hotline.settings.agents_prefix)  # Redis restarted empty
    rebuilt = await seat_state(erin, "paused")
    assert (rebuilt["seat"], rebuilt["skills"]) == ("PJSIP/agent1001", ["dialect"])

    # A second app process with nothing in Redis: its AMI login resyncs from Asterisk alone.
    prefix = f"cc:test:agents:{uuid.uuid4().hex[:8]}"
    other = await start_hotline(asr_workers=0, agents_prefix=prefix)
    try:
        await other.hotline.agent_floor.flushed()
        session, seat = await other.hotline.agents.view(StaffId("erin"))
        assert session is not None and seat is not None
        assert (session.seat, session.skills, seat.activity, seat.pause_reason) == (
            "PJSIP/agent1001",
            ("dialect",),
            "paused",
            "meal",
        )
    finally:
        await wipe(prefix)


async def test_the_agent_follows_the_live_transcript_of_the_call_at_the_seat(
    floor: RunningHotline,
    staff: Callable[..., Awaitable[Staff]],
    agent_phone: Callable[..., AgentPhone],
    caller: Callable[[CallerScript], SippCaller],
    asterisk: AsteriskInstance,
) -> None:
    agent_phone("agent1004", hang_up_after_s=12)
    fay, gus, sue = await staff("fay"), await staff("gus"), await staff("sue", Role.SUPERVISOR)
    await fay.call("POST", "/api/agent/session", {"seat": "agent1004"})
    await seat_state(fay, "idle")
    assert await fay.call("GET", "/api/agent/call") == {"call": None}
    script = CallerScript(caller_number="13800138405", hang_up_after_s=asterisk.greeting_seconds() + 30)
    calling = asyncio.create_task(asyncio.to_thread(caller(script).run, 60))
    await seat_state(fay, "on_call", within=30)
    call = (await fay.call("GET", "/api/agent/call"))["call"]
    assert call["caller_number"] == "138****8405", call
    call_id = CallId(call["call_id"])

    live = RedisLiveTranscripts(floor.hotline.redis)
    said = LiveEvent(call_id, Speaker.CALLER, LiveKind.FINAL, 1, "我家停电了", 1.0, 2.5)
    await live.publish(said)  # closed before the desk opened the stream: replayed first
    async with fay.http.get(fay.url(f"/api/calls/{call_id}/live")) as stream:
        assert stream.status == 200 and stream.content_type == "text/event-stream"
        assert (await next_event(stream, "final"))["text"] == "我家停电了"
        await live.publish(LiveEvent(call_id, Speaker.CALLER, LiveKind.PARTIAL, 2, "在建国", 3.0, 3.6))
        await live.publish(LiveEvent(call_id, Speaker.CALLER, LiveKind.FINAL, 3, "在建国门内大街", 3.0, 4.4))
        assert (await next_event(stream, "partial"))["text"] == "在建国"
        final = await next_event(stream, "final")
        assert (final["text"], final["speaker"], final["start"]) == ("在建国门内大街", "caller", 3.0)

    async with gus.http.get(gus.url(f"/api/calls/{call_id}/live")) as denied:
        assert denied.status == 404  # another agent: not their call, as if there were none
    async with sue.http.get(sue.url(f"/api/calls/{call_id}/live")) as listening:
        assert listening.status == 200  # a supervisor may listen to any call (quality inspection)
        assert (await next_event(listening, "final"))["text"] == "我家停电了"
    async with sue.http.get(sue.url("/api/calls/no%20such%3Ccall%3E/live")) as bad:
        assert bad.status == 400
    async with sue.http.get(sue.url("/api/calls/1.2/live")) as unknown:
        assert unknown.status == 404
    result = await calling
    assert result.answered, result.log

    # The call is fay's (MemberName = her staff id at 签入): hers, the supervisor's, nobody else's.
    async def answered_by_fay() -> Any:
        found = await fay.call("GET", f"/api/calls/{call_id}")
        return found if found["answered_by"] == "fay" and found["phase"] == "ended" else None

    seen = await floor.wait_for(answered_by_fay, 15, "the ended call, answered by fay")
    assert "recording_mixed" not in seen and seen["agent"] == "PJSIP/agent1004"
    await gus.call("GET", f"/api/calls/{call_id}", status=404)
    assert [c["call_id"] for c in (await gus.call("GET", "/api/calls"))["items"]] == []
    assert call_id in [c["call_id"] for c in (await fay.call("GET", "/api/calls"))["items"]]
    await sue.call("GET", f"/api/calls/{call_id}")
