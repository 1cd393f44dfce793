"""The life-cycle steps of a missed-call request (漏接回拨), pure: each returns the next request.

Steps that report on a dialling attempt name it by its ``channel_id``; a report on an attempt that is
not the current one, or that already has its final outcome, changes nothing (AMI events may come twice
or late), so every step is safe to repeat.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from callcenter.core.errors import InvalidTransition
from callcenter.queue.missed_calls.rules import (
    DUE_STATES,
    FINAL_ATTEMPT,
    Attempt,
    AttemptOutcome,
    CloseReason,
    MissedCallPolicy,
    MissedCallRequest,
    MissedCallState,
    transition,
)

RETRYABLE = frozenset(
    {AttemptOutcome.NO_ANSWER, AttemptOutcome.BUSY, AttemptOutcome.FAILED, AttemptOutcome.LOST}
)

# OriginateResponse ``Reason`` (Asterisk's AST_CONTROL_* of the outbound leg) → the attempt's outcome.
ORIGINATE_REASONS: dict[int, AttemptOutcome] = {
    4: AttemptOutcome.ANSWERED,
    3: AttemptOutcome.NO_ANSWER,  # still ringing when the ring time ran out
    5: AttemptOutcome.BUSY,
    1: AttemptOutcome.BUSY,  # the far end hung up / declined before answering
    8: AttemptOutcome.FAILED,  # congestion
    0: AttemptOutcome.FAILED,  # no such number, channel unavailable
}


# The unanswered leg's hangup cause (Q.850, AMI Hangup ``Cause``) is more precise than the Reason: Asterisk 22
# reports a 486 Busy Here as Reason 0 with cause 17.
HANGUP_CAUSES: dict[int, AttemptOutcome] = {
    17: AttemptOutcome.BUSY,  # user busy (占线)
    21: AttemptOutcome.BUSY,  # call rejected (拒接)
    18: AttemptOutcome.NO_ANSWER,  # no user responding
    19: AttemptOutcome.NO_ANSWER,  # no answer
}


def outcome_of_reason(reason: int, cause: int | None = None) -> AttemptOutcome:
    if reason != 4 and cause in HANGUP_CAUSES:
        return HANGUP_CAUSES[cause]
    return ORIGINATE_REASONS.get(reason, AttemptOutcome.FAILED)


def claim(
    request: MissedCallRequest, now: datetime, channel_id: str, server: str, policy: MissedCallPolicy
) -> MissedCallRequest:
    """One dialer takes a due request: ``dialing``, one more attempt, a lease against lost dialers."""
    if not request.is_due(now):
        raise InvalidTransition("the missed call is not due", state=request.state.value)
    attempt = Attempt(request.attempts + 1, channel_id, server, now)
    return replace(
        request,
        state=transition(request.state, MissedCallState.DIALING),
        attempts=attempt.number,
        lease_until=now + timedelta(seconds=policy.lease_s),
        history=(*request.history, attempt),
        updated_at=now,
    )


def not_sent(request: MissedCallRequest, channel_id: str, now: datetime, wait_s: int) -> MissedCallRequest:
    """Asterisk could not be asked (AMI down): the attempt did not happen and does not count."""
    current = request.current_attempt()
    if request.state is not MissedCallState.DIALING or current is None or current.channel_id != channel_id:
        return request
    return replace(
        request,
        state=transition(request.state, MissedCallState.PENDING),
        attempts=request.attempts - 1,
        history=request.history[:-1],
        next_attempt_at=now + timedelta(seconds=wait_s),
        lease_until=None,
        updated_at=now,
    )


def dialled(
    request: MissedCallRequest,
    channel_id: str,
    outcome: AttemptOutcome,
    reason_code: int | None,
    now: datetime,
    policy: MissedCallPolicy,
) -> MissedCallRequest:
    """The Originate's outcome: answered (the citizen is now in the call-back queue), or a failure that
    is retried after ``retry_s`` (outside the quiet hours) until the attempts are used up."""
    current = _open_attempt(request, channel_id)
    if current is None or request.state is not MissedCallState.DIALING:
        return request
    if outcome is AttemptOutcome.ANSWERED:
        attempt = replace(current, outcome=outcome, reason_code=reason_code)
        return replace(
            request,
            state=transition(request.state, MissedCallState.ANSWERED),
            history=(*request.history[:-1], attempt),
            lease_until=now + timedelta(seconds=policy.leg_max_s),
            outcome=outcome,
            updated_at=now,
        )
    return _attempt_failed(request, current, outcome, reason_code, now, policy)


def leg_connected(
    request: MissedCallRequest, channel_id: str, agent: str, now: datetime
) -> MissedCallRequest:
    """An agent answered the citizen in the call-back queue: reached (接通), done."""
    return _reached(request, channel_id, AttemptOutcome.CONNECTED, agent, now)


def leg_ended(request: MissedCallRequest, channel_id: str, agent: str, now: datetime) -> MissedCallRequest:
    """The citizen's leg ended: ``connected`` if an agent had taken it, else ``hung_up``."""
    outcome = AttemptOutcome.CONNECTED if agent else AttemptOutcome.HUNG_UP
    return _reached(request, channel_id, outcome, agent, now)


def cancel(request: MissedCallRequest, by: str, reason: CloseReason, now: datetime) -> MissedCallRequest:
    """A waiting request is cancelled (a call in progress cannot be: it ends by itself)."""
    if request.state not in DUE_STATES:
        raise InvalidTransition(
            f"a missed call that is {request.state.value} cannot be cancelled", state=request.state.value
        )
    return replace(
        request,
        state=transition(request.state, MissedCallState.CANCELLED),
        next_attempt_at=None,
        closed_by=by,
        close_reason=reason.value,
        updated_at=now,
    )


def refuse(request: MissedCallRequest, reason: str, now: datetime) -> MissedCallRequest:
    """A waiting request whose number the dial policy refuses (it was tightened since the miss, or a
    supervisor reopened it): ``not_callable`` with the reason, never dialled."""
    if request.state not in DUE_STATES:
        return request
    return replace(
        request,
        state=transition(request.state, MissedCallState.NOT_CALLABLE),
        next_attempt_at=None,
        closed_by="system",
        close_reason=reason,
        updated_at=now,
    )


def retry_now(
    request: MissedCallRequest, by: str, now: datetime, policy: MissedCallPolicy
) -> MissedCallRequest:
    """A supervisor's retry: a waiting request becomes due now (quiet hours still apply); a failed or
    cancelled one is reopened with one more attempt allowed."""
    due = policy.schedule(now)
    if request.state in DUE_STATES:
        return replace(request, next_attempt_at=due, updated_at=now)
    return replace(
        request,
        state=transition(request.state, MissedCallState.PENDING),
        max_attempts=max(request.max_attempts, request.attempts + 1),
        next_attempt_at=due,
        closed_by=by,
        close_reason="",
        updated_at=now,
    )


def expire(request: MissedCallRequest, now: datetime, policy: MissedCallPolicy) -> MissedCallRequest:
    """A claim whose lease ran out: the dialer that held it is gone (its process, or the AMI link, died
    mid-call). The attempt is closed as ``lost``; a dialling request is retried, an answered one is done."""
    current = request.current_attempt()
    if request.lease_until is None or request.lease_until > now or current is None:
        return request
    if request.state is MissedCallState.DIALING:
        return _attempt_failed(request, current, AttemptOutcome.LOST, None, now, policy)
    if request.state is MissedCallState.ANSWERED:
        return _close_attempt(request, current, AttemptOutcome.LOST, "", now)
    return request


def _open_attempt(request: MissedCallRequest, channel_id: str) -> Attempt | None:
    current = request.current_attempt()
    if current is None or current.channel_id != channel_id or current.outcome in FINAL_ATTEMPT:
        return None
    return current


def _reached(
    request: MissedCallRequest, channel_id: str, outcome: AttemptOutcome, agent: str, now: datetime
) -> MissedCallRequest:
    current = _open_attempt(request, channel_id)
    if current is None or request.state not in (MissedCallState.DIALING, MissedCallState.ANSWERED):
        return request
    return _close_attempt(request, current, outcome, agent, now)


def _close_attempt(
    request: MissedCallRequest, current: Attempt, outcome: AttemptOutcome, agent: str, now: datetime
) -> MissedCallRequest:
    attempt = replace(current, outcome=outcome, ended_at=now, agent=agent)
    return replace(
        request,
        state=transition(request.state, MissedCallState.DONE),
        history=(*request.history[:-1], attempt),
        outcome=outcome,
        agent=agent,
        lease_until=None,
        next_attempt_at=None,
        updated_at=now,
    )


def _attempt_failed(
    request: MissedCallRequest,
    current: Attempt,
    outcome: AttemptOutcome,
    reason_code: int | None,
    now: datetime,
    policy: MissedCallPolicy,
) -> MissedCallRequest:
    attempt = replace(current, outcome=outcome, reason_code=reason_code, ended_at=now)
    exhausted = request.attempts >= request.max_attempts
    target = MissedCallState.FAILED if exhausted else MissedCallState.RETRY_WAIT
    due = None if exhausted else policy.schedule(now + timedelta(seconds=policy.retry_s))
    return replace(
        request,
        state=transition(request.state, target),
        history=(*request.history[:-1], attempt),
        outcome=outcome,
        next_attempt_at=due,
        lease_until=None,
        updated_at=now,
    )
