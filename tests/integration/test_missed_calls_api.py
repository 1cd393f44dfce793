"""The missed-call list over HTTP on a real database: agents read, supervisors and admins retry and cancel;
bad input is refused; hostile numbers stay inert text; the page ships under the app's CSP. The first paths
(/api/callbacks…, /callbacks) still answer for one release, marked deprecated (issue 12)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.missed_calls import SqlMissedCalls
from callcenter.adapters.http.missed_calls import missed_call_routes
from callcenter.core.clock import FixedClock
from callcenter.core.ids import CallId
from callcenter.queue.events import CallerAbandoned
from callcenter.queue.missed_calls.desk import MissedCallDesk
from callcenter.queue.missed_calls.rules import MissedCallPolicy
from callcenter.queue.missed_calls.service import MissedCallFloor
from tests.support.web import START, Web, build_web

POLICY = MissedCallPolicy(max_attempts=2, retry_s=300)


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    store = SqlMissedCalls(engine)
    floor = MissedCallFloor(store, POLICY)
    for n, number in enumerate(["13800138001", "13900139002", "<script>alert(1)</script>"]):
        at = START - timedelta(minutes=10 - n)
        await floor.handle(CallerAbandoned("a", "hotline", f"e{n}", CallId(f"c{n}"), number, 30, 1, at))
    desk = MissedCallDesk(store, FixedClock(START), POLICY)
    return await build_web(aiohttp_client, engine, extra_routes=(missed_call_routes(desk),))


async def items(client: Any, query: str = "") -> list[dict[str, Any]]:
    response = await client.get(f"/api/missed-calls{query}")
    assert response.status == 200, await response.text()
    body: list[dict[str, Any]] = (await response.json())["items"]
    return body


async def test_an_agent_reads_the_list_newest_first_with_filters(web: Web) -> None:
    client = await web.login("agent1")
    listed = await items(client)
    assert [i["state"] for i in listed] == ["not_callable", "pending", "pending"]
    assert listed[0]["citizen_number"] == "<script>alert(1)</script>"  # data, never markup
    assert [i["citizen_number"] for i in await items(client, "?state=pending")] == [
        "13900139002",
        "13800138001",
    ]
    assert len(await items(client, "?date=2026-11-24")) == 3
    assert await items(client, "?date=2026-11-23") == []
    one = await client.get(f"/api/missed-calls/{listed[1]['id']}")
    assert [s["entry_id"] for s in (await one.json())["sources"]] == ["e1"]
    assert (await client.post(f"/api/missed-calls/{listed[1]['id']}/cancel")).status == 403


@pytest.mark.parametrize("query", ["?state=bogus", "?date=24.11.2026", "?limit=0", "?limit=x"])
async def test_bad_filters_are_refused(web: Web, query: str) -> None:
    client = await web.login("supervisor1")
    assert (await client.get(f"/api/missed-calls{query}")).status == 400


async def test_a_supervisor_cancels_and_retries(web: Web) -> None:
    client = await web.login("supervisor1")
    pending = (await items(client, "?state=pending"))[0]
    response = await client.post(f"/api/missed-calls/{pending['id']}/cancel")
    assert response.status == 200
    cancelled = await response.json()
    assert (cancelled["state"], cancelled["closed_by"], cancelled["close_reason"]) == (
        "cancelled",
        "supervisor1",
        "supervisor",
    )
    assert (await client.post(f"/api/missed-calls/{pending['id']}/cancel")).status == 409
    reopened = await (await client.post(f"/api/missed-calls/{pending['id']}/retry")).json()
    assert reopened["state"] == "pending" and reopened["next_attempt_at"] == START.isoformat()
    refused = (await items(client, "?state=not_callable"))[0]
    assert (await client.post(f"/api/missed-calls/{refused['id']}/retry")).status == 409
    assert (await client.post("/api/missed-calls/999/retry")).status == 404
    assert (await client.post("/api/missed-calls/x1/retry")).status == 400


async def test_units_and_anonymous_may_not(web: Web) -> None:
    client = await web.login("unit-a")
    assert (await client.get("/api/missed-calls")).status == 403
    web.client.session.cookie_jar.clear()
    assert (await web.client.get("/api/missed-calls")).status == 401


async def test_the_page_is_served_under_the_csp(web: Web) -> None:
    response = await web.client.get("/missed-calls")
    assert response.status == 200
    page = await response.text()
    assert "漏接回拨" in page and "/static/missed-calls.js" in page and "/static/missed-calls.css" in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    script = await (await web.client.get("/static/missed-calls.js")).text()
    assert "innerHTML" not in script and "textContent" in script
    assert "/api/missed-calls" in script and "/api/callbacks" not in script


async def test_the_old_page_address_moves_permanently_to_the_new_one(web: Web) -> None:
    response = await web.client.get("/callbacks", allow_redirects=False)
    assert response.status == 301 and response.headers["Location"] == "/missed-calls"
    assert (await web.client.get("/static/callbacks.js")).status == 404  # the page's files moved with it


# --- the deprecated paths: the same handlers, marked, for one release ------------------------------------


def deprecated(response: Any, successor: str) -> bool:
    return bool(
        response.headers.get("Deprecation") == "true"
        and response.headers.get("Link") == f'<{successor}>; rel="successor-version"'
    )


async def test_the_old_list_and_detail_paths_answer_the_same_marked_deprecated(web: Web) -> None:
    client = await web.login("agent1")
    old = await client.get("/api/callbacks?state=pending")
    assert old.status == 200 and deprecated(old, "/api/missed-calls")
    new = await client.get("/api/missed-calls?state=pending")
    assert "Deprecation" not in new.headers and "Link" not in new.headers
    assert await old.json() == await new.json()
    first = (await new.json())["items"][0]["id"]
    one = await client.get(f"/api/callbacks/{first}")
    assert deprecated(one, f"/api/missed-calls/{first}")
    assert await one.json() == await (await client.get(f"/api/missed-calls/{first}")).json()


async def test_the_old_command_paths_act_and_errors_are_marked_too(web: Web) -> None:
    client = await web.login("supervisor1")
    pending = (await items(client, "?state=pending"))[0]
    response = await client.post(f"/api/callbacks/{pending['id']}/cancel")
    assert response.status == 200 and deprecated(response, f"/api/missed-calls/{pending['id']}/cancel")
    assert (await response.json())["state"] == "cancelled"
    again = await client.post(f"/api/callbacks/{pending['id']}/cancel")
    assert again.status == 409 and deprecated(again, f"/api/missed-calls/{pending['id']}/cancel")
    retried = await client.post(f"/api/callbacks/{pending['id']}/retry")
    assert retried.status == 200 and (await retried.json())["state"] == "pending"
    missing = await client.post("/api/callbacks/999/retry")
    assert missing.status == 404 and deprecated(missing, "/api/missed-calls/999/retry")
    agent = await web.login("agent1")
    assert (await agent.post(f"/api/callbacks/{pending['id']}/retry")).status == 403


async def test_a_hostile_old_path_is_never_echoed_raw_into_the_link(web: Web) -> None:
    client = await web.login("agent1")
    response = await client.get("/api/callbacks/%0d%0aSet-Cookie:%20x=1")
    assert response.status == 400 and response.headers["Deprecation"] == "true"
    assert "\r" not in response.headers["Link"] and "Set-Cookie" not in response.headers
