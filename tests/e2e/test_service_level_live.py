"""The live 15-second service level against a real Asterisk: an answered call, an abandoned call and a
short abandon go through the real AMI bridge and floor pipeline; the live tally equals the recount of
that Asterisk's own queue_log, and ``sl-recount --compare`` says MATCH."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.adapters.asterisk.queue_log_file import QUEUE_LOG_NAME, read_lines
from callcenter.commands.cli import main
from callcenter.queue.service_level.ledger import ServiceLevelFigures, figures_of
from callcenter.queue.service_level.queue_log import recount
from callcenter.queue.service_level.reconcile import Window, grouped
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller
from tests.e2e.test_bridge_resilience import _not, _resynced_twice, crash
from tests.support.hotline import RunningHotline

pytestmark = [pytest.mark.asterisk, pytest.mark.slow, pytest.mark.usefixtures("redis_streams_cleanup")]

StartHotline = Callable[..., Awaitable[RunningHotline]]
Callers = Callable[[CallerScript], SippCaller]
AgentPhones = Callable[..., AgentPhone]


def queue_log_of(asterisk: AsteriskInstance) -> Path:
    return asterisk.host_path(asterisk.layout.log_dir / QUEUE_LOG_NAME)


def live_since(running: RunningHotline, start: datetime) -> ServiceLevelFigures:
    recorder = running.hotline.service_level
    mine = [e for e in recorder.tally.entries() if e.entered_at >= start]
    return figures_of(mine, recorder.tally.policy, running.hotline.clock.now())


async def test_live_service_level_equals_the_queue_log_recount(
    start_hotline: StartHotline,
    agent_phone: AgentPhones,
    caller: Callers,
    asterisk: AsteriskInstance,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    journal = queue_log_of(asterisk)
    running = await start_hotline(asr_workers=0, sl_queue_log=str(journal))
    start = datetime.now(UTC).replace(microsecond=0)
    greeting = asterisk.greeting_seconds()

    # No seat logged in: one caller gives up after 8 s in the queue, one after 1 s (a short abandon).
    gave_up = caller(CallerScript(caller_number="13800138301", hang_up_after_s=greeting + 8))
    short = caller(CallerScript(caller_number="13800138302", hang_up_after_s=greeting + 1))
    results = await asyncio.gather(*(asyncio.to_thread(p.run, 60) for p in (gave_up, short)))
    assert all(r.completed for r in results), [r.log for r in results]

    # A seat logs in and answers the next caller at once; the seat hangs up after 2 s of talk.
    agent_phone("agent1001", hang_up_after_s=2.0)
    await running.log_in_agent("agent1001")
    answered = caller(CallerScript(caller_number="13800138303", hang_up_after_s=greeting + 30))
    result = await asyncio.to_thread(answered.run, 90)
    assert result.completed and result.answered, result.log

    async def settled() -> ServiceLevelFigures | None:
        live = live_since(running, start)
        return live if (live.offered, live.short_abandoned) == (2, 1) else None

    live = await running.wait_for(settled, 20, "three queue entries in the live tally")
    assert (live.answered, live.answered_in_threshold, live.abandoned) == (1, 1, 1)

    now = running.hotline.clock.now()
    recounted = recount(read_lines(journal), server=asterisk.settings.name)
    assert recounted.bad_lines == 0, recounted.bad_samples
    offline = grouped(recounted.entries, running.hotline.service_level.tally.policy, now, Window(start, now))
    assert offline["all"] == live

    body = await running.get("/api/service-level")
    assert body["today"]["offered"] >= 2 and body["target"] == 0.95

    await running.hotline.bridge.drained()  # the ledger is stored once per burst, after the live tally
    config = tmp_path / "sl.toml"
    data_dir = running.hotline.settings.data_dir
    config.write_text(f'[callcenter]\ndata_dir = "{data_dir}"\nasterisk_name = "{asterisk.settings.name}"\n')
    since = (start - timedelta(seconds=0)).isoformat()
    args = ["--config", str(config), "sl-recount", "--queue-log", str(journal), "--since", since, "--compare"]
    code = await asyncio.to_thread(main, args)
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert printed.rstrip().endswith("MATCH") and "MISMATCH" not in printed


async def test_figures_still_reconcile_after_an_asterisk_crash(
    start_hotline: StartHotline,
    caller: Callers,
    asterisk: AsteriskInstance,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    journal = queue_log_of(asterisk)
    running = await start_hotline(asr_workers=0, sl_queue_log=str(journal))
    bridge = running.hotline.bridge
    start = datetime.now(UTC).replace(microsecond=0)
    greeting = asterisk.greeting_seconds()

    # A caller waits in the queue when Asterisk dies: queue_log never writes an end for that entry.
    waiting = caller(CallerScript(caller_number="13800138311", hang_up_after_s=120))
    waiting.start()

    async def queued() -> bool:
        return any(e.entered_at >= start for e in running.hotline.service_level.tally.entries())

    await running.wait_for(queued, 20, "the caller in the queue")
    crash(asterisk)
    await running.wait_for(_not(bridge.connected.is_set), 15, "the bridge to notice")
    asterisk.start(timeout=60.0)
    await running.wait_for(_resynced_twice(bridge), 30, "the bridge to log in again and resync")
    waiting.stop()

    after = caller(CallerScript(caller_number="13800138312", hang_up_after_s=greeting + 7))
    assert (await asyncio.to_thread(after.run, 60)).completed

    async def abandoned() -> ServiceLevelFigures | None:
        live = live_since(running, start)
        return live if live.abandoned == 1 else None

    live = await running.wait_for(abandoned, 20, "the abandon after the restart")
    assert (live.offered, live.answered) == (1, 0)  # the lost caller is counted by neither side
    now = running.hotline.clock.now()
    recounted = recount(read_lines(journal), server=asterisk.settings.name)
    offline = grouped(recounted.entries, running.hotline.service_level.tally.policy, now, Window(start, now))
    assert offline["all"] == live

    await running.hotline.bridge.drained()  # the ledger is stored once per burst, after the live tally
    config = tmp_path / "sl.toml"
    data_dir = running.hotline.settings.data_dir
    config.write_text(f'[callcenter]\ndata_dir = "{data_dir}"\nasterisk_name = "{asterisk.settings.name}"\n')
    args = [
        "--config",
        str(config),
        "sl-recount",
        "--queue-log",
        str(journal),
        "--since",
        start.isoformat(),
        "--compare",
    ]
    code = await asyncio.to_thread(main, args)
    printed = capsys.readouterr().out
    assert code == 0, printed
