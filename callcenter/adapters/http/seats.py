"""Seat phones' SIP secrets (坐席话机密码) for admins: list the seats, rotate one seat's secret.

The secret itself is shown once, in the answer to the rotation (never listed, never logged); the phone
configured with it registers at once, and with ``remove_existing`` its registration evicts whatever was
registered on that seat with the old secret (asterisk_conf/pjsip.conf).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from aiohttp import web

from callcenter.adapters.asterisk.seats import SeatSecretInfo
from callcenter.adapters.http.api import json_response
from callcenter.adapters.http.auth import CLOCK, require_role
from callcenter.core.actors import Role
from callcenter.core.errors import TelephonyUnavailable


class SeatSecretAdmin(Protocol):
    async def listing(self) -> list[SeatSecretInfo]: ...
    async def rotate(self, seat: str, by: str, at: datetime) -> str: ...


SEAT_SECRETS = web.AppKey("seat_secrets", SeatSecretAdmin)


def _store(request: web.Request) -> SeatSecretAdmin:
    store = request.app.get(SEAT_SECRETS)
    if store is None:
        raise TelephonyUnavailable("no seat secrets file here (seats_db)")
    return store


async def list_seats(request: web.Request) -> web.Response:
    require_role(request, Role.ADMIN)
    items = await _store(request).listing()
    return json_response(
        {"items": [{"seat": i.seat, "rotated_at": i.rotated_at, "rotated_by": i.rotated_by} for i in items]}
    )


async def rotate_secret(request: web.Request) -> web.Response:
    actor = require_role(request, Role.ADMIN)
    seat, now = request.match_info["seat"], request.app[CLOCK].now()
    secret = await _store(request).rotate(seat, actor.id, now)
    response = json_response({"seat": seat, "secret": secret, "rotated_at": now.isoformat()})
    response.headers["Cache-Control"] = "no-store"
    return response


def seat_routes(store: SeatSecretAdmin | None) -> Any:
    """A route hook for ``WebDeps.extra_routes``; without a seat secrets file the routes answer 503."""

    def hook(app: web.Application) -> None:
        if store is not None:
            app[SEAT_SECRETS] = store
        app.router.add_get("/api/admin/seats", list_seats)
        app.router.add_post("/api/admin/seats/{seat}/secret", rotate_secret)

    return hook
