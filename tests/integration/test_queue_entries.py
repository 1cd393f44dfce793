"""The queue-entry ledger on PostgreSQL and SQLite: idempotent, order-proof upserts, and the recorder
that persists what the live tally changed, survives a failed write and an app restart, and catches up
from queue_log after an AMI login."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.queue_entries import SqlQueueEntries
from callcenter.core.clock import FixedClock
from callcenter.core.ids import CallId
from callcenter.queue.events import FloorResynced
from callcenter.queue.live import QueueSnapshot
from callcenter.queue.service_level.ledger import Outcome, QueueEntry, ServiceLevelPolicy, figures_of
from callcenter.queue.service_level.recorder import ServiceLevelRecorder
from callcenter.queue.service_level.tally import ServiceLevelTally
from tests.support.sl_stories import SERVER, Story, told_in_queue_log, told_live

T0 = datetime(2026, 12, 1, 2, 0, 0, tzinfo=UTC)
POLICY = ServiceLevelPolicy()


def waiting(n: int, at: datetime = T0) -> QueueEntry:
    return QueueEntry(SERVER, "hotline", f"e{n}", f"c{n}", at)


async def test_upsert_is_idempotent_and_never_moves_an_outcome_back(engine: AsyncEngine) -> None:
    store = SqlQueueEntries(engine)
    first = waiting(1)
    answered = QueueEntry(
        SERVER, "hotline", "e1", "c1", T0, Outcome.ANSWERED, 12, T0 + timedelta(seconds=12), "a1"
    )
    await store.save([first], T0)
    await store.save([answered, answered], T0)
    await store.save([first], T0)  # a stale retry
    assert await store.since(T0 - timedelta(hours=1)) == [answered]


async def test_the_same_caller_in_two_queues_is_two_entries(engine: AsyncEngine) -> None:
    store = SqlQueueEntries(engine)
    await store.save([waiting(1), QueueEntry(SERVER, "hotline-dialect", "e1", "c1", T0)], T0)
    assert len(await store.since(T0)) == 2
    assert await store.since(T0 + timedelta(seconds=1)) == []
    assert await store.since(T0, server="other") == []


class FlakyStore:
    """The real store, failing the first ``failures`` writes."""

    def __init__(self, store: SqlQueueEntries, failures: int) -> None:
        self.store, self.failures = store, failures

    async def save(self, entries: Sequence[QueueEntry], at: datetime) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("database away")
        await self.store.save(entries, at)

    async def since(self, start: datetime, server: str | None = None) -> list[QueueEntry]:
        return await self.store.since(start, server)


STORIES = [
    Story("hotline", T0 + timedelta(seconds=1, milliseconds=300), "answered", 12, 1),
    Story("hotline", T0 + timedelta(seconds=2), "abandoned", 3, 2),
    Story("hotline", T0 + timedelta(seconds=3), "abandoned", 9, 3),
    Story("hotline-enterprise", T0 + timedelta(seconds=4), "answered", 16, 4),
    Story("hotline", T0 + timedelta(seconds=5), "callback", 20, 5),
    Story("hotline", T0 + timedelta(seconds=6), "timeout", 30, 6),
]


async def test_recorder_persists_every_change_even_after_a_failed_write(engine: AsyncEngine) -> None:
    clock = FixedClock(T0 + timedelta(hours=1))
    store = SqlQueueEntries(engine)
    recorder = ServiceLevelRecorder(ServiceLevelTally(POLICY), FlakyStore(store, failures=2), clock)
    for event in told_live(STORIES):
        await recorder.handle(event)
        for _attempt in range(3):  # the bridge retries the flush until the store takes it
            try:
                await recorder.flush()
                break
            except ConnectionError:
                continue
    now = clock.now()
    live = recorder.tally.today(now)
    assert (live.offered, live.answered, live.answered_in_threshold, live.short_abandoned) == (5, 2, 1, 1)
    stored = await store.since(T0)
    assert figures_of(stored, POLICY, now) == live

    restarted = ServiceLevelRecorder(ServiceLevelTally(POLICY), store, clock)
    await restarted.start()
    assert restarted.tally.today(now) == live


class Journal:
    def __init__(self, lines: list[str]) -> None:
        self._lines = lines

    async def lines(self, server: str, since: datetime) -> Sequence[str] | None:
        return self._lines if server == SERVER else None


async def test_after_an_ami_gap_the_recorder_catches_up_from_queue_log(engine: AsyncEngine) -> None:
    clock = FixedClock(T0 + timedelta(hours=1))
    store = SqlQueueEntries(engine)
    recorder = ServiceLevelRecorder(
        ServiceLevelTally(POLICY), store, clock, Journal(told_in_queue_log(STORIES))
    )
    for event in told_live(STORIES[:2])[:1]:  # the AMI link drops after the first join
        await recorder.handle(event)
    resync = FloorResynced(SERVER, QueueSnapshot(clock.now()), frozenset(), clock.now())
    await recorder.handle(resync)
    await recorder.flush()
    offline = ServiceLevelTally(POLICY)
    for event in told_live(STORIES):
        offline.apply(event)
    now = clock.now()
    assert recorder.tally.today(now) == offline.today(now)
    assert figures_of(await store.since(T0), POLICY, now) == offline.today(now)
    assert {e.call_id for e in recorder.tally.entries() if e.entry_id == STORIES[0].entry_id} == {
        str(CallId(f"call-{STORIES[0].entry_id}"))
    }
