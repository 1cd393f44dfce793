"""Automated 回访 end to end: the whole hotline (composition root, AMI bridge, survey campaign, the AMI
survey dialer with the intro in the hotline's voice) against a real Asterisk 22. A unit replies to a work
order; the campaign calls the citizen through the outbound trunk; the citizen's phone (sipp on the
trunk's loopback contact) answers and keys 3 and gives a reason, or says 满意 (Mandarin speech in the
natural voice, recognised by the hotline's Whisper), or is busy. The order is reopened, closed, or the
survey waits for its retry — and every attempt is stored on the survey and on the order's trail.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile

from callcenter.adapters.asterisk import AsteriskInstance
from callcenter.adapters.voice.audio import samples_of
from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.ivr.voice import VoiceChoice
from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders.record import CitizenContact
from callcenter.ticketing.orders.registration import Registration
from callcenter.ticketing.orders.workorder import Classification, WorkOrder
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.surveys.model import ANSWERED, AttemptOutcome, Survey, SurveyState
from callcenter.wiring.workorders import seed_sample_city
from callcenter_sim.phones.citizen import CitizenPhone
from callcenter_sim.phones.pcap import write_answer_pcap
from tests.support.hotline import RunningHotline
from tests.support.voice import natural_voice

pytestmark = [pytest.mark.asterisk, pytest.mark.slow, pytest.mark.usefixtures("redis_streams_cleanup")]

StartHotline = Callable[..., Awaitable[RunningHotline]]
AGENT = Actor(StaffId("agent1"), Role.AGENT)
UNIT = Actor(StaffId("dhm1"), Role.UNIT_STAFF, UnitId("jd-110101001"))  # 东华门街道 of the sample city
CITIZEN = "13800138777"
SURVEY_WAIT_S = 150.0
RULES = """
[survey]
first_delay_minutes = 0
calling_hours = ["00:00-23:59"]
call_on_days_off = true
max_attempts = 2
retry_gaps_minutes = [60]
"""


@pytest.fixture
def citizen(asterisk: AsteriskInstance, tmp_path: Path) -> Iterator[CitizenPhone]:
    phone = CitizenPhone(asterisk.settings.pstn_outbound_uri, tmp_path / "citizen")
    yield phone
    phone.stop()


async def surveying_hotline(start_hotline: StartHotline, tmp_path: Path) -> RunningHotline:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    running = await start_hotline(survey_calls=1, rules_file=str(rules))
    await seed_sample_city(running.hotline.work, running.hotline.clock.now())
    return running


async def replied_order(running: RunningHotline) -> WorkOrder:
    orders = running.hotline.work.orders
    registration = Registration(
        request_text="东华门大街的垃圾三天没有清运了，味道很大，请尽快处理。",
        summary="东华门大街垃圾清运问题",
        citizen=CitizenContact("王女士", CITIZEN),
        classification=Classification(category_code="010101", address="东城区东华门大街"),
    )
    created = await orders.create(registration, CITIZEN, AGENT, c.DispatchTicket(UnitId("jd-110101001")))
    order = created.order
    for command in (c.AcknowledgeTicket(), c.StartHandling(), c.ReplyTicket("已安排环卫清运，当天完成。")):
        order = await orders.act(order.life.id, order.version, command, UNIT)
    return order


async def called(running: RunningHotline, order: WorkOrder) -> Survey:
    """The order's survey once its first call is over (an attempt with an outcome)."""
    surveys = running.hotline.surveys
    assert surveys is not None and surveys.campaign is not None, "the survey dialer is not wired"

    async def done() -> Survey | None:
        found = await surveys.store.for_ticket(order.life.id)
        last = found[0].history[-1] if found and found[0].history else None
        if last is None or last.outcome is None:
            return None
        return found[0] if last.applied or last.outcome not in ANSWERED else None

    survey: Survey = await running.wait_for(done, SURVEY_WAIT_S, "the survey call's outcome")
    return survey


def spoken(text: str, path: Path, speak_at_s: float, keys: list[tuple[float, str]]) -> Path:
    """The citizen's side: ``text`` in the natural voice at ``speak_at_s``, keys, and silence around."""
    speech = natural_voice().synthesize(text, VoiceChoice("zf_xiaoxiao", 1.0, 8000))
    pcm = (np.clip(samples_of(speech), -1.0, 1.0) * 32767).astype(np.int16)
    soundfile.write(path.with_suffix(".wav"), pcm, 8000)  # kept beside the pcap for a post-mortem
    write_answer_pcap(path, speak_at_s + len(pcm) / 8000 + 8.0, keys, pcm, speak_at_s)
    return path


async def test_key_3_reopens_the_order_to_the_unit_with_the_citizens_reason(
    start_hotline: StartHotline, citizen: CitizenPhone, asterisk: AsteriskInstance, tmp_path: Path
) -> None:
    reason_prompt = soundfile.info(asterisk.host_path(asterisk.layout.sounds_dir / "survey_reason.wav"))
    speak_at = 1.5 + 0.2 + float(reason_prompt.duration) + 1.0  # key 3 cuts the intro; prompt; beep
    pcap = await asyncio.to_thread(
        spoken, "垃圾还是没有人来清运，我不满意。", tmp_path / "reason.pcap", speak_at, [(1.5, "3")]
    )
    citizen.start("answer", pcap=pcap)
    running = await surveying_hotline(start_hotline, tmp_path)
    order = await replied_order(running)
    survey = await called(running, order)

    attempt = survey.history[-1]
    assert (attempt.outcome, attempt.key) == (AttemptOutcome.DISSATISFIED, "3"), citizen.diagnostics()
    assert "没有人" in attempt.reason, attempt  # its words, through Whisper-base (垃圾 may be misheard)
    assert attempt.recording.endswith(f"survey-{survey.id}-1-call.wav")
    assert citizen.dialled_numbers() == [CITIZEN]
    reopened = await running.hotline.work.orders.get(order.life.id, AGENT)
    assert reopened.life.status is TicketStatus.DISPATCHED and reopened.life.lead_unit == "jd-110101001"
    assert "没有人" in reopened.life.callback_attempts[-1].note


async def test_a_spoken_manyi_closes_the_order_as_satisfied(
    start_hotline: StartHotline, citizen: CitizenPhone, tmp_path: Path
) -> None:
    pcap = await asyncio.to_thread(spoken, "满意，挺好的。", tmp_path / "manyi.pcap", 6.0, [])
    citizen.start("answer", pcap=pcap)
    running = await surveying_hotline(start_hotline, tmp_path)
    order = await replied_order(running)
    survey = await called(running, order)

    attempt = survey.history[-1]
    heard = (attempt.outcome, attempt.key, attempt.words)
    assert (attempt.outcome, attempt.key) == (AttemptOutcome.SATISFIED, ""), (heard, citizen.diagnostics())
    assert "满意" in attempt.words
    closed = await running.hotline.work.orders.get(order.life.id, AGENT)
    assert closed.life.status is TicketStatus.CLOSED


async def test_a_busy_citizen_is_tried_again_later(
    start_hotline: StartHotline, citizen: CitizenPhone, tmp_path: Path
) -> None:
    citizen.start("busy")
    running = await surveying_hotline(start_hotline, tmp_path)
    order = await replied_order(running)
    survey = await called(running, order)

    assert [a.outcome for a in survey.history] == [AttemptOutcome.BUSY], citizen.diagnostics()
    assert survey.state is SurveyState.RETRY_WAIT and survey.next_attempt_at is not None
    assert survey.next_attempt_at > survey.history[-1].started_at  # the retry gap of the policy (60 minutes)
    still = await running.hotline.work.orders.get(order.life.id, AGENT)
    assert still.life.status is TicketStatus.REPLIED
