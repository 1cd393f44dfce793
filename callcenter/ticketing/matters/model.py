"""A matter (并单): the open work orders that report the same thing, as stored and shown (port: ``ports``).

How orders are matched lives in ``duplicates``; the decisions in docs/adr/0010-duplicate-matters.md. A
matter is opened by the first duplicate (the matched order and the new one join it), grows with each
linked order, is escalated to supervision (督办) once, and can lose an order that was linked by mistake
(undo); when fewer than two orders remain it is dissolved. Two matters that registration's links find to be
one incident are merged into one (``linking``). Its ``history`` is the trail of links and undos.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from callcenter.core.errors import InvalidInput, InvalidTransition, NotFound
from callcenter.core.ids import TicketId
from callcenter.ticketing.matters.duplicates import MatterId

AUTO = "auto"  # who links an order that registration matched; an agent's login otherwise


class MatterStatus(StrEnum):
    OPEN = "open"
    DISSOLVED = "dissolved"  # fewer than two orders left after an undo: no longer a merge
    MERGED = "merged"  # its orders moved into another matter of the same incident (linking.plan_link)


@dataclass(frozen=True, slots=True)
class MatterLinked:
    """The outcome of a link: the matter's counts now, and whether this link sent it to supervision."""

    matter_id: MatterId
    ticket_count: int
    caller_count: int  # distinct callers' numbers
    escalate: bool  # True for exactly one link of a matter: the lead's service opens the 督办 record
    opened: bool  # this link opened the matter
    absorbed: MatterId | None = None  # this link merged that matter into this one (linking.plan_link)
    already: bool = False  # both orders were in this matter already: nothing changed


@dataclass(frozen=True, slots=True)
class MatterUnlinked:
    """The outcome of an undo: the order is on its own again; the matter's counts now."""

    ticket_id: TicketId
    matter_id: MatterId
    ticket_count: int
    caller_count: int
    dissolved: bool


@dataclass(frozen=True, slots=True)
class Matter:
    id: MatterId
    status: MatterStatus
    area_code: str | None
    category_code: str | None
    first_ticket_id: TicketId  # the earliest order still in it (or the last one, once dissolved)
    opened_at: datetime  # receipt of its earliest order
    last_seen_at: datetime  # receipt of its latest order
    ticket_count: int
    caller_count: int
    escalated_at: datetime | None
    # {"action": "link" | "unlink" | "merged_into", "ticket_id", "by", "at", "score"?, "merged"?, "into"?}
    history: tuple[dict[str, Any], ...]


@dataclass(frozen=True, slots=True)
class MatterTicket:
    """One order of a matter, for display (the caller's number unmasked: mask it where it is shown)."""

    ticket_id: TicketId
    status: str
    caller_number: str
    summary: str
    created_at: datetime


class MatterNotFound(NotFound):
    code = "matter_not_found"


class MatterTicketNotFound(NotFound):
    """The order to link or unlink does not exist."""

    code = "matter_ticket_not_found"


class AlreadyInOtherMatter(InvalidTransition):
    """The new order already belongs to another matter: undo that link first."""

    code = "already_in_other_matter"


class NotInMatter(InvalidTransition):
    code = "not_in_matter"


class SelfLink(InvalidInput):
    code = "self_link"
