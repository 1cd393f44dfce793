"""The demo floor for ``python -m callcenter run --demo``: two scripted seats and four citizens' calls,
so a newcomer sees calls, transcripts and draft work orders (with their suggestions) appear.

The phones are simulators (sipp for citizens, pyVoIP for seats) on loopback; nothing here is a product
part. The citizens read requests of the synthetic corpus (docs/corpus.md) in the natural voice, rendered
once at 8 kHz into ``$CALLCENTER_CACHE/corpus/demo``; without the natural voice they are read by
espeak-ng, and if no voice works at all the calls play recordings of the shared corpus
(``CALLCENTER_SPEECH_DIR`` or ../shared/speech/zh), which the seats' agent voice always comes from.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import soundfile
from aiohttp import web

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.adapters.voice.factory import build_synthesizer
from callcenter.adapters.voice.models import default_dir
from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.pii import mask_number
from callcenter.core.waiting import cancel_all
from callcenter.ivr.voice import Synthesizer
from callcenter.queue.seats.agent_session import LogIn
from callcenter.staff.model import StaffMember
from callcenter.ticketing.orders.registration import Registration
from callcenter.ticketing.orders.service import AUTO_DISPATCH
from callcenter.ticketing.orders.workorder import Classification
from callcenter.wiring.app import HOTLINE
from callcenter.wiring.workorders import seed_sample_city
from callcenter_sim.corpus.degrade import Degradation
from callcenter_sim.corpus.generate import DEFAULT_COUNT, DEFAULT_SEED, CorpusRequest, generate
from callcenter_sim.corpus.phrasing import load_phrasings, sample_city
from callcenter_sim.corpus.render import render
from callcenter_sim.phones import AgentPhone, CallerScript, SippCaller
from callcenter_sim.phones.citizen import CitizenPhone, PhoneUnavailable
from callcenter_sim.phones.pcap import write_answer_pcap

log = logging.getLogger(__name__)

DEMO_SEATS = ("agent1001", "agent1002")
DEMO_SEAT_STAFF = ("agent1", "agent2")  # who is logged in (签入) on each demo seat: general seats, no skills
DEMO_REQUESTS = (  # (caller number, request of the default corpus: seed 13, 240 requests; docs/corpus.md)
    ("13800138001", "c0014"),  # 井盖丢了 (road, urgent), 景山街道黄化门社区, a mobile number said with pauses
    ("13900139002", "c0081"),  # 广场舞音响太吵 (noise complaint), 新街口街道, a mobile number
    ("13700137003", "c0021"),  # 暖气管漏水 (a leak, expedited), 西长安街街道, a mobile number
    ("13500135004", "c0008"),  # 燃气味 (extra urgent), 东华门街道南池子社区
)
DEMO_CALLS = (  # the fallback when no voice can read them: (caller number, clip of the shared corpus)
    ("13800138001", "aishell1_BAC009S0724W0121"),
    ("13900139002", "wenetspeech_TEST_MEETING_T0000000001_S00000"),
    ("13700137003", "aishell1_BAC009S0764W0121"),
)
AGENT_CLIP = "cv_zh-CN_18536155"
TELEPHONE = Degradation("telephone")  # 8 kHz through G.711 μ-law, as a caller's line sounds


@dataclass(frozen=True, slots=True)
class DemoCall:
    caller_number: str
    audio: Path
    seconds: float


REPO = Path(__file__).resolve().parents[2]  # callcenter/commands/demo.py → the repository
DEMO_RULES = REPO / "deploy" / "demo-rules.toml"


def speech_dir() -> Path:
    """The shared Mandarin corpus: ``CALLCENTER_SPEECH_DIR``, else ``../shared/speech/zh`` beside the repo."""
    return Path(os.environ.get("CALLCENTER_SPEECH_DIR") or REPO.parent / "shared" / "speech" / "zh")


def demo_cache() -> Path:
    """Where the demo's citizens' speech is rendered once and reused (never in the repository)."""
    return default_dir().parent / "corpus" / "demo"


def demo_requests() -> tuple[CorpusRequest, ...]:
    """``DEMO_REQUESTS`` from the corpus generated with its default seed and count (the same every run)."""
    chosen = dict((rid, number) for number, rid in DEMO_REQUESTS)
    corpus = generate(load_phrasings(), sample_city(), DEFAULT_SEED, DEFAULT_COUNT)
    found = {r.id: r for r in corpus if r.id in chosen}
    return tuple(found[rid] for _number, rid in DEMO_REQUESTS)


def corpus_calls(cache: Path, synthesizer: Synthesizer) -> list[DemoCall]:
    """The demo requests read by ``synthesizer`` and heard through the telephone line (8 kHz μ-law), as
    WAVs under ``cache``; what was synthesized before is reused (the render caches by engine, voice,
    speed and text). Synchronous and CPU-bound: call it off the event loop."""
    numbers = {rid: number for number, rid in DEMO_REQUESTS}
    requests = demo_requests()
    rendered = render(requests, synthesizer, cache, (TELEPHONE,))
    for request in requests:
        log.info(
            "demo: request %s (category %s, urgency %s, %s) read by %s, voice %s",
            request.id,
            request.category,
            request.urgency,
            "with a contact number" if request.phone else "no contact number",
            synthesizer.engine,
            request.voice,
        )
    return [DemoCall(numbers[f.id], cache / f.path, f.seconds) for f in rendered]


def citizens_calls(cache: Path, corpus: Path, voice: Callable[[], Synthesizer]) -> list[DemoCall]:
    """The corpus calls when a voice can read them, else the recordings of the shared corpus (logged)."""
    try:
        synthesizer = voice()
        if not synthesizer.engine.startswith("kokoro"):
            log.warning("demo: the natural voice is missing (./hotline setup); citizens read by espeak-ng")
        return corpus_calls(cache, synthesizer)
    except Exception as exc:  # any engine failure: the demo still places its calls
        log.warning("demo: no voice could read the corpus requests (%s); playing recorded clips instead", exc)
        return demo_calls(corpus)


def demo_calls(corpus: Path) -> list[DemoCall]:
    calls = []
    for number, clip in DEMO_CALLS:
        path = corpus / "8k" / f"{clip}_8k.wav"
        if path.is_file():
            calls.append(DemoCall(number, path, float(soundfile.info(path).duration)))
        else:
            log.warning("demo: speech sample %s missing; set CALLCENTER_SPEECH_DIR", path)
    return calls


def demo_floor(asterisk: AsteriskInstance, corpus: Path) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup_ctx: seats registered and logged in, then the demo calls placed one after another."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        seats: list[AgentPhone] = []
        citizens = await asyncio.to_thread(answering_citizens, asterisk, demo_cache())
        task = asyncio.create_task(_run_floor(app, asterisk, corpus, seats))
        yield
        await cancel_all([task])
        for seat in seats:
            await asyncio.to_thread(seat.stop)
        if citizens is not None:
            await asyncio.to_thread(citizens.stop)

    return ctx


def answering_citizens(asterisk: AsteriskInstance, cache: Path) -> CitizenPhone | None:
    """The citizens' phones behind the outbound trunk: they answer the hotline's calls (回访 surveys, missed-
    call call-backs) and press 1 满意 (half of them), 2 基本满意 or 3 不满意 two seconds in, so a demo order
    replied by its unit gets its survey call and its outcome. None (logged) when sipp cannot run."""
    keys = []
    for key in "1123":
        pcap = cache / "citizen-keys" / f"key{key}.pcap"
        if not pcap.is_file():
            pcap.parent.mkdir(parents=True, exist_ok=True)
            write_answer_pcap(pcap, 12.0, [(2.0, key)])
        keys.append(pcap)
    try:
        phone = CitizenPhone(asterisk.settings.pstn_outbound_uri, cache / "citizen-phone")
        phone.start("answer", calls=100_000, pcap=keys, limit_s=None)
    except (PhoneUnavailable, OSError) as exc:
        log.warning("demo: no citizen phone answers the hotline's outbound calls (%s)", exc)
        return None
    log.info("demo: citizens answer survey calls on %s", asterisk.settings.pstn_outbound_uri)
    return phone


async def _run_floor(
    app: web.Application, asterisk: AsteriskInstance, corpus: Path, seats: list[AgentPhone]
) -> None:
    """The citizens' speech (rendered off the event loop; a first run synthesizes about a minute of
    speech), then the seats, then the calls."""
    calls = await asyncio.to_thread(citizens_calls, demo_cache(), corpus, build_synthesizer)
    longest = max((c.seconds for c in calls), default=10.0)
    agent_voice = corpus / "8k" / f"{AGENT_CLIP}_8k.wav"
    for name in DEMO_SEATS:
        seat = AgentPhone(
            name,
            asterisk.seat_secret(name),
            asterisk.settings.sip_port,
            play=agent_voice if agent_voice.is_file() else None,
            play_after_s=0.3,
            hang_up_after_s=longest + 8.0,
        )
        seats.append(seat)  # stopped at shutdown even when cancelled while registering
        await asyncio.to_thread(seat.start)
    await _place_calls(app, asterisk, calls)


async def _place_calls(app: web.Application, asterisk: AsteriskInstance, calls: list[DemoCall]) -> None:
    hotline = app[HOTLINE]
    await hotline.bridge.synced.wait()
    for staff, seat in zip(DEMO_SEAT_STAFF, DEMO_SEATS, strict=True):
        login = LogIn(StaffId(staff), hotline.settings.asterisk_name, f"PJSIP/{seat}", ())
        await hotline.agents.log_in(login)
    log.info("demo: seats %s logged in (签入) as %s", ", ".join(DEMO_SEATS), ", ".join(DEMO_SEAT_STAFF))
    speak_after = asterisk.greeting_seconds() + 5.0

    async def dial(call: DemoCall) -> bool:
        script = CallerScript(
            caller_number=call.caller_number, audio=call.audio, speak_after_s=speak_after, tail_s=30.0
        )
        result = await asyncio.to_thread(SippCaller(script, asterisk.settings.sip_port).run, 120)
        return result.answered

    for call in calls:
        await place_call(call, dial)
    log.info("demo: %d calls placed; drafts appear on the web page as the ASR worker finishes", len(calls))


async def place_call(call: DemoCall, dial: Callable[[DemoCall], Awaitable[bool]]) -> bool:
    """One citizen's call, logged as a real citizen's would be: the number masked (138****8001)."""
    caller = mask_number(call.caller_number)
    log.info("demo: citizen %s calls 12345 (%.0f s of speech)", caller, call.seconds)
    answered = await dial(call)
    log.info("demo: call from %s %s", caller, "answered" if answered else "not answered")
    return answered


DEMO_STAFF = (  # (login, name, role, unit): every demo account uses the admin password (var/admin_password)
    ("agent1", "话务员小王", Role.AGENT, None),
    ("agent2", "话务员小刘", Role.AGENT, None),
    ("dispatcher1", "派单员小李", Role.DISPATCHER, None),
    ("supervisor1", "督办员老张", Role.SUPERVISOR, None),
    ("dhm1", "东华门街道承办人", Role.UNIT_STAFF, "jd-110101001"),
    ("water1", "自来水集团承办人", Role.UNIT_STAFF, "bj-water"),
)
DEMO_ORDERS = (  # typed-in orders, so that the units' inboxes are not empty
    (
        "13600136001",
        "王府井大街18号院门口的垃圾三天没人清运了，请尽快处理。",
        "010101",
        "东城区王府井大街18号",
    ),
    ("13600136002", "我家停水两天了，请问什么时候恢复供水？", "020101", "西城区月坛南街"),
)


def demo_desk(settings_password: str) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup_ctx: the sample city's catalogue, demo accounts for every role, two dispatched orders."""

    async def ctx(app: web.Application) -> AsyncIterator[None]:
        hotline = app[HOTLINE]
        work, now = hotline.work, hotline.clock.now()
        await seed_sample_city(work, now)
        for login, name, role, unit in DEMO_STAFF:
            if await work.staff.get(login) is None:
                member = StaffMember(StaffId(login), name, role, UnitId(unit) if unit else None)
                await work.staff.add(member, settings_password, now)
        agent = Actor(StaffId("agent1"), Role.AGENT)
        for number, text, category, address in DEMO_ORDERS:
            classification = Classification(category_code=category, address=address)
            await work.orders.create(
                Registration(text, classification=classification), number, agent, AUTO_DISPATCH
            )
        log.info("demo: accounts %s (password: var/admin_password)", ", ".join(s[0] for s in DEMO_STAFF))
        yield

    return ctx
