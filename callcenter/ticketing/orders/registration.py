"""What the agent confirms when registering a work order (受理): content, citizen, classification.

A confidential order (保密工单) is checked before it is saved (``check_privacy``): if the text units will
read still holds details that identify the informant (name, phone, ID, home address — redaction.py), the
agent is shown them and what units would read, and registers only after writing a unit summary
(对单位摘要) that holds none, or after confirming (``privacy_confirmed``) that the automatic removal is
enough. The agent sees this before any unit does.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from callcenter.ticketing.errors import PrivacyReviewNeeded
from callcenter.ticketing.orders.drafting import summarise
from callcenter.ticketing.orders.model import Ticket
from callcenter.ticketing.orders.record import CitizenContact, new_lifecycle
from callcenter.ticketing.orders.views import informant_of, unit_content
from callcenter.ticketing.orders.workorder import (
    MAX_ADDRESS_CHARS,
    Classification,
    WorkOrder,
    clean_text,
)
from callcenter.ticketing.privacy.redaction import Finding, identifying_details

MAX_NAME_CHARS = 64
MAX_PHONE_CHARS = 32
MAX_UNIT_SUMMARY_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Registration:
    """The agent's version of the matter; ``summary`` empty means: summarise the request text.
    ``unit_summary`` (对单位摘要) is kept for a confidential order only, where units read it instead."""

    request_text: str
    summary: str = ""
    citizen: CitizenContact | None = None
    confidential: bool = False
    classification: Classification = field(default_factory=Classification)
    unit_summary: str = ""
    privacy_confirmed: bool = False  # the agent saw the privacy warnings and registers all the same

    def __post_init__(self) -> None:
        object.__setattr__(self, "request_text", clean_text(self.request_text, "request_text", required=True))
        summary = clean_text(self.summary, "summary", limit=200) or summarise(self.request_text)
        object.__setattr__(self, "summary", summary)
        unit_summary = clean_text(self.unit_summary, "unit_summary", limit=MAX_UNIT_SUMMARY_CHARS)
        object.__setattr__(self, "unit_summary", unit_summary if self.confidential else "")
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
        ticket = replace(changed.ticket, unit_summary=self.unit_summary)
        return replace(changed, ticket=ticket, classification=self.classification)


def privacy_findings(order: WorkOrder) -> tuple[Finding, ...]:
    """What identifies the informant in the texts of a confidential order that units would otherwise
    read: the unit summary if there is one, else the summary and the request text."""
    if not order.life.confidential:
        return ()
    t = order.ticket
    texts = (t.unit_summary,) if t.unit_summary else (t.summary, t.request_text)
    return identifying_details(texts, informant_of(order))


def check_privacy(order: WorkOrder, confirmed: bool) -> tuple[Finding, ...]:
    """The findings of a registered order; ``PrivacyReviewNeeded`` (with the findings and what units
    would read) while there are some and the agent has not confirmed."""
    findings = privacy_findings(order)
    if findings and not confirmed:
        shown = unit_content(order)
        raise PrivacyReviewNeeded(
            "the text of this confidential order still identifies the informant",
            privacy_warnings=[findings_json(f) for f in findings],
            unit_view={"summary": shown.summary, "request_text": shown.request_text},
        )
    return findings


def findings_json(finding: Finding) -> dict[str, str]:
    return {"kind": finding.kind.value, "text": finding.text}


def new_manual_order(registration: Registration, caller_number: str, at: datetime) -> WorkOrder:
    """A draft typed in by the agent; the caller's number is the citizen's phone unless given otherwise."""
    phone = clean_text(caller_number, "caller_number", limit=MAX_PHONE_CHARS)
    ticket = Ticket(
        call_id=None,
        caller_number=phone,
        summary=registration.summary,
        request_text=registration.request_text,
        created_at=at,
        updated_at=at,
        source="manual",
        unit_summary=registration.unit_summary,
    )
    citizen = registration.citizen or CitizenContact("", phone)
    return WorkOrder(ticket, new_lifecycle(citizen), registration.classification)
