"""Login, logout and the session middleware: every request carries the acting staff member, if any.

The session is an HttpOnly, SameSite=Strict cookie, ``Secure`` when the browser's connection is HTTPS
(client.py: also behind a trusted TLS proxy). SameSite does not stop a page on another port of the same
host; csrf.py checks the origin of every state-changing request. ``actor_of`` is what every handler calls;
``require_role`` adds the role check.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web

from callcenter.adapters.http.api import MEMBER_KEY, json_response
from callcenter.adapters.http.bodies import json_object
from callcenter.adapters.http.client import is_secure
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInput
from callcenter.staff.model import InvalidCredentials, NotAuthenticated, StaffMember
from callcenter.ticketing.access import require_role as ensure_role
from callcenter.ticketing.actors import Actor, Role

COOKIE = "cc_session"
MAX_FAILURES, LOCKOUT_SECONDS = 5, 900  # per login, per process: slows guessing beyond Argon2's cost


class StaffSessions(Protocol):
    async def authenticate(self, login: str, password: str) -> StaffMember: ...
    async def open_session(self, member: StaffMember, now: Any) -> str: ...
    async def resolve(self, token: str, now: Any) -> StaffMember | None: ...
    async def close_session(self, token: str) -> None: ...


STAFF = web.AppKey("staff", StaffSessions)
CLOCK = web.AppKey("clock", Clock)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class FailedLogins:
    """Recent failures per login; a login with too many is refused for a while without checking."""

    def __init__(self) -> None:
        self._failures: dict[str, list[float]] = {}

    def locked(self, login: str) -> bool:
        recent = [t for t in self._failures.get(login, []) if time.monotonic() - t < LOCKOUT_SECONDS]
        self._failures[login] = recent
        return len(recent) >= MAX_FAILURES

    def record(self, login: str) -> None:
        self._failures.setdefault(login, []).append(time.monotonic())

    def clear(self, login: str) -> None:
        self._failures.pop(login, None)


FAILED_LOGINS = web.AppKey("failed_logins", FailedLogins)


def member_json(member: StaffMember) -> dict[str, Any]:
    return {"id": member.id, "display_name": member.display_name, "role": member.role, "unit": member.unit}


def actor_of(request: web.Request) -> Actor:
    if MEMBER_KEY not in request:
        raise NotAuthenticated("please log in")
    return request[MEMBER_KEY].actor


def require_role(request: web.Request, *roles: Role) -> Actor:
    return ensure_role(actor_of(request), frozenset(roles))


async def json_body(request: web.Request) -> dict[str, Any]:
    """A JSON object body, checked (bodies.py); anything else is a 400 or 415 with a stable code."""
    return await json_object(request)


@web.middleware
async def sessions_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = request.cookies.get(COOKIE)
    if token and len(token) < 128:
        member = await request.app[STAFF].resolve(token, request.app[CLOCK].now())
        if member is not None:
            request[MEMBER_KEY] = member
    return await handler(request)


async def login(request: web.Request) -> web.Response:
    body = await json_body(request)
    name, password = body.get("login"), body.get("password")
    if not isinstance(name, str) or not isinstance(password, str):
        raise InvalidInput("login and password are required")
    failures = request.app[FAILED_LOGINS]
    if failures.locked(name):
        raise InvalidCredentials("too many failed logins; try again later")
    try:
        member = await request.app[STAFF].authenticate(name, password)
    except InvalidCredentials:
        failures.record(name)
        raise
    failures.clear(name)
    token = await request.app[STAFF].open_session(member, request.app[CLOCK].now())
    response = json_response(member_json(member))
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/", secure=is_secure(request))
    return response


async def logout(request: web.Request) -> web.Response:
    token = request.cookies.get(COOKIE)
    if token:
        await request.app[STAFF].close_session(token)
    response = json_response({"ok": True})
    response.del_cookie(COOKIE, path="/")
    return response


async def me(request: web.Request) -> web.Response:
    actor_of(request)
    return json_response(member_json(request[MEMBER_KEY]))


def add_auth_routes(app: web.Application) -> None:
    app.router.add_post("/api/login", login)
    app.router.add_post("/api/logout", logout)
    app.router.add_get("/api/me", me)
