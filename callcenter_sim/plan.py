"""Planning a drill (演练): which citizens call when, how long they wait, how long agents talk.

Pure and seeded: the same ``DrillSpec`` always gives the same ``DrillPlan``, so a drill can be repeated
and two runs compared. Two ways to offer traffic:

* ``rate`` — Poisson arrivals (exponential gaps, mean ``1/rate`` s): the classic model of independent
  citizens calling a hotline (Erlang C assumes it);
* ``concurrent`` — a fixed number of calls in the system at all times: each call that ends is replaced
  at once (a soak test, and the way to hold e.g. 100 calls through greeting → queue).

Caller patience (耐心) is exponential with the given mean (no patience: the caller waits until answered);
it counts from the moment the caller reaches the queue (after the greeting). Handle time (通话时长) is
either fixed or exponential with the given mean, never below ``MIN_HANDLE_S``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from callcenter.core.errors import InvalidInput

MIN_HANDLE_S = 1.0
MAX_CALLS = 100_000
FIRST_NUMBER = 13900000000  # simulated citizens: 139xxxxxxxx, the call's index added


class Arrivals(StrEnum):
    RATE = "rate"  # Poisson, calls per second
    CONCURRENT = "concurrent"  # a fixed number of calls in the system


class HandleSpread(StrEnum):
    FIXED = "fixed"
    EXPONENTIAL = "exponential"


@dataclass(frozen=True, slots=True)
class DrillSpec:
    """What the hotline's drill leader asks for (``python -m callcenter simulate …``)."""

    calls: int
    agents: int
    handle_time_s: float
    rate_per_s: float | None = None
    concurrent: int | None = None
    handle_spread: HandleSpread = HandleSpread.FIXED
    patience_s: float | None = None
    seed: int = 12345
    first_number: int = FIRST_NUMBER

    def __post_init__(self) -> None:
        _require(1 <= self.calls <= MAX_CALLS, f"calls must be 1 to {MAX_CALLS}")
        _require(self.agents >= 1, "agents must be at least 1")
        _require(self.handle_time_s >= MIN_HANDLE_S, f"handle time must be at least {MIN_HANDLE_S} s")
        _require(
            (self.rate_per_s is None) != (self.concurrent is None), "give either a rate or a concurrency"
        )
        _require(self.rate_per_s is None or self.rate_per_s > 0, "rate must be above 0 calls/s")
        _require(self.concurrent is None or self.concurrent >= 1, "concurrency must be at least 1")
        _require(self.patience_s is None or self.patience_s > 0, "patience must be above 0 s")
        _require(len(str(self.first_number + self.calls)) <= 20, "caller numbers must stay ≤ 20 digits")

    @property
    def arrivals(self) -> Arrivals:
        return Arrivals.RATE if self.rate_per_s is not None else Arrivals.CONCURRENT


@dataclass(frozen=True, slots=True)
class PlannedCall:
    """One citizen's call. ``start_s``: seconds after the drill starts (0 for every call of a
    concurrency drill: the simulator starts the next call when one ends); ``patience_s`` None = waits."""

    index: int
    caller_number: str
    start_s: float
    patience_s: float | None
    handle_s: float


@dataclass(frozen=True, slots=True)
class DrillPlan:
    spec: DrillSpec
    calls: tuple[PlannedCall, ...]

    @property
    def concurrency_limit(self) -> int:
        """Most calls the caller side may hold at once (all of them for Poisson arrivals)."""
        return self.spec.concurrent if self.spec.concurrent is not None else len(self.calls)

    @property
    def offered_span_s(self) -> float:
        return max(c.start_s for c in self.calls)

    def by_number(self) -> dict[str, PlannedCall]:
        return {c.caller_number: c for c in self.calls}


def plan_drill(spec: DrillSpec) -> DrillPlan:
    """The calls of a drill: numbers, start offsets, patience and handle times, all from ``spec.seed``."""
    rng = random.Random(spec.seed)
    starts = _arrival_offsets(spec, rng)
    calls = tuple(
        PlannedCall(
            index=i,
            caller_number=str(spec.first_number + i + 1),
            start_s=starts[i],
            patience_s=_patience(spec, rng),
            handle_s=_handle(spec, rng),
        )
        for i in range(spec.calls)
    )
    return DrillPlan(spec, calls)


def _arrival_offsets(spec: DrillSpec, rng: random.Random) -> list[float]:
    if spec.rate_per_s is None:
        return [0.0] * spec.calls
    offsets, t = [], 0.0
    for _ in range(spec.calls):
        offsets.append(round(t, 3))
        t += rng.expovariate(spec.rate_per_s)
    return offsets


def _patience(spec: DrillSpec, rng: random.Random) -> float | None:
    if spec.patience_s is None:
        return None
    return round(rng.expovariate(1.0 / spec.patience_s), 3)


def _handle(spec: DrillSpec, rng: random.Random) -> float:
    if spec.handle_spread is HandleSpread.FIXED:
        return spec.handle_time_s
    return round(max(MIN_HANDLE_S, rng.expovariate(1.0 / spec.handle_time_s)), 3)


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise InvalidInput(f"drill: {message}")
