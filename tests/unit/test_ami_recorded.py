"""Recorded AMI streams from a real Asterisk 22 (tests/fixtures/ami) through the whole pure path:
bytes → UTF-8-safe protocol → translation → call record. Fed in awkward chunk sizes on purpose."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from callcenter.adapters.ami.protocol import Utf8AMIProtocol
from callcenter.adapters.ami.translate import HotlineMatch, normalise, translate
from callcenter.calls.events import (
    AgentCalled,
    AgentConnected,
    CallAbandoned,
    CallArrived,
    CallEvent,
    CallHungUp,
    JoinedQueue,
    RecordingFinished,
    RecordingStarted,
)
from callcenter.calls.model import CallOutcome, CallPhase, CallRecord, apply, start_call
from callcenter.queue.live import DeviceStatus, parse_queue_status, waiting_as_events

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ami"
MATCH = HotlineMatch(recordings=("/var/lib/callcenter12345/instances",))  # the fixtures' instances
NOW = datetime(2030, 1, 1, tzinfo=UTC)


class Collector:
    def __init__(self) -> None:
        self.messages: list[dict[str, str]] = []

    def dispatch(self, message: Any) -> None:
        self.messages.append(normalise(message))


def messages(name: str, chunk: int = 7) -> list[dict[str, str]]:
    """Every event of a recorded stream, parsed from chunks that cut through lines and characters."""
    raw = (FIXTURES / name).read_bytes()
    protocol = Utf8AMIProtocol()
    protocol.connection_made(transport=None)
    collector = Collector()
    protocol.factory = collector
    for i in range(0, len(raw), chunk):
        protocol.data_received(raw[i : i + chunk])
    return collector.messages


def call_events(name: str, chunk: int = 7) -> list[CallEvent]:
    events = (translate(m, MATCH, NOW) for m in messages(name, chunk))
    return [e for e in events if e is not None]


def replay(events: list[CallEvent]) -> CallRecord:
    assert isinstance(events[0], CallArrived)
    record = start_call(events[0])
    for event in events[1:]:
        record = apply(record, event)
    return record


@pytest.mark.parametrize("chunk", [1, 7, 100, 100_000])
def test_answered_call_gives_the_domain_events_in_call_flow_order(chunk: int) -> None:
    events = call_events("answered_call.ami", chunk)
    assert [type(e) for e in events] == [
        CallArrived,
        RecordingStarted,
        JoinedQueue,
        AgentCalled,
        AgentConnected,
        RecordingFinished,
        CallHungUp,
    ]
    assert len({e.call_id for e in events}) == 1


def test_answered_call_record_has_answer_delay_agent_and_complete_recording() -> None:
    events = call_events("answered_call.ami")
    record = replay(events)
    arrived = events[0]
    assert isinstance(arrived, CallArrived) and arrived.caller_number == "13800138001"
    assert record.outcome is CallOutcome.ANSWERED and record.phase is CallPhase.ENDED
    assert record.agent == "PJSIP/agent1001"
    connect = next(e for e in events if isinstance(e, AgentConnected))
    assert record.answer_delay is not None
    assert 0 < record.answer_delay < 15
    assert abs(record.answer_delay - connect.hold_seconds) <= 1  # agrees with Asterisk's HoldTime
    assert record.recording is not None and record.recording.caller.endswith("-caller.wav")
    assert record.ready_for_transcription


def test_abandoned_call_has_wait_time_and_nothing_to_transcribe() -> None:
    events = call_events("abandoned_call.ami")
    record = replay(events)
    abandon = next(e for e in events if isinstance(e, CallAbandoned))
    assert record.outcome is CallOutcome.ABANDONED
    assert record.wait_seconds is not None and abs(record.wait_seconds - abandon.hold_seconds) <= 1
    finished = next(e for e in events if isinstance(e, RecordingFinished))
    assert not finished.has_audio
    assert record.recording is None and not record.ready_for_transcription


def test_queue_status_response_becomes_a_snapshot() -> None:
    snapshot = parse_queue_status(messages("queue_status.ami"), NOW)
    [member] = snapshot.members_of("hotline")
    assert member.interface == "PJSIP/agent1002" and member.paused
    assert member.status is not DeviceStatus.INVALID
    [waiting] = snapshot.waiting
    assert waiting.caller_number == "13800138003"
    [joined] = waiting_as_events(snapshot)
    assert joined.call_id == waiting.call_id and joined.at <= NOW
