"""The floor handler for seats: folds floor events into the ``AgentBoard``, writes the seats that
changed to the live store (coalesced: one batch per ``flush_every`` seconds, however many events), and
runs the after-call-work timers (话后整理).

Rebuild rules (Asterisk is the truth):

* ``FloorResynced`` (after every AMI login: an Asterisk restart, an AMI drop, our own start) replaces
  the server's seats, rewrites the whole live state and recovers sessions from the queue members
  (member name = staff id); acw pauses found are lifted when their wrap-up time is over.
* A store that comes back empty (Redis restarted without its data) is noticed within
  ``check_every`` seconds and rewritten from the board.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from datetime import datetime, timedelta
from typing import Any

from callcenter.core.actors import StaffId
from callcenter.core.clock import Clock
from callcenter.core.errors import DomainError
from callcenter.core.waiting import cancel_all, wait_event
from callcenter.queue.events import (
    CallCompleted,
    CallerAnswered,
    FloorEvent,
    FloorResynced,
    MemberAdded,
    MemberPaused,
    MemberRemoved,
    MemberStatusChanged,
)
from callcenter.queue.seats.agent_session import (
    AgentSession,
    PauseReason,
    ends_wrap_up,
    skills_of,
    starts_wrap_up,
    wrap_up_due,
)
from callcenter.queue.seats.agents import AgentBoard, SeatKey
from callcenter.queue.seats.ports import LiveSeatStore, QueueSwitch

log = logging.getLogger(__name__)


def _seat_of(event: FloorEvent) -> SeatKey | None:
    if isinstance(event, MemberAdded | MemberRemoved | MemberPaused | MemberStatusChanged):
        return (event.server, event.interface)
    if isinstance(event, CallerAnswered | CallCompleted):
        return (event.server, event.agent)
    return None


class AgentFloor:
    def __init__(
        self,
        store: LiveSeatStore,
        switches: Mapping[str, QueueSwitch],
        clock: Clock,
        wrapup_seconds: int,
        flush_every: float = 0.05,
        check_every: float = 2.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,  # wrap-up timers (tests: a fake clock)
    ) -> None:
        self.board = AgentBoard()
        self._store = store
        self._switches = switches
        self._clock = clock
        self._wrapup = wrapup_seconds
        self._flush_every = flush_every
        self._check_every = check_every
        self._sleep = sleep
        self._dirty: dict[SeatKey, datetime] = {}
        self._full = False
        self._servers: set[str] = set()  # servers resynced at least once
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._writer: asyncio.Task[None] | None = None
        self._timers: dict[SeatKey, asyncio.Task[None]] = {}
        self.writes = 0  # batches written, for tests and the benchmark

    # -- the floor handler -----------------------------------------------------------------------
    async def handle(self, event: FloorEvent) -> None:
        before = self.board
        self.board = before.apply(event)
        if isinstance(event, FloorResynced):
            self._resynced(event)
        elif (key := _seat_of(event)) is not None and before.seat(*key) != self.board.seat(*key):
            self._dirty[key] = event.at
            self._kick()
        if isinstance(event, CallCompleted):
            self._call_completed(event, before)

    def _resynced(self, event: FloorResynced) -> None:
        self._servers.add(event.server)
        self._full = True
        self._kick()
        for seat in self.board.seats():
            due = wrap_up_due(seat, self._wrapup) if seat.server == event.server else None
            if due is not None:
                self._start_timer(
                    (seat.server, seat.interface), self._lift_at(seat.server, seat.interface, due)
                )

    def _call_completed(self, event: CallCompleted, before: AgentBoard) -> None:
        if before.seat(event.server, event.agent) is None:
            return  # not a seat of ours (e.g. a transfer target)
        if not starts_wrap_up(self.board.pause_of(event.server, event.agent), self._wrapup):
            return
        due = event.at + timedelta(seconds=self._wrapup)
        self._start_timer((event.server, event.agent), self._wrap_up(event.server, event.agent, due))

    # -- after-call work -------------------------------------------------------------------------
    async def _wrap_up(self, server: str, interface: str, due: datetime) -> None:
        if not await self._pause(server, interface, True, PauseReason.ACW.value):
            return
        await self._lift_at(server, interface, due)

    async def _lift_at(self, server: str, interface: str, due: datetime) -> None:
        delay = (due - self._clock.now()).total_seconds()
        if delay > 0:
            await self._sleep(delay)
        if ends_wrap_up(self.board.seat(server, interface), due, self._clock.now()):
            await self._pause(server, interface, False, "")

    async def _pause(self, server: str, interface: str, paused: bool, reason: str) -> bool:
        switch = self._switches.get(server)
        if switch is None:
            return False
        try:
            await switch.queue_pause(None, interface, paused, reason)
        except DomainError as exc:  # AMI down: the resync after the next login sorts the seat out
            log.warning("after-call work on %s/%s: %s", server, interface, exc.message)
            return False
        return True

    def _start_timer(self, key: SeatKey, work: Coroutine[Any, Any, None]) -> None:
        old = self._timers.pop(key, None)
        if old is not None:
            old.cancel()
        task = asyncio.create_task(work, name=f"acw-{key[0]}-{key[1]}")
        self._timers[key] = task
        task.add_done_callback(lambda t: self._timers.pop(key, None) if self._timers.get(key) is t else None)

    # -- the writer ------------------------------------------------------------------------------
    def _kick(self) -> None:
        self._idle.clear()
        self._wake.set()

    async def flushed(self) -> None:
        """Wait until everything folded so far has been written (tests, shutdown)."""
        await self._idle.wait()

    async def open(self) -> None:
        self._writer = asyncio.create_task(self._write_loop(), name="agent-floor-writer")

    async def close(self) -> None:
        await cancel_all(t for t in (self._writer, *self._timers.values()) if t is not None)

    async def _write_loop(self) -> None:
        attempt = 0
        while True:
            await wait_event(self._wake, self._check_every)
            self._wake.clear()
            await asyncio.sleep(self._flush_every)  # let a burst of events gather into one batch
            try:
                await self._write_once()
                attempt = 0
            except Exception as exc:  # Redis down: keep what is dirty, rewrite everything when back
                self._full = True
                attempt += 1
                log.warning("agent state not written (attempt %d): %s", attempt, exc)
                await asyncio.sleep(min(0.2 * 2**attempt, 5.0))
                self._wake.set()

    async def _write_once(self) -> None:
        if not self._full and self._servers and not await self._store.intact():
            log.warning("live agent state missing from the store: rebuilding it from the floor")
            self._full = True
        if self._full:
            self._full = False
            self._dirty.clear()
            try:
                await self._store.rebuild(
                    self.board.seats(), self._sessions(), frozenset(self._servers), self._clock.now()
                )
            except BaseException:
                self._full = True
                raise
        elif self._dirty:
            dirty, self._dirty = self._dirty, {}
            try:
                await self._write_dirty(dirty)
            except BaseException:
                self._dirty = {**dirty, **self._dirty}
                raise
        else:
            self._idle.set()
            return
        self.writes += 1
        if not self._dirty and not self._full:
            self._idle.set()

    async def _write_dirty(self, dirty: Mapping[SeatKey, datetime]) -> None:
        present = [s for k in dirty if (s := self.board.seat(*k)) is not None]
        gone = {k: at for k, at in dirty.items() if self.board.seat(*k) is None}
        await self._store.write_seats(present, gone)

    def _sessions(self) -> list[AgentSession]:
        """Sessions as Asterisk knows them: member name = staff id, skills from the queues."""
        return [
            AgentSession(
                StaffId(s.name),
                s.server,
                s.interface,
                skills_of(s.queues),
                self.board.logged_in_at(s.server, s.interface) or s.since,
            )
            for s in self.board.seats()
            if s.name
        ]
