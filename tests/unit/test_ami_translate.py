"""Pure AMI → domain translation: hand-written edge cases (recorded streams: test_ami_recorded.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.adapters.ami.translate import (
    HotlineMatch,
    MalformedAmiEvent,
    UntrustedAmiEvent,
    normalise,
    translate,
)
from callcenter.calls.events import (
    AgentConnected,
    CallArrived,
    CallHungUp,
    CallMeBackChosen,
    JoinedQueue,
    RecordingFinished,
    RecordingStarted,
)

MATCH = HotlineMatch(contexts=frozenset({"from-pstn"}), numbers=frozenset({"12345"}))
NOW = datetime(2026, 11, 24, tzinfo=UTC)


def ev(**headers: str) -> dict[str, str]:
    return normalise(headers)


def test_new_channel_of_a_citizen_is_a_call_arrival_dated_by_asterisk() -> None:
    event = translate(
        ev(
            Event="Newchannel",
            Channel="PJSIP/pstn-00000001",
            CallerIDNum="13800138000",
            Context="from-pstn",
            Exten="12345",
            Uniqueid="1764.1",
            Linkedid="1764.1",
            Timestamp="1764000000.250000",
        ),
        MATCH,
        NOW,
    )
    assert isinstance(event, CallArrived)
    assert event.caller_number == "13800138000" and event.call_id == "1764.1"
    assert event.at == datetime.fromtimestamp(1764000000.25, UTC)


@pytest.mark.parametrize(
    "headers",
    [
        {"Context": "agents", "Exten": "12345", "Uniqueid": "1.1", "Linkedid": "1.1"},  # not the pstn context
        {"Context": "from-pstn", "Exten": "110", "Uniqueid": "1.1", "Linkedid": "1.1"},  # another number
        {"Context": "from-pstn", "Exten": "12345", "Uniqueid": "1.2", "Linkedid": "1.1"},  # an agent's leg
    ],
)
def test_other_new_channels_are_not_hotline_calls(headers: dict[str, str]) -> None:
    assert translate(ev(Event="Newchannel", Channel="PJSIP/x", **headers), MATCH, NOW) is None


def test_agent_connect_carries_asterisks_hold_time() -> None:
    event = translate(
        ev(
            Event="AgentConnect",
            Queue="hotline",
            Interface="PJSIP/agent1001",
            MemberName="agent1001",
            HoldTime="7",
            Uniqueid="1.1",
            Linkedid="1.1",
        ),
        MATCH,
        NOW,
    )
    assert isinstance(event, AgentConnected)
    assert (event.agent, event.hold_seconds, event.at) == ("PJSIP/agent1001", 7, NOW)


@pytest.mark.parametrize(
    ("member_name", "staff"),
    [
        ("zhang.san", "zhang.san"),  # 签入 through the agent-session service: MemberName = staff id
        ("PJSIP/agent1001", None),  # a member added without a name is named after its interface
        ("", None),
        ("Local/1001@agents", None),
    ],
)
def test_agent_connect_names_the_staff_member_at_the_seat(member_name: str, staff: str | None) -> None:
    headers = {"Queue": "hotline", "Interface": "PJSIP/agent1001", "Uniqueid": "1.1", "Linkedid": "1.1"}
    event = translate(ev(Event="AgentConnect", MemberName=member_name, **headers), MATCH, NOW)
    assert isinstance(event, AgentConnected) and event.staff == staff


def test_only_the_callers_hangup_ends_the_call() -> None:
    caller = translate(
        ev(Event="Hangup", Uniqueid="1.1", Linkedid="1.1", Cause="16", **{"Cause-txt": "Normal Clearing"}),
        MATCH,
        NOW,
    )
    agent = translate(ev(Event="Hangup", Uniqueid="1.2", Linkedid="1.1", Cause="16"), MATCH, NOW)
    assert isinstance(caller, CallHungUp) and caller.cause_text == "Normal Clearing"
    assert agent is None


def test_queue_join_remembers_the_caller_for_a_call_first_seen_there() -> None:
    event = translate(
        ev(
            Event="QueueCallerJoin",
            Queue="hotline",
            Position="2",
            CallerIDNum="13900000000",
            Channel="PJSIP/pstn-2",
            Uniqueid="1.3",
            Linkedid="1.3",
        ),
        MATCH,
        NOW,
    )
    assert isinstance(event, JoinedQueue)
    assert (event.position, event.caller_number) == (2, "13900000000")


@pytest.mark.parametrize(
    "headers",
    [
        {"Event": "QueueCallerJoin", "Uniqueid": "1.1", "Linkedid": "1.1"},  # no Queue
        {"Event": "AgentConnect", "Queue": "q", "Interface": "i", "HoldTime": "soon", "Linkedid": "1.1"},
        {"Event": "Hangup", "Uniqueid": "1.1", "Linkedid": "1.1", "Timestamp": "yesterday"},
        {"Event": "QueueCallerAbandon", "Queue": "q", "Uniqueid": "", "Linkedid": ""},
    ],
)
def test_malformed_events_raise_a_domain_error(headers: dict[str, str]) -> None:
    with pytest.raises(MalformedAmiEvent):
        translate(ev(**headers), MATCH, NOW)


def test_unknown_events_and_missing_event_names_are_ignored() -> None:
    assert translate(ev(Event="PeerStatus", Peer="x"), MATCH, NOW) is None
    assert translate(ev(Response="Success"), MATCH, NOW) is None


def test_repeated_headers_keep_the_last_value() -> None:
    assert normalise({"ChanVariable": ["A=1", "B=2"], "Event": "X"}) == {"chanvariable": "B=2", "event": "X"}


def test_the_call_me_back_key_user_event_marks_the_call() -> None:
    event = translate(
        ev(
            Event="UserEvent",
            UserEvent="HotlineCallbackRequested",
            Queue="hotline",
            Uniqueid="9.1",
            Linkedid="9.1",
        ),
        MATCH,
        NOW,
    )
    assert event == CallMeBackChosen(call_id="9.1", at=NOW)  # type: ignore[arg-type]


# --- recording paths (issue 11): only inside the recordings directory ------------------------------------

RECORDINGS = "/var/lib/callcenter12345/instances/hotline/recordings"
CONFINED = HotlineMatch(recordings=(RECORDINGS,))


def recording_event(base: str, name: str = "HotlineRecording", **extra: str) -> dict[str, str]:
    return ev(
        Event="UserEvent",
        UserEvent=name,
        CallerFile=f"{base}-caller.wav",
        AgentFile=f"{base}-agent.wav",
        MixedFile=f"{base}.wav",
        Uniqueid="1.1",
        Linkedid="1.1",
        **extra,
    )


def test_a_recording_inside_the_recordings_directory_is_accepted() -> None:
    event = translate(recording_event(f"{RECORDINGS}/20261124/1.1_1.1"), CONFINED, NOW)
    assert isinstance(event, RecordingStarted) and event.mixed_path == f"{RECORDINGS}/20261124/1.1_1.1.wav"
    done = translate(
        recording_event(f"{RECORDINGS}/x", "HotlineRecordingComplete", HasAudio="no"), CONFINED, NOW
    )
    assert isinstance(done, RecordingFinished) and not done.has_audio


@pytest.mark.parametrize(
    "base",
    [
        "/tmp/x",  # elsewhere
        "/etc/passwd",
        f"{RECORDINGS}/../../../../etc/cron.d/x",  # climbs out
        f"{RECORDINGS}/./20261124/x",  # not normal: refused rather than fixed
        f"{RECORDINGS}-evil/x",  # a sibling that shares the prefix
        "20261124/x",  # relative
        f"{RECORDINGS}/x; touch /tmp/pwned",  # shell text: never a name Asterisk makes
        f"{RECORDINGS}/x$(id)",
        f"{RECORDINGS}/x\x00y",  # control character
    ],
)
@pytest.mark.parametrize("name", ["HotlineRecording", "HotlineRecordingComplete"])
def test_a_recording_event_naming_a_file_outside_the_recordings_directory_is_refused(
    base: str, name: str
) -> None:
    with pytest.raises(UntrustedAmiEvent):
        translate(recording_event(base, name, HasAudio="no"), CONFINED, NOW)


def test_with_no_recordings_directory_every_recording_event_is_refused() -> None:
    with pytest.raises(UntrustedAmiEvent):
        translate(recording_event(f"{RECORDINGS}/x"), MATCH, NOW)
