"""Replay of a survey call's recording (回访录音回放, issue 14) on SQLite and PostgreSQL: the reviewers
(supervisors, admins) hear it, Range requests seek; agents, dispatchers and units are refused; a missing
survey, call or file answers 404 with its own code; a stored path outside the recordings directory, a
traversal, a symlink or another call's file is never served. No file system path in any answer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp.web import Application
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.survey_campaign import SqlSurveyCampaign
from callcenter.adapters.db.surveys import SqlSurveys
from callcenter.adapters.http.surveys import survey_routes
from callcenter.adapters.http.workorders import WORK_ORDERS
from callcenter.adapters.recording_files import RecordingFileStore
from callcenter.core.clock import FixedClock
from callcenter.ticketing.surveys.desk import SurveyDesk
from callcenter.ticketing.surveys.model import AttemptOutcome, Survey, SurveyAttempt
from callcenter.ticketing.surveys.policy import SurveyPolicy
from callcenter.ticketing.surveys.ports import SurveyAnswer
from callcenter.wiring.surveys import build_surveys
from tests.integration.test_surveys_api import call, replied_order
from tests.support.survey_dialer import FakeLiveCalls, FakeSurveyDialer
from tests.support.web import START, Web, build_web

POLICY = SurveyPolicy(first_delay_minutes=0)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(200))  # served as it is: the bytes are what counts


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    folder = tmp_path / "spool" / "recordings"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine, recordings: Path) -> Web:
    store, control = SqlSurveys(engine), SqlSurveyCampaign(engine)
    files = RecordingFileStore([str(recordings)], lambda p: p)

    def surveys(app: Application) -> None:
        desk = SurveyDesk(store, store, control, FixedClock(START), POLICY, control, app[WORK_ORDERS], files)
        survey_routes(desk)(app)

    return await build_web(aiohttp_client, engine, extra_routes=(surveys,))


async def filed_survey(web: Web, engine: AsyncEngine) -> Survey:
    build_surveys(engine, web.service, web.clock, POLICY, None, live=FakeLiveCalls())
    order = await replied_order(web)
    (survey,) = await SqlSurveys(engine).for_ticket(order["id"])
    return survey


async def with_calls(engine: AsyncEngine, survey: Survey, *paths: str) -> Survey:
    """The survey with one answered call per stored recording path ("" : none)."""
    history = tuple(
        SurveyAttempt(
            n, f"survey-{survey.id}-{n}", "a", START, START, AttemptOutcome.SATISFIED, "1", "", path, ""
        )
        for n, path in enumerate(paths, start=1)
    )
    return await SqlSurveys(engine).save(replace(survey, history=history, attempts=len(history)))


def wav(folder: Path, name: str) -> str:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(WAV)
    return str(path)


async def replay(web: Web, user: str, url: str, **kw: Any) -> tuple[int, bytes, Any]:
    client = await web.login(user)
    response = await client.get(url, **kw)
    body = await response.read()
    return response.status, body, response.headers


async def test_a_reviewer_replays_the_call_the_campaign_placed_and_seeks_in_it(
    web: Web, engine: AsyncEngine, recordings: Path
) -> None:
    survey = await filed_survey(web, engine)
    stored = wav(recordings, f"20261124/survey-{survey.id}-1-call.wav")
    dialer = FakeSurveyDialer(SurveyAnswer(AttemptOutcome.SATISFIED, key="1", recording=stored))
    parts = build_surveys(engine, web.service, web.clock, POLICY, dialer, live=FakeLiveCalls())
    assert parts.campaign is not None
    await parts.campaign.run_once()
    await parts.campaign.settle()

    url = f"/api/surveys/{survey.id}/calls/1/recording.wav"
    shown = await call(web, "supervisor1", "GET", f"/api/surveys/{survey.id}")
    (made,) = shown["calls"]
    assert (made["has_recording"], made["recording_url"]) == (True, url)
    assert str(recordings) not in str(shown) and "recording" not in made  # no path in the answer
    for user in ("supervisor1", "admin"):
        status, body, headers = await replay(web, user, url)
        assert (status, body, headers["Content-Type"]) == (200, WAV, "audio/wav")
        assert headers["Cache-Control"] == "no-store"
    status, body, headers = await replay(web, "admin", url, headers={"Range": "bytes=4-11"})
    assert (status, body, headers["Content-Range"]) == (206, WAV[4:12], f"bytes 4-11/{len(WAV)}")
    status, _body, _headers = await replay(web, "admin", url, headers={"Range": "bytes=x-y"})
    assert status < 500
    for user in ("supervisor1", "unit-a"):  # the order's trail names the call, never the file
        order = await call(web, user, "GET", f"/api/workorders/{survey.ticket_id}")
        (row,) = [t for t in order["trail"] if t["action"] == "survey_call"]
        assert row["details"]["has_recording"] is True and "recording" not in row["details"], row
        assert str(recordings) not in str(order)


async def test_only_reviewers_hear_a_survey_call(web: Web, engine: AsyncEngine, recordings: Path) -> None:
    survey = await filed_survey(web, engine)
    survey = await with_calls(engine, survey, wav(recordings, f"survey-{survey.id}-1-call.wav"))
    url = f"/api/surveys/{survey.id}/calls/1/recording.wav"
    as_agent = await call(web, "agent1", "GET", f"/api/surveys/{survey.id}")
    assert (as_agent["calls"][0]["has_recording"], as_agent["calls"][0]["recording_url"]) == (True, None)
    for user in ("agent1", "dispatcher1", "unit-a"):
        status, body, _headers = await replay(web, user, url)
        assert status == 403 and WAV not in body, user
        assert (await call(web, user, "GET", url, status=403))["code"] == "role_forbidden"


async def test_a_missing_survey_call_or_file_is_404_with_its_code(
    web: Web, engine: AsyncEngine, recordings: Path
) -> None:
    survey = await filed_survey(web, engine)
    gone = str(recordings / f"survey-{survey.id}-2-call.wav")  # never written (or deleted since)
    survey = await with_calls(engine, survey, "", gone)
    base = f"/api/surveys/{survey.id}/calls"
    for url, code in (
        ("/api/surveys/99999/calls/1/recording.wav", "not_found"),
        (f"{base}/3/recording.wav", "survey_call_not_found"),
        (f"{base}/1/recording.wav", "survey_recording_missing"),  # no recording was made
        (f"{base}/2/recording.wav", "survey_recording_missing"),  # the file is not there
    ):
        assert (await call(web, "supervisor1", "GET", url, status=404))["code"] == code, url
    shown = await call(web, "supervisor1", "GET", f"/api/surveys/{survey.id}")
    assert [c["has_recording"] for c in shown["calls"]] == [False, True]
    for bad in ("abc", "0", "-1", "..%2F..", "1e3", "99999999999"):
        for url in (f"/api/surveys/{bad}/calls/1/recording.wav", f"{base}/{bad}/recording.wav"):
            assert (await call(web, "supervisor1", "GET", url, status=400))["code"] == "invalid_input"


async def test_a_stored_path_outside_the_recordings_directory_is_never_served(
    web: Web, engine: AsyncEngine, recordings: Path, tmp_path: Path
) -> None:
    """The stored path is data from an AMI event: each of these names a real WAV file, none is served."""
    survey = await filed_survey(web, engine)
    own = [f"survey-{survey.id}-{n}-call.wav" for n in range(9)]  # own[n]: attempt n's proper name
    outside = tmp_path / "secret"
    for n in (1, 2, 3, 4, 5):
        wav(outside, own[n])
    (recordings / "x").mkdir()
    (recordings / own[4]).symlink_to(outside / own[4])  # a symlink in it, to a file elsewhere
    (recordings / "out").symlink_to(outside)  # a directory symlink out of it
    wav(recordings, own[1])
    survey = await with_calls(
        engine,
        survey,
        str(outside / own[1]),  # another directory
        f"{recordings}/../secret/{own[2]}",  # a traversal out of it
        f"{recordings}/x/../../secret/{own[3]}",
        str(recordings / own[4]),
        f"{recordings}/out/{own[5]}",
        wav(recordings, "20261124/hotline-1764.1-caller.wav"),  # a citizen's call, not this survey's
        f"relative/{own[7]}",  # not absolute
        str(recordings / own[1]),  # call 1's file named as call 8's
    )
    for n in range(1, 9):
        status, body, _headers = await replay(
            web, "admin", f"/api/surveys/{survey.id}/calls/{n}/recording.wav"
        )
        assert status == 404 and WAV not in body, n
        assert b"survey_recording_missing" in body and str(tmp_path).encode() not in body, n
