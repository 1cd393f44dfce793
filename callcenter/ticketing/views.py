"""What each viewer may see of the citizen (来电人), who is government personal data.

Hotline staff see the contact as registered. Handling-unit staff see a confidential ticket (保密工单)
without the citizen's name and phone, and any other ticket with the phone masked to its first 3 and
last 4 digits (138****8000) — enough to recognise a caller, not to collect numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.core.ids import TicketId
from callcenter.ticketing.access import require_visible
from callcenter.ticketing.actors import Actor, Role, UnitId
from callcenter.ticketing.record import CitizenContact, TicketLifecycle
from callcenter.ticketing.states import TicketStatus

KEEP_HEAD, KEEP_TAIL = 3, 4


@dataclass(frozen=True, slots=True)
class TicketView:
    """A ticket as one viewer may see it; ``citizen`` is ``None`` when the identity is hidden."""

    id: TicketId
    status: TicketStatus
    version: int
    confidential: bool
    lead_unit: UnitId | None
    assisting_units: tuple[UnitId, ...]
    citizen: CitizenContact | None


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 characters; a number too short for that is masked whole."""
    hidden = len(phone) - KEEP_HEAD - KEEP_TAIL
    if hidden < 1:
        return "*" * len(phone)
    return phone[:KEEP_HEAD] + "*" * hidden + phone[-KEEP_TAIL:]


def citizen_for(ticket: TicketLifecycle, viewer: Actor) -> CitizenContact | None:
    if viewer.role is not Role.UNIT_STAFF:
        return ticket.citizen
    if ticket.confidential:
        return None
    return CitizenContact(ticket.citizen.name, mask_phone(ticket.citizen.phone))


def view_for(ticket: TicketLifecycle, viewer: Actor) -> TicketView:
    """The ticket as ``viewer`` may see it; unit staff of an uninvolved unit get ``TicketNotVisible``."""
    require_visible(ticket, viewer)
    return TicketView(
        ticket.id,
        ticket.status,
        ticket.version,
        ticket.confidential,
        ticket.lead_unit,
        ticket.assisting_units,
        citizen_for(ticket, viewer),
    )
