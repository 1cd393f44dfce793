"""Drill planning (演练计划) and the drill report: pure, seeded, consistent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.core.errors import InvalidInput
from callcenter.core.ids import CallId
from callcenter.queue.events import CallerAbandoned, CallerAnswered, CallerJoined, FloorEvent
from callcenter_sim.plan import MIN_HANDLE_S, DrillSpec, HandleSpread, plan_drill
from callcenter_sim.report import PhoneLog, SippCounters, build_report, percentile
from callcenter_sim.scenarios import citizen_scenario, seat_answers_scenario, ticks

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def test_same_seed_same_plan_other_seed_other_plan() -> None:
    spec = DrillSpec(calls=50, agents=3, handle_time_s=30, rate_per_s=0.5, patience_s=40, seed=7)
    assert plan_drill(spec) == plan_drill(spec)
    other = plan_drill(DrillSpec(calls=50, agents=3, handle_time_s=30, rate_per_s=0.5, patience_s=40, seed=8))
    assert other.calls != plan_drill(spec).calls


def test_poisson_arrivals_start_at_zero_increase_and_average_the_rate() -> None:
    plan = plan_drill(DrillSpec(calls=4000, agents=1, handle_time_s=5, rate_per_s=2.0))
    starts = [c.start_s for c in plan.calls]
    assert starts[0] == 0.0
    assert starts == sorted(starts)
    assert 1.9 < (len(starts) - 1) / starts[-1] < 2.1  # mean gap 1/rate
    assert plan.concurrency_limit == 4000  # every call may be in the system at once


def test_concurrency_drill_starts_everything_at_once_within_the_limit() -> None:
    plan = plan_drill(DrillSpec(calls=300, agents=10, handle_time_s=20, concurrent=100))
    assert {c.start_s for c in plan.calls} == {0.0}
    assert plan.concurrency_limit == 100


def test_numbers_are_unique_digits_and_follow_the_index() -> None:
    plan = plan_drill(DrillSpec(calls=20, agents=1, handle_time_s=5, concurrent=2))
    numbers = [c.caller_number for c in plan.calls]
    assert len(set(numbers)) == 20 and all(n.isdigit() for n in numbers)
    assert numbers[0] == "13900000001"


def test_handle_times_fixed_or_exponential_never_below_the_minimum() -> None:
    fixed = plan_drill(DrillSpec(calls=100, agents=1, handle_time_s=12, concurrent=1))
    assert {c.handle_s for c in fixed.calls} == {12}
    spread = plan_drill(
        DrillSpec(
            calls=3000, agents=1, handle_time_s=12, concurrent=1, handle_spread=HandleSpread.EXPONENTIAL
        )
    )
    handles = [c.handle_s for c in spread.calls]
    assert min(handles) >= MIN_HANDLE_S
    assert 11 < sum(handles) / len(handles) < 13.5


def test_patience_is_none_without_a_mean_and_positive_with_one() -> None:
    waits = plan_drill(DrillSpec(calls=10, agents=1, handle_time_s=5, concurrent=1))
    assert all(c.patience_s is None for c in waits.calls)
    gives_up = plan_drill(DrillSpec(calls=10, agents=1, handle_time_s=5, concurrent=1, patience_s=30))
    assert all(c.patience_s is not None and c.patience_s > 0 for c in gives_up.calls)


@pytest.mark.parametrize(
    "bad",
    [
        {"calls": 0},
        {"agents": 0},
        {"handle_time_s": 0.5},
        {"rate_per_s": 1.0, "concurrent": 5},
        {"rate_per_s": None, "concurrent": None},
        {"rate_per_s": -1.0, "concurrent": None},
        {"patience_s": 0.0},
    ],
)
def test_bad_specs_are_refused_with_a_clear_error(bad: dict[str, object]) -> None:
    values: dict[str, object] = {"calls": 5, "agents": 2, "handle_time_s": 10.0, "concurrent": 5}
    values.update(bad)
    with pytest.raises(InvalidInput, match="drill:"):
        DrillSpec(**values)  # type: ignore[arg-type]


def test_percentile_nearest_rank() -> None:
    ordered = [float(i) for i in range(1, 101)]
    assert percentile(ordered, 50) == 50.0
    assert percentile(ordered, 99) == 99.0
    assert percentile([3.0], 99) == 3.0


def _joined(n: int, number: str, at: datetime) -> CallerJoined:
    return CallerJoined("s", "hotline", f"e{n}", CallId(f"c{n}"), number, 1, at)


def test_report_counts_answered_abandoned_and_dropped_consistently() -> None:
    plan = plan_drill(DrillSpec(calls=4, agents=1, handle_time_s=5, concurrent=4, patience_s=10))
    a, b, c, d = (call.caller_number for call in plan.calls)
    floor: list[FloorEvent] = [
        _joined(1, a, T0),
        _joined(2, b, T0),
        _joined(3, c, T0),
        CallerAnswered("s", "hotline", "e1", CallId("c1"), "PJSIP/agent1001", 2, T0 + timedelta(seconds=2)),
        CallerAnswered("s", "hotline", "e2", CallId("c2"), "PJSIP/agent1002", 20, T0 + timedelta(seconds=20)),
        CallerAbandoned("s", "hotline", "e3", CallId("c3"), c, 9, 1, T0 + timedelta(seconds=9)),
        _joined(9, "13800000000", T0),  # a real citizen during the drill: not counted
    ]
    phones = PhoneLog(
        {
            a: frozenset({"answered", "agent", "caller-bye"}),
            b: frozenset({"answered", "agent", "caller-bye"}),
            c: frozenset({"answered", "abandon", "caller-bye"}),
            d: frozenset({"answered", "remote-bye"}),  # Asterisk hung up on the citizen
        }
    )
    report = build_report(plan, floor, {a: 16, b: 16, c: 0, d: 16}, phones, SippCounters(4, 4, 0))
    assert (report.offered, report.joined_queue, report.answered, report.abandoned) == (4, 3, 2, 1)
    assert report.answered_in_target == 1
    assert report.answer_delay_s["p50"] == 2.0 and report.answer_delay_s["max"] == 20.0
    assert report.dropped == (d,)
    assert report.unexpected_causes == {}
    assert any("dropped calls           1" in line for line in report.lines())


def test_report_names_unexpected_hangup_causes() -> None:
    plan = plan_drill(DrillSpec(calls=1, agents=1, handle_time_s=5, concurrent=1))
    n = plan.calls[0].caller_number
    phones = PhoneLog({n: frozenset({"answered", "caller-bye"})})
    report = build_report(plan, [], {n: 34}, phones, SippCounters(1, 0, 1))
    assert report.unexpected_causes == {n: 34}
    assert report.dropped == (n,)


def test_scenarios_are_xml_with_the_speech_and_tick_counts() -> None:
    import xml.dom.minidom

    xml.dom.minidom.parseString(citizen_scenario("/tmp/x.pcap"))
    xml.dom.minidom.parseString(citizen_scenario(None))
    xml.dom.minidom.parseString(seat_answers_scenario(60000))
    assert "play_pcap_audio" in citizen_scenario("/tmp/x.pcap")
    assert ticks(0.1) == 1 and ticks(3.0) == 6
