"""The live service-level ledger (服务水平台账): counters per (queue, hour) for the wallboard.

Each floor event is folded into its queue entry by the definition's rules (``ledger.fold``) and the
entry's contribution moved between hourly buckets, so a figure costs O(hours) and an event O(1).
Pure: no clock (``now`` is passed in), no I/O; the recorder persists the entries ``apply`` returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from callcenter.core.clock import SHANGHAI
from callcenter.queue.events import (
    CallerAbandoned,
    CallerAnswered,
    CallerJoined,
    CallerLeft,
    CallMeBackRequested,
    FloorEvent,
    FloorResynced,
)
from callcenter.queue.service_level.ledger import (
    NO_FIGURES,
    EntryKey,
    Outcome,
    QueueEntry,
    ServiceLevelFigures,
    ServiceLevelPolicy,
    contribution,
    fold,
    settle,
    upgrade,
)

HOUR_SECONDS = 3600  # Asia/Shanghai is UTC+8 all year: its hours are UTC hours
KEEP_HOURS = 25  # the tally forgets entries older than this (rolling 24 h + one hour)


def _hour(at: datetime) -> int:
    return int(at.timestamp()) // HOUR_SECONDS


def _event_key(event: FloorEvent) -> EntryKey | None:
    match event:
        case CallerJoined() | CallerLeft() | CallerAnswered() | CallerAbandoned() | CallMeBackRequested():
            return (event.server, event.entry_id, event.queue)
    return None


class ServiceLevelTally:
    """The live ledger (服务水平台账): counters per (queue, hour), updated in O(1) per floor event.

    ``apply`` returns the entries it changed, in order, so the caller can persist them; ``load`` puts
    stored entries back after a restart. Figures are asked with an injected ``now``.
    """

    def __init__(self, policy: ServiceLevelPolicy) -> None:
        self.policy = policy
        self._entries: dict[EntryKey, QueueEntry] = {}
        self._pending: dict[EntryKey, QueueEntry] = {}  # left, outcome not yet decided
        self._buckets: dict[tuple[str, int], ServiceLevelFigures] = {}  # (queue, hour) → decided figures
        self._in_hour: dict[int, set[EntryKey]] = {}
        self._oldest_hour: int | None = None

    # --- updates ----------------------------------------------------------------------------------

    def apply(self, event: FloorEvent) -> tuple[QueueEntry, ...]:
        """Fold one floor event in; the entries that changed, in the order to persist them."""
        changed = self._settle(event.at)
        changed.extend(self._resync(event) if isinstance(event, FloorResynced) else self._fold(event))
        self._prune(_hour(event.at) - KEEP_HOURS)
        return tuple(changed)

    def load(self, entries: Iterable[QueueEntry]) -> tuple[QueueEntry, ...]:
        """Put stored (or journal) entries in; later views win on the outcome ladder. The changed ones."""
        changed: list[QueueEntry] = []
        for entry in entries:
            if not self.policy.counts_queue(entry.queue):
                continue
            current = self._entries.get(entry.key)
            merged = entry if current is None else upgrade(current, entry)
            if merged != current:
                self._put(merged)
                changed.append(merged)
        return tuple(changed)

    def entries(self) -> tuple[QueueEntry, ...]:
        return tuple(self._entries.values())

    def _fold(self, event: FloorEvent) -> list[QueueEntry]:
        changed = self._left_for_another_queue(event) if isinstance(event, CallerJoined) else []
        key = _event_key(event)
        if key is None:
            return changed
        before = self._entries.get(key)
        after = fold(before, event, self.policy)
        if after is not None and after != before:
            self._put(after)
            changed.append(after)
        return changed

    def _left_for_another_queue(self, event: CallerJoined) -> list[QueueEntry]:
        """A caller who left one queue and joins another was not answered in the first (overflow)."""
        gone = [
            e for e in self._pending.values() if e.server == event.server and e.call_id == str(event.call_id)
        ]
        return [self._decide(e, event.at) for e in gone]

    def _resync(self, event: FloorResynced) -> list[QueueEntry]:
        """Entries the server no longer shows as waiting ended unseen: dropped (queue_log repairs them)."""
        waiting = {(w.queue, str(w.call_id)) for w in event.snapshot.waiting}
        for entry in list(self._entries.values()):
            lost = entry.server == event.server and entry.outcome is Outcome.WAITING and entry.left_at is None
            if lost and (entry.queue, entry.call_id) not in waiting:
                self._drop(entry.key)
        return []

    def _settle(self, now: datetime) -> list[QueueEntry]:
        due = [e for e in self._pending.values() if settle(e, now, self.policy).decided]
        return [self._decide(e, now) for e in due]

    def _decide(self, entry: QueueEntry, now: datetime) -> QueueEntry:
        decided = replace(entry, outcome=Outcome.EXITED, ended_at=entry.left_at or now)
        self._put(decided)
        return decided

    def _put(self, entry: QueueEntry) -> None:
        key, hour = entry.key, _hour(entry.entered_at)
        old = self._entries.get(key)
        if old is not None:
            self._add(old, -1)
        self._entries[key] = entry
        self._add(entry, +1)
        self._in_hour.setdefault(hour, set()).add(key)
        if entry.outcome is Outcome.WAITING and entry.left_at is not None:
            self._pending[key] = entry
        else:
            self._pending.pop(key, None)
        self._oldest_hour = hour if self._oldest_hour is None else min(self._oldest_hour, hour)

    def _add(self, entry: QueueEntry, sign: int) -> None:
        if not entry.decided:
            return
        bucket = (entry.queue, _hour(entry.entered_at))
        delta = contribution(entry, self.policy)
        current = self._buckets.get(bucket, NO_FIGURES)
        self._buckets[bucket] = current + delta if sign > 0 else current - delta

    def _drop(self, key: EntryKey) -> None:
        entry = self._entries.pop(key)
        self._add(entry, -1)
        self._pending.pop(key, None)

    def _prune(self, before_hour: int) -> None:
        while self._oldest_hour is not None and self._oldest_hour < before_hour:
            for key in self._in_hour.pop(self._oldest_hour, set()):
                if key in self._entries:
                    self._drop(key)
            self._oldest_hour = min(self._in_hour, default=None)

    # --- figures ----------------------------------------------------------------------------------

    def today(self, now: datetime) -> ServiceLevelFigures:
        """Entries that entered since midnight Asia/Shanghai (今日)."""
        return _total(self._window(_day_start(now), now, inclusive=True).values())

    def rolling_24h(self, now: datetime) -> ServiceLevelFigures:
        """Entries that entered in (now − 24 h, now] (滚动24小时)."""
        return _total(self._window(now - timedelta(hours=24), now, inclusive=False).values())

    def by_queue(self, now: datetime, *, rolling: bool = False) -> dict[str, ServiceLevelFigures]:
        """Today's figures per queue (or the rolling 24 h's with ``rolling=True``)."""
        start, inclusive = (now - timedelta(hours=24), False) if rolling else (_day_start(now), True)
        out: dict[str, ServiceLevelFigures] = {}
        for (queue, _), figures in self._window(start, now, inclusive=inclusive).items():
            out[queue] = out.get(queue, NO_FIGURES) + figures
        return dict(sorted(out.items()))

    def by_hour(self, now: datetime) -> dict[int, ServiceLevelFigures]:
        """Today's figures per hour of the day in Asia/Shanghai (0–23), hours with entries only."""
        out: dict[int, ServiceLevelFigures] = {}
        for (_, hour), figures in self._window(_day_start(now), now, inclusive=True).items():
            local = datetime.fromtimestamp(hour * HOUR_SECONDS, SHANGHAI).hour
            out[local] = out.get(local, NO_FIGURES) + figures
        return dict(sorted(out.items()))

    def _window(
        self, start: datetime, now: datetime, *, inclusive: bool
    ) -> dict[tuple[str, int], ServiceLevelFigures]:
        first, last = _hour(start), _hour(now)
        whole_first = inclusive and start.timestamp() == first * HOUR_SECONDS
        lo = first if whole_first else first + 1
        out = {b: f for b, f in self._buckets.items() if lo <= b[1] <= last}
        edge = (
            []
            if whole_first
            else [self._entries[k] for k in self._in_hour.get(first, ()) if k in self._entries]
        )
        pending = [settle(e, now, self.policy) for e in self._pending.values()]
        for entry in [
            *(e for e in edge if e.decided),
            *(e for e in pending if e.decided and _hour(e.entered_at) >= first),  # the edge hour too
        ]:
            inside = entry.entered_at >= start if inclusive else entry.entered_at > start
            if inside and entry.entered_at <= now:
                bucket = (entry.queue, _hour(entry.entered_at))
                out[bucket] = out.get(bucket, NO_FIGURES) + contribution(entry, self.policy)
        return out


def _day_start(now: datetime) -> datetime:
    local = now.astimezone(SHANGHAI)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _total(parts: Iterable[ServiceLevelFigures]) -> ServiceLevelFigures:
    total = NO_FIGURES
    for part in parts:
        total = total + part
    return total
