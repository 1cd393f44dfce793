"""The life-cycle steps of a survey (回访任务), pure: each takes the survey and returns the next one.

A report on an attempt that is not the current one, or that already has its outcome, changes nothing (a
dialer that lost its lease may report late), so every step is safe to repeat.

What an attempt's outcome does (``ended``):

* 满意 / 基本满意 / 不满意 → ``done`` (the service then closes or reopens the order);
* no answer, busy, hung up before answering, no key and no recognisable word, lost → retried after the
  policy's gap at the next calling hours, while attempts remain and the retry falls inside the window;
  otherwise → the manual 回访 list;
* the number does not route (``failed``) → the manual list at once (a person checks the number).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from callcenter.core.errors import InvalidTransition
from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing.surveys.model import (
    ANSWERED,
    DUE_STATES,
    TO_MANUAL_AT_ONCE,
    AttemptOutcome,
    Survey,
    SurveyAttempt,
    SurveyState,
    transition,
)
from callcenter.ticketing.surveys.policy import SurveyPolicy, next_calling_time
from callcenter.ticketing.surveys.rules import SurveyNote


def claim(survey: Survey, now: datetime, channel_id: str, server: str, policy: SurveyPolicy) -> Survey:
    """One dialer takes a due survey: ``dialing``, one more attempt, a lease against lost dialers."""
    if not survey.is_due(now):
        raise InvalidTransition("the survey is not due", state=survey.state.value)
    attempt = SurveyAttempt(survey.attempts + 1, channel_id, server, now)
    return replace(
        survey,
        state=transition(survey.state, SurveyState.DIALING),
        attempts=attempt.number,
        lease_until=now + timedelta(seconds=policy.lease_seconds),
        history=(*survey.history, attempt),
        updated_at=now,
    )


def not_placed(survey: Survey, channel_id: str, until: datetime, now: datetime) -> Survey:
    """The call was not placed (telephony down, or the citizen is on a call with the hotline right now):
    the attempt did not happen and does not count; due again at ``until``."""
    current = survey.current_attempt()
    if survey.state is not SurveyState.DIALING or current is None or current.channel_id != channel_id:
        return survey
    return replace(
        survey,
        state=transition(survey.state, SurveyState.PENDING),
        attempts=survey.attempts - 1,
        history=survey.history[:-1],
        next_attempt_at=until,
        lease_until=None,
        updated_at=now,
    )


def ended(
    survey: Survey,
    channel_id: str,
    answer: SurveyAttempt,
    now: datetime,
    policy: SurveyPolicy,
    calendar: WorkCalendar,
) -> Survey:
    """The attempt ``channel_id`` ended with ``answer`` (its outcome, key, words, recording, reason)."""
    current = survey.current_attempt()
    if survey.state is not SurveyState.DIALING or current is None or current.channel_id != channel_id:
        return survey
    if current.outcome is not None or answer.outcome is None:
        return survey
    done = replace(
        current,
        ended_at=now,
        outcome=answer.outcome,
        key=answer.key,
        words=answer.words,
        recording=answer.recording,
        reason=answer.reason,
    )
    closed = replace(
        survey, history=(*survey.history[:-1], done), outcome=answer.outcome, lease_until=None, updated_at=now
    )
    return after_outcome(closed, answer.outcome, now, policy, calendar)


def after_outcome(
    survey: Survey, outcome: AttemptOutcome, now: datetime, policy: SurveyPolicy, calendar: WorkCalendar
) -> Survey:
    if outcome in ANSWERED:
        return _to(survey, SurveyState.DONE, None, "")
    if outcome in TO_MANUAL_AT_ONCE:
        return _to(survey, SurveyState.MANUAL, None, SurveyNote.NUMBER_FAILED)
    if survey.attempts >= survey.max_attempts:
        return _to(survey, SurveyState.MANUAL, None, SurveyNote.ATTEMPTS_USED)
    due = next_calling_time(now + policy.gap_after(survey.attempts), policy, calendar)
    if due >= survey.window_end:
        return _to(survey, SurveyState.MANUAL, None, SurveyNote.WINDOW_PASSED)
    return _to(survey, SurveyState.RETRY_WAIT, due, "")


def expire(survey: Survey, now: datetime, policy: SurveyPolicy, calendar: WorkCalendar) -> Survey:
    """A claim whose lease ran out: the dialer that held it is gone. The attempt ends ``lost`` and counts
    (the citizen's phone may have rung), then the usual retry rule applies."""
    current = survey.current_attempt()
    if survey.state is not SurveyState.DIALING or survey.lease_until is None or survey.lease_until > now:
        return survey
    assert current is not None
    return ended(
        survey, current.channel_id, replace(current, outcome=AttemptOutcome.LOST), now, policy, calendar
    )


def window_passed(survey: Survey, now: datetime) -> Survey:
    """A waiting survey whose window ran out (the dialer was paused or AMI down): the manual list."""
    if now < survey.window_end:
        return survey
    return to_manual(survey, SurveyNote.WINDOW_PASSED, now)


def to_manual(survey: Survey, note: SurveyNote, now: datetime) -> Survey:
    """A waiting survey handed to the manual list (e.g. the order's number was removed meanwhile)."""
    if survey.state not in DUE_STATES:
        return survey
    return replace(_to(survey, SurveyState.MANUAL, None, note), updated_at=now)


def cancel(survey: Survey, now: datetime) -> Survey:
    """The order no longer waits for this survey (closed by hand, reopened, replied again)."""
    if survey.state not in DUE_STATES:
        return survey
    return replace(_to(survey, SurveyState.CANCELLED, None, SurveyNote.ORDER_MOVED), updated_at=now)


def applied(survey: Survey, attempt: int) -> Survey:
    """The attempt's outcome is recorded on the work order."""
    history = tuple(replace(a, applied=True) if a.number == attempt else a for a in survey.history)
    return replace(survey, history=history)


def _to(survey: Survey, state: SurveyState, due: datetime | None, note: str) -> Survey:
    return replace(
        survey, state=transition(survey.state, state), next_attempt_at=due, note=note or survey.note
    )
