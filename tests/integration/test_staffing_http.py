"""POST /api/staffing and the page GET /staffing through the app as bootstrap builds it: supervisors and
admins plan one figure or a day; other roles are refused; hostile input gets a 400 with its code."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.http.app import STATIC
from callcenter.adapters.http.staffing import staffing_routes
from tests.support.web import Web, build_web

DAY = [
    0,
    0,
    0,
    0,
    0,
    0,
    20,
    120,
    300,
    1200,
    900,
    700,
    400,
    600,
    800,
    700,
    600,
    500,
    300,
    200,
    120,
    60,
    30,
    None,
]


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    return await build_web(aiohttp_client, engine, extra_routes=(staffing_routes(),))


async def plan(web: Web, user: str, body: object, status: int = 200) -> Any:
    client = await web.login(user)
    response = await client.post("/api/staffing", json=body)
    assert response.status == status, await response.text()
    return await response.json()


async def test_a_supervisor_staffs_one_hour_by_both_models(web: Web) -> None:
    body = {"calls_per_hour": 1200, "aht_s": 300, "patience_s": 120, "target": 0.95, "threshold_s": 15}
    result = await plan(web, "supervisor1", body)
    (hour,) = result["hours"]
    assert hour["hour"] is None and hour["calls"] == 1200
    assert hour["erlang_c"]["agents"] == 115 and hour["erlang_c"]["service_level"] >= 0.95
    assert hour["erlang_a"]["agents"] == 110 and 0 < hour["erlang_a"]["abandon_rate"] < 0.05
    assert result["agent_hours"] == {"erlang_c": 115, "erlang_a": 110}
    assert result["target"] == {"service_level": 0.95, "threshold_s": 15.0, "max_occupancy": None}


async def test_an_admin_plans_a_day_with_an_occupancy_cap(web: Web) -> None:
    body = {"forecast": DAY, "aht_s": 300, "max_occupancy": 0.85}
    result = await plan(web, "admin", body)
    hours = result["hours"]
    assert [h["hour"] for h in hours] == list(range(23))  # hour 23 left blank: not planned
    assert hours[0]["erlang_c"]["agents"] == 0 and hours[9]["erlang_c"]["agents"] == 118
    assert all(h["erlang_a"] is None and h["erlang_c"]["occupancy"] <= 0.85 for h in hours)
    assert result["agent_hours"] == {
        "erlang_c": sum(h["erlang_c"]["agents"] for h in hours),
        "erlang_a": None,
    }


@pytest.mark.parametrize("user", ["agent1", "dispatcher1", "unit-a"])
async def test_other_roles_may_not(web: Web, user: str) -> None:
    result = await plan(web, user, {"calls_per_hour": 100, "aht_s": 300}, status=403)
    assert result["code"] == "role_forbidden"


async def test_anonymous_may_not(web: Web) -> None:
    response = await web.client.post("/api/staffing", json={"calls_per_hour": 100, "aht_s": 300})
    assert response.status == 401


HOSTILE: list[tuple[object, str]] = [
    ({"calls_per_hour": "1200", "aht_s": 300}, "calls_per_hour"),
    ({"calls_per_hour": 1200, "aht_s": "<script>alert(1)</script>"}, "aht_s"),
    ({"calls_per_hour": 1200}, "aht_s"),
    ({"calls_per_hour": 1200, "aht_s": 0}, "aht_s"),
    ({"calls_per_hour": -1, "aht_s": 300}, "calls_per_hour"),
    ({"calls_per_hour": 10**400, "aht_s": 300}, "calls_per_hour"),
    ({"calls_per_hour": 1e308, "aht_s": 300}, "calls_per_hour"),
    ({"calls_per_hour": True, "aht_s": 300}, "calls_per_hour"),
    ({"calls_per_hour": [1, 2], "aht_s": 300}, "calls_per_hour"),
    ({"calls_per_hour": {"$gt": 1}, "aht_s": 300}, "calls_per_hour"),
    ({"calls_per_hour": 100, "aht_s": 300, "patience_s": -5}, "patience_s"),
    ({"calls_per_hour": 100, "aht_s": 300, "target": 95}, "target"),
    ({"calls_per_hour": 100, "aht_s": 300, "threshold_s": "15"}, "threshold_s"),
    ({"calls_per_hour": 100, "aht_s": 300, "max_occupancy": 0.0}, "max_occupancy"),
    ({"aht_s": 300}, "forecast"),
    ({"forecast": [100] * 23, "aht_s": 300}, "forecast"),
    ({"forecast": [100] * 10_000, "aht_s": 300}, "forecast"),
    ({"forecast": "100,200", "aht_s": 300}, "forecast"),
    ({"forecast": [None] * 24, "aht_s": 300}, "forecast"),
    ({"forecast": [*[100] * 23, "x"], "aht_s": 300}, "calls_per_hour"),
]


@pytest.mark.parametrize(("body", "field"), HOSTILE)
async def test_hostile_input_is_a_400_naming_the_field(web: Web, body: object, field: str) -> None:
    result = await plan(web, "supervisor1", body, status=400)
    assert (result["code"], result["details"]["field"]) == ("staffing_invalid", field)


@pytest.mark.parametrize(
    "raw", ['{"calls_per_hour": NaN, "aht_s": 300}', '{"calls_per_hour": 1e999, "aht_s": 300}']
)
async def test_nan_and_infinity_in_the_json_text_are_refused(web: Web, raw: str) -> None:
    client = await web.login("supervisor1")
    response = await client.post("/api/staffing", data=raw, headers={"Content-Type": "application/json"})
    assert response.status == 400
    assert (await response.json())["code"] == "staffing_invalid"


@pytest.mark.parametrize(
    ("data", "code"), [("[1, 2]", "invalid_input"), ("{not json", "invalid_input"), ("null", "invalid_input")]
)
async def test_bodies_that_are_not_objects_are_refused(web: Web, data: str, code: str) -> None:
    client = await web.login("supervisor1")
    response = await client.post("/api/staffing", data=data, headers={"Content-Type": "application/json"})
    assert response.status == 400 and (await response.json())["code"] == code


async def test_a_target_beyond_reach_is_a_400_not_a_long_search(web: Web) -> None:
    body = {"calls_per_hour": 72_000, "aht_s": 250, "target": 0.999, "threshold_s": 0, "max_occupancy": 0.3}
    result = await plan(web, "supervisor1", body, status=400)
    assert result["code"] == "staffing_unreachable"


async def test_the_page_is_served_under_the_strict_csp_without_inline_script(web: Web) -> None:
    response = await web.client.get("/staffing")
    assert response.status == 200 and "default-src 'self'" in response.headers["Content-Security-Policy"]
    html = await response.text()
    assert "人员排班测算" in html and 'src="/static/staffing.js"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "style=" not in html
    assert not re.search(r"\son[a-z]+=", html)
    script = (STATIC / "staffing.js").read_text("utf-8")
    for forbidden in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
    ):
        assert forbidden not in script
    assert (await web.client.get("/static/staffing.css")).status == 200
