"""The call-me-back key end to end (按键预约回拨): a citizen waiting in the queue presses 1 on a real
Asterisk.

One path across the parts: the dialplan takes the caller out of the queue (queue_log EXITWITHKEY), the
call record ends unanswered, the missed-call list holds a request with reason ``requested``, the live
15-second tally counts the entry as offered and callback-requested and equals both the recount of that
Asterisk's queue_log and the stored ledger; then the hotline calls the citizen back and puts them
through to a seat in ``hotline-callback`` (which the service level never counts).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.adapters.asterisk.queue_log_file import read_lines
from callcenter.commands.cli import main
from callcenter.queue.service_level.ledger import ServiceLevelFigures
from callcenter.queue.service_level.queue_log import recount
from callcenter.queue.service_level.reconcile import Window, grouped
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller
from callcenter_sim.phones.citizen import CitizenPhone
from tests.e2e.test_missed_calls_live import FAST, MISSED_CALL_QUEUE, missed_call_members, wait_state
from tests.e2e.test_service_level_live import live_since, queue_log_of
from tests.support.hotline import RunningHotline

pytestmark = [pytest.mark.asterisk, pytest.mark.slow, pytest.mark.usefixtures("redis_streams_cleanup")]

__all__ = ["missed_call_members"]  # the fixture, re-used from the missed-call tests

StartHotline = Callable[..., Awaitable[RunningHotline]]
Callers = Callable[[CallerScript], SippCaller]
AgentPhones = Callable[..., AgentPhone]
NUMBER = "13800138521"
SUPERVISOR = {
    "id": "supervisor-cbk",
    "display_name": "督办员回拨",
    "role": "supervisor",
    "password": "sup-pass-12345",
}


@pytest.fixture
def citizen(asterisk: AsteriskInstance, tmp_path: Path) -> Iterator[CitizenPhone]:
    phone = CitizenPhone(asterisk.settings.pstn_outbound_uri, tmp_path / "citizen")
    yield phone
    phone.stop()


async def log_in_as_supervisor(running: RunningHotline) -> None:
    """The admin (the fixture's session) adds a supervisor; the client then works as that supervisor."""
    created = await running.client.post("/api/admin/staff", json=SUPERVISOR)
    assert created.status == 201, await created.text()
    running.client.session.cookie_jar.clear()
    login = {"login": SUPERVISOR["id"], "password": SUPERVISOR["password"]}
    response = await running.client.post("/api/login", json=login)
    assert response.status == 200, await response.text()
    assert (await response.json())["role"] == "supervisor"


async def ended_call(running: RunningHotline) -> dict[str, Any] | None:
    call = await running.call_by_number(NUMBER)
    return call if call and call["phase"] == "ended" else None


async def test_the_call_me_back_key_leaves_the_queue_is_counted_and_called_back(
    start_hotline: StartHotline,
    agent_phone: AgentPhones,
    caller: Callers,
    citizen: CitizenPhone,
    asterisk: AsteriskInstance,
    missed_call_members: list[tuple[RunningHotline, str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    journal = queue_log_of(asterisk)
    citizen.start("answer")
    running = await start_hotline(**{**FAST, "missed_call_first_delay_s": 1}, sl_queue_log=str(journal))
    start = datetime.now(UTC).replace(microsecond=0)
    # A seat only for call-backs: nobody is logged in to the inbound line, so the caller waits.
    seat = agent_phone("agent1002", hang_up_after_s=1.5)
    await running.hotline.bridge.actions.queue_add(MISSED_CALL_QUEUE, "PJSIP/agent1002", "agent1002")
    missed_call_members.append((running, "agent1002"))

    # The citizen waits 3 s in the queue after the greeting, presses 1 and stays on the line until
    # Asterisk hangs up after the confirmation prompt.
    key_at = asterisk.greeting_seconds() + 3
    script = CallerScript(caller_number=NUMBER, keys=((key_at, "1"),), hang_up_after_s=key_at + 30)
    result = await asyncio.to_thread(caller(script).run, 90)
    assert result.completed and result.answered and result.ended_by == "remote", result.log

    # (1) the call record ends, not answered
    call = await running.wait_for(lambda: ended_call(running), 20, f"the call record of {NUMBER} ended")
    assert call["outcome"] == "callback_requested" and call["agent"] is None, call

    # (2) a missed-call request for the number, reason "requested", on the supervisor's list
    await log_in_as_supervisor(running)
    request = await wait_state(running, NUMBER, 20)
    assert request["reason"] == "requested", request

    # (4) called back after ~1 s, the citizen answers and the call-back seat takes them
    done = await wait_state(running, NUMBER, 40, state="done")
    assert (done["outcome"], done["agent"], done["reason"]) == (
        "connected",
        "PJSIP/agent1002",
        "requested",
    ), done
    assert [h["outcome"] for h in done["history"]] == ["connected"], done
    assert citizen.dialled_numbers() == [NUMBER]
    assert seat.wait_ended(10).seconds > 1.0  # the agent talked to the citizen

    # (3) offered once, callback-requested, not answered — the call-back leg is never counted as inbound
    async def counted() -> ServiceLevelFigures | None:
        live = live_since(running, start)
        return live if live.callback_requested == 1 else None

    live = await running.wait_for(counted, 20, "the keyed entry in the live tally")
    assert (live.offered, live.answered, live.abandoned, live.short_abandoned) == (1, 0, 0, 0), live

    now = running.hotline.clock.now()
    lines = read_lines(journal)
    assert any(f"|{MISSED_CALL_QUEUE}|" not in line and "|EXITWITHKEY|1|" in line for line in lines), lines[
        -20:
    ]
    recounted = recount(lines, server=asterisk.settings.name)
    assert recounted.bad_lines == 0, recounted.bad_samples
    offline = grouped(recounted.entries, running.hotline.service_level.tally.policy, now, Window(start, now))
    assert offline["all"] == live

    await running.hotline.bridge.drained()  # the ledger is stored once per burst, after the live tally
    config = tmp_path / "sl.toml"
    data_dir = running.hotline.settings.data_dir
    config.write_text(f'[callcenter]\ndata_dir = "{data_dir}"\nasterisk_name = "{asterisk.settings.name}"\n')
    args = ["--config", str(config), "sl-recount", "--queue-log", str(journal), "--since", start.isoformat()]
    code = await asyncio.to_thread(main, [*args, "--compare"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert printed.rstrip().endswith("MATCH") and "MISMATCH" not in printed
