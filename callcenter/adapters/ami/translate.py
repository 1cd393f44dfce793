"""Pure translation from AMI events (header dicts) to the call's domain events.

No I/O and no clock here: the event's own ``Timestamp`` header (manager.conf ``timestampevents``)
dates it; ``received_at`` is only the fallback for a server that does not send one. Unknown events
give ``None``; malformed ones raise ``MalformedAmiEvent`` which the bridge logs and skips.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from callcenter.calls.events import (
    AgentCalled,
    AgentConnected,
    CallAbandoned,
    CallArrived,
    CallEvent,
    CallHungUp,
    CallMeBackChosen,
    JoinedQueue,
    RecordingFinished,
    RecordingStarted,
)
from callcenter.calls.recording_paths import inside
from callcenter.core.errors import DomainError
from callcenter.core.ids import CallId

Headers = Mapping[str, str]  # lower-cased header names


class MalformedAmiEvent(DomainError):
    code = "malformed_ami_event"


class UntrustedAmiEvent(MalformedAmiEvent):
    """Well-formed, but asks for something the hotline never does (a recording outside its directory)."""

    code = "untrusted_ami_event"


@dataclass(frozen=True, slots=True)
class HotlineMatch:
    """Which new channels are citizens' calls to the hotline: their dialplan context and number(s)."""

    contexts: frozenset[str] = frozenset({"from-pstn"})
    numbers: frozenset[str] = frozenset({"12345"})
    recording_user_event: str = "HotlineRecording"  # dialplan: paths of the files being written
    recording_done_event: str = "HotlineRecordingComplete"  # dialplan hangup handler: files closed
    call_me_back_event: str = "HotlineCallbackRequested"  # dialplan: the caller pressed the call-me-back key
    # Recordings directories as Asterisk names them; a recording event naming a file elsewhere is refused
    # (none given: every recording event is refused). See callcenter/calls/recording_paths.py.
    recordings: tuple[str, ...] = ()


def normalise(message: Mapping[str, object]) -> dict[str, str]:
    """Lower-case header names; a header repeated in one message keeps its last value."""
    out: dict[str, str] = {}
    for key, value in message.items():
        out[str(key).lower()] = str(value[-1] if isinstance(value, list) and value else value)
    return out


def translate(
    headers: Headers, match: HotlineMatch, received_at: datetime, server: str = "default"
) -> CallEvent | None:
    """The domain event an AMI event stands for, or ``None`` if it is not part of a hotline call."""
    name = headers.get("event", "")
    handler = _HANDLERS.get(name.lower())
    if handler is None:
        return None
    ctx = _Context(headers, match, event_time(headers, received_at), server)
    return handler(ctx)


@dataclass(frozen=True, slots=True)
class _Context:
    headers: Headers
    match: HotlineMatch
    at: datetime
    server: str

    def get(self, key: str) -> str:
        value = self.headers.get(key)
        if value is None or value == "":
            raise MalformedAmiEvent(
                f"AMI event {self.headers.get('event')!r} lacks header {key!r}", header=key
            )
        return value

    def integer(self, key: str, default: int | None = None) -> int:
        raw = self.headers.get(key)
        if raw is None and default is not None:
            return default
        try:
            return int(self.get(key))
        except ValueError as exc:
            raise MalformedAmiEvent(f"AMI header {key!r} is not a number: {raw!r}", header=key) from exc

    @property
    def call_id(self) -> CallId:
        return CallId(self.get("linkedid"))

    @property
    def is_caller_leg(self) -> bool:
        """The citizen's own channel is the one that started the call (Uniqueid == Linkedid)."""
        return self.headers.get("uniqueid") == self.headers.get("linkedid")


def event_time(headers: Headers, received_at: datetime) -> datetime:
    """The event's own ``Timestamp`` (manager.conf timestampevents), else when it was received."""
    raw = headers.get("timestamp")
    if not raw:
        return received_at
    try:
        return datetime.fromtimestamp(float(raw), UTC)
    except (ValueError, OverflowError) as exc:
        raise MalformedAmiEvent(f"bad AMI Timestamp {raw!r}", header="timestamp") from exc


def _new_channel(ctx: _Context) -> CallEvent | None:
    h = ctx.headers
    if not ctx.is_caller_leg or h.get("context") not in ctx.match.contexts:
        return None
    if h.get("exten") not in ctx.match.numbers:
        return None
    return CallArrived(
        call_id=ctx.call_id,
        at=ctx.at,
        caller_number=h.get("calleridnum", ""),
        channel=ctx.get("channel"),
        dialed=ctx.get("exten"),
        server=ctx.server,
    )


def _queue_join(ctx: _Context) -> CallEvent:
    return JoinedQueue(
        call_id=ctx.call_id,
        at=ctx.at,
        queue=ctx.get("queue"),
        position=ctx.integer("position", 0),
        caller_number=ctx.headers.get("calleridnum", ""),
        channel=ctx.headers.get("channel", ""),
    )


def _agent_called(ctx: _Context) -> CallEvent:
    agent = ctx.headers.get("interface") or ctx.get("membername")
    return AgentCalled(call_id=ctx.call_id, at=ctx.at, queue=ctx.get("queue"), agent=agent)


def _agent_connect(ctx: _Context) -> CallEvent:
    agent = ctx.headers.get("interface") or ctx.get("membername")
    return AgentConnected(
        call_id=ctx.call_id,
        at=ctx.at,
        queue=ctx.get("queue"),
        agent=agent,
        hold_seconds=ctx.integer("holdtime", 0),
        staff=staff_of_member(ctx.headers.get("membername", ""), agent),
    )


def staff_of_member(member_name: str, interface: str) -> str | None:
    """The staff id a queue member stands for: its MemberName, which the agent-session service sets to the
    staff id at 签入. A member added without one is named after its interface (PJSIP/…): no staff then."""
    name = member_name.strip()
    if not name or name == interface or "/" in name:
        return None
    return name


def _abandon(ctx: _Context) -> CallEvent:
    return CallAbandoned(
        call_id=ctx.call_id,
        at=ctx.at,
        queue=ctx.get("queue"),
        hold_seconds=ctx.integer("holdtime", 0),
        position=ctx.integer("position", 0),
    )


def _hangup(ctx: _Context) -> CallEvent | None:
    if not ctx.is_caller_leg:
        return None
    return CallHungUp(
        call_id=ctx.call_id,
        at=ctx.at,
        cause=ctx.integer("cause", 0),
        cause_text=ctx.headers.get("cause-txt", ""),
    )


def _user_event(ctx: _Context) -> CallEvent | None:
    name = ctx.headers.get("userevent")
    if name == ctx.match.recording_done_event:
        _recording_paths(ctx)
        return RecordingFinished(
            call_id=ctx.call_id, at=ctx.at, has_audio=ctx.headers.get("hasaudio", "yes") != "no"
        )
    if name == ctx.match.call_me_back_event:
        return CallMeBackChosen(call_id=ctx.call_id, at=ctx.at)
    if name != ctx.match.recording_user_event:
        return None
    caller, agent, mixed = _recording_paths(ctx)
    return RecordingStarted(
        call_id=ctx.call_id, at=ctx.at, caller_path=caller, agent_path=agent, mixed_path=mixed
    )


def _recording_paths(ctx: _Context) -> tuple[str, str, str]:
    """The three files a recording event names, each inside a recordings directory (else refused)."""
    paths = (ctx.get("callerfile"), ctx.get("agentfile"), ctx.get("mixedfile"))
    outside = [p for p in paths if not inside(p, ctx.match.recordings)]
    if outside:
        raise UntrustedAmiEvent(
            f"AMI {ctx.headers.get('userevent')} of call {ctx.headers.get('linkedid')!r} names a file "
            f"outside the recordings directory: {outside[0][:200]!r}",
            header="callerfile",
        )
    return paths


_HANDLERS: dict[str, Callable[[_Context], CallEvent | None]] = {
    "newchannel": _new_channel,
    "queuecallerjoin": _queue_join,
    "agentcalled": _agent_called,
    "agentconnect": _agent_connect,
    "queuecallerabandon": _abandon,
    "hangup": _hangup,
    "userevent": _user_event,
}
