"""The AMI bridge: one panoramisk connection to one Asterisk.

It logs in, reconnects with capped exponential backoff when Asterisk goes away, and after every
login resyncs queue state (QueueStatus) and live channels (CoreShowChannels) instead of trusting
memory. AMI events are translated by the pure ``translate`` module and handed, one at a time and in
order, to the sink (the call flow). Malformed or unknown events are logged and skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from panoramisk import Manager

from callcenter.adapters.ami.backoff import backoff_delay
from callcenter.adapters.ami.protocol import Utf8AMIProtocol
from callcenter.adapters.ami.translate import HotlineMatch, MalformedAmiEvent, normalise, translate
from callcenter.adapters.tasks import cancel_all
from callcenter.calls.events import CallEvent
from callcenter.core.clock import Clock
from callcenter.core.errors import TelephonyUnavailable
from callcenter.queue.live import QueueSnapshot, parse_queue_status, waiting_as_events

log = logging.getLogger(__name__)

EventSink = Callable[[CallEvent], Awaitable[object]]
ResyncHook = Callable[[str, Collection[str], datetime], Awaitable[object]]
ACTION_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class AmiEndpoint:
    server: str  # our name for this Asterisk (state is keyed by it)
    host: str
    port: int
    user: str
    secret: str


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


class AmiBridge:
    def __init__(
        self,
        endpoint: AmiEndpoint,
        match: HotlineMatch,
        sink: EventSink,
        clock: Clock,
        on_resync: ResyncHook | None = None,
        ping_interval: int = 5,
    ) -> None:
        self.endpoint = endpoint
        self._match = match
        self._sink = sink
        self._clock = clock
        self._on_resync = on_resync
        self._ping_interval = ping_interval
        self._items: asyncio.Queue[CallEvent | _Resynced] = asyncio.Queue()
        self._manager: _Manager | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.connected = asyncio.Event()  # logged in; actions may be sent
        self.synced = asyncio.Event()  # logged in and the resync after login has been applied
        self.resyncs = 0
        self.logins = 0  # successful logins, for health and tests
        self.skipped_events = 0
        self.snapshot: QueueSnapshot | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._connection_loop(), name=f"ami-{self.endpoint.server}"),
            asyncio.create_task(self._consume(), name=f"ami-sink-{self.endpoint.server}"),
        ]

    async def stop(self) -> None:
        await cancel_all(self._tasks)
        self._close_manager()

    async def drained(self) -> None:
        """Wait until every event received so far has been handled (tests, shutdown)."""
        await self._items.join()

    # -- actions ---------------------------------------------------------------------------------
    async def action(self, action: Mapping[str, str], as_list: bool = False) -> Any:
        manager = self._manager
        if manager is None or not self.connected.is_set():
            raise TelephonyUnavailable(f"AMI {self.endpoint.server} is not connected")
        try:
            return await asyncio.wait_for(manager.send_action(dict(action), as_list=as_list), ACTION_TIMEOUT)
        except (TimeoutError, ConnectionError, OSError) as exc:
            raise TelephonyUnavailable(f"AMI action {action.get('Action')} failed: {exc}") from exc

    async def queue_add(self, queue: str, interface: str, member_name: str, penalty: int = 0) -> None:
        """Agent login (签入): the seat's phone becomes a member of ``queue``."""
        reply = await self.action(
            {
                "Action": "QueueAdd",
                "Queue": queue,
                "Interface": interface,
                "MemberName": member_name,
                "Penalty": str(penalty),
                "Paused": "false",
            }
        )
        _require_success(reply, "QueueAdd", {"Message": "Already there"})

    async def queue_remove(self, queue: str, interface: str) -> None:
        """Agent logout (签出)."""
        reply = await self.action({"Action": "QueueRemove", "Queue": queue, "Interface": interface})
        _require_success(reply, "QueueRemove", {"Message": "Not there"})

    async def queue_status(self) -> QueueSnapshot:
        replies = await self.action({"Action": "QueueStatus"}, as_list=True)
        return parse_queue_status([normalise(m) for m in _as_list(replies)], self._clock.now())

    async def live_call_ids(self) -> frozenset[str]:
        replies = await self.action({"Action": "CoreShowChannels"}, as_list=True)
        return frozenset(
            h["linkedid"]
            for h in (normalise(m) for m in _as_list(replies))
            if h.get("event", "").lower() == "coreshowchannel" and h.get("linkedid")
        )

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
                self.connected.clear()
                self.synced.clear()
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
        if not await asyncio.wait_for(manager.logged_in, ACTION_TIMEOUT):
            raise TelephonyUnavailable(f"AMI {ep.server}: login refused for user {ep.user!r}")
        self.connected.set()
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
        self.snapshot = await self.queue_status()
        live = await self.live_call_ids()
        for event in waiting_as_events(self.snapshot):
            self._items.put_nowait(event)
        self._items.put_nowait(_Resynced(live_call_ids=live, at=self._clock.now()))
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
        try:
            event = translate(headers, self._match, self._clock.now(), self.endpoint.server)
        except MalformedAmiEvent as exc:
            self.skipped_events += 1
            log.warning("AMI %s: skipping malformed event: %s", self.endpoint.server, exc.message)
            return
        if event is not None:
            self._items.put_nowait(event)

    async def _consume(self) -> None:
        while True:
            item = await self._items.get()
            try:
                await self._deliver(item)
            finally:
                self._items.task_done()

    async def _deliver(self, item: CallEvent | _Resynced) -> None:
        """Hand one item on; if that fails (database down) keep retrying: later events wait in order
        behind it rather than being applied to a call record that misses this one."""
        attempt = 0
        while True:
            try:
                if isinstance(item, _Resynced):
                    if self._on_resync is not None:
                        await self._on_resync(self.endpoint.server, item.live_call_ids, item.at)
                    self.resyncs += 1
                    self.synced.set()
                else:
                    await self._sink(item)
                return
            except Exception:
                log.exception(
                    "AMI %s: handling %r failed (attempt %d)", self.endpoint.server, item, attempt + 1
                )
                await asyncio.sleep(backoff_delay(attempt, base=0.2, cap=5.0))
                attempt += 1


def _as_list(replies: Any) -> list[Mapping[str, object]]:
    return list(replies) if isinstance(replies, list) else [replies]


def _require_success(reply: Any, action: str, tolerated: Mapping[str, str]) -> None:
    first = _as_list(reply)[0]
    if getattr(first, "success", False):
        return
    message = str(first.get("Message", ""))
    if any(text.lower() in message.lower() for text in tolerated.values()):
        return
    raise TelephonyUnavailable(f"AMI {action} refused: {message}", action=action)
