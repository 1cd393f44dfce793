"""The working-day calendar: 国庆 and 春节 weeks with their 调休 weekends, year ends, unpublished years.

The expected dates are read from the State Council notices (国务院办公厅关于XXXX年部分节假日安排的通知), not
from the data under test. The last test checks every shipped date against `chinesecalendar`: the only
place besides scripts/gen_holidays.py where a calendar package is imported.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core import holiday_data
from callcenter.core.workcalendar import Reckoning, WorkCalendar

CAL = WorkCalendar.published()


@pytest.mark.parametrize(
    ("day", "workday"),
    [
        # 2020 国庆·中秋: 10月1日至8日放假; 9月27日(周日)、10月10日(周六)上班
        (date(2020, 9, 27), True),
        (date(2020, 10, 8), False),
        (date(2020, 10, 9), True),
        (date(2020, 10, 10), True),
        (date(2020, 10, 11), False),
        # 2023 中秋·国庆: 9月29日至10月6日放假; 10月7日(周六)、10月8日(周日)上班
        (date(2023, 9, 28), True),
        (date(2023, 9, 29), False),
        (date(2023, 10, 6), False),
        (date(2023, 10, 7), True),
        (date(2023, 10, 8), True),
        # 2024 国庆: 10月1日至7日放假; 9月29日(周日)、10月12日(周六)上班
        (date(2024, 9, 28), False),
        (date(2024, 9, 29), True),
        (date(2024, 10, 7), False),
        (date(2024, 10, 12), True),
        # 2025 国庆·中秋: 10月1日至8日放假; 9月28日(周日)、10月11日(周六)上班
        (date(2025, 9, 28), True),
        (date(2025, 10, 8), False),
        (date(2025, 10, 11), True),
        # 2021 春节: 2月11日至17日放假; 2月7日(周日)、2月20日(周六)上班
        (date(2021, 2, 7), True),
        (date(2021, 2, 11), False),
        (date(2021, 2, 17), False),
        (date(2021, 2, 20), True),
        # 2024 春节: 2月10日至17日放假; 2月4日(周日)、2月18日(周日)上班; 除夕 (2月9日) was a working day
        (date(2024, 2, 4), True),
        (date(2024, 2, 9), True),
        (date(2024, 2, 10), False),
        (date(2024, 2, 18), True),
        # 2025 春节: 1月28日至2月4日放假; 1月26日(周日)、2月8日(周六)上班
        (date(2025, 1, 26), True),
        (date(2025, 1, 28), False),
        (date(2025, 2, 4), False),
        (date(2025, 2, 8), True),
        # 2026 春节: 2月15日至23日放假; 2月14日(周六)、2月28日(周六)上班; 元旦 1月1日至3日, 1月4日(周日)上班
        (date(2026, 2, 14), True),
        (date(2026, 2, 23), False),
        (date(2026, 2, 28), True),
        (date(2026, 1, 2), False),
        (date(2026, 1, 4), True),
        # ordinary days
        (date(2025, 3, 12), True),
        (date(2025, 3, 15), False),
    ],
)
def test_published_days(day: date, workday: bool) -> None:
    assert CAL.check_workday(day) == Reckoning(workday, provisional=False)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2024, 9, 27), 1, date(2024, 9, 29)),  # Friday -> the 调休 Sunday
        (date(2024, 9, 29), 2, date(2024, 10, 8)),
        (date(2024, 9, 30), 1, date(2024, 10, 8)),
        (date(2023, 9, 28), 1, date(2023, 10, 7)),  # across 中秋·国庆 onto the 调休 Saturday
        (date(2025, 9, 30), 1, date(2025, 10, 9)),
        (date(2025, 9, 30), 3, date(2025, 10, 11)),
        (date(2020, 9, 30), 2, date(2020, 10, 10)),
        (date(2024, 2, 8), 2, date(2024, 2, 18)),  # 除夕 2024, then the 调休 Sunday
        (date(2025, 1, 24), 1, date(2025, 1, 26)),
        (date(2025, 1, 27), 1, date(2025, 2, 5)),
        (date(2026, 2, 13), 2, date(2026, 2, 24)),
        (date(2024, 10, 8), -1, date(2024, 9, 30)),  # backwards over the holiday
        (date(2025, 2, 5), -2, date(2025, 1, 26)),
        (date(2024, 10, 3), 0, date(2024, 10, 3)),
    ],
)
def test_add_working_days_across_golden_weeks(start: date, n: int, expected: date) -> None:
    assert CAL.add_working_days(start, n) == Reckoning(expected, provisional=False)


@pytest.mark.parametrize(
    ("start", "n", "expected", "provisional"),
    [
        (date(2024, 12, 31), 1, date(2025, 1, 2), False),  # 元旦 2025 is one day
        (date(2025, 12, 31), 1, date(2026, 1, 4), False),  # 元旦 2026: three days off, then the 调休 Sunday
        (date(2025, 12, 31), 2, date(2026, 1, 5), False),
        (date(2026, 12, 30), 1, date(2026, 12, 31), False),
        (date(2026, 12, 31), 1, date(2027, 1, 1), True),  # 2027 unpublished: Mon-Fri guess
        (date(2020, 1, 2), -1, date(2019, 12, 31), True),  # before the data starts
    ],
)
def test_year_boundaries(start: date, n: int, expected: date, provisional: bool) -> None:
    assert CAL.add_working_days(start, n) == Reckoning(expected, provisional)


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        (date(2024, 9, 30), date(2024, 10, 8), 1),
        (date(2025, 9, 26), date(2025, 10, 12), 6),  # Sep 28, 29, 30, Oct 9, 10, 11
        (date(2025, 1, 24), date(2025, 2, 9), 6),  # Jan 26 (Sun), 27, Feb 5, 6, 7, 8 (Sat)
        (date(2024, 10, 8), date(2024, 9, 30), -1),
        (date(2024, 10, 3), date(2024, 10, 3), 0),
    ],
)
def test_working_days_between(a: date, b: date, count: int) -> None:
    assert CAL.working_days_between(a, b) == Reckoning(count, provisional=False)


def test_unpublished_year_falls_back_to_monday_to_friday() -> None:
    assert CAL.check_workday(date(2027, 10, 1)) == Reckoning(True, provisional=True)  # a Friday
    assert CAL.check_workday(date(2027, 10, 2)) == Reckoning(False, provisional=True)  # a Saturday
    assert CAL.add_working_days(date(2027, 9, 30), 1) == Reckoning(date(2027, 10, 1), provisional=True)
    assert CAL.working_days_between(date(2027, 9, 24), date(2027, 10, 1)) == Reckoning(5, provisional=True)


def test_a_span_touching_an_unpublished_year_is_provisional() -> None:
    assert CAL.working_days_between(date(2026, 12, 1), date(2027, 1, 4)).provisional
    assert not CAL.working_days_between(date(2026, 12, 1), date(2026, 12, 31)).provisional


def test_override_closes_a_published_working_day() -> None:
    typhoon = WorkCalendar.published({date(2025, 10, 9): False})
    assert typhoon.add_working_days(date(2025, 9, 30), 1) == Reckoning(date(2025, 10, 10), provisional=False)
    assert typhoon.working_days_between(date(2025, 9, 30), date(2025, 10, 10)) == Reckoning(1, False)


def test_override_opens_a_weekend_day() -> None:
    cal = WorkCalendar.published({date(2025, 3, 15): True})
    assert cal.add_working_days(date(2025, 3, 14), 1) == Reckoning(date(2025, 3, 15), provisional=False)


def test_overrides_for_an_unpublished_year_are_not_provisional() -> None:
    notice_2027 = {date(2027, 10, 1) + timedelta(days=i): False for i in range(7)}
    cal = WorkCalendar.published(notice_2027)
    assert cal.check_workday(date(2027, 10, 4)) == Reckoning(False, provisional=False)
    # Oct 8 itself is still a Mon-Fri guess: the answer stays provisional until it is overridden too.
    assert cal.add_working_days(date(2027, 9, 30), 1) == Reckoning(date(2027, 10, 8), provisional=True)
    cal = WorkCalendar.published({**notice_2027, date(2027, 10, 8): True})
    assert cal.add_working_days(date(2027, 9, 30), 1) == Reckoning(date(2027, 10, 8), provisional=False)


def test_overrides_are_copied() -> None:
    overrides = {date(2025, 3, 14): False}
    cal = WorkCalendar.published(overrides)
    overrides[date(2025, 3, 14)] = True
    assert not cal.is_workday(date(2025, 3, 14))


def test_next_workday() -> None:
    assert CAL.next_workday(date(2024, 10, 8)) == Reckoning(date(2024, 10, 8), False)
    assert CAL.next_workday(date(2024, 10, 1)) == Reckoning(date(2024, 10, 8), False)


# Properties, over published and unpublished years alike, with arbitrary overrides.
days = st.dates(min_value=date(2018, 1, 1), max_value=date(2029, 12, 31))
overrides = st.dictionaries(days, st.booleans(), max_size=20)


@given(start=days, n=st.integers(min_value=1, max_value=60), extra=overrides)
def test_adding_working_days_lands_on_a_working_day(start: date, n: int, extra: dict[date, bool]) -> None:
    cal = WorkCalendar.published(extra)
    assert cal.is_workday(cal.add_working_days(start, n).value)
    assert cal.is_workday(cal.add_working_days(start, -n).value)


@given(start=days, n=st.integers(min_value=0, max_value=60))
def test_adding_is_strictly_monotonic_in_n(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n).value < CAL.add_working_days(start, n + 1).value
    assert CAL.add_working_days(start, -n - 1).value < CAL.add_working_days(start, -n).value


@given(start=days, n=st.integers(min_value=0, max_value=60), extra=overrides)
def test_between_inverts_add(start: date, n: int, extra: dict[date, bool]) -> None:
    cal = WorkCalendar.published(extra)
    assert cal.working_days_between(start, cal.add_working_days(start, n).value).value == n


@given(a=days, b=days)
def test_between_is_antisymmetric(a: date, b: date) -> None:
    assert CAL.working_days_between(a, b).value == -CAL.working_days_between(b, a).value


@given(start=days, n=st.integers(min_value=0, max_value=60))
def test_provisional_exactly_when_an_unpublished_day_is_walked(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    walked = range(start.toordinal() + 1, result.value.toordinal() + 1)
    published = range(holiday_data.FIRST_YEAR, holiday_data.LAST_YEAR + 1)
    assert result.provisional == any(date.fromordinal(o).year not in published for o in walked)


# The cross-check: the shipped data against an independent source, for every published date.
def test_shipped_data_matches_chinesecalendar() -> None:
    first, last = date(holiday_data.FIRST_YEAR, 1, 1), date(holiday_data.LAST_YEAR, 12, 31)
    mismatches = [
        day
        for day in (first + timedelta(days=i) for i in range((last - first).days + 1))
        if CAL.check_workday(day) != Reckoning(chinese_calendar.is_workday(day), provisional=False)
    ]
    assert not mismatches


def test_data_reaches_as_far_as_chinesecalendar() -> None:
    """When a newer chinesecalendar knows another year, regenerate the data (scripts/gen_holidays.py)."""
    assert chinese_calendar.is_workday(date(holiday_data.LAST_YEAR, 12, 31)) in (True, False)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(holiday_data.LAST_YEAR + 1, 1, 4))
