"""Staffing (人员排班测算) over HTTP: ``POST /api/staffing`` (JSON in, JSON out) and the report page
``GET /staffing``. For supervisors (班长) and admins; the arithmetic is callcenter/queue/staffing/plan.py.

Body: ``aht_s``, optional ``patience_s`` (adds Erlang A), ``target`` (a share, default 0.95),
``threshold_s`` (default 15), optional ``max_occupancy``; and either ``calls_per_hour`` (one figure) or
``forecast`` (24 hourly figures, ``null`` for an hour not planned). Every value is checked by the domain,
so strings, NaN, huge numbers and odd shapes get a 400 with code ``staffing_invalid``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiohttp import web

from callcenter.adapters.http.api import json_response
from callcenter.adapters.http.app import STATIC
from callcenter.adapters.http.auth import json_body, require_role
from callcenter.core.actors import Role
from callcenter.queue.staffing.plan import (
    HOURS,
    StaffingInputError,
    Target,
    day_of,
    hour_dict,
    hourly_plan,
)

PLANNERS = (Role.SUPERVISOR, Role.ADMIN)


def _target(body: dict[str, Any]) -> Target:
    return Target(body.get("target", 0.95), body.get("threshold_s", 15.0), body.get("max_occupancy"))


def _forecast(body: dict[str, Any]) -> tuple[list[tuple[int, Any]], bool]:
    """The hours to plan, and whether it is a single figure (no hour of the day)."""
    forecast = body.get("forecast")
    if forecast is None:
        if "calls_per_hour" not in body:
            raise StaffingInputError("give calls_per_hour or a forecast of 24 hours", field="forecast")
        return [(0, body["calls_per_hour"])], True
    if not isinstance(forecast, list) or len(forecast) != HOURS:
        raise StaffingInputError(f"forecast must be a list of {HOURS} hourly figures", field="forecast")
    hours = [(hour, calls) for hour, calls in day_of(forecast) if calls is not None]
    if not hours:
        raise StaffingInputError("the forecast has no hour with a figure", field="forecast")
    return hours, False


def _required(body: dict[str, Any], name: str) -> Any:
    if body.get(name) is None:
        raise StaffingInputError(f"{name} is required", field=name)
    return body[name]


async def plan(request: web.Request) -> web.Response:
    require_role(request, *PLANNERS)
    body = await json_body(request)
    target = _target(body)
    hours, single = _forecast(body)
    # up to ~0.35 s of arithmetic for a day at the largest load: off the event loop
    result = await asyncio.to_thread(
        hourly_plan, hours, _required(body, "aht_s"), body.get("patience_s"), target
    )
    rows = [{**hour_dict(p), "hour": None if single else p.hour} for p in result]
    with_patience = body.get("patience_s") is not None
    return json_response(
        {
            "target": {
                "service_level": target.service_level,
                "threshold_s": target.threshold_s,
                "max_occupancy": target.max_occupancy,
            },
            "hours": rows,
            "agent_hours": {
                "erlang_c": sum(p.erlang_c.agents for p in result),
                "erlang_a": sum(p.erlang_a.agents for p in result if p.erlang_a) if with_patience else None,
            },
        }
    )


async def page(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "staffing.html")


def staffing_routes() -> Callable[[web.Application], None]:
    """A route hook for ``WebDeps.extra_routes``."""

    def hook(app: web.Application) -> None:
        app.router.add_post("/api/staffing", plan)
        app.router.add_get("/staffing", page)

    return hook
