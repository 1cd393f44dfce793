"""Automated 回访 (issue 14), the pure rules as a specification: who is surveyed, when a call may be placed,
what each outcome does, what it does to the order, the prompt, the answer, the figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.config.survey_rules import survey_from
from callcenter.core.actors import UnitId
from callcenter.core.clock import SHANGHAI
from callcenter.core.errors import ConfigError, InvalidInput
from callcenter.core.ids import TicketId
from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders.record import CallbackAttempt, CallbackOutcome, Entry, TicketLifecycle
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.surveys.answers import outcome_of_answer
from callcenter.ticketing.surveys.figures import campaign, coverage
from callcenter.ticketing.surveys.model import (
    AttemptOutcome,
    Survey,
    SurveyAttempt,
    SurveyId,
    SurveyState,
    SurveyTrigger,
)
from callcenter.ticketing.surveys.outcomes import order_commands
from callcenter.ticketing.surveys.policy import (
    CallingWindow,
    Routing,
    SurveyPolicy,
    in_calling_hours,
    next_calling_time,
    window_end,
)
from callcenter.ticketing.surveys.ports import AttemptRow, SurveyRow
from callcenter.ticketing.surveys.prompt import date_reading, matter_of, reading_of, survey_prompt
from callcenter.ticketing.surveys.rules import SurveyNote, SurveyOrder, new_survey, routing
from callcenter.ticketing.surveys.steps import claim, ended, expire, not_placed, window_passed

CAL = WorkCalendar.published()
POLICY = SurveyPolicy()


def sh(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """A Shanghai wall-clock time, as UTC (storage)."""
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI).astimezone(UTC)


# 2026-12-01 is a Tuesday; 2026-12-05/06 a weekend.
TUE_10 = sh(2026, 12, 1, 10)


def order(**kw: object) -> SurveyOrder:
    base = SurveyOrder(
        ticket_id=TicketId(7),
        round=1,
        trigger=SurveyTrigger.REPLIED,
        concluded_at=TUE_10,
        unit=UnitId("u-street"),
        request_type="complaint",
        category_code="0102",
        source="call",
        confidential=False,
        has_number=True,
        declined=False,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


# -- who is surveyed ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "policy", "expected"),
    [
        ({}, POLICY, (Routing.CALL, "")),
        ({}, SurveyPolicy(enabled=False), (Routing.SKIP, SurveyNote.DISABLED)),
        (
            {"trigger": SurveyTrigger.RESOLVED_ON_CALL},
            SurveyPolicy(on_resolved_on_call=False),
            (Routing.SKIP, SurveyNote.TRIGGER_OFF),
        ),
        (
            {"request_type": "consultation"},
            SurveyPolicy(request_types=frozenset({"complaint"})),
            (Routing.SKIP, SurveyNote.NOT_SELECTED),
        ),
        (
            {"category_code": "0301"},
            SurveyPolicy(category_prefixes=("01",)),
            (Routing.SKIP, SurveyNote.NOT_SELECTED),
        ),
        ({"category_code": "0102"}, SurveyPolicy(category_prefixes=("01",)), (Routing.CALL, "")),
        (
            {"source": "manual"},
            SurveyPolicy(sources=frozenset({"call"})),
            (Routing.SKIP, SurveyNote.NOT_SELECTED),
        ),
        ({"confidential": True}, POLICY, (Routing.MANUAL, SurveyNote.CONFIDENTIAL)),
        (
            {"confidential": True},
            SurveyPolicy(confidential=Routing.SKIP),
            (Routing.SKIP, SurveyNote.CONFIDENTIAL),
        ),
        ({"confidential": True}, SurveyPolicy(confidential=Routing.CALL), (Routing.CALL, "")),
        ({"declined": True}, POLICY, (Routing.SKIP, SurveyNote.DECLINED)),
        ({"declined": True}, SurveyPolicy(declined=Routing.MANUAL), (Routing.MANUAL, SurveyNote.DECLINED)),
        ({"has_number": False}, POLICY, (Routing.MANUAL, SurveyNote.NO_NUMBER)),
        ({"dial_refusal": "toll_free"}, POLICY, (Routing.MANUAL, SurveyNote.NOT_CALLABLE)),
        ({"dial_refusal": "service", "declined": True}, POLICY, (Routing.SKIP, SurveyNote.DECLINED)),
    ],
)
def test_which_orders_are_surveyed(
    facts: dict[str, object], policy: SurveyPolicy, expected: tuple[Routing, str]
) -> None:
    assert routing(order(**facts), policy) == expected


def test_a_new_survey_is_first_due_after_the_delay_in_calling_hours() -> None:
    s = new_survey(order(concluded_at=sh(2026, 12, 1, 11, 50)), POLICY, CAL, sh(2026, 12, 1, 11, 50), "提示")
    assert s.state is SurveyState.PENDING and s.next_attempt_at == sh(2026, 12, 1, 14)  # lunch break
    assert s.window_end == sh(2026, 12, 4)  # end of Thursday, the 2nd working day after Tuesday
    assert s.prompt == "提示"


def test_a_reply_on_friday_evening_waits_for_monday_and_the_window_skips_the_weekend() -> None:
    s = new_survey(order(concluded_at=sh(2026, 12, 4, 19, 45)), POLICY, CAL, sh(2026, 12, 4, 19, 45))
    assert s.next_attempt_at == sh(2026, 12, 7, 9)
    assert s.window_end == sh(2026, 12, 9)


def test_a_survey_whose_first_call_falls_after_the_window_goes_to_the_manual_list() -> None:
    policy = SurveyPolicy(window_working_days=0)
    s = new_survey(order(concluded_at=sh(2026, 12, 1, 19, 50)), policy, CAL, sh(2026, 12, 1, 19, 50))
    assert (s.state, s.note, s.next_attempt_at) == (SurveyState.MANUAL, SurveyNote.WINDOW_PASSED, None)


# -- calling hours and the work calendar (properties) --------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 1), timezones=st.just(UTC)
)
policies = st.sampled_from(
    [
        POLICY,
        SurveyPolicy(call_on_days_off=True),
        SurveyPolicy(hours=(CallingWindow(time(8), time(21)),)),
        SurveyPolicy(hours=(CallingWindow(time(19), time(20)), CallingWindow(time(9), time(9, 30)))),
    ]
)


@given(moments, policies)
def test_the_next_calling_time_is_allowed_never_earlier_and_nothing_allowed_is_skipped(
    at: datetime, policy: SurveyPolicy
) -> None:
    due = next_calling_time(at, policy, CAL)
    assert due >= at
    assert in_calling_hours(due, policy, CAL)
    local = due.astimezone(SHANGHAI)
    assert policy.call_on_days_off or CAL.is_workday(local.date())
    assert any(w.start <= local.time() < w.end for w in policy.hours)
    step = timedelta(minutes=7)  # nothing between at and due was allowed
    probe = at
    while probe + step < due and probe < at + timedelta(days=3):
        probe += step
        assert not in_calling_hours(probe, policy, CAL) or probe >= due
    assert next_calling_time(due, policy, CAL) == due  # idempotent: a restart computes the same time


@given(moments, st.integers(min_value=0, max_value=5))
def test_the_window_ends_at_midnight_after_the_nth_working_day(at: datetime, n: int) -> None:
    ends = window_end(at, SurveyPolicy(window_working_days=n), CAL)
    local = ends.astimezone(SHANGHAI)
    assert local.time() == time(0) and ends > at
    last = local.date() - timedelta(days=1)
    assert CAL.working_days_between(at.astimezone(SHANGHAI).date(), last).value == n
    assert n == 0 or CAL.is_workday(last)


def test_days_off_follow_the_calendar_with_make_up_workdays() -> None:
    """2026-10-01..07 is the National Day holiday; 2026-10-10 (a Saturday) is a 调休 make-up working day."""
    assert next_calling_time(sh(2026, 10, 1, 10), POLICY, CAL) == sh(2026, 10, 8, 9)
    assert in_calling_hours(sh(2026, 10, 10, 10), POLICY, CAL)


# -- what an attempt's outcome does ---------------------------------------------------------------------


def placed(survey: Survey, at: datetime, n: int = 1) -> Survey:
    return claim(survey, at, f"ch{n}", "a", POLICY)


def pending(at: datetime = TUE_10) -> Survey:
    s = new_survey(order(concluded_at=at - timedelta(hours=1)), POLICY, CAL, at)
    return replace(s, id=SurveyId(1), next_attempt_at=at)


def answer(outcome: AttemptOutcome, **kw: str) -> SurveyAttempt:
    return SurveyAttempt(0, "", "", TUE_10, outcome=outcome, **kw)


@pytest.mark.parametrize(
    ("outcome", "state", "due"),
    [
        (AttemptOutcome.SATISFIED, SurveyState.DONE, None),
        (AttemptOutcome.BASIC_SATISFIED, SurveyState.DONE, None),
        (AttemptOutcome.DISSATISFIED, SurveyState.DONE, None),
        (AttemptOutcome.NO_ANSWER, SurveyState.RETRY_WAIT, sh(2026, 12, 1, 11)),
        (AttemptOutcome.BUSY, SurveyState.RETRY_WAIT, sh(2026, 12, 1, 11)),
        (AttemptOutcome.HUNG_UP, SurveyState.RETRY_WAIT, sh(2026, 12, 1, 11)),
        (AttemptOutcome.NO_INPUT, SurveyState.RETRY_WAIT, sh(2026, 12, 1, 11)),
        (AttemptOutcome.LOST, SurveyState.RETRY_WAIT, sh(2026, 12, 1, 11)),
        (AttemptOutcome.FAILED, SurveyState.MANUAL, None),
    ],
)
def test_what_an_outcome_does(outcome: AttemptOutcome, state: SurveyState, due: datetime | None) -> None:
    s = ended(placed(pending(), TUE_10), "ch1", answer(outcome, key="1"), TUE_10, POLICY, CAL)
    assert (s.state, s.next_attempt_at, s.outcome) == (state, due, outcome)
    assert s.history[-1].outcome is outcome and s.history[-1].ended_at == TUE_10 and s.lease_until is None


outcomes = st.sampled_from(list(AttemptOutcome))


@given(st.lists(outcomes, min_size=1, max_size=6), st.integers(min_value=0, max_value=3 * 24 * 60))
def test_any_run_of_outcomes_keeps_the_survey_within_its_rules(run: list[AttemptOutcome], start: int) -> None:
    """Attempts never exceed the maximum; a retry is always in the calling hours and inside the window;
    an answer ends it; nothing is due after it ends."""
    at = TUE_10 + timedelta(minutes=start)
    s = replace(pending(), next_attempt_at=next_calling_time(at, POLICY, CAL))
    s = replace(s, window_end=max(s.window_end, s.next_attempt_at + timedelta(hours=1)))  # type: ignore[operator]
    for n, outcome in enumerate(run, 1):
        if not s.is_open:
            break
        now = s.next_attempt_at
        assert now is not None and in_calling_hours(now, POLICY, CAL)
        s = ended(placed(s, now, n), f"ch{n}", answer(outcome), now, POLICY, CAL)
        assert s.attempts <= s.max_attempts and s.lease_until is None
        if s.state is SurveyState.RETRY_WAIT:
            assert s.next_attempt_at is not None and s.next_attempt_at < s.window_end
            assert in_calling_hours(s.next_attempt_at, POLICY, CAL)
        else:
            assert s.state in (SurveyState.DONE, SurveyState.MANUAL) and s.next_attempt_at is None
            assert (s.state is SurveyState.DONE) == (
                outcome
                in (AttemptOutcome.SATISFIED, AttemptOutcome.BASIC_SATISFIED, AttemptOutcome.DISSATISFIED)
            )


def test_no_answer_is_retried_on_the_gaps_then_goes_to_the_manual_list() -> None:
    s, at = pending(), TUE_10
    dues = []
    for n in (1, 2, 3):
        s = ended(placed(s, at, n), f"ch{n}", answer(AttemptOutcome.NO_ANSWER), at, POLICY, CAL)
        dues.append(s.next_attempt_at)
        at = s.next_attempt_at or at
    assert dues == [sh(2026, 12, 1, 11), sh(2026, 12, 1, 14), None]  # 11:00 + 3 h falls in the lunch break
    assert (s.state, s.note, s.attempts) == (SurveyState.MANUAL, SurveyNote.ATTEMPTS_USED, 3)


def test_a_retry_past_the_window_goes_to_the_manual_list() -> None:
    late = sh(2026, 12, 3, 19, 30)  # Thursday evening, the window ends at midnight
    s = replace(pending(late), window_end=sh(2026, 12, 4))
    s = ended(placed(s, late), "ch1", answer(AttemptOutcome.BUSY), late, POLICY, CAL)
    assert (s.state, s.note) == (SurveyState.MANUAL, SurveyNote.WINDOW_PASSED)


def test_late_or_repeated_reports_change_nothing() -> None:
    s = ended(placed(pending(), TUE_10), "ch1", answer(AttemptOutcome.SATISFIED), TUE_10, POLICY, CAL)
    assert ended(s, "ch1", answer(AttemptOutcome.NO_ANSWER), TUE_10, POLICY, CAL) == s
    assert (
        ended(placed(pending(), TUE_10), "other", answer(AttemptOutcome.BUSY), TUE_10, POLICY, CAL).state
        is SurveyState.DIALING
    )


def test_a_call_not_placed_does_not_count() -> None:
    s = placed(pending(), TUE_10)
    back = not_placed(s, "ch1", TUE_10 + timedelta(minutes=15), TUE_10)
    assert (back.state, back.attempts, back.history) == (SurveyState.PENDING, 0, ())
    assert back.next_attempt_at == TUE_10 + timedelta(minutes=15)


def test_a_lost_claim_expires_as_an_attempt_and_is_retried() -> None:
    s = placed(pending(), TUE_10)
    assert expire(s, TUE_10 + timedelta(seconds=10), POLICY, CAL) == s
    lost = expire(s, TUE_10 + timedelta(seconds=POLICY.lease_seconds + 1), POLICY, CAL)
    assert (lost.state, lost.history[-1].outcome) == (SurveyState.RETRY_WAIT, AttemptOutcome.LOST)


def test_a_waiting_survey_past_its_window_goes_to_the_manual_list() -> None:
    s = pending()
    assert window_passed(s, s.window_end - timedelta(seconds=1)) == s
    assert window_passed(s, s.window_end).state is SurveyState.MANUAL


# -- what it does to the work order ----------------------------------------------------------------------


def life(status: TicketStatus, replies: int = 1, **kw: object) -> TicketLifecycle:
    entries = tuple(Entry("u1", TUE_10, "已办") for _ in range(replies))  # type: ignore[arg-type]
    return TicketLifecycle(TicketId(7), status, lead_unit=UnitId("u-street"), replies=entries, **kw)  # type: ignore[arg-type]


def done(outcome: AttemptOutcome, reason: str = "") -> tuple[Survey, SurveyAttempt]:
    s = ended(placed(pending(), TUE_10), "ch1", answer(outcome, reason=reason), TUE_10, POLICY, CAL)
    return s, s.history[-1]


@pytest.mark.parametrize(
    ("status", "outcome", "expected"),
    [
        (
            TicketStatus.REPLIED,
            AttemptOutcome.SATISFIED,
            [c.RecordSurveyCall, c.ScheduleCallbackSurvey, c.RecordCallback],
        ),
        (
            TicketStatus.CALLBACK_PENDING,
            AttemptOutcome.BASIC_SATISFIED,
            [c.RecordSurveyCall, c.RecordCallback],
        ),
        (
            TicketStatus.REPLIED,
            AttemptOutcome.DISSATISFIED,
            [c.RecordSurveyCall, c.ScheduleCallbackSurvey, c.RecordCallback, c.SuperviseTicket],
        ),
        (TicketStatus.REPLIED, AttemptOutcome.NO_ANSWER, [c.RecordSurveyCall]),
        (TicketStatus.CLOSED, AttemptOutcome.SATISFIED, [c.RecordSurveyCall]),  # closed by hand meanwhile
        (TicketStatus.DISPATCHED, AttemptOutcome.DISSATISFIED, [c.RecordSurveyCall]),
    ],
)
def test_commands_on_the_order(status: TicketStatus, outcome: AttemptOutcome, expected: list[type]) -> None:
    s, a = done(outcome, "路灯还是不亮")
    commands = order_commands(life(status), s, a)
    assert [type(x) for x in commands] == expected
    if outcome is AttemptOutcome.DISSATISFIED and len(commands) > 1:
        callback = commands[2]
        assert isinstance(callback, c.RecordCallback) and callback.outcome is CallbackOutcome.DISSATISFIED
        assert callback.note == "自动回访#1-1：路灯还是不亮"


def test_an_answer_applied_twice_is_recorded_once() -> None:
    s, a = done(AttemptOutcome.SATISFIED)
    on_call = TicketLifecycle(TicketId(7), TicketStatus.RESOLVED_ON_CALL)
    s = replace(s, round=0, trigger=SurveyTrigger.RESOLVED_ON_CALL)
    first = order_commands(on_call, s, a)
    assert [type(x) for x in first] == [c.RecordSurveyCall, c.RecordCallback]
    answered = replace(
        on_call,
        callback_attempts=(CallbackAttempt(0, CallbackOutcome.SATISFIED, "system", TUE_10, "自动回访#1-1"),),
    )  # type: ignore[arg-type]
    assert [type(x) for x in order_commands(answered, s, a)] == [c.RecordSurveyCall]


def test_a_survey_of_an_earlier_round_does_nothing_to_the_order() -> None:
    s, a = done(AttemptOutcome.DISSATISFIED)
    assert [type(x) for x in order_commands(life(TicketStatus.REPLIED, replies=2), s, a)] == [
        c.RecordSurveyCall
    ]


# -- the prompt and the answer ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "read"),
    [
        (0, "零"),
        (7, "七"),
        (10, "十"),
        (11, "十一"),
        (28, "二十八"),
        (30, "三十"),
        (105, "一百零五"),
        (1010, "一千零一十"),
        (2026, "二千零二十六"),
    ],
)
def test_numbers_in_chinese_reading(n: int, read: str) -> None:
    assert reading_of(n) == read


def test_the_prompt_names_the_matter_and_the_day() -> None:
    text = survey_prompt("王府井大街垃圾清运问题", "", sh(2026, 11, 28, 15), SurveyTrigger.REPLIED)
    assert text == (
        "您好，这里是12345热线，您于十一月二十八日反映的王府井大街垃圾清运问题，承办单位已办理回复。"
    )
    assert date_reading(sh(2026, 1, 1, 0, 30)) == "一月一日"


def test_the_matter_never_reads_out_personal_numbers_and_stays_short() -> None:
    matter = matter_of("反映：3号楼门口路灯不亮，联系电话13800138000，请尽快处理。后面还有很多很多很多很多字")
    assert "13800138000" not in matter and "一三八" not in matter
    assert matter.startswith("三号楼门口路灯不亮") and len(matter) <= 30
    assert matter_of("", "") == "诉求"


@pytest.mark.parametrize(
    ("keys", "words", "outcome"),
    [
        ("1", "", AttemptOutcome.SATISFIED),
        ("2", "不满意", AttemptOutcome.BASIC_SATISFIED),  # the key takes precedence
        ("3", "", AttemptOutcome.DISSATISFIED),
        ("9", "", AttemptOutcome.NO_INPUT),
        ("*", "满意", AttemptOutcome.NO_INPUT),
        ("1111333", "", AttemptOutcome.SATISFIED),  # a flood of keys: the first decides
        ("", "满意", AttemptOutcome.SATISFIED),
        ("", "基本 满意", AttemptOutcome.BASIC_SATISFIED),
        ("", "不满意", AttemptOutcome.DISSATISFIED),
        ("", "还没解决呢", AttemptOutcome.DISSATISFIED),
        ("", "喂喂", AttemptOutcome.NO_INPUT),
        ("", "", AttemptOutcome.NO_INPUT),
        # a bare answer as Whisper-base writes it, read by its sound
        ("", "慢夜", AttemptOutcome.SATISFIED),
        ("", "蚂蚁", AttemptOutcome.SATISFIED),
        ("", "买衣", AttemptOutcome.SATISFIED),
        ("", "不慢夜", AttemptOutcome.DISSATISFIED),
        ("", "基本买衣", AttemptOutcome.BASIC_SATISFIED),
        # never a guess from other words, or from a longer utterance
        ("", "你好", AttemptOutcome.NO_INPUT),
        ("", "没意思", AttemptOutcome.NO_INPUT),
        ("", "马上", AttemptOutcome.NO_INPUT),
        ("", "我去买衣服了", AttemptOutcome.NO_INPUT),
        ("", "作词 作曲", AttemptOutcome.NO_INPUT),
    ],
)
def test_reading_the_answer(keys: str, words: str, outcome: AttemptOutcome) -> None:
    assert outcome_of_answer(keys, words) is outcome


# -- figures ------------------------------------------------------------------------------------------

DAY = date(2026, 12, 1)


def test_coverage_per_day_and_unit() -> None:
    surveys = [
        SurveyRow(DAY, "u1", SurveyState.DONE, AttemptOutcome.SATISFIED),
        SurveyRow(DAY, "u1", SurveyState.DONE, AttemptOutcome.BASIC_SATISFIED),
        SurveyRow(DAY, "u1", SurveyState.DONE, AttemptOutcome.DISSATISFIED),
        SurveyRow(DAY, "u1", SurveyState.MANUAL, AttemptOutcome.NO_ANSWER),
        SurveyRow(DAY, "u1", SurveyState.CANCELLED, None),
        SurveyRow(DAY, "u2", SurveyState.SKIPPED, None),
    ]
    attempts = [
        AttemptRow(DAY, "u1", o)
        for o in (
            AttemptOutcome.SATISFIED,
            AttemptOutcome.NO_ANSWER,
            AttemptOutcome.NO_INPUT,
            AttemptOutcome.BUSY,
        )
    ]
    u1, u2 = coverage(surveys, attempts)
    assert (u1.concluded, u1.surveyed, u1.placed, u1.answered) == (4, 3, 4, 2)
    assert (u1.survey_rate, u1.answer_rate, u1.satisfied_rate, u1.dissatisfied_rate) == (
        0.75,
        0.5,
        0.3333,
        0.3333,
    )
    assert (u2.concluded, u2.survey_rate, u2.answer_rate, u2.satisfied_rate) == (1, 0.0, None, None)


def test_todays_campaign() -> None:
    attempts = [
        AttemptRow(DAY, "u", o)
        for o in (
            AttemptOutcome.SATISFIED,
            AttemptOutcome.DISSATISFIED,
            AttemptOutcome.NO_ANSWER,
            AttemptOutcome.NO_INPUT,
            None,
        )
    ]
    attempts.append(AttemptRow(date(2026, 11, 30), "u", AttemptOutcome.SATISFIED))
    today = campaign(DAY, False, 4, 9, attempts, 2)
    assert (
        today.placed,
        today.answered,
        today.satisfied,
        today.dissatisfied,
        today.unreachable,
        today.no_input,
        today.manual,
        today.due,
    ) == (5, 3, 1, 1, 1, 1, 2, 9)


# -- the [survey] table ------------------------------------------------------------------------------------


def test_the_survey_table_is_read() -> None:
    policy = survey_from(
        {
            "calling_hours": ["14:00-20:00", "09:00-12:00"],
            "max_attempts": 2,
            "confidential": "skip",
            "request_types": ["complaint"],
            "retry_gaps_minutes": [30],
        }
    )
    assert policy.max_attempts == 2 and policy.confidential is Routing.SKIP
    assert [w.start for w in policy.hours_sorted] == [time(9), time(14)]
    assert policy.gap_after(1) == policy.gap_after(5) == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ({"calling_hours": ["9-12"]}, "calling_hours"),
        ({"calling_hours": ["12:00-09:00"]}, "end before they start"),
        ({"calling_hours": ["09:00-12:00", "11:00-13:00"]}, "overlap"),
        ({"calling_hours": []}, "empty"),
        ({"max_attempts": 0}, "attempts"),
        ({"max_attempts": "3"}, "whole number"),
        ({"confidential": "later"}, "call, manual, skip"),
        ({"request_types": ["gossip"]}, "request_types"),
        ({"sources": ["fax"]}, "sources"),
        ({"retry_gaps_minutes": []}, "retry_gaps_minutes"),
        ({"retry_gaps_minutes": [0]}, "positive"),
        ({"enabled": "yes"}, "true or false"),
        ({"window": 2}, "unknown keys"),
    ],
)
def test_a_bad_survey_table_is_refused_with_a_clear_message(section: dict[str, object], says: str) -> None:
    with pytest.raises(ConfigError) as refused:
        survey_from(section)
    assert says in refused.value.message


def test_the_policy_refuses_impossible_values() -> None:
    with pytest.raises(InvalidInput):
        SurveyPolicy(lease_seconds=5)
