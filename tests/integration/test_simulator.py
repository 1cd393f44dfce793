"""The traffic simulator on a real Asterisk: 5 citizens (sipp, Mandarin speech) and 2 auto-answering
seats (one sipp process registering both); every call answered, the report agrees with itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.commands.simulate import instance_target
from callcenter.queue.events import CallCompleted, CallerJoined
from callcenter_sim.drill import run_drill
from callcenter_sim.plan import DrillSpec, plan_drill


async def test_five_calls_two_seats_all_answered(
    asterisk: AsteriskInstance, speech: Callable[[str], Path], tmp_path: Path
) -> None:
    plan = plan_drill(DrillSpec(calls=5, agents=2, handle_time_s=2.0, rate_per_s=2.0, seed=5))
    run = await run_drill(
        instance_target(asterisk), plan, speech("aishell1_BAC009S0724W0121"), tmp_path / "drill"
    )
    report = run.report
    assert report.dropped == (), "\n".join(report.lines())
    assert (report.offered, report.placed, report.reached_greeting) == (5, 5, 5)
    assert report.joined_queue == report.answered == 5
    assert report.abandoned == 0 and report.failed == 0
    assert set(report.answer_delay_s) == {"p50", "p90", "p99", "max"}
    assert report.answer_delay_s["p50"] <= report.answer_delay_s["p99"] <= report.answer_delay_s["max"]
    numbers = set(plan.by_number())
    ours = {e.entry_id for e in run.watch.floor if isinstance(e, CallerJoined) and e.caller_number in numbers}
    completed = [e for e in run.watch.floor if isinstance(e, CallCompleted) and e.entry_id in ours]
    assert len(completed) == 5  # each answered call ended with AgentComplete …
    assert {e.ended_by for e in completed} == {"caller"}  # … the citizen hanging up after its handle time
    assert {e.agent for e in completed} <= {"PJSIP/agent1001", "PJSIP/agent1002"}
