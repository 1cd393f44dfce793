"""Automated 回访 (issue 14) on PostgreSQL and SQLite: the scheduler files a survey when a unit replies or an
agent concludes on the call, the campaign places it through a fake of our own ``SurveyDialer`` port with an
injected clock, and the answer closes or reopens the real work order, every call on the order's audit
trail. (The Asterisk adapter, and tests through a real Asterisk, are the telephony side's.)"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.catalogue import load_seed
from callcenter.adapters.db.tables import tickets
from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.clock import FixedClock
from callcenter.core.errors import ConcurrentUpdate, TelephonyUnavailable
from callcenter.queue.missed_calls.dial_policy import DOMESTIC
from callcenter.ticketing.catalogue.gazetteer import AreaCode
from callcenter.ticketing.catalogue.model import HandlingUnit, UnitKind
from callcenter.ticketing.deadlines import RequestType
from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders.record import AnnotationKind, CallbackOutcome, CitizenContact
from callcenter.ticketing.orders.registration import Registration
from callcenter.ticketing.orders.workorder import Classification, WorkOrder
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.surveys.campaign import CATCH_UP_EVERY, PREPARE_BATCH, SurveyCampaign
from callcenter.ticketing.surveys.model import AttemptOutcome, Survey, SurveyState
from callcenter.ticketing.surveys.policy import Routing, SurveyPolicy
from callcenter.ticketing.surveys.ports import SurveyAnswer
from callcenter.wiring.surveys import SurveyParts, build_surveys
from callcenter.wiring.workorders import WorkOrderParts, build_work_orders, load_state
from tests.support.survey_dialer import FakeLiveCalls, FakeSurveyDialer
from tests.support.web import START, RecordingNotifier

AGENT = Actor(StaffId("agent1"), Role.AGENT)
UNIT = Actor(StaffId("unit-a"), Role.UNIT_STAFF, UnitId("jianguomen"))
CITIZEN = "13800138000"
POLICY = SurveyPolicy(first_delay_minutes=0, channels=4)  # START is Tuesday 10:00 in Shanghai


@dataclass
class Rig:
    work: WorkOrderParts
    surveys: SurveyParts
    dialer: FakeSurveyDialer
    live: FakeLiveCalls
    clock: FixedClock
    engine: AsyncEngine

    @property
    def campaign(self) -> SurveyCampaign:
        assert self.surveys.campaign is not None
        return self.surveys.campaign

    def another_process(self) -> SurveyCampaign:
        """A second app process on the same database (its own work-order service and campaign)."""
        work = build_work_orders(self.engine, RecordingNotifier(), self.clock, Path(tempfile.mkdtemp()))
        work.orders.use_calendar(self.work.orders.calendar)
        other = build_surveys(self.engine, work.orders, self.clock, POLICY, self.dialer, live=self.live)
        assert other.campaign is not None
        return other.campaign


async def rig(
    engine: AsyncEngine,
    *script: AttemptOutcome | SurveyAnswer | BaseException,
    policy: SurveyPolicy = POLICY,
    refusal: Callable[[str], str | None] | None = None,
) -> Rig:
    clock = FixedClock(START)
    work = build_work_orders(engine, RecordingNotifier(), clock, Path(tempfile.mkdtemp(prefix="cc-att-")))
    await work.catalogue_store.seed(load_seed(), START)
    await work.dispatch_catalogue.put_unit(
        HandlingUnit(
            UnitId("jianguomen"), "建国门街道办事处", UnitKind.STREET_OFFICE, AreaCode("110101001000")
        )
    )
    await load_state(work)
    dialer, live = FakeSurveyDialer(*script), FakeLiveCalls()
    surveys = build_surveys(engine, work.orders, clock, policy, dialer, live=live, refusal=refusal)
    return Rig(work, surveys, dialer, live, clock, engine)


def registration(**kw: object) -> Registration:
    base = Registration(
        request_text="王府井大街的垃圾三天没有清运了，味道很大，请尽快处理。",
        summary="王府井大街垃圾清运问题",
        citizen=CitizenContact("王女士", CITIZEN),
        classification=Classification(
            category_code="0501", address="王府井大街", request_type=RequestType.REQUEST
        ),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


async def replied(r: Rig, **kw: object) -> WorkOrder:
    created = await r.work.orders.create(
        registration(**kw), CITIZEN, AGENT, c.DispatchTicket(UnitId("jianguomen"))
    )
    order = created.order
    for command in (c.AcknowledgeTicket(), c.StartHandling(), c.ReplyTicket("已安排环卫清运，当天完成。")):
        order = await r.work.orders.act(order.life.id, order.version, command, UNIT)
    return order


async def survey_of(r: Rig, order: WorkOrder) -> Survey:
    (survey,) = await r.surveys.store.for_ticket(order.life.id)
    return survey


async def one_round(campaign: SurveyCampaign) -> int:
    started = await campaign.run_once()
    await campaign.settle()
    return started


async def trail(r: Rig, order: WorkOrder) -> list[str]:
    return [t["action"] for t in await r.work.store.trail(order.life.id)]


async def test_a_reply_files_one_survey_with_the_prompt_naming_the_matter(engine: AsyncEngine) -> None:
    r = await rig(engine)
    order = await replied(r)
    survey = await survey_of(r, order)
    assert (survey.state, survey.round, survey.unit, survey.next_attempt_at) == (
        SurveyState.PENDING,
        1,
        "jianguomen",
        START,
    )
    assert survey.prompt.startswith(
        "您好，这里是12345热线，您于十一月二十四日反映的王府井大街垃圾清运问题，承办单位已办理回复"
    )
    trail_events = await r.work.store.trail(order.life.id)
    assert trail_events[-1]["action"] == "reply"
    await r.work.orders.act_all(order.life.id, order.version, (), AGENT)  # nothing to do: nothing saved
    assert len(await r.surveys.store.for_ticket(order.life.id)) == 1


async def test_a_repeated_conclusion_files_nothing_more(engine: AsyncEngine) -> None:
    r = await rig(engine)
    created = await r.work.orders.create(registration(), CITIZEN, AGENT)
    order = await r.work.orders.act(
        created.order.life.id, created.order.version, c.ResolveOnCall("已告知办理地点"), AGENT
    )
    (survey,) = await r.surveys.store.for_ticket(order.life.id)
    assert (survey.round, survey.trigger.value, survey.unit) == (0, "resolved_on_call", None)
    assert "热线已为您解答" in survey.prompt
    assert await r.surveys.store.create(replace(survey, id=None)) is None  # one survey per round


async def test_satisfied_by_key_closes_the_order_and_every_call_is_on_the_trail(engine: AsyncEngine) -> None:
    r = await rig(engine, SurveyAnswer(AttemptOutcome.SATISFIED, key="1", recording="/rec/sv-1.wav"))
    order = await replied(r)
    assert await one_round(r.campaign) == 1
    (call,) = r.dialer.calls
    assert (call.citizen_number, call.attempt, call.server) == (CITIZEN, 1, "a")
    assert "王府井大街垃圾清运问题" in call.prompt
    survey = await survey_of(r, order)
    assert (survey.state, survey.outcome) == (SurveyState.DONE, AttemptOutcome.SATISFIED)
    (attempt,) = survey.history
    assert (attempt.key, attempt.recording, attempt.applied) == ("1", "/rec/sv-1.wav", True)
    closed = await r.work.orders.get(order.life.id, AGENT)
    assert closed.life.status is TicketStatus.CLOSED
    assert (await trail(r, order))[-3:] == ["survey_call", "schedule_callback", "callback_satisfied"]


async def test_basically_satisfied_closes_with_its_own_value(engine: AsyncEngine) -> None:
    r = await rig(engine, AttemptOutcome.BASIC_SATISFIED)
    order = await replied(r)
    await one_round(r.campaign)
    closed = await r.work.orders.get(order.life.id, AGENT)
    assert closed.life.status is TicketStatus.CLOSED
    assert closed.life.callback_attempts[-1].outcome is CallbackOutcome.BASIC_SATISFIED


async def test_dissatisfied_reopens_to_the_same_unit_with_the_citizens_words_for_supervision(
    engine: AsyncEngine,
) -> None:
    r = await rig(engine, SurveyAnswer(AttemptOutcome.DISSATISFIED, key="3", reason="垃圾还是没人清运"))
    order = await replied(r)
    await one_round(r.campaign)
    reopened = await r.work.orders.get(order.life.id, AGENT)
    assert reopened.life.status is TicketStatus.DISPATCHED and reopened.life.lead_unit == "jianguomen"
    assert "垃圾还是没人清运" in reopened.life.callback_attempts[-1].note
    (annotation,) = reopened.life.annotations
    assert annotation.kind is AnnotationKind.SUPERVISION and "垃圾还是没人清运" in annotation.entry.text
    assert (await trail(r, order))[-4:] == [
        "survey_call",
        "schedule_callback",
        "callback_dissatisfied",
        "supervise",
    ]


async def test_no_answer_is_retried_on_schedule_then_goes_to_the_manual_list(engine: AsyncEngine) -> None:
    r = await rig(engine, AttemptOutcome.NO_ANSWER, AttemptOutcome.BUSY, AttemptOutcome.HUNG_UP)
    order = await replied(r)
    assert await one_round(r.campaign) == 1
    survey = await survey_of(r, order)
    assert (survey.state, survey.next_attempt_at) == (SurveyState.RETRY_WAIT, START + timedelta(hours=1))
    r.clock.set(START + timedelta(minutes=59))
    assert await one_round(r.campaign) == 0  # not yet
    r.clock.set(START + timedelta(hours=1))
    assert await one_round(r.campaign) == 1
    survey = await survey_of(r, order)
    assert survey.next_attempt_at == START + timedelta(hours=4)  # 11:00 + 3 h = 14:00, after the lunch break
    r.clock.set(START + timedelta(hours=4))
    assert await one_round(r.campaign) == 1
    survey = await survey_of(r, order)
    assert (survey.state, survey.note, survey.attempts) == (SurveyState.MANUAL, "attempts_used", 3)
    assert [a.outcome for a in survey.history] == [
        AttemptOutcome.NO_ANSWER,
        AttemptOutcome.BUSY,
        AttemptOutcome.HUNG_UP,
    ]
    on_list = await r.work.orders.get(order.life.id, AGENT)
    assert on_list.life.status is TicketStatus.CALLBACK_PENDING  # the manual 回访 list agents work from
    assert (await trail(r, order)).count("survey_call") == 3
    r.clock.set(START + timedelta(days=1))
    assert await one_round(r.campaign) == 0 and len(r.dialer.calls) == 3


async def test_no_key_and_no_word_is_retried(engine: AsyncEngine) -> None:
    r = await rig(engine, SurveyAnswer(AttemptOutcome.NO_INPUT, key="9"))
    order = await replied(r)
    await one_round(r.campaign)
    survey = await survey_of(r, order)
    assert (survey.state, survey.history[0].key) == (SurveyState.RETRY_WAIT, "9")
    assert (await r.work.orders.get(order.life.id, AGENT)).life.status is TicketStatus.REPLIED


async def test_a_number_that_does_not_route_goes_to_the_manual_list_at_once(engine: AsyncEngine) -> None:
    r = await rig(engine, AttemptOutcome.FAILED)
    order = await replied(r)
    await one_round(r.campaign)
    survey = await survey_of(r, order)
    assert (survey.state, survey.note) == (SurveyState.MANUAL, "number_failed")


async def test_while_the_telephony_is_down_surveys_wait(engine: AsyncEngine) -> None:
    r = await rig(engine, TelephonyUnavailable("AMI down"), AttemptOutcome.SATISFIED)
    order = await replied(r)
    r.dialer.up = False
    assert await one_round(r.campaign) == 0 and r.dialer.calls == []
    r.dialer.up = True
    assert await one_round(r.campaign) == 1  # sent into an AMI that just went away: not counted
    survey = await survey_of(r, order)
    assert (survey.state, survey.attempts, survey.history) == (SurveyState.PENDING, 0, ())
    r.clock.set(START + timedelta(minutes=1))
    await one_round(r.campaign)
    assert (await survey_of(r, order)).state is SurveyState.DONE


async def test_a_citizen_on_a_call_with_the_hotline_gets_no_survey_call_meanwhile(
    engine: AsyncEngine,
) -> None:
    r = await rig(engine, AttemptOutcome.SATISFIED)
    order = await replied(r)
    r.live.numbers.add(CITIZEN)
    assert await one_round(r.campaign) == 0 and r.dialer.calls == []
    survey = await survey_of(r, order)
    assert (survey.state, survey.attempts) == (SurveyState.PENDING, 0)
    assert survey.next_attempt_at == START + timedelta(minutes=POLICY.on_call_delay_minutes)
    r.live.numbers.clear()
    r.clock.set(START + timedelta(minutes=15))
    assert await one_round(r.campaign) == 1


async def test_two_processes_never_place_the_same_survey(engine: AsyncEngine) -> None:
    r = await rig(engine, *([AttemptOutcome.SATISFIED] * 6))
    orders = [await replied(r) for _ in range(6)]
    other = r.another_process()
    for _ in range(3):  # each process takes up to its 4 channels a round, both at once
        await asyncio.gather(r.campaign.run_once(), other.run_once())
        await asyncio.gather(r.campaign.settle(), other.settle())
    placed = sorted(call.survey_id for call in r.dialer.calls)
    assert len(placed) == len(set(placed)) == 6
    for order in orders:
        assert (await survey_of(r, order)).state is SurveyState.DONE


async def test_a_restart_mid_campaign_loses_and_duplicates_nothing(engine: AsyncEngine) -> None:
    r = await rig(engine, AttemptOutcome.SATISFIED, AttemptOutcome.SATISFIED)
    first, second = await replied(r), await replied(r)
    r.dialer.hold = asyncio.Event()
    assert await r.campaign.run_once() == 2
    await asyncio.sleep(0)
    await r.campaign.close()  # the process stops mid-call: the calls are hung up
    assert len(r.dialer.hung_up) == 2
    r.dialer.hold = None
    restarted = r.another_process()
    assert await one_round(restarted) == 0  # still leased: not placed twice
    r.clock.set(START + timedelta(seconds=POLICY.lease_seconds + 1))
    await one_round(restarted)  # lease expired: the attempt is lost, retried after the gap
    for order in (first, second):
        survey = await survey_of(r, order)
        assert (survey.state, survey.history[0].outcome) == (SurveyState.RETRY_WAIT, AttemptOutcome.LOST)
    r.clock.set(START + timedelta(hours=1, minutes=30))  # 11:30, after the gap, in the calling hours
    assert await one_round(restarted) == 2
    for order in (first, second):
        assert (await survey_of(r, order)).state is SurveyState.DONE
    assert len(r.dialer.calls) == 4


async def test_pause_resume_and_live_concurrency(engine: AsyncEngine) -> None:
    r = await rig(engine, *([AttemptOutcome.SATISFIED] * 3))
    for _ in range(3):
        await replied(r)
    await r.surveys.desk.pause("supervisor1")
    assert await one_round(r.campaign) == 0
    await r.surveys.desk.resume("supervisor1")
    settings = await r.surveys.desk.set_channels(1, "supervisor1")
    assert (settings.paused, settings.channels) == (False, 1)
    r.dialer.hold = asyncio.Event()
    assert await r.campaign.run_once() == 1
    assert await r.campaign.run_once() == 0  # the one channel is busy
    r.dialer.hold.set()
    await r.campaign.settle()
    r.dialer.hold = None
    await r.surveys.desk.set_channels(4, "supervisor1")
    assert await one_round(r.campaign) == 2
    today = await r.surveys.desk.campaign()
    assert (today.placed, today.answered, today.satisfied, today.due, today.channels) == (3, 3, 3, 0, 4)


async def test_a_confidential_order_goes_to_the_manual_list_by_default(engine: AsyncEngine) -> None:
    r = await rig(engine, policy=SurveyPolicy(first_delay_minutes=0, confidential=Routing.MANUAL))
    order = await replied(r, confidential=True, privacy_confirmed=True)
    survey = await survey_of(r, order)
    assert (survey.state, survey.note, survey.prompt) == (SurveyState.MANUAL, "confidential", "")


async def test_a_citizen_who_declined_is_skipped(engine: AsyncEngine) -> None:
    r = await rig(engine)
    await r.surveys.control.decline(CITIZEN, "agent1", START)
    order = await replied(r)
    assert (await survey_of(r, order)).state is SurveyState.SKIPPED


async def test_an_answer_not_yet_on_its_order_is_applied_once_by_the_next_round(engine: AsyncEngine) -> None:
    r = await rig(engine, AttemptOutcome.SATISFIED)
    order = await replied(r)
    await one_round(r.campaign)
    survey = await survey_of(r, order)
    unapplied = replace(survey, history=tuple(replace(a, applied=False) for a in survey.history))
    await r.surveys.store.save(unapplied)  # as if the process died between the two saves
    await one_round(r.campaign)
    closed = await r.work.orders.get(order.life.id, AGENT)
    assert len(closed.life.callback_attempts) == 1 and closed.life.status is TicketStatus.CLOSED
    assert all(a.applied for a in (await survey_of(r, order)).history)


async def test_an_order_closed_by_hand_cancels_its_waiting_survey(engine: AsyncEngine) -> None:
    r = await rig(engine)
    order = await replied(r)
    order = await r.work.orders.act(order.life.id, order.version, c.ScheduleCallbackSurvey(), AGENT)
    await r.work.orders.act(order.life.id, order.version, c.RecordCallback(CallbackOutcome.SATISFIED), AGENT)
    assert await one_round(r.campaign) == 0 and r.dialer.calls == []
    survey = await survey_of(r, order)
    assert (survey.state, survey.note) == (SurveyState.CANCELLED, "order_moved")


@pytest.mark.parametrize("outcome", [AttemptOutcome.SATISFIED, AttemptOutcome.DISSATISFIED])
async def test_figures_per_day_and_unit(engine: AsyncEngine, outcome: AttemptOutcome) -> None:
    r = await rig(engine, AttemptOutcome.NO_ANSWER, outcome)
    order = await replied(r)
    await one_round(r.campaign)
    r.clock.set(START + timedelta(hours=1))
    await one_round(r.campaign)
    day = START.date()
    (row,) = await r.surveys.desk.coverage(day, day)
    assert (row.unit, row.concluded, row.surveyed, row.placed, row.answered) == ("jianguomen", 1, 1, 2, 1)
    assert row.survey_rate == 1.0 and row.answer_rate == 0.5
    assert (row.satisfied_rate, row.dissatisfied_rate) == (
        (1.0, 0.0) if outcome is AttemptOutcome.SATISFIED else (0.0, 1.0)
    )
    assert order.life.id


async def test_surveys_due_while_paused_wait_for_the_next_calling_hours(engine: AsyncEngine) -> None:
    r = await rig(engine, AttemptOutcome.SATISFIED)
    order = await replied(r)
    await r.surveys.desk.pause("supervisor1")
    r.clock.set(START + timedelta(hours=11))  # 21:00 in Shanghai: past the calling hours
    await r.surveys.desk.resume("supervisor1")
    assert await one_round(r.campaign) == 0 and r.dialer.calls == []
    r.clock.set(START + timedelta(hours=23))  # 09:00 next morning
    assert await one_round(r.campaign) == 1
    assert (await survey_of(r, order)).state is SurveyState.DONE


async def test_a_dialer_that_breaks_leaves_the_survey_to_its_lease(engine: AsyncEngine) -> None:
    r = await rig(engine, RuntimeError("adapter bug"), AttemptOutcome.SATISFIED)
    order = await replied(r)
    assert await one_round(r.campaign) == 1
    assert (await survey_of(r, order)).state is SurveyState.DIALING
    r.clock.set(START + timedelta(seconds=POLICY.lease_seconds + 1))
    await one_round(r.campaign)
    survey = await survey_of(r, order)
    assert (survey.state, survey.history[0].outcome) == (SurveyState.RETRY_WAIT, AttemptOutcome.LOST)


async def test_a_survey_the_listener_missed_is_filed_by_the_next_round(engine: AsyncEngine) -> None:
    r = await rig(engine, AttemptOutcome.SATISFIED)
    unheard = build_work_orders(engine, RecordingNotifier(), r.clock, Path(tempfile.mkdtemp()))
    await load_state(unheard)  # a work-order service nobody follows: as if the process died in between
    order = await replied(replace(r, work=unheard))
    assert await r.surveys.store.for_ticket(order.life.id) == []
    assert await one_round(r.campaign) == 1
    survey = await survey_of(r, order)
    assert (survey.round, survey.concluded_at, survey.state) == (1, START, SurveyState.DONE)
    assert await r.surveys.store.unsurveyed(START - timedelta(days=1), 10) == []


async def test_a_stale_write_of_a_survey_is_refused(engine: AsyncEngine) -> None:
    r = await rig(engine)
    order = await replied(r)
    survey = await survey_of(r, order)
    await r.surveys.store.save(replace(survey, note="x"))
    with pytest.raises(ConcurrentUpdate):
        await r.surveys.store.save(replace(survey, note="y"))
    assert (await survey_of(r, order)).note == "x"


async def test_a_number_removed_meanwhile_hands_the_survey_to_the_manual_list(engine: AsyncEngine) -> None:
    r = await rig(engine)
    order = await replied(r)
    async with engine.begin() as conn:  # the number removed by hand in the database (no command does it)
        await conn.execute(
            update(tickets).where(tickets.c.id == order.life.id).values(citizen_phone="", caller_number="")
        )
    assert await one_round(r.campaign) == 0 and r.dialer.calls == []
    survey = await survey_of(r, order)
    assert (survey.state, survey.note) == (SurveyState.MANUAL, "no_number")
    assert (await r.work.orders.get(order.life.id, AGENT)).life.status is TicketStatus.CALLBACK_PENDING


async def test_a_number_the_dial_policy_refuses_is_never_dialled_but_handed_to_the_manual_list(
    engine: AsyncEngine,
) -> None:
    """The same dial policy as the missed-call call-back: a 400 number (a company's line), say."""
    r = await rig(engine, refusal=DOMESTIC.refusal)
    refused = await replied(r, citizen=CitizenContact("王女士", "4008123456"))
    assert (await survey_of(r, refused)).note == "not_callable"  # filed straight to the manual list
    allowed = await replied(
        r, summary="建国门内大街路灯不亮", request_text="建国门内大街的路灯坏了好几天了。"
    )
    async with engine.begin() as conn:  # the number edited to an international one after the survey was filed
        await conn.execute(
            update(tickets).where(tickets.c.id == allowed.life.id).values(citizen_phone="00442079460000")
        )
    assert await one_round(r.campaign) == 0 and r.dialer.calls == []
    for order in (refused, allowed):
        survey = await survey_of(r, order)
        assert (survey.state, survey.note) == (SurveyState.MANUAL, "not_callable"), survey


async def test_intros_of_surveys_due_later_are_made_ahead_once_and_a_failure_loses_nothing(
    engine: AsyncEngine,
) -> None:
    """With the natural voice an intro takes seconds of CPU: made as surveys are filed, not when the
    calling hours open. Here a survey is due in two hours (first_delay_minutes=120)."""
    r = await rig(engine, policy=SurveyPolicy(first_delay_minutes=120, channels=4))
    order = await replied(r)
    survey = await survey_of(r, order)
    assert await one_round(r.campaign) == 0 and r.dialer.calls == []  # not due yet
    assert [(p.ticket_id, p.round, p.prompt) for p in r.dialer.prepared] == [
        (order.life.id, survey.round, survey.prompt)
    ]
    await one_round(r.campaign)
    assert len(r.dialer.prepared) == 1  # made once

    r.dialer.prepare_fails = True  # the voice broken: logged, the call will make its speech itself
    other = await replied(r, summary="建国门内大街路灯不亮", request_text="建国门内大街的路灯坏了好几天了。")
    for _ in range(CATCH_UP_EVERY + 1):  # nothing new was found: the campaign looks again a minute later
        await one_round(r.campaign)
    assert [p.ticket_id for p in r.dialer.prepared] == [order.life.id, other.life.id]
    r.clock.set(START + timedelta(hours=4, minutes=1))  # 14:01, after the lunch break
    assert await one_round(r.campaign) == 2 and len(r.dialer.calls) == 2


async def test_intros_are_made_past_the_first_batch(engine: AsyncEngine) -> None:
    r = await rig(engine, policy=SurveyPolicy(first_delay_minutes=120, channels=4))
    orders = [
        await replied(r, summary=f"第{n}条街路灯不亮", request_text=f"建国门内第{n}条街的路灯坏了好几天了。")
        for n in range(PREPARE_BATCH + 3)
    ]
    await one_round(r.campaign)
    await one_round(r.campaign)
    assert sorted(p.ticket_id for p in r.dialer.prepared) == sorted(o.life.id for o in orders)
