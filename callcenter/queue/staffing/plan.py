"""Staffing (人员排班测算): how many agents answer a forecast of calls within the service-level target.

Pure: inputs checked here (domain errors with stable codes, so hostile input is refused and never makes
the search run long), the queue arithmetic in ``erlang.py``. The target is the hotline's own measure —
calls answered within the threshold over calls offered (e.g. 95 % within 15 s) — optionally with a cap on
agent occupancy. Erlang C assumes nobody hangs up; Erlang A adds exponential patience.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from callcenter.core.errors import InvalidInput
from callcenter.queue.staffing.erlang import QueueFigures, erlang_a_figures, erlang_b, erlang_c_figures

MAX_CALLS_PER_HOUR = 100_000.0  # beyond any 12345 hotline (a province's peak hour is a few thousand)
AHT_RANGE_S = (1.0, 7_200.0)
PATIENCE_RANGE_S = (1.0, 86_400.0)
THRESHOLD_RANGE_S = (0.0, 3_600.0)
TARGET_RANGE = (0.01, 0.999)  # 100 % is never reached by a queue with random arrivals
OCCUPANCY_RANGE = (0.3, 1.0)
MAX_AGENTS = 12_000  # the search never goes beyond this many agents
HOURS = 24


class Model(StrEnum):
    ERLANG_C = "erlang_c"  # M/M/n: callers wait as long as it takes
    ERLANG_A = "erlang_a"  # M/M/n+M: callers hang up after an exponential patience


class StaffingInputError(InvalidInput):
    """A staffing input outside its range (negative, zero handle time, not a number, absurdly large)."""

    code = "staffing_invalid"


class TargetUnreachable(InvalidInput):
    """No number of agents up to ``MAX_AGENTS`` meets the target."""

    code = "staffing_unreachable"


@dataclass(frozen=True, slots=True)
class Target:
    """The service-level goal (服务水平目标): ``service_level`` of calls answered within ``threshold_s``."""

    service_level: float = 0.95
    threshold_s: float = 15.0
    max_occupancy: float | None = None  # 占用率上限, e.g. 0.85

    def __post_init__(self) -> None:
        bounded("target", self.service_level, *TARGET_RANGE)
        bounded("threshold_s", self.threshold_s, *THRESHOLD_RANGE_S)
        if self.max_occupancy is not None:
            bounded("max_occupancy", self.max_occupancy, *OCCUPANCY_RANGE)


@dataclass(frozen=True, slots=True)
class Demand:
    """One interval's traffic (话务量): calls per hour, average handle time, mean patience (Erlang A)."""

    calls_per_hour: float
    aht_s: float
    patience_s: float | None = None

    def __post_init__(self) -> None:
        bounded("calls_per_hour", self.calls_per_hour, 0.0, MAX_CALLS_PER_HOUR)
        bounded("aht_s", self.aht_s, *AHT_RANGE_S)
        if self.patience_s is not None:
            bounded("patience_s", self.patience_s, *PATIENCE_RANGE_S)
        if self.load > MAX_AGENTS * OCCUPANCY_RANGE[1] / 2:
            raise StaffingInputError(
                "the offered load is beyond what this calculator staffs", field="calls_per_hour"
            )

    @property
    def load(self) -> float:
        """Offered load in Erlangs (话务强度): calls per second × handle time."""
        return self.calls_per_hour * self.aht_s / 3600.0


@dataclass(frozen=True, slots=True)
class HourPlan:
    """One hour of the plan: agents by Erlang C, and by Erlang A when a patience was given."""

    hour: int
    calls: float
    erlang_c: QueueFigures
    erlang_a: QueueFigures | None


def bounded(name: str, value: float, low: float, high: float) -> float:
    """``value`` if it is a finite number in [low, high]; else ``StaffingInputError`` naming the field."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StaffingInputError(f"{name} must be a finite number", field=name)
    try:
        number = float(value)  # a huge JSON integer overflows here
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise StaffingInputError(f"{name} must be a finite number", field=name)
    if not low <= number <= high:
        raise StaffingInputError(f"{name} must be between {low:g} and {high:g}", field=name)
    return number


def figures(agents: int, demand: Demand, target: Target, model: Model) -> QueueFigures:
    """The queue's figures for ``agents`` agents."""
    if model is Model.ERLANG_C:
        return erlang_c_figures(agents, demand.load, demand.aht_s, target.threshold_s)
    if demand.patience_s is None:
        raise StaffingInputError("Erlang A needs the callers' mean patience", field="patience_s")
    return erlang_a_figures(agents, demand.load, demand.aht_s, demand.patience_s, target.threshold_s)


def agents_needed(
    calls_per_hour: float,
    aht_s: float,
    *,
    target: float = 0.95,
    threshold_s: float = 15.0,
    model: Model = Model.ERLANG_C,
    patience_s: float | None = None,
    max_occupancy: float | None = None,
) -> QueueFigures:
    """The fewest agents for ``calls_per_hour`` calls of ``aht_s`` seconds to have ``target`` of them
    answered within ``threshold_s`` (see ``staff_for``)."""
    return staff_for(
        Demand(calls_per_hour, aht_s, patience_s), Target(target, threshold_s, max_occupancy), model
    )


def staff_for(demand: Demand, target: Target, model: Model = Model.ERLANG_C) -> QueueFigures:
    """The fewest agents that meet ``target`` (and its occupancy cap), with their figures.

    No calls need no agents. Erlang C scans upward from the load (one Erlang B step per agent). Erlang A
    bisects — its service level rises and its occupancy falls with every agent added — between
    ⌈load × target⌉ − 1 agents (too few: the share answered is at most agents ÷ load) and the Erlang C
    answer (enough for hotline handle times; doubled until enough otherwise).
    """
    if demand.load <= 0.0:
        return QueueFigures(0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    if model is Model.ERLANG_C:
        return _scan_erlang_c(demand, target)
    figures(1, demand, target, model)  # the patience is there
    try:
        guess = _scan_erlang_c(demand, target).agents
    except TargetUnreachable:
        guess = MAX_AGENTS
    low = max(0, math.ceil(demand.load * target.service_level) - 1)
    return _bisect(lambda n: figures(n, demand, target, model), target, low, guess)


def _meets(result: QueueFigures, target: Target) -> bool:
    occupancy_ok = target.max_occupancy is None or result.occupancy <= target.max_occupancy
    return result.service_level >= target.service_level and occupancy_ok


def _scan_erlang_c(demand: Demand, target: Target) -> QueueFigures:
    load = demand.load
    agents = math.floor(load) + 1
    if target.max_occupancy is not None:
        agents = max(agents, math.ceil(load / target.max_occupancy))
    blocking = erlang_b(agents, load)
    while agents <= MAX_AGENTS:
        result = erlang_c_figures(agents, load, demand.aht_s, target.threshold_s, blocking)
        if _meets(result, target):
            return result
        agents += 1
        blocking = load * blocking / (agents + load * blocking)
    raise TargetUnreachable(f"more than {MAX_AGENTS} agents would be needed", limit=MAX_AGENTS)


def _bisect(at: Callable[[int], QueueFigures], target: Target, low: int, high: int) -> QueueFigures:
    """The fewest agents in (low, …] that meet the target; ``low`` does not."""
    while not _meets(at(high), target):
        if high >= MAX_AGENTS:
            raise TargetUnreachable(f"more than {MAX_AGENTS} agents would be needed", limit=MAX_AGENTS)
        low, high = high, min(2 * high, MAX_AGENTS)
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if _meets(at(mid), target) else (mid, high)
    return at(high)


def hourly_plan(
    forecast: Sequence[tuple[int, float]], aht_s: float, patience_s: float | None, target: Target
) -> tuple[HourPlan, ...]:
    """A plan per forecast hour (0–23, each at most once): Erlang C agents, and Erlang A agents when the
    callers' patience is known."""
    if not 1 <= len(forecast) <= HOURS:
        raise StaffingInputError(f"the forecast must have 1 to {HOURS} hours", field="forecast")
    hours = [hour for hour, _calls in forecast]
    if any(isinstance(h, bool) or not isinstance(h, int) or not 0 <= h < HOURS for h in hours):
        raise StaffingInputError("each hour must be a whole number from 0 to 23", field="hour")
    if len(set(hours)) != len(hours):
        raise StaffingInputError("an hour appears twice in the forecast", field="hour")
    return tuple(_hour(hour, calls, aht_s, patience_s, target) for hour, calls in sorted(forecast))


def _hour(hour: int, calls: float, aht_s: float, patience_s: float | None, target: Target) -> HourPlan:
    demand = Demand(calls, aht_s, patience_s)
    with_patience = None if patience_s is None else staff_for(demand, target, Model.ERLANG_A)
    return HourPlan(hour, float(calls), staff_for(demand, target, Model.ERLANG_C), with_patience)


def figures_dict(f: QueueFigures) -> dict[str, float | int | None]:
    """Plain values for JSON (an unbounded wait is ``None``, never ``Infinity``)."""
    values = {
        "agents": f.agents,
        "load_erlangs": f.load_erlangs,
        "probability_of_wait": f.probability_of_wait,
        "service_level": f.service_level,
        "asa_s": f.asa_s,
        "abandon_rate": f.abandon_rate,
        "occupancy": f.occupancy,
    }
    return {k: v if isinstance(v, int) or math.isfinite(v) else None for k, v in values.items()}


def hour_dict(p: HourPlan) -> dict[str, object]:
    return {
        "hour": p.hour,
        "calls": p.calls,
        "erlang_c": figures_dict(p.erlang_c),
        "erlang_a": None if p.erlang_a is None else figures_dict(p.erlang_a),
    }


def day_of(values: Sequence[float]) -> tuple[tuple[int, float], ...]:
    """Twenty-four hourly figures (hour 0 first) as a forecast."""
    if len(values) != HOURS:
        raise StaffingInputError(f"a day's forecast has {HOURS} hourly figures", field="forecast")
    return tuple(enumerate(values))
