"""Read side of calls and draft tickets: JSON API and recording replay for quality inspectors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from callcenter.adapters.http.params import MAX_OFFSET, record_id, whole_number
from callcenter.core.errors import DomainError, InvalidInput, NotFound
from callcenter.staff.model import NotAuthenticated, StaffMember
from callcenter.ticketing.access import require_role
from callcenter.ticketing.actors import HOTLINE_ROLES, Role

MAX_PAGE = 200


class ReadModel(Protocol):
    async def calls(self, limit: int, offset: int) -> list[dict[str, Any]]: ...
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


def require_hotline_staff(request: web.Request) -> None:
    """Calls, recordings and transcripts are for hotline staff (agents, dispatchers, supervisors and
    quality inspectors working as supervisors); handling units see work orders only."""
    if MEMBER_KEY not in request:
        raise NotAuthenticated("please log in")
    require_role(request[MEMBER_KEY].actor, HOTLINE_ROLES)


def path_id(request: web.Request, name: str, error: type[DomainError] = InvalidInput) -> int:
    """A database id from the path: ASCII digits, 1..2³¹-1 (params.py); anything else is ``error``."""
    return record_id(request.match_info[name], name, error)


def page(request: web.Request) -> tuple[int, int]:
    """``limit`` (1..200, default 50) and ``offset`` (0..1,000,000) from the query string."""
    limit = whole_number(request.query.get("limit", "50"), "limit", 1, MAX_PAGE)
    offset = whole_number(request.query.get("offset", "0"), "offset", 0, MAX_OFFSET)
    return limit, offset


async def list_calls(request: web.Request) -> web.Response:
    require_hotline_staff(request)
    limit, offset = page(request)
    return json_response({"items": await request.app[READ_MODEL].calls(limit, offset)})


async def get_call(request: web.Request) -> web.Response:
    require_hotline_staff(request)
    call_id = request.match_info["call_id"]
    call = await request.app[READ_MODEL].call(call_id)
    if call is None:
        raise NotFound(f"no call {call_id}", call_id=call_id)
    return json_response(call)


async def list_tickets(request: web.Request) -> web.Response:
    require_hotline_staff(request)
    limit, offset = page(request)
    return json_response({"items": await request.app[READ_MODEL].tickets(limit, offset)})


async def get_ticket(request: web.Request) -> web.Response:
    require_hotline_staff(request)
    ticket_id = path_id(request, "ticket_id")
    ticket = await request.app[READ_MODEL].ticket(ticket_id)
    if ticket is None:
        raise NotFound(f"no ticket {ticket_id}", ticket_id=ticket_id)
    return json_response(ticket)


async def recording(request: web.Request) -> web.StreamResponse:
    """The call's mixed recording for replay (质检回放). Paths come from the database, never the URL."""
    require_hotline_staff(request)
    call_id = request.match_info["call_id"]
    call = await request.app[READ_MODEL].call(call_id)
    if call is None or not call.get("recording_mixed"):
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
