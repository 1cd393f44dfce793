"""The AMI bridge: the event pump of one Asterisk (one panoramisk connection).

It logs in, reconnects with capped exponential backoff when Asterisk goes away, and after every
login resyncs queue state (QueueStatus) and live channels (CoreShowChannels) instead of trusting
memory. AMI events are translated by the pure ``translate`` and ``floor_translate`` modules and handed,
in order, to one ``BridgeSink`` in two stages (ADR 0014): live state as events arrive, then storing in
bursts with retry. Malformed or unknown events are logged and skipped. The actions sent to this
Asterisk (queue members, Originate) are ``AmiActions`` (actions.py), kept attached to the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from panoramisk import Manager

from callcenter.adapters.ami.actions import ACTION_TIMEOUT, AmiActions, AmiEndpoint
from callcenter.adapters.ami.backoff import backoff_delay
from callcenter.adapters.ami.floor_translate import translate_floor
from callcenter.adapters.ami.live_channels import answered_legs, live_call_ids
from callcenter.adapters.ami.protocol import Utf8AMIProtocol
from callcenter.adapters.ami.translate import (
    HotlineMatch,
    MalformedAmiEvent,
    UntrustedAmiEvent,
    normalise,
    translate,
)
from callcenter.calls.events import CallEvent
from callcenter.core.clock import Clock
from callcenter.core.errors import TelephonyUnavailable
from callcenter.core.waiting import cancel_all
from callcenter.queue.events import FloorEvent, FloorResynced
from callcenter.queue.live import QueueSnapshot, waiting_as_events

__all__ = ["AmiActions", "AmiBridge", "AmiEndpoint", "BridgeSink"]

log = logging.getLogger(__name__)

MAX_BURST = 500  # events handed on together when they queue up faster than they are stored


@dataclass(frozen=True, slots=True)
class _Floor:
    event: FloorEvent


@dataclass(frozen=True, slots=True)
class _Resynced:
    live_call_ids: frozenset[str]
    at: datetime


class _Manager(Manager):  # type: ignore[misc]
    """panoramisk's Manager without its own reconnect loop: the bridge owns reconnection."""

    def __init__(self, **config: Any) -> None:
        super().__init__(**config)
        self.logged_in: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.lost = asyncio.Event()

    def connection_made(self, f: asyncio.Future[Any]) -> None:
        if f.cancelled() or f.exception() is not None:
            if not self.logged_in.done():
                self.logged_in.set_exception(f.exception() or ConnectionError("cancelled"))
            return
        super().connection_made(f)

    def login(self, future: asyncio.Future[Any]) -> bool:
        ok = bool(super().login(future))
        if not self.logged_in.done():
            self.logged_in.set_result(ok)
        return ok

    def connection_lost(self, exc: object) -> None:
        self._connected = False
        pinger = getattr(self, "pinger", None)
        if pinger is not None:
            pinger.cancel()
            self.pinger = None
        if not self.logged_in.done():
            self.logged_in.set_exception(ConnectionError(f"AMI connection lost: {exc}"))
        self.lost.set()


class BridgeSink(Protocol):
    """Where a bridge hands on what it reads, in two stages (ADR 0014; built in wiring/pipeline.py).

    ``live`` runs as events arrive and must never wait on I/O (seats, waiting callers, the wallboard in
    memory). The rest runs behind it, in the same order, in the storing stage: ``floor`` one floor event at
    a time, ``calls`` a burst's call events as one batch, ``flush`` once per burst after them, ``resynced``
    after each (re)login once everything before it is stored. A failing method is retried until it
    succeeds, so each must be idempotent."""

    async def live(self, event: FloorEvent) -> None: ...
    async def floor(self, event: FloorEvent) -> None: ...
    async def calls(self, events: Sequence[CallEvent]) -> None: ...
    async def flush(self) -> None: ...
    async def resynced(self, server: str, live_call_ids: frozenset[str], at: datetime) -> None: ...


class AmiBridge:
    """The event pump of one Asterisk: its connection, the resync after each login, and the two stages
    that hand events to the sink. Actions go through ``actions`` (actions.py), which this pump keeps
    attached to the logged-in connection."""

    def __init__(
        self,
        actions: AmiActions,
        match: HotlineMatch,
        sink: BridgeSink,
        clock: Clock,
        ping_interval: int = 5,
    ) -> None:
        self.actions = actions
        self.endpoint = actions.endpoint
        self.sink = sink
        self._match = match
        self._clock = clock
        self._ping_interval = ping_interval
        self._items: asyncio.Queue[CallEvent | _Floor | _Resynced] = asyncio.Queue()  # to the live stage
        self._stored: asyncio.Queue[CallEvent | _Floor | _Resynced] = asyncio.Queue()  # to the storing stage
        self._manager: _Manager | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.resyncs = 0
        self.logins = 0  # successful logins, for health and tests
        self.skipped_events = 0
        self.refused_events = 0  # well-formed but refused: e.g. a recording path outside the recordings dir
        self.snapshot: QueueSnapshot | None = None

    @property
    def connected(self) -> asyncio.Event:
        """Logged in; actions may be sent."""
        return self.actions.connected

    @property
    def synced(self) -> asyncio.Event:
        """Logged in and the resync after login has been applied."""
        return self.actions.synced

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._connection_loop(), name=f"ami-{self.endpoint.server}"),
            asyncio.create_task(self._consume_live(), name=f"ami-live-{self.endpoint.server}"),
            asyncio.create_task(self._consume(), name=f"ami-store-{self.endpoint.server}"),
        ]

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        self._close_manager()

    async def drained(self) -> None:
        """Wait until every event received so far has been handled and stored (tests, shutdown)."""
        await self._items.join()
        await self._stored.join()

    # -- connection ------------------------------------------------------------------------------
    async def _connection_loop(self) -> None:
        attempt = 0
        while True:
            try:
                manager = await self._open()
                attempt = 0
                await self._resync()
                await manager.lost.wait()
                log.warning("AMI %s: connection lost", self.endpoint.server)
            except (OSError, ConnectionError, TimeoutError, TelephonyUnavailable) as exc:
                log.warning("AMI %s: %s", self.endpoint.server, exc)
            finally:
                self.actions.detach()
                self._close_manager()
            delay = backoff_delay(attempt, jitter=random.random())
            attempt += 1
            log.info("AMI %s: reconnecting in %.1f s", self.endpoint.server, delay)
            await asyncio.sleep(delay)

    async def _open(self) -> _Manager:
        ep = self.endpoint
        manager = _Manager(
            host=ep.host,
            port=ep.port,
            username=ep.user,
            secret=ep.secret,
            protocol_factory=Utf8AMIProtocol,
            loop=asyncio.get_running_loop(),
            ping_delay=self._ping_interval,
            ping_interval=self._ping_interval,
            log=log,
        )
        manager.register_event("*", self._on_message)
        self._manager = manager
        manager.connect()
        async with asyncio.timeout(ACTION_TIMEOUT):
            logged_in = await manager.logged_in
        if not logged_in:
            raise TelephonyUnavailable(f"AMI {ep.server}: login refused for user {ep.user!r}")
        self.actions.attach(manager)
        self.logins += 1
        log.info("AMI %s: logged in (Asterisk Call Manager %s)", ep.server, manager.protocol.version)
        return manager

    def _close_manager(self) -> None:
        if self._manager is not None:
            with contextlib.suppress(Exception):
                self._manager.close()
            self._manager = None

    async def _resync(self) -> None:
        """Asterisk is the truth after a (re)connect: take queue state and live channels afresh."""
        self.snapshot = await self.actions.queue_status()
        channels = await self.actions.live_channels()
        live = live_call_ids(channels)
        for event in waiting_as_events(self.snapshot):
            self._items.put_nowait(event)
        at = self._clock.now()
        for connected in answered_legs(channels, at):  # answered while we were away (live_channels.py)
            self._items.put_nowait(connected)
        self._items.put_nowait(_Floor(FloorResynced(self.endpoint.server, self.snapshot, live, at)))
        self._items.put_nowait(_Resynced(live_call_ids=live, at=at))  # sets ``synced`` when applied
        log.info(
            "AMI %s: resynced: %d members, %d waiting, %d live calls",
            self.endpoint.server,
            len(self.snapshot.members),
            len(self.snapshot.waiting),
            len(live),
        )

    # -- events ----------------------------------------------------------------------------------
    def _on_message(self, _manager: Manager, message: Mapping[str, object]) -> None:
        headers = normalise(message)
        self.actions.saw(headers)
        received = self._clock.now()
        server = self.endpoint.server
        try:
            event = translate(headers, self._match, received, server)
            floor = translate_floor(headers, received, server)
        except UntrustedAmiEvent as exc:
            self.refused_events += 1
            log.warning("AMI %s: refusing event: %s", server, exc.message)
            return
        except MalformedAmiEvent as exc:
            self.skipped_events += 1
            log.warning("AMI %s: skipping malformed event: %s", server, exc.message)
            return
        if event is not None:
            self._items.put_nowait(event)
        if floor is not None:
            self._items.put_nowait(_Floor(floor))

    async def _consume_live(self) -> None:
        """Stage 1, as events arrive: live state in memory (seats, waiting callers, the wallboard); then
        every item goes on, in order, to the storing stage."""
        while True:
            item = await self._items.get()
            try:
                if isinstance(item, _Floor):
                    await self._retrying(item, self.sink.live, item.event)
                self._stored.put_nowait(item)
            finally:
                self._items.task_done()

    async def _consume(self) -> None:
        """Stage 2, storing, in bursts: everything queued at this moment (up to MAX_BURST) goes together,
        so storing costs one transaction per burst. Under light load a burst is one event."""
        while True:
            burst = [await self._stored.get()]
            while len(burst) < MAX_BURST and not self._stored.empty():
                burst.append(self._stored.get_nowait())
            try:
                await self._deliver_burst(burst)
            finally:
                for _ in burst:
                    self._stored.task_done()

    async def _deliver_burst(self, burst: Sequence[CallEvent | _Floor | _Resynced]) -> None:
        """In order: floor events one by one (live state in memory), call events as one batch, then what
        the floor handlers keep for storing. A resync is a boundary: what came before it is stored first."""
        calls: list[CallEvent] = []
        for item in burst:
            if isinstance(item, _Floor):
                await self._retrying(item, self.sink.floor, item.event)
            elif isinstance(item, _Resynced):
                await self._store(calls)
                calls = []
                await self._retrying(item, self._apply_resync, item)
            else:
                calls.append(item)
        await self._store(calls)

    async def _store(self, calls: Sequence[CallEvent]) -> None:
        if calls:
            await self._retrying(f"{len(calls)} call events", self.sink.calls, calls)
        await self._retrying("the floor's flush", lambda _none: self.sink.flush(), None)

    async def _apply_resync(self, item: _Resynced) -> None:
        await self.sink.resynced(self.endpoint.server, item.live_call_ids, item.at)
        self.resyncs += 1
        self.synced.set()

    async def _retrying(self, what: object, handler: Callable[[Any], Awaitable[object]], arg: Any) -> None:
        """If handing on fails (database down) keep retrying: later events wait in order behind it
        rather than being applied to a call record that misses this one."""
        attempt = 0
        while True:
            try:
                await handler(arg)
                return
            except Exception:
                log.exception(
                    "AMI %s: handling %s failed (attempt %d)", self.endpoint.server, _label(what), attempt + 1
                )
                await asyncio.sleep(backoff_delay(attempt, base=0.2, cap=5.0))
                attempt += 1


def _label(what: object) -> str:
    """What failed, for the log: its kind and call id, never the event's fields (a caller's number)."""
    if isinstance(what, str):
        return what
    inner = getattr(what, "event", what)
    call_id = getattr(inner, "call_id", None)
    return type(inner).__name__ + (f" of call {call_id}" if call_id else "")
