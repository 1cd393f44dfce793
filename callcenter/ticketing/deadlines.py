"""Time limits of a work order (办理时限): due time, yellow card (黄牌), red card (红牌), extension (延期).

The counting rule is decided in docs/adr/0007-working-day-deadlines.md; in short, in Asia/Shanghai time:

- A limit in working days starts counting on the working day after the day of receipt (the receipt day is
  not counted, 《民法典》 Art. 201), so an order received after hours or on a holiday starts on the next
  working day, and every order gets at least its full number of working days.
- It ends at the close of business (17:30 by default) of the last working day (《民法典》 Art. 203: where
  there are business hours, the period ends when business stops).
- A wall-clock limit (特急: 30 minutes; contacting the citizen: 1 hour after dispatch) runs round the clock.

Pure rules: the caller passes timezone-aware datetimes (UTC from storage; any zone is accepted) and a
`WorkCalendar`; results are aware UTC datetimes. The numbers are configuration (`DeadlineRules`), defaults
agreed for issue 4; a city sets its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import TypeAlias

from callcenter.core.clock import SHANGHAI
from callcenter.core.errors import ConfigError, InvalidInput
from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing.errors import ExtensionLimitExceeded
from callcenter.ticketing.limits import MAX_EXTENSION_WORKING_DAYS


class Urgency(StrEnum):
    """How urgent the dispatcher marks an order (紧急程度)."""

    EXTRA_URGENT = "extra_urgent"  # 特急: respond within 30 minutes, round the clock
    URGENT = "urgent"  # 紧急
    EXPEDITED = "expedited"  # 急件
    NORMAL = "normal"  # 普通


class RequestType(StrEnum):
    """What the citizen asks for (诉求类型)."""

    CONSULTATION = "consultation"  # 咨询
    COMPLAINT = "complaint"  # 投诉
    REQUEST = "request"  # 求助 (一般诉求)
    ENTERPRISE_REQUEST = "enterprise_request"  # 企业诉求 (涉企诉求)


@dataclass(frozen=True, slots=True)
class WorkingDays:
    """A limit counted in working days (工作日)."""

    days: int


@dataclass(frozen=True, slots=True)
class WallClock:
    """A limit counted round the clock."""

    duration: timedelta


TimeLimit: TypeAlias = WorkingDays | WallClock


def _urgency_limits() -> Mapping[Urgency, TimeLimit]:
    return MappingProxyType(
        {
            Urgency.EXTRA_URGENT: WallClock(timedelta(minutes=30)),
            Urgency.URGENT: WorkingDays(1),
            Urgency.EXPEDITED: WorkingDays(2),
            Urgency.NORMAL: WorkingDays(7),
        }
    )


def _request_type_limits() -> Mapping[RequestType, WorkingDays]:
    return MappingProxyType(
        {
            RequestType.CONSULTATION: WorkingDays(3),
            RequestType.COMPLAINT: WorkingDays(7),
            RequestType.REQUEST: WorkingDays(5),
            RequestType.ENTERPRISE_REQUEST: WorkingDays(15),
        }
    )


@dataclass(frozen=True, slots=True)
class DeadlineRules:
    """The configurable numbers of the counting rule (ADR 0007); `DeadlineRules()` holds the defaults."""

    urgency_limits: Mapping[Urgency, TimeLimit] = field(default_factory=_urgency_limits)
    request_type_limits: Mapping[RequestType, WorkingDays] = field(default_factory=_request_type_limits)
    contact_within: timedelta = timedelta(hours=1)  # handling unit calls the citizen after dispatch (派单)
    close_of_business: time = time(17, 30)  # a working-day limit ends then, on its last day
    # If set, an order received on a working day before this hour counts that day as day 1.
    same_day_cutoff: time | None = None
    warning_fraction: float = 0.8  # 黄牌 no earlier than this share of the allowed time ...
    warning_working_days_before: int = 1  # ... and no earlier than this many working days before due
    max_extension: WorkingDays = WorkingDays(MAX_EXTENSION_WORKING_DAYS)  # 延期, in total

    def __post_init__(self) -> None:
        # Read-only copies: configuration loaded once must not change under running rules.
        object.__setattr__(self, "urgency_limits", MappingProxyType(dict(self.urgency_limits)))
        object.__setattr__(self, "request_type_limits", MappingProxyType(dict(self.request_type_limits)))
        if set(self.urgency_limits) != set(Urgency):
            raise ConfigError(
                "every urgency needs a time limit", missing=sorted(set(Urgency) - set(self.urgency_limits))
            )
        if set(self.request_type_limits) != set(RequestType):
            raise ConfigError("every request type needs a time limit")
        if any(
            _length(limit) <= 0
            for limit in [*self.urgency_limits.values(), *self.request_type_limits.values()]
        ):
            raise ConfigError("time limits must be positive")
        if self.warning_working_days_before < 0 or self.max_extension.days < 0:
            raise ConfigError("warning_working_days_before and max_extension cannot be negative")
        if not 0 < self.warning_fraction < 1:
            raise ConfigError(
                "warning_fraction must lie strictly between 0 and 1", value=self.warning_fraction
            )


def _length(limit: TimeLimit) -> float:
    return limit.days if isinstance(limit, WorkingDays) else limit.duration.total_seconds()


@dataclass(frozen=True, slots=True)
class Deadline:
    """When an order is due (aware, UTC); `provisional` when a day of an unpublished year was guessed."""

    due_at: datetime
    provisional: bool


def time_limit(urgency: Urgency, request_type: RequestType | None, rules: DeadlineRules) -> TimeLimit:
    """The limit of an order: its request type's, shortened by an urgency above 普通.

    A 普通 order takes its request type's limit (7 working days when it is not classified yet); an urgent
    one takes the urgency's limit, or the request type's when that is shorter. A wall-clock limit (特急)
    always wins.
    """
    by_urgency = rules.urgency_limits[urgency]
    if isinstance(by_urgency, WallClock) or request_type is None:
        return by_urgency
    by_type = rules.request_type_limits[request_type]
    if urgency is Urgency.NORMAL:
        return by_type
    return WorkingDays(min(by_urgency.days, by_type.days))


def deadline_for(
    received_at: datetime,
    urgency: Urgency,
    request_type: RequestType | None,
    calendar: WorkCalendar,
    rules: DeadlineRules,
) -> Deadline:
    """The deadline of an order received (受理/派单) at `received_at`."""
    limit = time_limit(urgency, request_type, rules)
    if isinstance(limit, WallClock):
        return Deadline(_utc(received_at) + limit.duration, provisional=False)
    return working_day_deadline(received_at, limit.days, calendar, rules)


def working_day_deadline(
    received_at: datetime, days: int, calendar: WorkCalendar, rules: DeadlineRules
) -> Deadline:
    """Close of business on the `days`-th working day after the day of receipt (ADR 0007)."""
    if days < 1:
        raise InvalidInput("a working-day limit is at least one day", days=days)
    local = _local(received_at)
    counts_today = _receipt_day_counts(local, calendar, rules)
    due = calendar.add_working_days(local.date(), days - 1 if counts_today else days)
    provisional = due.provisional or (counts_today and calendar.is_provisional(local.date()))
    return Deadline(_close_of_business(due.value, rules), provisional)


def contact_deadline(dispatched_at: datetime, rules: DeadlineRules) -> Deadline:
    """The handling unit contacts the citizen within `rules.contact_within` of dispatch, round the clock."""
    return Deadline(_utc(dispatched_at) + rules.contact_within, provisional=False)


def warning_at(
    deadline: Deadline, received_at: datetime, calendar: WorkCalendar, rules: DeadlineRules
) -> datetime:
    """When the order gets its yellow card (黄牌): the later of two moments, so it warns neither too early
    nor too late for short and long limits alike.

    - the same hour `warning_working_days_before` working days before the due day (the unit's last day);
    - `warning_fraction` of the wall-clock time from receipt to due (decides for 特急 and 1-day limits).
    """
    due = _local(deadline.due_at)
    day_before = calendar.add_working_days(due.date(), -rules.warning_working_days_before).value
    before_due = datetime.combine(day_before, due.time(), tzinfo=SHANGHAI)
    received = _utc(received_at)
    by_share = received + (deadline.due_at - received) * rules.warning_fraction
    return max(before_due, by_share).astimezone(UTC)


def is_overdue(deadline: Deadline, now: datetime) -> bool:
    """Red card (红牌): the deadline has passed and the order is not finished (the caller knows that)."""
    return _utc(now) > deadline.due_at


def extend(
    deadline: Deadline,
    working_days: int,
    calendar: WorkCalendar,
    rules: DeadlineRules,
    already_extended: int = 0,
) -> Deadline:
    """Extension (延期): close of business `working_days` working days after the current due day.

    All extensions of one order together may not exceed `rules.max_extension`; beyond it this raises
    `ExtensionLimitExceeded`, and the order has to be escalated instead (督办).
    """
    if working_days < 1:
        raise InvalidInput("an extension is at least one working day", working_days=working_days)
    allowed = rules.max_extension.days - already_extended
    if working_days > allowed:
        raise ExtensionLimitExceeded(
            "extension exceeds the allowed working days",
            requested=working_days,
            allowed=max(allowed, 0),
            maximum=rules.max_extension.days,
        )
    due = calendar.add_working_days(_local(deadline.due_at).date(), working_days)
    return Deadline(_close_of_business(due.value, rules), deadline.provisional or due.provisional)


def _receipt_day_counts(local: datetime, calendar: WorkCalendar, rules: DeadlineRules) -> bool:
    cutoff = rules.same_day_cutoff
    return cutoff is not None and local.time() < cutoff and calendar.is_workday(local.date())


def _close_of_business(day: date, rules: DeadlineRules) -> datetime:
    return datetime.combine(day, rules.close_of_business, tzinfo=SHANGHAI).astimezone(UTC)


def _local(moment: datetime) -> datetime:
    return _utc(moment).astimezone(SHANGHAI)


def _utc(moment: datetime) -> datetime:
    """Refuse naive datetimes: a deadline without a time zone is off by eight hours somewhere."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput("a timezone-aware datetime is required", value=moment.isoformat())
    return moment.astimezone(UTC)
