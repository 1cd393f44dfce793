"""Domain events of a hotline call, in call-flow order (past tense, frozen).

They are produced by translating AMI events (adapters/ami/translate.py) and consumed by the call
tracker. ``at`` is Asterisk's own event timestamp (manager.conf ``timestampevents``), in UTC, so that
answer delays are measured where the call happened, not when the bridge read the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callcenter.core.ids import CallId


@dataclass(frozen=True, slots=True)
class CallArrived:
    """A citizen's call reached the hotline number (来电)."""

    call_id: CallId
    at: datetime
    caller_number: str
    channel: str
    dialed: str
    server: str = "default"


@dataclass(frozen=True, slots=True)
class JoinedQueue:
    """The caller entered the agent queue: the 15-second answer clock starts here."""

    call_id: CallId
    at: datetime
    queue: str
    position: int
    caller_number: str = ""  # repeated here so a call first seen in the queue (bridge restart) has it
    channel: str = ""


@dataclass(frozen=True, slots=True)
class AgentCalled:
    """A seat's phone is ringing for this caller (振铃)."""

    call_id: CallId
    at: datetime
    queue: str
    agent: str  # queue member interface, e.g. PJSIP/agent1001


@dataclass(frozen=True, slots=True)
class AgentConnected:
    """An agent answered (接通): the answer delay ends here. ``staff`` is who is logged in to the seat (the
    queue member's MemberName, set to the staff id by the agent-session service); None when unknown."""

    call_id: CallId
    at: datetime
    queue: str
    agent: str
    hold_seconds: int  # Asterisk's own HoldTime, kept to cross-check ours
    staff: str | None = None


@dataclass(frozen=True, slots=True)
class CallAbandoned:
    """The caller hung up while waiting in the queue (放弃)."""

    call_id: CallId
    at: datetime
    queue: str
    hold_seconds: int
    position: int


@dataclass(frozen=True, slots=True)
class CallMeBackChosen:
    """The caller pressed the call-me-back key while waiting and left the queue (按键预约回拨)."""

    call_id: CallId
    at: datetime


@dataclass(frozen=True, slots=True)
class RecordingStarted:
    """MixMonitor started; the paths are as Asterisk sees them."""

    call_id: CallId
    at: datetime
    caller_path: str
    agent_path: str
    mixed_path: str


@dataclass(frozen=True, slots=True)
class RecordingFinished:
    """MixMonitor closed its files. ``has_audio`` is false when nothing was recorded (the caller left
    before an agent answered: recording runs only while bridged) and the empty files were removed."""

    call_id: CallId
    at: datetime
    has_audio: bool = True


@dataclass(frozen=True, slots=True)
class CallHungUp:
    """The caller's channel is gone: the call is over (挂机)."""

    call_id: CallId
    at: datetime
    cause: int
    cause_text: str


CallEvent = (
    CallArrived
    | JoinedQueue
    | AgentCalled
    | AgentConnected
    | CallAbandoned
    | CallMeBackChosen
    | RecordingStarted
    | RecordingFinished
    | CallHungUp
)
