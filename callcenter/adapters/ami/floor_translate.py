"""Pure translation of AMI queue and member events into floor events (callcenter/queue/events.py).

Beside ``translate`` (the call's own events): one AMI event may feed both, e.g. QueueCallerJoin moves
the call record to "queued" and adds a waiting caller to the floor. No I/O, no clock. Unknown events
give ``None``; malformed ones raise ``MalformedAmiEvent`` (the bridge logs and skips them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from callcenter.adapters.ami.translate import Headers, MalformedAmiEvent, event_time
from callcenter.core.ids import CallId
from callcenter.queue.events import (
    AgentRangUnanswered,
    CallCompleted,
    CallerAbandoned,
    CallerAnswered,
    CallerJoined,
    CallerLeft,
    CallMeBackRequested,
    FloorEvent,
    MemberAdded,
    MemberPaused,
    MemberRemoved,
    MemberStatusChanged,
    MissedCallLegEnded,
)
from callcenter.queue.live import DeviceStatus, device_status

CALL_ME_BACK_USER_EVENT = "HotlineCallbackRequested"
MISSED_CALL_LEG_ENDED_EVENT = "HotlineCallbackEnded"  # extensions_callback.conf: the call-back leg hung up


class _Fields:
    def __init__(self, headers: Headers) -> None:
        self.h = headers

    def text(self, key: str) -> str:
        value = self.h.get(key)
        if value is None or value == "":
            raise MalformedAmiEvent(f"AMI event {self.h.get('event')!r} lacks header {key!r}", header=key)
        return value

    def number(self, key: str, default: int | None = None) -> int:
        raw = self.h.get(key)
        if (raw is None or raw == "") and default is not None:
            return default
        try:
            return int(self.text(key))
        except ValueError as exc:
            raise MalformedAmiEvent(f"AMI header {key!r} is not a number: {raw!r}", header=key) from exc

    def flag(self, key: str) -> bool:
        return self.h.get(key, "0").strip().lower() in ("1", "true", "yes")

    def status(self) -> DeviceStatus:
        return device_status(self.number("status", 0))

    def agent(self) -> str:
        return self.h.get("interface") or self.text("membername")

    def entry_id(self) -> str:
        return self.text("uniqueid")

    def call_id(self) -> CallId:
        return CallId(self.h.get("linkedid") or self.text("uniqueid"))


def translate_floor(headers: Headers, received_at: datetime, server: str = "default") -> FloorEvent | None:
    """The floor event an AMI event stands for, or ``None``."""
    handler = _HANDLERS.get(headers.get("event", "").lower())
    if handler is None:
        return None
    return handler(_Fields(headers), server, event_time(headers, received_at))


def _joined(f: _Fields, server: str, at: datetime) -> FloorEvent:
    return CallerJoined(
        server=server,
        queue=f.text("queue"),
        entry_id=f.entry_id(),
        call_id=f.call_id(),
        caller_number=f.h.get("calleridnum", ""),
        position=f.number("position", 0),
        at=at,
    )


def _answered(f: _Fields, server: str, at: datetime) -> FloorEvent:
    return CallerAnswered(
        server=server,
        queue=f.text("queue"),
        entry_id=f.entry_id(),
        call_id=f.call_id(),
        agent=f.agent(),
        hold_seconds=f.number("holdtime", 0),
        at=at,
        caller_number=f.h.get("calleridnum", ""),
        agent_channel_id=f.h.get("destuniqueid", ""),
    )


def _abandoned(f: _Fields, server: str, at: datetime) -> FloorEvent:
    return CallerAbandoned(
        server=server,
        queue=f.text("queue"),
        entry_id=f.entry_id(),
        call_id=f.call_id(),
        caller_number=f.h.get("calleridnum", ""),
        hold_seconds=f.number("holdtime", 0),
        position=f.number("position", 0),
        at=at,
    )


def _left(f: _Fields, server: str, at: datetime) -> FloorEvent:
    return CallerLeft(server=server, queue=f.text("queue"), entry_id=f.entry_id(), call_id=f.call_id(), at=at)


def _completed(f: _Fields, server: str, at: datetime) -> FloorEvent:
    # Under load AgentComplete may come after the hang-ups with no channel headers at all
    # (tests/fixtures/ami/answered_call_late_agentcomplete.ami): correlate by the agent then.
    return CallCompleted(
        server=server,
        queue=f.text("queue"),
        entry_id=f.h.get("uniqueid", ""),
        call_id=CallId(f.h.get("linkedid") or f.h.get("uniqueid", "")),
        agent=f.agent(),
        talk_seconds=f.number("talktime", 0),
        hold_seconds=f.number("holdtime", 0),
        ended_by=f.h.get("reason", "caller"),
        at=at,
    )


def _ring_no_answer(f: _Fields, server: str, at: datetime) -> FloorEvent:
    return AgentRangUnanswered(
        server=server,
        queue=f.text("queue"),
        entry_id=f.h.get("uniqueid", ""),
        agent=f.agent(),
        ring_ms=f.number("ringtime", 0),
        at=at,
    )


def _member_added(f: _Fields, server: str, at: datetime) -> FloorEvent:
    return MemberAdded(
        server=server,
        queue=f.text("queue"),
        interface=f.agent(),
        name=f.h.get("membername", ""),
        penalty=f.number("penalty", 0),
        paused=f.flag("paused"),
        pause_reason=f.h.get("pausedreason", ""),
        status=f.status(),
        at=at,
    )


def _member_removed(f: _Fields, server: str, at: datetime) -> FloorEvent:
    return MemberRemoved(server=server, queue=f.text("queue"), interface=f.agent(), at=at)


def _member_paused(f: _Fields, server: str, at: datetime) -> FloorEvent:
    return MemberPaused(
        server=server,
        queue=f.text("queue"),
        interface=f.agent(),
        paused=f.flag("paused"),
        reason=f.h.get("pausedreason", "") or f.h.get("reason", ""),
        at=at,
    )


def _member_status(f: _Fields, server: str, at: datetime) -> FloorEvent:
    return MemberStatusChanged(
        server=server,
        queue=f.text("queue"),
        interface=f.agent(),
        status=f.status(),
        paused=f.flag("paused"),
        pause_reason=f.h.get("pausedreason", ""),
        in_call=f.flag("incall"),
        at=at,
    )


def _user_event(f: _Fields, server: str, at: datetime) -> FloorEvent | None:
    if f.h.get("userevent") == MISSED_CALL_LEG_ENDED_EVENT:
        return MissedCallLegEnded(
            server=server,
            entry_id=f.entry_id(),
            missed_call_id=f.h.get("callbackid", ""),
            agent=f.h.get("agent", ""),
            at=at,
        )
    if f.h.get("userevent") != CALL_ME_BACK_USER_EVENT:
        return None
    return CallMeBackRequested(
        server=server,
        queue=f.text("queue"),
        entry_id=f.entry_id(),
        call_id=f.call_id(),
        caller_number=f.h.get("calleridnum", ""),
        at=at,
    )


_HANDLERS: dict[str, Callable[[_Fields, str, datetime], FloorEvent | None]] = {
    "queuecallerjoin": _joined,
    "agentconnect": _answered,
    "queuecallerabandon": _abandoned,
    "queuecallerleave": _left,
    "agentcomplete": _completed,
    "agentringnoanswer": _ring_no_answer,
    "queuememberadded": _member_added,
    "queuememberremoved": _member_removed,
    "queuememberpause": _member_paused,
    "queuememberpaused": _member_paused,
    "queuememberstatus": _member_status,
    "userevent": _user_event,
}
