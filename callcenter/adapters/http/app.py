"""The aiohttp application factory: routes, error and session middleware, security headers, static pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
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
from callcenter.adapters.http.errors import domain_errors
from callcenter.adapters.http.login_guard import LoginGuard
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
from callcenter.staff.throttle import LoginPolicy
from callcenter.ticketing.service import WorkOrders

STATIC = Path(__file__).resolve().parent / "static"
CSP = (
    "default-src 'self'; media-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RouteHook = Callable[[web.Application], None]


@dataclass(frozen=True, slots=True)
class WebDeps:
    """Everything the web layer talks to; built in the composition root (bootstrap.py) or a test."""

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


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


async def index(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


def create_app(deps: WebDeps, client_max_size: int = 1024**2) -> web.Application:
    app = web.Application(
        middlewares=[security_headers, domain_errors, sessions_middleware], client_max_size=client_max_size
    )
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
