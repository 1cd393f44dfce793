"""The drill report (演练报告): what the simulated citizens and the floor saw, folded into figures.

Inputs are plain facts gathered by the adapters: the floor events of the drill's callers (queue join,
agent answer, abandon — Asterisk's own timestamps), the hang-up cause of each caller's channel, what each
simulated phone logged, and sipp's call counters. Nothing here reads a clock or does I/O.

Rule for a *dropped* call (掉话): a call the citizen did not end on purpose — it never got through to the
greeting, Asterisk (not the citizen) hung up, or its channel ended with an unexpected cause (anything but
normal clearing 16, or 0 for a citizen who hung up while queued). sipp's failed calls are counted too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from callcenter.queue.events import CallerAbandoned, CallerAnswered, CallerJoined, FloorEvent
from callcenter_sim.plan import DrillPlan

NORMAL_CLEARING = 16
UNKNOWN_CAUSE = 0
ANSWER_TARGET_S = 15.0


@dataclass(frozen=True, slots=True)
class PhoneLog:
    """What the simulated phones wrote: number → set of markers (see scenarios.Marker)."""

    markers: Mapping[str, frozenset[str]]

    def has(self, number: str, marker: str) -> bool:
        return marker in self.markers.get(number, frozenset())


@dataclass(frozen=True, slots=True)
class SippCounters:
    """sipp's own call counters at the end of the run (its ``-trace_stat`` file)."""

    placed: int
    successful: int
    failed: int


@dataclass(frozen=True, slots=True)
class DrillReport:
    offered: int  # planned calls
    placed: int  # INVITEs sipp sent
    reached_greeting: int  # Asterisk answered (greeting played)
    joined_queue: int
    answered: int  # AgentConnect
    answered_in_target: int  # answered within 15 s of joining the queue
    abandoned: int  # QueueCallerAbandon
    failed: int  # sipp's failed calls
    dropped: tuple[str, ...]  # caller numbers of dropped calls
    unexpected_causes: Mapping[str, int]  # caller number → hang-up cause other than 16
    answer_delay_s: Mapping[str, float] = field(default_factory=dict)  # p50, p90, p99, max

    def lines(self) -> list[str]:
        """The report as printed by ``python -m callcenter simulate``."""
        delays = ", ".join(f"{k} {v:.2f} s" for k, v in self.answer_delay_s.items()) or "none answered"
        rate = f"{self.answered_in_target / self.joined_queue:.1%}" if self.joined_queue else "n/a"
        return [
            f"offered calls           {self.offered}",
            f"placed (sipp INVITEs)   {self.placed}",
            f"reached greeting        {self.reached_greeting}",
            f"joined queue            {self.joined_queue}",
            f"answered by an agent    {self.answered}  (within 15 s: {self.answered_in_target}, {rate})",
            f"abandoned               {self.abandoned}",
            f"answer delay            {delays}",
            f"sipp failed calls       {self.failed}",
            f"dropped calls           {len(self.dropped)}" + _some(self.dropped),
            f"unexpected hang-ups     {len(self.unexpected_causes)}"
            + _some([f"{n}:{c}" for n, c in self.unexpected_causes.items()]),
        ]


def build_report(
    plan: DrillPlan,
    floor: Iterable[FloorEvent],
    hangup_causes: Mapping[str, int],
    phones: PhoneLog,
    counters: SippCounters,
) -> DrillReport:
    """Fold one drill's facts into its report; ``hangup_causes`` is caller number → cause."""
    numbers = set(plan.by_number())
    joined: dict[str, CallerJoined] = {}
    answered: dict[str, CallerAnswered] = {}
    abandoned: set[str] = set()
    for event in floor:
        if isinstance(event, CallerJoined) and event.caller_number in numbers:
            joined[event.entry_id] = event
        elif isinstance(event, CallerAnswered) and event.entry_id in joined:
            answered[event.entry_id] = event
        elif isinstance(event, CallerAbandoned) and event.entry_id in joined:
            abandoned.add(event.entry_id)
    delays = [(answered[e].at - joined[e].at).total_seconds() for e in answered]
    unexpected = {n: c for n, c in hangup_causes.items() if n in numbers and not expected_cause(c, phones, n)}
    return DrillReport(
        offered=len(plan.calls),
        placed=counters.placed,
        reached_greeting=sum(phones.has(n, "answered") for n in numbers),
        joined_queue=len(joined),
        answered=len(answered),
        answered_in_target=sum(d <= ANSWER_TARGET_S for d in delays),
        abandoned=len(abandoned),
        failed=counters.failed,
        dropped=dropped_calls(plan, phones, unexpected, counters),
        unexpected_causes=dict(sorted(unexpected.items())),
        answer_delay_s=delay_percentiles(delays),
    )


def expected_cause(cause: int, phones: PhoneLog, number: str) -> bool:
    """Normal clearing (16) always; Asterisk 22 reports 0 for a caller who hangs up while queued."""
    return cause == NORMAL_CLEARING or (cause == UNKNOWN_CAUSE and phones.has(number, "caller-bye"))


def dropped_calls(
    plan: DrillPlan, phones: PhoneLog, unexpected: Mapping[str, int], counters: SippCounters
) -> tuple[str, ...]:
    """Numbers of the calls that were not ended on purpose by the citizen (see the module rule)."""
    dropped = []
    for call in plan.calls:
        n = call.caller_number
        ended_on_purpose = phones.has(n, "caller-bye")
        if not phones.has(n, "answered") or not ended_on_purpose or n in unexpected:
            dropped.append(n)
    if counters.failed and not dropped:  # sipp saw failures its log does not name
        dropped.append(f"<{counters.failed} failed in sipp>")
    return tuple(dropped)


def delay_percentiles(delays: Sequence[float]) -> dict[str, float]:
    if not delays:
        return {}
    ordered = sorted(delays)
    return {
        "p50": percentile(ordered, 50),
        "p90": percentile(ordered, 90),
        "p99": percentile(ordered, 99),
        "max": ordered[-1],
    }


def percentile(ordered: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted, non-empty sequence."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _some(items: Sequence[str], limit: int = 5) -> str:
    if not items:
        return ""
    more = f" … (+{len(items) - limit})" if len(items) > limit else ""
    return "  (" + ", ".join(items[:limit]) + more + ")"
