"""The seat bar's live transcript (实时转写) in a real browser, on the whole app with a real Asterisk:
an agent signs in to a seat in the desk, a citizen's call is put through to the seat, and what the live
worker publishes for that call (here published to Redis by the test, as the live worker would) appears as
it comes — partials replaced by their final, hostile text inert, knowledge-base answers for what the
citizen asks, the transcript kept after hangup."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.adapters.db.repositories import SqlCallRepository
from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.asr.live import LiveEvent, LiveKind
from callcenter.asr.model import Speaker
from callcenter.core.actors import Role, StaffId
from callcenter.core.ids import CallId
from callcenter.staff.model import StaffMember
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller
from tests.support.browser import Browser, _driver
from tests.support.hotline import REDIS_URL, RunningHotline

pytestmark = [pytest.mark.asterisk, pytest.mark.slow, pytest.mark.usefixtures("redis_streams_cleanup")]

StartHotline = Callable[..., Awaitable[RunningHotline]]
PASSWORD = "live-panel-password"
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
async def running(start_hotline: StartHotline) -> AsyncIterator[RunningHotline]:
    prefix = f"cc:test:agents:{uuid.uuid4().hex[:8]}"
    hotline = await start_hotline(asr_workers=0, live_asr=0, agents_prefix=prefix, wrapup_time=1)
    yield hotline
    bridge = hotline.hotline.bridge
    for member in (await bridge.actions.queue_status()).members:
        await bridge.actions.queue_remove(member.queue, member.interface)
    client = Redis.from_url(REDIS_URL, decode_responses=True)
    async for key in client.scan_iter(f"{prefix}:*"):
        await client.delete(key)
    await client.aclose()


@pytest.fixture
def desk(running: RunningHotline, tmp_path: Path) -> Iterator[Browser]:
    driver = _driver(tmp_path / "chromium-profile", (1280, 900))
    page = Browser(driver, str(running.client.make_url("")).rstrip("/"))
    try:
        yield page
        errors = [
            e for e in page.collect_console() if e.get("level") == "SEVERE" and "/live" not in e["message"]
        ]
    finally:
        driver.quit()
    assert not errors, errors


async def test_the_seat_bar_shows_the_live_transcript_of_the_call_at_the_seat(
    running: RunningHotline,
    desk: Browser,
    agent_phone: Callable[..., AgentPhone],
    caller: Callable[[CallerScript], SippCaller],
    asterisk: AsteriskInstance,
) -> None:
    staff = running.hotline.work.staff
    await staff.add(StaffMember(StaffId("amy"), "Amy", Role.AGENT), PASSWORD, running.hotline.clock.now())
    agent_phone("agent1003", hang_up_after_s=8)
    await desk.login("/", "amy", PASSWORD)
    await desk.type(".seat-form [name=seat]", "agent1003")
    await desk.click("签入", ".seatbar")
    await desk.text(".seat-state", "空闲")

    script = CallerScript(caller_number="13800138406", hang_up_after_s=asterisk.greeting_seconds() + 30)
    calling = asyncio.create_task(asyncio.to_thread(caller(script).run, 60))
    # the caller hears the greeting and the recording notice before the queue rings the seat
    await desk.text(".live-status", "通话中", within=asterisk.greeting_seconds() + 10)
    call_id = await running.wait_for(lambda: current_call(running), 10, "the call at agent1003")

    live = RedisLiveTranscripts(running.hotline.redis)
    await live.publish(LiveEvent(call_id, Speaker.AGENT, LiveKind.FINAL, 1, "您好，12345热线", 0.2, 1.4))
    await live.publish(LiveEvent(call_id, Speaker.CALLER, LiveKind.PARTIAL, 1, "我家停", 2.0, 2.6))
    await desk.text(".live-line.partial", "我家停")
    await live.publish(
        LiveEvent(call_id, Speaker.CALLER, LiveKind.FINAL, 2, "我家停电了" + HOSTILE, 2.0, 3.9)
    )
    await desk.text(".live-line.final.speaker-caller", "我家停电了")
    lines = await desk.js("return [...document.querySelectorAll('.live-line')].map(n => n.textContent)")
    assert lines == ["坐席您好，12345热线", "来电人我家停电了" + HOSTILE], lines  # the partial was replaced
    assert await desk.js("return document.querySelectorAll('.live-panel img').length") == 0
    await live.publish(
        LiveEvent(call_id, Speaker.CALLER, LiveKind.FINAL, 3, "还有我的社保卡丢了怎么补办", 4.5, 7.0)
    )
    await desk.text(
        ".live-answers .knowledge-answer summary", "社保卡"
    )  # the knowledge base's answer, while the call goes on

    result = await calling
    assert result.answered, result.log
    await desk.text(".live-status", "通话已结束")
    assert await desk.js("return document.querySelectorAll('.live-line').length") == 3  # kept for registering


async def current_call(running: RunningHotline) -> CallId | None:
    calls = SqlCallRepository(running.hotline.engine)
    for call in await calls.unfinished(running.asterisk.settings.name):
        if call.agent == "PJSIP/agent1003" and call.connected_at is not None:
            return call.call_id
    return None
