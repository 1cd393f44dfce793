"""The bridge's Originate allow-list (issue 11): only what the hotline itself sends, as data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.adapters.ami.live_tap import AudioSocketTarget, originate_fields
from callcenter.adapters.ami.missed_calls import AmiOriginator
from callcenter.adapters.ami.originate_policy import OriginateRefused, check_originate
from callcenter.asr.model import Speaker
from callcenter.core.ids import CallId
from callcenter.queue.live_taps import TapOrder
from callcenter.queue.missed_calls.ports import DialOrder


def test_the_hotlines_own_originates_are_allowed() -> None:
    callback = AmiOriginator({}, "pstn-out", "12345", 30).fields(
        DialOrder("hotline", "13800138000", "cb1", 1, 1)
    )
    order = TapOrder("hotline", CallId("c1"), Speaker.CALLER, "hotline-1.1", datetime(2030, 1, 1, tzinfo=UTC))
    tap = originate_fields(AudioSocketTarget("127.0.0.1", 9093), "tap-1", order)
    check_originate(callback)
    check_originate(tap)


@pytest.mark.parametrize(
    "fields",
    [
        # the attack of issue 11: a Local channel into the hangup handler with a chosen REC_BASE
        {"Channel": "Local/s@recording-complete", "Application": "ChanSpy"},
        {"Channel": "PJSIP/13800138000@pstn-out", "Context": "recording-complete", "Exten": "s"},
        {"Channel": "PJSIP/13800138000@pstn-out", "Application": "System", "Data": "touch /tmp/pwned"},
        {"Channel": "PJSIP/13800138000@pstn-out", "Application": "Exec", "Data": "System(id)"},
        {"Channel": "PJSIP/13800138000@pstn-out"},  # neither context nor application
        {"Channel": "PJSIP/x", "Context": "callback-leg", "Application": "ChanSpy"},  # both
        {"Channel": "DAHDI/1", "Context": "callback-leg"},
        {"Context": "callback-leg"},  # no channel
    ],
)
def test_anything_else_is_refused(fields: dict[str, str]) -> None:
    with pytest.raises(OriginateRefused):
        check_originate(fields)
