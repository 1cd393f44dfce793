"""Administration: staff accounts (create, reset a password, 停用/启用), login security (counters,
locks) and the work calendar's overrides. Admin role only."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from aiohttp import web

from callcenter.adapters.http.api import json_response
from callcenter.adapters.http.auth import (
    CLOCK,
    LOGIN_GUARD,
    json_body,
    member_json,
    require_role,
    seconds_now,
)
from callcenter.adapters.http.commands import text
from callcenter.adapters.http.params import iso_day
from callcenter.core.actors import Role, StaffId, UnitId
from callcenter.core.errors import InvalidInput, NotFound
from callcenter.core.workcalendar import WorkCalendar
from callcenter.staff.model import StaffMember, check_deactivation


class StaffAdmin(Protocol):
    async def add(self, member: StaffMember, password: str, at: Any, must_change: bool = False) -> None: ...
    async def get(self, staff_id: str) -> StaffMember | None: ...
    async def all(self) -> list[StaffMember]: ...
    async def set_password(self, staff_id: str, password: str, must_change: bool = False) -> None: ...
    async def set_active(self, staff_id: str, active: bool) -> None: ...
    def hash_stats(self) -> dict[str, int]: ...


class CalendarAdmin(Protocol):
    async def load(self) -> dict[date, bool]: ...
    async def entries(self) -> list[dict[str, object]]: ...
    async def calendar(self) -> WorkCalendar: ...
    async def set(self, day: date, workday: bool, note: str, by: str, at: Any) -> None: ...
    async def remove(self, day: date) -> None: ...


class CalendarUser(Protocol):
    def use_calendar(self, calendar: WorkCalendar) -> None: ...


STAFF_ADMIN = web.AppKey("staff_admin", StaffAdmin)
CALENDAR_ADMIN = web.AppKey("calendar_admin", CalendarAdmin)
CALENDAR_USER = web.AppKey("calendar_user", CalendarUser)


def role_of(value: object) -> Role:
    try:
        return Role(str(value))
    except ValueError as exc:
        raise InvalidInput("unknown role", field="role", allowed=[r.value for r in Role]) from exc


def flag(body: dict[str, Any], name: str, default: bool | None = None) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false", field=name)
    return value


async def existing(request: web.Request) -> StaffMember:
    staff_id = request.match_info["staff_id"]
    member = await request.app[STAFF_ADMIN].get(staff_id)
    if member is None:
        raise NotFound("no such account", staff_id=staff_id[:64])
    return member


async def list_staff(request: web.Request) -> web.Response:
    require_role(request, Role.ADMIN)
    members = await request.app[STAFF_ADMIN].all()
    return json_response({"items": [member_json(m) for m in members]})


async def add_staff(request: web.Request) -> web.Response:
    require_role(request, Role.ADMIN)
    body = await json_body(request)
    unit = text(body, "unit").strip()
    member = StaffMember(
        StaffId(text(body, "id").strip()),
        text(body, "display_name"),
        role_of(body.get("role")),
        UnitId(unit) if unit else None,
    )
    must_change = flag(body, "must_change_password", False)
    await request.app[STAFF_ADMIN].add(member, text(body, "password"), request.app[CLOCK].now(), must_change)
    created = await request.app[STAFF_ADMIN].get(member.id)
    return json_response(member_json(created or member), status=201)


async def reset_password(request: web.Request) -> web.Response:
    """A new password ends every session of the account and lifts its login locks; with
    ``must_change_password`` the member must choose their own at the next login."""
    require_role(request, Role.ADMIN)
    body = await json_body(request)
    member = await existing(request)
    must_change = flag(body, "must_change_password", False)
    await request.app[STAFF_ADMIN].set_password(member.id, text(body, "password"), must_change)
    request.app[LOGIN_GUARD].unlock(member.id)
    return json_response({"ok": True})


async def set_active(request: web.Request) -> web.Response:
    """停用/启用: a disabled account cannot log in and its sessions end at once; never one's own."""
    actor = require_role(request, Role.ADMIN)
    body = await json_body(request)
    active = flag(body, "active")
    member = await existing(request)
    if not active:
        check_deactivation(actor, member)
    await request.app[STAFF_ADMIN].set_active(member.id, active)
    return json_response({"id": member.id, "active": active})


async def login_security(request: web.Request) -> web.Response:
    """This process's login guard: counters since start-up and the logins locked now (masked sources)."""
    require_role(request, Role.ADMIN)
    stats = request.app[LOGIN_GUARD].stats(seconds_now(request))
    return json_response({**stats, "hashing": request.app[STAFF_ADMIN].hash_stats()})


async def unlock_login(request: web.Request) -> web.Response:
    """Lift every lock on a login (e.g. a member who mistyped their password at their own desk)."""
    require_role(request, Role.ADMIN)
    return json_response({"unlocked": request.app[LOGIN_GUARD].unlock(request.match_info["login"])})


def day_of(request: web.Request) -> date:
    return iso_day(request.match_info["day"], "day")


async def list_overrides(request: web.Request) -> web.Response:
    require_role(request, Role.ADMIN, Role.SUPERVISOR)
    return json_response({"items": await request.app[CALENDAR_ADMIN].entries()})


async def set_override(request: web.Request) -> web.Response:
    """A day made a working day or a day off (e.g. a typhoon closure); later deadlines use it."""
    actor = require_role(request, Role.ADMIN)
    body = await json_body(request)
    workday = body.get("workday")
    if not isinstance(workday, bool):
        raise InvalidInput("workday must be true or false", field="workday")
    admin, day = request.app[CALENDAR_ADMIN], day_of(request)
    await admin.set(day, workday, text(body, "note"), actor.id, request.app[CLOCK].now())
    request.app[CALENDAR_USER].use_calendar(await admin.calendar())
    return json_response({"day": day.isoformat(), "workday": workday})


async def remove_override(request: web.Request) -> web.Response:
    require_role(request, Role.ADMIN)
    admin = request.app[CALENDAR_ADMIN]
    await admin.remove(day_of(request))
    request.app[CALENDAR_USER].use_calendar(await admin.calendar())
    return json_response({"ok": True})


def admin_routes(staff: StaffAdmin, calendar: CalendarAdmin, user: CalendarUser) -> Any:
    """A route hook for ``WebDeps.extra_routes``."""

    def hook(app: web.Application) -> None:
        app[STAFF_ADMIN] = staff
        app[CALENDAR_ADMIN] = calendar
        app[CALENDAR_USER] = user
        app.router.add_get("/api/admin/staff", list_staff)
        app.router.add_post("/api/admin/staff", add_staff)
        app.router.add_post("/api/admin/staff/{staff_id}/password", reset_password)
        app.router.add_put("/api/admin/staff/{staff_id}/active", set_active)
        app.router.add_get("/api/admin/security", login_security)
        app.router.add_delete("/api/admin/security/locks/{login}", unlock_login)
        app.router.add_get("/api/admin/calendar", list_overrides)
        app.router.add_put("/api/admin/calendar/{day}", set_override)
        app.router.add_delete("/api/admin/calendar/{day}", remove_override)

    return hook
