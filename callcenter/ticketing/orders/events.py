"""Events of the ticket life cycle (past tense). Every accepted command yields exactly one.

Each event carries an ``Audit`` header (who, when, from which state to which, the new version) and the
facts of its own action; ``audit_details`` flattens those facts for the audit trail the lead persists.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from callcenter.core.actors import Actor, UnitId
from callcenter.core.ids import TicketId
from callcenter.ticketing.orders.record import AnnotationKind, CallbackOutcome
from callcenter.ticketing.states import Action, TicketStatus


@dataclass(frozen=True, slots=True)
class Audit:
    ticket_id: TicketId
    action: Action
    actor: Actor
    at: datetime
    from_status: TicketStatus
    to_status: TicketStatus
    version: int  # the ticket's version after the transition


@dataclass(frozen=True, slots=True)
class TicketRegistered:
    audit: Audit
    confidential: bool


@dataclass(frozen=True, slots=True)
class TicketResolvedOnCall:
    audit: Audit
    answer: str


@dataclass(frozen=True, slots=True)
class TicketDispatched:
    """派单, and 改派 when ``reassigned_from`` is set."""

    audit: Audit
    lead_unit: UnitId
    assisting_units: tuple[UnitId, ...]
    reassigned_from: UnitId | None = None


@dataclass(frozen=True, slots=True)
class TicketAcknowledged:
    audit: Audit


@dataclass(frozen=True, slots=True)
class HandlingStarted:
    audit: Audit


@dataclass(frozen=True, slots=True)
class ContributionRecorded:
    audit: Audit
    unit: UnitId
    text: str


@dataclass(frozen=True, slots=True)
class TicketReplied:
    audit: Audit
    unit: UnitId
    text: str


@dataclass(frozen=True, slots=True)
class TicketReturned:
    audit: Audit
    unit: UnitId
    reason: str
    return_number: int  # 1 for the ticket's first return


@dataclass(frozen=True, slots=True)
class ReturnRejected:
    audit: Audit
    unit: UnitId
    reason: str


@dataclass(frozen=True, slots=True)
class ExtensionRequested:
    audit: Audit
    working_days: int
    reason: str


@dataclass(frozen=True, slots=True)
class ExtensionDecided:
    audit: Audit
    approved_days: int  # 0 when rejected
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CallbackSurveyScheduled:
    audit: Audit


@dataclass(frozen=True, slots=True)
class CallbackRecorded:
    """One 回访 attempt; the audit's ``to_status`` says whether it closed or reopened the ticket."""

    audit: Audit
    outcome: CallbackOutcome
    attempt: int  # 1-based, within the current reply's round
    note: str


@dataclass(frozen=True, slots=True)
class SurveyCallRecorded:
    """One automated survey call (自动回访外呼); the order stays where it is."""

    audit: Audit
    survey_id: int
    attempt: int
    outcome: str
    key: str
    words: str
    recording: str
    reason: str


@dataclass(frozen=True, slots=True)
class TicketReopened:
    audit: Audit
    reason: str


@dataclass(frozen=True, slots=True)
class TicketAnnotated:
    """督办, 评单 or 考单 recorded on the ticket; the state does not change."""

    audit: Audit
    kind: AnnotationKind
    note: str


TicketEvent = (
    TicketRegistered
    | TicketResolvedOnCall
    | TicketDispatched
    | TicketAcknowledged
    | HandlingStarted
    | ContributionRecorded
    | TicketReplied
    | TicketReturned
    | ReturnRejected
    | ExtensionRequested
    | ExtensionDecided
    | CallbackSurveyScheduled
    | CallbackRecorded
    | SurveyCallRecorded
    | TicketReopened
    | TicketAnnotated
)


def audit_details(event: TicketEvent) -> dict[str, object]:
    """The event's own facts (everything but the audit header), for the audit trail's details column."""
    return {f.name: getattr(event, f.name) for f in fields(event) if f.name != "audit"}
