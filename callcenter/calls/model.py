"""The call record (通话记录) and the pure rules that move it along as events arrive.

Answer delay (应答时长) is measured from queue join to agent connect, on Asterisk's timestamps.
Abandon wait is measured from queue join to the caller's hang-up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

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
from callcenter.core.ids import CallId


class CallPhase(StrEnum):
    GREETING = "greeting"  # answered by the hotline, greeting and recording notice
    QUEUED = "queued"  # waiting for an agent (排队)
    CONNECTED = "connected"  # talking to an agent (通话中)
    ENDED = "ended"


class CallOutcome(StrEnum):
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"  # an agent took the call (接通)
    ABANDONED = "abandoned"  # hung up while waiting in the queue (放弃)
    CALL_ME_BACK_REQUESTED = "callback_requested"  # left the queue by the call-me-back key (预约回拨)
    ENDED_IN_GREETING = "ended_in_greeting"  # hung up before reaching the queue
    LOST_TRACK = "lost_track"  # ended while the bridge was disconnected; closed at resync


@dataclass(frozen=True, slots=True)
class RecordingFiles:
    """Where MixMonitor writes, as Asterisk sees the paths: one file a side plus the mix for replay."""

    caller: str
    agent: str
    mixed: str


@dataclass(frozen=True, slots=True)
class CallRecord:
    call_id: CallId
    caller_number: str
    channel: str
    arrived_at: datetime
    server: str = "default"
    phase: CallPhase = CallPhase.GREETING
    outcome: CallOutcome = CallOutcome.IN_PROGRESS
    queue: str | None = None
    queued_at: datetime | None = None
    agent: str | None = None  # the seat (queue member interface, e.g. PJSIP/agent1001)
    answered_by: str | None = None  # the staff id logged in to that seat when it answered (least privilege)
    connected_at: datetime | None = None
    ended_at: datetime | None = None
    hangup_cause: str | None = None
    recording: RecordingFiles | None = None
    recording_complete: bool = False
    transcription_queued: bool = False

    @property
    def answer_delay(self) -> float | None:
        """Seconds from queue join to agent connect; None unless answered from the queue."""
        if self.queued_at is None or self.connected_at is None:
            return None
        return (self.connected_at - self.queued_at).total_seconds()

    @property
    def wait_seconds(self) -> float | None:
        """Seconds the caller waited in the queue: until connect, or until hang-up if abandoned."""
        if self.queued_at is None:
            return None
        until = self.connected_at or self.ended_at
        return None if until is None else (until - self.queued_at).total_seconds()

    @property
    def ready_for_transcription(self) -> bool:
        """A call is transcribed once it is over and its recording files are closed."""
        return (
            self.phase is CallPhase.ENDED
            and self.recording is not None
            and self.recording_complete
            and not self.transcription_queued
        )


def start_call(event: CallArrived) -> CallRecord:
    return CallRecord(
        call_id=event.call_id,
        caller_number=event.caller_number,
        channel=event.channel,
        arrived_at=event.at,
        server=event.server,
    )


def apply(record: CallRecord, event: CallEvent) -> CallRecord:
    """Move ``record`` along by one event. Events that arrive late or twice leave it unchanged."""
    if record.phase is CallPhase.ENDED and not isinstance(event, RecordingFinished | RecordingStarted):
        return record
    match event:
        case CallArrived():
            return record
        case JoinedQueue(queue=queue, at=at):
            return _queued(record, queue, at)
        case AgentCalled():
            return record
        case AgentConnected():
            return _connected(record, event)
        case CallAbandoned(at=at):
            return _ended(record, at, "abandoned", CallOutcome.ABANDONED)
        case CallMeBackChosen():
            return _call_me_back_chosen(record)
        case RecordingStarted(caller_path=c, agent_path=a, mixed_path=m):
            return replace(record, recording=RecordingFiles(caller=c, agent=a, mixed=m))
        case RecordingFinished(has_audio=has_audio):
            if not has_audio:
                return replace(record, recording=None, recording_complete=False)
            return replace(record, recording_complete=record.recording is not None)
        case CallHungUp(at=at, cause_text=cause):
            return _ended(record, at, cause, _outcome_at_hangup(record))
    return record


def _queued(record: CallRecord, queue: str, at: datetime) -> CallRecord:
    """Joining the queue starts the answer clock once; a repeat (resync) changes nothing."""
    if record.phase is not CallPhase.GREETING:
        return record
    return replace(record, phase=CallPhase.QUEUED, queue=queue, queued_at=at)


def _call_me_back_chosen(record: CallRecord) -> CallRecord:
    """The caller chose to be called back: the call stays open until the hang-up after the confirmation,
    which then keeps this outcome (not "abandoned")."""
    if record.phase is not CallPhase.QUEUED or record.outcome is not CallOutcome.IN_PROGRESS:
        return record
    return replace(record, outcome=CallOutcome.CALL_ME_BACK_REQUESTED)


def _connected(record: CallRecord, event: AgentConnected) -> CallRecord:
    """The first connect counts; a repeat (the resync's view of a call already seen answered) is ignored.
    Who answered is kept: the call's recording and transcript are theirs to see (staff/call_access.py)."""
    if record.phase is CallPhase.CONNECTED:
        return record
    return replace(
        record,
        phase=CallPhase.CONNECTED,
        outcome=CallOutcome.ANSWERED,
        agent=event.agent,
        answered_by=event.staff,
        queue=record.queue or event.queue,
        connected_at=event.at,
    )


def _ended(record: CallRecord, at: datetime, cause: str, outcome: CallOutcome) -> CallRecord:
    if record.phase is CallPhase.ENDED:
        return record
    return replace(record, phase=CallPhase.ENDED, ended_at=at, hangup_cause=cause, outcome=outcome)


def _outcome_at_hangup(record: CallRecord) -> CallOutcome:
    """A hang-up decides the outcome only where no queue event already did."""
    if record.outcome is not CallOutcome.IN_PROGRESS:
        return record.outcome
    if record.phase is CallPhase.QUEUED:
        return CallOutcome.ABANDONED
    return CallOutcome.ENDED_IN_GREETING


def close_unobserved(record: CallRecord, at: datetime) -> CallRecord:
    """Close a call whose channel vanished while the bridge was away (seen at resync).

    Recording runs only while the caller is bridged to an agent, so only an answered call has audio
    worth transcribing; whatever Asterisk managed to write before it went away is used.
    """
    if record.phase is CallPhase.ENDED:
        return record
    answered = record.outcome is CallOutcome.ANSWERED
    return replace(
        record,
        phase=CallPhase.ENDED,
        ended_at=at,
        hangup_cause="unobserved",
        outcome=CallOutcome.ANSWERED if answered else CallOutcome.LOST_TRACK,
        recording=record.recording if answered else None,
        recording_complete=answered and record.recording is not None,
    )


def empty_recording(record: CallRecord, event: CallEvent) -> RecordingFiles | None:
    """The files to delete when ``event`` closes ``record``'s recording with nothing in it (the caller left
    before an agent answered): header-only WAVs are not kept. Deleting is the app's job, never the
    dialplan's (issue 11: no shell in the dialplan)."""
    if isinstance(event, RecordingFinished) and not event.has_audio:
        return record.recording
    return None


def mark_transcription_queued(record: CallRecord) -> CallRecord:
    return replace(record, transcription_queued=True)
