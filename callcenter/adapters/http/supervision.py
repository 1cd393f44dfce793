"""Supervision (督办) over HTTP: open, list, close; a ticket's deadline alerts (黄牌/红牌).

Supervisors and admins open and close; hotline staff see every supervision; a unit's staff see the
supervisions and alerts of their own orders only (through the order's visibility check), their notes with
personal numbers masked and, on a confidential order, the informant removed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiohttp import web

from callcenter.adapters.http.api import json_response, page, path_id
from callcenter.adapters.http.auth import actor_of, json_body, require_role
from callcenter.adapters.http.commands import text
from callcenter.adapters.http.params import MAX_ID, iso_time
from callcenter.adapters.http.workorders import WORK_ORDERS, enum_of, ticket_id_of
from callcenter.core.actors import HOTLINE_ROLES, Role
from callcenter.core.errors import InvalidInput
from callcenter.core.ids import TicketId
from callcenter.ticketing.orders.views import TextFilter, text_filter_for
from callcenter.ticketing.supervision.ports import AlertLog
from callcenter.ticketing.supervision.rules import (
    Supervision,
    SupervisionId,
    SupervisionKind,
    SupervisionNotFound,
    SupervisionStatus,
)
from callcenter.ticketing.supervision.service import ManualSupervision, Supervisions

SUPERVISIONS = web.AppKey("supervisions", Supervisions)
ALERTS = web.AppKey("alerts", AlertLog)


def supervision_json(s: Supervision, shown: TextFilter = str) -> dict[str, Any]:
    """``shown`` filters the notes for the viewer: a supervisor's note may quote the citizen (views.py)."""
    return {
        "id": s.id,
        "ticket_id": s.ticket_id,
        "matter_id": s.matter_id,
        "kind": s.kind,
        "trigger": s.trigger,
        "status": s.status,
        "note": shown(s.note),
        "due_at": s.due_at,
        "opened_by": s.opened_by,
        "opened_at": s.opened_at,
        "closed_by": s.closed_by,
        "closed_at": s.closed_at,
        "closing_note": None if s.closing_note is None else shown(s.closing_note),
    }


def optional_id(value: object, field: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_ID:
        raise InvalidInput(f"{field} must be a whole number from 1 to {MAX_ID}", field=field)
    return value


def due_of(body: dict[str, Any]) -> datetime | None:
    raw = body.get("due_at")
    if raw in (None, ""):
        return None
    return iso_time(str(raw), "due_at")


async def open_one(request: web.Request) -> web.Response:
    actor = require_role(request, Role.SUPERVISOR, Role.ADMIN)
    body = await json_body(request)
    ticket_id = optional_id(body.get("ticket_id"), "ticket_id")
    kind = body.get("kind")
    wanted = ManualSupervision(
        ticket_id=None if ticket_id is None else TicketId(ticket_id),
        matter_id=optional_id(body.get("matter_id"), "matter_id"),
        kind=None if kind is None else enum_of(SupervisionKind, kind, "kind"),
        note=text(body, "note"),
        due_at=due_of(body),
    )
    stored = await request.app[SUPERVISIONS].open(wanted, actor)
    return json_response(supervision_json(stored), status=201)


async def list_all(request: web.Request) -> web.Response:
    require_role(request, *HOTLINE_ROLES)
    limit, offset = page(request)
    raw = request.query.get("status")
    status = None if not raw else enum_of(SupervisionStatus, raw, "status")
    found = await request.app[SUPERVISIONS].find(status, limit, offset)
    return json_response({"items": [supervision_json(s) for s in found]})


async def of_order(request: web.Request) -> web.Response:
    """The order's supervisions and deadline alerts, for whoever may see the order."""
    actor = actor_of(request)
    ticket_id = ticket_id_of(request)
    order = await request.app[WORK_ORDERS].get(ticket_id, actor)
    shown = text_filter_for(order, actor)
    found = await request.app[SUPERVISIONS].of_order(ticket_id)
    alerts = await request.app[ALERTS].alerts_of(ticket_id)
    return json_response(
        {
            "supervisions": [supervision_json(s, shown) for s in found],
            "alerts": [{"kind": a.kind, "due_at": a.due_at, "raised_at": a.raised_at} for a in alerts],
        }
    )


async def close_one(request: web.Request) -> web.Response:
    actor = require_role(request, Role.SUPERVISOR, Role.ADMIN)
    body = await json_body(request)
    supervision_id = SupervisionId(path_id(request, "supervision_id", SupervisionNotFound))
    closed = await request.app[SUPERVISIONS].close(supervision_id, actor, text(body, "closing_note"))
    return json_response(supervision_json(closed))


def supervision_routes(supervisions: Supervisions, alerts: AlertLog) -> Any:
    """A route hook for ``WebDeps.extra_routes``."""

    def hook(app: web.Application) -> None:
        app[SUPERVISIONS] = supervisions
        app[ALERTS] = alerts
        app.router.add_get("/api/supervisions", list_all)
        app.router.add_post("/api/supervisions", open_one)
        app.router.add_post("/api/supervisions/{supervision_id}/close", close_one)
        app.router.add_get("/api/workorders/{ticket_id}/supervision", of_order)

    return hook
