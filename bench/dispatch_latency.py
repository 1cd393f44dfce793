"""Dispatch latency: from the agent's registration to the handling unit's live inbox notice.

Run from the repository root:  ./hotline python bench/dispatch_latency.py [--seconds 10] [--rates 10,50,100]

On a fresh PostgreSQL database (``TEST_POSTGRES_ADMIN_DSN``, dropped at the end) and Redis
(``TEST_REDIS_URL``, channels under a unique prefix) the real service is composed as in production
(``SqlWorkOrderStore``, ``SqlUnitDirectory``, ``RedisInbox``, ``SystemClock``, the published calendar).
A subscriber listens on the lead unit's channel, as the unit's live inbox (SSE) does, in the same process.
One order = ``WorkOrders.create(registration, number, agent, dispatch=DispatchTicket(unit))``: 受理 and 派单
in one step (一单通达). Orders start on an open-loop schedule (each at its planned time, concurrently,
whether or not the previous one has finished) and latency is measured from the planned start, so a slow
order does not hide the queueing it causes (no coordinated omission). Latency = the subscriber receives the
DISPATCH notice of that order − the planned start.

Also printed: the floor measured in the same run (one INSERT committed by PostgreSQL, then one Redis PUBLISH
received by a subscriber), the database and Redis round trips one order costs (SQLAlchemy statements and
transactions by event, and PostgreSQL round trips exactly, counted as ReadyForQuery messages through a
counting proxy), the time spent per port call at the highest rate, and, when the target is missed, a
cProfile of the event loop. Prints figures; asserts nothing. Issue 4 target: p99 ≤ 50 ms at 100 orders/s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import logging
import os
import pstats
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]
from redis.asyncio import Redis
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from the repository root

from bench.scratch import ScratchDatabase, ms, percentile, scratch_database
from callcenter.adapters.db.catalogue import SqlCatalogueStore, load_seed
from callcenter.adapters.db.engine import create_engine
from callcenter.adapters.db.matters import SqlMatterIndex
from callcenter.adapters.db.supervision import SqlSupervisionStore
from callcenter.adapters.db.tables import staff, units
from callcenter.adapters.db.workorders import SqlUnitDirectory, SqlWorkOrderStore
from callcenter.adapters.redis.inbox import RedisInbox
from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.clock import SystemClock
from callcenter.core.ids import TicketId
from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing.matters.merging import MatterLinker
from callcenter.ticketing.orders.classify import CurrentCatalogue
from callcenter.ticketing.orders.commands import DispatchTicket
from callcenter.ticketing.orders.ports import InboxNotice, InboxNotifier, UnitDirectory, WorkOrderStore
from callcenter.ticketing.orders.registration import Registration
from callcenter.ticketing.orders.service import WorkOrders
from callcenter.ticketing.orders.workorder import Classification
from callcenter.ticketing.states import Action

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TARGET_P99_S = 0.050
TARGET_RATE = 100
NOTICE_TIMEOUT_S = 10.0
LEAD = UnitId("bench-lead")
AGENT = Actor(StaffId("bench-agent"), Role.AGENT)
UNIT_STAFF = Actor(StaffId("bench-unit"), Role.UNIT_STAFF, LEAD)
PLACES = (
    "幸福小区",
    "阳光花园",
    "和平里",
    "安贞里",
    "团结湖",
    "花家地",
    "百万庄",
    "车公庄",
    "三里河",
    "劲松",
)
PROBLEMS = (
    "门口的路灯坏了一个多月，晚上出行不便",
    "楼下餐馆油烟很大，影响居民开窗通风",
    "工地夜间施工噪音扰民，已经连续一周",
    "自来水发黄，已经持续三天",
    "人行道上井盖缺失，存在安全隐患",
    "垃圾清运不及时，楼道堆满杂物",
    "电梯经常故障，老人上下楼困难",
)
# seed catalogue (callcenter/ticketing/seed): streets of the sample city and leaf categories
AREAS = ("110101001000", "110101002000", "110101003000", "110101004000", "110102001000", "110102003000")
CATEGORIES = ("010101", "010102", "010301", "020101", "050102", "050201")
T = TypeVar("T")


class WarningCount(logging.Handler):
    """Counts the service's warnings (e.g. "duplicate matching failed") instead of printing tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[f"{record.name}: {record.msg}"] += 1

    def report(self) -> None:
        for message, n in self.counts.most_common():
            print(f"           warning ×{n}: {message}")
        self.counts.clear()


WARNINGS = WarningCount()


# --- the live inbox, as the unit's page hears it ------------------------------------------------------


class UnitInbox:
    """The subscriber: when the DISPATCH notice of each order arrived (``perf_counter``)."""

    def __init__(self) -> None:
        self.arrived: dict[TicketId, float] = {}
        self._waiting: dict[TicketId, asyncio.Future[float]] = {}

    async def listen(self, notices: AsyncIterator[InboxNotice], ready: asyncio.Event) -> None:
        ready.set()
        async for notice in notices:
            if notice.action is Action.DISPATCH:
                now = time.perf_counter()
                self.arrived[notice.ticket_id] = now
                if (waiter := self._waiting.pop(notice.ticket_id, None)) and not waiter.done():
                    waiter.set_result(now)

    async def arrival(self, ticket_id: TicketId) -> float:
        if ticket_id in self.arrived:
            return self.arrived[ticket_id]
        waiter = self._waiting.setdefault(ticket_id, asyncio.get_running_loop().create_future())
        return await asyncio.wait_for(waiter, NOTICE_TIMEOUT_S)


# --- open-loop load ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    notice: float  # planned start → the unit's subscriber has the DISPATCH notice
    returned: float  # planned start → ``create`` returned to the agent
    start_lag: float  # planned start → the order actually started
    planned: float  # perf_counter


@dataclass(frozen=True, slots=True)
class RateResult:
    rate: float
    samples: list[Sample]
    elapsed: float  # first planned start → last notice
    failures: int
    cpu: float  # this process's CPU seconds (event loop, drivers) during the run
    machine_busy: float  # share of all CPUs busy during the run (PostgreSQL, Redis and this process)


def registration(i: int) -> Registration:
    """Varied requests over several areas and categories: a few repeat each other (并单), most do not."""
    place, problem = PLACES[i * 7 % len(PLACES)], PROBLEMS[i * 11 % len(PROBLEMS)]
    return Registration(
        request_text=f"市民来电反映{place}{problem}，请尽快处理。（第{i}单）",
        classification=Classification(
            category_code=CATEGORIES[i * 5 % len(CATEGORIES)],
            area_code=AREAS[i * 3 % len(AREAS)],
            address=f"{place}{i % 40 + 1}号楼",
        ),
    )


def caller_number(i: int) -> str:
    return f"139{i % 100_000_000:08d}"


async def one_order(service: WorkOrders, inbox: UnitInbox, i: int, planned: float) -> Sample:
    started = time.perf_counter()
    registered = await service.create(registration(i), caller_number(i), AGENT, dispatch=DispatchTicket(LEAD))
    returned = time.perf_counter()
    arrived = await inbox.arrival(registered.order.life.id)
    return Sample(arrived - planned, returned - planned, started - planned, planned)


async def run_rate(service: WorkOrders, inbox: UnitInbox, rate: float, count: int, first: int) -> RateResult:
    """``count`` orders at ``rate``/s, each started at its planned time without waiting for the others."""
    tasks: list[asyncio.Task[Sample]] = []
    cpu0, machine0 = time.process_time(), machine_cpu()
    t0 = time.perf_counter() + 0.02
    for n in range(count):
        planned = t0 + n / rate
        if (delay := planned - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one_order(service, inbox, first + n, planned)))
    results = await asyncio.gather(*tasks, return_exceptions=True)
    await service.settle()  # 并单 matches that outlasted their registration's wait (their CPU counts too)
    cpu, (busy, total) = (
        time.process_time() - cpu0,
        (b - a for a, b in zip(machine0, machine_cpu(), strict=True)),
    )
    samples = [r for r in results if isinstance(r, Sample)]
    for r in results:
        if isinstance(r, BaseException):
            print(f"    order failed: {r!r}")
    elapsed = max((s.planned + s.notice for s in samples), default=t0) - t0
    return RateResult(
        rate, samples, elapsed, len(results) - len(samples), cpu, busy / total if total else 0.0
    )


def machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def print_rate(r: RateResult) -> None:
    notice = [s.notice for s in r.samples]
    returned = [s.returned for s in r.samples]
    lag = [s.start_lag for s in r.samples]
    achieved = len(r.samples) / r.elapsed if r.elapsed > 0 else float("nan")
    print(
        f"  {r.rate:5.0f}/s  n={len(r.samples):5d}  achieved {achieved:6.1f}/s  "
        f"p50 {ms(percentile(notice, 50))}  p90 {ms(percentile(notice, 90))}  "
        f"p99 {ms(percentile(notice, 99))}  max {ms(max(notice, default=float('nan')))} ms   "
        f"(create returned: p50 {ms(percentile(returned, 50))} p99 {ms(percentile(returned, 99))}; "
        f"start lag p99 {ms(percentile(lag, 99))} max {ms(max(lag, default=0.0))}; failed {r.failures})"
    )
    n = max(len(r.samples), 1)
    print(
        f"           CPU: this process {r.cpu / n * 1000:.2f} ms/order ({r.cpu / r.elapsed:.0%} of a core); "
        f"machine {r.machine_busy:.0%} of {os.cpu_count()} cores busy"
    )
    WARNINGS.report()
    if max(lag, default=0.0) > 0.005:
        print(f"           the generator fell behind: an order started {max(lag) * 1000:.1f} ms late")


async def print_matters(engine: AsyncEngine) -> None:
    """并单 so far (all rates, warm-up included): how the orders were merged, and the escalations."""
    async with engine.connect() as conn:
        by_status: dict[str, int] = dict(
            (await conn.execute(text("SELECT status, count(*) FROM matters GROUP BY status"))).all()
        )
        linked, orders = (await conn.execute(text("SELECT count(matter_id), count(*) FROM tickets"))).one()
        escalated = (
            await conn.execute(text("SELECT count(*) FROM supervisions WHERE trigger = 'duplicates'"))
        ).scalar_one()
    print(
        f"           并单 so far: {linked} of {orders} orders in a matter; matters open "
        f"{by_status.get('open', 0)}, merged {by_status.get('merged', 0)}; {escalated} escalated (督办)"
    )


# --- the floor: one PostgreSQL commit, then one Redis publish heard by a subscriber ------------------


async def floor_samples(db: ScratchDatabase, engine: AsyncEngine, redis: Redis, prefix: str, n: int) -> None:
    conn = await asyncpg.connect(db.dsn)
    await conn.execute("CREATE TABLE bench_floor (id serial PRIMARY KEY, at timestamptz NOT NULL)")
    channel = f"{prefix}:floor"
    pubsub: Any = redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(channel)

    async def received(i: int) -> float:
        while True:
            message = await pubsub.get_message(timeout=5.0)
            if message and message["data"] == str(i):
                return time.perf_counter()

    async def raw_insert() -> None:
        await conn.execute("INSERT INTO bench_floor (at) VALUES (now())")  # autocommit: one round trip

    async def orm_insert() -> None:
        async with engine.begin() as c:  # as the store writes: pool checkout, BEGIN, INSERT, COMMIT
            await c.execute(text("INSERT INTO bench_floor (at) VALUES (now())"))

    try:
        for label, insert in (("asyncpg, autocommit", raw_insert), ("SQLAlchemy engine.begin()", orm_insert)):
            total, pg = [], []
            for i in range(n):
                t0 = time.perf_counter()
                await insert()
                t1 = time.perf_counter()
                await redis.publish(channel, str(i))
                total.append(await received(i) - t0)
                pg.append(t1 - t0)
            print(
                f"  floor ({label}): INSERT+COMMIT p50 {ms(percentile(pg, 50))} p99 {ms(percentile(pg, 99))}"
                f";  + PUBLISH received: p50 {ms(percentile(total, 50))} p99 {ms(percentile(total, 99))} ms"
                f"  (n={n})"
            )
    finally:
        await pubsub.aclose()
        await conn.close()


# --- round trips per order ----------------------------------------------------------------------------


class ReadyForQueryCounter:
    """A TCP proxy in front of PostgreSQL counting ReadyForQuery ('Z') messages: one per round trip of the
    extended or simple query protocol (one per Sync), whatever the driver or SQLAlchemy do."""

    def __init__(self, host: str, port: int) -> None:
        self.ready = 0
        self._target = (host, port)
        self._server: asyncio.Server | None = None

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self._target)
        pipes = {
            asyncio.create_task(self._pipe(reader, up_writer)),
            asyncio.create_task(self._count(up_reader, writer)),
        }
        _, pending = await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for w in (writer, up_writer):
            w.close()

    @staticmethod
    async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        while data := await src.read(65536):
            dst.write(data)
            await dst.drain()

    async def _count(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError):
            while True:
                header = await src.readexactly(5)  # type byte, int32 length (including itself)
                body = await src.readexactly(int.from_bytes(header[1:], "big") - 4)
                self.ready += header[0] == ord("Z")
                dst.write(header + body)
                await dst.drain()


@dataclass
class StatementCounts:
    statements: Counter[str] = field(default_factory=Counter)
    checkouts: int = 0

    def attach(self, engine: AsyncEngine) -> None:
        sync = engine.sync_engine

        @event.listens_for(sync, "before_cursor_execute")
        def _statement(_c: Any, _cur: Any, statement: str, _p: Any, _ctx: Any, many: bool) -> None:
            words = statement.split(None, 2)
            kind = words[0].upper() if words else "?"
            if kind in ("INSERT", "DELETE") and len(words) > 2:
                kind += " " + words[2].split(None, 1)[0]
            self.statements[kind + (" (executemany)" if many else "")] += 1

        for name in ("begin", "commit", "rollback"):
            event.listen(sync, name, lambda _c, name=name: self.statements.update([name.upper()]))

        @event.listens_for(sync.pool, "checkout")
        def _checkout(*_: Any) -> None:
            self.checkouts += 1


@dataclass
class CountingNotifier:
    inner: InboxNotifier
    publishes: int = 0

    async def publish(self, notice: InboxNotice) -> None:
        self.publishes += 1  # one pipelined PUBLISH per channel: one Redis round trip
        await self.inner.publish(notice)


async def count_round_trips(db: ScratchDatabase, redis: Redis, prefix: str, orders: int = 20) -> None:
    proxy = ReadyForQueryCounter("127.0.0.1", 5432)
    port = await proxy.start()
    host_part = db.url.split("@", 1)[1].split("/", 1)[0]
    engine = create_engine(db.url.replace(host_part, f"127.0.0.1:{port}") + "?ssl=disable")
    counts = StatementCounts()
    counts.attach(engine)
    notifier = CountingNotifier(RedisInbox(redis, prefix))
    service = await compose(engine, notifier)
    try:
        for i in range(5):  # warm the pool and the per-connection prepared-statement cache
            await service.create(registration(i), caller_number(i), AGENT, dispatch=DispatchTicket(LEAD))
        counts.statements.clear()
        counts.checkouts, proxy.ready, notifier.publishes = 0, 0, 0
        for i in range(orders):
            await service.create(registration(i), caller_number(i), AGENT, dispatch=DispatchTicket(LEAD))
        print_round_trips(counts, proxy.ready, notifier.publishes, orders)
    finally:
        await engine.dispose()
        await proxy.close()


def print_round_trips(counts: StatementCounts, ready: int, publishes: int, orders: int) -> None:
    statements = sum(v for k, v in counts.statements.items() if k not in ("BEGIN", "COMMIT", "ROLLBACK"))
    print(f"  per order (mean of {orders}, sequential, warm caches):")
    print(f"    SQL statements (before_cursor_execute): {statements / orders:.1f}")
    for kind, n in sorted(counts.statements.items(), key=lambda kv: -kv[1]):
        print(f"      {n / orders:5.1f}  {kind}")
    print(
        f"    pool checkouts: {counts.checkouts / orders:.1f} (pool_pre_ping on each: BEGIN; ';'; ROLLBACK)"
    )
    print(f"    PostgreSQL round trips (ReadyForQuery at the wire): {ready / orders:.1f}")
    print(f"    Redis round trips (one pipelined publish per notice): {publishes / orders:.1f}")


# --- where the time goes ------------------------------------------------------------------------------


class Timings:
    def __init__(self) -> None:
        self.calls: dict[str, list[float]] = defaultdict(list)

    async def timed(self, name: str, call: Awaitable[T]) -> T:
        t0 = time.perf_counter()
        try:
            return await call
        finally:
            self.calls[name].append(time.perf_counter() - t0)


@dataclass
class TimedStore:
    inner: WorkOrderStore
    t: Timings

    async def get(self, ticket_id: TicketId) -> Any:
        return await self.t.timed("store.get", self.inner.get(ticket_id))

    async def create(self, order: Any, events: Any) -> Any:
        return await self.t.timed("store.create", self.inner.create(order, events))

    async def save(self, order: Any, events: Any, expected_version: int) -> None:
        await self.t.timed("store.save", self.inner.save(order, events, expected_version))


@dataclass
class TimedUnits:
    inner: UnitDirectory
    t: Timings

    async def require_active(self, wanted: Sequence[UnitId]) -> None:
        await self.t.timed("units.require_active", self.inner.require_active(wanted))


@dataclass
class TimedNotifier:
    inner: InboxNotifier
    t: Timings

    async def publish(self, notice: InboxNotice) -> None:
        await self.t.timed("inbox.publish", self.inner.publish(notice))


async def breakdown(engine: AsyncEngine, redis: Redis, prefix: str, inbox: UnitInbox, seconds: float) -> None:
    t = Timings()
    service = await compose(
        engine,
        TimedNotifier(RedisInbox(redis, prefix), t),
        lambda store: TimedStore(store, t),
        lambda units: TimedUnits(units, t),
    )
    count = round(TARGET_RATE * seconds)
    result = await run_rate(service, inbox, TARGET_RATE, count, first=900_000)
    orders = len(result.samples)
    print(
        f"  per port call at {TARGET_RATE}/s (n={orders} orders; wall time incl. waiting for the pool/loop):"
    )
    total = 0.0
    for name, values in sorted(t.calls.items(), key=lambda kv: -sum(kv[1])):
        total += sum(values)
        print(
            f"    {name:22s} {len(values) / orders:4.1f}/order  p50 {ms(percentile(values, 50))}  "
            f"p99 {ms(percentile(values, 99))}  sum/order {ms(sum(values) / orders)} ms"
        )
    print(f"    {'all port calls':22s}          sum/order {ms(total / orders)} ms")


async def profile_loop(service: WorkOrders, inbox: UnitInbox, seconds: float) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    await run_rate(service, inbox, TARGET_RATE, round(TARGET_RATE * seconds), first=800_000)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(18)
    print("  cProfile of the event loop at 100/s, top by own time:")
    for line in out.getvalue().splitlines():
        if line.strip() and not line.startswith(("   Ordered", "   List reduced")):
            print("    " + line[:150])


# --- composition ----------------------------------------------------------------------------------


async def compose(
    engine: AsyncEngine,
    notifier: InboxNotifier,
    wrap_store: Callable[[WorkOrderStore], WorkOrderStore] = lambda s: s,
    wrap_units: Callable[[UnitDirectory], UnitDirectory] = lambda u: u,
) -> WorkOrders:
    """As ``wiring.workorders.build_work_orders`` + ``load_state`` wire it (with the 并单 linker and
    the stored catalogue), with an optional wrapper around the store and the unit directory."""
    clock = SystemClock()
    catalogue = CurrentCatalogue()
    catalogue.use(await SqlCatalogueStore(engine).load())
    linker = MatterLinker(SqlMatterIndex(engine), SqlSupervisionStore(engine), clock)
    store, unit_directory = wrap_store(SqlWorkOrderStore(engine)), wrap_units(SqlUnitDirectory(engine))
    calendar = WorkCalendar.published()
    return WorkOrders(store, unit_directory, notifier, clock, calendar, catalogue, linker=linker)


async def seed(engine: AsyncEngine) -> None:
    now = datetime.now(UTC)
    await SqlCatalogueStore(engine).seed(load_seed(), now)  # the sample city: categories, areas, units, rules
    async with engine.begin() as conn:
        await conn.execute(
            units.insert(),
            [
                {"id": LEAD, "name": "市城市管理委员会", "kind": "department", "active": True},
                {"id": "bench-other", "name": "市自来水集团", "kind": "enterprise", "active": True},
            ],
        )
        await conn.execute(
            staff.insert(),
            [
                {
                    "id": AGENT.id,
                    "display_name": "话务员",
                    "role": AGENT.role.value,
                    "password_hash": "-",
                    "created_at": now,
                },
                {
                    "id": UNIT_STAFF.id,
                    "display_name": "建国门街道",
                    "role": UNIT_STAFF.role.value,
                    "unit_id": LEAD,
                    "password_hash": "-",
                    "created_at": now,
                },
            ],
        )


async def timed_phase(label: str, phase: Callable[[], Awaitable[None]]) -> None:
    print(label)
    t0 = time.perf_counter()
    await phase()
    print(f"  ({time.perf_counter() - t0:.1f} s)")


async def main(args: argparse.Namespace) -> None:
    rates = [float(r) for r in args.rates.split(",")]
    prefix = f"bench:{uuid.uuid4().hex[:10]}"
    print(
        f"dispatch latency — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, prefix {prefix}"
    )
    async with scratch_database() as db:
        engine = create_engine(db.url)
        redis = Redis.from_url(REDIS_URL, decode_responses=True)
        inbox_adapter = RedisInbox(redis, prefix)
        inbox = UnitInbox()
        ready = asyncio.Event()
        try:
            await seed(engine)
            service = await compose(engine, inbox_adapter)
            async with inbox_adapter.subscribe(inbox_adapter.channels_for(UNIT_STAFF)) as notices:
                listener = asyncio.create_task(inbox.listen(notices, ready))
                await ready.wait()
                await run_rate(service, inbox, 20, 60, first=0)  # warm-up: pool, prepared statements
                await run_bench(args, rates, db, engine, redis, prefix, service, inbox)
                listener.cancel()
        finally:
            await redis.aclose()
            await engine.dispose()


async def run_bench(
    args: argparse.Namespace,
    rates: Sequence[float],
    db: ScratchDatabase,
    engine: AsyncEngine,
    redis: Redis,
    prefix: str,
    service: WorkOrders,
    inbox: UnitInbox,
) -> None:
    print("\nlatency: planned start → DISPATCH notice at the unit's subscriber (ms)")
    results: dict[float, RateResult] = {}
    first = 1000
    for rate in rates:
        count = round(rate * args.seconds)
        results[rate] = await run_rate(service, inbox, rate, count, first)
        print_rate(results[rate])
        await print_matters(engine)
        first += count
        await asyncio.sleep(0.5)
    print("\nfloor, same run (ms):")
    await floor_samples(db, engine, redis, prefix, args.floor_samples)
    print("\nround trips of one order (create + register + dispatch, 一单通达):")
    await count_round_trips(db, redis, prefix)
    print()
    await breakdown(engine, redis, prefix, inbox, seconds=min(args.seconds, 5.0))
    at_target = results.get(float(TARGET_RATE))
    if at_target is None:
        return
    p99 = percentile([s.notice for s in at_target.samples], 99)
    met = p99 <= TARGET_P99_S and at_target.failures == 0
    print(
        f"\ntarget p99 ≤ {TARGET_P99_S * 1000:.0f} ms at {TARGET_RATE}/s: {'MET' if met else 'NOT MET'} "
        f"(p99 {p99 * 1000:.1f} ms)"
    )
    if not met or args.profile:
        print()
        await profile_loop(service, inbox, seconds=min(args.seconds, 5.0))
        print("\nwhat-if (a proposal, not the product's engine): the same at 100/s with pool_pre_ping off")
        await without_pre_ping(db, redis, prefix, inbox, args.seconds)


async def without_pre_ping(
    db: ScratchDatabase, redis: Redis, prefix: str, inbox: UnitInbox, seconds: float
) -> None:
    engine = create_async_engine(db.url)  # create_engine() but for pool_pre_ping=True
    try:
        service = await compose(engine, RedisInbox(redis, prefix))
        await run_rate(service, inbox, 20, 60, first=700_000)
        print_rate(await run_rate(service, inbox, TARGET_RATE, round(TARGET_RATE * seconds), first=710_000))
    finally:
        await engine.dispose()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of each rate (default 10)")
    parser.add_argument("--rates", default="10,50,100", help="orders per second, comma-separated")
    parser.add_argument("--floor-samples", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="cProfile the loop at 100/s even if met")
    return parser.parse_args()


if __name__ == "__main__":
    logging.getLogger().addHandler(WARNINGS)
    logging.getLogger().setLevel(logging.WARNING)
    asyncio.run(main(parse_args()))
