"""One SIP secret per seat phone (issue 11, item 9): the seat secrets file, and the real Asterisk reading it.

Before, every seat phone shared one password, so a softphone configured as another seat (``remove_existing``)
took over that seat and its citizens' calls. Now each seat registers only with its own secret, an admin
rotates a secret through the API and the old one stops working at the phone's next request.
"""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.adapters.asterisk.seats import SeatSecrets
from callcenter.core.errors import NotFound
from tests.support.sip import SipClient

REFUSED = (401, 403)
AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def registers(asterisk: AsteriskInstance, seat: str, secret: str) -> int:
    """REGISTER ``seat`` with ``secret``; a registration that worked is removed again (shared instance)."""
    with SipClient(asterisk.settings.sip_port) as sip:
        status = sip.register(seat, secret)
        if status == 200:
            sip.register(seat, secret, expires=0)
        return status


# --- the file --------------------------------------------------------------------------------------------


def test_every_seat_gets_its_own_secret_once_and_keeps_it(tmp_path: Path) -> None:
    secrets_file = SeatSecrets(tmp_path / "seats.sqlite3")

    assert secrets_file.ensure(["agent1001", "agent1002"]) == ["agent1001", "agent1002"]
    first = {seat: secrets_file.secret(seat) for seat in ("agent1001", "agent1002")}
    assert secrets_file.ensure(["agent1001", "agent1002", "agent1003"]) == ["agent1003"]

    assert {seat: secrets_file.secret(seat) for seat in first} == first  # never regenerated
    assert len({*first.values(), secrets_file.secret("agent1003")}) == 3
    assert all(len(s) >= 24 for s in first.values())
    assert stat.S_IMODE((tmp_path / "seats.sqlite3").stat().st_mode) == 0o640


def test_a_rotation_changes_one_seat_and_is_listed_without_the_secret(tmp_path: Path) -> None:
    secrets_file = SeatSecrets(tmp_path / "seats.sqlite3")
    secrets_file.ensure(["agent1001", "agent1002"])
    other = secrets_file.secret("agent1002")

    new = secrets_file.rotate("agent1001", "admin", AT)

    assert secrets_file.secret("agent1001") == new and secrets_file.secret("agent1002") == other
    listed = secrets_file.listing()
    assert [(i.seat, i.rotated_at, i.rotated_by) for i in listed] == [
        ("agent1001", AT.isoformat(), "admin"),
        ("agent1002", None, None),
    ]
    with pytest.raises(NotFound):
        secrets_file.rotate("agent9999", "admin", AT)


def test_seats_that_are_gone_lose_their_secret(tmp_path: Path) -> None:
    secrets_file = SeatSecrets(tmp_path / "seats.sqlite3")
    secrets_file.ensure(["agent1001", "agent1002"])
    secrets_file.ensure(["agent1001"])
    with pytest.raises(NotFound):
        secrets_file.secret("agent1002")


# --- the real Asterisk -----------------------------------------------------------------------------------


@pytest.mark.asterisk
def test_a_seat_registers_only_with_its_own_secret(asterisk: AsteriskInstance) -> None:
    assert registers(asterisk, "agent1001", asterisk.seat_secret("agent1002")) in REFUSED
    assert registers(asterisk, "agent1002", asterisk.seat_secret("agent1001")) in REFUSED
    assert registers(asterisk, "agent1001", asterisk.seat_secret("agent1001")) == 200


@pytest.mark.asterisk
@pytest.mark.usefixtures("redis_streams_cleanup")
async def test_an_admin_rotates_a_seat_secret_and_the_old_one_stops_at_once(
    asterisk: AsteriskInstance, start_hotline: Any
) -> None:
    running = await start_hotline(asr_workers=0, missed_call_enabled=0)
    old = asterisk.seat_secret("agent1004")
    listed = await running.get("/api/admin/seats")
    assert [i["seat"] for i in listed["items"]] == list(asterisk.settings.agents)
    assert old not in str(listed)

    response = await running.client.post("/api/admin/seats/agent1004/secret")
    assert response.status == 200, await response.text()
    rotated = await response.json()

    assert response.headers["Cache-Control"] == "no-store"
    assert rotated["seat"] == "agent1004" and rotated["secret"] != old
    assert asterisk.seat_secret("agent1004") == rotated["secret"]
    # No reload: Asterisk reads the file on the next REGISTER.
    assert registers(asterisk, "agent1004", old) in REFUSED
    assert registers(asterisk, "agent1004", rotated["secret"]) == 200
    unknown = await running.client.post("/api/admin/seats/agent9999/secret")
    assert unknown.status == 404


@pytest.mark.asterisk
@pytest.mark.usefixtures("redis_streams_cleanup")
async def test_only_an_admin_sees_or_rotates_seat_secrets(
    asterisk: AsteriskInstance, start_hotline: Any
) -> None:
    running = await start_hotline(asr_workers=0, missed_call_enabled=0)
    client = running.client
    agent = {"id": "agent-x", "display_name": "话务员X", "role": "agent", "password": "quiet-harbor-7193"}
    assert (await client.post("/api/admin/staff", json=agent)).status == 201
    client.session.cookie_jar.clear()
    assert (
        await client.post("/api/login", json={"login": "agent-x", "password": agent["password"]})
    ).status == 200
    before = asterisk.seat_secret("agent1003")

    assert (await client.get("/api/admin/seats")).status == 403
    assert (await client.post("/api/admin/seats/agent1003/secret")).status == 403
    assert asterisk.seat_secret("agent1003") == before
