"""The live floor (话务现场) and the wallboard's view of it (大屏).

Waiting callers (排队来电) per server and queue: ``CallerJoined`` adds one; ``CallerAnswered``,
``CallerAbandoned`` and ``CallerLeft`` remove it (Asterisk sends QueueCallerLeave *before* AgentConnect, so
the caller is off the wait list as soon as the agent's leg bridges); ``FloorResynced`` replaces that
server's waiting callers by Asterisk's QueueStatus snapshot and leaves every other server's alone. A
caller is keyed by (queue, call id) — the key QueueStatus knows too — so applying an event twice changes
nothing (the bridge retries a failed delivery).

``LiveFloor`` folds every floor event into the waiting callers and the seats (``AgentBoard``); it also
remembers the newest event time (``source_event_at``), the freshness of what the wallboard shows.
``wallboard_view`` turns the floor and the service-level figures into what the wall screen shows, per
queue, per server and in total, at an injected ``now``. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from callcenter.queue.events import (
    CallerAbandoned,
    CallerAnswered,
    CallerJoined,
    CallerLeft,
    FloorEvent,
    FloorResynced,
)
from callcenter.queue.seats.agents import AgentActivity, AgentBoard, SeatState
from callcenter.queue.service_level.alarm import AlarmPolicy, at_risk
from callcenter.queue.service_level.ledger import NO_FIGURES, ServiceLevelFigures
from callcenter.queue.service_level.tally import ServiceLevelTally

# The hotline's queues in wall order (docs/wallboard.md); any other queue follows, sorted by name.
QUEUE_ORDER = ("hotline", "hotline-enterprise", "hotline-dialect", "hotline-foreign", "hotline-callback")

CallerKey = tuple[str, str]  # (queue, call id)


@dataclass(frozen=True, slots=True)
class QueuedCaller:
    """One caller waiting in one queue (排队中) since ``since`` (UTC)."""

    server: str
    queue: str
    call_id: str
    since: datetime


_NOBODY: Mapping[CallerKey, QueuedCaller] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class WaitingCallers:
    """Waiting callers by server; each update copies only the server it touches."""

    by_server: Mapping[str, Mapping[CallerKey, QueuedCaller]] = field(default_factory=dict)

    def apply(self, event: FloorEvent) -> WaitingCallers:
        match event:
            case CallerJoined():
                caller = QueuedCaller(event.server, event.queue, str(event.call_id), event.at)
                return self._joined(caller)
            case CallerAnswered() | CallerAbandoned() | CallerLeft():
                return self._gone(event.server, (event.queue, str(event.call_id)))
            case FloorResynced():
                return self._replaced(event)
        return self

    def callers(self, server: str | None = None) -> tuple[QueuedCaller, ...]:
        if server is not None:
            return tuple(self.by_server.get(server, _NOBODY).values())
        return tuple(c for callers in self.by_server.values() for c in callers.values())

    def count(self) -> int:
        return sum(len(callers) for callers in self.by_server.values())

    def _joined(self, caller: QueuedCaller) -> WaitingCallers:
        key = (caller.queue, caller.call_id)
        current = self.by_server.get(caller.server, _NOBODY)
        if key in current:  # a repeated delivery keeps the first join time
            return self
        return self._with(caller.server, {**current, key: caller})

    def _gone(self, server: str, key: CallerKey) -> WaitingCallers:
        current = self.by_server.get(server, _NOBODY)
        if key not in current:
            return self
        return self._with(server, {k: c for k, c in current.items() if k != key})

    def _replaced(self, event: FloorResynced) -> WaitingCallers:
        taken = event.snapshot.taken_at
        callers = {
            (w.queue, str(w.call_id)): QueuedCaller(
                event.server, w.queue, str(w.call_id), taken - timedelta(seconds=max(0, w.wait_seconds))
            )
            for w in event.snapshot.waiting
            if w.call_id
        }
        return self._with(event.server, callers)

    def _with(self, server: str, callers: Mapping[CallerKey, QueuedCaller]) -> WaitingCallers:
        return WaitingCallers({**self.by_server, server: callers})


@dataclass(frozen=True, slots=True)
class LiveFloor:
    """Seats and waiting callers of every server, and the time of the newest event folded in."""

    waiting: WaitingCallers = field(default_factory=WaitingCallers)
    agents: AgentBoard = field(default_factory=AgentBoard)
    source_event_at: datetime | None = None

    def apply(self, event: FloorEvent) -> LiveFloor:
        newest = self.source_event_at
        if newest is None or event.at > newest:
            newest = event.at
        return LiveFloor(self.waiting.apply(event), self.agents.apply(event), newest)


# --- the wallboard's view ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rates:
    """The service-level figures the wall shows (from ``ServiceLevelTally`` at the same ``now``)."""

    today: ServiceLevelFigures = NO_FIGURES  # 今日
    rolling_24h: ServiceLevelFigures = NO_FIGURES  # 滚动24小时
    today_by_queue: Mapping[str, ServiceLevelFigures] = field(default_factory=dict)


def rates_of(tally: ServiceLevelTally, now: datetime) -> Rates:
    return Rates(tally.today(now), tally.rolling_24h(now), tally.by_queue(now))


# Why the alarm is on (告警原因): the figure below the bar.
TODAY_15S_AT_RISK = "today_rate_in_threshold"  # 今日15秒接通率
ROLLING_CONNECTION_AT_RISK = "rolling_connection_rate"  # 滚动24小时接通率


@dataclass(frozen=True, slots=True)
class Alarm:
    on: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WaitLine:
    """Waiting callers and seats of one queue or one server."""

    name: str
    waiting: int
    longest_wait_seconds: int
    agents: Mapping[AgentActivity, int]


@dataclass(frozen=True, slots=True)
class QueueLine:
    line: WaitLine
    inbound: bool  # False for the call-back queue: its callers are not counted as inbound calls
    today: ServiceLevelFigures
    alarm: Alarm


@dataclass(frozen=True, slots=True)
class WallboardView:
    """What the wall screen shows at ``at``: totals (inbound queues), per queue, per server."""

    at: datetime
    source_event_at: datetime | None
    total: WaitLine
    today: ServiceLevelFigures
    rolling_24h: ServiceLevelFigures
    alarm: Alarm
    queues: tuple[QueueLine, ...]
    servers: tuple[WaitLine, ...]


@dataclass(frozen=True, slots=True)
class ViewPolicy:
    """What the view counts: the alarm's bar and the queues that are not inbound (the call-back queue)."""

    alarm: AlarmPolicy = field(default_factory=AlarmPolicy)
    not_inbound: frozenset[str] = frozenset({"hotline-callback"})


def wallboard_view(floor: LiveFloor, rates: Rates, now: datetime, policy: ViewPolicy) -> WallboardView:
    seats = floor.agents.seats()
    callers = floor.waiting.callers()
    inbound = [c for c in callers if c.queue not in policy.not_inbound]
    total = WaitLine(
        "", len(inbound), _longest(inbound, now), _activity_counts(floor.agents.count_by_activity())
    )
    return WallboardView(
        at=now,
        source_event_at=floor.source_event_at,
        total=total,
        today=rates.today,
        rolling_24h=rates.rolling_24h,
        alarm=alarm_of(rates.rolling_24h, rates.today, policy.alarm),
        queues=_queue_lines(callers, seats, rates, now, policy),
        servers=_server_lines(inbound, seats, now),
    )


def alarm_of(rolling: ServiceLevelFigures, today: ServiceLevelFigures, policy: AlarmPolicy) -> Alarm:
    """``at_risk`` (the service-level rule), asked once per figure to say which one is at risk."""
    reasons = []
    if at_risk(NO_FIGURES, today, policy):
        reasons.append(TODAY_15S_AT_RISK)
    if at_risk(rolling, NO_FIGURES, policy):
        reasons.append(ROLLING_CONNECTION_AT_RISK)
    return Alarm(bool(reasons), tuple(reasons))


def _queue_lines(
    callers: Sequence[QueuedCaller],
    seats: Sequence[SeatState],
    rates: Rates,
    now: datetime,
    policy: ViewPolicy,
) -> tuple[QueueLine, ...]:
    names = {c.queue for c in callers} | {q for s in seats for q in s.queues} | set(rates.today_by_queue)
    lines = []
    for name in _ordered(names | set(QUEUE_ORDER)):
        waiting = [c for c in callers if c.queue == name]
        agents = _activity_counts(Counter(s.activity for s in seats if name in s.queues))
        today = rates.today_by_queue.get(name, NO_FIGURES)
        line = WaitLine(name, len(waiting), _longest(waiting, now), agents)
        alarm = alarm_of(NO_FIGURES, today, policy.alarm)
        lines.append(QueueLine(line, name not in policy.not_inbound, today, alarm))
    return tuple(lines)


def _server_lines(
    inbound: Sequence[QueuedCaller], seats: Sequence[SeatState], now: datetime
) -> tuple[WaitLine, ...]:
    """Per Asterisk (inbound callers, so the servers' waiting add up to the total)."""
    names = sorted({c.server for c in inbound} | {s.server for s in seats})
    return tuple(
        WaitLine(
            name,
            len(callers := [c for c in inbound if c.server == name]),
            _longest(callers, now),
            _activity_counts(Counter(s.activity for s in seats if s.server == name)),
        )
        for name in names
    )


def _ordered(names: Iterable[str]) -> list[str]:
    known = [q for q in QUEUE_ORDER if q in names]
    return known + sorted(set(names) - set(QUEUE_ORDER))


def _longest(callers: Iterable[QueuedCaller], now: datetime) -> int:
    """Whole seconds the longest-waiting caller has waited (最长等待); 0 when nobody waits."""
    oldest = min((c.since for c in callers), default=None)
    return 0 if oldest is None else max(0, int((now - oldest).total_seconds()))


def _activity_counts(counts: Mapping[AgentActivity, int]) -> Mapping[AgentActivity, int]:
    """Every activity present, in the enum's order (zero when no seat is in it)."""
    return {activity: counts.get(activity, 0) for activity in AgentActivity}
