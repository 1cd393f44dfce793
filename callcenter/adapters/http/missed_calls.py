"""The missed-call list over HTTP (漏接回拨); the rules are in callcenter/queue/missed_calls/desk.py:

* ``GET  /api/missed-calls?state=&date=YYYY-MM-DD&limit=``  the list, newest first (agents, supervisors,
  admins)
* ``GET  /api/missed-calls/{id}``                          one request with its attempts and missed entries
* ``POST /api/missed-calls/{id}/retry``                    call again now / reopen (supervisors, admins)
* ``POST /api/missed-calls/{id}/cancel``                   cancel a waiting request (supervisors, admins)
* ``GET  /missed-calls``                                   the Chinese page

The first paths (``/api/callbacks…``) stay for one release as deprecated aliases of the same handlers: their
answers carry ``Deprecation: true`` and a ``Link`` to the successor path; ``/callbacks`` redirects (301) to
``/missed-calls``. ``date`` is a day in Asia/Shanghai. Citizens' numbers are personal data: only hotline
staff read them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from callcenter.adapters.http.api import json_response
from callcenter.adapters.http.auth import require_role
from callcenter.adapters.http.params import iso_day, record_id, whole_number
from callcenter.core.actors import Role
from callcenter.core.errors import InvalidInput
from callcenter.queue.missed_calls.desk import DEFAULT_LIMIT, MAX_LIMIT, ListQuery, MissedCallDesk
from callcenter.queue.missed_calls.rules import (
    Attempt,
    MissedCall,
    MissedCallRequest,
    MissedCallState,
)

STATIC = Path(__file__).resolve().parent / "static"
DESK = web.AppKey("missed_call_desk", MissedCallDesk)
READERS = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
MANAGERS = (Role.SUPERVISOR, Role.ADMIN)
API = "/api/missed-calls"
PAGE = "/missed-calls"
OLD_API = "/api/callbacks"  # deprecated alias, one release (issue 12)
OLD_PAGE = "/callbacks"
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/_.~%-]*")

Command = Callable[[MissedCallDesk, int, str], Awaitable[MissedCallRequest]]


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


def _query(request: web.Request) -> ListQuery:
    q = request.query
    raw_date, raw_limit = q.get("date"), q.get("limit")
    return ListQuery(
        state=_state(q.get("state")),
        day=iso_day(raw_date, "date") if raw_date else None,
        limit=whole_number(raw_limit, "limit", 1, MAX_LIMIT) if raw_limit else DEFAULT_LIMIT,
    )


def _id(request: web.Request) -> int:
    return record_id(request.match_info["id"], "id")


async def list_missed_calls(request: web.Request) -> web.Response:
    require_role(request, *READERS)
    items = await request.app[DESK].listing(_query(request))
    return json_response({"items": [missed_call_json(r) for r in items]})


async def get_missed_call(request: web.Request) -> web.Response:
    require_role(request, *READERS)
    found = await request.app[DESK].detail(_id(request))
    body = missed_call_json(found.request)
    return json_response({**body, "sources": [source_json(m) for m in found.sources]})


def _command(command: Command) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        actor = require_role(request, *MANAGERS)
        missed_call_id = _id(request)
        return json_response(missed_call_json(await command(request.app[DESK], missed_call_id, actor.id)))

    return handler


async def page(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "missed-calls.html")


async def old_page(_request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently(PAGE)


def successor(raw_path: str) -> str | None:
    """The new path of a deprecated ``/api/callbacks…`` path (as sent, percent-encoded), else None. A path
    with anything but plain URL characters is not echoed into the header: the successor is then the list."""
    if raw_path != OLD_API and not raw_path.startswith(OLD_API + "/"):
        return None
    rest = raw_path[len(OLD_API) :]
    return API + rest if _PLAIN_PATH.fullmatch(rest) else API


async def mark_deprecated(request: web.Request, response: web.StreamResponse) -> None:
    """Answers on the old paths (errors too) say they are deprecated and where the successor is."""
    new = successor(request.rel_url.raw_path)
    if new is not None:
        response.headers["Deprecation"] = "true"
        response.headers["Link"] = f'<{new}>; rel="successor-version"'


def missed_call_routes(desk: MissedCallDesk) -> Callable[[web.Application], None]:
    """A route hook for ``WebDeps.extra_routes``."""
    retry = _command(MissedCallDesk.retry)
    cancel = _command(MissedCallDesk.cancel)

    def hook(app: web.Application) -> None:
        app[DESK] = desk
        for base in (API, OLD_API):
            app.router.add_get(base, list_missed_calls)
            app.router.add_get(base + "/{id}", get_missed_call)
            app.router.add_post(base + "/{id}/retry", retry)
            app.router.add_post(base + "/{id}/cancel", cancel)
        app.router.add_get(PAGE, page)
        app.router.add_get(OLD_PAGE, old_page)
        app.on_response_prepare.append(mark_deprecated)

    return hook
