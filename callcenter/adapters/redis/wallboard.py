"""The wallboard's live state (大屏实时数据) in Redis: one stored snapshot plus a pub/sub channel.

``WallboardPublisher`` is the floor handler (``hotline.floor.add(publisher.handle)``): it folds each floor
event into the ``LiveFloor`` in memory — no await, no Redis, so the AMI bridge is never held up — and
marks the view dirty. Its background task (``run``) publishes: at once when it has been idle, then at
most once per ``interval`` while events keep coming (the latest state wins: 10,000 events a second
make ten publishes, not ten thousand), and every ``tick`` even when nothing changed, so that the longest
wait keeps counting on screen. A publish stores the snapshot under ``<prefix>:snapshot`` (any web process
serves it) and sends it on ``<prefix>:live``. Every snapshot carries ``source_event_at`` (the newest AMI
event folded in) and ``published_at``. When Redis is down the floor keeps folding and the next publish
after Redis is back carries the whole state.

``WallboardFeed`` is the web side: one subscription per process, fanned out in memory to every open
stream (latest wins: a slow screen skips snapshots, it never queues them).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from callcenter.core.clock import Clock
from callcenter.core.waiting import wait_event
from callcenter.queue.events import FloorEvent
from callcenter.queue.floor import (
    Alarm,
    LiveFloor,
    QueueLine,
    Rates,
    ViewPolicy,
    WaitLine,
    WallboardView,
    wallboard_view,
)
from callcenter.queue.seats.agents import AgentActivity
from callcenter.queue.service_level.ledger import ServiceLevelFigures

log = logging.getLogger(__name__)

PREFIX = "cc:wallboard"
SNAPSHOT_TTL_S = 30  # a snapshot nobody refreshes (no publisher running) disappears: no stale wall


# --- the snapshot as JSON ------------------------------------------------------------------------------


def snapshot_json(
    view: WallboardView, published_at: datetime, threshold_seconds: int, target: float
) -> dict[str, Any]:
    """The published snapshot (docs/wallboard.md lists every field)."""
    return {
        "source_event_at": _iso(view.source_event_at),
        "published_at": published_at.isoformat(),
        "threshold_seconds": threshold_seconds,
        "target": target,
        "totals": {
            **_line(view.total),
            "today": _figures(view.today),
            "rolling_24h": _figures(view.rolling_24h),
            "alarm": _alarm(view.alarm),
        },
        "queues": [_queue(q) for q in view.queues],
        "servers": [{"server": s.name, **_line(s)} for s in view.servers],
    }


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def _line(line: WaitLine) -> dict[str, Any]:
    return {
        "waiting": line.waiting,
        "longest_wait_seconds": line.longest_wait_seconds,
        "agents": _agents(line.agents),
    }


def _agents(counts: Mapping[AgentActivity, int]) -> dict[str, int]:
    return {activity.value: count for activity, count in counts.items()}


def _queue(q: QueueLine) -> dict[str, Any]:
    return {
        "queue": q.line.name,
        "inbound": q.inbound,
        **_line(q.line),
        "today": _figures(q.today),
        "alarm": _alarm(q.alarm),
    }


def _figures(f: ServiceLevelFigures) -> dict[str, Any]:
    return {
        "offered": f.offered,
        "answered": f.answered,
        "answered_in_threshold": f.answered_in_threshold,
        "abandoned": f.abandoned,
        "short_abandoned": f.short_abandoned,
        "callback_requested": f.callback_requested,
        "rate_in_threshold": f.rate_in_threshold,
        "connection_rate": f.connection_rate,
        "abandon_rate": f.abandon_rate,
    }


def _alarm(alarm: Alarm) -> dict[str, Any]:
    return {"on": alarm.on, "reasons": list(alarm.reasons)}


# --- publishing ----------------------------------------------------------------------------------------


RatesAt = Callable[[datetime], Rates]  # the service-level figures at ``now`` (floor.rates_of(tally, now))


class WallboardPublisher:
    """Folds floor events in memory (per event, cheap) and publishes coalesced snapshots (background)."""

    def __init__(
        self,
        redis: Redis,
        rates: RatesAt,
        clock: Clock,
        *,
        policy: ViewPolicy | None = None,
        threshold_seconds: int = 15,
        interval: float = 0.1,
        tick: float = 1.0,
        prefix: str = PREFIX,
    ) -> None:
        self._redis: Any = redis  # redis-py's reply types are too loose to check usefully
        self._rates = rates
        self._clock = clock
        self._policy = policy or ViewPolicy()
        self._threshold = threshold_seconds
        self._interval, self.tick = interval, tick  # tick: may be changed while running
        self.key, self.channel = f"{prefix}:snapshot", f"{prefix}:live"
        self.floor = LiveFloor()
        self._dirty = asyncio.Event()
        self._last_publish = float("-inf")  # loop time
        self._failing = False
        self.events = 0
        self.publishes = 0

    async def handle(self, event: FloorEvent) -> None:
        """The floor handler: fold and mark dirty. Idempotent (the floor is keyed state) and never waits."""
        self.floor = self.floor.apply(event)
        self.events += 1
        self._dirty.set()

    def snapshot(self) -> dict[str, Any]:
        now = self._clock.now()
        view = wallboard_view(self.floor, self._rates(now), now, self._policy)
        return snapshot_json(view, now, self._threshold, self._policy.alarm.target)

    async def publish(self) -> bool:
        """Store and send one snapshot now; False (and logged once per outage) when Redis is down."""
        data = json.dumps(self.snapshot(), ensure_ascii=False)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.set(self.key, data, ex=SNAPSHOT_TTL_S)
                pipe.publish(self.channel, data)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            if not self._failing:
                log.warning("wallboard: cannot publish (%s); retrying every tick", exc)
            self._failing = True
            return False
        if self._failing:
            log.info("wallboard: publishing again")
        self._failing = False
        self.publishes += 1
        return True

    async def run(self) -> None:
        """Publish until cancelled: on a change (coalesced to one per ``interval``) or every ``tick``."""
        loop = asyncio.get_running_loop()
        while True:
            await wait_event(self._dirty, self.tick)
            pause = self._last_publish + self._interval - loop.time()
            if pause > 0:  # published a moment ago: let events pile up, then show the latest
                await asyncio.sleep(pause)
            self._dirty.clear()
            self._last_publish = loop.time()
            try:
                await self.publish()
            except Exception:  # a bug in building the view must not end the wall for good
                log.exception("wallboard: building the snapshot failed")


# --- the web side --------------------------------------------------------------------------------------


class WallboardFeed:
    """The stored snapshot for ``GET``, and one subscription per process fanned out to every stream."""

    def __init__(self, redis: Redis, prefix: str = PREFIX, retry_s: float = 1.0) -> None:
        self._redis: Any = redis
        self.key, self.channel = f"{prefix}:snapshot", f"{prefix}:live"
        self._retry_s = retry_s
        self.latest: str | None = None  # the newest snapshot heard (JSON text)
        self.version = 0
        self._changed = asyncio.Event()

    async def current(self) -> str | None:
        """The stored snapshot, None when there is none (no publisher running); RedisError when down."""
        data = await self._redis.get(self.key)
        return None if data is None else str(data)

    async def changed_after(self, version: int, within: float) -> tuple[int, str] | None:
        """The newest snapshot once it is newer than ``version``; None after ``within`` s without one."""
        if self.version <= version and not await wait_event(self._changed, within):
            return None
        if self.latest is None:
            return None
        return self.version, self.latest

    def _heard(self, data: str) -> None:
        checked = _checked(data)
        if checked is None:
            log.warning("wallboard feed: malformed snapshot skipped: %.200r", data)
            return
        self.latest, self.version = checked, self.version + 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def run(self) -> None:
        """Listen until cancelled; after a Redis outage subscribe again and catch up with the stored one."""
        while True:
            try:
                await self._listen()
            except (RedisError, OSError) as exc:
                log.warning("wallboard feed: Redis unavailable (%s); retrying", exc)
            await asyncio.sleep(self._retry_s)

    async def _listen(self) -> None:
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.channel)
            stored = await self.current()
            if stored is not None:
                self._heard(stored)
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    self._heard(str(message["data"]))
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe()
            await pubsub.aclose()


@dataclass(frozen=True, slots=True)
class Wallboard:
    """Both halves, as the composition root keeps them: the floor handler and the web side's feed."""

    publisher: WallboardPublisher
    feed: WallboardFeed


def _checked(data: str) -> str | None:
    """The snapshot as one line of JSON (safe as one SSE ``data:`` line), or None if it is not one."""
    try:
        raw = json.loads(data)
    except ValueError:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("published_at"), str):
        return None
    return json.dumps(raw, ensure_ascii=False)
