"""One middleware maps domain errors to HTTP: status from the error's class, body {code, message, details}."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from callcenter.core.errors import (
    ConcurrentUpdate,
    DomainError,
    InvalidInput,
    InvalidTransition,
    NotFound,
    QueueUnavailable,
    TelephonyUnavailable,
    TooManyAttempts,
)
from callcenter.staff.model import NotAuthenticated
from callcenter.ticketing.errors import AccessDenied

log = logging.getLogger(__name__)

STATUS: dict[type[DomainError], int] = {
    NotAuthenticated: 401,
    NotFound: 404,  # includes TicketNotVisible: another unit's order looks like no order at all
    AccessDenied: 403,
    InvalidInput: 400,
    InvalidTransition: 409,
    ConcurrentUpdate: 409,
    TelephonyUnavailable: 503,
    QueueUnavailable: 503,
    TooManyAttempts: 429,
}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def status_of(error: DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 422


def error_body(code: str, message: str, details: object = None) -> dict[str, object]:
    return {"code": code, "message": message, "details": details or {}}


@web.middleware
async def domain_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as exc:
        response = web.json_response(
            error_body(exc.code, exc.message, dict(exc.details)), status=status_of(exc)
        )
        if isinstance(exc, TooManyAttempts):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/api/"):
            raise
        return web.json_response(error_body(f"http_{exc.status}", exc.reason), status=exc.status)
