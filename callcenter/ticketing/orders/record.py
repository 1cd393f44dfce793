"""The life-cycle record of a work order (工单): id, status, version, units and the history of its handling.

It is the one owner of a work order's status and version: the drafted content (``model.Ticket``) has
neither, and the order's optimistic version check (``lifecycle.check_version``) reads them here.

Pure values: every change makes a new record. History is kept in tuples, oldest first; counts (returns,
extension days, callback attempts) are derived from it so that they cannot drift from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from callcenter.core.actors import StaffId, UnitId
from callcenter.core.errors import InvalidInput
from callcenter.core.ids import TicketId
from callcenter.ticketing.limits import MAX_EXTENSION_WORKING_DAYS
from callcenter.ticketing.states import TicketStatus


@dataclass(frozen=True, slots=True)
class LifecyclePolicy:
    """The limits a city configures; defaults are common practice, the deploying city's rules win."""

    max_returns: int = 3  # 退单 per ticket before it must be escalated to 督办
    max_extension_days: int = MAX_EXTENSION_WORKING_DAYS  # 延期: working days in total per ticket
    max_callback_attempts: int = 3  # 回访 attempts per reply before 联系不上 closes the ticket

    def __post_init__(self) -> None:
        if min(self.max_returns, self.max_extension_days, self.max_callback_attempts) < 0:
            raise InvalidInput("life-cycle limits cannot be negative")
        if self.max_callback_attempts < 1:
            raise InvalidInput("at least one callback attempt is needed to close a ticket")


DEFAULT_POLICY = LifecyclePolicy()
UNSAVED = TicketId(0)  # the id of an order not stored yet; the database gives the real one
FIRST_VERSION = 1  # a new draft's version; every transition adds one


@dataclass(frozen=True, slots=True)
class CitizenContact:
    """The citizen's identity: personal data, hidden or masked for handling units (see ``views``)."""

    name: str = ""
    phone: str = ""


class ReturnOutcome(StrEnum):
    PENDING = "pending"
    REASSIGNED = "reassigned"  # 改派 to another unit
    REJECTED = "rejected"  # the returning unit must handle it


@dataclass(frozen=True, slots=True)
class ReturnRecord:
    """One 退单: which unit sent the ticket back, why, from which state, and what the dispatcher did."""

    unit: UnitId
    reason: str
    by: StaffId
    at: datetime
    from_status: TicketStatus
    outcome: ReturnOutcome = ReturnOutcome.PENDING
    reassigned_to: UnitId | None = None


class ExtensionStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    LAPSED = "lapsed"  # the handling ended (reply or return) before a decision


@dataclass(frozen=True, slots=True)
class ExtensionRequest:
    """One 延期 request in working days; the deadline arithmetic is the deadlines module's job."""

    working_days: int
    reason: str
    by: StaffId
    at: datetime
    status: ExtensionStatus = ExtensionStatus.PENDING
    approved_days: int = 0


class CallbackOutcome(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASIC_SATISFIED = "basically_satisfied"  # 基本满意: closes like 满意, its own value in the figures
    DISSATISFIED = "dissatisfied"  # 不满意 → 重办
    UNREACHABLE = "unreachable"  # 联系不上


@dataclass(frozen=True, slots=True)
class CallbackAttempt:
    """One 回访 attempt; ``round`` is the number of replies the ticket had when it was made."""

    round: int
    outcome: CallbackOutcome
    by: StaffId
    at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """A dated text by a unit or staff member: a reply (回单), a contribution (协办) or an annotation."""

    by: StaffId
    at: datetime
    text: str
    unit: UnitId | None = None


class AnnotationKind(StrEnum):
    SUPERVISION = "supervision"  # 督办
    REVIEW = "review"  # 评单
    ASSESSMENT = "assessment"  # 考单


@dataclass(frozen=True, slots=True)
class Annotation:
    kind: AnnotationKind
    entry: Entry


@dataclass(frozen=True, slots=True)
class TicketLifecycle:
    """The part of a ticket the life cycle rules over; its content (summary, request) is ``model.Ticket``."""

    id: TicketId
    status: TicketStatus = TicketStatus.DRAFT
    version: int = FIRST_VERSION
    citizen: CitizenContact = CitizenContact()
    confidential: bool = False  # 保密工单: the citizen's identity is hidden from handling units
    lead_unit: UnitId | None = None  # 主办
    assisting_units: tuple[UnitId, ...] = ()  # 协办
    resolution: str = ""  # the agent's answer when resolved on the call (直接办结)
    replies: tuple[Entry, ...] = ()
    contributions: tuple[Entry, ...] = ()
    returns: tuple[ReturnRecord, ...] = ()
    extensions: tuple[ExtensionRequest, ...] = ()
    callback_attempts: tuple[CallbackAttempt, ...] = ()
    annotations: tuple[Annotation, ...] = ()

    @property
    def units(self) -> frozenset[UnitId]:
        """Every unit involved: the lead and the assistants."""
        lead = () if self.lead_unit is None else (self.lead_unit,)
        return frozenset((*lead, *self.assisting_units))

    @property
    def return_count(self) -> int:
        return len(self.returns)

    @property
    def pending_extension(self) -> ExtensionRequest | None:
        return next((e for e in self.extensions if e.status is ExtensionStatus.PENDING), None)

    @property
    def approved_extension_days(self) -> int:
        """Working days granted so far; the deadlines module adds them to the handling deadline."""
        return sum(e.approved_days for e in self.extensions)

    @property
    def callback_round_attempts(self) -> int:
        """Callback attempts made since the latest reply."""
        return sum(1 for a in self.callback_attempts if a.round == len(self.replies))


def new_lifecycle(citizen: CitizenContact = CitizenContact()) -> TicketLifecycle:
    """Where every work order starts: a draft (草稿) at the first version, not stored yet."""
    return TicketLifecycle(UNSAVED, citizen=citizen)
