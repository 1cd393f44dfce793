"""Least privilege on calls (issue 11): a call, its recording and its transcript go to the agent who answered
it, supervisors and admins; anyone else gets 404 and lists of their own calls only. No response of the calls,
tickets or work-order API carries a file system path. Real SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.repositories import SqlCallRepository, SqlTranscriptionStore
from callcenter.asr.model import Segment, Speaker, Transcript
from callcenter.calls.model import CallOutcome, CallPhase, CallRecord, RecordingFiles
from callcenter.core.actors import Role, StaffId
from callcenter.core.ids import CallId
from callcenter.staff.model import StaffMember
from callcenter.ticketing.orders.drafting import draft_from_failure, draft_from_transcript
from tests.support.web import PASSWORD, START, Web, build_web

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
SAID = "我家楼下的路灯坏了，在建国门内大街18号"
WAV_PATH = re.compile(r"/[^\"\s]*\.wav")
REPLAY_URL = re.compile(r"^/api/calls/[^/]+/recording\.wav$")


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    folder = tmp_path / "spool" / "recordings"
    folder.mkdir(parents=True)
    return folder


async def answered_call(engine: AsyncEngine, folder: Path, call_id: str, by: str | None, n: int) -> None:
    """An answered call with its three recording files, transcript and draft."""
    files = [folder / f"{call_id}-{side}.wav" for side in ("caller", "agent", "mixed")]
    for path in files:
        soundfile.write(path, np.zeros((800, 1), dtype=np.int16), 8000)
    call = CallRecord(
        CallId(call_id),
        f"1380013800{n}",
        "PJSIP/pstn-1",
        T + timedelta(minutes=n),
        phase=CallPhase.ENDED,
        outcome=CallOutcome.ANSWERED,
        agent="PJSIP/agent1001",
        answered_by=by,
        recording=RecordingFiles(*(str(p) for p in files)),
        recording_complete=True,
    )
    await SqlCallRepository(engine).save(call)
    store = SqlTranscriptionStore(engine)
    if n == 3:  # a recording that could not be read: its message names the file
        message = f"recording not found: {files[0]}"
        ticket = draft_from_failure(call, "not_found", T)
        await store.store(call.call_id, None, ("not_found", message), ticket, T)
        return
    transcript = Transcript("whisper", "zh", 3.0, (Segment(Speaker.CALLER, 0.5, 2.5, SAID),))
    await store.store(call.call_id, transcript, None, draft_from_transcript(call, transcript, T), T)


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine, recordings: Path) -> Web:
    web = await build_web(aiohttp_client, engine)
    await web.staff.add(StaffMember(StaffId("agent2"), "话务员二", Role.AGENT), PASSWORD, START)
    await answered_call(engine, recordings, "1764.1", "agent1", 1)  # agent1's call
    await answered_call(engine, recordings, "1764.2", None, 2)  # answered before who answered was kept
    await answered_call(engine, recordings, "1764.3", "agent1", 3)  # agent1's, transcription failed
    return web


async def status_of(web: Web, user: str, url: str) -> int:
    client = await web.login(user)
    return (await client.get(url)).status


async def listed(web: Web, user: str) -> list[str]:
    client = await web.login(user)
    response = await client.get("/api/calls")
    assert response.status == 200
    return sorted(c["call_id"] for c in (await response.json())["items"])


async def test_calls_are_listed_for_who_answered_them_and_for_the_reviewers(web: Web) -> None:
    assert await listed(web, "agent1") == ["1764.1", "1764.3"]
    assert await listed(web, "agent2") == []
    assert await listed(web, "dispatcher1") == []
    assert await listed(web, "supervisor1") == ["1764.1", "1764.2", "1764.3"]
    assert await listed(web, "admin") == ["1764.1", "1764.2", "1764.3"]


@pytest.mark.parametrize("suffix", ["", "/recording.wav"])
async def test_a_call_that_is_not_yours_is_not_found(web: Web, suffix: str) -> None:
    mine, old = f"/api/calls/1764.1{suffix}", f"/api/calls/1764.2{suffix}"
    assert await status_of(web, "agent1", mine) == 200
    assert await status_of(web, "agent1", old) == 404  # no one is known to have answered it
    for user in ("agent2", "dispatcher1"):
        assert await status_of(web, user, mine) == 404, user
        assert await status_of(web, user, old) == 404, user
    for user in ("supervisor1", "admin"):
        assert await status_of(web, user, mine) == 200, user
        assert await status_of(web, user, old) == 200, user
    assert await status_of(web, "unit-a", mine) == 403  # handling units see no calls at all


async def test_the_draft_stays_workable_but_its_transcript_is_the_call_s_viewers_only(web: Web) -> None:
    client = await web.login("agent2")
    tickets = (await (await client.get("/api/tickets")).json())["items"]
    ticket_id = next(t["id"] for t in tickets if t["call_id"] == "1764.1")
    other = await (await client.get(f"/api/tickets/{ticket_id}")).json()
    assert other["transcript"] is None and other["transcript_restricted"] is True
    order = await (await client.get(f"/api/workorders/{ticket_id}")).json()
    assert order["status"] == "draft" and SAID in order["request_text"]  # what the agent registers from

    client = await web.login("agent1")
    own = await (await client.get(f"/api/tickets/{ticket_id}")).json()
    assert own["transcript"]["segments"][0]["text"] == SAID and own["transcript_restricted"] is False


async def test_no_response_carries_a_file_system_path(web: Web, recordings: Path) -> None:
    seen: list[str] = []
    for user in ("agent1", "supervisor1", "admin"):
        client = await web.login(user)
        urls = ["/api/calls", "/api/tickets", "/api/workorders?status=draft"]
        for call_id in ("1764.1", "1764.2", "1764.3"):
            urls.append(f"/api/calls/{call_id}")
        tickets = (await (await client.get("/api/tickets")).json())["items"]
        urls += [f"/api/tickets/{t['id']}" for t in tickets] + [f"/api/workorders/{t['id']}" for t in tickets]
        for url in urls:
            response = await client.get(url)
            if response.status == 200:
                seen.append(url)
                body = await response.text()
                assert str(recordings) not in body and str(recordings.parent) not in body, url
                assert all(REPLAY_URL.match(p) for p in WAV_PATH.findall(body)), (url, body)
    assert "/api/calls/1764.3" in seen and len(seen) >= 20

    client = await web.login("supervisor1")
    call = await (await client.get("/api/calls/1764.1")).json()
    assert call["has_recording"] is True and call["recording_url"] == "/api/calls/1764.1/recording.wav"
    assert not {"recording_caller", "recording_agent", "recording_mixed"} & set(call)
    replay = await client.get(call["recording_url"])
    assert replay.status == 200 and (await replay.read())[:4] == b"RIFF"
    failed = await (await client.get("/api/calls/1764.3")).json()
    assert failed["transcript"]["error_code"] == "not_found"
    assert failed["transcript"]["error_message"] == "recording not found: …"
    assert ".wav" not in json.dumps(failed["transcript"])
