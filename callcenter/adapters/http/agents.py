"""Agent sessions over HTTP (坐席签入/示忙/示闲/签出).

An agent acts for themselves only (the session is the logged-in staff member's own):

* ``POST   /api/agent/session``         {seat, skills, server?}  签入 (again: change skills)
* ``POST   /api/agent/session/pause``   {reason}                  示忙
* ``POST   /api/agent/session/resume``                            示闲
* ``DELETE /api/agent/session``                                   签出
* ``GET    /api/agent/session``                                   the session and the seat's live state

Supervisors (班长) and admins: ``GET /api/agents`` (every seat with its activity and since) and
``POST /api/agents/{staff}/logout`` (a forced logout, even in the middle of a call).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from callcenter.adapters.http.api import json_response
from callcenter.adapters.http.auth import json_body, require_role
from callcenter.core.actors import Role, StaffId
from callcenter.core.errors import InvalidInput
from callcenter.queue.seats.agent_session import (
    AgentSession,
    LogIn,
    LogOut,
    Pause,
    Resume,
    parse_reason,
    parse_skills,
    seat_interface,
)
from callcenter.queue.seats.agents import SeatState
from callcenter.queue.seats.sessions import AgentSessions

SESSIONS = web.AppKey("agent_sessions", AgentSessions)
SEAT_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)  # who may sit at a seat and take calls
FLOOR_ROLES = (Role.SUPERVISOR, Role.ADMIN)  # who sees every seat and may log an agent out
STAFF_ID_MAX = 64


def session_json(session: AgentSession | None, seat: SeatState | None) -> dict[str, Any]:
    if session is None:
        return {"logged_in": False}
    return {
        "logged_in": True,
        "staff": session.staff,
        "server": session.server,
        "seat": session.seat,
        "skills": list(session.skills),
        "since": session.since.isoformat(),
        "seat_state": seat_state_json(seat) if seat is not None else None,
    }


def seat_state_json(seat: SeatState) -> dict[str, Any]:
    return {
        "server": seat.server,
        "seat": seat.interface,
        "staff": seat.name,
        "queues": list(seat.queues),
        "activity": seat.activity.value,
        "pause_reason": seat.pause_reason,
        "since": seat.since.isoformat(),
    }


async def _reply(request: web.Request, staff: StaffId) -> web.Response:
    session, seat = await request.app[SESSIONS].view(staff)
    return json_response(session_json(session, seat))


async def log_in(request: web.Request) -> web.Response:
    actor = require_role(request, *SEAT_ROLES)
    body = await json_body(request)
    sessions = request.app[SESSIONS]
    server = body.get("server", sessions.servers[0])
    if not isinstance(server, str):
        raise InvalidInput("server must be a text", field="server")
    cmd = LogIn(actor.id, server, seat_interface(body.get("seat")), parse_skills(body.get("skills")))
    await sessions.log_in(cmd)
    return await _reply(request, actor.id)


async def pause(request: web.Request) -> web.Response:
    actor = require_role(request, *SEAT_ROLES)
    body = await json_body(request)
    await request.app[SESSIONS].pause(Pause(actor.id, parse_reason(body.get("reason"))))
    return await _reply(request, actor.id)


async def resume(request: web.Request) -> web.Response:
    actor = require_role(request, *SEAT_ROLES)
    await request.app[SESSIONS].resume(Resume(actor.id))
    return await _reply(request, actor.id)


async def log_out(request: web.Request) -> web.Response:
    actor = require_role(request, *SEAT_ROLES)
    await request.app[SESSIONS].log_out(LogOut(actor.id))
    return json_response({"logged_in": False})


async def my_session(request: web.Request) -> web.Response:
    actor = require_role(request, *SEAT_ROLES)
    return await _reply(request, actor.id)


async def all_seats(request: web.Request) -> web.Response:
    require_role(request, *FLOOR_ROLES)
    seats = await request.app[SESSIONS].seats()
    return json_response({"items": [seat_state_json(s) for s in seats]})


async def force_log_out(request: web.Request) -> web.Response:
    require_role(request, *FLOOR_ROLES)
    staff = request.match_info["staff"]
    if not 0 < len(staff) <= STAFF_ID_MAX:
        raise InvalidInput("bad staff id", field="staff")
    await request.app[SESSIONS].log_out(LogOut(StaffId(staff), forced=True))
    return json_response({"staff": staff, "logged_in": False})


def add_agent_routes(app: web.Application, sessions: AgentSessions) -> None:
    app[SESSIONS] = sessions
    app.router.add_post("/api/agent/session", log_in)
    app.router.add_post("/api/agent/session/pause", pause)
    app.router.add_post("/api/agent/session/resume", resume)
    app.router.add_delete("/api/agent/session", log_out)
    app.router.add_get("/api/agent/session", my_session)
    app.router.add_get("/api/agents", all_seats)
    app.router.add_post("/api/agents/{staff}/logout", force_log_out)


def agent_routes(sessions: AgentSessions) -> Any:
    """A route hook for ``WebDeps.extra_routes``."""
    return lambda app: add_agent_routes(app, sessions)
