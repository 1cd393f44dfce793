"""Live ledger against queue_log recount (对账): the same figures from both, figure by figure, and the
entries that differ, so a mismatch names its cause (docs/adr/0013-service-level-definition.md)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from callcenter.core.clock import SHANGHAI
from callcenter.queue.service_level.ledger import (
    EntryKey,
    Outcome,
    QueueEntry,
    ServiceLevelFigures,
    ServiceLevelPolicy,
    figures_of,
    settle,
)

COUNTS = (
    "offered",
    "answered",
    "answered_in_threshold",
    "abandoned",
    "short_abandoned",
    "callback_requested",
)


@dataclass(frozen=True, slots=True)
class Window:
    """Entries that entered in [start, end] (UTC)."""

    start: datetime
    end: datetime

    def holds(self, entry: QueueEntry) -> bool:
        return self.start <= entry.entered_at <= self.end


@dataclass(frozen=True, slots=True)
class FigureRow:
    scope: str  # "all", "queue hotline", "hour 2026-12-01 11:00"
    name: str
    live: int
    recount: int

    @property
    def matches(self) -> bool:
        return self.live == self.recount


@dataclass(frozen=True, slots=True)
class Reconciliation:
    rows: tuple[FigureRow, ...]
    entry_differences: tuple[str, ...]

    @property
    def matches(self) -> bool:
        return all(row.matches for row in self.rows)


def grouped(
    entries: Iterable[QueueEntry], policy: ServiceLevelPolicy, now: datetime, window: Window
) -> dict[str, ServiceLevelFigures]:
    """Figures for the whole window, per queue and per hour (Asia/Shanghai) of entry."""
    inside = [e for e in entries if window.holds(e) and policy.counts_queue(e.queue)]
    scopes: dict[str, list[QueueEntry]] = {"all": inside}
    for entry in inside:
        scopes.setdefault(f"queue {entry.queue}", []).append(entry)
        hour = entry.entered_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:00")
        scopes.setdefault(f"hour {hour}", []).append(entry)
    return {scope: figures_of(group, policy, now) for scope, group in scopes.items()}


def reconcile(
    live: Sequence[QueueEntry],
    recounted: Sequence[QueueEntry],
    policy: ServiceLevelPolicy,
    now: datetime,
    window: Window,
) -> Reconciliation:
    live_figures = grouped(live, policy, now, window)
    recount_figures = grouped(recounted, policy, now, window)
    rows = [
        FigureRow(
            scope,
            name,
            getattr(live_figures.get(scope), name, 0),
            getattr(recount_figures.get(scope), name, 0),
        )
        for scope in _scopes(live_figures, recount_figures)
        for name in COUNTS
    ]
    return Reconciliation(tuple(rows), tuple(_differences(live, recounted, policy, now, window)))


def _scopes(a: dict[str, ServiceLevelFigures], b: dict[str, ServiceLevelFigures]) -> list[str]:
    return ["all", *sorted((set(a) | set(b)) - {"all"})]


def _differences(
    live: Sequence[QueueEntry],
    recounted: Sequence[QueueEntry],
    policy: ServiceLevelPolicy,
    now: datetime,
    window: Window,
) -> list[str]:
    mine = _decided(live, policy, now)
    theirs = _decided(recounted, policy, now)
    out: list[str] = []
    for key in sorted(set(mine) | set(theirs)):
        a, b = mine.get(key), theirs.get(key)
        if not any(e is not None and window.holds(e) for e in (a, b)):
            continue
        text = _difference(key, a, b)
        if text:
            out.append(text)
    return out


def _decided(
    entries: Sequence[QueueEntry], policy: ServiceLevelPolicy, now: datetime
) -> dict[EntryKey, QueueEntry]:
    settled = (settle(e, now, policy) for e in entries if policy.counts_queue(e.queue))
    return {e.key: e for e in settled if e.decided}


def _difference(key: EntryKey, live: QueueEntry | None, recount: QueueEntry | None) -> str:
    name = f"{key[2]} {key[1]}"
    if live is None or recount is None:
        side = "queue_log only" if live is None else "live only"
        shown = recount or live
        assert shown is not None
        return f"{name}: {side} ({shown.outcome}, entered {shown.entered_at.isoformat()})"
    problems = []
    if live.outcome is not recount.outcome:
        problems.append(f"outcome live {live.outcome} / queue_log {recount.outcome}")
    if _timed(live) and live.hold_seconds != recount.hold_seconds:
        problems.append(f"hold live {live.hold_seconds} s / queue_log {recount.hold_seconds} s")
    if live.entered_at != recount.entered_at:
        problems.append(
            f"entered live {live.entered_at.isoformat()} / queue_log {recount.entered_at.isoformat()}"
        )
    return f"{name}: " + "; ".join(problems) if problems else ""


def _timed(entry: QueueEntry) -> bool:
    return entry.outcome in (Outcome.ANSWERED, Outcome.ABANDONED)
