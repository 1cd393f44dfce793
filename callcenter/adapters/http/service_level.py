"""GET /api/service-level: the live 15-second rate and connection rate (supervisors and admins).

Figures as docs/service-level.md explains them: today (Asia/Shanghai), the rolling 24 hours, per
queue and per hour of today, and whether the wallboard alarm is on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from callcenter.adapters.http.api import json_response
from callcenter.adapters.http.auth import CLOCK, require_role
from callcenter.core.actors import Role
from callcenter.queue.service_level.alarm import AlarmPolicy, at_risk
from callcenter.queue.service_level.ledger import ServiceLevelFigures
from callcenter.queue.service_level.tally import ServiceLevelTally

TALLY = web.AppKey("service_level_tally", ServiceLevelTally)
ALARM = web.AppKey("service_level_alarm", AlarmPolicy)
READERS = (Role.SUPERVISOR, Role.ADMIN)  # 班长/质检 read the floor's figures; no QA role exists yet


def figures_json(figures: ServiceLevelFigures) -> dict[str, Any]:
    return {
        "offered": figures.offered,
        "answered": figures.answered,
        "answered_in_threshold": figures.answered_in_threshold,
        "abandoned": figures.abandoned,
        "short_abandoned": figures.short_abandoned,
        "callback_requested": figures.callback_requested,
        "rate_in_threshold": figures.rate_in_threshold,
        "connection_rate": figures.connection_rate,
        "abandon_rate": figures.abandon_rate,
    }


def _per(groups: Mapping[Any, ServiceLevelFigures]) -> dict[str, Any]:
    return {str(key): figures_json(f) for key, f in groups.items()}


def service_level_json(tally: ServiceLevelTally, alarm: AlarmPolicy, now: Any) -> dict[str, Any]:
    today, rolling = tally.today(now), tally.rolling_24h(now)
    policy = tally.policy
    return {
        "now": now,
        "threshold_s": policy.threshold_seconds,
        "target": policy.target,
        "short_abandon_s": policy.short_abandon_seconds,
        "excluded_queues": sorted(policy.excluded_queues),
        "today": figures_json(today),
        "rolling_24h": figures_json(rolling),
        "by_queue": {
            "today": _per(tally.by_queue(now)),
            "rolling_24h": _per(tally.by_queue(now, rolling=True)),
        },
        "by_hour": _per(tally.by_hour(now)),
        "at_risk": at_risk(rolling, today, alarm),
    }


async def get_service_level(request: web.Request) -> web.Response:
    require_role(request, *READERS)
    return json_response(service_level_json(request.app[TALLY], request.app[ALARM], request.app[CLOCK].now()))


def service_level_routes(tally: ServiceLevelTally, alarm: AlarmPolicy) -> Any:
    """A route hook for ``WebDeps.extra_routes``."""

    def hook(app: web.Application) -> None:
        app[TALLY] = tally
        app[ALARM] = alarm
        app.router.add_get("/api/service-level", get_service_level)

    return hook
