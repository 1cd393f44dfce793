"""The survey policy (回访策略) and its time arithmetic, pure: which orders are surveyed, when a call may be
placed, how attempts are spaced. Configured in the rules file's ``[survey]`` table (config/rules.py,
deploy/rules.example.toml); the defaults below are common practice, the deploying city's rules win.

Calling hours are local times in Asia/Shanghai (the hotline's day). A survey is never placed outside them,
nor on a day off (周末, 法定节假日; 调休 make-up days are working days) unless ``call_on_days_off``; the
window is counted in working days on the work calendar from the day of the reply (回单) or the conclusion on
the call (直接办结): within 2 working days means by the end of the second working day after that day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise

from callcenter.core.clock import SHANGHAI
from callcenter.core.errors import InvalidInput
from callcenter.core.workcalendar import WorkCalendar

SEARCH_DAYS = 40  # the longest run of days off (Spring Festival + weekends) is well below this


class Routing(StrEnum):
    """What happens to an order the policy does not call automatically."""

    CALL = "call"  # surveyed by phone like any other
    MANUAL = "manual"  # put on the manual 回访 list (agents call)
    SKIP = "skip"  # not surveyed at all


@dataclass(frozen=True, slots=True)
class CallingWindow:
    """One span of calling hours, ``start`` ≤ t < ``end`` local time (same day)."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise InvalidInput(f"calling hours {self.start:%H:%M}-{self.end:%H:%M} end before they start")


DEFAULT_HOURS = (CallingWindow(time(9), time(12)), CallingWindow(time(14), time(20)))


@dataclass(frozen=True, slots=True)
class SurveyPolicy:
    enabled: bool = True
    on_reply: bool = True  # 回单 → survey
    on_resolved_on_call: bool = True  # 直接办结 → survey
    request_types: frozenset[str] = frozenset()  # empty: every request type
    category_prefixes: tuple[str, ...] = ()  # empty: every category
    sources: frozenset[str] = frozenset()  # call | manual; empty: both
    confidential: Routing = Routing.MANUAL  # 保密工单
    declined: Routing = Routing.SKIP  # citizens who declined callbacks (拒绝回访)
    window_working_days: int = 2
    first_delay_minutes: int = 30  # from the reply to the first call (the citizen hears from the unit first)
    hours: tuple[CallingWindow, ...] = DEFAULT_HOURS
    call_on_days_off: bool = False
    max_attempts: int = 3
    retry_gaps_minutes: tuple[int, ...] = (60, 180)  # after attempt 1, after attempt 2 (the last repeats)
    channels: int = 4  # outbound channels at start-up (supervisors change it live)
    lease_seconds: int = 300  # a placed call with no outcome after this is lost (ring + prompts + answer)
    on_call_delay_minutes: int = 15  # a citizen on a call with the hotline now: try again after this
    hours_sorted: tuple[CallingWindow, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.channels < 0 or self.window_working_days < 0:
            raise InvalidInput("survey attempts must be ≥ 1, channels and window ≥ 0")
        if not self.hours:
            raise InvalidInput("survey calling hours are empty: no call could ever be placed")
        if any(g <= 0 for g in self.retry_gaps_minutes) or self.first_delay_minutes < 0:
            raise InvalidInput("survey retry gaps must be positive minutes")
        if self.lease_seconds < 30 or self.on_call_delay_minutes < 1:
            raise InvalidInput("survey lease_seconds must be ≥ 30 and on_call_delay_minutes ≥ 1")
        ordered = tuple(sorted(self.hours, key=lambda w: w.start))
        for a, b in pairwise(ordered):
            if b.start < a.end:
                raise InvalidInput("survey calling hours overlap")
        object.__setattr__(self, "hours_sorted", ordered)

    def gap_after(self, attempt: int) -> timedelta:
        """The spacing after the ``attempt``-th call (1-based); the last configured gap repeats."""
        gaps = self.retry_gaps_minutes or (60,)
        return timedelta(minutes=gaps[min(attempt, len(gaps)) - 1])


DEFAULT_SURVEY_POLICY = SurveyPolicy()


_SPAN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_window(text: str) -> CallingWindow:
    """``"09:00-12:00"`` → CallingWindow (``24:00`` is not accepted: use ``23:59``)."""
    match = _SPAN.match(text)
    if match is None:
        raise InvalidInput(f"calling hours must look like 09:00-12:00, got {text!r}", value=text)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise InvalidInput(f"calling hours {text!r} are not times of day", value=text)
    return CallingWindow(time(h1, m1), time(h2, m2))


def may_call_on(day: date, policy: SurveyPolicy, calendar: WorkCalendar) -> bool:
    return policy.call_on_days_off or calendar.is_workday(day)


def next_calling_time(at: datetime, policy: SurveyPolicy, calendar: WorkCalendar) -> datetime:
    """``at`` itself when a call may be placed then, else the start of the next calling hours on a day
    calls are allowed. The answer is in UTC; it depends only on ``at`` and the policy, so a restarted
    dialer computes the same time from the stored data."""
    local = at.astimezone(SHANGHAI)
    day = local.date()
    for _ in range(SEARCH_DAYS):
        if may_call_on(day, policy, calendar):
            for window in policy.hours_sorted:
                start = datetime.combine(day, window.start, SHANGHAI)
                end = datetime.combine(day, window.end, SHANGHAI)
                if local < end:
                    return max(local, start).astimezone(at.tzinfo)
        day += timedelta(days=1)
        local = datetime.combine(day, time(0), SHANGHAI)
    raise InvalidInput("no calling hours in the next 40 days: check the survey policy and the calendar")


def in_calling_hours(at: datetime, policy: SurveyPolicy, calendar: WorkCalendar) -> bool:
    return next_calling_time(at, policy, calendar) == at


def window_end(concluded_at: datetime, policy: SurveyPolicy, calendar: WorkCalendar) -> datetime:
    """The end of the survey window: midnight after the ``window_working_days``-th working day after the
    day of the reply (in Asia/Shanghai); 0 means the same day."""
    day = concluded_at.astimezone(SHANGHAI).date()
    last = calendar.add_working_days(day, policy.window_working_days).value
    return datetime.combine(last + timedelta(days=1), time(0), SHANGHAI).astimezone(concluded_at.tzinfo)
