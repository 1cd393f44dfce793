"""The read-side API and page through aiohttp's test client, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import soundfile
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.repositories import SqlCallRepository, SqlTranscriptionStore
from callcenter.asr.model import Segment, Speaker, Transcript
from callcenter.calls.model import CallPhase, CallRecord, RecordingFiles
from callcenter.core.ids import CallId
from callcenter.ticketing.orders.drafting import draft_from_transcript
from tests.support.web import build_web

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script>我家楼下的路灯坏了'


async def seed(engine: AsyncEngine, recording: Path) -> CallRecord:
    call = CallRecord(
        CallId("1764.7"),
        "13800138000",
        "PJSIP/pstn-1",
        T,
        phase=CallPhase.ENDED,
        recording=RecordingFiles(str(recording), str(recording), str(recording)),
        recording_complete=True,
    )
    await SqlCallRepository(engine).save(call)
    transcript = Transcript("whisper", "zh", 3.0, (Segment(Speaker.CALLER, 0.5, 2.5, HOSTILE),))
    ticket = draft_from_transcript(call, transcript, T)
    await SqlTranscriptionStore(engine).store(call.call_id, transcript, None, ticket, T)
    return call


async def client_for(aiohttp_client: Any, engine: AsyncEngine) -> TestClient:  # type: ignore[type-arg]
    """The app, logged in as a supervisor (quality inspectors replay calls with that role)."""
    web = await build_web(aiohttp_client, engine)
    return await web.login("supervisor1")


async def test_calls_and_tickets_are_listed_with_transcripts(
    aiohttp_client: Any, engine: AsyncEngine, tmp_path: Path
) -> None:
    wav = tmp_path / "mixed.wav"
    soundfile.write(wav, np.zeros((8000, 2), dtype=np.int16), 8000)
    call = await seed(engine, wav)
    client = await client_for(aiohttp_client, engine)

    calls = await (await client.get("/api/calls")).json()
    assert [c["call_id"] for c in calls["items"]] == [call.call_id]
    detail = await (await client.get(f"/api/calls/{call.call_id}")).json()
    assert (
        detail["transcript"]["segments"][0]["text"] == HOSTILE
    )  # stored verbatim, rendered inert by the page
    tickets = await (await client.get("/api/tickets")).json()
    ticket_id = tickets["items"][0]["id"]
    ticket = await (await client.get(f"/api/tickets/{ticket_id}")).json()
    assert ticket["caller_number"] == "13800138000" and ticket["transcript"]["status"] == "ok"

    replay = await client.get(f"/api/calls/{call.call_id}/recording.wav")
    assert replay.status == 200 and replay.headers["Content-Type"] == "audio/wav"
    assert (await replay.read())[:4] == b"RIFF"


async def test_bad_requests_get_clear_json_errors(aiohttp_client: Any, engine: AsyncEngine) -> None:
    client = await client_for(aiohttp_client, engine)
    cases = {
        "/api/calls?limit=0": (400, "invalid_input"),
        "/api/calls?limit=abc": (400, "invalid_input"),
        "/api/calls?offset=-1": (400, "invalid_input"),
        "/api/tickets/abc": (400, "invalid_input"),
        "/api/tickets/999999": (404, "not_found"),
        "/api/calls/nope": (404, "not_found"),
        "/api/calls/nope/recording.wav": (404, "not_found"),
        "/api/calls/..%2F..%2Fetc%2Fpasswd/recording.wav": (404, "not_found"),
        "/api/nothing-here": (404, "http_404"),
    }
    for url, (status, code) in cases.items():
        response = await client.get(url)
        body = await response.json()
        assert (response.status, body["code"]) == (status, code), url
        assert set(body) == {"code", "message", "details"}


async def test_page_is_chinese_and_forbids_inline_script(aiohttp_client: Any, engine: AsyncEngine) -> None:
    client = await client_for(aiohttp_client, engine)
    response = await client.get("/")
    html = await response.text()
    assert "12345 政务服务便民热线" in html and "工单草稿" in html
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'self' only
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    script = await (await client.get("/static/app.js")).text()
    assert "innerHTML" not in script  # every value is written with textContent


async def test_times_carry_their_time_zone(aiohttp_client: Any, engine: AsyncEngine, tmp_path: Path) -> None:
    wav = tmp_path / "mixed.wav"
    soundfile.write(wav, np.zeros((800, 2), dtype=np.int16), 8000)
    await seed(engine, wav)
    client = await client_for(aiohttp_client, engine)
    call = (await (await client.get("/api/calls")).json())["items"][0]
    ticket = (await (await client.get("/api/tickets")).json())["items"][0]
    assert call["arrived_at"] == "2026-11-24T02:00:00+00:00"
    assert ticket["created_at"].endswith("+00:00")
