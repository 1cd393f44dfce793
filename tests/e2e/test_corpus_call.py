"""A synthetic corpus call, end to end: a request of the corpus (docs/corpus.md) read by the natural voice
(Kokoro) at 8 kHz through the telephone line → sipp citizen → Asterisk 22 → queue → pyVoIP agent →
recording → live worker and ASR worker → draft work order, whose suggestions, read through the JSON API,
name the street the caller said and the phone number the caller spelled out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from callcenter.adapters.voice.models import default_dir
from callcenter.wiring.workorders import seed_sample_city
from callcenter_sim.corpus.degrade import Degradation
from callcenter_sim.corpus.generate import CorpusRequest, generate
from callcenter_sim.corpus.phrasing import load_phrasings, sample_city
from callcenter_sim.corpus.render import render
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller
from tests.support.asr import speech_dir
from tests.support.hotline import RunningHotline
from tests.support.voice import natural_voice

pytestmark = [pytest.mark.asterisk, pytest.mark.slow, pytest.mark.usefixtures("redis_streams_cleanup")]

StartHotline = Callable[..., Awaitable[RunningHotline]]
AgentPhones = Callable[..., AgentPhone]
Callers = Callable[[CallerScript], SippCaller]

# c0038 of the default corpus (seed 13): 喂，你好，楼下的垃圾堆了四天没人清运 … 地方在西城区新街口街道 …
# 我的电话是零幺零八四零幺四七三七 (about 9 s, voice zf_xiaoyi): a street, and a number said with 幺.
# Chosen because Whisper-base reads its number alike however the call's timing shifts the audio (10 of 10
# placements and lost frames); c0025, used before, was read right in 5 of 10 (幺三八零八二三五二六六 came
# out as 要3808-235-666 when the first words fell 20 ms later), so its outcome was the line's, not the
# hotline's. How often numbers are read right is the bench's figure (bench/draft_quality.py), not this test's.
REQUEST_ID = "c0038"
AGENT_CLIP = "cv_zh-CN_18536155"
CALLER = "13800138131"
DRAFT_TIMEOUT_S = 120.0


def corpus_request() -> CorpusRequest:
    (request,) = [r for r in generate(load_phrasings(), sample_city()) if r.id == REQUEST_ID]
    assert request.phone and request.street and not request.community, request  # the case this test is for
    return request


def rendered(request: CorpusRequest, tmp_path: Path) -> tuple[Path, float]:
    """The request at 8 kHz through μ-law; the engine's speech is kept in the provisioning cache, so
    only a first run synthesizes it."""
    speech = default_dir().parent / "corpus" / "e2e-speech"
    speech.mkdir(parents=True, exist_ok=True)
    (tmp_path / "speech").symlink_to(speech)
    (heard,) = render((request,), natural_voice(), tmp_path, (Degradation("telephone"),))
    return tmp_path / heard.path, heard.seconds


async def test_a_corpus_call_in_the_natural_voice_gets_its_street_and_phone_number_suggested(
    start_hotline: StartHotline, agent_phone: AgentPhones, caller: Callers, tmp_path: Path
) -> None:
    request = corpus_request()
    audio, seconds = await asyncio.to_thread(rendered, request, tmp_path)
    running = await start_hotline(asr_engine="whisper", live_asr=1)
    await seed_sample_city(running.hotline.work, running.hotline.clock.now())  # the city's streets

    agent_voice = speech_dir() / "8k" / f"{AGENT_CLIP}_8k.wav"
    agent_phone("agent1001", play=agent_voice, play_after_s=0.3, hang_up_after_s=seconds + 6.0)
    await running.log_in_agent("agent1001")
    script = CallerScript(
        caller_number=CALLER,
        audio=audio,
        speak_after_s=running.asterisk.greeting_seconds() + 5.0,
        tail_s=30.0,
    )
    result = await asyncio.to_thread(caller(script).run, 90)
    assert result.completed and result.answered, result.log
    call = await running.wait_for(_ended_call(running), 20, f"call from {CALLER} ended")
    detail = await running.wait_for(_ticket_of(running, call["call_id"]), DRAFT_TIMEOUT_S, "draft ticket")

    order = await running.get(f"/api/workorders/{detail['ticket']['id']}")
    heard, suggested = order["request_text"], order["suggestions"]
    print(f"{REQUEST_ID}: said {request.text!r}; heard {heard!r}; suggested {suggested!r}")
    assert order["status"] == "draft" and order["caller_number"] == CALLER
    assert suggested["contact_number"] == request.phone, (heard, suggested)
    location = suggested["location"]
    assert location is not None and location["area_code"] == request.street, (heard, location)
    assert location["level"] == "street" and location["path"] == ["西城区", "新街口街道"]


def _ended_call(running: RunningHotline) -> Callable[[], Awaitable[dict[str, Any] | None]]:
    async def ended() -> dict[str, Any] | None:
        call = await running.call_by_number(CALLER)
        return call if call and call["phase"] == "ended" else None

    return ended


def _ticket_of(running: RunningHotline, call_id: str) -> Callable[[], Awaitable[dict[str, Any] | None]]:
    async def ticket() -> dict[str, Any] | None:
        detail = await running.get(f"/api/calls/{call_id}")
        return detail if detail["ticket"] else None

    return ticket
