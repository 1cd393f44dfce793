"""What a survey's result does to the work order (回访结果 → 工单), pure: the commands to apply, together.

* every placed call is recorded on the order (``RecordSurveyCall``: outcome, key, words, recording,
  reason) — the audit trail keeps each attempt;
* 满意 / 基本满意 close the replied order (办结) — ``ScheduleCallbackSurvey`` first when it is still
  ``replied`` — and keep an order concluded on the call concluded;
* 不满意 reopens (重办) to the same lead unit with the citizen's words and marks it for supervision (督办
  annotation); an order concluded on the call goes back to dispatch;
* a survey moved to the manual list puts a replied order on the manual 回访 list (``callback_pending``).

Commands are only given while the order still waits for this survey's round; a result applied twice (a
crash between the two saves) records the answer once: the callback note carries the survey attempt's mark.
"""

from __future__ import annotations

from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders.record import CallbackOutcome, TicketLifecycle
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.surveys.model import (
    AttemptOutcome,
    Survey,
    SurveyAttempt,
    SurveyState,
    SurveyTrigger,
)

CALLBACK_OF = {
    AttemptOutcome.SATISFIED: CallbackOutcome.SATISFIED,
    AttemptOutcome.BASIC_SATISFIED: CallbackOutcome.BASIC_SATISFIED,
    AttemptOutcome.DISSATISFIED: CallbackOutcome.DISSATISFIED,
}
WAITING = (TicketStatus.REPLIED, TicketStatus.CALLBACK_PENDING)


def waits_for(life: TicketLifecycle, survey: Survey) -> bool:
    """Whether the order still waits for this survey: same reply round, not yet concluded by 回访."""
    if len(life.replies) != survey.round:
        return False
    if survey.trigger is SurveyTrigger.RESOLVED_ON_CALL:
        return life.status is TicketStatus.RESOLVED_ON_CALL and not _answered_round(life)
    return life.status in WAITING


def mark(survey: Survey, attempt: SurveyAttempt) -> str:
    return f"自动回访#{survey.id}-{attempt.number}"


def order_commands(life: TicketLifecycle, survey: Survey, attempt: SurveyAttempt) -> list[c.Command]:
    assert survey.id is not None and attempt.outcome is not None
    steps: list[c.Command] = [
        c.RecordSurveyCall(
            survey.id,
            attempt.number,
            attempt.outcome.value,
            attempt.key,
            attempt.words,
            attempt.recording,
            attempt.reason,
        )
    ]
    if not waits_for(life, survey) or _recorded(life, survey, attempt):
        return steps
    if attempt.outcome in CALLBACK_OF:
        steps += _answer(life, survey, attempt)
    elif survey.state is SurveyState.MANUAL and life.status is TicketStatus.REPLIED:
        steps.append(c.ScheduleCallbackSurvey())
    return steps


def manual_commands(life: TicketLifecycle, survey: Survey) -> list[c.Command]:
    """A survey that went to the manual list without a call (window passed while paused, no number)."""
    if (
        survey.trigger is SurveyTrigger.REPLIED
        and waits_for(life, survey)
        and life.status is TicketStatus.REPLIED
    ):
        return [c.ScheduleCallbackSurvey()]
    return []


def _answer(life: TicketLifecycle, survey: Survey, attempt: SurveyAttempt) -> list[c.Command]:
    assert attempt.outcome is not None
    outcome = CALLBACK_OF[attempt.outcome]
    words = attempt.reason or attempt.words
    note = mark(survey, attempt) + (f"：{words}" if words else "")
    steps: list[c.Command] = []
    if life.status is TicketStatus.REPLIED:
        steps.append(c.ScheduleCallbackSurvey())
    steps.append(c.RecordCallback(outcome, note))
    if outcome is CallbackOutcome.DISSATISFIED:
        steps.append(
            c.SuperviseTicket(f"回访不满意（{mark(survey, attempt)}）" + (f"：{words}" if words else ""))
        )
    return steps


def _recorded(life: TicketLifecycle, survey: Survey, attempt: SurveyAttempt) -> bool:
    tag = mark(survey, attempt)
    return any(a.note == tag or a.note.startswith(tag + "：") for a in life.callback_attempts)


def _answered_round(life: TicketLifecycle) -> bool:
    """An order concluded on the call whose 回访 already has an answer (by hand or automated)."""
    return any(
        a.round == len(life.replies) and a.outcome is not CallbackOutcome.UNREACHABLE
        for a in life.callback_attempts
    )
