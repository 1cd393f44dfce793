"""Automated 回访 over HTTP (issue 14) on SQLite and PostgreSQL: today's campaign, the list and a survey's
calls, pause/resume and live concurrency (supervisors only), coverage figures; no citizen's number in
any path or answer, the citizen's words masked for those who do not review calls."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from aiohttp.web import Application
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.survey_campaign import SqlSurveyCampaign
from callcenter.adapters.db.surveys import SqlSurveys
from callcenter.adapters.http.surveys import survey_routes
from callcenter.adapters.http.workorders import WORK_ORDERS
from callcenter.core.clock import FixedClock
from callcenter.ticketing.surveys.desk import SurveyDesk
from callcenter.ticketing.surveys.model import AttemptOutcome
from callcenter.ticketing.surveys.policy import SurveyPolicy
from callcenter.ticketing.surveys.ports import SurveyAnswer
from callcenter.wiring.surveys import build_surveys
from tests.support.survey_dialer import FakeLiveCalls, FakeSurveyDialer
from tests.support.web import START, Web, build_web

POLICY = SurveyPolicy(first_delay_minutes=0)
CITIZEN = "13800138000"
ORDER = {
    "request_text": "王府井大街的垃圾三天没有清运了，请尽快处理。",
    "summary": "王府井大街垃圾清运问题",
    "caller_number": CITIZEN,
    "citizen": {"name": "王女士", "phone": CITIZEN},
    "category_code": "0501",
    "address": "王府井大街",
    "urgency": "normal",
    "request_type": "request",
    "dispatch": {"lead_unit": "jianguomen"},
}


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    store, control = SqlSurveys(engine), SqlSurveyCampaign(engine)
    clock = FixedClock(START + timedelta(hours=1))

    def surveys(app: Application) -> None:  # the desk over the app's own work-order service
        survey_routes(SurveyDesk(store, store, control, clock, POLICY, control, app[WORK_ORDERS]))(app)

    return await build_web(aiohttp_client, engine, extra_routes=(surveys,))


async def call(web: Web, user: str, method: str, url: str, status: int = 200, **kw: Any) -> Any:
    client = await web.login(user)
    response = await client.request(method, url, **kw)
    data = await response.json()
    assert response.status == status, data
    return data


async def replied_order(web: Web) -> dict[str, Any]:
    order = await call(web, "agent1", "POST", "/api/workorders", json=ORDER)
    for action, body in (("acknowledge", {}), ("start_handling", {}), ("reply", {"text": "已安排清运。"})):
        order = await call(
            web,
            "unit-a",
            "POST",
            f"/api/workorders/{order['id']}/actions/{action}",
            json={"version": order["version"], **body},
        )
    return order  # type: ignore[no-any-return]


async def test_supervisors_pause_resume_and_change_concurrency_live(web: Web) -> None:
    paused = await call(web, "supervisor1", "POST", "/api/surveys/campaign/pause")
    assert (paused["paused"], paused["updated_by"]) == (True, "supervisor1")
    today = await call(web, "agent1", "GET", "/api/surveys/campaign")
    assert (today["paused"], today["channels"], today["day"]) == (True, POLICY.channels, "2026-11-24")
    assert (await call(web, "admin", "POST", "/api/surveys/campaign/resume"))["paused"] is False
    changed = await call(
        web, "supervisor1", "PUT", "/api/surveys/campaign/concurrency", json={"channels": 12}
    )
    assert (changed["channels"], changed["paused"]) == (12, False)
    await call(web, "agent1", "POST", "/api/surveys/campaign/pause", status=403)
    await call(web, "unit-a", "GET", "/api/surveys/campaign", status=403)
    for bad in ({"channels": -1}, {"channels": 1000}, {"channels": "4"}, {"channels": True}, {}):
        refused = await call(
            web, "supervisor1", "PUT", "/api/surveys/campaign/concurrency", status=400, json=bad
        )
        assert refused["code"] == "invalid_input"


async def test_a_survey_and_its_calls_and_the_figures(web: Web, engine: AsyncEngine) -> None:
    dialer = FakeSurveyDialer(
        AttemptOutcome.NO_ANSWER,
        SurveyAnswer(
            AttemptOutcome.DISSATISFIED,
            key="3",
            words="不满意，打13900139000",
            recording="/rec/a.wav",
            reason="还没清运，打13900139000找我，或者幺三七零零幺三七零零幺",
        ),
    )
    parts = build_surveys(engine, web.service, web.clock, POLICY, dialer, live=FakeLiveCalls())
    assert parts.campaign is not None
    order = await replied_order(web)
    await parts.campaign.run_once()
    await parts.campaign.settle()
    web.clock.set(START + timedelta(hours=1))
    await parts.campaign.run_once()
    await parts.campaign.settle()

    listed = await call(web, "agent1", "GET", "/api/surveys?state=done&date=2026-11-24")
    (item,) = listed["items"]
    assert (item["ticket_id"], item["outcome"], item["unit"], item["attempts"]) == (
        order["id"],
        "dissatisfied",
        "jianguomen",
        2,
    )
    as_agent = await call(web, "agent1", "GET", f"/api/surveys/{item['id']}")
    assert [c["outcome"] for c in as_agent["calls"]] == ["no_answer", "dissatisfied"]
    assert as_agent["calls"][1]["key"] == "3" and "/rec/a.wav" not in str(as_agent)  # no path, ever
    assert (as_agent["calls"][1]["has_recording"], as_agent["calls"][1]["recording_url"]) == (False, None)
    assert "13900139000" not in str(as_agent) and CITIZEN not in str(as_agent)
    assert "幺三七零零幺三七零零幺" not in str(as_agent) and as_agent["calls"][1]["reason"].startswith(
        "还没清运"
    )
    as_supervisor = await call(web, "supervisor1", "GET", f"/api/surveys/{item['id']}")
    assert as_supervisor["calls"][1]["reason"] == "还没清运，打13900139000找我，或者幺三七零零幺三七零零幺"

    today = await call(web, "supervisor1", "GET", "/api/surveys/campaign")
    assert {k: today[k] for k in ("placed", "answered", "dissatisfied", "unreachable", "due")} == {
        "placed": 2, "answered": 1, "dissatisfied": 1, "unreachable": 1, "due": 0,
    }  # fmt: skip
    figures = await call(web, "supervisor1", "GET", "/api/surveys/coverage?from=2026-11-24&to=2026-11-24")
    (row,) = figures["items"]
    assert (row["unit"], row["survey_rate"], row["answer_rate"], row["dissatisfied_rate"]) == (
        "jianguomen",
        1.0,
        0.5,
        1.0,
    )
    reopened = await call(web, "agent1", "GET", f"/api/workorders/{order['id']}")
    assert reopened["status"] == "dispatched"
    as_unit = await call(web, "unit-a", "GET", f"/api/workorders/{order['id']}")  # the unit reads the reason
    assert [t["action"] for t in as_unit["trail"]].count("survey_call") == 2
    assert "还没清运" in str(as_unit) and "13900139000" not in str(as_unit)


@pytest.mark.parametrize(
    "url",
    [
        "/api/surveys?state=lost",
        "/api/surveys?date=2026-13-01",
        "/api/surveys?limit=0",
        "/api/surveys/abc",
        "/api/surveys/coverage?from=2026-11-24",
        "/api/surveys/coverage?from=2026-11-24&to=2026-11-01",
        "/api/surveys/coverage?from=2026-01-01&to=2026-12-31",
    ],
)
async def test_bad_queries_are_refused(web: Web, url: str) -> None:
    refused = await call(web, "supervisor1", "GET", url, status=400)
    assert refused["code"] == "invalid_input"


async def test_an_unknown_survey_is_not_found(web: Web) -> None:
    assert (await call(web, "agent1", "GET", "/api/surveys/999", status=404))["code"] == "not_found"


async def test_an_agent_records_that_the_citizen_declined_and_later_surveys_follow_the_policy(
    web: Web, engine: AsyncEngine
) -> None:
    parts = build_surveys(engine, web.service, web.clock, POLICY, FakeSurveyDialer(), live=FakeLiveCalls())
    first = await replied_order(web)
    body = await call(web, "agent1", "POST", "/api/surveys/declines", json={"ticket_id": first["id"]})
    assert body == {"ticket_id": first["id"], "declined": True}
    second = await replied_order(web)
    (survey,) = await parts.store.for_ticket(second["id"])
    assert (survey.state.value, survey.note) == ("skipped", "declined")
    await call(web, "unit-a", "POST", "/api/surveys/declines", status=403, json={"ticket_id": first["id"]})
    for bad in ({"ticket_id": "1"}, {"ticket_id": 0}, {"ticket_id": 2**63}, {}):
        await call(web, "agent1", "POST", "/api/surveys/declines", status=400, json=bad)
    await call(web, "agent1", "POST", "/api/surveys/declines", status=404, json={"ticket_id": 99999})


async def test_a_citizen_who_declined_can_take_it_back_and_is_surveyed_again(
    web: Web, engine: AsyncEngine
) -> None:
    parts = build_surveys(engine, web.service, web.clock, POLICY, FakeSurveyDialer(), live=FakeLiveCalls())
    first = await replied_order(web)
    state, withdraw, ticket = (
        f"/api/surveys/declines/{first['id']}",
        "/api/surveys/declines/withdraw",
        first["id"],
    )
    assert await call(web, "agent1", "GET", state) == {"ticket_id": first["id"], "declined": False}
    await call(web, "agent1", "POST", "/api/surveys/declines", json={"ticket_id": first["id"]})
    assert (await call(web, "supervisor1", "GET", state))["declined"] is True

    body = await call(web, "agent1", "POST", withdraw, json={"ticket_id": ticket})
    assert body == {"ticket_id": first["id"], "declined": False, "withdrawn": True}
    assert (await call(web, "agent1", "GET", state))["declined"] is False
    again = await call(web, "agent1", "POST", withdraw, json={"ticket_id": ticket})
    assert again["withdrawn"] is False  # nothing to take back: said so, nothing changed
    second = await replied_order(web)
    (survey,) = await parts.store.for_ticket(second["id"])
    assert survey.state.value != "skipped" and survey.note != "declined", survey

    await call(web, "unit-a", "GET", state, status=403)
    await call(web, "unit-a", "POST", withdraw, status=403, json={"ticket_id": ticket})
    await call(web, "agent1", "GET", "/api/surveys/declines/abc", status=400)
    await call(web, "agent1", "GET", "/api/surveys/declines/99999", status=404)
    await call(web, "agent1", "POST", "/api/surveys/declines/withdraw", status=400, json={"ticket_id": True})
