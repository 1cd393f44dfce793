"""After the reply: callback survey (回访), reopening (重办), and annotations (督办, 评单, 考单).

An annotation is recorded in any registered state and never moves the ticket.
"""

from __future__ import annotations

from dataclasses import replace

from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders import events as e
from callcenter.ticketing.orders.handling import Applied, entry, require_reason, require_text
from callcenter.ticketing.orders.record import (
    Annotation,
    AnnotationKind,
    CallbackAttempt,
    CallbackOutcome,
    LifecyclePolicy,
    TicketLifecycle,
)
from callcenter.ticketing.states import Action

ANNOTATION_KINDS = {
    Action.SUPERVISE: AnnotationKind.SUPERVISION,
    Action.REVIEW: AnnotationKind.REVIEW,
    Action.ASSESS: AnnotationKind.ASSESSMENT,
}


def callback_action(t: TicketLifecycle, cmd: c.RecordCallback, policy: LifecyclePolicy) -> Action:
    """满意 and 基本满意 close; 不满意 reopens to the same lead unit; 联系不上 closes on the last allowed
    attempt. On an order concluded on the call (直接办结) the same rows keep it concluded, and 不满意 sends
    it back to dispatch (``lifecycle.TRANSITIONS``)."""
    if cmd.outcome is CallbackOutcome.SATISFIED:
        return Action.CALLBACK_SATISFIED
    if cmd.outcome is CallbackOutcome.BASIC_SATISFIED:
        return Action.CALLBACK_BASICALLY_SATISFIED
    if cmd.outcome is CallbackOutcome.DISSATISFIED:
        return Action.CALLBACK_DISSATISFIED
    if t.callback_round_attempts + 1 >= policy.max_callback_attempts:
        return Action.CALLBACK_GIVEN_UP
    return Action.CALLBACK_UNREACHABLE


def schedule_callback(t: TicketLifecycle, cmd: c.ScheduleCallbackSurvey, audit: e.Audit) -> Applied:
    return t, e.CallbackSurveyScheduled(audit)


def record_callback(t: TicketLifecycle, cmd: c.RecordCallback, audit: e.Audit) -> Applied:
    """Every attempt is kept, numbered within the round of the current reply."""
    attempt = CallbackAttempt(len(t.replies), cmd.outcome, audit.actor.id, audit.at, cmd.note.strip())
    changed = replace(t, callback_attempts=(*t.callback_attempts, attempt))
    return changed, e.CallbackRecorded(audit, cmd.outcome, changed.callback_round_attempts, attempt.note)


def record_survey_call(t: TicketLifecycle, cmd: c.RecordSurveyCall, audit: e.Audit) -> Applied:
    """One automated survey call (自动回访外呼), whatever its outcome, kept in the audit trail; the order does
    not move (the answer, if any, is a ``RecordCallback`` saved with it)."""
    return t, e.SurveyCallRecorded(
        audit, cmd.survey_id, cmd.attempt, cmd.outcome, cmd.key, cmd.words, cmd.recording, cmd.reason
    )


def reopen(t: TicketLifecycle, cmd: c.ReopenTicket, audit: e.Audit) -> Applied:
    """重办 goes back to the same lead unit (or to dispatch, for a ticket resolved on the call)."""
    return t, e.TicketReopened(audit, require_reason(cmd.reason))


def annotate(
    t: TicketLifecycle, cmd: c.SuperviseTicket | c.ReviewTicket | c.AssessTicket, audit: e.Audit
) -> Applied:
    kind = ANNOTATION_KINDS[cmd.action]
    note = require_text(cmd.note, "note")
    changed = replace(t, annotations=(*t.annotations, Annotation(kind, entry(audit, note))))
    return changed, e.TicketAnnotated(audit, kind, note)
