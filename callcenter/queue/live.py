"""Live queue state as Asterisk reports it (QueueStatus): members (seats) and waiting callers.

After any (re)connect the bridge replaces its view with a fresh snapshot instead of trusting
memory: Asterisk is the source of truth for who is logged in and who is waiting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum

from callcenter.calls.events import JoinedQueue
from callcenter.core.ids import CallId

Headers = Mapping[str, str]


class DeviceStatus(IntEnum):
    """Asterisk's AST_DEVICE_* numbers, as QueueMember ``Status`` reports them."""

    UNKNOWN = 0
    NOT_INUSE = 1
    INUSE = 2
    BUSY = 3
    INVALID = 4
    UNAVAILABLE = 5
    RINGING = 6
    RINGINUSE = 7
    ONHOLD = 8


def device_status(value: int) -> DeviceStatus:
    """A member's ``Status`` number as a DeviceStatus; a number Asterisk may add later is UNKNOWN."""
    return DeviceStatus(value) if value in DeviceStatus._value2member_map_ else DeviceStatus.UNKNOWN


@dataclass(frozen=True, slots=True)
class MemberState:
    queue: str
    interface: str
    name: str
    status: DeviceStatus
    paused: bool
    pause_reason: str
    calls_taken: int
    penalty: int = 0
    last_pause: datetime | None = None  # Asterisk's LastPause (UTC), None if never paused
    login_time: datetime | None = None  # Asterisk's LoginTime (UTC), when the member was added


@dataclass(frozen=True, slots=True)
class WaitingCaller:
    queue: str
    call_id: CallId
    caller_number: str
    channel: str
    position: int
    wait_seconds: int


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    taken_at: datetime
    members: tuple[MemberState, ...] = ()
    waiting: tuple[WaitingCaller, ...] = ()

    def members_of(self, queue: str) -> tuple[MemberState, ...]:
        return tuple(m for m in self.members if m.queue == queue)


def parse_queue_status(messages: Iterable[Headers], taken_at: datetime) -> QueueSnapshot:
    """Build a snapshot from the QueueMember / QueueEntry events answering a QueueStatus action."""
    members: list[MemberState] = []
    waiting: list[WaitingCaller] = []
    for h in messages:
        event = h.get("event", "").lower()
        if event == "queuemember":
            members.append(_member(h))
        elif event == "queueentry":
            waiting.append(_waiting(h))
    return QueueSnapshot(taken_at=taken_at, members=tuple(members), waiting=tuple(waiting))


def _int(h: Headers, key: str) -> int:
    try:
        return int(h.get(key, "0") or 0)
    except ValueError:
        return 0


def _member(h: Headers) -> MemberState:
    status = _int(h, "status")
    return MemberState(
        queue=h.get("queue", ""),
        interface=h.get("stateinterface") or h.get("location", ""),
        name=h.get("name") or h.get("membername", ""),
        status=device_status(status),
        paused=h.get("paused") == "1",
        pause_reason=h.get("pausedreason", ""),
        calls_taken=_int(h, "callstaken"),
        penalty=_int(h, "penalty"),
        last_pause=_epoch(h, "lastpause"),
        login_time=_epoch(h, "logintime"),
    )


def _epoch(h: Headers, key: str) -> datetime | None:
    seconds = _int(h, key)
    return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else None


def _waiting(h: Headers) -> WaitingCaller:
    return WaitingCaller(
        queue=h.get("queue", ""),
        call_id=CallId(h.get("linkedid") or h.get("uniqueid", "")),
        caller_number=h.get("calleridnum", ""),
        channel=h.get("channel", ""),
        position=_int(h, "position"),
        wait_seconds=_int(h, "wait"),
    )


def waiting_as_events(snapshot: QueueSnapshot) -> list[JoinedQueue]:
    """Waiting callers as JoinedQueue events, dated back by their wait, for calls the bridge missed."""
    return [
        JoinedQueue(
            call_id=w.call_id,
            at=snapshot.taken_at - timedelta(seconds=w.wait_seconds),
            queue=w.queue,
            position=w.position,
            caller_number=w.caller_number,
            channel=w.channel,
        )
        for w in snapshot.waiting
        if w.call_id
    ]
