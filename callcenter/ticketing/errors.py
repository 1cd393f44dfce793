"""Refusals of the ticket life cycle, each with a stable ``code`` (HOUSE_STYLE principle 4).

State refusals subclass ``InvalidTransition`` (HTTP 409), bad payloads ``InvalidInput`` (400),
access refusals ``AccessDenied`` (403) or ``NotFound`` (404, so that a unit cannot probe others' tickets).
"""

from __future__ import annotations

from callcenter.core.errors import DomainError, InvalidInput, InvalidTransition, NotFound


class AccessDenied(DomainError):
    code = "access_denied"


class RoleForbidden(AccessDenied):
    """The actor's role may not perform this action at all."""

    code = "role_forbidden"


class NotLeadUnit(AccessDenied):
    """Only the lead unit (主办) may do this; an assisting unit (协办) may not."""

    code = "not_lead_unit"


class TicketNotVisible(NotFound):
    """Unit staff asked for a ticket that their unit neither leads nor assists."""

    code = "ticket_not_visible"


class ReturnLimitReached(InvalidTransition):
    """The ticket was returned (退单) the maximum number of times: it must go to supervision (督办)."""

    code = "return_limit_reached"


class ExtensionLimitExceeded(InvalidTransition):
    """The extensions (延期) would exceed the total number of working days allowed."""

    code = "extension_limit_exceeded"


class ExtensionPending(InvalidTransition):
    code = "extension_pending"


class NoPendingExtension(InvalidTransition):
    code = "no_pending_extension"


class ReasonRequired(InvalidInput):
    code = "reason_required"


class ReassignToSameUnit(InvalidInput):
    """改派 goes to another unit; sending it back to the returning unit is rejecting the return."""

    code = "reassign_to_same_unit"


class UnknownUnit(InvalidInput):
    """A handling unit that does not exist or is no longer active (撤并的单位)."""

    code = "unknown_unit"


class PrivacyReviewNeeded(DomainError):
    """A confidential order (保密) whose text for units still holds details that identify the informant:
    the agent sees them and the text units will read, then writes a unit summary (对单位摘要) or confirms.
    Nothing is saved."""

    code = "privacy_review_needed"
