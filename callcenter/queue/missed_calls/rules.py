"""Missed-call call-back (漏接回拨): the rules, pure (no I/O, no clock reads).

Source: 国办函〔2025〕66号 asks 12345 hotlines to call back every citizen whose call was not answered
(漏接回拨). Rules here:

* every abandoned call of an inbound queue and every press of the call-me-back key (按键预约回拨) puts the
  citizen's number on the missed-call list; one *open* request per number — a further miss is added to it;
* a number that cannot be called (anonymous, too short, not digits: ``invalid_number``) or that the dial
  policy refuses (international, 400/800, service and premium numbers, anything not a domestic phone:
  dial_policy.py, issue 11) is recorded as ``not_callable`` with the reason, and never dialled — the
  dialer checks again right before dialling, so a policy tightened later holds for waiting requests too;
* a request is dialled when due; no call is placed in the quiet hours (Asia/Shanghai, e.g. 21:00–08:00):
  it waits for the next morning; a failed attempt (no answer, busy, failed) is retried after
  ``retry_s`` until ``max_attempts`` are used up (then ``failed``);
* the citizen who answers is put through to the call-back queue; the attempt ends ``connected`` (an agent
  answered) or ``hung_up`` (the citizen left before an agent) — either way the request is ``done``;
* an open request is cancelled when the same number is answered on a later inbound call, or by a
  supervisor; a supervisor may also retry a request at once (or reopen a failed/cancelled one).

State machine (data, one ``transition`` that raises ``InvalidTransition``)::

    pending ──claim──► dialing ──answered──► answered ──agent / hang-up──► done
       ▲  │ ╲            │  ╲──no answer/busy/failed──► retry_wait ──claim──► dialing …
       │  cancel ╲       │   ╲─────────(attempts used up)─────────► failed
       │  ▼    refused   └──AMI down: not sent──► pending
     cancelled / failed ──supervisor retry──► pending      pending / retry_wait ──refused──► not_callable
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import StrEnum

from callcenter.core.clock import SHANGHAI
from callcenter.core.errors import InvalidInput, InvalidTransition
from callcenter.queue.missed_calls.dial_policy import DOMESTIC, INVALID_NUMBER, DialPolicy


class MissedCallState(StrEnum):
    PENDING = "pending"  # 待回拨
    DIALING = "dialing"  # 呼叫中 (claimed by one dialer; Originate sent)
    ANSWERED = "answered"  # 市民已接听, waiting for an agent in the call-back queue
    RETRY_WAIT = "retry_wait"  # 等待重拨
    DONE = "done"  # 已回拨 (reached)
    FAILED = "failed"  # 回拨失败 (attempts used up)
    CANCELLED = "cancelled"  # 已取消
    NOT_CALLABLE = "not_callable"  # 号码无法回拨


class MissedCallReason(StrEnum):
    ABANDONED = "abandoned"  # 放弃呼叫
    REQUESTED = "requested"  # 按键预约回拨


class AttemptOutcome(StrEnum):
    ANSWERED = "answered"  # the citizen picked up; not final yet
    CONNECTED = "connected"  # an agent took the citizen (接通)
    HUNG_UP = "hung_up"  # the citizen picked up but left before an agent
    NO_ANSWER = "no_answer"  # 无人接听
    BUSY = "busy"  # 占线 / declined
    FAILED = "failed"  # network or number failure
    LOST = "lost"  # the dialer lost track (process or AMI gone mid-call)


class CloseReason(StrEnum):
    ANSWERED_INBOUND = "answered_inbound"  # the citizen called again and was answered
    SUPERVISOR = "supervisor"


OPEN_STATES = frozenset(
    {MissedCallState.PENDING, MissedCallState.DIALING, MissedCallState.ANSWERED, MissedCallState.RETRY_WAIT}
)
DUE_STATES = frozenset({MissedCallState.PENDING, MissedCallState.RETRY_WAIT})
FINAL_ATTEMPT = frozenset(set(AttemptOutcome) - {AttemptOutcome.ANSWERED})
REACHED = frozenset({AttemptOutcome.CONNECTED, AttemptOutcome.HUNG_UP})

TRANSITIONS: dict[MissedCallState, frozenset[MissedCallState]] = {
    MissedCallState.PENDING: frozenset(
        {MissedCallState.DIALING, MissedCallState.CANCELLED, MissedCallState.NOT_CALLABLE}
    ),
    MissedCallState.RETRY_WAIT: frozenset(
        {MissedCallState.DIALING, MissedCallState.CANCELLED, MissedCallState.NOT_CALLABLE}
    ),
    MissedCallState.DIALING: frozenset(
        {
            MissedCallState.ANSWERED,
            MissedCallState.DONE,
            MissedCallState.RETRY_WAIT,
            MissedCallState.FAILED,
            MissedCallState.PENDING,
        }
    ),
    MissedCallState.ANSWERED: frozenset({MissedCallState.DONE}),
    MissedCallState.FAILED: frozenset({MissedCallState.PENDING}),
    MissedCallState.CANCELLED: frozenset({MissedCallState.PENDING}),
    MissedCallState.DONE: frozenset(),
    MissedCallState.NOT_CALLABLE: frozenset(),
}


def transition(current: MissedCallState, target: MissedCallState) -> MissedCallState:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(
            f"a missed call cannot go from {current.value} to {target.value}",
            current=current.value,
            target=target.value,
        )
    return target


# --- numbers -----------------------------------------------------------------------------------------

_DIGITS = re.compile(r"^[0-9]{7,15}$")
_SEPARATORS = re.compile(r"[\s\-()]")
MIN_DIGITS = 7  # a local landline without area code; seat extensions (4 digits) are not citizens


def callable_number(raw: str) -> str | None:
    """The number to dial back, normalised (no +86/0086, no separators), or ``None`` when it cannot be
    called: anonymous/withheld (empty, "anonymous", "unknown"), too short, or not digits."""
    number = _SEPARATORS.sub("", raw or "")
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
    return number if _DIGITS.match(number) else None


def list_key(raw: str) -> str:
    """The number a request is filed under: the normalised number, or the raw text when not callable."""
    return callable_number(raw) or (raw or "").strip()[:64] or "anonymous"


# --- quiet hours and retry policy ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuietHours:
    """No call-backs between ``start`` and ``end`` local time in Asia/Shanghai (may span midnight)."""

    start: time
    end: time

    def contains(self, at: datetime) -> bool:
        local = at.astimezone(SHANGHAI).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, at: datetime) -> datetime:
        """``at`` itself outside the quiet hours, else the end of the quiet hours (next morning)."""
        if not self.contains(at):
            return at
        local = at.astimezone(SHANGHAI)
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(at.tzinfo)


def parse_quiet_hours(text: str) -> QuietHours | None:
    """``"21:00-08:00"`` → QuietHours; ``""`` → None (calls at any hour)."""
    if not text.strip():
        return None
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if match is None:
        raise InvalidInput(f"quiet hours must look like 21:00-08:00, got {text!r}", value=text)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) == (h2, m2):
        raise InvalidInput(f"quiet hours {text!r} are not two different times of day", value=text)
    return QuietHours(time(h1, m1), time(h2, m2))


@dataclass(frozen=True, slots=True)
class MissedCallPolicy:
    max_attempts: int = 3
    retry_s: int = 600  # spacing between attempts
    first_delay_s: int = 0  # from the miss to the first attempt
    quiet: QuietHours | None = None
    lease_s: int = 60  # a dialling claim expires after this (ring time + margin)
    leg_max_s: int = 3600  # an answered leg with no outcome after this is closed as lost
    missed_call_queue: str = "hotline-callback"
    dial: DialPolicy = DOMESTIC  # which numbers may be dialled at all (dial_policy.py)

    def refusal(self, number: str | None) -> str | None:
        """Why ``number`` (normalised, None: not callable) is never dialled; None when it may be."""
        return INVALID_NUMBER if number is None else self.dial.refusal(number)

    def schedule(self, at: datetime) -> datetime:
        return self.quiet.next_allowed(at) if self.quiet is not None else at


# --- the request -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MissedCall:
    """A missed queue entry (放弃) or a call-me-back key press (预约回拨), as the floor reported it."""

    server: str
    queue: str
    entry_id: str
    call_id: str
    caller_number: str
    reason: MissedCallReason
    at: datetime


@dataclass(frozen=True, slots=True)
class Attempt:
    """One dialling attempt (回拨尝试). ``channel_id`` is the citizen leg's Uniqueid (Originate ChannelId),
    which is also its entry id in the call-back queue."""

    number: int
    channel_id: str
    server: str
    started_at: datetime
    ended_at: datetime | None = None
    outcome: AttemptOutcome | None = None
    reason_code: int | None = None
    agent: str = ""


@dataclass(frozen=True, slots=True)
class MissedCallRequest:
    id: int | None  # None until stored
    citizen_number: str
    reason: MissedCallReason
    server: str
    queue: str
    source_entry_id: str
    source_call_id: str
    created_at: datetime
    updated_at: datetime
    state: MissedCallState
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    misses: int
    last_missed_at: datetime
    lease_until: datetime | None = None
    outcome: AttemptOutcome | None = None
    agent: str = ""
    closed_by: str = ""
    close_reason: str = ""
    version: int = 0
    history: tuple[Attempt, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_due(self, now: datetime) -> bool:
        return self.state in DUE_STATES and self.next_attempt_at is not None and self.next_attempt_at <= now

    def current_attempt(self) -> Attempt | None:
        return self.history[-1] if self.history else None


def open_request(missed: MissedCall, policy: MissedCallPolicy) -> MissedCallRequest:
    """A new request for a missed call; ``not_callable`` (final, with the reason) when the number cannot or
    may not be dialled."""
    number = callable_number(missed.caller_number)
    refused = policy.refusal(number)
    state = MissedCallState.PENDING if refused is None else MissedCallState.NOT_CALLABLE
    first = policy.schedule(missed.at + timedelta(seconds=policy.first_delay_s)) if refused is None else None
    return MissedCallRequest(
        id=None,
        citizen_number=list_key(missed.caller_number),
        reason=missed.reason,
        server=missed.server,
        queue=missed.queue,
        source_entry_id=missed.entry_id,
        source_call_id=missed.call_id,
        created_at=missed.at,
        updated_at=missed.at,
        state=state,
        attempts=0,
        max_attempts=policy.max_attempts,
        next_attempt_at=first,
        misses=1,
        last_missed_at=missed.at,
        close_reason=refused or "",
    )


def add_miss(request: MissedCallRequest, missed: MissedCall) -> MissedCallRequest:
    """A further miss of the same number joins its open request; a key press marks it as requested."""
    if not request.is_open:
        raise InvalidTransition("a miss can only join an open missed-call request", state=request.state.value)
    reason = MissedCallReason.REQUESTED if missed.reason is MissedCallReason.REQUESTED else request.reason
    return replace(
        request,
        misses=request.misses + 1,
        last_missed_at=max(request.last_missed_at, missed.at),
        reason=reason,
        updated_at=missed.at,
    )
