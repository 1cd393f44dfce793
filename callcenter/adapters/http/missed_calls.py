"""The callback list over HTTP (漏接回拨):

* ``GET  /api/callbacks?state=&date=YYYY-MM-DD&limit=``  the list, newest first (agents, supervisors, admins)
* ``GET  /api/callbacks/{id}``                          one request with its attempts and missed entries
* ``POST /api/callbacks/{id}/retry``                    call again now / reopen (supervisors, admins)
* ``POST /api/callbacks/{id}/cancel``                   cancel a waiting request (supervisors, admins)
* ``GET  /callbacks``                                   the Chinese page

``date`` is a day in Asia/Shanghai. Citizens' numbers are personal data: only hotline staff read them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web

from callcenter.adapters.db.missed_calls import SqlMissedCalls
from callcenter.adapters.http.api import json_response
from callcenter.adapters.http.auth import CLOCK, require_role
from callcenter.adapters.http.params import iso_day, record_id, whole_number
from callcenter.core.actors import Role
from callcenter.core.clock import SHANGHAI
from callcenter.core.errors import InvalidInput, NotFound
from callcenter.queue.missed_calls.rules import (
    Attempt,
    CloseReason,
    MissedCall,
    MissedCallPolicy,
    MissedCallRequest,
    MissedCallState,
)
from callcenter.queue.missed_calls.service import apply
from callcenter.queue.missed_calls.steps import cancel, retry_now

STATIC = Path(__file__).resolve().parent / "static"
STORE = web.AppKey("missed_call_store", SqlMissedCalls)
POLICY = web.AppKey("missed_call_policy", MissedCallPolicy)
READERS = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
MANAGERS = (Role.SUPERVISOR, Role.ADMIN)
MAX_LIMIT = 500


def attempt_json(a: Attempt) -> dict[str, Any]:
    return {
        "attempt": a.number,
        "server": a.server,
        "started_at": a.started_at.isoformat(),
        "ended_at": a.ended_at.isoformat() if a.ended_at else None,
        "outcome": a.outcome.value if a.outcome else None,
        "reason_code": a.reason_code,
        "agent": a.agent,
    }


def missed_call_json(r: MissedCallRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "citizen_number": r.citizen_number,
        "reason": r.reason.value,
        "server": r.server,
        "queue": r.queue,
        "created_at": r.created_at.isoformat(),
        "updated_at": r.updated_at.isoformat(),
        "state": r.state.value,
        "attempts": r.attempts,
        "max_attempts": r.max_attempts,
        "next_attempt_at": r.next_attempt_at.isoformat() if r.next_attempt_at else None,
        "misses": r.misses,
        "last_missed_at": r.last_missed_at.isoformat(),
        "outcome": r.outcome.value if r.outcome else None,
        "agent": r.agent,
        "closed_by": r.closed_by,
        "close_reason": r.close_reason,
        "history": [attempt_json(a) for a in r.history],
    }


def source_json(m: MissedCall) -> dict[str, Any]:
    return {
        "server": m.server,
        "entry_id": m.entry_id,
        "queue": m.queue,
        "reason": m.reason.value,
        "call_id": m.call_id,
        "at": m.at.isoformat(),
    }


def _state(raw: str | None) -> MissedCallState | None:
    if not raw:
        return None
    try:
        return MissedCallState(raw)
    except ValueError:
        raise InvalidInput(f"unknown missed-call state {raw[:32]!r}", field="state") from None


def _day(raw: str | None) -> tuple[datetime | None, datetime | None]:
    if not raw:
        return None, None
    start = datetime.combine(iso_day(raw, "date"), time(0), SHANGHAI)
    return start, start + timedelta(days=1)


def _limit(raw: str | None) -> int:
    return whole_number(raw, "limit", 1, MAX_LIMIT) if raw else 200


def _id(request: web.Request) -> int:
    return record_id(request.match_info["id"], "id")


async def list_missed_calls(request: web.Request) -> web.Response:
    require_role(request, *READERS)
    q = request.query
    since, until = _day(q.get("date"))
    items = await request.app[STORE].listing(_state(q.get("state")), since, until, _limit(q.get("limit")))
    return json_response({"items": [missed_call_json(r) for r in items]})


async def _found(request: web.Request) -> MissedCallRequest:
    missed_call_id = _id(request)
    found = await request.app[STORE].get(missed_call_id)
    if found is None:
        raise NotFound(f"missed call {missed_call_id} not found", missed_call_id=missed_call_id)
    return found


async def get_missed_call(request: web.Request) -> web.Response:
    require_role(request, *READERS)
    found = await _found(request)
    assert found.id is not None
    sources = await request.app[STORE].sources(found.id)
    return json_response({**missed_call_json(found), "sources": [source_json(m) for m in sources]})


def _command(
    step: Callable[[web.Request, MissedCallRequest, str], MissedCallRequest],
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        actor = require_role(request, *MANAGERS)
        found = await _found(request)
        done = await apply(request.app[STORE], found, lambda r: step(request, r, actor.id))
        return json_response(missed_call_json(done))

    return handler


def _retry(request: web.Request, r: MissedCallRequest, by: str) -> MissedCallRequest:
    return retry_now(r, by, request.app[CLOCK].now(), request.app[POLICY])


def _cancel(request: web.Request, r: MissedCallRequest, by: str) -> MissedCallRequest:
    return cancel(r, by, CloseReason.SUPERVISOR, request.app[CLOCK].now())


async def page(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "callbacks.html")


def missed_call_routes(store: SqlMissedCalls, policy: MissedCallPolicy) -> Callable[[web.Application], None]:
    """A route hook for ``WebDeps.extra_routes``."""

    def hook(app: web.Application) -> None:
        app[STORE] = store
        app[POLICY] = policy
        app.router.add_get("/api/callbacks", list_missed_calls)
        app.router.add_get("/api/callbacks/{id}", get_missed_call)
        app.router.add_post("/api/callbacks/{id}/retry", _command(_retry))
        app.router.add_post("/api/callbacks/{id}/cancel", _command(_cancel))
        app.router.add_get("/callbacks", page)

    return hook
