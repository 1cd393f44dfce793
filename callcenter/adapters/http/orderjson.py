"""Work orders as JSON for one viewer: the citizen masked or hidden for handling units (views.py)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.adapters.http.knowledge import answer_json
from callcenter.ticketing.actors import Actor, Role
from callcenter.ticketing.extract_category import CategorySuggestion
from callcenter.ticketing.extract_location import LocationSuggestion
from callcenter.ticketing.record import Entry, ExtensionRequest, ReturnRecord
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.suggestions import DraftAdvisor, DraftSuggestions, suggest
from callcenter.ticketing.views import citizen_for, mask_phone
from callcenter.ticketing.workorder import WorkOrder

# The draft advisor in force (catalogue + keywords), set by the composition root's route hook; without it
# a draft's suggestions have no category or location.
DRAFT_ADVISOR = web.AppKey("draft_advisor", DraftAdvisor)


def _entry(e: Entry) -> dict[str, Any]:
    return {"by": e.by, "at": e.at, "text": e.text, "unit": e.unit}


def _return(r: ReturnRecord) -> dict[str, Any]:
    return {
        "unit": r.unit,
        "reason": r.reason,
        "by": r.by,
        "at": r.at,
        "outcome": r.outcome,
        "reassigned_to": r.reassigned_to,
    }


def _extension(x: ExtensionRequest) -> dict[str, Any]:
    return {
        "working_days": x.working_days,
        "reason": x.reason,
        "by": x.by,
        "at": x.at,
        "status": x.status,
        "approved_days": x.approved_days,
    }


def caller_number_for(order: WorkOrder, viewer: Actor) -> str | None:
    if viewer.role is not Role.UNIT_STAFF:
        return order.ticket.caller_number
    return None if order.life.confidential else mask_phone(order.ticket.caller_number)


def summary_json(order: WorkOrder, viewer: Actor) -> dict[str, Any]:
    """The fields of a list row."""
    life, c, s = order.life, order.classification, order.schedule
    citizen = citizen_for(life, viewer)
    return {
        "id": life.id,
        "status": life.status,
        "version": life.version,
        "summary": order.ticket.summary,
        "source": order.ticket.source,
        "call_id": order.ticket.call_id,
        "caller_number": caller_number_for(order, viewer),
        "citizen": None if citizen is None else {"name": citizen.name, "phone": citizen.phone},
        "confidential": life.confidential,
        "category_code": c.category_code,
        "area_code": c.area_code,
        "address": c.address,
        "urgency": c.urgency,
        "request_type": c.request_type,
        "lead_unit": life.lead_unit,
        "assisting_units": list(life.assisting_units),
        "created_at": order.ticket.created_at,
        "registered_at": s.registered_at,
        "dispatched_at": s.dispatched_at,
        "closed_at": s.closed_at,
        "due_at": s.due_at,
        "warn_at": s.warn_at,
        "contact_due_at": s.contact_due_at,
        "deadline_provisional": s.provisional,
        "extension_pending": life.pending_extension is not None,
        "matter_id": order.matter_id,
        "failure_reason": order.ticket.failure_reason,
    }


def order_json(
    order: WorkOrder,
    viewer: Actor,
    trail: list[dict[str, Any]] | None = None,
    advisor: DraftAdvisor | None = None,
) -> dict[str, Any]:
    """The whole order: list fields, the request, the handling history and the audit trail."""
    life = order.life
    return {
        **summary_json(order, viewer),
        "request_text": order.ticket.request_text,
        "resolution": life.resolution,
        "replies": [_entry(e) for e in life.replies],
        "contributions": [_entry(e) for e in life.contributions],
        "returns": [_return(r) for r in life.returns],
        "extensions": [_extension(x) for x in life.extensions],
        "callbacks": [
            {"round": a.round, "outcome": a.outcome, "by": a.by, "at": a.at, "note": a.note}
            for a in life.callback_attempts
        ],
        "annotations": [{"kind": a.kind, **_entry(a.entry)} for a in life.annotations],
        "trail": trail or [],
        "suggestions": _suggestions(order, advisor) if life.status is TicketStatus.DRAFT else None,
    }


def _suggestions(order: WorkOrder, advisor: DraftAdvisor | None) -> dict[str, Any]:
    """For a draft only (seen by hotline staff): what the caller's words suggest (草稿建议)."""
    text = order.ticket.request_text
    s: DraftSuggestions = suggest(text) if advisor is None else advisor.advise(text)
    return {
        "urgency": s.urgency,
        "urgency_reasons": list(s.urgency_reasons),
        "intent": s.intent,
        "intent_confidence": s.intent_confidence,
        "request_type": s.request_type,
        "contact_number": s.contact_number,
        "request_text": s.request_text,
        "category": None if s.category is None else category_json(s.category),
        "location": None if s.location is None else location_json(s.location),
        "knowledge": [answer_json(a) for a in s.knowledge],  # only for a consultation (咨询)
    }


def category_json(c: CategorySuggestion) -> dict[str, Any]:
    return {"code": c.code, "path": list(c.path), "confidence": c.confidence, "terms": list(c.terms)}


def location_json(loc: LocationSuggestion) -> dict[str, Any]:
    return {
        "area_code": loc.area_code,
        "level": loc.level,
        "path": list(loc.path),
        "phrase": loc.phrase,
        "issue": loc.issue,
        "candidates": list(loc.candidates),
    }
