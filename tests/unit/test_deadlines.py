"""Deadlines (办理时限) under the counting rule of ADR 0007, across 国庆 and 春节 weeks and year ends."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.clock import SHANGHAI
from callcenter.core.errors import ConfigError, InvalidInput
from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing.deadlines import (
    Deadline,
    DeadlineRules,
    RequestType,
    Urgency,
    WallClock,
    WorkingDays,
    contact_deadline,
    deadline_for,
    extend,
    is_overdue,
    time_limit,
    warning_at,
    working_day_deadline,
)
from callcenter.ticketing.errors import ExtensionLimitExceeded

CAL = WorkCalendar.published()
RULES = DeadlineRules()


def bj(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """A Beijing wall-clock time, handed over in UTC as storage would."""
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI).astimezone(UTC)


def close(y: int, m: int, d: int) -> datetime:
    return bj(y, m, d, 17, 30)


@pytest.mark.parametrize(
    ("urgency", "request_type", "limit"),
    [
        (Urgency.NORMAL, None, WorkingDays(7)),
        (Urgency.NORMAL, RequestType.CONSULTATION, WorkingDays(3)),
        (Urgency.NORMAL, RequestType.COMPLAINT, WorkingDays(7)),
        (Urgency.NORMAL, RequestType.REQUEST, WorkingDays(5)),
        (Urgency.NORMAL, RequestType.ENTERPRISE_REQUEST, WorkingDays(15)),
        (Urgency.EXPEDITED, RequestType.ENTERPRISE_REQUEST, WorkingDays(2)),
        (Urgency.URGENT, RequestType.CONSULTATION, WorkingDays(1)),
        (Urgency.EXTRA_URGENT, RequestType.COMPLAINT, WallClock(timedelta(minutes=30))),
        (Urgency.EXTRA_URGENT, None, WallClock(timedelta(minutes=30))),
    ],
)
def test_time_limit(urgency: Urgency, request_type: RequestType | None, limit: object) -> None:
    assert time_limit(urgency, request_type, RULES) == limit


def test_an_urgency_never_lengthens_the_request_types_limit() -> None:
    rules = DeadlineRules(urgency_limits={**RULES.urgency_limits, Urgency.EXPEDITED: WorkingDays(5)})
    assert time_limit(Urgency.EXPEDITED, RequestType.CONSULTATION, rules) == WorkingDays(3)


@pytest.mark.parametrize(
    ("received_at", "days", "due_at"),
    [
        (bj(2025, 3, 10, 9), 1, close(2025, 3, 11)),  # Monday morning: the receipt day is not counted
        (bj(2025, 3, 10, 18), 1, close(2025, 3, 11)),  # after hours: same deadline
        (bj(2025, 3, 15, 10), 1, close(2025, 3, 17)),  # Saturday: Monday is day 1
        (datetime(2025, 3, 10, 23, 30, tzinfo=UTC), 1, close(2025, 3, 12)),  # Tuesday 07:30 in Beijing
        # 国庆 2024 (10月1日至7日放假; 9月29日、10月12日上班)
        (bj(2024, 9, 30, 10), 2, close(2024, 10, 9)),
        (bj(2024, 9, 27, 16), 7, close(2024, 10, 12)),  # ends on the 调休 Saturday
        # 国庆·中秋 2025 (10月1日至8日放假; 9月28日、10月11日上班), a 15-day enterprise request
        (bj(2025, 9, 26, 10), 15, close(2025, 10, 23)),
        # 春节 2025 (1月28日至2月4日放假) and 2026 (2月15日至23日放假; 2月14日、2月28日上班)
        (bj(2025, 1, 27, 11), 3, close(2025, 2, 7)),
        (bj(2026, 2, 13, 20), 5, close(2026, 2, 27)),  # Friday night: day 1 is the 调休 Saturday
        # year end: 元旦 2026 is Jan 1-3 and Sunday Jan 4 is worked
        (bj(2025, 12, 31, 10), 1, close(2026, 1, 4)),
    ],
)
def test_working_day_deadline(received_at: datetime, days: int, due_at: datetime) -> None:
    assert working_day_deadline(received_at, days, CAL, RULES) == Deadline(due_at, provisional=False)


def test_deadline_in_an_unpublished_year_is_provisional() -> None:
    deadline = deadline_for(bj(2026, 12, 31, 10), Urgency.URGENT, None, CAL, RULES)
    assert deadline == Deadline(close(2027, 1, 1), provisional=True)


def test_override_moves_the_deadline() -> None:
    closed = WorkCalendar.published({bj(2025, 3, 11).astimezone(SHANGHAI).date(): False})
    assert deadline_for(bj(2025, 3, 10, 9), Urgency.URGENT, None, closed, RULES).due_at == close(2025, 3, 12)


def test_extra_urgent_runs_round_the_clock() -> None:
    received = bj(2027, 10, 1, 3)  # a night in a holiday of an unpublished year
    deadline = deadline_for(received, Urgency.EXTRA_URGENT, RequestType.COMPLAINT, CAL, RULES)
    assert deadline == Deadline(received + timedelta(minutes=30), provisional=False)


def test_contact_the_citizen_within_an_hour_of_dispatch() -> None:
    dispatched = bj(2025, 10, 1, 12)
    assert contact_deadline(dispatched, RULES) == Deadline(dispatched + timedelta(hours=1), False)


@pytest.mark.parametrize(
    ("received_at", "due_at"),
    [
        (bj(2025, 3, 10, 9), close(2025, 3, 10)),  # before the cut-off: the receipt day is day 1
        (bj(2025, 3, 10, 13), close(2025, 3, 11)),  # after it: the next working day is
        (bj(2025, 3, 15, 9), close(2025, 3, 17)),  # a Saturday never counts
        (bj(2024, 9, 29, 9), close(2024, 9, 29)),  # a 调休 Sunday does
    ],
)
def test_optional_same_day_cutoff(received_at: datetime, due_at: datetime) -> None:
    rules = DeadlineRules(same_day_cutoff=time(12, 0))
    assert working_day_deadline(received_at, 1, CAL, rules).due_at == due_at


@pytest.mark.parametrize(
    ("received_at", "days", "warn"),
    [
        (bj(2025, 3, 10, 10), 1, bj(2025, 3, 11, 11, 12)),  # 80 % of 31.5 h
        (bj(2025, 3, 10, 10), 7, close(2025, 3, 18)),  # the last working day begins
        (bj(2024, 9, 27, 16), 7, close(2024, 10, 11)),  # across 国庆: Friday before the 调休 Saturday
    ],
)
def test_yellow_card(received_at: datetime, days: int, warn: datetime) -> None:
    deadline = working_day_deadline(received_at, days, CAL, RULES)
    assert warning_at(deadline, received_at, CAL, RULES) == warn


def test_yellow_card_for_extra_urgent() -> None:
    received = bj(2025, 3, 10, 10)
    deadline = deadline_for(received, Urgency.EXTRA_URGENT, None, CAL, RULES)
    assert warning_at(deadline, received, CAL, RULES) == received + timedelta(minutes=24)


def test_red_card_after_the_due_time() -> None:
    deadline = Deadline(close(2025, 3, 11), provisional=False)
    assert not is_overdue(deadline, close(2025, 3, 11))
    assert is_overdue(deadline, close(2025, 3, 11) + timedelta(seconds=1))


@pytest.mark.parametrize(
    ("due_at", "days", "new_due"),
    [
        (close(2024, 9, 30), 1, close(2024, 10, 8)),
        (close(2025, 9, 26), 10, close(2025, 10, 16)),  # Sep 28, 29, 30, Oct 9, 10, 11 (Sat), 13-16
        (bj(2025, 3, 15, 10, 30), 1, close(2025, 3, 17)),  # a wall-clock deadline moves to close of business
    ],
)
def test_extend(due_at: datetime, days: int, new_due: datetime) -> None:
    assert extend(Deadline(due_at, False), days, CAL, RULES) == Deadline(new_due, provisional=False)


def test_extension_beyond_the_maximum_is_refused() -> None:
    deadline = Deadline(close(2025, 3, 11), provisional=False)
    with pytest.raises(ExtensionLimitExceeded) as refused:
        extend(deadline, 11, CAL, RULES)
    assert refused.value.code == "extension_limit_exceeded"  # the life cycle's rule and code
    with pytest.raises(ExtensionLimitExceeded) as refused:
        extend(deadline, 3, CAL, RULES, already_extended=8)
    assert refused.value.details["allowed"] == 2
    assert extend(deadline, 15, CAL, DeadlineRules(max_extension=WorkingDays(15))).due_at == close(2025, 4, 1)


def test_extension_into_an_unpublished_year_is_provisional() -> None:
    assert extend(Deadline(close(2026, 12, 31), False), 1, CAL, RULES).provisional


@pytest.mark.parametrize("days", [0, -1])
def test_extension_of_no_days_is_invalid(days: int) -> None:
    with pytest.raises(InvalidInput):
        extend(Deadline(close(2025, 3, 11), False), days, CAL, RULES)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(InvalidInput):
        deadline_for(datetime(2025, 3, 10, 9), Urgency.NORMAL, None, CAL, RULES)
    with pytest.raises(InvalidInput):
        is_overdue(Deadline(close(2025, 3, 11), False), datetime(2025, 3, 12))


@pytest.mark.parametrize(
    "change",
    [
        {"warning_fraction": 1.0},
        {"urgency_limits": {Urgency.NORMAL: WorkingDays(7)}},
        {"request_type_limits": {**RULES.request_type_limits, RequestType.COMPLAINT: WorkingDays(0)}},
        {"max_extension": WorkingDays(-1)},
    ],
)
def test_invalid_rules_are_refused(change: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        DeadlineRules(**change)  # type: ignore[arg-type]


def test_rules_hold_read_only_copies() -> None:
    limits = dict(RULES.request_type_limits)
    rules = DeadlineRules(request_type_limits=limits)
    limits[RequestType.COMPLAINT] = WorkingDays(1)
    assert rules.request_type_limits[RequestType.COMPLAINT] == WorkingDays(7)


# Properties over receipts from 2019 to 2028 (published and unpublished years).
receipts = st.datetimes(
    min_value=datetime(2019, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
limits = st.integers(min_value=1, max_value=20)


@given(received_at=receipts, days=limits)
def test_due_at_close_of_business_on_the_nth_working_day_after_receipt(
    received_at: datetime, days: int
) -> None:
    due = working_day_deadline(received_at, days, CAL, RULES).due_at.astimezone(SHANGHAI)
    assert due.time() == RULES.close_of_business
    assert CAL.is_workday(due.date())
    assert CAL.working_days_between(received_at.astimezone(SHANGHAI).date(), due.date()).value == days


@given(
    received_at=receipts,
    later_by=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9)),
    days=limits,
)
def test_a_later_receipt_is_never_due_earlier(received_at: datetime, later_by: timedelta, days: int) -> None:
    first = working_day_deadline(received_at, days, CAL, RULES).due_at
    assert working_day_deadline(received_at + later_by, days, CAL, RULES).due_at >= first


@given(received_at=receipts, urgency=st.sampled_from(Urgency), request_type=st.sampled_from(RequestType))
def test_yellow_card_falls_between_receipt_and_due(
    received_at: datetime, urgency: Urgency, request_type: RequestType
) -> None:
    deadline = deadline_for(received_at, urgency, request_type, CAL, RULES)
    assert received_at < warning_at(deadline, received_at, CAL, RULES) < deadline.due_at
