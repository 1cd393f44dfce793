"""The resync's reading of CoreShowChannels: live call ids, and calls answered while the AMI link was down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from callcenter.adapters.ami.live_channels import answered_legs, live_call_ids
from callcenter.calls.events import AgentConnected, CallArrived, CallHungUp, JoinedQueue
from callcenter.calls.model import CallOutcome, CallPhase, apply, start_call
from callcenter.core.ids import CallId

AT = datetime(2026, 11, 24, 2, 0, 0, tzinfo=UTC)


def channel(
    name: str, linkedid: str, application: str, bridge: str = "", duration: str = "00:00:07"
) -> dict[str, str]:
    return {
        "event": "CoreShowChannel",
        "channel": name,
        "linkedid": linkedid,
        "application": application,
        "applicationdata": "(Outgoing Line)" if application == "AppQueue" else "hotline",
        "bridgeid": bridge,
        "duration": duration,
    }


CHANNELS = [
    {"event": "CoreShowChannels", "response": "Success"},  # the list's own response: not a channel
    channel("PJSIP/citizen-00000001", "box-1.1", "Queue", bridge="b1", duration="00:01:05"),
    channel("PJSIP/agent1001-00000002", "box-1.1", "AppQueue", bridge="b1", duration="00:00:07"),
    channel("PJSIP/citizen-00000003", "box-1.3", "Queue"),  # waiting
    channel("PJSIP/agent1002-00000004", "box-1.3", "AppQueue"),  # ringing: not answered yet
    {"event": "CoreShowChannelsComplete", "eventlist": "Complete"},
]


def test_live_call_ids_are_the_linkedids_of_live_channels() -> None:
    assert live_call_ids(CHANNELS) == {"box-1.1", "box-1.3"}


def test_a_bridged_agent_leg_is_an_answered_call() -> None:
    (connected,) = answered_legs(CHANNELS, AT)
    assert connected == AgentConnected(CallId("box-1.1"), AT - timedelta(seconds=7), "", "PJSIP/agent1001", 0)


def test_a_call_answered_during_the_gap_ends_answered_not_abandoned() -> None:
    record = start_call(
        CallArrived(CallId("box-1.1"), AT - timedelta(seconds=70), "13800138000", "PJSIP/c-1", "12345")
    )
    record = apply(record, JoinedQueue(CallId("box-1.1"), AT - timedelta(seconds=60), "hotline", 1))
    (connected,) = answered_legs(CHANNELS, AT)
    record = apply(record, connected)
    assert (record.phase, record.agent, record.queue) == (CallPhase.CONNECTED, "PJSIP/agent1001", "hotline")
    again = apply(record, AgentConnected(CallId("box-1.1"), AT, "hotline", "PJSIP/agent1001", 0))
    assert again == record  # the resync's view of a call already seen answered changes nothing
    ended = apply(again, CallHungUp(CallId("box-1.1"), AT + timedelta(seconds=30), 16, "Normal Clearing"))
    assert ended.outcome is CallOutcome.ANSWERED


def test_odd_durations_count_as_zero() -> None:
    (connected,) = answered_legs(
        [channel("PJSIP/agent1001-1", "x", "AppQueue", bridge="b", duration="soon")], AT
    )
    assert connected.at == AT
