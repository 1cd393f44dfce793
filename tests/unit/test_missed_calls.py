"""Missed-call call-back (漏接回拨) rules: numbers, quiet hours, the transition table, retries, cancel."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from callcenter.core.clock import SHANGHAI
from callcenter.core.errors import DomainError, InvalidInput, InvalidTransition
from callcenter.queue.missed_calls.desk import day_bounds
from callcenter.queue.missed_calls.rules import (
    OPEN_STATES,
    TRANSITIONS,
    AttemptOutcome,
    CloseReason,
    MissedCall,
    MissedCallPolicy,
    MissedCallReason,
    MissedCallRequest,
    MissedCallState,
    QuietHours,
    add_miss,
    callable_number,
    open_request,
    parse_quiet_hours,
    transition,
)
from callcenter.queue.missed_calls.steps import (
    cancel,
    claim,
    dialled,
    expire,
    leg_connected,
    leg_ended,
    not_sent,
    outcome_of_reason,
    retry_now,
)

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
POLICY = MissedCallPolicy(max_attempts=3, retry_s=600, first_delay_s=0, lease_s=60)


def missed(
    number: str = "13800138001", at: datetime = T0, entry: str = "e1", reason: str = "abandoned"
) -> MissedCall:
    return MissedCall("a", "hotline", entry, f"c-{entry}", number, MissedCallReason(reason), at)


def pending(policy: MissedCallPolicy = POLICY) -> MissedCallRequest:
    return replace(open_request(missed(), policy), id=7)


def dialling(request: MissedCallRequest, at: datetime, channel: str = "ch1") -> MissedCallRequest:
    return claim(request, at, channel, "a", POLICY)


# --- numbers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("13800138001", "13800138001"),
        ("+8613800138001", "13800138001"),
        ("0086 138-0013-8001", "13800138001"),
        ("01088886666", "01088886666"),
        ("88886666", "88886666"),
        ("", None),
        ("anonymous", None),
        ("unknown", None),
        ("1001", None),  # a seat extension, not a citizen
        ("12345", None),
        ("1380013800112345678", None),
        ("138001380a1", None),
    ],
)
def test_callable_numbers(raw: str, number: str | None) -> None:
    assert callable_number(raw) == number


def test_an_anonymous_caller_is_recorded_as_not_callable_and_never_due() -> None:
    request = open_request(missed("anonymous"), POLICY)
    assert request.state is MissedCallState.NOT_CALLABLE
    assert request.citizen_number == "anonymous"
    assert not request.is_open and not request.is_due(T0 + timedelta(days=1))


# --- quiet hours -------------------------------------------------------------------------------------


def sh(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        (sh(10), sh(10)),
        (sh(20, 59), sh(20, 59)),
        (sh(21), sh(8, day=2)),
        (sh(23, 30), sh(8, day=2)),
        (sh(0, 10, day=2), sh(8, day=2)),
        (sh(7, 59, day=2), sh(8, day=2)),
        (sh(8, day=2), sh(8, day=2)),
    ],
)
def test_no_calls_at_night_the_next_morning_instead(at: datetime, allowed: datetime) -> None:
    quiet = parse_quiet_hours("21:00-08:00")
    assert quiet is not None
    assert quiet.next_allowed(at.astimezone(UTC)) == allowed.astimezone(UTC)


def test_quiet_hours_within_one_day() -> None:
    quiet = QuietHours(time(12), time(14))
    assert quiet.contains(sh(13)) and not quiet.contains(sh(14)) and not quiet.contains(sh(11))
    assert quiet.next_allowed(sh(12, 30)) == sh(14)


@pytest.mark.parametrize("text", ["21-08", "25:00-08:00", "08:00-08:00", "night"])
def test_bad_quiet_hours_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_quiet_hours(text)


def test_no_quiet_hours() -> None:
    assert parse_quiet_hours("") is None


def test_a_miss_at_night_is_first_called_the_next_morning() -> None:
    policy = replace(POLICY, quiet=parse_quiet_hours("21:00-08:00"))
    request = open_request(missed(at=sh(23).astimezone(UTC)), policy)
    assert request.next_attempt_at == sh(8, day=2).astimezone(UTC)


# --- the transition table ----------------------------------------------------------------------------

ALL = list(MissedCallState)


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
def test_transition_table(current: MissedCallState, target: MissedCallState) -> None:
    if target in TRANSITIONS[current]:
        assert transition(current, target) is target
    else:
        with pytest.raises(InvalidTransition) as raised:
            transition(current, target)
        assert isinstance(raised.value, DomainError) and raised.value.code == "invalid_transition"


def test_final_states_lead_nowhere_but_a_supervisor_retry() -> None:
    assert not TRANSITIONS[MissedCallState.DONE] and not TRANSITIONS[MissedCallState.NOT_CALLABLE]
    assert TRANSITIONS[MissedCallState.FAILED] == {MissedCallState.PENDING}
    assert {
        MissedCallState.PENDING,
        MissedCallState.DIALING,
        MissedCallState.ANSWERED,
        MissedCallState.RETRY_WAIT,
    } == OPEN_STATES


# --- one open request per number ---------------------------------------------------------------------


def test_a_further_miss_joins_the_open_request_and_a_key_press_marks_it_requested() -> None:
    request = add_miss(pending(), missed(at=T0 + timedelta(minutes=5), entry="e2", reason="requested"))
    assert request.misses == 2
    assert request.reason is MissedCallReason.REQUESTED
    assert request.last_missed_at == T0 + timedelta(minutes=5)
    assert request.next_attempt_at == T0  # the schedule is not pushed back


def test_a_miss_cannot_join_a_closed_request() -> None:
    closed = cancel(pending(), "boss", CloseReason.SUPERVISOR, T0)
    with pytest.raises(InvalidTransition):
        add_miss(closed, missed(entry="e2"))


# --- dialling, retries, outcomes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "outcome"),
    [
        (4, "answered"),
        (3, "no_answer"),
        (5, "busy"),
        (1, "busy"),
        (8, "failed"),
        (0, "failed"),
        (99, "failed"),
    ],
)
def test_originate_reasons(reason: int, outcome: str) -> None:
    assert outcome_of_reason(reason) is AttemptOutcome(outcome)


@pytest.mark.parametrize(
    ("reason", "cause", "outcome"),
    [
        (0, 17, "busy"),
        (0, 21, "busy"),
        (0, 19, "no_answer"),
        (3, 18, "no_answer"),
        (0, 1, "failed"),
        (4, 16, "answered"),
    ],
)
def test_the_hangup_cause_of_an_unanswered_leg_decides(reason: int, cause: int, outcome: str) -> None:
    assert outcome_of_reason(reason, cause) is AttemptOutcome(outcome)


def test_only_a_due_request_can_be_claimed() -> None:
    request = replace(pending(), next_attempt_at=T0 + timedelta(seconds=1))
    with pytest.raises(InvalidTransition):
        claim(request, T0, "ch1", "a", POLICY)
    claimed = claim(request, T0 + timedelta(seconds=1), "ch1", "a", POLICY)
    assert claimed.state is MissedCallState.DIALING and claimed.attempts == 1
    assert claimed.lease_until == T0 + timedelta(seconds=61)
    with pytest.raises(InvalidTransition):  # a second dialer cannot take it again
        claim(claimed, T0 + timedelta(seconds=2), "ch2", "a", POLICY)


def test_no_answer_is_retried_after_the_spacing_until_the_attempts_are_used_up() -> None:
    request, at = pending(), T0
    for n in (1, 2):
        request = dialled(dialling(request, at, f"ch{n}"), f"ch{n}", AttemptOutcome.NO_ANSWER, 3, at, POLICY)
        assert request.state is MissedCallState.RETRY_WAIT
        assert request.next_attempt_at == at + timedelta(seconds=600)
        at = request.next_attempt_at
    request = dialled(dialling(request, at, "ch3"), "ch3", AttemptOutcome.BUSY, 5, at, POLICY)
    assert request.state is MissedCallState.FAILED and request.next_attempt_at is None
    assert [a.outcome for a in request.history] == [
        AttemptOutcome.NO_ANSWER,
        AttemptOutcome.NO_ANSWER,
        AttemptOutcome.BUSY,
    ]
    assert [a.reason_code for a in request.history] == [3, 3, 5]


def test_a_retry_that_would_fall_at_night_waits_for_the_morning() -> None:
    policy = replace(POLICY, quiet=parse_quiet_hours("21:00-08:00"))
    at = sh(20, 55).astimezone(UTC)
    request = replace(pending(policy), next_attempt_at=at)
    request = dialled(claim(request, at, "ch1", "a", policy), "ch1", AttemptOutcome.NO_ANSWER, 3, at, policy)
    assert request.next_attempt_at == sh(8, day=2).astimezone(UTC)


def test_answered_then_an_agent_takes_the_citizen_connected() -> None:
    request = dialled(dialling(pending(), T0), "ch1", AttemptOutcome.ANSWERED, 4, T0, POLICY)
    assert request.state is MissedCallState.ANSWERED
    done = leg_connected(request, "ch1", "PJSIP/agent1001", T0 + timedelta(seconds=9))
    assert done.state is MissedCallState.DONE and done.outcome is AttemptOutcome.CONNECTED
    assert done.agent == "PJSIP/agent1001" and done.history[-1].ended_at == T0 + timedelta(seconds=9)
    # the leg's hang-up afterwards, a repeated event, or a late OriginateResponse change nothing
    assert leg_ended(done, "ch1", "", T0 + timedelta(seconds=60)) == done
    assert leg_connected(done, "ch1", "PJSIP/agent1001", T0 + timedelta(seconds=9)) == done
    assert dialled(done, "ch1", AttemptOutcome.ANSWERED, 4, T0, POLICY) == done


def test_answered_but_the_citizen_hung_up_before_an_agent() -> None:
    request = dialled(dialling(pending(), T0), "ch1", AttemptOutcome.ANSWERED, 4, T0, POLICY)
    done = leg_ended(request, "ch1", "", T0 + timedelta(seconds=4))
    assert done.state is MissedCallState.DONE and done.outcome is AttemptOutcome.HUNG_UP


def test_events_of_another_attempt_change_nothing() -> None:
    request = dialling(pending(), T0, "ch1")
    assert leg_connected(request, "other", "PJSIP/agent1001", T0) == request
    assert dialled(request, "other", AttemptOutcome.NO_ANSWER, 3, T0, POLICY) == request


def test_ami_down_the_attempt_does_not_count_and_the_request_stays_pending() -> None:
    request = not_sent(dialling(pending(), T0, "ch1"), "ch1", T0, 5)
    assert request.state is MissedCallState.PENDING and request.attempts == 0 and request.history == ()
    assert request.next_attempt_at == T0 + timedelta(seconds=5)


def test_a_lost_dialer_claim_expires_into_a_retry() -> None:
    request = dialling(pending(), T0, "ch1")
    assert expire(request, T0 + timedelta(seconds=59), POLICY) == request
    lost = expire(request, T0 + timedelta(seconds=61), POLICY)
    assert lost.state is MissedCallState.RETRY_WAIT and lost.history[-1].outcome is AttemptOutcome.LOST


# --- cancel and supervisor retry ---------------------------------------------------------------------


def test_cancel_a_waiting_request_but_not_a_call_in_progress() -> None:
    cancelled = cancel(pending(), "system", CloseReason.ANSWERED_INBOUND, T0)
    assert cancelled.state is MissedCallState.CANCELLED and cancelled.close_reason == "answered_inbound"
    with pytest.raises(InvalidTransition):
        cancel(dialling(pending(), T0), "boss", CloseReason.SUPERVISOR, T0)
    with pytest.raises(InvalidTransition):
        cancel(cancelled, "boss", CloseReason.SUPERVISOR, T0)


def test_supervisor_retry_makes_due_now_or_reopens_with_one_more_attempt() -> None:
    waiting = replace(pending(), state=MissedCallState.RETRY_WAIT, next_attempt_at=T0 + timedelta(hours=1))
    assert retry_now(waiting, "boss", T0, POLICY).next_attempt_at == T0
    failed = replace(pending(), state=MissedCallState.FAILED, attempts=3, next_attempt_at=None)
    reopened = retry_now(failed, "boss", T0, POLICY)
    assert reopened.state is MissedCallState.PENDING and reopened.max_attempts == 4 and reopened.is_due(T0)
    done = replace(pending(), state=MissedCallState.DONE)
    with pytest.raises(InvalidTransition):
        retry_now(done, "boss", T0, POLICY)


# --- AMI translation of the call-back events ------------------------------------------------------------


def test_the_leg_ended_user_event_and_the_answered_callers_number_are_translated() -> None:
    from callcenter.adapters.ami.floor_translate import translate_floor
    from callcenter.queue.events import CallerAnswered, MissedCallLegEnded

    ended = translate_floor(
        {"event": "UserEvent", "userevent": "HotlineCallbackEnded", "uniqueid": "cb7-1-ab12cd",
         "callbackid": "7", "agent": "PJSIP/agent1001"},
        T0,
        "a",
    )  # fmt: skip
    assert ended == MissedCallLegEnded("a", "cb7-1-ab12cd", "7", "PJSIP/agent1001", T0)
    answered = translate_floor(
        {"event": "AgentConnect", "queue": "hotline", "uniqueid": "u1", "linkedid": "l1",
         "interface": "PJSIP/agent1001", "holdtime": "3", "calleridnum": "13800138001"},
        T0,
        "a",
    )  # fmt: skip
    assert isinstance(answered, CallerAnswered) and answered.caller_number == "13800138001"


# --- the desk: the list's day is a calendar day in Asia/Shanghai ------------------------------------------


def test_the_desk_day_is_the_hotline_day_in_shanghai() -> None:
    start, end = day_bounds(date(2026, 11, 24))
    assert start is not None and end is not None
    assert start.astimezone(UTC) == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)
    assert day_bounds(None) == (None, None)
