"""Erlang C (M/M/n) and Erlang A (M/M/n+M) queue figures — the arithmetic of 人员排班测算 (staffing).

Pure functions of the offered load, the number of agents and the times involved; no I/O.

Erlang C (Erlang 1917; e.g. Cooper, *Introduction to Queueing Theory*, 2nd ed., §3.4): with offered load
``A = λ·AHT`` Erlangs on ``n`` agents, the Erlang B blocking probability comes from the recursion
``B(0) = 1, B(k) = A·B(k-1) / (k + A·B(k-1))`` (no factorials, stable for thousands of agents), and

* probability of waiting  ``C = n·B / (n − A·(1 − B))``  (1 when ``n ≤ A``: the queue grows without bound),
* service level           ``P(W ≤ T) = 1 − C·exp(−(n − A)·T / AHT)``,
* average speed of answer ``ASA = C·AHT / (n − A)``, occupancy ``A / n``.

Erlang A (Palm 1943; Garnett, Mandelbaum & Reiman, "Designing a call center with impatient customers",
MSOM 4(3), 2002; Mandelbaum & Zeltyn, "The M/M/n+G queue: summary of performance measures"): callers
abandon after an exponential patience of mean ``1/θ``. With ``μ = 1/AHT`` the birth–death steady state gives
``π(n+j) = π(n)·Π_{i≤j} λ / (nμ + iθ)``; a caller who finds ``j`` waiting would wait the sum of independent
exponentials of rates ``nμ + iθ`` (i = j…0). Summed over ``j`` this is the density of the *virtual* wait
``V`` (the wait of a caller who never hangs up), for ``x > 0``:

    f_V(x) = π(n)·nμ·exp(φ(x)),   φ(x) = λ·(1 − e^{−θx})/θ − nμ·x

and ``P(V > 0) = π(n)·S`` with ``S = nμ·∫₀^∞ exp(φ)``, ``π(n) = B / (1 − B + B·S)``. A caller with patience
``τ`` is answered when ``τ > V``; so (over offered calls)

* answered within T  ``P(V = 0) + ∫₀^T f_V(x)·e^{−θx} dx``,
* abandoned          ``∫₀^∞ f_V(x)·(1 − e^{−θx}) dx``,
* ASA (answered)     ``∫₀^∞ x·f_V(x)·e^{−θx} dx / P(answered)``.

``φ`` is concave, so the integrals are taken in log space around its peak, on panels cut where ``φ``
crosses equally spaced levels (every panel spans the same fall of ``φ``) and at every multiple of the mean
patience (the integrands also carry ``e^{−θx}``), with Gauss–Legendre points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

LEVELS = 160  # panels on each side of φ's peak
DEPTH = 64.0  # how far below its peak φ is followed (e^-64 ≈ 1.6e-28 of the peak)
PATIENCE_STEPS = 64  # extra panel edges every mean patience: the integrands also carry e^{-θx}
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(8)


@dataclass(frozen=True, slots=True)
class QueueFigures:
    """One staffing level's figures (测算结果). Rates are over offered calls."""

    agents: int
    load_erlangs: float
    probability_of_wait: float
    service_level: float  # answered within the threshold ÷ offered (the hotline's 15-second rate)
    asa_s: float  # average speed of answer (平均应答时长) of answered calls, zero waits included
    abandon_rate: float  # 放弃率; always 0 for Erlang C
    occupancy: float  # 占用率: busy agent time ÷ agent time


def erlang_b(agents: int, load: float) -> float:
    """Erlang B blocking probability by the stable recursion (no factorials)."""
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(agents: int, load: float) -> float:
    """Erlang C probability that a caller waits; 1 when the agents cannot carry the load."""
    if agents <= load:
        return 1.0
    blocking = erlang_b(agents, load)
    return agents * blocking / (agents - load * (1.0 - blocking))


def erlang_c_figures(
    agents: int, load: float, aht_s: float, threshold_s: float, blocking: float | None = None
) -> QueueFigures:
    """M/M/n figures for ``agents`` agents on ``load`` Erlangs (infinite patience, FIFO); ``blocking`` is
    ``erlang_b(agents, load)`` when the caller has it already."""
    if agents <= load:
        occupancy = 1.0 if agents > 0 else 0.0
        return QueueFigures(agents, load, 1.0, 0.0, math.inf, 0.0, occupancy)
    b = erlang_b(agents, load) if blocking is None else blocking
    wait = agents * b / (agents - load * (1.0 - b))
    spare = agents - load
    service_level = 1.0 - wait * math.exp(-spare * threshold_s / aht_s)
    return QueueFigures(agents, load, wait, service_level, wait * aht_s / spare, 0.0, load / agents)


def erlang_a_figures(
    agents: int, load: float, aht_s: float, patience_s: float, threshold_s: float
) -> QueueFigures:
    """M/M/n+M figures: exponential patience of mean ``patience_s`` (see the module docstring)."""
    if load <= 0.0:
        return QueueFigures(agents, load, 0.0, 1.0, 0.0, 0.0, 0.0)
    if agents == 0:
        return QueueFigures(0, load, 1.0, 0.0, math.inf, 1.0, 0.0)
    curve = _WaitCurve(load / aht_s, agents / aht_s, 1.0 / patience_s, threshold_s)
    wait = _probability_of_wait(erlang_b(agents, load), curve)
    answered_late, abandoned, waited_answered = curve.shares()
    abandon = wait * abandoned
    answered = 1.0 - abandon
    asa = wait * waited_answered / answered if answered > 0.0 else math.inf
    occupancy = min(1.0, load * answered / agents)
    service_level = min(1.0, max(0.0, 1.0 - wait * (abandoned + answered_late)))
    return QueueFigures(agents, load, wait, service_level, asa, abandon, occupancy)


def _probability_of_wait(blocking: float, curve: _WaitCurve) -> float:
    """``B·S / (1 − B + B·S)`` computed as ``1 / (1 + (1 − B)/(B·S))`` in logs (S may overflow)."""
    if blocking <= 0.0:
        return 0.0
    if blocking >= 1.0:
        return 1.0
    log_ratio = math.log1p(-blocking) - math.log(blocking) - curve.log_s
    if log_ratio > 700.0:
        return 0.0
    return 1.0 / (1.0 + math.exp(log_ratio))


class _WaitCurve:
    """``exp(φ)`` on [0, ∞) for arrival rate ``lam``, service capacity ``cap = nμ``, abandon rate ``theta``;
    ``threshold`` is a panel edge so that the integral up to it is exact."""

    def __init__(self, lam: float, cap: float, theta: float, threshold: float) -> None:
        self.lam, self.cap, self.theta, self.threshold = lam, cap, theta, threshold
        self.peak_x = math.log(lam / cap) / theta if lam > cap else 0.0
        self.peak = self.phi_at(self.peak_x)
        self.edges = self._edges()
        self.x, self.w = self._points()
        self.weight = np.exp(self.phi(self.x) - self.peak) * self.w
        self.mass = float(self.weight.sum())
        self.log_s = math.log(cap) + self.peak + math.log(self.mass)

    def phi(self, x: Floats) -> Floats:
        result: Floats = -self.lam * np.expm1(-self.theta * x) / self.theta - self.cap * x
        return result

    def phi_at(self, x: float) -> float:
        return float(self.phi(np.array([x]))[0])

    def shares(self) -> tuple[float, float, float]:
        """Of the callers who find all agents busy: the share answered after the threshold, the share
        abandoned, and the mean wait × share of those answered."""
        kept = np.exp(-self.theta * self.x)
        late = self.x > self.threshold
        answered_late = float((self.weight * kept)[late].sum()) / self.mass
        abandoned = float((self.weight * -np.expm1(-self.theta * self.x)).sum()) / self.mass
        waited = float((self.weight * kept * self.x).sum()) / self.mass
        return answered_late, abandoned, waited

    def _edges(self) -> Floats:
        """Panel edges where φ falls by equal steps from its peak (both sides), up to ``DEPTH``."""
        levels = self.peak - DEPTH * np.arange(1, LEVELS + 1) / LEVELS
        right = self._crossings(levels, self.peak_x, self._far_right())
        edges = [np.array([self.peak_x]), right]
        if self.peak_x > 0.0:
            floor = self.phi_at(0.0)
            left = self._crossings(np.maximum(levels, floor), 0.0, self.peak_x)
            edges += [left, np.array([0.0])]
        end = float(right[-1])
        patience_scale = np.arange(1, PATIENCE_STEPS + 1) / self.theta  # where e^{-θx} falls by e
        inside = [
            patience_scale[patience_scale < end],
            np.array([self.threshold] if 0 < self.threshold < end else []),
        ]
        return np.unique(np.concatenate([*edges, *inside]))

    def _far_right(self) -> float:
        step = max(self.peak_x, 1.0 / self.cap)
        while self.phi_at(self.peak_x + step) > self.peak - DEPTH:
            step *= 2.0
        return self.peak_x + step

    def _crossings(self, levels: Floats, low: float, high: float) -> Floats:
        """Where the monotone φ on [low, high] equals each level (vectorised bisection)."""
        lo, hi = np.full(levels.shape, low), np.full(levels.shape, high)
        rising = self.phi_at(high) >= self.phi_at(low)
        for _ in range(80):
            mid = 0.5 * (lo + hi)
            above = (self.phi(mid) > levels) == rising
            hi, lo = np.where(above, mid, hi), np.where(above, lo, mid)
        crossing: Floats = 0.5 * (lo + hi)
        return crossing

    def _points(self) -> tuple[Floats, Floats]:
        left, right = self.edges[:-1], self.edges[1:]
        half, mid = (right - left)[:, None] / 2.0, (right + left)[:, None] / 2.0
        return (mid + half * _NODES).ravel(), (half * _WEIGHTS).ravel()
