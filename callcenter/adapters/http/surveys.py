"""Automated 回访 over HTTP (issue 14); the rules are in callcenter/ticketing/surveys/desk.py:

* ``GET  /api/surveys/campaign``                today's campaign (agents, supervisors, admins)
* ``POST /api/surveys/campaign/pause``          pause the survey dialer (supervisors, admins)
* ``POST /api/surveys/campaign/resume``         resume it (supervisors, admins)
* ``PUT  /api/surveys/campaign/concurrency``    ``{"channels": n}``: outbound channels, live (supervisors,
  admins)
* ``GET  /api/surveys?state=&date=&limit=``     surveys, newest reply first (``state=manual``: the manual
  list)
* ``GET  /api/surveys/{id}``                    one survey with its calls (time, outcome, key, words,
  reason, whether there is a recording and, for those who may listen, its ``recording_url``)
* ``GET  /api/surveys/{id}/calls/{attempt}/recording.wav``  the call's recording (supervisors, admins)
* ``POST /api/surveys/declines``                ``{"ticket_id": n}``: the order's citizen declined surveys
  (拒绝回访; agents, supervisors, admins)
* ``POST /api/surveys/declines/withdraw``       ``{"ticket_id": n}``: the citizen took it back (the same)
* ``GET  /api/surveys/declines/{ticket_id}``    whether the order's citizen declined (the same)
* ``GET  /api/surveys/coverage?from=&to=``      回访率, 接通率, 满意率 / 基本满意率 / 不满意率 per day
  and unit

No citizen's number is in a path or an answer (a survey names its order; the order's API masks per
viewer). Words and reasons are the citizen's own and may hold numbers, written or spoken (幺三八…): masked
(ticketing/privacy) for all but supervisors and admins (who review calls).

A survey call's recording holds the citizen's voice. Calls' recordings go to the agent who answered and to
the reviewers (staff/call_access.py); nobody on the hotline's side answers a survey call, so its recording
is the reviewers' only (``LISTENERS``): agents and dispatchers, who may read the survey, are refused
(403), handling units see no surveys at all. No file system path leaves the server; the recording's path
is the attempt's stored data, checked by the desk (ticketing/surveys/replay.py) and the recordings port.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from aiohttp import web

from callcenter.adapters.http.api import json_response
from callcenter.adapters.http.auth import json_body, require_role
from callcenter.adapters.http.params import MAX_ID, iso_day, record_id, whole_number
from callcenter.core.actors import CALL_REVIEWERS, Role
from callcenter.core.errors import InvalidInput
from callcenter.core.ids import TicketId
from callcenter.ticketing.privacy.personal_numbers import mask_numbers
from callcenter.ticketing.surveys.desk import DEFAULT_LIMIT, MAX_CHANNELS, MAX_LIMIT, ListQuery, SurveyDesk
from callcenter.ticketing.surveys.figures import Coverage
from callcenter.ticketing.surveys.model import Survey, SurveyAttempt, SurveyId, SurveyState
from callcenter.ticketing.surveys.ports import CampaignSettings
from callcenter.ticketing.surveys.replay import replayable

log = logging.getLogger(__name__)

DESK = web.AppKey("survey_desk", SurveyDesk)
READERS = (Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN)
MANAGERS = (Role.SUPERVISOR, Role.ADMIN)
DECLINERS = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
LISTENERS = tuple(sorted(CALL_REVIEWERS))  # who may hear a survey call: the reviewers (see above)
API = "/api/surveys"


def recording_url(survey_id: int, attempt: int) -> str:
    return f"{API}/{survey_id}/calls/{attempt}/recording.wav"


def attempt_json(s: Survey, a: SurveyAttempt, plain: bool) -> dict[str, Any]:
    """``plain``: the viewer reviews calls — words and reason unmasked, and the recording's URL."""
    shown: Callable[[str], str] = (lambda t: t) if plain else mask_numbers
    has_recording = replayable(s, a)
    return {
        "attempt": a.number,
        "server": a.server,
        "started_at": a.started_at.isoformat(),
        "ended_at": a.ended_at.isoformat() if a.ended_at else None,
        "outcome": a.outcome.value if a.outcome else None,
        "key": a.key,
        "words": shown(a.words),
        "reason": shown(a.reason),
        "has_recording": has_recording,
        "recording_url": recording_url(s.id, a.number) if has_recording and plain and s.id else None,
    }


def survey_json(s: Survey, plain: bool, with_attempts: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": s.id,
        "ticket_id": s.ticket_id,
        "round": s.round,
        "trigger": s.trigger.value,
        "unit": s.unit,
        "concluded_at": s.concluded_at.isoformat(),
        "state": s.state.value,
        "note": s.note,
        "attempts": s.attempts,
        "max_attempts": s.max_attempts,
        "next_attempt_at": s.next_attempt_at.isoformat() if s.next_attempt_at else None,
        "window_end": s.window_end.isoformat(),
        "outcome": s.outcome.value if s.outcome else None,
        "updated_at": s.updated_at.isoformat(),
    }
    if with_attempts:
        body["prompt"] = s.prompt
        body["calls"] = [attempt_json(s, a, plain) for a in s.history]
    return body


def settings_json(s: CampaignSettings) -> dict[str, Any]:
    return {
        "paused": s.paused,
        "channels": s.channels,
        "updated_by": s.updated_by,
        "updated_at": s.updated_at.isoformat() if s.updated_at else None,
    }


def coverage_json(c: Coverage) -> dict[str, Any]:
    return {
        **{k: v for k, v in asdict(c).items() if k != "day"},
        "day": c.day.isoformat(),
        "unit": c.unit or None,
        "survey_rate": c.survey_rate,
        "answer_rate": c.answer_rate,
        "satisfied_rate": c.satisfied_rate,
        "basically_satisfied_rate": c.basically_satisfied_rate,
        "dissatisfied_rate": c.dissatisfied_rate,
    }


def _state(raw: str | None) -> SurveyState | None:
    if not raw:
        return None
    try:
        return SurveyState(raw)
    except ValueError:
        raise InvalidInput(f"unknown survey state {raw[:32]!r}", field="state") from None


async def campaign(request: web.Request) -> web.Response:
    require_role(request, *READERS)
    today = await request.app[DESK].campaign()
    return json_response({**asdict(today), "day": today.day.isoformat()})


async def listing(request: web.Request) -> web.Response:
    actor = require_role(request, *READERS)
    q = request.query
    query = ListQuery(
        state=_state(q.get("state")),
        day=iso_day(q["date"], "date") if q.get("date") else None,
        limit=whole_number(q["limit"], "limit", 1, MAX_LIMIT) if q.get("limit") else DEFAULT_LIMIT,
    )
    items = await request.app[DESK].listing(query)
    plain = actor.role in CALL_REVIEWERS
    return json_response({"items": [survey_json(s, plain, with_attempts=False) for s in items]})


async def one(request: web.Request) -> web.Response:
    actor = require_role(request, *READERS)
    survey = await request.app[DESK].survey(SurveyId(record_id(request.match_info["id"], "id")))
    return json_response(survey_json(survey, actor.role in CALL_REVIEWERS))


def _from_the_start(request: web.Request) -> bool:
    try:
        return request.http_range.start in (None, 0)
    except ValueError:  # a malformed Range: FileResponse answers it (416)
        return False


async def recording(request: web.Request) -> web.StreamResponse:
    """A survey call's recording for replay (回访录音回放); Range requests are served (seeking). The path
    is the attempt's stored data, never the URL's, and never leaves the server."""
    actor = require_role(request, *LISTENERS)
    survey_id = SurveyId(record_id(request.match_info["id"], "id"))
    attempt = record_id(request.match_info["attempt"], "attempt")
    path = await request.app[DESK].recording(survey_id, attempt)
    if _from_the_start(request):  # one line per replay, not per chunk the player seeks to
        log.info("survey_id=%s attempt=%s: recording replayed by %s", survey_id, attempt, actor.id)
    return web.FileResponse(path, headers={"Content-Type": "audio/wav"})


async def coverage(request: web.Request) -> web.Response:
    require_role(request, *READERS)
    q = request.query
    if not q.get("from") or not q.get("to"):
        raise InvalidInput("from and to are required, as YYYY-MM-DD", field="from")
    rows = await request.app[DESK].coverage(iso_day(q["from"], "from"), iso_day(q["to"], "to"))
    return json_response({"items": [coverage_json(r) for r in rows]})


async def pause(request: web.Request) -> web.Response:
    actor = require_role(request, *MANAGERS)
    return json_response(settings_json(await request.app[DESK].pause(actor.id)))


async def resume(request: web.Request) -> web.Response:
    actor = require_role(request, *MANAGERS)
    return json_response(settings_json(await request.app[DESK].resume(actor.id)))


async def concurrency(request: web.Request) -> web.Response:
    actor = require_role(request, *MANAGERS)
    body = await json_body(request)
    channels = body.get("channels")
    if not isinstance(channels, int) or isinstance(channels, bool):
        raise InvalidInput(f"channels must be a whole number 0 to {MAX_CHANNELS}", field="channels")
    return json_response(settings_json(await request.app[DESK].set_channels(channels, actor.id)))


async def _ticket_in_body(request: web.Request) -> int:
    raw = (await json_body(request)).get("ticket_id")
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= MAX_ID:
        raise InvalidInput("ticket_id must be an order's number", field="ticket_id")
    return raw


async def decline(request: web.Request) -> web.Response:
    actor = require_role(request, *DECLINERS)
    ticket = await _ticket_in_body(request)
    await request.app[DESK].decline(TicketId(ticket), actor)
    return json_response({"ticket_id": ticket, "declined": True})


async def withdraw_decline(request: web.Request) -> web.Response:
    actor = require_role(request, *DECLINERS)
    ticket = await _ticket_in_body(request)
    withdrawn = await request.app[DESK].withdraw_decline(TicketId(ticket), actor)
    return json_response({"ticket_id": ticket, "declined": False, "withdrawn": withdrawn})


async def decline_state(request: web.Request) -> web.Response:
    actor = require_role(request, *DECLINERS)
    ticket = record_id(request.match_info["ticket_id"], "ticket_id")
    declined = await request.app[DESK].declined(TicketId(ticket), actor)
    return json_response({"ticket_id": ticket, "declined": declined})


def survey_routes(desk: SurveyDesk) -> Callable[[web.Application], None]:
    """A route hook for ``WebDeps.extra_routes``."""

    def hook(app: web.Application) -> None:
        app[DESK] = desk
        app.router.add_get(API + "/campaign", campaign)
        app.router.add_post(API + "/campaign/pause", pause)
        app.router.add_post(API + "/campaign/resume", resume)
        app.router.add_put(API + "/campaign/concurrency", concurrency)
        app.router.add_get(API + "/coverage", coverage)
        app.router.add_post(API + "/declines", decline)
        app.router.add_post(API + "/declines/withdraw", withdraw_decline)
        app.router.add_get(API + "/declines/{ticket_id}", decline_state)
        app.router.add_get(API, listing)
        app.router.add_get(API + "/{id}", one)
        app.router.add_get(API + "/{id}/calls/{attempt}/recording.wav", recording)

    return hook
