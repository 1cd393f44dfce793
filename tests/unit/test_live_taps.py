"""Which answered calls are tapped for live transcription, and the offset of a tap (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from callcenter.adapters.ami.floor_translate import translate_floor
from callcenter.adapters.ami.live_tap import AudioSocketTarget, originate_fields
from callcenter.asr.model import Speaker
from callcenter.core.ids import CallId
from callcenter.queue.events import CallerAnswered
from callcenter.queue.live_taps import CHANSPY_START_S, MAX_TAP_DELAY_S, tap_offset, taps_for

AT = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def answered(queue: str = "hotline", agent_channel_id: str = "ast-1.7") -> CallerAnswered:
    return CallerAnswered(
        server="ast-1",
        queue=queue,
        entry_id="ast-1.5",
        call_id=CallId("ast-1.5"),
        agent="PJSIP/agent1001",
        hold_seconds=2,
        at=AT,
        agent_channel_id=agent_channel_id,
    )


def test_an_answered_inbound_call_gets_one_tap_per_party() -> None:
    caller, agent = taps_for(answered(), unrecorded_queues={"hotline-callback"})
    assert (caller.speaker, caller.channel_id) == (Speaker.CALLER, "ast-1.5")
    assert (agent.speaker, agent.channel_id) == (Speaker.AGENT, "ast-1.7")
    assert caller.call_id == agent.call_id == "ast-1.5" and caller.server == "ast-1"


@pytest.mark.parametrize(
    "event",
    [answered(queue="hotline-callback"), answered(agent_channel_id="")],
    ids=["callback legs are not recorded", "no agent channel id"],
)
def test_no_taps(event: CallerAnswered) -> None:
    assert taps_for(event, unrecorded_queues={"hotline-callback"}) == ()


@pytest.mark.parametrize(
    ("requested_after_s", "offset"),
    [
        (0.0, CHANSPY_START_S),
        (0.25, 0.25 + CHANSPY_START_S),
        (-0.5, CHANSPY_START_S),  # our clock behind Asterisk's: never before the recording starts
        (MAX_TAP_DELAY_S + 1, None),  # far too late (an event backlog): no tap
    ],
)
def test_the_offset_counts_from_the_answer_plus_chanspy_start(
    requested_after_s: float, offset: float | None
) -> None:
    (order, _) = taps_for(answered(), unrecorded_queues=())
    assert tap_offset(order, AT + timedelta(seconds=requested_after_s)) == offset


def test_agentconnect_names_the_agent_channel() -> None:
    headers = {
        "event": "AgentConnect",
        "queue": "hotline",
        "uniqueid": "ast-1.5",
        "linkedid": "ast-1.5",
        "destuniqueid": "ast-1.7",
        "interface": "PJSIP/agent1001",
        "holdtime": "2",
        "timestamp": "1795553260.382660",
    }
    event = translate_floor(headers, AT, "ast-1")
    assert isinstance(event, CallerAnswered) and event.agent_channel_id == "ast-1.7"


def test_the_originate_streams_one_party_as_slin_to_the_worker() -> None:
    (_, agent) = taps_for(answered(), unrecorded_queues=())
    tap_id = "0f8fad5b-d9cb-469f-a165-70867728950e"
    fields = originate_fields(AudioSocketTarget("127.0.0.1", 9093), tap_id, agent)
    assert fields["Channel"] == f"AudioSocket/127.0.0.1:9093/{tap_id}/c(slin)"
    assert (fields["Application"], fields["Data"]) == ("ChanSpy", "ast-1.7,qoESul")
    assert fields["ChannelId"] == tap_id
