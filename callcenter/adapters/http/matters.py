"""并单 over HTTP: a matter with its orders; linking an order by hand and undoing a wrong merge (ADR 0010).

Hotline staff only: a matter gathers several citizens' orders, possibly of several units.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web

from callcenter.adapters.http.api import json_response, path_id
from callcenter.adapters.http.auth import CLOCK, json_body, require_role
from callcenter.adapters.http.params import MAX_ID
from callcenter.adapters.http.workorders import WORK_ORDERS, ticket_id_of
from callcenter.core.actors import HOTLINE_ROLES
from callcenter.core.errors import InvalidInput
from callcenter.core.ids import TicketId
from callcenter.ticketing.matters.duplicates import MatterId, MatterMatch
from callcenter.ticketing.matters.ports import MatterIndex

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


def matter_routes(store: MatterIndex) -> Any:
    def hook(app: web.Application) -> None:
        app[MATTERS] = store
        app.router.add_get("/api/matters/{matter_id}", get_matter)
        app.router.add_post("/api/workorders/{ticket_id}/matter/link", link)
        app.router.add_post("/api/workorders/{ticket_id}/matter/unlink", unlink)

    return hook
