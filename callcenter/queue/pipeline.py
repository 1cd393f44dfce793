"""The floor's handler table: every floor event goes, in order, to each part that follows the floor.

Reading order = what happens on the floor: live state of seats and waiting callers (Redis), the
service-level ledger (database), the missed-call list (漏接回拨), the wallboard push. The bridge hands
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
    def __init__(self, handlers: Sequence[FloorHandler] = ()) -> None:
        self._handlers: list[FloorHandler] = list(handlers)
        self._flushes: list[FloorFlush] = []
        self._live: list[FloorHandler] = []

    def add(self, handler: FloorHandler) -> None:
        """Append a handler (composition root only, before the bridge starts)."""
        self._handlers.append(handler)

    def add_live(self, handler: FloorHandler) -> None:
        """A handler of live state kept in memory (seats, waiting callers): it must not wait on I/O.
        The bridge runs live handlers as events arrive, ahead of anything that stores."""
        self._live.append(handler)

    def add_flush(self, flush: FloorFlush) -> None:
        """Register what a handler stores once per burst (composition root only)."""
        self._flushes.append(flush)

    async def handle_live(self, event: FloorEvent) -> None:
        for handler in self._live:
            await handler(event)

    async def handle(self, event: FloorEvent) -> None:
        for handler in self._handlers:
            await handler(event)

    async def flush(self) -> None:
        for flush in self._flushes:
            await flush()
