"""The survey job (回访任务) and its attempts, as values; states and outcomes as data.

One survey per order and reply round (``round`` = the number of replies the order had; 0 for an order
concluded on the call). State machine (one ``transition`` that raises ``InvalidTransition``)::

    pending ──claim──► dialing ──answered (满意/基本满意/不满意)──► done
       ▲  │              │ ╲──no answer/busy/hung up/no key/lost──► retry_wait ──claim──► dialing …
       │  │              │  ╲──attempts used up, window passed, number fails──► manual
       │  │              └──not sent (telephony down) / citizen on a call now──► pending
       │  └──order no longer waiting for this survey──► cancelled
    skipped (never due: the policy says so, at creation)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NewType

from callcenter.core.actors import UnitId
from callcenter.core.errors import InvalidTransition
from callcenter.core.ids import TicketId

SurveyId = NewType("SurveyId", int)


class SurveyState(StrEnum):
    PENDING = "pending"  # 待回访 (automated), due at ``next_attempt_at``
    DIALING = "dialing"  # 外呼中: claimed by one dialer, leased
    RETRY_WAIT = "retry_wait"  # 等待重拨
    DONE = "done"  # 已回访: the citizen answered 满意 / 基本满意 / 不满意
    MANUAL = "manual"  # 转人工回访: on the manual 回访 list
    SKIPPED = "skipped"  # 不回访 (policy)
    CANCELLED = "cancelled"  # the order moved on (closed by hand, reopened, replied again)


class SurveyTrigger(StrEnum):
    REPLIED = "replied"  # 回单 by the lead unit
    RESOLVED_ON_CALL = "resolved_on_call"  # 直接办结 by the agent


class AttemptOutcome(StrEnum):
    """What one survey call ended with (the telephony side reports it in ``SurveyAnswer``)."""

    SATISFIED = "satisfied"  # 满意 (key 1 or the word)
    BASIC_SATISFIED = "basically_satisfied"  # 基本满意 (key 2)
    DISSATISFIED = "dissatisfied"  # 不满意 / 还没解决 (key 3), with an optional spoken reason
    NO_ANSWER = "no_answer"  # 无人接听 (rang out)
    BUSY = "busy"  # 占线 / rejected
    HUNG_UP = "hung_up"  # hung up before answering the question (before or during the prompt)
    NO_INPUT = "no_input"  # answered, but no valid key and no recognisable word
    FAILED = "failed"  # the number does not route (空号, invalid): a person checks the number
    LOST = "lost"  # the dialer lost the call (process or AMI died mid-call; lease ran out)


ANSWERED = frozenset({AttemptOutcome.SATISFIED, AttemptOutcome.BASIC_SATISFIED, AttemptOutcome.DISSATISFIED})
RETRIED = frozenset(
    {
        AttemptOutcome.NO_ANSWER,
        AttemptOutcome.BUSY,
        AttemptOutcome.HUNG_UP,
        AttemptOutcome.NO_INPUT,
        AttemptOutcome.LOST,
    }
)
TO_MANUAL_AT_ONCE = frozenset({AttemptOutcome.FAILED})
PICKED_UP = frozenset({*ANSWERED, AttemptOutcome.NO_INPUT})  # the citizen picked up (接通)

OPEN_STATES = frozenset({SurveyState.PENDING, SurveyState.DIALING, SurveyState.RETRY_WAIT})
DUE_STATES = frozenset({SurveyState.PENDING, SurveyState.RETRY_WAIT})

TRANSITIONS: dict[SurveyState, frozenset[SurveyState]] = {
    SurveyState.PENDING: frozenset({SurveyState.DIALING, SurveyState.CANCELLED, SurveyState.MANUAL}),
    SurveyState.RETRY_WAIT: frozenset({SurveyState.DIALING, SurveyState.CANCELLED, SurveyState.MANUAL}),
    SurveyState.DIALING: frozenset(
        {SurveyState.DONE, SurveyState.RETRY_WAIT, SurveyState.MANUAL, SurveyState.PENDING}
    ),
    SurveyState.DONE: frozenset(),
    SurveyState.MANUAL: frozenset(),
    SurveyState.SKIPPED: frozenset(),
    SurveyState.CANCELLED: frozenset(),
}


def transition(current: SurveyState, target: SurveyState) -> SurveyState:
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(
            f"a survey cannot go from {current.value} to {target.value}",
            current=current.value,
            target=target.value,
        )
    return target


@dataclass(frozen=True, slots=True)
class SurveyAttempt:
    """One survey call. ``channel_id`` names the citizen's leg (the Originate ChannelId)."""

    number: int
    channel_id: str
    server: str
    started_at: datetime
    ended_at: datetime | None = None
    outcome: AttemptOutcome | None = None
    key: str = ""  # the key pressed (DTMF), as received
    words: str = ""  # the words recognised in the answer
    recording: str = ""  # the answer's recording (path on the recordings volume)
    reason: str = ""  # the citizen's spoken reason for 不满意, transcribed
    applied: bool = False  # the outcome is recorded on the work order


@dataclass(frozen=True, slots=True)
class Survey:
    id: SurveyId | None  # None until stored
    ticket_id: TicketId
    round: int
    trigger: SurveyTrigger
    unit: UnitId | None  # the lead unit whose reply is surveyed (figures per unit)
    concluded_at: datetime  # the reply (回单) or the conclusion on the call (直接办结)
    created_at: datetime
    updated_at: datetime
    state: SurveyState
    window_end: datetime
    max_attempts: int
    attempts: int = 0
    next_attempt_at: datetime | None = None
    lease_until: datetime | None = None
    outcome: AttemptOutcome | None = None  # the last attempt's outcome
    note: str = ""  # why skipped / manual / cancelled (a reason code)
    prompt: str = ""  # the prompt naming the matter, built once per survey (cached for the TTS)
    version: int = 0
    history: tuple[SurveyAttempt, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def is_due(self, now: datetime) -> bool:
        return self.state in DUE_STATES and self.next_attempt_at is not None and self.next_attempt_at <= now

    def current_attempt(self) -> SurveyAttempt | None:
        return self.history[-1] if self.history else None

    def unapplied(self) -> tuple[SurveyAttempt, ...]:
        """Attempts with an outcome not yet recorded on the work order (a crash between the two saves)."""
        return tuple(a for a in self.history if a.outcome is not None and not a.applied)
