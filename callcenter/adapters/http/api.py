"""Read side of calls and draft tickets: JSON API and recording replay.

Least privilege (staff/call_access.py): a call, its recording and its transcript are shown to the agent who
answered it and to the reviewers (supervisors, admins); to anyone else the call does not exist (404) and
lists hold only their own calls. No response carries a file system path: a call says ``has_recording`` and
``recording_url`` (calljson.py).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from callcenter.adapters.http.calljson import call_json, ticket_json
from callcenter.adapters.http.params import MAX_OFFSET, record_id, whole_number
from callcenter.core.actors import HOTLINE_ROLES, Actor, Role
from callcenter.core.errors import DomainError, InvalidInput, NotFound
from callcenter.staff.call_access import may_see_call, reviews_every_call
from callcenter.staff.model import NotAuthenticated, StaffMember
from callcenter.ticketing.orders.access import require_role

MAX_PAGE = 200


class ReadModel(Protocol):
    async def calls(
        self, limit: int, offset: int, answered_by: str | None = None
    ) -> list[dict[str, Any]]: ...
    async def call(self, call_id: str) -> dict[str, Any] | None: ...
    async def tickets(self, limit: int, offset: int) -> list[dict[str, Any]]: ...
    async def ticket(self, ticket_id: int) -> dict[str, Any] | None: ...


PathMap = Callable[[str], str]
HealthProbe = Callable[[], Awaitable[dict[str, Any]]]

READ_MODEL = web.AppKey("read_model", ReadModel)
HOST_PATH: web.AppKey[PathMap] = web.AppKey("host_path")
HEALTH: web.AppKey[HealthProbe] = web.AppKey("health")


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_response(data: object, status: int = 200) -> web.Response:
    return web.json_response(
        data, status=status, dumps=lambda d: json.dumps(d, default=_json_default, ensure_ascii=False)
    )


MEMBER_KEY = web.RequestKey("member", StaffMember)  # set by the session middleware (auth.py)


def require_hotline_staff(request: web.Request) -> Actor:
    """Calls, recordings and transcripts are for hotline staff — which of them, staff/call_access.py says;
    handling units see work orders only."""
    if MEMBER_KEY not in request:
        raise NotAuthenticated("please log in")
    return require_role(request[MEMBER_KEY].actor, HOTLINE_ROLES)


def path_id(request: web.Request, name: str, error: type[DomainError] = InvalidInput) -> int:
    """A database id from the path: ASCII digits, 1..2³¹-1 (params.py); anything else is ``error``."""
    return record_id(request.match_info[name], name, error)


def page(request: web.Request) -> tuple[int, int]:
    """``limit`` (1..200, default 50) and ``offset`` (0..1,000,000) from the query string."""
    return page_of(request.query)


def page_of(values: Mapping[str, str]) -> tuple[int, int]:
    """``limit`` and ``offset`` from a query string or a POST body's fields."""
    limit = whole_number(values.get("limit", "50"), "limit", 1, MAX_PAGE)
    offset = whole_number(values.get("offset", "0"), "offset", 0, MAX_OFFSET)
    return limit, offset


async def list_calls(request: web.Request) -> web.Response:
    """Newest first; reviewers get every call, anyone else the calls they answered."""
    viewer = require_hotline_staff(request)
    limit, offset = page(request)
    mine = None if reviews_every_call(viewer) else viewer.id
    items = await request.app[READ_MODEL].calls(limit, offset, answered_by=mine)
    return json_response({"items": [call_json(c) for c in items]})


async def visible_call(request: web.Request) -> dict[str, Any]:
    """The call of the path, if the viewer may see it; otherwise 404, as for a call that does not exist."""
    viewer = require_hotline_staff(request)
    call_id = request.match_info["call_id"]
    call = await request.app[READ_MODEL].call(call_id)
    if call is None or not may_see_call(viewer, call.get("answered_by")):
        raise NotFound(f"no call {call_id}", call_id=call_id)
    return call


async def get_call(request: web.Request) -> web.Response:
    return json_response(call_json(await visible_call(request)))


async def list_tickets(request: web.Request) -> web.Response:
    require_hotline_staff(request)
    limit, offset = page(request)
    return json_response({"items": await request.app[READ_MODEL].tickets(limit, offset)})


async def get_ticket(request: web.Request) -> web.Response:
    """The draft ticket; its call's transcript only for those who may see the call (else ``null`` and
    ``transcript_restricted``): the request text the agent registers from is part of the ticket itself."""
    viewer = require_hotline_staff(request)
    ticket_id = path_id(request, "ticket_id")
    read = request.app[READ_MODEL]
    ticket = await read.ticket(ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}", ticket_id=ticket_id)
    call = await read.call(ticket["call_id"]) if ticket.get("call_id") else None
    shown = call is not None and may_see_call(viewer, call.get("answered_by"))
    return json_response(ticket_json(ticket, transcript_shown=shown))


async def recording(request: web.Request) -> web.StreamResponse:
    """The call's mixed recording for replay (质检回放), for those who may see the call. The path comes
    from the database, never the URL, and never leaves the server."""
    call = await visible_call(request)
    call_id = call["call_id"]
    if not call.get("recording_mixed"):
        raise NotFound(f"no recording for call {call_id}", call_id=call_id)
    path = Path(request.app[HOST_PATH](call["recording_mixed"]))
    if not call.get("recording_complete") or not await asyncio.to_thread(path.is_file):
        raise NotFound(f"recording of call {call_id} is not available", call_id=call_id)
    return web.FileResponse(path, headers={"Content-Type": "audio/wav"})


HEALTH_READERS = frozenset({Role.SUPERVISOR, Role.ADMIN})  # who sees which part is down, and the backlog


async def health(request: web.Request) -> web.Response:
    """200 ``{"ok": true}`` or 503 ``{"ok": false}`` for anybody (a load balancer, the compose healthcheck,
    the desk's status line); which part is down (AMI servers, database, Redis, the ASR backlog) only for
    supervisors and admins — to others it maps the installation."""
    status = await request.app[HEALTH]()
    ok = bool(status.get("ok"))
    member = request.get(MEMBER_KEY)
    shown = status if member is not None and member.role in HEALTH_READERS else {"ok": ok}
    return json_response(shown, status=200 if ok else 503)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/calls", list_calls)
    app.router.add_get("/api/calls/{call_id}", get_call)
    app.router.add_get("/api/calls/{call_id}/recording.wav", recording)
    app.router.add_get("/api/tickets", list_tickets)
    app.router.add_get("/api/tickets/{ticket_id}", get_ticket)
    app.router.add_get("/api/health", health)
