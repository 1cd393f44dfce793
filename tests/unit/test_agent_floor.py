"""The seat floor handler with hand-written fakes: after-call work on an injected clock, coalesced writes,
rebuilds after a resync and after the store lost its keys."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from callcenter.core.clock import FixedClock
from callcenter.core.errors import TelephonyUnavailable
from callcenter.core.ids import CallId
from callcenter.queue.events import (
    CallCompleted,
    CallerAnswered,
    FloorResynced,
    MemberAdded,
    MemberPaused,
)
from callcenter.queue.live import DeviceStatus, MemberState, QueueSnapshot
from callcenter.queue.seats.agent_floor import AgentFloor
from callcenter.queue.seats.agent_session import AgentSession, Skill
from callcenter.queue.seats.agents import AgentActivity, SeatKey, SeatState

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
SEAT = "PJSIP/agent1001"
QUEUES = ("hotline", "hotline-callback")
WRAPUP = 10


class FakeStore:
    def __init__(self) -> None:
        self.live: dict[SeatKey, SeatState] = {}
        self.sessions: list[AgentSession] = []
        self.batches = 0
        self.rebuilds = 0
        self.epoch = False

    async def intact(self) -> bool:
        return self.epoch

    async def write_seats(self, present: Sequence[SeatState], gone: Mapping[SeatKey, datetime]) -> None:
        self.batches += 1
        self.live.update({(s.server, s.interface): s for s in present})
        for key in gone:
            self.live.pop(key, None)

    async def rebuild(
        self,
        seats: Sequence[SeatState],
        sessions: Sequence[AgentSession],
        servers: frozenset[str],
        now: datetime,
    ) -> None:
        self.rebuilds += 1
        self.live = {(s.server, s.interface): s for s in seats}
        self.sessions = list(sessions)
        self.epoch = True


class FakeAsterisk:
    """Answers QueuePause the way Asterisk does: a QueueMemberPause event per queue of the seat."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.floor: AgentFloor | None = None
        self.pauses: list[tuple[bool, str]] = []
        self.down = False

    async def queue_add(self, queue: str, interface: str, member_name: str, penalty: int = 0) -> None: ...
    async def queue_remove(self, queue: str, interface: str) -> None: ...
    async def queue_penalty(self, queue: str, interface: str, penalty: int) -> None: ...

    async def queue_pause(self, queue: str | None, interface: str, paused: bool, reason: str = "") -> None:
        if self.down:
            raise TelephonyUnavailable("AMI down")
        assert self.floor is not None
        self.pauses.append((paused, reason))
        for q in QUEUES:
            await self.floor.handle(MemberPaused("a", q, interface, paused, reason, self.clock.now()))


class FakeTime:
    """The wrap-up timers' sleep: waits until the test opens the gate, then moves the clock on."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.gate = asyncio.Event()
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await self.gate.wait()
        self.clock.set(self.clock.now() + timedelta(seconds=seconds))


Parts = tuple[AgentFloor, FakeStore, FakeAsterisk, FakeTime]


@pytest.fixture
async def parts() -> AsyncIterator[Parts]:
    clock = FixedClock(T0)
    store, asterisk, time = FakeStore(), FakeAsterisk(clock), FakeTime(clock)
    floor = AgentFloor(
        store, {"a": asterisk}, clock, WRAPUP, flush_every=0.001, check_every=0.05, sleep=time.sleep
    )
    asterisk.floor = floor
    await floor.open()
    yield floor, store, asterisk, time
    await floor.close()


async def logged_in(floor: AgentFloor) -> None:
    for q in QUEUES:
        await floor.handle(MemberAdded("a", q, SEAT, "alice", 0, False, "", DeviceStatus.NOT_INUSE, T0))


async def call(floor: AgentFloor, ended: datetime) -> None:
    await floor.handle(CallerAnswered("a", "hotline", "e1", CallId("c1"), SEAT, 2, T0))
    await floor.handle(CallCompleted("a", "hotline", "e1", CallId("c1"), SEAT, 30, 2, "caller", ended))


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0.01)


def activity(floor: AgentFloor) -> tuple[AgentActivity, str]:
    seat = floor.board.seat("a", SEAT)
    assert seat is not None
    return seat.activity, seat.pause_reason


async def test_after_a_call_the_seat_wraps_up_then_resumes(parts: Parts) -> None:
    floor, _store, asterisk, time = parts
    await logged_in(floor)
    await call(floor, T0)
    await settle()
    assert activity(floor) == (AgentActivity.WRAP_UP, "acw")
    assert time.slept == [WRAPUP]
    time.gate.set()
    await settle()
    assert activity(floor) == (AgentActivity.IDLE, "")
    assert asterisk.pauses == [(True, "acw"), (False, "")]


async def test_resuming_early_ends_wrap_up(parts: Parts) -> None:
    floor, _store, asterisk, time = parts
    await logged_in(floor)
    await call(floor, T0)
    await settle()
    await asterisk.queue_pause(None, SEAT, False)
    time.gate.set()
    await settle()
    assert activity(floor) == (AgentActivity.IDLE, "")
    assert asterisk.pauses == [(True, "acw"), (False, "")]  # the timer found nothing to lift


async def test_a_seat_paused_during_the_call_keeps_its_pause(
    parts: Parts,
) -> None:
    floor, _store, asterisk, _time = parts
    await logged_in(floor)
    await asterisk.queue_pause(None, SEAT, True, "meal")
    await call(floor, T0 + timedelta(seconds=40))
    await settle()
    assert activity(floor) == (AgentActivity.PAUSED, "meal")
    assert asterisk.pauses == [(True, "meal")]


async def test_a_break_chosen_during_wrap_up_is_not_lifted(parts: Parts) -> None:
    floor, _store, asterisk, time = parts
    await logged_in(floor)
    await call(floor, T0)
    await settle()
    await asterisk.queue_pause(None, SEAT, True, "break")
    time.gate.set()
    await settle()
    assert activity(floor) == (AgentActivity.PAUSED, "break")


async def test_a_burst_of_changes_is_one_batch(
    parts: Parts,
) -> None:
    floor, store, _asterisk, _time = parts
    await floor.handle(FloorResynced("a", QueueSnapshot(T0), frozenset(), T0))
    await floor.flushed()
    before = store.batches
    await logged_in(floor)
    for i in range(200):
        reason = "break" if i % 2 else "meal"
        for q in QUEUES:
            await floor.handle(MemberPaused("a", q, SEAT, True, reason, T0 + timedelta(seconds=i)))
    await floor.flushed()
    assert store.batches - before == 1
    assert store.live[("a", SEAT)].pause_reason == "break"


async def test_resync_rebuilds_sessions_and_lifts_an_old_acw_pause(
    parts: Parts,
) -> None:
    floor, store, asterisk, time = parts
    clock = time.clock
    clock.set(T0 + timedelta(minutes=5))
    members = tuple(
        MemberState(q, SEAT, "alice", DeviceStatus.NOT_INUSE, True, "acw", 3, 0, T0, T0 - timedelta(hours=1))
        for q in (*QUEUES, "hotline-dialect")
    )
    await floor.handle(FloorResynced("a", QueueSnapshot(clock.now(), members), frozenset(), clock.now()))
    await settle()
    await floor.flushed()
    assert store.sessions == [
        AgentSession("alice", "a", SEAT, (Skill.DIALECT,), T0 - timedelta(hours=1))  # type: ignore[arg-type]
    ]
    assert asterisk.pauses == [(False, "")]


async def test_a_store_that_lost_its_keys_is_rebuilt(
    parts: Parts,
) -> None:
    floor, store, _asterisk, _time = parts
    await floor.handle(FloorResynced("a", QueueSnapshot(T0), frozenset(), T0))
    await logged_in(floor)
    await floor.flushed()
    rebuilds = store.rebuilds
    store.live, store.epoch = {}, False  # Redis restarted empty
    for _ in range(50):
        await asyncio.sleep(0.02)
        if store.rebuilds > rebuilds:
            break
    await floor.flushed()
    assert ("a", SEAT) in store.live


async def test_ami_down_leaves_the_seat_alone(
    parts: Parts,
) -> None:
    floor, _store, asterisk, _time = parts
    await logged_in(floor)
    asterisk.down = True
    await call(floor, T0)
    await settle()
    assert activity(floor) == (AgentActivity.IDLE, "")
