"""Live taps through AMI: each party of an answered call streamed to the live transcription worker.

On AgentConnect (the floor event ``CallerAnswered``) two taps are started, off the bridge's path: for
each party a UUID is registered in the tap registry (Redis: call, speaker, offset, server) and then an
Async Originate asks Asterisk for a channel ``AudioSocket/<host>:<port>/<uuid>/c(slin)`` that runs
``ChanSpy(<that party's Uniqueid>,qoESul)``:

* ``o`` only the audio the spied channel *reads* — that party's own voice (without it ChanSpy mixes both
  directions: measured, the agent's stream then carries the caller's words);
* ``q`` no beep or channel name, ``u`` the argument is a Uniqueid (not a prefix), ``E`` ChanSpy ends
  when that channel hangs up and ``S`` when it is already gone: the AudioSocket channel hangs up with
  it, so the stream ends with the call;
* ``l`` the long audio queue: with the 2 cores overloaded the default short queue dropped 5-17 % of the
  audio (and shifted the time base), the long one nothing (measured, docs/ivr-and-queues.md);
* ``c(slin)``: AudioSocket frames of signed 16-bit 8 kHz mono PCM (kind 0x10), 20 ms each.

The offset (seconds into that side's recording) is computed just before registering, by
callcenter/queue/live_taps.py. A tap that cannot start — AMI down or refusing, the AudioSocket worker
down (the Originate fails), Redis down — is logged and dropped: the call itself, its recording and the
floor never depend on it, and the call is then transcribed after hangup only.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from callcenter.adapters.ami.actions import AmiActions
from callcenter.asr.model import Speaker
from callcenter.core.clock import Clock
from callcenter.core.errors import TelephonyUnavailable
from callcenter.core.ids import CallId
from callcenter.core.waiting import cancel_all
from callcenter.queue.events import CallerAnswered, FloorEvent
from callcenter.queue.live_taps import TapOrder, tap_offset, taps_for

log = logging.getLogger(__name__)

CHANSPY_OPTIONS = "qoESul"
ORIGINATE_WAIT_S = 10.0  # an AudioSocket Originate is answered (or fails) within milliseconds
REGISTER_WAIT_S = 2.0  # Redis slower than this: no tap (the call gets its after-call transcript)
MAX_PENDING = 200  # calls whose taps are being started at once; beyond it new calls are not tapped


class TapRegistry(Protocol):
    """Where the live worker looks up a stream's UUID (callcenter/adapters/redis/live.py)."""

    async def register_tap(
        self, uuid: str, call_id: CallId, speaker: Speaker, offset_s: float, server: str
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class AudioSocketTarget:
    """The live worker's AudioSocket server as Asterisk reaches it (``live_asr_host``:``live_asr_port``)."""

    host: str
    port: int

    def channel(self, tap_id: str) -> str:
        return f"AudioSocket/{self.host}:{self.port}/{tap_id}/c(slin)"


def originate_fields(target: AudioSocketTarget, tap_id: str, order: TapOrder) -> dict[str, str | list[str]]:
    """The Originate of one tap; its channel's Uniqueid is the tap's UUID (visible in ``core show
    channels`` and in the AMI events of that channel)."""
    return {
        "Channel": target.channel(tap_id),
        "Application": "ChanSpy",
        "Data": f"{order.channel_id},{CHANSPY_OPTIONS}",
        "ChannelId": tap_id,
        "CallerID": f'"live-{order.speaker.value}" <{order.call_id}>',
    }


class LiveTap:
    """The floor handler that starts the live taps of answered calls (``live_asr`` on)."""

    def __init__(
        self,
        telephony: Mapping[str, AmiActions],
        registry: TapRegistry,
        target: AudioSocketTarget,
        clock: Clock,
        unrecorded_queues: Collection[str] = (),
    ) -> None:
        self._telephony = telephony
        self._registry = registry
        self._target = target
        self._clock = clock
        self._unrecorded = frozenset(unrecorded_queues)
        self._pending: set[asyncio.Task[None]] = set()
        self.started = 0  # taps whose Originate Asterisk answered (for health and tests)
        self.failed = 0  # taps that could not be started

    async def handle(self, event: FloorEvent) -> None:
        """Live floor handler: never waits on I/O and never raises — the taps start in a task."""
        if not isinstance(event, CallerAnswered):
            return
        orders = taps_for(event, self._unrecorded)
        if not orders:
            return
        if len(self._pending) >= MAX_PENDING:
            self.failed += len(orders)
            log.warning(
                "call %s: live tap skipped, %d calls' taps still starting", event.call_id, MAX_PENDING
            )
            return
        task = asyncio.create_task(self._start(orders), name=f"live-tap-{event.call_id}")
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def settle(self) -> None:
        """Wait for the taps being started (tests)."""
        while self._pending:
            await asyncio.wait(list(self._pending))

    async def close(self) -> None:
        await cancel_all(list(self._pending))

    async def _start(self, orders: Sequence[TapOrder]) -> None:
        results = await asyncio.gather(*(self._tap(order) for order in orders))
        self.started += sum(results)
        self.failed += len(results) - sum(results)

    async def _tap(self, order: TapOrder) -> bool:
        tap_id = str(uuid.uuid4())
        try:
            if not await self._register(tap_id, order):
                return False
            return await self._originate(tap_id, order)
        except Exception:  # a bug here must not reach the floor
            log.exception("call %s: live tap of the %s failed", order.call_id, order.speaker.value)
            return False

    async def _register(self, tap_id: str, order: TapOrder) -> bool:
        offset = tap_offset(order, self._clock.now())
        if offset is None:
            log.warning(
                "call %s: answered too long ago for a live tap of the %s", order.call_id, order.speaker
            )
            return False
        try:
            async with asyncio.timeout(REGISTER_WAIT_S):
                await self._registry.register_tap(tap_id, order.call_id, order.speaker, offset, order.server)
        except Exception as exc:  # Redis down or slow (RedisError, OSError, TimeoutError), a bad value
            log.warning(
                "call %s: live tap not registered (%r): after-call transcript only", order.call_id, exc
            )
            return False
        return True

    async def _originate(self, tap_id: str, order: TapOrder) -> bool:
        actions = self._telephony.get(order.server)
        if actions is None:
            log.warning("call %s: no AMI bridge for server %r: no live tap", order.call_id, order.server)
            return False
        try:
            reply = await actions.originate(originate_fields(self._target, tap_id, order), ORIGINATE_WAIT_S)
        except (TelephonyUnavailable, TimeoutError) as exc:
            log.warning("call %s: live tap of the %s not started: %s", order.call_id, order.speaker, exc)
            return False
        if reply.get("event", "").lower() != "originateresponse" or reply.get("response") != "Success":
            log.warning(
                "call %s: live tap of the %s refused (%s %s): is the live worker listening on %s:%d?",
                order.call_id,
                order.speaker.value,
                reply.get("response", ""),
                reply.get("message", "") or reply.get("reason", ""),
                self._target.host,
                self._target.port,
            )
            return False
        log.info("call %s: live tap %s streams the %s", order.call_id, tap_id, order.speaker.value)
        return True
