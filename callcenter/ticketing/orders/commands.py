"""Commands on the ticket life cycle (imperative names, HOUSE_STYLE principle 9).

A command carries only what the actor decided; the ticket, the actor and the time are passed to
``lifecycle.transition`` beside it. ``action`` names the row of the transition table the command uses;
``RecordCallback`` picks its row from the outcome (see ``lifecycle.action_of``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from callcenter.core.actors import UnitId
from callcenter.ticketing.orders.record import CallbackOutcome, CitizenContact
from callcenter.ticketing.states import Action


@dataclass(frozen=True, slots=True)
class RegisterTicket:
    """受理: the agent confirms the draft (or a ticket typed in by hand); may correct the contact."""

    action: ClassVar[Action] = Action.REGISTER
    citizen: CitizenContact | None = None
    confidential: bool = False


@dataclass(frozen=True, slots=True)
class ResolveOnCall:
    """直接办结: the agent answered the matter on the call, e.g. from the knowledge base."""

    action: ClassVar[Action] = Action.RESOLVE_ON_CALL
    answer: str


@dataclass(frozen=True, slots=True)
class DispatchTicket:
    """派单: to one lead unit (主办) and optional assisting units (协办)."""

    action: ClassVar[Action] = Action.DISPATCH
    lead_unit: UnitId
    assisting_units: tuple[UnitId, ...] = ()


@dataclass(frozen=True, slots=True)
class AcknowledgeTicket:
    """签收 by the lead unit."""

    action: ClassVar[Action] = Action.ACKNOWLEDGE


@dataclass(frozen=True, slots=True)
class StartHandling:
    """办理 begins at the lead unit."""

    action: ClassVar[Action] = Action.START_HANDLING


@dataclass(frozen=True, slots=True)
class RecordContribution:
    """协办: a unit's contribution to the handling; recorded, it closes nothing."""

    action: ClassVar[Action] = Action.CONTRIBUTE
    text: str


@dataclass(frozen=True, slots=True)
class ReplyTicket:
    """回单: the lead unit reports the result; this ends the handling."""

    action: ClassVar[Action] = Action.REPLY
    text: str


@dataclass(frozen=True, slots=True)
class ReturnTicket:
    """退单: the lead unit sends the ticket back as not its responsibility; the reason is mandatory."""

    action: ClassVar[Action] = Action.RETURN
    reason: str


@dataclass(frozen=True, slots=True)
class ReassignTicket:
    """改派: the dispatcher accepts a return and sends the ticket to another unit."""

    action: ClassVar[Action] = Action.REASSIGN
    lead_unit: UnitId
    assisting_units: tuple[UnitId, ...] = ()


@dataclass(frozen=True, slots=True)
class RejectReturn:
    """退单驳回: the dispatcher refuses the return; the same unit handles on from where it was."""

    action: ClassVar[Action] = Action.REJECT_RETURN
    reason: str


@dataclass(frozen=True, slots=True)
class RequestExtension:
    """延期申请 by the lead unit, in working days."""

    action: ClassVar[Action] = Action.REQUEST_EXTENSION
    working_days: int
    reason: str


@dataclass(frozen=True, slots=True)
class ApproveExtension:
    """延期审批 granted, for the days requested or fewer (``working_days``)."""

    action: ClassVar[Action] = Action.APPROVE_EXTENSION
    working_days: int | None = None


@dataclass(frozen=True, slots=True)
class RejectExtension:
    action: ClassVar[Action] = Action.REJECT_EXTENSION
    reason: str


@dataclass(frozen=True, slots=True)
class ScheduleCallbackSurvey:
    """回访: the replied ticket waits for the citizen to be called back."""

    action: ClassVar[Action] = Action.SCHEDULE_CALLBACK


@dataclass(frozen=True, slots=True)
class RecordCallback:
    """The result of one callback attempt (回访结果)."""

    outcome: CallbackOutcome
    note: str = ""


@dataclass(frozen=True, slots=True)
class RecordSurveyCall:
    """One automated survey call (自动回访外呼): its outcome, the key pressed or the words recognised, the
    recording of the answer and the citizen's spoken reason (for 不满意), as the survey dialer got them."""

    action: ClassVar[Action] = Action.SURVEY_CALL
    survey_id: int
    attempt: int
    outcome: str  # surveys.model.AttemptOutcome value
    key: str = ""
    words: str = ""
    recording: str = ""
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ReopenTicket:
    """重办 ordered by a supervisor, with a reason."""

    action: ClassVar[Action] = Action.REOPEN
    reason: str


@dataclass(frozen=True, slots=True)
class SuperviseTicket:
    """督办: formal pressure on the handling unit; recorded on the ticket."""

    action: ClassVar[Action] = Action.SUPERVISE
    note: str


@dataclass(frozen=True, slots=True)
class ReviewTicket:
    """评单: a judgement of the reply's quality; recorded on the ticket."""

    action: ClassVar[Action] = Action.REVIEW
    note: str


@dataclass(frozen=True, slots=True)
class AssessTicket:
    """考单: counting the ticket into the unit's assessment (考核); recorded on the ticket."""

    action: ClassVar[Action] = Action.ASSESS
    note: str


Command = (
    RegisterTicket
    | ResolveOnCall
    | DispatchTicket
    | AcknowledgeTicket
    | StartHandling
    | RecordContribution
    | ReplyTicket
    | ReturnTicket
    | ReassignTicket
    | RejectReturn
    | RequestExtension
    | ApproveExtension
    | RejectExtension
    | ScheduleCallbackSurvey
    | RecordCallback
    | RecordSurveyCall
    | ReopenTicket
    | SuperviseTicket
    | ReviewTicket
    | AssessTicket
)
