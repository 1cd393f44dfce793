"""Missed-call call-back (漏接回拨) against a real Asterisk: a citizen gives up waiting, the hotline calls
them back through the outbound trunk (the citizen's phone is sipp on the trunk's loopback contact), the
citizen hears the notice and waits in ``hotline-callback`` until an agent takes them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller
from callcenter_sim.phones.citizen import CitizenPhone
from tests.support.hotline import RunningHotline

pytestmark = [pytest.mark.asterisk, pytest.mark.slow, pytest.mark.usefixtures("redis_streams_cleanup")]

StartHotline = Callable[..., Awaitable[RunningHotline]]
Callers = Callable[[CallerScript], SippCaller]
AgentPhones = Callable[..., AgentPhone]
MISSED_CALL_QUEUE = "hotline-callback"
FAST = {
    "asr_workers": 0,
    "missed_call_poll_ms": 100,
    "missed_call_first_delay_s": 0,
    "missed_call_quiet_hours": "",
    "missed_call_ring_s": 3,
    "missed_call_retry_s": 3,
    "missed_call_max_attempts": 2,
}


@pytest.fixture
def citizen(asterisk: AsteriskInstance, tmp_path: Path) -> Iterator[CitizenPhone]:
    phone = CitizenPhone(asterisk.settings.pstn_outbound_uri, tmp_path / "citizen")
    yield phone
    phone.stop()


@pytest.fixture
async def missed_call_members(start_hotline: StartHotline) -> AsyncIterator[list[tuple[RunningHotline, str]]]:
    """Seats this test put into the call-back queue; removed again afterwards (the Asterisk is shared)."""
    members: list[tuple[RunningHotline, str]] = []
    yield members
    for running, agent in members:
        if running.hotline.bridge.connected.is_set():
            await running.hotline.bridge.actions.queue_remove(MISSED_CALL_QUEUE, f"PJSIP/{agent}")


async def give_up_waiting(caller: Callers, asterisk: AsteriskInstance, number: str) -> None:
    """A citizen who hangs up after 2 s in the queue (no seat free for them)."""
    script = CallerScript(caller_number=number, hang_up_after_s=asterisk.greeting_seconds() + 2)
    result = await asyncio.to_thread(caller(script).run, 60)
    assert result.completed and result.answered, result.log


async def missed_call_of(running: RunningHotline, number: str) -> dict[str, Any] | None:
    items = (await running.get("/api/missed-calls"))["items"]
    return next((i for i in items if i["citizen_number"] == number), None)


async def wait_state(running: RunningHotline, number: str, within: float, **expected: Any) -> dict[str, Any]:
    async def matches() -> dict[str, Any] | None:
        item = await missed_call_of(running, number)
        return item if item and all(item[k] == v for k, v in expected.items()) else None

    found: dict[str, Any] = await running.wait_for(
        matches, within, f"missed call of {number} with {expected}"
    )
    return found


async def test_an_abandoned_call_is_called_back_and_put_through_to_an_agent(
    start_hotline: StartHotline,
    agent_phone: AgentPhones,
    caller: Callers,
    citizen: CitizenPhone,
    asterisk: AsteriskInstance,
    missed_call_members: list[tuple[RunningHotline, str]],
) -> None:
    citizen.start("answer")
    running = await start_hotline(**FAST)
    seat = agent_phone("agent1002", hang_up_after_s=1.5)
    await running.hotline.bridge.actions.queue_add(MISSED_CALL_QUEUE, "PJSIP/agent1002", "agent1002")
    missed_call_members.append((running, "agent1002"))

    await give_up_waiting(caller, asterisk, "13800138501")
    done = await wait_state(running, "13800138501", 40, state="done")
    assert done["outcome"] == "connected", done
    assert done["agent"] == "PJSIP/agent1002" and done["reason"] == "abandoned"
    assert [(h["attempt"], h["outcome"], h["reason_code"]) for h in done["history"]] == [(1, "connected", 4)]
    assert citizen.dialled_numbers() == ["13800138501"]
    assert seat.wait_ended(10).seconds > 1.0  # the agent talked to the citizen


async def test_no_answer_is_retried_and_failed_after_the_last_attempt(
    start_hotline: StartHotline, caller: Callers, citizen: CitizenPhone, asterisk: AsteriskInstance
) -> None:
    citizen.start("no_answer")
    running = await start_hotline(**{**FAST, "missed_call_retry_s": 8})  # time to switch the phone to busy
    await give_up_waiting(caller, asterisk, "13800138502")
    waiting = await wait_state(running, "13800138502", 30, state="retry_wait")
    assert (waiting["attempts"], waiting["outcome"]) == (1, "no_answer"), waiting
    assert waiting["next_attempt_at"] is not None
    citizen.start("busy")
    failed = await wait_state(running, "13800138502", 30, state="failed")
    outcomes = [h["outcome"] for h in failed["history"]]
    assert outcomes == ["no_answer", "busy"], (failed["history"], citizen.diagnostics())
    assert failed["next_attempt_at"] is None


async def test_a_citizen_who_calls_again_and_is_answered_is_not_called_back(
    start_hotline: StartHotline,
    agent_phone: AgentPhones,
    caller: Callers,
    citizen: CitizenPhone,
    asterisk: AsteriskInstance,
) -> None:
    running = await start_hotline(**{**FAST, "missed_call_first_delay_s": 120})
    await give_up_waiting(caller, asterisk, "13800138503")
    await wait_state(running, "13800138503", 20, state="pending")

    agent_phone("agent1001", hang_up_after_s=1.0)
    await running.log_in_agent("agent1001")
    again = caller(
        CallerScript(caller_number="13800138503", hang_up_after_s=asterisk.greeting_seconds() + 20)
    )
    result = await asyncio.to_thread(again.run, 60)
    assert result.answered, result.log
    cancelled = await wait_state(running, "13800138503", 20, state="cancelled")
    assert cancelled["close_reason"] == "answered_inbound" and cancelled["attempts"] == 0
    assert citizen.dialled_numbers() == []


async def test_ami_down_when_due_the_request_waits_and_is_dialled_once_ami_is_back(
    start_hotline: StartHotline, caller: Callers, citizen: CitizenPhone, asterisk: AsteriskInstance
) -> None:
    running = await start_hotline(**{**FAST, "missed_call_first_delay_s": 2, "missed_call_max_attempts": 1})
    await give_up_waiting(caller, asterisk, "13800138504")
    await wait_state(running, "13800138504", 20, state="pending")
    bridges = running.hotline.bridges
    await bridges.stop()  # the AMI link is gone while the request falls due
    await asyncio.sleep(3.0)
    still = await wait_state(running, "13800138504", 5, state="pending")
    assert still["attempts"] == 0 and still["history"] == []

    citizen.start("busy")
    await bridges.start()
    await asyncio.wait_for(running.hotline.bridge.synced.wait(), 15)
    failed = await wait_state(running, "13800138504", 20, state="failed")
    assert [h["outcome"] for h in failed["history"]] == ["busy"]
    assert citizen.dialled_numbers() == ["13800138504"]
