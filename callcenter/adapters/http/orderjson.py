"""Work orders as JSON for one viewer: the citizen masked or hidden for handling units, and every free
text through the viewer's text filter (views.py): units never receive the raw request or summary."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.adapters.http.knowledge import answer_json
from callcenter.core.actors import Actor, Role
from callcenter.ticketing.orders.record import Entry, ExtensionRequest, ReturnRecord
from callcenter.ticketing.orders.views import (
    TextFilter,
    citizen_for,
    content_for,
    mask_phone,
    summary_for,
    text_filter_for,
    unit_content,
)
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.suggestions.assistant import DraftAdvisor, DraftSuggestions, suggest
from callcenter.ticketing.suggestions.extract_category import CategorySuggestion
from callcenter.ticketing.suggestions.extract_location import LocationSuggestion

# The draft advisor in force (catalogue + keywords), set by the composition root's route hook; without it
# a draft's suggestions have no category or location.
DRAFT_ADVISOR = web.AppKey("draft_advisor", DraftAdvisor)


def _entry(e: Entry, shown: TextFilter) -> dict[str, Any]:
    return {"by": e.by, "at": e.at, "text": shown(e.text), "unit": e.unit}


def _return(r: ReturnRecord, shown: TextFilter) -> dict[str, Any]:
    return {
        "unit": r.unit,
        "reason": shown(r.reason),
        "by": r.by,
        "at": r.at,
        "outcome": r.outcome,
        "reassigned_to": r.reassigned_to,
    }


def _extension(x: ExtensionRequest, shown: TextFilter) -> dict[str, Any]:
    return {
        "working_days": x.working_days,
        "reason": shown(x.reason),
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
        "summary": summary_for(order, viewer),
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
    """The whole order: list fields, the request, the handling history and the audit trail. Hotline
    staff also get the unit summary and what units read (``unit_view``)."""
    life, shown = order.life, text_filter_for(order, viewer)
    return {
        **summary_json(order, viewer),
        "request_text": content_for(order, viewer).request_text,
        "resolution": shown(life.resolution),
        "replies": [_entry(e, shown) for e in life.replies],
        "contributions": [_entry(e, shown) for e in life.contributions],
        "returns": [_return(r, shown) for r in life.returns],
        "extensions": [_extension(x, shown) for x in life.extensions],
        "callbacks": [
            {"round": a.round, "outcome": a.outcome, "by": a.by, "at": a.at, "note": shown(a.note)}
            for a in life.callback_attempts
        ],
        "annotations": [{"kind": a.kind, **_entry(a.entry, shown)} for a in life.annotations],
        "trail": [_trail_row(t, shown) for t in trail or []],
        "suggestions": _suggestions(order, advisor) if life.status is TicketStatus.DRAFT else None,
        **_hotline_only(order, viewer),
    }


TRAIL_TEXTS = ("text", "reason", "note", "answer", "words")  # the free texts of audit details (events.py)


def _trail_row(row: dict[str, Any], shown: TextFilter) -> dict[str, Any]:
    details = row.get("details")
    if not isinstance(details, dict):
        return row
    texts = {k: shown(v) for k, v in details.items() if k in TRAIL_TEXTS and isinstance(v, str)}
    kept = {k: v for k, v in details.items() if k != "recording"}
    if "recording" in details:  # a survey call's file on the recordings volume: never shown, only whether
        kept["has_recording"] = bool(details["recording"])  # there is one (replay: /api/surveys/…)
    return {**row, "details": {**kept, **texts}}


def _hotline_only(order: WorkOrder, viewer: Actor) -> dict[str, Any]:
    if viewer.role is Role.UNIT_STAFF:
        return {}
    seen = unit_content(order)
    return {
        "unit_summary": order.ticket.unit_summary,
        "unit_view": {"summary": seen.summary, "request_text": seen.request_text},
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
        # names put right by sound in the suggestions (the stored transcript is not changed)
        "corrections": [{"heard": c.heard, "name": c.name} for c in s.corrections],
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
