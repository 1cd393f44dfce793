"""并单 over HTTP: a matter with its orders; linking an order by hand and undoing a wrong merge (ADR 0010);
the lead unit's one reply (回单) for a matter.

A matter gathers several citizens' orders, possibly of several units: viewing and linking are for hotline
staff only. A unit replies to a matter it leads orders of (``POST /api/matters/{id}/reply``), or sees what
its reply to one order would conclude (``GET /api/workorders/{id}/matter/reply``); a reply to one order
through the ordinary action concludes the matter's other open orders too (workorders.py).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web

from callcenter.adapters.http.api import json_response, path_id
from callcenter.adapters.http.auth import CLOCK, actor_of, json_body, require_role
from callcenter.adapters.http.commands import text
from callcenter.adapters.http.params import MAX_ID
from callcenter.adapters.http.workorders import (
    MATTER_ANSWERS,
    WORK_ORDERS,
    matter_outcome_json,
    ticket_id_of,
)
from callcenter.core.actors import HOTLINE_ROLES, Role
from callcenter.core.errors import InvalidInput
from callcenter.core.ids import TicketId
from callcenter.ticketing.matters.answers import MatterAnswers
from callcenter.ticketing.matters.duplicates import MatterId, MatterMatch
from callcenter.ticketing.matters.ports import MatterIndex
from callcenter.ticketing.orders import commands as c

MATTERS = web.AppKey("matters", MatterIndex)


async def get_matter(request: web.Request) -> web.Response:
    require_role(request, *HOTLINE_ROLES)
    store = request.app[MATTERS]
    matter = await store.matter(MatterId(path_id(request, "matter_id")))
    tickets = await store.tickets_of(matter.id)
    return json_response({**asdict(matter), "tickets": [asdict(t) for t in tickets]})


async def link(request: web.Request) -> web.Response:
    """并单 by hand: this order joins the matter of ``ticket_id`` (or opens one with it)."""
    actor = require_role(request, *HOTLINE_ROLES)
    body = await json_body(request)
    other = body.get("ticket_id")
    if not isinstance(other, int) or isinstance(other, bool) or not 1 <= other <= MAX_ID:
        raise InvalidInput("ticket_id must be the number of the order it repeats", field="ticket_id")
    ticket_id = ticket_id_of(request)
    for each in (ticket_id, TicketId(other)):
        await request.app[WORK_ORDERS].get(each, actor)
    match = MatterMatch(TicketId(other), None, 1.0)
    linked = await request.app[MATTERS].link(ticket_id, match, request.app[CLOCK].now(), actor.id)
    return json_response(asdict(linked))


async def unlink(request: web.Request) -> web.Response:
    """解除并单: a wrong merge undone; the order stands on its own again."""
    actor = require_role(request, *HOTLINE_ROLES)
    ticket_id = ticket_id_of(request)
    await request.app[WORK_ORDERS].get(ticket_id, actor)
    done = await request.app[MATTERS].unlink(ticket_id, actor.id, request.app[CLOCK].now())
    return json_response(asdict(done))


async def reply_preview(request: web.Request) -> web.Response:
    """What a 回单 on this order would conclude now: the orders of its matter the unit would answer."""
    actor = actor_of(request)
    outcome = await request.app[MATTER_ANSWERS].preview(ticket_id_of(request), actor)
    return json_response(matter_outcome_json(outcome))


async def reply_matter(request: web.Request) -> web.Response:
    """回单 on the matter itself: ``{text}``; every open order of it that the unit leads is replied."""
    actor = require_role(request, Role.UNIT_STAFF)
    reply = c.ReplyTicket(text(await json_body(request), "text"))
    matter_id = MatterId(path_id(request, "matter_id"))
    outcome = await request.app[MATTER_ANSWERS].reply_matter(matter_id, reply, actor)
    return json_response(matter_outcome_json(outcome))


def matter_routes(store: MatterIndex, answers: MatterAnswers) -> Any:
    def hook(app: web.Application) -> None:
        app[MATTERS] = store
        app[MATTER_ANSWERS] = answers
        app.router.add_get("/api/workorders/{ticket_id}/matter/reply", reply_preview)
        app.router.add_post("/api/matters/{matter_id}/reply", reply_matter)
        app.router.add_get("/api/matters/{matter_id}", get_matter)
        app.router.add_post("/api/workorders/{ticket_id}/matter/link", link)
        app.router.add_post("/api/workorders/{ticket_id}/matter/unlink", unlink)

    return hook
