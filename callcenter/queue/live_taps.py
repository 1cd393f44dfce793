"""Which answered calls are streamed to the live transcription worker (实时转写), and from when.

Rule: when an agent answers a queued call (AMI AgentConnect), each party's own voice is streamed on its
own — the caller's channel and the agent's channel, each a *tap* — so that live segments carry the same
speaker labels as the after-call transcript. Only calls that are recorded are tapped: the inbound lines
(the ``start-recording`` gosub runs before every inbound queue); the call-back queue's legs (漏接回拨) are
not recorded, so their taps would have no time base and they are left out.

Time base: a live segment's times count from the start of that side's recording. MixMonitor's ``b``
option writes audio only while the caller is bridged to the agent, so the recording starts when
app_queue bridges the two — AgentConnect is sent right before that bridge (measured 0.2 ms apart). A
tap starts when ChanSpy first reads audio, which it does ``CHANSPY_START_S`` after its channel answers
(its first wait for a key). The offset of a tap is therefore the time from AgentConnect to the moment
the tap is requested, plus that start delay. Pure: no clock read, no I/O.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from callcenter.asr.model import Speaker
from callcenter.core.ids import CallId
from callcenter.queue.events import CallerAnswered

# ChanSpy waits 100 ms for a key before it looks for the channel to spy on (app_chanspy, Asterisk 22):
# measured 0.100-0.103 s from the AudioSocket channel's answer to ChanSpyStart, and the same gap between
# the speech onsets of the recording and of the tapped stream (tests/e2e/test_live_tap.py).
CHANSPY_START_S = 0.1
MAX_TAP_DELAY_S = 30.0  # a tap requested later than this after the answer is not worth starting


@dataclass(frozen=True, slots=True)
class TapOrder:
    """One party of an answered call to stream live: spy on the channel ``channel_id`` (an Asterisk
    Uniqueid on ``server``) and stream only the audio that party sends."""

    server: str
    call_id: CallId
    speaker: Speaker
    channel_id: str
    answered_at: datetime  # Asterisk's AgentConnect timestamp = the start of the recording


def taps_for(event: CallerAnswered, unrecorded_queues: Collection[str]) -> tuple[TapOrder, ...]:
    """The two taps of an answered call: the caller's channel (its Uniqueid is the queue entry) and the
    agent's; none for a queue whose calls are not recorded or when a channel id is missing."""
    if event.queue in unrecorded_queues or not event.entry_id or not event.agent_channel_id:
        return ()
    return (
        TapOrder(event.server, event.call_id, Speaker.CALLER, event.entry_id, event.at),
        TapOrder(event.server, event.call_id, Speaker.AGENT, event.agent_channel_id, event.at),
    )


def tap_offset(order: TapOrder, requested_at: datetime) -> float | None:
    """Seconds into the recording at which the tap's first audio falls, for a tap requested at
    ``requested_at``; None when it is too late to start one (a backlog of events, a wrong clock)."""
    since_answer = max(0.0, (requested_at - order.answered_at).total_seconds())
    if since_answer > MAX_TAP_DELAY_S:
        return None
    return since_answer + CHANSPY_START_S
