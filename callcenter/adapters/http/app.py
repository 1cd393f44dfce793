"""The aiohttp application factory: routes, error middleware, security headers, static page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
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
from callcenter.adapters.http.errors import domain_errors

STATIC = Path(__file__).resolve().parent / "static"
CSP = "default-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


async def index(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "index.html")


def create_app(read_model: ReadModel, host_path: PathMap, health: HealthProbe) -> web.Application:
    app = web.Application(middlewares=[security_headers, domain_errors], client_max_size=1024**2)
    app[READ_MODEL] = read_model
    app[HOST_PATH] = host_path
    app[HEALTH] = health
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC, show_index=False)
    add_routes(app)
    return app
