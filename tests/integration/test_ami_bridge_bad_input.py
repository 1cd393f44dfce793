"""The bridge's real panoramisk connection, fed by a scripted AMI peer on loopback: a call recorded from
Asterisk 22 with garbage and malformed events spliced in, sent in 5-byte pieces. Every valid event
arrives in order; nothing invalid is fatal."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from callcenter.adapters.ami.actions import AmiActions, AmiEndpoint
from callcenter.adapters.ami.bridge import AmiBridge
from callcenter.adapters.ami.translate import HotlineMatch
from callcenter.adapters.db.engine import create_engine, upgrade
from callcenter.adapters.db.repositories import SqlCallRepository
from callcenter.calls.events import CallArrived, CallEvent, CallHungUp
from callcenter.calls.model import CallRecord
from callcenter.calls.ports import TranscriptionJob
from callcenter.calls.service import CallFlow
from callcenter.commands.demo import DEMO_CALLS, DemoCall, place_call
from callcenter.core.clock import FixedClock
from tests.support.sinks import CallEvents, EventSink

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ami"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
MALFORMED = [
    b"Event: QueueCallerJoin\r\nUniqueid: x\r\nLinkedid: x\r\n\r\n",  # no Queue header
    b"Event: AgentConnect\r\nQueue: hotline\r\nHoldTime: soon\r\nLinkedid: y\r\n\r\n",  # not a number
    b"Event: Hangup\r\nUniqueid: z\r\nLinkedid: z\r\nTimestamp: yesterday\r\n\r\n",  # bad timestamp
]
GARBAGE = [b"\xff\xfe\x00\x01 not AMI at all\r\n\r\n", b"Event\r\n: \r\n\r\n", b"\r\n\r\n\r\n"]
LIST_END = {b"QueueStatus": b"QueueStatusComplete", b"CoreShowChannels": b"CoreShowChannelsComplete"}
RECORDINGS = "/var/lib/callcenter12345/instances/test-3748/recordings"  # the recorded call's instance


def recorded_call() -> list[bytes]:
    raw = (FIXTURES / "answered_call.ami").read_bytes().removeprefix(BANNER)
    return [m + b"\r\n\r\n" for m in raw.split(b"\r\n\r\n") if m.startswith(b"Event:")]


def spliced(events: list[bytes]) -> bytes:
    """After each of the first events, one malformed event and one piece of garbage."""
    out = []
    for i, event in enumerate(events):
        out.append(event)
        if i < len(MALFORMED):
            out += [MALFORMED[i], GARBAGE[i]]
    return b"".join(out)


def header(message: bytes, name: bytes) -> bytes:
    return next(
        (line.split(b": ", 1)[1] for line in message.split(b"\r\n") if line.startswith(name + b":")), b""
    )


def answer(action: bytes) -> bytes:
    """What Asterisk answers to the bridge's actions (empty lists: no queue members, no live calls)."""
    kind, action_id = header(action, b"Action"), header(action, b"ActionID")
    reply = b"Response: Success\r\nActionID: " + action_id + b"\r\n"
    if kind == b"Login":
        return reply + b"Message: Authentication accepted\r\n\r\n"
    if kind in LIST_END:
        reply += b"EventList: start\r\n\r\n"
        return (
            reply
            + b"Event: "
            + LIST_END[kind]
            + b"\r\nActionID: "
            + action_id
            + b"\r\nEventList: Complete\r\n\r\n"
        )
    return reply + b"\r\n"


async def scripted_asterisk(call: bytes) -> tuple[asyncio.Server, int]:
    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(BANNER)
        while True:
            action = await reader.readuntil(b"\r\n\r\n")
            writer.write(answer(action))
            if header(action, b"Action") == b"CoreShowChannels":  # the resync is done: the call happens
                break
        for i in range(0, len(call), 5):
            writer.write(call[i : i + 5])
            await writer.drain()
        while await reader.read(1024):
            pass

    server = await asyncio.start_server(session, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def run_bridge(call: bytes) -> tuple[AmiBridge, list[CallEvent]]:
    """The bridge against the scripted peer until the caller's hangup has been handed on."""
    sink = CallEvents()
    received = sink.received
    server, port = await scripted_asterisk(call)
    clock = FixedClock(datetime(2030, 1, 1, tzinfo=UTC))
    endpoint = AmiEndpoint("scripted", "127.0.0.1", port, "callcenter", "secret")
    bridge = AmiBridge(AmiActions(endpoint, clock), HotlineMatch(recordings=(RECORDINGS,)), sink, clock)
    await bridge.start()
    try:
        for _ in range(200):
            if any(isinstance(e, CallHungUp) for e in received):
                break
            await asyncio.sleep(0.05)
        await bridge.drained()
    finally:
        await bridge.stop()
        server.close()
        await server.wait_closed()
    return bridge, received


async def test_malformed_messages_are_skipped_and_every_valid_event_arrives() -> None:
    bridge, received = await run_bridge(spliced(recorded_call()))

    assert [type(e).__name__ for e in received] == [
        "CallArrived",
        "RecordingStarted",
        "JoinedQueue",
        "AgentCalled",
        "AgentConnected",
        "RecordingFinished",
        "CallHungUp",
    ]
    assert bridge.skipped_events == len(MALFORMED)
    assert bridge.logins == 1 and bridge.resyncs == 1
    arrived = received[0]
    assert isinstance(arrived, CallArrived) and arrived.caller_number == "13800138001"


class KeptJobs:
    """The transcription queue port, kept in memory (the Redis one is tested in test_storage_and_jobs)."""

    def __init__(self) -> None:
        self.jobs: list[TranscriptionJob] = []

    async def enqueue(self, job: TranscriptionJob) -> str:
        self.jobs.append(job)
        return str(len(self.jobs))

    async def ensure_group(self) -> None:
        return None

    async def is_intact(self) -> bool:
        return True


async def test_logs_of_a_demo_like_call_hold_no_caller_number(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The demo's first citizen (13800138001) calls; the database fails once for the arrival and once for a
    floor event, and a headless fragment with the number arrives: every log line masks or omits it."""
    caplog.set_level(logging.INFO)
    url = f"sqlite+aiosqlite:///{tmp_path / 'callcenter.db'}"
    await upgrade(url)
    engine = create_engine(url)
    flow = CallFlow(SqlCallRepository(engine), KeptJobs(), lambda p: p)
    failed: set[str] = set()

    async def once_down(event: object) -> None:
        kind = type(event).__name__
        if kind in ("CallArrived", "CallerJoined") and kind not in failed:
            failed.add(kind)
            raise RuntimeError("database unavailable")
        if isinstance(event, CallEvent):
            await flow.handle(event)

    fragment = b"CallerIDNum: 13800138001\r\nChannel: PJSIP/pstn-00000001\r\n\r\n"  # no Event header
    server, port = await scripted_asterisk(fragment + b"".join(recorded_call()))
    clock = FixedClock(datetime(2030, 1, 1, tzinfo=UTC))
    endpoint = AmiEndpoint("scripted", "127.0.0.1", port, "callcenter", "secret")
    bridge = AmiBridge(AmiActions(endpoint, clock), HotlineMatch(), EventSink(once_down), clock)
    await bridge.start()
    try:
        for _ in range(200):
            record = await flow_record(engine)
            if record is not None and record.phase.value == "ended":
                break
            await asyncio.sleep(0.05)
        await bridge.drained()
    finally:
        await bridge.stop()
        server.close()
        await server.wait_closed()
        await engine.dispose()

    assert "CallArrived" in failed and len(failed) == 2, failed  # both retry paths were taken
    assert "13800138001" not in caplog.text
    assert "arrived from 138****8001" in caplog.text
    assert "skipping unparseable AMI message" in caplog.text
    assert "handling CallerJoined of call " in caplog.text  # a floor event: its kind and call id
    assert " call events failed (attempt 1)" in caplog.text  # a burst of call events: how many, no fields


async def flow_record(engine: Any) -> CallRecord | None:
    records = await SqlCallRepository(engine).recent(1)
    return records[0] if records else None


async def test_the_demo_logs_its_citizens_numbers_masked(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    calls = [DemoCall(number, Path(f"{clip}.wav"), 12.0) for number, clip in DEMO_CALLS]

    async def dial(call: DemoCall) -> bool:
        return call.caller_number.endswith("1")

    assert [await place_call(call, dial) for call in calls] == [True, False, False]
    assert all(number not in caplog.text for number, _clip in DEMO_CALLS)
    assert "demo: citizen 138****8001 calls 12345" in caplog.text
    assert "demo: call from 139****9002 not answered" in caplog.text


async def test_recording_paths_outside_the_recordings_directory_are_refused() -> None:
    """Issue 11: a UserEvent whose paths leave the recordings directory (what an Originate with a chosen
    REC_BASE, or a crafted UserEvent, would announce) is logged and refused; the call itself goes on."""
    hostile = [
        event.replace(RECORDINGS.encode(), b"/etc/cron.d")
        if b"UserEvent: HotlineRecording" in event
        else event
        for event in recorded_call()
    ]

    bridge, received = await run_bridge(b"".join(hostile))

    assert [type(e).__name__ for e in received] == [
        "CallArrived",
        "JoinedQueue",
        "AgentCalled",
        "AgentConnected",
        "CallHungUp",
    ]
    assert bridge.refused_events == 2 and bridge.skipped_events == 0
