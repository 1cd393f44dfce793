"""One middleware maps domain errors to HTTP: status from the error's class, body {code, message, details}.

An API route that fails in an unforeseen way answers a JSON 500 (``internal_error``, nothing of the
exception in it; the log has the trace) rather than aiohttp's plain text page.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from callcenter.adapters.http.refusals import TooManyStreams, UnsupportedMediaType
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
from callcenter.ticketing.errors import AccessDenied, TicketNotVisible

log = logging.getLogger(__name__)

STATUS: dict[type[DomainError], int] = {
    NotAuthenticated: 401,
    UnsupportedMediaType: 415,
    TooManyStreams: 429,
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


def public_body(error: DomainError) -> dict[str, object]:
    """What the client is told. Another unit's order answers exactly as a missing one (ADR 0008): the
    domain's ``ticket_not_visible`` and its unit stay in the logs."""
    if isinstance(error, TicketNotVisible):
        return error_body(NotFound.code, "ticket not found", {"ticket_id": error.details.get("ticket_id")})
    return error_body(error.code, error.message, dict(error.details))


@web.middleware
async def domain_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except DomainError as exc:
        response = web.json_response(public_body(exc), status=status_of(exc))
        if isinstance(exc, TooManyAttempts):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except web.HTTPException as exc:
        if exc.status < 400 or not request.path.startswith("/api/"):
            raise
        return web.json_response(
            error_body(f"http_{exc.status}", exc.reason), status=exc.status, headers=_allow(exc)
        )
    except Exception:
        if not request.path.startswith("/api/") or request.writer.output_size > 0:
            raise  # a page's error, or a stream already under way: aiohttp's own handling
        log.exception("%s %s failed", request.method, request.path)
        return web.json_response(error_body("internal_error", "internal server error"), status=500)


def _allow(exc: web.HTTPException) -> dict[str, str]:
    """A 405 keeps its ``Allow`` header."""
    allow = exc.headers.get("Allow")
    return {"Allow": allow} if allow else {}
