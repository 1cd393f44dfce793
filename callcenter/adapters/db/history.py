"""The handling history of a work order (replies, contributions, returns, extensions, callbacks,
annotations) as one JSON document on the ticket row. Times as ISO 8601 with offset (UTC)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from callcenter.core.actors import StaffId, UnitId
from callcenter.ticketing.orders.record import (
    Annotation,
    AnnotationKind,
    CallbackAttempt,
    CallbackOutcome,
    Entry,
    ExtensionRequest,
    ExtensionStatus,
    ReturnOutcome,
    ReturnRecord,
    TicketLifecycle,
)
from callcenter.ticketing.states import TicketStatus

Json = dict[str, Any]


def _t(at: datetime) -> str:
    return at.isoformat()


def _entry(e: Entry) -> Json:
    return {"by": e.by, "at": _t(e.at), "text": e.text, "unit": e.unit}


def _entry_back(d: Json) -> Entry:
    unit = UnitId(d["unit"]) if d.get("unit") else None
    return Entry(StaffId(d["by"]), datetime.fromisoformat(d["at"]), d["text"], unit)


def _return(r: ReturnRecord) -> Json:
    return {
        "unit": r.unit,
        "reason": r.reason,
        "by": r.by,
        "at": _t(r.at),
        "from_status": r.from_status.value,
        "outcome": r.outcome.value,
        "reassigned_to": r.reassigned_to,
    }


def _return_back(d: Json) -> ReturnRecord:
    to = UnitId(d["reassigned_to"]) if d.get("reassigned_to") else None
    return ReturnRecord(
        UnitId(d["unit"]),
        d["reason"],
        StaffId(d["by"]),
        datetime.fromisoformat(d["at"]),
        TicketStatus(d["from_status"]),
        ReturnOutcome(d["outcome"]),
        to,
    )


def _extension(x: ExtensionRequest) -> Json:
    return {
        "working_days": x.working_days,
        "reason": x.reason,
        "by": x.by,
        "at": _t(x.at),
        "status": x.status.value,
        "approved_days": x.approved_days,
    }


def _extension_back(d: Json) -> ExtensionRequest:
    return ExtensionRequest(
        d["working_days"],
        d["reason"],
        StaffId(d["by"]),
        datetime.fromisoformat(d["at"]),
        ExtensionStatus(d["status"]),
        d["approved_days"],
    )


def _callback(a: CallbackAttempt) -> Json:
    return {"round": a.round, "outcome": a.outcome.value, "by": a.by, "at": _t(a.at), "note": a.note}


def _callback_back(d: Json) -> CallbackAttempt:
    return CallbackAttempt(
        d["round"],
        CallbackOutcome(d["outcome"]),
        StaffId(d["by"]),
        datetime.fromisoformat(d["at"]),
        d["note"],
    )


def _annotation(a: Annotation) -> Json:
    return {"kind": a.kind.value, **_entry(a.entry)}


def _annotation_back(d: Json) -> Annotation:
    return Annotation(AnnotationKind(d["kind"]), _entry_back(d))


def history_to_json(life: TicketLifecycle) -> Json:
    return {
        "replies": [_entry(e) for e in life.replies],
        "contributions": [_entry(e) for e in life.contributions],
        "returns": [_return(r) for r in life.returns],
        "extensions": [_extension(x) for x in life.extensions],
        "callbacks": [_callback(a) for a in life.callback_attempts],
        "annotations": [_annotation(a) for a in life.annotations],
    }


def history_from_json(life: TicketLifecycle, data: Json | None) -> TicketLifecycle:
    """``life`` with its history restored; a draft stored before issue 4 has none (``None``)."""
    d = data or {}
    return replace(
        life,
        replies=tuple(_entry_back(e) for e in d.get("replies", [])),
        contributions=tuple(_entry_back(e) for e in d.get("contributions", [])),
        returns=tuple(_return_back(r) for r in d.get("returns", [])),
        extensions=tuple(_extension_back(x) for x in d.get("extensions", [])),
        callback_attempts=tuple(_callback_back(a) for a in d.get("callbacks", [])),
        annotations=tuple(_annotation_back(a) for a in d.get("annotations", [])),
    )
