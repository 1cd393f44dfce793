"""The floor's handlers: every floor event goes, in order, to each part that follows the floor.

Which parts, in which order, is the call-flow table (callcenter/wiring/pipeline.py): live state of seats
and waiting callers, the wallboard, the live taps; then the service-level ledger (database) and the
missed-call list (漏接回拨). The bridge hands
events over one at a time and retries a failing delivery, so every handler must be idempotent (an
event may reach a handler twice after a retry) and must not swallow a failure it needs retried.

Two stages. *Live* handlers keep state in memory (seats, waiting callers, the wallboard) and never wait
on I/O: the bridge runs them as events arrive, so the wall never waits for a database. The other
handlers run behind them, in the same order, in the bridge's storing stage; what they must store is
written by their *flush*, which the bridge calls once per burst of events (one transaction for a burst
instead of one per event) and retries until it succeeds before it hands on the next burst.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from callcenter.queue.events import FloorEvent

FloorHandler = Callable[[FloorEvent], Awaitable[object]]
FloorFlush = Callable[[], Awaitable[object]]


class FloorPipeline:
    """The floor's handlers in their order, fixed when it is made (callcenter/wiring/pipeline.py builds it
    from the call-flow table): ``live`` handlers, then the storing ``handlers``, then the ``flushes``."""

    def __init__(
        self,
        handlers: Sequence[FloorHandler] = (),
        live: Sequence[FloorHandler] = (),
        flushes: Sequence[FloorFlush] = (),
    ) -> None:
        self.handlers = tuple(handlers)
        self.live = tuple(live)
        self.flushes = tuple(flushes)

    async def handle_live(self, event: FloorEvent) -> None:
        """Live handlers keep state in memory (seats, waiting callers): they must not wait on I/O. The
        bridge runs them as events arrive, ahead of anything that stores."""
        for handler in self.live:
            await handler(event)

    async def handle(self, event: FloorEvent) -> None:
        for handler in self.handlers:
            await handler(event)

    async def flush(self) -> None:
        """What the handlers store, once per burst."""
        for flush in self.flushes:
            await flush()
