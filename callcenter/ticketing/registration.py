"""What the agent confirms when registering a work order (受理): content, citizen, classification."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from callcenter.core.ids import TicketId
from callcenter.ticketing.drafting import summarise
from callcenter.ticketing.model import Ticket
from callcenter.ticketing.record import CitizenContact, TicketLifecycle
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.workorder import (
    MAX_ADDRESS_CHARS,
    Classification,
    WorkOrder,
    clean_text,
)

MAX_NAME_CHARS = 64
MAX_PHONE_CHARS = 32
NEW = TicketId(0)  # the id of an order not stored yet


@dataclass(frozen=True, slots=True)
class Registration:
    """The agent's version of the matter; ``summary`` empty means: summarise the request text."""

    request_text: str
    summary: str = ""
    citizen: CitizenContact | None = None
    confidential: bool = False
    classification: Classification = field(default_factory=Classification)

    def __post_init__(self) -> None:
        object.__setattr__(self, "request_text", clean_text(self.request_text, "request_text", required=True))
        summary = clean_text(self.summary, "summary", limit=200) or summarise(self.request_text)
        object.__setattr__(self, "summary", summary)
        if self.citizen is not None:
            name = clean_text(self.citizen.name, "citizen.name", limit=MAX_NAME_CHARS)
            phone = clean_text(self.citizen.phone, "citizen.phone", limit=MAX_PHONE_CHARS)
            object.__setattr__(self, "citizen", CitizenContact(name, phone))
        c = self.classification
        address = clean_text(c.address, "address", limit=MAX_ADDRESS_CHARS)
        object.__setattr__(self, "classification", replace(c, address=address))

    def citizen_for(self, order: WorkOrder) -> CitizenContact:
        """The contact as corrected by the agent; by default the calling number is the citizen's phone."""
        if self.citizen is not None:
            return self.citizen
        known = order.life.citizen
        return known if known.phone else CitizenContact(known.name, order.ticket.caller_number)

    def applied_to(self, order: WorkOrder) -> WorkOrder:
        changed = order.with_content(self.summary, self.request_text)
        return replace(changed, classification=self.classification)


def new_manual_order(registration: Registration, caller_number: str, at: datetime) -> WorkOrder:
    """A draft typed in by the agent; the caller's number is the citizen's phone unless given otherwise."""
    phone = clean_text(caller_number, "caller_number", limit=MAX_PHONE_CHARS)
    ticket = Ticket(
        id=None,
        call_id=None,
        status=TicketStatus.DRAFT,
        caller_number=phone,
        summary=registration.summary,
        request_text=registration.request_text,
        created_at=at,
        updated_at=at,
        source="manual",
    )
    citizen = registration.citizen or CitizenContact("", phone)
    life = TicketLifecycle(NEW, citizen=citizen)
    return WorkOrder(ticket, life, registration.classification)
