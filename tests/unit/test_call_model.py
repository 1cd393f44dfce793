"""The call record's rules: answer delay, abandon wait, outcomes, late and repeated events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.calls.events import (
    AgentConnected,
    CallAbandoned,
    CallArrived,
    CallHungUp,
    CallMeBackChosen,
    JoinedQueue,
    RecordingFinished,
    RecordingStarted,
)
from callcenter.calls.model import CallOutcome, CallPhase, apply, close_unobserved, start_call
from callcenter.core.ids import CallId

T0 = datetime(2026, 11, 24, 2, 0, 0, tzinfo=UTC)
CID = CallId("1700000000.1")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def arrived() -> CallArrived:
    return CallArrived(CID, at(0), "13800138000", "PJSIP/pstn-00000001", "12345")


def run(*events: object):  # type: ignore[no-untyped-def]
    record = start_call(arrived())
    for event in events:
        record = apply(record, event)  # type: ignore[arg-type]
    return record


def test_answer_delay_runs_from_queue_join_to_agent_connect() -> None:
    record = run(
        JoinedQueue(CID, at(6), "hotline", 1),
        AgentConnected(CID, at(18.5), "hotline", "PJSIP/agent1001", 12),
        CallHungUp(CID, at(60), 16, "Normal Clearing"),
    )
    assert record.answer_delay == pytest.approx(12.5)
    assert record.outcome is CallOutcome.ANSWERED
    assert record.phase is CallPhase.ENDED
    assert record.agent == "PJSIP/agent1001"


def test_the_staff_member_who_answered_is_kept_and_a_repeated_connect_changes_nothing() -> None:
    record = run(
        JoinedQueue(CID, at(6), "hotline", 1),
        AgentConnected(CID, at(8), "hotline", "PJSIP/agent1001", 2, staff="agent1"),
        AgentConnected(CID, at(9), "hotline", "PJSIP/agent1002", 3, staff="agent2"),  # resync's view
    )
    assert (record.agent, record.answered_by) == ("PJSIP/agent1001", "agent1")
    assert run(AgentConnected(CID, at(3), "hotline", "PJSIP/agent1001", 2)).answered_by is None


def test_caller_who_keys_for_a_call_back_is_not_an_abandon() -> None:
    record = run(
        JoinedQueue(CID, at(5), "hotline", 1),
        CallMeBackChosen(CID, at(9)),
        CallHungUp(CID, at(12), 16, "Normal Clearing"),
    )
    assert record.outcome is CallOutcome.CALL_ME_BACK_REQUESTED
    assert record.phase is CallPhase.ENDED and record.agent is None


def test_call_me_back_key_after_an_answer_or_before_the_queue_changes_nothing() -> None:
    answered = run(
        JoinedQueue(CID, at(5), "hotline", 1),
        AgentConnected(CID, at(7), "hotline", "PJSIP/agent1001", 2),
        CallMeBackChosen(CID, at(9)),
    )
    assert answered.outcome is CallOutcome.ANSWERED
    assert run(CallMeBackChosen(CID, at(2))).outcome is CallOutcome.IN_PROGRESS


def test_caller_hanging_up_in_queue_is_abandoned_with_wait() -> None:
    record = run(
        JoinedQueue(CID, at(5), "hotline", 1),
        CallAbandoned(CID, at(25), "hotline", 20, 1),
        CallHungUp(CID, at(25.1), 16, "Normal Clearing"),
    )
    assert record.outcome is CallOutcome.ABANDONED
    assert record.wait_seconds == pytest.approx(20)
    assert record.answer_delay is None


def test_hangup_alone_while_queued_counts_as_abandoned() -> None:
    record = run(JoinedQueue(CID, at(5), "hotline", 1), CallHungUp(CID, at(9), 16, "Normal Clearing"))
    assert record.outcome is CallOutcome.ABANDONED
    assert record.wait_seconds == pytest.approx(4)


def test_hangup_during_greeting_never_reached_the_queue() -> None:
    record = run(CallHungUp(CID, at(2), 16, "Normal Clearing"))
    assert record.outcome is CallOutcome.ENDED_IN_GREETING
    assert record.wait_seconds is None


def test_repeated_queue_join_keeps_the_first_time() -> None:
    record = run(JoinedQueue(CID, at(5), "hotline", 1), JoinedQueue(CID, at(30), "hotline", 1))
    assert record.queued_at == at(5)


def test_queue_join_after_connect_does_not_rewind_the_call() -> None:
    record = run(
        JoinedQueue(CID, at(5), "hotline", 1),
        AgentConnected(CID, at(8), "hotline", "PJSIP/agent1001", 3),
        JoinedQueue(CID, at(5), "hotline", 1),
    )
    assert record.phase is CallPhase.CONNECTED


def test_transcription_waits_for_both_hangup_and_closed_recording() -> None:
    started = RecordingStarted(CID, at(6), "/r/c.wav", "/r/a.wav", "/r/m.wav")
    finished = RecordingFinished(CID, at(61))
    hangup = CallHungUp(CID, at(60), 16, "Normal Clearing")
    assert not run(started, hangup).ready_for_transcription
    assert not run(started, finished).ready_for_transcription
    assert run(started, hangup, finished).ready_for_transcription
    assert run(started, finished, hangup).ready_for_transcription


def test_recording_finished_without_start_is_not_complete() -> None:
    assert not run(RecordingFinished(CID, at(3))).recording_complete


def test_close_unobserved_keeps_answered_and_marks_others_lost() -> None:
    answered = run(JoinedQueue(CID, at(1), "hotline", 1), AgentConnected(CID, at(3), "hotline", "a", 2))
    assert close_unobserved(answered, at(100)).outcome is CallOutcome.ANSWERED
    waiting = run(RecordingStarted(CID, at(1), "/c", "/a", "/m"), JoinedQueue(CID, at(1), "hotline", 1))
    closed = close_unobserved(waiting, at(100))
    assert closed.outcome is CallOutcome.LOST_TRACK and closed.phase is CallPhase.ENDED
    assert not closed.ready_for_transcription  # never bridged to an agent: nothing was recorded


@given(st.lists(st.floats(min_value=0, max_value=3600), min_size=3, max_size=3))
def test_answer_delay_is_never_negative_for_ordered_events(times: list[float]) -> None:
    join, connect, end = sorted(times)
    record = run(
        JoinedQueue(CID, at(join), "hotline", 1),
        AgentConnected(CID, at(connect), "hotline", "a", 0),
        CallHungUp(CID, at(end), 16, ""),
    )
    assert record.answer_delay is not None and record.answer_delay >= 0
    assert record.wait_seconds == record.answer_delay


def test_a_recording_without_audio_is_not_transcribed() -> None:
    started = RecordingStarted(CID, at(6), "/r/c.wav", "/r/a.wav", "/r/m.wav")
    record = run(started, CallHungUp(CID, at(9), 16, ""), RecordingFinished(CID, at(9.1), has_audio=False))
    assert record.recording is None and not record.ready_for_transcription
