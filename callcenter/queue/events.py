"""Events of the hotline floor (话务现场): queue entries and seats, as the AMI bridge reports them.

They sit beside the call's own events (callcenter/calls/events.py): a call event moves one call record
along; a floor event feeds the live floor (agents, waiting callers), the service-level tally, the
missed-call list and the wallboard. Every event carries the Asterisk ``server`` it came from, so state
from several Asterisks never mixes. ``at`` is Asterisk's own event timestamp (UTC).

``entry_id`` is the Uniqueid of the caller's channel in the queue: the same id Asterisk writes as the
``callid`` column of queue_log, so a live figure and a queue_log recount speak of the same entries.
Hold times are Asterisk's own integer seconds (``HoldTime``), the figure queue_log writes too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callcenter.core.ids import CallId
from callcenter.queue.live import DeviceStatus, QueueSnapshot


@dataclass(frozen=True, slots=True)
class CallerJoined:
    """A caller entered a queue (进入排队): the 15-second clock starts (AMI QueueCallerJoin)."""

    server: str
    queue: str
    entry_id: str
    call_id: CallId
    caller_number: str
    position: int
    at: datetime


@dataclass(frozen=True, slots=True)
class CallerAnswered:
    """An agent answered the queued caller (接通) (AMI AgentConnect)."""

    server: str
    queue: str
    entry_id: str
    call_id: CallId
    agent: str  # member interface, e.g. PJSIP/agent1001
    hold_seconds: int
    at: datetime
    caller_number: str = ""  # the caller's number (a later answered call cancels its missed-call request)
    agent_channel_id: str = ""  # Uniqueid of the agent's channel (DestUniqueid): its live tap (实时转写)


@dataclass(frozen=True, slots=True)
class CallerAbandoned:
    """The caller hung up while waiting (放弃) (AMI QueueCallerAbandon)."""

    server: str
    queue: str
    entry_id: str
    call_id: CallId
    caller_number: str
    hold_seconds: int
    position: int
    at: datetime


@dataclass(frozen=True, slots=True)
class CallerLeft:
    """The caller left the queue for any reason (AMI QueueCallerLeave). Asterisk sends it *before* the
    AgentConnect of an answered entry (and after QueueCallerAbandon), so it is not an outcome by itself:
    an entry that left and gets no AgentConnect left by a key (call-back wanted) or a timeout."""

    server: str
    queue: str
    entry_id: str
    call_id: CallId
    at: datetime


@dataclass(frozen=True, slots=True)
class CallCompleted:
    """An answered queue call ended (AMI AgentComplete): after-call work (话后整理) starts."""

    server: str
    queue: str
    entry_id: str
    call_id: CallId
    agent: str
    talk_seconds: int
    hold_seconds: int
    ended_by: str  # "caller" | "agent" | "transfer"
    at: datetime


@dataclass(frozen=True, slots=True)
class AgentRangUnanswered:
    """A seat rang and nobody picked up (AMI AgentRingNoAnswer)."""

    server: str
    queue: str
    entry_id: str
    agent: str
    ring_ms: int
    at: datetime


@dataclass(frozen=True, slots=True)
class MemberAdded:
    """A seat logged in to a queue (签入) (AMI QueueMemberAdded)."""

    server: str
    queue: str
    interface: str
    name: str
    penalty: int
    paused: bool
    pause_reason: str
    status: DeviceStatus
    at: datetime


@dataclass(frozen=True, slots=True)
class MemberRemoved:
    """A seat logged out of a queue (签出) (AMI QueueMemberRemoved)."""

    server: str
    queue: str
    interface: str
    at: datetime


@dataclass(frozen=True, slots=True)
class MemberPaused:
    """A seat paused (示忙, with a reason) or resumed (示闲) in a queue (AMI QueueMemberPause)."""

    server: str
    queue: str
    interface: str
    paused: bool
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class MemberStatusChanged:
    """A seat's phone changed state: idle, ringing, in use… (AMI QueueMemberStatus)."""

    server: str
    queue: str
    interface: str
    status: DeviceStatus
    paused: bool
    pause_reason: str
    in_call: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class CallMeBackRequested:
    """The caller pressed the call-me-back key while waiting (按键预约回拨): dialplan UserEvent
    ``HotlineCallbackRequested``, sent after the caller left the queue."""

    server: str
    queue: str
    entry_id: str
    call_id: CallId
    caller_number: str
    at: datetime


@dataclass(frozen=True, slots=True)
class MissedCallLegEnded:
    """A call-back leg to a citizen ended (漏接回拨): dialplan UserEvent ``HotlineCallbackEnded`` from the
    leg's hangup handler. ``entry_id`` is the leg's Uniqueid (the Originate ChannelId); ``agent`` is the
    member that took the citizen, or "" when the citizen hung up before an agent answered."""

    server: str
    entry_id: str
    missed_call_id: str
    agent: str
    at: datetime


@dataclass(frozen=True, slots=True)
class FloorResynced:
    """After every (re)login the bridge takes Asterisk's QueueStatus afresh: the floor's truth for
    ``server`` is replaced by ``snapshot`` (members and waiting callers)."""

    server: str
    snapshot: QueueSnapshot
    live_call_ids: frozenset[str]
    at: datetime


FloorEvent = (
    CallerJoined
    | CallerAnswered
    | CallerAbandoned
    | CallerLeft
    | CallCompleted
    | AgentRangUnanswered
    | MemberAdded
    | MemberRemoved
    | MemberPaused
    | MemberStatusChanged
    | CallMeBackRequested
    | MissedCallLegEnded
    | FloorResynced
)
