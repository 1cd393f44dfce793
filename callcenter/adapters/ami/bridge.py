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
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from panoramisk import Manager

from callcenter.adapters.ami.backoff import backoff_delay
from callcenter.adapters.ami.floor_translate import translate_floor
from callcenter.adapters.ami.live_channels import answered_legs, live_call_ids
from callcenter.adapters.ami.originate_policy import HOTLINE_ORIGINATES, OriginatePolicy, check_originate
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
from callcenter.queue.live import QueueSnapshot, parse_queue_status, waiting_as_events

log = logging.getLogger(__name__)

EventSink = Callable[[CallEvent], Awaitable[object]]
FloorSink = Callable[[FloorEvent], Awaitable[object]]  # agents, waiting callers, service level, callbacks
BatchSink = Callable[[Sequence[CallEvent]], Awaitable[object]]  # a burst of call events, in order
Flush = Callable[[], Awaitable[object]]
MAX_BURST = 500  # events handed on together when they queue up faster than they are stored
ResyncHook = Callable[[str, Collection[str], datetime], Awaitable[object]]
ACTION_TIMEOUT = 10.0
HANGUP_WAIT_S = 1.0  # how long an unanswered Originate waits for its leg's Hangup event (the cause)


@dataclass(frozen=True, slots=True)
class AmiEndpoint:
    server: str  # our name for this Asterisk (state is keyed by it)
    host: str
    port: int
    user: str
    secret: str = field(repr=False)  # from the environment only; never in logs


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


class AmiBridge:
    def __init__(
        self,
        endpoint: AmiEndpoint,
        match: HotlineMatch,
        sink: EventSink,
        clock: Clock,
        on_resync: ResyncHook | None = None,
        ping_interval: int = 5,
        floor_sink: FloorSink | None = None,
        batch_sink: BatchSink | None = None,
        floor_flush: Flush | None = None,
        floor_live: FloorSink | None = None,
        originates: OriginatePolicy = HOTLINE_ORIGINATES,
    ) -> None:
        self.endpoint = endpoint
        self._originates = originates
        self._floor_live = floor_live
        self._stored: asyncio.Queue[CallEvent | _Floor | _Resynced] = asyncio.Queue()
        self._batch_sink = batch_sink
        self._floor_flush = floor_flush
        self._match = match
        self._sink = sink
        self._clock = clock
        self._on_resync = on_resync
        self._floor_sink = floor_sink
        self._ping_interval = ping_interval
        self._items: asyncio.Queue[CallEvent | _Floor | _Resynced] = asyncio.Queue()
        self._manager: _Manager | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self.connected = asyncio.Event()  # logged in; actions may be sent
        self.synced = asyncio.Event()  # logged in and the resync after login has been applied
        self.resyncs = 0
        self.logins = 0  # successful logins, for health and tests
        self.skipped_events = 0
        self.refused_events = 0  # well-formed but refused: e.g. a recording path outside the recordings dir
        self.snapshot: QueueSnapshot | None = None
        self._hangup_causes: dict[str, asyncio.Future[str]] = {}  # Originate ChannelId → its Hangup cause

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

    # -- actions ---------------------------------------------------------------------------------
    async def action(self, action: Mapping[str, str], as_list: bool = False) -> Any:
        if str(action.get("Action", "")).lower() == "originate":
            check_originate(action, self._originates)
        manager = self._manager
        if manager is None or not self.connected.is_set():
            raise TelephonyUnavailable(f"AMI {self.endpoint.server} is not connected")
        try:
            async with asyncio.timeout(ACTION_TIMEOUT):
                return await manager.send_action(dict(action), as_list=as_list)
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

    async def queue_pause(self, queue: str | None, interface: str, paused: bool, reason: str = "") -> None:
        """示忙 (``paused``, with a reason code) or 示闲, in ``queue`` or, if ``None``, in every queue."""
        action = {"Action": "QueuePause", "Interface": interface, "Paused": "true" if paused else "false"}
        if queue is not None:
            action["Queue"] = queue
        if reason:
            action["Reason"] = reason
        _require_success(await self.action(action), "QueuePause", {})

    async def queue_penalty(self, queue: str, interface: str, penalty: int) -> None:
        """A seat's penalty in ``queue`` (a re-login with other skills)."""
        action = {"Action": "QueuePenalty", "Queue": queue, "Interface": interface, "Penalty": str(penalty)}
        _require_success(await self.action(action), "QueuePenalty", {})

    async def originate(self, fields: Mapping[str, str | list[str]], wait_s: float) -> dict[str, str]:
        """Async Originate (e.g. a missed-call callback, 漏接回拨): the headers of its OriginateResponse
        (``reason`` 4 = answered, 3 = no answer, 5 = busy, 0/1/8 = failed). panoramisk resolves an Async
        Originate only once the call's outcome is known, so the wait is bounded by ``wait_s`` (ring time
        plus a margin): TimeoutError then — the call may have been placed, its outcome is unknown.
        TelephonyUnavailable: nothing was sent (AMI not connected). OriginateRefused: ``fields`` are not on
        the allow-list (originate_policy.py), nothing was sent."""
        check_originate(fields, self._originates)
        manager = self._manager
        if manager is None or not self.connected.is_set():
            raise TelephonyUnavailable(f"AMI {self.endpoint.server} is not connected")
        action = {**fields, "Action": "Originate", "Async": "true"}
        channel_id = str(fields.get("ChannelId", ""))
        cause = self._hangup_causes[channel_id] = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(wait_s):
                replies = await manager.send_action(action)
            reply = normalise(_as_list(replies)[-1])
            if reply.get("reason") != "4":  # not answered: the leg's Hangup cause tells busy from failed
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(HANGUP_WAIT_S):
                        reply.setdefault("cause", await asyncio.shield(cause))
            return reply
        except (ConnectionError, OSError) as exc:
            raise TelephonyUnavailable(f"AMI Originate failed: {exc}", action="Originate") from exc
        finally:
            self._hangup_causes.pop(channel_id, None)

    async def queue_status(self) -> QueueSnapshot:
        replies = await self.action({"Action": "QueueStatus"}, as_list=True)
        return parse_queue_status([normalise(m) for m in _as_list(replies)], self._clock.now())

    async def live_call_ids(self) -> frozenset[str]:
        return live_call_ids(await self.live_channels())

    async def live_channels(self) -> list[Mapping[str, str]]:
        """CoreShowChannels: every live channel's headers (lower-cased names)."""
        replies = await self.action({"Action": "CoreShowChannels"}, as_list=True)
        return [normalise(m) for m in _as_list(replies)]

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
        async with asyncio.timeout(ACTION_TIMEOUT):
            logged_in = await manager.logged_in
        if not logged_in:
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
        channels = await self.live_channels()
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
        if self._hangup_causes and headers.get("event") == "Hangup":
            waiting = self._hangup_causes.get(headers.get("uniqueid", ""))
            if waiting is not None and not waiting.done():
                waiting.set_result(headers.get("cause", ""))
        received = self._clock.now()
        server = self.endpoint.server
        try:
            event = translate(headers, self._match, received, server)
            floor = translate_floor(headers, received, server) if self._floor_sink is not None else None
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
                if isinstance(item, _Floor) and self._floor_live is not None:
                    await self._retrying(item, self._floor_live, item.event)
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
                if self._floor_sink is not None:
                    await self._retrying(item, self._floor_sink, item.event)
            elif isinstance(item, _Resynced):
                await self._store(calls)
                calls = []
                await self._retrying(item, self._apply_resync, item)
            else:
                calls.append(item)
        await self._store(calls)

    async def _store(self, calls: Sequence[CallEvent]) -> None:
        if calls:
            if self._batch_sink is not None:
                await self._retrying(f"{len(calls)} call events", self._batch_sink, calls)
            else:
                for event in calls:
                    await self._retrying(event, self._sink, event)
        flush = self._floor_flush
        if flush is not None:
            await self._retrying("the floor's flush", lambda _none: flush(), None)

    async def _apply_resync(self, item: _Resynced) -> None:
        if self._on_resync is not None:
            await self._on_resync(self.endpoint.server, item.live_call_ids, item.at)
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
