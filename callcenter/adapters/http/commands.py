"""Commands from JSON bodies: ``POST /api/workorders/{id}/actions/{action}`` with ``{"version": N, …}``.

Only the fields a command takes are read; wrong types are ``InvalidInput`` before anything is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from callcenter.core.actors import UnitId
from callcenter.core.errors import InvalidInput, NotFound
from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders.record import CallbackOutcome
from callcenter.ticketing.orders.workorder import MAX_TEXT_CHARS

Body = Mapping[str, Any]


def text(body: Body, field: str) -> str:
    value = body.get(field, "")
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    if len(value) > MAX_TEXT_CHARS:
        raise InvalidInput(f"{field} is longer than {MAX_TEXT_CHARS} characters", field=field)
    return value


MAX_WHOLE = 2**31 - 1  # versions and counts are 32-bit INTEGER columns


def whole(body: Body, field: str, required: bool = True) -> int | None:
    value = body.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not -MAX_WHOLE <= value <= MAX_WHOLE:
        raise InvalidInput(f"{field} must be a whole number (at most {MAX_WHOLE})", field=field)
    return value


def unit(body: Body, field: str = "lead_unit") -> UnitId:
    value = text(body, field).strip()
    if not value:
        raise InvalidInput(f"{field} is required", field=field)
    return UnitId(value)


def units(body: Body, field: str = "assisting_units") -> tuple[UnitId, ...]:
    value = body.get(field, [])
    if not isinstance(value, list) or not all(isinstance(u, str) and u.strip() for u in value):
        raise InvalidInput(f"{field} must be a list of unit codes", field=field)
    if len(value) > 20:
        raise InvalidInput("at most 20 assisting units", field=field)
    return tuple(UnitId(u.strip()) for u in value)


def outcome(body: Body) -> CallbackOutcome:
    try:
        return CallbackOutcome(str(body.get("outcome")))
    except ValueError as exc:
        raise InvalidInput("outcome must be satisfied, dissatisfied or unreachable", field="outcome") from exc


def expected_version(body: Body) -> int:
    version = whole(body, "version")
    assert version is not None
    return version


PARSERS: Mapping[str, Callable[[Body], c.Command]] = {
    "resolve_on_call": lambda b: c.ResolveOnCall(text(b, "answer")),
    "dispatch": lambda b: c.DispatchTicket(unit(b), units(b)),
    "acknowledge": lambda b: c.AcknowledgeTicket(),
    "start_handling": lambda b: c.StartHandling(),
    "contribute": lambda b: c.RecordContribution(text(b, "text")),
    "reply": lambda b: c.ReplyTicket(text(b, "text")),
    "return": lambda b: c.ReturnTicket(text(b, "reason")),
    "reassign": lambda b: c.ReassignTicket(unit(b), units(b)),
    "reject_return": lambda b: c.RejectReturn(text(b, "reason")),
    "request_extension": lambda b: c.RequestExtension(whole(b, "working_days") or 0, text(b, "reason")),
    "approve_extension": lambda b: c.ApproveExtension(whole(b, "working_days", required=False)),
    "reject_extension": lambda b: c.RejectExtension(text(b, "reason")),
    "schedule_callback": lambda b: c.ScheduleCallbackSurvey(),
    "callback": lambda b: c.RecordCallback(outcome(b), text(b, "note")),
    "reopen": lambda b: c.ReopenTicket(text(b, "reason")),
    "supervise": lambda b: c.SuperviseTicket(text(b, "note")),
    "review": lambda b: c.ReviewTicket(text(b, "note")),
    "assess": lambda b: c.AssessTicket(text(b, "note")),
}


def command_from(action: str, body: Body) -> c.Command:
    parser = PARSERS.get(action)
    if parser is None:
        raise NotFound(f"no action {action!r}", action=action, known=sorted(PARSERS))
    return parser(body)
