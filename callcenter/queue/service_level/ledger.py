"""The 15-second service level (15秒服务水平) and the connection rate (接通率), counted over offered calls.

The definition is docs/adr/0013-service-level-definition.md; in short: one queue entry (排队记录) per
caller's entry into an inbound queue (``hotline-callback`` and other excluded queues are not inbound);
an entry is *offered* when it ended, except a short abandon (caller hung up within
``short_abandon_seconds``); *answered within the threshold* when Asterisk's own integer hold time
(AgentConnect ``HoldTime`` = queue_log CONNECT holdtime) is at most ``threshold_seconds``; a caller who
pressed the call-me-back key (按键预约回拨) or whose wait timed out is offered and not answered.

Pure: no clock, no I/O. ``fold`` moves one entry along by one floor event; ``ServiceLevelTally`` keeps
the counters for the wallboard; ``figures_of`` counts any set of entries
the same way (the queue_log recount, the stored ledger).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

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

MISSED_CALL_QUEUE = "hotline-callback"  # our own missed-call call-backs put through to agents: never inbound


class Outcome(StrEnum):
    """How a queue entry ended (or that it has not yet)."""

    WAITING = "waiting"  # still in the queue, or left and not yet decided (``left_at`` set)
    ANSWERED = "answered"  # 接通 (AgentConnect / CONNECT)
    ABANDONED = "abandoned"  # 放弃: hung up while waiting (QueueCallerAbandon / ABANDON)
    CALL_ME_BACK = (
        "callback"  # 按键预约回拨: left by the call-me-back key (CallMeBackRequested / EXITWITHKEY)
    )
    EXITED = "exited"  # left by timeout, empty queue or another key (EXITWITHTIMEOUT / EXITEMPTY)


# An outcome only ever moves up this ladder (idempotent, order-proof updates). ``exited`` is decided
# when no AgentConnect followed a QueueCallerLeave in time; a late answer or call-me-back key still wins.
_RANK = {
    Outcome.WAITING: 0,
    Outcome.EXITED: 1,
    Outcome.CALL_ME_BACK: 2,
    Outcome.ABANDONED: 3,
    Outcome.ANSWERED: 3,
}

EntryKey = tuple[str, str, str]  # (server, entry_id, queue)


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One caller's entry into one queue. ``entered_at`` is UTC, whole seconds (queue_log's clock)."""

    server: str
    queue: str
    entry_id: str  # caller channel Uniqueid = queue_log callid
    call_id: str  # Linkedid
    entered_at: datetime
    outcome: Outcome = Outcome.WAITING
    hold_seconds: int | None = None
    ended_at: datetime | None = None
    agent: str = ""
    left_at: datetime | None = None  # QueueCallerLeave seen; outcome decided later

    @property
    def key(self) -> EntryKey:
        return (self.server, self.entry_id, self.queue)

    @property
    def decided(self) -> bool:
        return self.outcome is not Outcome.WAITING


@dataclass(frozen=True, slots=True)
class ServiceLevelPolicy:
    """What counts (the ADR's settings): threshold, bar, short abandons, excluded queues, decision grace."""

    threshold_seconds: int = 15
    target: float = 0.95  # GB/T 33358-2016 connection-rate bar, also the 15-second rate's bar
    short_abandon_seconds: int = 5  # abandons with hold < this are not offered; 0 counts them all
    excluded_queues: frozenset[str] = frozenset({MISSED_CALL_QUEUE})
    decide_after: timedelta = timedelta(seconds=3)  # a left entry without AgentConnect → exited

    def counts_queue(self, queue: str) -> bool:
        return queue not in self.excluded_queues


@dataclass(frozen=True, slots=True)
class ServiceLevelFigures:
    """Counts over a set of ended entries, and the rates over *offered* entries (None when none)."""

    offered: int = 0
    answered: int = 0
    answered_in_threshold: int = 0
    abandoned: int = 0  # counted abandons (not short)
    short_abandoned: int = 0  # not in offered
    callback_requested: int = 0  # in offered, not answered

    @property
    def rate_in_threshold(self) -> float | None:
        """15秒接通率: answered within the threshold / offered."""
        return self.answered_in_threshold / self.offered if self.offered else None

    @property
    def connection_rate(self) -> float | None:
        """接通率: answered / offered."""
        return self.answered / self.offered if self.offered else None

    @property
    def abandon_rate(self) -> float | None:
        """放弃率: counted abandons / offered."""
        return self.abandoned / self.offered if self.offered else None

    def __add__(self, other: ServiceLevelFigures) -> ServiceLevelFigures:
        return ServiceLevelFigures(*(a + b for a, b in zip(_counts(self), _counts(other), strict=True)))

    def __sub__(self, other: ServiceLevelFigures) -> ServiceLevelFigures:
        return ServiceLevelFigures(*(a - b for a, b in zip(_counts(self), _counts(other), strict=True)))


NO_FIGURES = ServiceLevelFigures()


def _counts(f: ServiceLevelFigures) -> tuple[int, ...]:
    return (
        f.offered,
        f.answered,
        f.answered_in_threshold,
        f.abandoned,
        f.short_abandoned,
        f.callback_requested,
    )


def contribution(entry: QueueEntry, policy: ServiceLevelPolicy) -> ServiceLevelFigures:
    """What one entry adds to the figures: nothing until it is decided."""
    hold = entry.hold_seconds or 0
    match entry.outcome:
        case Outcome.WAITING:
            return NO_FIGURES
        case Outcome.ANSWERED:
            fast = int(hold <= policy.threshold_seconds)
            return ServiceLevelFigures(offered=1, answered=1, answered_in_threshold=fast)
        case Outcome.ABANDONED if hold < policy.short_abandon_seconds:
            return ServiceLevelFigures(short_abandoned=1)
        case Outcome.ABANDONED:
            return ServiceLevelFigures(offered=1, abandoned=1)
        case Outcome.CALL_ME_BACK:
            return ServiceLevelFigures(offered=1, callback_requested=1)
        case Outcome.EXITED:
            return ServiceLevelFigures(offered=1)
    raise AssertionError(entry.outcome)  # pragma: no cover


def settle(entry: QueueEntry, now: datetime, policy: ServiceLevelPolicy) -> QueueEntry:
    """A left entry with no answer or call-me-back key after ``decide_after`` is decided as exited."""
    if (
        entry.outcome is Outcome.WAITING
        and entry.left_at is not None
        and now - entry.left_at >= policy.decide_after
    ):
        return replace(entry, outcome=Outcome.EXITED, ended_at=entry.left_at)
    return entry


def figures_of(
    entries: Iterable[QueueEntry], policy: ServiceLevelPolicy, now: datetime
) -> ServiceLevelFigures:
    """The figures of any set of entries (settled at ``now``), excluded queues left out."""
    total = NO_FIGURES
    for entry in entries:
        if policy.counts_queue(entry.queue):
            total = total + contribution(settle(entry, now, policy), policy)
    return total


def whole_second(at: datetime) -> datetime:
    """queue_log writes whole epoch seconds: the live side buckets on the same clock."""
    return at.replace(microsecond=0)


def upgrade(current: QueueEntry, candidate: QueueEntry) -> QueueEntry:
    """The later of two views of one entry on the outcome ladder (ties keep ``current``); queue_log
    knows no Linkedid, so a call id already known is kept."""
    if _RANK[candidate.outcome] > _RANK[current.outcome]:
        return candidate if candidate.call_id else replace(candidate, call_id=current.call_id)
    if candidate.outcome is current.outcome is Outcome.WAITING and current.left_at is None:
        return replace(current, left_at=candidate.left_at)
    return current


def fold(entry: QueueEntry | None, event: FloorEvent, policy: ServiceLevelPolicy) -> QueueEntry | None:
    """The entry after one floor event (None: the event says nothing about a counted entry)."""
    updated = _next(entry, event)
    if updated is None or not policy.counts_queue(updated.queue):
        return entry
    return updated if entry is None else upgrade(entry, updated)


def _next(entry: QueueEntry | None, event: FloorEvent) -> QueueEntry | None:
    match event:
        case CallerJoined():
            return entry or _new(event, whole_second(event.at))
        case CallerLeft() if entry is not None and entry.left_at is None:
            return replace(entry, left_at=event.at)
        case CallerAnswered():
            base = entry or _new(event, whole_second(event.at) - timedelta(seconds=event.hold_seconds))
            return replace(
                base,
                outcome=Outcome.ANSWERED,
                hold_seconds=event.hold_seconds,
                ended_at=event.at,
                agent=event.agent,
            )
        case CallerAbandoned():
            base = entry or _new(event, whole_second(event.at) - timedelta(seconds=event.hold_seconds))
            return replace(
                base, outcome=Outcome.ABANDONED, hold_seconds=event.hold_seconds, ended_at=event.at
            )
        case CallMeBackRequested() if entry is not None:
            ended = entry.left_at or event.at
            return replace(
                entry, outcome=Outcome.CALL_ME_BACK, ended_at=ended, hold_seconds=_held(entry, ended)
            )
    return None


def _new(event: CallerJoined | CallerAnswered | CallerAbandoned, entered_at: datetime) -> QueueEntry:
    return QueueEntry(
        server=event.server,
        queue=event.queue,
        entry_id=event.entry_id,
        call_id=str(event.call_id),
        entered_at=entered_at,
    )


def _held(entry: QueueEntry, ended: datetime) -> int:
    return max(0, int((whole_second(ended) - entry.entered_at).total_seconds()))


@dataclass(frozen=True, slots=True)
class AlarmPolicy:
    """The wallboard alarm (告警): a figure below ``target + margin`` on at least ``min_offered`` calls."""

    target: float = 0.95
    margin: float = 0.02
    min_offered: int = 20


def at_risk(rolling: ServiceLevelFigures, today: ServiceLevelFigures, policy: AlarmPolicy) -> bool:
    """True when the rolling-24-h connection rate or today's 15-second rate is at risk of the bar."""
    bar = policy.target + policy.margin
    return _below(rolling.offered, rolling.connection_rate, bar, policy) or _below(
        today.offered, today.rate_in_threshold, bar, policy
    )


def _below(offered: int, rate: float | None, bar: float, policy: AlarmPolicy) -> bool:
    return rate is not None and offered >= policy.min_offered and rate < bar


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
            *(e for e in pending if e.decided and _hour(e.entered_at) >= lo),
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
