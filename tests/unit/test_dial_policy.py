"""Which numbers a missed-call call-back may dial (issue 11): domestic phones only, as data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from callcenter.core.errors import InvalidInput
from callcenter.core.ids import CallId
from callcenter.queue.missed_calls.dial_policy import DOMESTIC, dial_policy, parse_rules
from callcenter.queue.missed_calls.rules import (
    MissedCall,
    MissedCallPolicy,
    MissedCallReason,
    MissedCallState,
    open_request,
)
from callcenter.queue.missed_calls.steps import refuse

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "number",
    [
        "13800138000",  # mobile
        "19912345678",
        "19001234567",  # an 11-digit 1900… is a China Telecom mobile, not a premium line
        "01012345678",  # Beijing landline with area code
        "02112345678",
        "07551234567",  # 0755 + 7 digits
        "075512345678",
        "62345678",  # a local number of the trunk's own city
        "6234567",
    ],
)
def test_domestic_phones_may_be_called_back(number: str) -> None:
    assert DOMESTIC.refusal(number) is None


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("0044201234567", "international"),
        ("001650123456", "international"),
        ("4001234567", "toll_free"),
        ("8008101234", "toll_free"),
        ("9558812", "service"),  # 95xxx bank and utility service numbers
        ("96123456", "service"),
        ("1680123", "premium"),  # 168 voice-information line
        ("01016801234", "premium"),
        ("1900123456", "premium"),
        ("12345678901", "not_domestic"),  # no such mobile range
        ("99999999", "not_domestic"),
        ("5551234567890", "not_domestic"),
    ],
)
def test_international_premium_and_service_numbers_are_refused_with_a_reason(
    number: str, reason: str
) -> None:
    assert DOMESTIC.refusal(number) == reason


def missed(number: str) -> MissedCall:
    return MissedCall("a", "hotline", "e1", CallId("c1"), number, MissedCallReason.ABANDONED, T0)


def test_a_refused_number_is_recorded_not_callable_and_never_due() -> None:
    request = open_request(missed("0044201234567"), MissedCallPolicy())
    assert (request.state, request.close_reason, request.next_attempt_at) == (
        MissedCallState.NOT_CALLABLE,
        "international",
        None,
    )
    assert open_request(missed("+44 20 1234 5678"), MissedCallPolicy()).close_reason == "invalid_number"
    assert not request.is_due(T0)


def test_a_waiting_request_refused_later_becomes_not_callable() -> None:
    pending = open_request(missed("13800138000"), MissedCallPolicy())
    refused = refuse(pending, "not_domestic", T0)
    assert (refused.state, refused.close_reason, refused.next_attempt_at) == (
        MissedCallState.NOT_CALLABLE,
        "not_domestic",
        None,
    )


def test_the_rules_are_settings() -> None:
    mobiles_only = dial_policy("mobile=1[3-9][0-9]{9}", "")
    assert (
        mobiles_only.refusal("13800138000") is None and mobiles_only.refusal("01012345678") == "not_domestic"
    )
    for bad in ("mobile", "Mobile=1", "x=[", "=123"):
        with pytest.raises(InvalidInput):
            parse_rules(bad)
