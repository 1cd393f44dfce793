"""The deadline sweeper (ADR 0011) as a specification: 黄牌, 红牌 and contact alerts over time, once each."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.actors import UnitId
from callcenter.core.clock import SHANGHAI
from callcenter.core.errors import InvalidInput
from callcenter.core.ids import TicketId
from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing.deadlines import (
    DeadlineRules,
    RequestType,
    Urgency,
    contact_deadline,
    deadline_for,
    extend,
    warning_at,
)
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.supervision.rules import SYSTEM_ID, SupervisionKind, SupervisionTrigger
from callcenter.ticketing.supervision.sweeper import (
    CONTACT_WATCHED,
    WATCHED,
    AlertKind,
    DeadlineAlert,
    DeadlineWatch,
    overdue_supervision,
    sweep,
)

S, K = TicketStatus, AlertKind
CAL, RULES = WorkCalendar.published(), DeadlineRules()
UNIT = UnitId("housing-bureau")
DISPATCHED_AT = datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)  # a Monday
DEADLINE = deadline_for(DISPATCHED_AT, Urgency.NORMAL, RequestType.CONSULTATION, CAL, RULES)  # 3 days
DUE = DEADLINE.due_at  # Thursday 17:30
WARN = warning_at(DEADLINE, DISPATCHED_AT, CAL, RULES)  # 80 % of the span: Thursday 01:36
CONTACT = contact_deadline(DISPATCHED_AT, RULES).due_at  # Monday 11:00
SECOND = timedelta(seconds=1)


def watch(status: TicketStatus = S.IN_PROGRESS, ticket: int = 1, **changes: object) -> DeadlineWatch:
    base = DeadlineWatch(TicketId(ticket), status, UNIT, DUE, WARN, CONTACT, DISPATCHED_AT)
    return replace(base, **changes)  # type: ignore[arg-type]


def kinds(alerts: list[DeadlineAlert]) -> list[AlertKind]:
    return [a.kind for a in alerts]


def run(w: DeadlineWatch, moments: list[datetime]) -> list[list[AlertKind]]:
    """Sweep one ticket at each moment, remembering what was raised, as the store does."""
    raised_per_sweep = []
    for now in moments:
        alerts = sweep([w], now)
        w = replace(w, raised=w.raised | {a.key for a in alerts})
        raised_per_sweep.append(kinds(alerts))
    return raised_per_sweep


def test_the_fixture_is_the_adr_0007_schedule() -> None:
    local = [m.astimezone(SHANGHAI).strftime("%a %H:%M") for m in (CONTACT, WARN, DUE)]
    assert local == ["Mon 11:00", "Thu 01:36", "Thu 17:30"]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.DISPATCHED, [[], [], [K.CONTACT_OVERDUE], [], [K.WARNING], [], [], [K.OVERDUE], []]),
        (S.ACKNOWLEDGED, [[], [], [K.CONTACT_OVERDUE], [], [K.WARNING], [], [], [K.OVERDUE], []]),
        (S.IN_PROGRESS, [[], [], [], [], [K.WARNING], [], [], [K.OVERDUE], []]),
    ],
)
def test_across_time_each_alert_is_raised_once(status: TicketStatus, expected: list[list[AlertKind]]) -> None:
    moments = [
        DISPATCHED_AT,
        CONTACT,  # the contact limit is not passed at the minute itself
        CONTACT + SECOND,
        WARN - SECOND,  # before warn_at nothing
        WARN,  # at warn_at the yellow card
        WARN + timedelta(hours=1),  # a second sweep raises nothing
        DUE,  # due, not overdue yet (strictly after, ADR 0007)
        DUE + SECOND,  # red card
        DUE + timedelta(days=3),
    ]
    assert run(watch(status), moments) == expected


def test_an_alert_names_its_deadline_unit_and_the_supervision_to_open() -> None:
    [red] = sweep([watch()], DUE + SECOND)
    assert red == DeadlineAlert(TicketId(1), K.OVERDUE, DUE, UNIT, opens_supervision=True)
    [yellow] = sweep([watch()], WARN)
    assert (yellow.key, yellow.opens_supervision) == ((K.WARNING, DUE), False)
    [contact] = sweep([watch(S.DISPATCHED, warn_at=None, due_at=None)], CONTACT + SECOND)
    assert (contact.key, contact.lead_unit) == ((K.CONTACT_OVERDUE, CONTACT), UNIT)


def test_a_ticket_first_seen_past_due_gets_the_red_card_only() -> None:
    assert kinds(sweep([watch()], DUE + timedelta(hours=2))) == [K.OVERDUE]


def test_an_open_supervision_means_no_second_one() -> None:
    [red] = sweep([watch(under_supervision=True)], DUE + SECOND)
    assert (red.kind, red.opens_supervision) == (K.OVERDUE, False)


def test_an_extension_re_arms_both_cards() -> None:
    extended = extend(DEADLINE, 2, CAL, RULES)  # 延期 2 working days: Monday 17:30
    new_warn = warning_at(extended, DISPATCHED_AT, CAL, RULES)
    w = watch(raised=frozenset({(K.WARNING, DUE), (K.OVERDUE, DUE)}))
    w = replace(w, due_at=extended.due_at, warn_at=new_warn)
    moments = [DUE + SECOND, new_warn - SECOND, new_warn, extended.due_at + SECOND, extended.due_at + SECOND]
    assert run(w, moments) == [[], [], [K.WARNING], [K.OVERDUE], []]
    [red] = sweep([w], extended.due_at + SECOND)
    assert (red.due_at, red.opens_supervision) == (extended.due_at, True)


def test_a_new_handling_period_re_arms_the_contact_alert() -> None:
    reopened_at = DUE + timedelta(days=5)  # 重办: a new dispatch, a new contact deadline
    w = watch(S.DISPATCHED, raised=frozenset({(K.CONTACT_OVERDUE, CONTACT)}), due_at=None, warn_at=None)
    assert sweep([w], reopened_at) == []
    new_contact = contact_deadline(reopened_at, RULES).due_at
    w = replace(w, contact_due_at=new_contact, dispatched_at=reopened_at)
    assert [a.key for a in sweep([w], new_contact + SECOND)] == [(K.CONTACT_OVERDUE, new_contact)]


@pytest.mark.parametrize("status", sorted(set(S) - WATCHED))
def test_tickets_not_with_the_unit_get_nothing(status: TicketStatus) -> None:
    assert sweep([watch(status)], DUE + timedelta(days=30)) == []


def test_returned_tickets_are_not_watched_until_the_return_is_rejected() -> None:
    returned = watch(S.RETURNED)
    assert sweep([returned], DUE + SECOND) == []
    back = replace(returned, status=S.ACKNOWLEDGED)  # 退单驳回: same deadline, now passed
    assert kinds(sweep([back], DUE + SECOND)) == [K.CONTACT_OVERDUE, K.OVERDUE]


@pytest.mark.parametrize("status", sorted(WATCHED))
def test_contact_matters_only_until_handling_starts(status: TicketStatus) -> None:
    alerts = sweep([watch(status, due_at=None, warn_at=None)], CONTACT + timedelta(minutes=5))
    assert kinds(alerts) == ([K.CONTACT_OVERDUE] if status in CONTACT_WATCHED else [])


def test_missing_deadlines_raise_nothing() -> None:
    w = watch(S.DISPATCHED, due_at=None, warn_at=None, contact_due_at=None)
    assert sweep([w], DUE + timedelta(days=30)) == []
    assert kinds(sweep([watch(warn_at=None)], DUE)) == []  # no warning moment stored: no yellow card


def test_alerts_are_ordered_by_deadline_ticket_and_kind_whatever_the_input_order() -> None:
    later = DUE + timedelta(days=1)
    watches = [
        watch(S.DISPATCHED, ticket=3),
        watch(ticket=2),
        watch(ticket=1, due_at=later, warn_at=WARN),
        watch(S.ACKNOWLEDGED, ticket=4, due_at=later),
    ]
    expected = sweep(watches, later + SECOND)
    assert [(a.ticket_id, a.kind) for a in expected] == [
        (3, K.CONTACT_OVERDUE),
        (4, K.CONTACT_OVERDUE),
        (2, K.OVERDUE),
        (3, K.OVERDUE),
        (1, K.OVERDUE),
        (4, K.OVERDUE),
    ]
    for seed in range(5):
        random.Random(seed).shuffle(watches)
        assert sweep(watches, later + SECOND) == expected


def test_naive_times_are_refused() -> None:
    with pytest.raises(InvalidInput):
        sweep([watch()], datetime(2026, 11, 30, 9, 0))
    with pytest.raises(InvalidInput):
        watch(due_at=datetime(2026, 11, 30, 9, 0))


def test_a_red_card_opens_a_platform_supervision_by_the_system() -> None:
    [red] = sweep([watch()], DUE + SECOND)
    s = overdue_supervision(red, DUE + SECOND)
    assert (s.ticket_id, s.matter_id, s.trigger, s.kind) == (
        1,
        None,
        SupervisionTrigger.OVERDUE,
        SupervisionKind.PLATFORM,
    )
    assert (s.opened_by, s.opened_at, s.is_open) == (SYSTEM_ID, DUE + SECOND, True)
    assert s.note == "red card: the handling deadline 2026-11-26 17:30 has passed"
    [yellow] = sweep([watch()], WARN)
    with pytest.raises(InvalidInput):
        overdue_supervision(yellow, WARN)


@given(st.lists(st.integers(min_value=0, max_value=6 * 24 * 60), min_size=1, max_size=12))
def test_any_sweep_schedule_raises_each_key_at_most_once(minutes: list[int]) -> None:
    """Whenever the sweeper happens to run: no key twice, a red card once past due, a yellow card iff a
    sweep fell between warn_at and due_at."""
    moments = sorted(DISPATCHED_AT + timedelta(minutes=m) for m in minutes)
    w, raised = watch(S.DISPATCHED), list[tuple[AlertKind, datetime]]()
    for now in moments:
        alerts = sweep([w], now)
        raised.extend(a.key for a in alerts)
        w = replace(w, raised=w.raised | {a.key for a in alerts})
    assert len(raised) == len(set(raised))
    assert ((K.OVERDUE, DUE) in raised) == (moments[-1] > DUE)
    assert ((K.WARNING, DUE) in raised) == any(WARN <= m <= DUE for m in moments)
    assert ((K.CONTACT_OVERDUE, CONTACT) in raised) == (moments[-1] > CONTACT)
