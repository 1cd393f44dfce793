"""The missed-call list (漏接回拨) on PostgreSQL and SQLite, driven through the floor handler and the dialer
(a scripted originator stands in for Asterisk; tests/e2e/test_missed_calls_live.py dials for real)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.engine import create_engine
from callcenter.adapters.db.missed_calls import SqlMissedCalls
from callcenter.core.clock import FixedClock
from callcenter.core.errors import InvalidTransition, TelephonyUnavailable
from callcenter.core.ids import CallId
from callcenter.queue.events import CallerAbandoned, CallerAnswered, CallMeBackRequested, MissedCallLegEnded
from callcenter.queue.missed_calls.dial_policy import dial_policy
from callcenter.queue.missed_calls.ports import DialOrder, DialResult
from callcenter.queue.missed_calls.rules import AttemptOutcome, MissedCallPolicy, MissedCallState
from callcenter.queue.missed_calls.service import MissedCallDialer, MissedCallFloor, apply
from callcenter.queue.missed_calls.steps import retry_now

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
POLICY = MissedCallPolicy(max_attempts=2, retry_s=300, first_delay_s=0, lease_s=60)
CITIZEN = "13800138001"


def abandoned(
    entry: str, number: str = CITIZEN, queue: str = "hotline", at: datetime = T0
) -> CallerAbandoned:
    return CallerAbandoned("a", queue, entry, CallId(f"c-{entry}"), number, 20, 1, at)


def answered(entry: str, number: str, queue: str = "hotline", at: datetime = T0) -> CallerAnswered:
    return CallerAnswered("a", queue, entry, CallId(f"c-{entry}"), "PJSIP/agent1001", 3, at, number)


class ScriptedPhone:
    """The Originator port: answers each dial with the next scripted outcome."""

    def __init__(self, *outcomes: AttemptOutcome | Exception, reachable: bool = True) -> None:
        self.outcomes = list(outcomes)
        self.orders: list[DialOrder] = []
        self.up = reachable

    def reachable(self) -> list[str]:
        return ["a"] if self.up else []

    async def dial(self, order: DialOrder) -> DialResult:
        self.orders.append(order)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        await asyncio.sleep(0.01)
        return DialResult(outcome, {AttemptOutcome.ANSWERED: 4, AttemptOutcome.NO_ANSWER: 3}.get(outcome, 8))


def dialer(store: SqlMissedCalls, phone: ScriptedPhone, clock: FixedClock) -> MissedCallDialer:
    return MissedCallDialer(store, phone, clock, POLICY, poll_s=0.05, max_parallel=4)


async def one_round(d: MissedCallDialer) -> int:
    started = await d.run_once()
    await d.settle()
    return started


async def test_one_open_request_per_number_and_repeated_events_add_nothing(engine: AsyncEngine) -> None:
    store = SqlMissedCalls(engine)
    floor = MissedCallFloor(store, POLICY)
    await floor.handle(abandoned("e1"))
    await floor.handle(abandoned("e1"))  # the bridge retried the delivery
    await floor.handle(
        CallMeBackRequested("a", "hotline", "e2", CallId("c-e2"), f"+86{CITIZEN}", T0 + timedelta(seconds=30))
    )
    await floor.handle(abandoned("x", queue="hotline-callback"))  # a call-back leg, never a new request
    items = await store.listing()
    assert len(items) == 1
    request = items[0]
    assert (request.citizen_number, request.misses, request.reason.value) == (CITIZEN, 2, "requested")
    assert request.state is MissedCallState.PENDING and request.next_attempt_at == T0
    assert [m.entry_id for m in await store.sources(request.id or 0)] == ["e1", "e2"]


async def test_anonymous_and_short_numbers_are_recorded_as_not_callable(engine: AsyncEngine) -> None:
    store = SqlMissedCalls(engine)
    floor = MissedCallFloor(store, POLICY)
    await floor.handle(abandoned("e1", "anonymous"))
    await floor.handle(abandoned("e2", "anonymous"))
    await floor.handle(abandoned("e3", "1001"))
    items = await store.listing()
    assert [r.state for r in items] == [MissedCallState.NOT_CALLABLE] * 3
    assert await store.due(T0 + timedelta(days=1), 10) == []


async def test_no_answer_is_retried_then_failed_with_every_attempt_recorded(engine: AsyncEngine) -> None:
    store, clock = SqlMissedCalls(engine), FixedClock(T0)
    await MissedCallFloor(store, POLICY).handle(abandoned("e1"))
    phone = ScriptedPhone(AttemptOutcome.NO_ANSWER, AttemptOutcome.BUSY)
    d = dialer(store, phone, clock)
    assert await one_round(d) == 1
    (request,) = await store.listing()
    assert request.state is MissedCallState.RETRY_WAIT and request.next_attempt_at == T0 + timedelta(
        seconds=300
    )
    assert await one_round(d) == 0  # not due yet
    clock.set(T0 + timedelta(seconds=300))
    assert await one_round(d) == 1
    (request,) = await store.listing()
    assert request.state is MissedCallState.FAILED and request.attempts == 2
    assert [(a.number, a.outcome, a.reason_code) for a in request.history] == [
        (1, AttemptOutcome.NO_ANSWER, 3),
        (2, AttemptOutcome.BUSY, 8),
    ]
    assert [o.number for o in phone.orders] == [CITIZEN, CITIZEN]
    assert len({o.channel_id for o in phone.orders}) == 2


async def test_answered_then_connected_through_the_call_back_queue(engine: AsyncEngine) -> None:
    store, clock = SqlMissedCalls(engine), FixedClock(T0)
    floor = MissedCallFloor(store, POLICY)
    await floor.handle(abandoned("e1"))
    phone = ScriptedPhone(AttemptOutcome.ANSWERED)
    await one_round(dialer(store, phone, clock))
    leg = phone.orders[0].channel_id
    assert (await store.by_channel(leg)) is not None
    assert (await store.listing())[0].state is MissedCallState.ANSWERED
    await floor.handle(answered(leg, CITIZEN, queue="hotline-callback", at=T0 + timedelta(seconds=9)))
    await floor.handle(MissedCallLegEnded("a", leg, "1", "PJSIP/agent1001", T0 + timedelta(seconds=60)))
    (request,) = await store.listing()
    assert request.state is MissedCallState.DONE and request.outcome is AttemptOutcome.CONNECTED
    assert request.agent == "PJSIP/agent1001"
    assert request.history[0].ended_at == T0 + timedelta(seconds=9)


async def test_answered_then_hung_up_before_an_agent(engine: AsyncEngine) -> None:
    store, clock = SqlMissedCalls(engine), FixedClock(T0)
    floor = MissedCallFloor(store, POLICY)
    await floor.handle(abandoned("e1"))
    phone = ScriptedPhone(AttemptOutcome.ANSWERED)
    await one_round(dialer(store, phone, clock))
    await floor.handle(
        MissedCallLegEnded("a", phone.orders[0].channel_id, "1", "", T0 + timedelta(seconds=4))
    )
    (request,) = await store.listing()
    assert request.state is MissedCallState.DONE and request.outcome is AttemptOutcome.HUNG_UP


async def test_a_later_answered_call_of_the_number_cancels_its_request(engine: AsyncEngine) -> None:
    store = SqlMissedCalls(engine)
    floor = MissedCallFloor(store, POLICY)
    await floor.handle(abandoned("e1"))
    await floor.handle(answered("e9", "0000000", at=T0 + timedelta(minutes=1)))  # someone else
    assert (await store.listing())[0].state is MissedCallState.PENDING
    await floor.handle(answered("e2", CITIZEN, at=T0 + timedelta(minutes=2)))
    await floor.handle(answered("e2", CITIZEN, at=T0 + timedelta(minutes=2)))  # repeated
    (request,) = await store.listing()
    assert request.state is MissedCallState.CANCELLED and request.close_reason == "answered_inbound"
    await floor.handle(abandoned("e3", at=T0 + timedelta(minutes=3)))  # a new miss: a new request
    assert [r.state for r in await store.listing()] == [MissedCallState.PENDING, MissedCallState.CANCELLED]


async def test_ami_down_nothing_is_dialled_and_the_request_stays_pending(engine: AsyncEngine) -> None:
    store, clock = SqlMissedCalls(engine), FixedClock(T0)
    await MissedCallFloor(store, POLICY).handle(abandoned("e1"))
    phone = ScriptedPhone(
        TelephonyUnavailable("AMI a is not connected"), AttemptOutcome.NO_ANSWER, reachable=False
    )
    d = dialer(store, phone, clock)
    assert await one_round(d) == 0 and phone.orders == []
    phone.up = True  # reachable, but the link drops as the Originate goes out
    assert await one_round(d) == 1
    (request,) = await store.listing()
    assert request.state is MissedCallState.PENDING and request.attempts == 0 and request.history == ()
    clock.set(T0 + timedelta(seconds=5))
    assert await one_round(d) == 1
    (request,) = await store.listing()
    assert request.state is MissedCallState.RETRY_WAIT and request.attempts == 1


async def test_two_app_processes_never_dial_the_same_request_twice(database_url: str) -> None:
    engines = [create_engine(database_url), create_engine(database_url)]
    try:
        stores = [SqlMissedCalls(e) for e in engines]
        clock = FixedClock(T0)
        floor = MissedCallFloor(stores[0], POLICY)
        for n in range(6):
            await floor.handle(abandoned(f"e{n}", f"1380013800{n}"))
        phones = [ScriptedPhone(*[AttemptOutcome.NO_ANSWER] * 6) for _ in stores]
        dialers = [dialer(s, p, clock) for s, p in zip(stores, phones, strict=True)]
        for _ in range(3):
            await asyncio.gather(*(d.run_once() for d in dialers))
            await asyncio.gather(*(d.settle() for d in dialers))
        dialled = [o.number for p in phones for o in p.orders]
        assert sorted(dialled) == sorted(f"1380013800{n}" for n in range(6))
        assert all(r.attempts == 1 for r in await stores[0].listing())
    finally:
        for e in engines:
            await e.dispose()


async def test_misses_of_one_number_from_two_processes_make_one_request(database_url: str) -> None:
    engines = [create_engine(database_url), create_engine(database_url)]
    try:
        floors = [MissedCallFloor(SqlMissedCalls(e), POLICY) for e in engines]
        await asyncio.gather(*(f.handle(abandoned(f"e{i}")) for i, f in enumerate(floors)))
        (request,) = await SqlMissedCalls(engines[0]).listing()
        assert request.misses == 2
    finally:
        for e in engines:
            await e.dispose()


async def test_a_lost_dialer_claim_is_retried_after_its_lease(engine: AsyncEngine) -> None:
    store, clock = SqlMissedCalls(engine), FixedClock(T0)
    await MissedCallFloor(store, POLICY).handle(abandoned("e1"))
    (request,) = await store.due(T0, 10)
    from callcenter.queue.missed_calls.steps import claim

    await store.save(claim(request, T0, "lost-leg", "a", POLICY))  # a process that then died
    phone = ScriptedPhone(AttemptOutcome.NO_ANSWER)
    d = dialer(store, phone, clock)
    clock.set(T0 + timedelta(seconds=61))
    await one_round(d)
    (request,) = await store.listing()
    assert request.history[0].outcome is AttemptOutcome.LOST
    assert request.state is MissedCallState.RETRY_WAIT and phone.orders == []


async def test_reopening_is_refused_while_the_number_has_another_open_request(engine: AsyncEngine) -> None:
    store = SqlMissedCalls(engine)
    floor = MissedCallFloor(store, POLICY)
    await floor.handle(abandoned("e1"))
    (first,) = await store.listing()
    first = await store.save(replace(first, state=MissedCallState.FAILED, next_attempt_at=None))
    await floor.handle(abandoned("e2", at=T0 + timedelta(minutes=5)))
    with pytest.raises(InvalidTransition):
        await apply(store, first, lambda r: retry_now(r, "boss", T0, POLICY))


async def test_numbers_the_dial_policy_refuses_are_recorded_with_the_reason_and_never_dialled(
    engine: AsyncEngine,
) -> None:
    """Issue 11: no call-back to 00…, 400/800, service or premium numbers, nor anything not domestic."""
    store, clock = SqlMissedCalls(engine), FixedClock(T0)
    floor = MissedCallFloor(store, POLICY)
    for entry, number in (
        ("e1", "0044201234567"),
        ("e2", "4001234567"),
        ("e3", "96123456"),
        ("e4", "1680123"),
    ):
        await floor.handle(abandoned(entry, number))
    phone = ScriptedPhone()

    assert await one_round(dialer(store, phone, clock)) == 0

    assert phone.orders == []
    items = {r.citizen_number: r for r in await store.listing()}
    assert {n: (r.state.value, r.close_reason) for n, r in items.items()} == {
        "0044201234567": ("not_callable", "international"),
        "4001234567": ("not_callable", "toll_free"),
        "96123456": ("not_callable", "service"),
        "1680123": ("not_callable", "premium"),
    }


async def test_a_waiting_request_is_checked_again_before_it_is_dialled(engine: AsyncEngine) -> None:
    """A policy tightened after the miss (here: mobiles only) holds for requests already waiting."""
    store, clock = SqlMissedCalls(engine), FixedClock(T0)
    await MissedCallFloor(store, POLICY).handle(abandoned("e1", "01012345678"))
    mobiles_only = replace(POLICY, dial=dial_policy("mobile=1[3-9][0-9]{9}", ""))
    phone = ScriptedPhone()

    assert await one_round(MissedCallDialer(store, phone, clock, mobiles_only, poll_s=0.05)) == 0

    assert phone.orders == []
    (request,) = await store.listing()
    assert (request.state, request.close_reason, request.closed_by) == (
        MissedCallState.NOT_CALLABLE,
        "not_domestic",
        "system",
    )
    with pytest.raises(InvalidTransition):  # a supervisor cannot reopen it either
        await apply(store, request, lambda r: retry_now(r, "supervisor1", T0, POLICY))
