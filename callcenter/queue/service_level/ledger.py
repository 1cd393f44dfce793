"""The 15-second service level (15秒服务水平) and the connection rate (接通率), counted over offered calls.

The definition is docs/adr/0013-service-level-definition.md; in short: one queue entry (排队记录) per
caller's entry into an inbound queue (``hotline-callback`` and other excluded queues are not inbound);
an entry is *offered* when it ended, except a short abandon (caller hung up within
``short_abandon_seconds``); *answered within the threshold* when Asterisk's own integer hold time
(AgentConnect ``HoldTime`` = queue_log CONNECT holdtime) is at most ``threshold_seconds``; a caller who
pressed the call-me-back key (按键预约回拨) or whose wait timed out is offered and not answered.

Pure: no clock, no I/O. This module holds the ledger entries (排队记录) and the definition: ``fold`` moves
one entry along by one floor event, ``contribution`` says what a decided entry counts, and ``figures_of``
counts any set of entries the same way (the queue_log recount, the stored ledger). The live counters for
the wallboard are ``tally.ServiceLevelTally``; the wallboard alarm is ``alarm.at_risk``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from callcenter.queue.events import (
    CallerAbandoned,
    CallerAnswered,
    CallerJoined,
    CallerLeft,
    CallMeBackRequested,
    FloorEvent,
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
