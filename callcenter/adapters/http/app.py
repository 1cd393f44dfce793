"""The aiohttp application factory: routes, error, same-origin and session middleware, security headers,
static pages.

Middlewares, outermost first: domain errors → JSON (errors.py); no NUL in the URL (params.py); the
same-origin and content-type door of state-changing requests (csrf.py), before the session is looked up;
the session. Security headers are set
on every response by ``on_response_prepare`` (headers.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

from callcenter.adapters.http.api import (
    HEALTH,
    HOST_PATH,
    READ_MODEL,
    HealthProbe,
    PathMap,
    ReadModel,
    add_routes,
)
from callcenter.adapters.http.auth import (
    CLOCK,
    LOGIN_GUARD,
    STAFF,
    StaffSessions,
    add_auth_routes,
    sessions_middleware,
)
from callcenter.adapters.http.client import TRUSTED_PROXIES
from callcenter.adapters.http.csrf import same_origin_writes
from callcenter.adapters.http.errors import domain_errors
from callcenter.adapters.http.headers import add_security_headers
from callcenter.adapters.http.login_guard import LoginGuard
from callcenter.adapters.http.params import plain_urls
from callcenter.adapters.http.streams import DEFAULT_PER_SESSION, SESSION_STREAMS, SessionStreams
from callcenter.adapters.http.workorders import (
    AUDIT_TRAIL,
    ORDER_QUERIES,
    ORDERS_CLOCK,
    WORK_ORDERS,
    AuditTrail,
    OrderQueries,
    add_work_order_routes,
)
from callcenter.core.clock import Clock
from callcenter.core.proxies import NO_PROXIES, TrustedProxies
from callcenter.staff.throttle import LoginPolicy
from callcenter.ticketing.orders.service import WorkOrders

STATIC = Path(__file__).resolve().parent / "static"

RouteHook = Callable[[web.Application], None]


@dataclass(frozen=True, slots=True)
class WebDeps:
    """Everything the web layer talks to; built in the composition root (wiring/app.py) or a test."""

    read_model: ReadModel
    host_path: PathMap
    health: HealthProbe
    staff: StaffSessions
    clock: Clock
    work_orders: WorkOrders
    order_queries: OrderQueries
    audit_trail: AuditTrail
    extra_routes: Sequence[RouteHook] = field(default_factory=tuple)  # inbox, attachments, catalogue …
    login_policy: LoginPolicy = field(default_factory=LoginPolicy)  # per-address rate, failed-login locks
    trusted_proxies: TrustedProxies = NO_PROXIES  # whose X-Forwarded-* headers are believed (client.py)
    streams_per_session: int = DEFAULT_PER_SESSION  # live streams (SSE) one login may hold (streams.py)


async def index(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


def create_app(deps: WebDeps, client_max_size: int = 1024**2) -> web.Application:
    app = web.Application(
        middlewares=[domain_errors, plain_urls, same_origin_writes, sessions_middleware],
        client_max_size=client_max_size,
    )
    add_security_headers(app)
    app[TRUSTED_PROXIES] = deps.trusted_proxies
    app[SESSION_STREAMS] = SessionStreams(deps.streams_per_session)
    app[READ_MODEL] = deps.read_model
    app[HOST_PATH] = deps.host_path
    app[HEALTH] = deps.health
    app[STAFF] = deps.staff
    app[CLOCK] = deps.clock
    app[LOGIN_GUARD] = LoginGuard(deps.login_policy)
    app[WORK_ORDERS] = deps.work_orders
    app[ORDER_QUERIES] = deps.order_queries
    app[AUDIT_TRAIL] = deps.audit_trail
    app[ORDERS_CLOCK] = deps.clock
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC, show_index=False)
    add_routes(app)
    add_auth_routes(app)
    add_work_order_routes(app)
    for hook in deps.extra_routes:
        hook(app)
    return app
