"""Login, logout, the member's own password change and the session middleware: every request carries
the acting staff member, if any.

The session is an HttpOnly, SameSite=Strict cookie, ``Secure`` when the browser's connection is HTTPS
(client.py: also behind a trusted TLS proxy). SameSite does not stop a page on another port of the same
host; csrf.py checks the origin of every state-changing request. ``actor_of`` is what every handler calls;
``require_role`` adds the role check.

A login is checked in this order, cheapest first: the body's size and the fields' lengths and shape
(400, nothing stored), the source address's token bucket (429), a lock on this login from this address
(429), then Argon2 (bounded concurrency, in the staff directory). See docs/accounts.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiohttp import web

from callcenter.adapters.http.api import MEMBER_KEY, json_response
from callcenter.adapters.http.bodies import json_object
from callcenter.adapters.http.client import client_address, is_secure
from callcenter.adapters.http.login_guard import LoginGuard
from callcenter.core.actors import Actor, Role
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInput
from callcenter.staff.model import (
    MAX_LOGIN_CHARS,
    InvalidCredentials,
    NotAuthenticated,
    PasswordChangeRequired,
    StaffMember,
    WrongPassword,
    check_login,
)
from callcenter.staff.passwords import (
    MAX_PASSWORD_CHARS,
    MESSAGES,
    PasswordReason,
    WeakPassword,
    check_password,
)
from callcenter.ticketing.orders.access import require_role as ensure_role

COOKIE = "cc_session"
MAX_CREDENTIALS_BODY = 4096  # bytes: a login or password-change body is two short fields
# What a member whose password must change may still call (everything else answers 403).
BEFORE_PASSWORD_CHANGE = frozenset(
    {"/api/me", "/api/me/password", "/api/login", "/api/logout", "/api/health"}
)


class StaffSessions(Protocol):
    async def authenticate(self, login: str, password: str) -> StaffMember: ...
    async def open_session(self, member: StaffMember, now: Any) -> str: ...
    async def resolve(self, token: str, now: Any) -> StaffMember | None: ...
    async def close_session(self, token: str) -> None: ...
    async def change_password(self, staff_id: str, password: str, keep_token: str) -> None: ...


STAFF = web.AppKey("staff", StaffSessions)
CLOCK = web.AppKey("clock", Clock)
LOGIN_GUARD = web.AppKey("login_guard", LoginGuard)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def seconds_now(request: web.Request) -> float:
    """The app clock in seconds, for the login guard (a test's fixed clock moves it)."""
    return request.app[CLOCK].now().timestamp()


def member_json(member: StaffMember) -> dict[str, Any]:
    return {
        "id": member.id,
        "display_name": member.display_name,
        "role": member.role,
        "unit": member.unit,
        "active": member.active,
        "must_change_password": member.must_change_password,
    }


def actor_of(request: web.Request) -> Actor:
    if MEMBER_KEY not in request:
        raise NotAuthenticated("please log in")
    return request[MEMBER_KEY].actor


def require_role(request: web.Request, *roles: Role) -> Actor:
    return ensure_role(actor_of(request), frozenset(roles))


async def json_body(request: web.Request) -> dict[str, Any]:
    """A JSON object body, checked (bodies.py); anything else is a 400 or 415 with a stable code."""
    return await json_object(request)


async def credentials_body(request: web.Request) -> dict[str, Any]:
    """A login or password-change body: small, JSON, an object; read before anything else happens."""
    if request.content_length is not None and request.content_length > MAX_CREDENTIALS_BODY:
        raise InvalidInput("the body is too large", limit=MAX_CREDENTIALS_BODY)
    return await json_body(request)


def password_field(body: dict[str, Any], name: str) -> str:
    """A password field: a string of at most ``MAX_PASSWORD_CHARS`` (longer ones are never hashed)."""
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidInput(f"{name} is required", field=name)
    if len(value) > MAX_PASSWORD_CHARS:
        raise InvalidInput(f"{name} has at most {MAX_PASSWORD_CHARS} characters", field=name)
    return value


def login_field(body: dict[str, Any]) -> str:
    """The login: the shape of every account's login (2-64 of a-z 0-9 . _ -); anything else is refused
    here, before the guard's tables or the database see it."""
    value = body.get("login")
    if not isinstance(value, str) or not value:
        raise InvalidInput("login is required", field="login")
    if len(value) > MAX_LOGIN_CHARS:
        raise InvalidInput(f"login has at most {MAX_LOGIN_CHARS} characters", field="login")
    check_login(value)
    return value


@web.middleware
async def sessions_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = request.cookies.get(COOKIE)
    if token and len(token) < 128:
        member = await request.app[STAFF].resolve(token, request.app[CLOCK].now())
        if member is not None:
            request[MEMBER_KEY] = member
            _check_password_changed(request, member)
    return await handler(request)


def _check_password_changed(request: web.Request, member: StaffMember) -> None:
    path = request.path
    if member.must_change_password and path.startswith("/api/") and path not in BEFORE_PASSWORD_CHANGE:
        raise PasswordChangeRequired("change your password first (POST /api/me/password)")


async def login(request: web.Request) -> web.Response:
    body = await credentials_body(request)
    name, password = login_field(body), password_field(body, "password")
    guard, source = request.app[LOGIN_GUARD], client_address(request)
    guard.admit(name, source, seconds_now(request))
    try:
        member = await request.app[STAFF].authenticate(name, password)
    except InvalidCredentials:
        guard.failed(name, source, seconds_now(request))
        raise
    guard.succeeded(name, source, seconds_now(request))
    token = await request.app[STAFF].open_session(member, request.app[CLOCK].now())
    response = json_response(member_json(member))
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/", secure=is_secure(request))
    return response


async def change_password(request: web.Request) -> web.Response:
    """修改密码: the current password (checked like a login: rate-limited, counted, locked), a new one
    that passes the strength rule; every other session of the member ends, this one stays."""
    actor = actor_of(request)
    body = await credentials_body(request)
    current, new = password_field(body, "current"), password_field(body, "new")
    check_password(new, actor.id, field="new")
    guard, source = request.app[LOGIN_GUARD], client_address(request)
    guard.admit(actor.id, source, seconds_now(request))
    try:
        await request.app[STAFF].authenticate(actor.id, current)
    except InvalidCredentials as exc:
        guard.failed(actor.id, source, seconds_now(request))
        raise WrongPassword("the current password is wrong", field="current") from exc
    guard.succeeded(actor.id, source, seconds_now(request))
    if new == current:
        same = PasswordReason.SAME_AS_CURRENT
        raise WeakPassword(MESSAGES[same], field="new", reason=same.value)
    await request.app[STAFF].change_password(actor.id, new, request.cookies[COOKIE])
    return json_response({"ok": True})


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
    app.router.add_post("/api/me/password", change_password)
