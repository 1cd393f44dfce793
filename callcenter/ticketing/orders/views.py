"""What each viewer may see of the citizen (来电人), who is government personal data.

Hotline staff see the contact and every text as registered. Handling-unit staff see a confidential ticket
(保密工单) without the citizen's name and phone, and any other ticket with the phone masked to its first 3
and last 4 digits (138****8000) — enough to recognise a caller, not to collect numbers.

Free texts follow the same rule (``unit_text_filter``): every text a unit reads — the request, the
summary, notes, replies — has its phone, ID and bank-card numbers masked (personal_numbers), and on a
confidential ticket the informant's name, numbers and home address removed (redaction). A confidential
ticket with a unit summary (对单位摘要, written by the agent at 受理) shows units that summary instead of
the citizen's words (``unit_content``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from callcenter.core.actors import Actor, Role, UnitId
from callcenter.core.ids import TicketId
from callcenter.ticketing.orders.access import require_visible
from callcenter.ticketing.orders.drafting import summarise
from callcenter.ticketing.orders.record import CitizenContact, TicketLifecycle
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.privacy.personal_numbers import mask_numbers
from callcenter.ticketing.privacy.redaction import Informant, redact_informant
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


# --- free texts --------------------------------------------------------------------------------------

TextFilter = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class UnitContent:
    """The request as a handling unit reads it (单位可见内容)."""

    summary: str
    request_text: str


def informant_of(order: WorkOrder) -> Informant:
    """Who called, as registered: the contact's name and phone, and the calling number."""
    citizen = order.life.citizen
    return Informant((citizen.name,), (citizen.phone, order.ticket.caller_number))


def unit_text_filter(order: WorkOrder) -> TextFilter:
    """What becomes of a free text before a unit reads it: numbers masked; the informant removed if
    the order is confidential."""
    return _filter(order.life.confidential, informant_of(order))


def _filter(confidential: bool, informant: Informant) -> TextFilter:
    return partial(redact_informant, informant=informant) if confidential else mask_numbers


def unit_texts(
    summary: str, request_text: str, confidential: bool, informant: Informant, unit_summary: str = ""
) -> UnitContent:
    """The summary and request text for units; on a confidential order the unit summary, if written.
    (On plain values: the migration that fills ``unit_text`` for older orders uses it too.)"""
    shown = _filter(confidential, informant)
    if confidential and unit_summary:
        text = shown(unit_summary)
        return UnitContent(summarise(text), text)
    return UnitContent(shown(summary), shown(request_text))


def unit_content(order: WorkOrder) -> UnitContent:
    t = order.ticket
    return unit_texts(t.summary, t.request_text, order.life.confidential, informant_of(order), t.unit_summary)


def unit_summary_line(order: WorkOrder) -> str:
    """``unit_content(order).summary`` without filtering the whole request (a list row needs no more)."""
    if order.life.confidential and order.ticket.unit_summary:
        return unit_content(order).summary
    return unit_text_filter(order)(order.ticket.summary)


def text_filter_for(order: WorkOrder, viewer: Actor) -> TextFilter:
    """Hotline staff read every text as written; unit staff through ``unit_text_filter``."""
    if viewer.role is not Role.UNIT_STAFF:
        return str
    return unit_text_filter(order)


def content_for(order: WorkOrder, viewer: Actor) -> UnitContent:
    """The summary and request text ``viewer`` may read."""
    if viewer.role is not Role.UNIT_STAFF:
        return UnitContent(order.ticket.summary, order.ticket.request_text)
    return unit_content(order)


def summary_for(order: WorkOrder, viewer: Actor) -> str:
    """The summary ``viewer`` may read (a list row)."""
    return order.ticket.summary if viewer.role is not Role.UNIT_STAFF else unit_summary_line(order)
