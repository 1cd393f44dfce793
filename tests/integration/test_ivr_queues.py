"""IVR and queues on a real Asterisk 22: keys during the greeting, FastAGI self-service and overflow routing,
the call-me-back key while waiting, and the announcement timing rule (docs/ivr-and-queues.md).

The FastAGI server here is the app's own (callcenter/adapters/agi) with a fake work-order lookup, started in
a thread on the port the test Asterisk's dialplan points at.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import soundfile

from callcenter.adapters.agi.routes import hotline_routes
from callcenter.adapters.agi.server import FastAgiServer
from callcenter.adapters.ami.floor_translate import translate_floor
from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.core.ids import TicketId
from callcenter.ivr.routing import OverflowPolicy
from callcenter.queue.events import CallMeBackRequested
from callcenter.ticketing.states import TicketStatus
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller

if TYPE_CHECKING:
    from tests.support.asterisk import AmiSession

AgentPhones = Callable[..., AgentPhone]
Callers = Callable[[CallerScript], SippCaller]
pytestmark = [pytest.mark.asterisk, pytest.mark.slow]

QUEUES = ("hotline", "hotline-enterprise", "hotline-dialect", "hotline-foreign", "hotline-callback")
ORDERS = {TicketId(42): TicketStatus.IN_PROGRESS, TicketId(7): TicketStatus.CLOSED}


class AgiThread:
    """The app's FastAGI server in its own event loop thread; records the work orders asked for."""

    def __init__(self, port: int, policy: OverflowPolicy) -> None:
        self.asked: list[TicketId] = []
        self.callers: list[str] = []  # the calling number each lookup was asked for (agi_callerid)
        self._loop = asyncio.new_event_loop()
        self._server = FastAgiServer(hotline_routes(self._lookup, policy, 1.0), "127.0.0.1", port, 2.0)
        self._thread = threading.Thread(target=self._loop.run_forever, name="agi", daemon=True)

    async def _lookup(self, ticket: TicketId, caller: str) -> TicketStatus | None:
        self.asked.append(ticket)
        self.callers.append(caller)
        return ORDERS.get(ticket)

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._server.start(), self._loop).result(5)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._server.close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()


@pytest.fixture
def start_agi(asterisk: AsteriskInstance) -> Iterator[Callable[..., AgiThread]]:
    servers: list[AgiThread] = []

    def start(**policy: int | str) -> AgiThread:
        server = AgiThread(asterisk.settings.agi_port, OverflowPolicy(**policy))  # type: ignore[arg-type]
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def members(ami: AmiSession) -> Iterator[Callable[[str, str], None]]:
    """``add(queue, agent)``: a dynamic member; every one is removed again afterwards."""
    added: list[tuple[str, str]] = []

    def add(queue: str, agent: str) -> None:
        response = ami.action("QueueAdd", Queue=queue, Interface=f"PJSIP/{agent}", MemberName=agent)
        assert response["response"] == "Success", response
        added.append((queue, agent))

    yield add
    for queue, agent in added:
        ami.action("QueueRemove", Queue=queue, Interface=f"PJSIP/{agent}")


def joined(ami: AmiSession, number: str, timeout: float = 30) -> dict[str, str]:
    return ami.wait_event("QueueCallerJoin", timeout, calleridnum=number)


def played(asterisk: AsteriskInstance, channel: str, prompt: str) -> list[datetime]:
    """When the verbose log shows ``prompt`` starting on ``channel`` (Asterisk's local time, as logged)."""
    log = asterisk.host_path(asterisk.layout.log_dir / "messages.log")
    pattern = re.compile(r"^\[(\S+ \S+)\].*<" + re.escape(channel) + r"> Playing '[^']*/" + prompt + r"\.")
    times = []
    for line in Path(log).read_text(encoding="utf-8", errors="replace").splitlines():
        match = pattern.match(line)
        if match:
            times.append(datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S.%f"))
    return times


def call_log(asterisk: AsteriskInstance, channel: str) -> str:
    """The verbose log lines of ``channel`` (for failure messages)."""
    log = asterisk.host_path(asterisk.layout.log_dir / "messages.log")
    lines = Path(log).read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join(line for line in lines if channel in line)


# --- keys during the greeting -------------------------------------------------------------------------------


def test_no_key_goes_straight_to_the_general_line(
    asterisk: AsteriskInstance, ami: AmiSession, caller: Callers, start_agi: Callable[..., AgiThread]
) -> None:
    agi = start_agi()
    phone = caller(CallerScript("13800138501", hang_up_after_s=asterisk.greeting_seconds() + 2))
    phone.start()
    join = joined(ami, "13800138501")
    assert join["queue"] == "hotline"
    assert agi.asked == []  # no self-service step, no prompt after the notice
    phone.wait()


def test_keyed_work_order_number_is_looked_up_then_the_caller_queues(
    asterisk: AsteriskInstance, ami: AmiSession, caller: Callers, start_agi: Callable[..., AgiThread]
) -> None:
    agi = start_agi()
    script = CallerScript("13800138502", keys=((1.5, "42#"),), hang_up_after_s=12)
    phone = caller(script)
    phone.start()
    join = joined(ami, "13800138502")
    assert agi.asked == [TicketId(42)], call_log(asterisk, join["channel"])
    assert agi.callers == ["13800138502"]  # Asterisk tells the app who is asking (issue 11)
    assert join["queue"] == "hotline"
    assert played(asterisk, join["channel"], "ticket_in_progress"), "the status prompt was not played"
    phone.wait()


def test_key_2_takes_the_enterprise_line(
    asterisk: AsteriskInstance, ami: AmiSession, caller: Callers, start_agi: Callable[..., AgiThread]
) -> None:
    agi = start_agi()
    phone = caller(CallerScript("13800138503", keys=((1.0, "2"),), hang_up_after_s=6))
    phone.start()
    assert joined(ami, "13800138503")["queue"] == "hotline-enterprise"
    assert agi.asked == []
    phone.wait()


# --- overflow -----------------------------------------------------------------------------------------------


def test_overflow_to_the_general_line_when_the_skill_line_would_wait_too_long(
    asterisk: AsteriskInstance,
    ami: AmiSession,
    caller: Callers,
    agent_phone: AgentPhones,
    members: Callable[[str, str], None],
    start_agi: Callable[..., AgiThread],
) -> None:
    start_agi(wait_threshold_s=1)
    seat = agent_phone("agent1002", hang_up_after_s=1.0)
    members("hotline", "agent1002")  # a free general seat; no enterprise seat logged in
    phone = caller(CallerScript("13800138504", keys=((1.0, "2"),), hang_up_after_s=15))
    phone.start()
    join = joined(ami, "13800138504")
    assert join["queue"] == "hotline"
    connect = ami.wait_event("AgentConnect", 20, uniqueid=join["uniqueid"])
    assert connect["queue"] == "hotline"
    phone.wait()
    assert seat.calls and seat.calls[0].ended_by == "agent"


def test_agi_down_the_call_still_queues(asterisk: AsteriskInstance, ami: AmiSession, caller: Callers) -> None:
    # No FastAGI server: the route step and the ticket lookup fail at once and the defaults hold.
    keyed = caller(CallerScript("13800138505", keys=((1.0, "42#"),), hang_up_after_s=12))
    enterprise = caller(CallerScript("13800138506", keys=((1.0, "2"),), hang_up_after_s=6))
    keyed.start()
    enterprise.start()
    join = joined(ami, "13800138505")
    assert join["queue"] == "hotline"
    assert played(asterisk, join["channel"], "ticket_unavailable")
    assert joined(ami, "13800138506")["queue"] == "hotline-enterprise"
    keyed.wait()
    enterprise.wait()


# --- the call-me-back key while waiting -----------------------------------------------------------------


def test_key_1_while_waiting_leaves_the_queue_and_requests_a_call_back(
    asterisk: AsteriskInstance, ami: AmiSession, caller: Callers
) -> None:
    wait_s = asterisk.greeting_seconds() + 3
    phone = caller(CallerScript("13800138507", keys=((wait_s, "1"),), hang_up_after_s=wait_s + 10))
    phone.start()
    join = joined(ami, "13800138507")
    event = ami.wait_event("UserEvent", 20, userevent="HotlineCallbackRequested", uniqueid=join["uniqueid"])
    left = ami.wait_event("QueueCallerLeave", 5, uniqueid=join["uniqueid"])
    assert ami.messages().index(left) < ami.messages().index(event)
    assert (event["queue"], event["calleridnum"], event["linkedid"]) == (
        "hotline",
        "13800138507",
        join["linkedid"],
    )
    floor = translate_floor(event, datetime.now(UTC), server="test")
    assert isinstance(floor, CallMeBackRequested)
    assert (floor.queue, floor.entry_id, floor.caller_number) == ("hotline", join["uniqueid"], "13800138507")
    result = phone.wait()
    assert result.ended_by == "remote"  # the hotline hung up after the confirmation
    assert played(asterisk, join["channel"], "callback_confirm")


# --- announcements and the 15-second target -----------------------------------------------------------------


def test_a_free_agent_answers_before_any_announcement(
    asterisk: AsteriskInstance,
    ami: AmiSession,
    caller: Callers,
    agent_phone: AgentPhones,
    members: Callable[[str, str], None],
) -> None:
    agent_phone("agent1003", hang_up_after_s=1.0)
    members("hotline", "agent1003")
    phone = caller(CallerScript("13800138508", hang_up_after_s=asterisk.greeting_seconds() + 10))
    phone.start()
    join = joined(ami, "13800138508")
    connect = ami.wait_event("AgentConnect", 15, uniqueid=join["uniqueid"])
    phone.wait()
    assert int(connect["holdtime"]) <= 2
    assert played(asterisk, join["channel"], "wait_hint") == []


def test_the_wait_announcement_starts_after_15_seconds(
    asterisk: AsteriskInstance, ami: AmiSession, caller: Callers
) -> None:
    phone = caller(CallerScript("13800138509", hang_up_after_s=asterisk.greeting_seconds() + 21))
    phone.start()
    join = joined(ami, "13800138509")
    phone.wait()
    channel = join["channel"]
    starts = played(asterisk, channel, "wait_hint")
    assert len(starts) == 1, starts
    # Same clock (the log): the notice ends, the caller joins; the announcement comes more than 15 s later.
    notice_end = played(asterisk, channel, "recording_notice")[0] + timedelta(
        seconds=notice_seconds(asterisk)
    )
    assert (starts[0] - notice_end).total_seconds() > 15


def notice_seconds(asterisk: AsteriskInstance) -> float:
    sounds = asterisk.host_path(asterisk.layout.sounds_dir)
    return float(soundfile.info(sounds / "recording_notice.wav").duration)


# --- the app serves FastAGI (bootstrap) ---------------------------------------------------------------------


async def test_the_hotline_app_serves_ticket_status_from_its_work_orders(start_hotline: Any) -> None:
    running = await start_hotline(asr_workers=0)
    port = running.hotline.settings.agi_port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    header = "agi_network: yes\nagi_network_script: ticket-status\nagi_request: agi://x/ticket-status\n"
    writer.write((header + "agi_uniqueid: 1.1\nagi_arg_1: 987654\n\n").encode())
    command = (await reader.readline()).decode()
    writer.write(b"200 result=1\n")
    await writer.drain()
    assert command == 'SET VARIABLE TICKET_PROMPT "ticket_not_found"\n'
    assert await reader.readline() == b""  # done: the dialplan goes on
    writer.close()
