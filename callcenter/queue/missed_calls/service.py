"""Missed-call call-back (漏接回拨) handlers: the floor handler that fills the missed-call list, and the
dialer that calls citizens back. Rules in ``rules``/``steps``; ports in ``ports``; the desk's reads and
commands in ``desk``.

Floor handler (idempotent; the bridge retries a failed delivery):

* ``CallerAbandoned`` in an inbound queue, ``CallMeBackRequested`` → a request (or one more miss on the
  number's open request); the call-back queue's own abandons are call-back legs, never new requests;
* ``CallerAnswered`` in an inbound queue → the number's waiting request is cancelled (reached anyway);
* ``CallerAnswered`` / ``CallerAbandoned`` in the call-back queue, ``MissedCallLegEnded`` → the outcome of
  the attempt whose leg that is (the leg's Uniqueid is the attempt's ``channel_id``).

Dialer: every ``poll_s`` it closes claims whose lease ran out, then — only while Asterisk is reachable —
claims due requests (a version-checked write: two app processes never dial the same request) and
Originates each in its own task, at most ``max_parallel`` at once.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from callcenter.core.clock import Clock
from callcenter.core.errors import ConcurrentUpdate, NotFound, TelephonyUnavailable
from callcenter.queue.events import (
    CallerAbandoned,
    CallerAnswered,
    CallMeBackRequested,
    FloorEvent,
    MissedCallLegEnded,
)
from callcenter.queue.missed_calls.ports import DialOrder, MissedCallStore, Originator
from callcenter.queue.missed_calls.rules import (
    DUE_STATES,
    CloseReason,
    MissedCall,
    MissedCallPolicy,
    MissedCallReason,
    MissedCallRequest,
    callable_number,
    list_key,
)
from callcenter.queue.missed_calls.steps import (
    cancel,
    claim,
    dialled,
    expire,
    leg_connected,
    leg_ended,
    not_sent,
    refuse,
)

log = logging.getLogger(__name__)

Step = Callable[[MissedCallRequest], MissedCallRequest]
SAVE_TRIES = 5


async def apply(store: MissedCallStore, request: MissedCallRequest, step: Step) -> MissedCallRequest:
    """Apply ``step`` and save; on a concurrent write, reload and apply it again."""
    for _ in range(SAVE_TRIES):
        changed = step(request)
        if changed == request:
            return request
        try:
            return await store.save(changed)
        except ConcurrentUpdate:
            assert request.id is not None
            fresh = await store.get(request.id)
            if fresh is None:
                raise NotFound(f"missed call {request.id} is gone", missed_call_id=request.id) from None
            request = fresh
    raise ConcurrentUpdate(f"missed call {request.id} keeps changing", missed_call_id=request.id)


class MissedCallFloor:
    """The floor handler (add with ``floor.add(handler.handle)``)."""

    def __init__(self, store: MissedCallStore, policy: MissedCallPolicy) -> None:
        self._store = store
        self._policy = policy

    async def handle(self, event: FloorEvent) -> None:
        queue = self._policy.missed_call_queue
        match event:
            case CallerAbandoned() if event.queue == queue:
                await self._leg(event.entry_id, lambda r: leg_ended(r, event.entry_id, "", event.at))
            case CallerAbandoned():
                await self._missed(
                    event.server,
                    event.queue,
                    event.entry_id,
                    event.call_id,
                    event.caller_number,
                    MissedCallReason.ABANDONED,
                    event.at,
                )
            case CallMeBackRequested() if event.queue != queue:
                await self._missed(
                    event.server,
                    event.queue,
                    event.entry_id,
                    event.call_id,
                    event.caller_number,
                    MissedCallReason.REQUESTED,
                    event.at,
                )
            case CallerAnswered() if event.queue == queue:
                step = lambda r: leg_connected(r, event.entry_id, event.agent, event.at)  # noqa: E731
                await self._leg(event.entry_id, step)
            case CallerAnswered():
                await self._answered_inbound(event)
            case MissedCallLegEnded():
                await self._leg(event.entry_id, lambda r: leg_ended(r, event.entry_id, event.agent, event.at))
            case _:
                return

    async def _missed(
        self,
        server: str,
        queue: str,
        entry_id: str,
        call_id: str,
        number: str,
        reason: MissedCallReason,
        at: datetime,
    ) -> None:
        missed = MissedCall(server, queue, entry_id, call_id, number, reason, at)
        request = await self._store.record_miss(missed, self._policy)
        if request is not None:
            log.info(
                "missed call %s: %s miss of entry %s (%d so far)",
                request.id,
                reason.value,
                entry_id,
                request.misses,
            )

    async def _leg(self, channel_id: str, step: Step) -> None:
        request = await self._store.by_channel(channel_id)
        if request is not None:
            done = await apply(self._store, request, step)
            if done is not request:
                log.info(
                    "missed call %s: leg %s → %s (%s)", done.id, channel_id, done.state.value, done.outcome
                )

    async def _answered_inbound(self, event: CallerAnswered) -> None:
        """The citizen got through on a later call: the waiting call-back is no longer needed."""
        if not event.caller_number:
            return
        request = await self._store.open_for_number(list_key(event.caller_number))
        if request is None or request.state not in DUE_STATES or request.created_at > event.at:
            return
        done = await apply(
            self._store,
            request,
            lambda r: (
                cancel(r, "system", CloseReason.ANSWERED_INBOUND, event.at) if r.state in DUE_STATES else r
            ),
        )
        log.info("missed call %s cancelled: the number was answered on call %s", done.id, event.call_id)


class MissedCallDialer:
    """The background task that calls citizens back (started and stopped by bootstrap)."""

    def __init__(
        self,
        store: MissedCallStore,
        originator: Originator,
        clock: Clock,
        policy: MissedCallPolicy,
        poll_s: float = 5.0,
        max_parallel: int = 2,
        not_sent_wait_s: int = 5,
    ) -> None:
        self._store = store
        self._originator = originator
        self._clock = clock
        self._policy = policy
        self._poll_s = poll_s
        self._max_parallel = max_parallel
        self._not_sent_wait_s = not_sent_wait_s
        self._calls: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception as exc:  # the database down: next round
                log.warning("missed-call dialer round failed: %s", exc)
            await asyncio.sleep(self._poll_s)

    async def run_once(self) -> int:
        """One round: expire lost claims, then claim and dial what is due. Returns calls started."""
        now = self._clock.now()
        for request in await self._store.expired(now, 50):
            await apply(self._store, request, lambda r: expire(r, now, self._policy))
        servers = self._originator.reachable()
        free = self._max_parallel - len(self._calls)
        if not servers or free <= 0:
            return 0  # AMI down: requests stay pending, nothing is lost
        started = 0
        for request in await self._store.due(now, free):
            reason = self._policy.refusal(callable_number(request.citizen_number))
            if reason is not None:  # never dialled, whatever happened since the miss
                await apply(self._store, request, partial(refuse, reason=reason, now=now))
                log.warning(
                    "missed call %s: number refused by the dial policy (%s), not dialled", request.id, reason
                )
                continue
            claimed = await self._claim(request, now, _server_for(request, servers))
            if claimed is not None:
                self._start(claimed)
                started += 1
        return started

    async def settle(self) -> None:
        """Wait for the calls in progress (tests); ``close`` cancels them."""
        while self._calls:
            await asyncio.gather(*list(self._calls), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._calls):
            task.cancel()
        await asyncio.gather(*list(self._calls), return_exceptions=True)

    async def _claim(
        self, request: MissedCallRequest, now: datetime, server: str
    ) -> MissedCallRequest | None:
        channel_id = f"cb{request.id}-{request.attempts + 1}-{secrets.token_hex(3)}"
        try:
            return await self._store.save(claim(request, now, channel_id, server, self._policy))
        except ConcurrentUpdate:
            return None  # another dialer took it, or it changed meanwhile: next round decides

    def _start(self, request: MissedCallRequest) -> None:
        task = asyncio.create_task(self._dial(request), name=f"missed-call-{request.id}")
        self._calls.add(task)
        task.add_done_callback(self._calls.discard)

    async def _dial(self, request: MissedCallRequest) -> None:
        attempt = request.current_attempt()
        assert attempt is not None and request.id is not None
        order = DialOrder(
            attempt.server, request.citizen_number, attempt.channel_id, request.id, attempt.number
        )
        try:
            result = await self._originator.dial(order)
        except TelephonyUnavailable as exc:
            log.warning("missed call %s: not dialled (%s); stays pending", request.id, exc.message)
            now = self._clock.now()
            await apply(
                self._store, request, lambda r: not_sent(r, order.channel_id, now, self._not_sent_wait_s)
            )
            return
        now = self._clock.now()
        step = lambda r: dialled(r, order.channel_id, result.outcome, result.reason_code, now, self._policy)  # noqa: E731
        done = await apply(self._store, request, step)
        log.info(
            "missed call %s attempt %d: %s → %s",
            request.id,
            order.attempt,
            result.outcome.value,
            done.state.value,
        )


def _server_for(request: MissedCallRequest, reachable: Sequence[str]) -> str:
    """Dial from the Asterisk the miss came from when it is reachable, else from any reachable one."""
    return request.server if request.server in reachable else reachable[0]
