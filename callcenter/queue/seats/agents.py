"""Seats on the floor (坐席): who is logged in, and what each seat is doing, folded from floor events.

A seat is one member interface (e.g. ``PJSIP/agent1001``) on one Asterisk; it may be a member of
several queues (the general line, a skill queue, the call-back queue). Its activity is derived from
all of them: the phone's device status (ringing, in use) comes first, then the pause (reason ``acw``
is after-call work, 话后整理), else idle. ``since`` is when the derived activity last changed.

Pure: ``AgentBoard.apply`` returns a new board; no I/O, no clock (times come from the events).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from callcenter.queue.events import (
    CallCompleted,
    CallerAnswered,
    FloorEvent,
    FloorResynced,
    MemberAdded,
    MemberPaused,
    MemberRemoved,
    MemberStatusChanged,
)
from callcenter.queue.live import DeviceStatus, MemberState


class AgentActivity(StrEnum):
    LOGGED_OUT = "logged_out"  # 签出
    IDLE = "idle"  # 空闲 (示闲)
    RINGING = "ringing"  # 振铃
    ON_CALL = "on_call"  # 通话中
    WRAP_UP = "wrap_up"  # 话后整理 (paused with reason ``acw``)
    PAUSED = "paused"  # 示忙 (any other reason)


ACW_REASON = "acw"
UNAVAILABLE_REASON = "unavailable"  # the seat's phone is not registered: counted as paused, not idle

_RINGING = frozenset({DeviceStatus.RINGING, DeviceStatus.RINGINUSE})
_ON_CALL = frozenset({DeviceStatus.INUSE, DeviceStatus.BUSY, DeviceStatus.ONHOLD})
_OFFLINE = frozenset({DeviceStatus.UNAVAILABLE, DeviceStatus.INVALID})

SeatKey = tuple[str, str]  # (server, interface)


@dataclass(frozen=True, slots=True)
class SeatState:
    """One seat as the floor sees it (for the wallboard, the supervisors' list, the agent's bar)."""

    server: str
    interface: str
    name: str  # the queue member name: the staff id of the agent logged in on it
    queues: tuple[str, ...]
    activity: AgentActivity
    pause_reason: str
    since: datetime


@dataclass(frozen=True, slots=True)
class _Membership:
    penalty: int
    paused: bool
    reason: str


@dataclass(frozen=True, slots=True)
class _Seat:
    name: str
    memberships: Mapping[str, _Membership]
    status: DeviceStatus
    state: SeatState
    logged_in_at: datetime

    def derive(self, server: str, interface: str, at: datetime) -> _Seat:
        """The seat with its activity re-derived; ``since`` moves only when the activity changes."""
        activity, reason = _activity(self.memberships, self.status)
        old = self.state
        changed = old.activity is not activity or old.pause_reason != reason
        state = SeatState(
            server=server,
            interface=interface,
            name=self.name,
            queues=tuple(sorted(self.memberships)),
            activity=activity,
            pause_reason=reason,
            since=at if changed else old.since,
        )
        return replace(self, state=state)


def _activity(memberships: Mapping[str, _Membership], status: DeviceStatus) -> tuple[AgentActivity, str]:
    """Phone first (ringing, talking), then the pause of *every* queue (a seat paused in only some of
    its queues still takes calls from the others), then idle."""
    if not memberships:
        return AgentActivity.LOGGED_OUT, ""
    if status in _RINGING:
        return AgentActivity.RINGING, ""
    if status in _ON_CALL:
        return AgentActivity.ON_CALL, ""
    if all(m.paused for m in memberships.values()):
        reasons = {m.reason for m in memberships.values()}
        reason = ACW_REASON if ACW_REASON in reasons else min(reasons)
        return (AgentActivity.WRAP_UP if reason == ACW_REASON else AgentActivity.PAUSED), reason
    if status in _OFFLINE:
        return AgentActivity.PAUSED, UNAVAILABLE_REASON
    return AgentActivity.IDLE, ""


def _empty_seat(server: str, interface: str, name: str, at: datetime) -> _Seat:
    state = SeatState(server, interface, name, (), AgentActivity.LOGGED_OUT, "", at)
    return _Seat(name=name, memberships={}, status=DeviceStatus.UNKNOWN, state=state, logged_in_at=at)


@dataclass(frozen=True, slots=True)
class AgentBoard:
    """The agent part of the live floor. Idempotent under replays: applying an event twice leaves
    the same board (the bridge may deliver an event again after a failed handler)."""

    _seats: Mapping[SeatKey, _Seat] = field(default_factory=dict)

    # -- reading ---------------------------------------------------------------------------------
    def seats(self) -> tuple[SeatState, ...]:
        return tuple(s.state for _, s in sorted(self._seats.items()))

    def seat(self, server: str, interface: str) -> SeatState | None:
        found = self._seats.get((server, interface))
        return found.state if found is not None else None

    def penalties(self, server: str, interface: str) -> Mapping[str, int]:
        found = self._seats.get((server, interface))
        return {} if found is None else {q: m.penalty for q, m in found.memberships.items()}

    def logged_in_at(self, server: str, interface: str) -> datetime | None:
        """When the seat joined its first queue (Asterisk's LoginTime after a resync)."""
        found = self._seats.get((server, interface))
        return found.logged_in_at if found is not None else None

    def pause_of(self, server: str, interface: str) -> str | None:
        """The seat's pause reason if it is paused in every queue, whatever its phone is doing (a
        seat paused during a call shows ON_CALL but stays paused after it); else ``None``."""
        found = self._seats.get((server, interface))
        if found is None or not found.memberships or not all(m.paused for m in found.memberships.values()):
            return None
        return _activity(found.memberships, DeviceStatus.NOT_INUSE)[1]

    def count_by_activity(self) -> Mapping[AgentActivity, int]:
        counts = Counter(s.state.activity for s in self._seats.values())
        return {activity: counts.get(activity, 0) for activity in AgentActivity}

    # -- folding ---------------------------------------------------------------------------------
    def apply(self, event: FloorEvent) -> AgentBoard:
        if isinstance(event, FloorResynced):
            return self._resynced(event)
        if isinstance(event, MemberAdded):
            return self._added(event)
        if isinstance(event, MemberRemoved):
            return self._removed(event)
        if isinstance(event, MemberPaused):
            return self._membership(
                event.server, event.interface, event.queue, event.paused, event.reason, event.at
            )
        if isinstance(event, MemberStatusChanged):
            return self._status_changed(event)
        if isinstance(event, CallerAnswered):
            return self._phone(event.server, event.agent, DeviceStatus.INUSE, event.at)
        if isinstance(event, CallCompleted):
            return self._phone(event.server, event.agent, DeviceStatus.NOT_INUSE, event.at)
        return self

    def _put(self, key: SeatKey, seat: _Seat | None) -> AgentBoard:
        seats = dict(self._seats)
        if seat is None or not seat.memberships:
            seats.pop(key, None)
        else:
            seats[key] = seat
        return AgentBoard(seats)

    def _added(self, e: MemberAdded) -> AgentBoard:
        key = (e.server, e.interface)
        seat = self._seats.get(key) or _empty_seat(e.server, e.interface, e.name, e.at)
        memberships = {**seat.memberships, e.queue: _Membership(e.penalty, e.paused, e.pause_reason)}
        seat = replace(seat, name=e.name or seat.name, memberships=memberships, status=e.status)
        return self._put(key, seat.derive(e.server, e.interface, e.at))

    def _removed(self, e: MemberRemoved) -> AgentBoard:
        key = (e.server, e.interface)
        seat = self._seats.get(key)
        if seat is None or e.queue not in seat.memberships:
            return self
        memberships = {q: m for q, m in seat.memberships.items() if q != e.queue}
        return self._put(key, replace(seat, memberships=memberships).derive(e.server, e.interface, e.at))

    def _membership(
        self, server: str, interface: str, queue: str, paused: bool, reason: str, at: datetime
    ) -> AgentBoard:
        key = (server, interface)
        seat = self._seats.get(key)
        if seat is None or queue not in seat.memberships:
            return self
        old = seat.memberships[queue]
        memberships = {**seat.memberships, queue: _Membership(old.penalty, paused, reason if paused else "")}
        return self._put(key, replace(seat, memberships=memberships).derive(server, interface, at))

    def _status_changed(self, e: MemberStatusChanged) -> AgentBoard:
        key = (e.server, e.interface)
        seat = self._seats.get(key)
        if seat is None or e.queue not in seat.memberships:
            return self
        old = seat.memberships[e.queue]
        reason = e.pause_reason if e.paused else ""
        memberships = {**seat.memberships, e.queue: _Membership(old.penalty, e.paused, reason)}
        seat = replace(seat, memberships=memberships, status=e.status)
        return self._put(key, seat.derive(e.server, e.interface, e.at))

    def _phone(self, server: str, interface: str, status: DeviceStatus, at: datetime) -> AgentBoard:
        key = (server, interface)
        seat = self._seats.get(key)
        if seat is None:
            return self
        return self._put(key, replace(seat, status=status).derive(server, interface, at))

    def _resynced(self, e: FloorResynced) -> AgentBoard:
        """Asterisk's QueueStatus replaces everything this board held for ``e.server``."""
        seats = {k: s for k, s in self._seats.items() if k[0] != e.server}
        grouped: dict[str, list[MemberState]] = {}
        for member in e.snapshot.members:
            grouped.setdefault(member.interface, []).append(member)
        for interface, members in grouped.items():
            seat = _resynced_seat(self._seats.get((e.server, interface)), e.server, interface, members, e)
            if seat.memberships:
                seats[(e.server, interface)] = seat
        return AgentBoard(seats)


def _resynced_seat(
    old: _Seat | None, server: str, interface: str, members: list[MemberState], e: FloorResynced
) -> _Seat:
    first = members[0]
    memberships = {
        m.queue: _Membership(m.penalty, m.paused, m.pause_reason if m.paused else "") for m in members
    }
    base = old or _empty_seat(server, interface, first.name, _pause_start(first, e))
    logged_in = base.logged_in_at if old is not None else (first.login_time or e.snapshot.taken_at)
    seat = replace(
        base, name=first.name, memberships=memberships, status=first.status, logged_in_at=logged_in
    )
    return seat.derive(server, interface, _pause_start(first, e) if old is None else e.at)


def _pause_start(member: MemberState, e: FloorResynced) -> datetime:
    """When a seat first seen at a resync entered its state: Asterisk's LastPause for a pause (so an
    after-call pause can be lifted on time after a restart of ours), else the snapshot time."""
    if member.paused and member.last_pause is not None:
        return member.last_pause
    return e.snapshot.taken_at
