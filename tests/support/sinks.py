"""Bridge sinks for tests (``BridgeSink``, callcenter/adapters/ami/bridge.py): what a bridge hands on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from callcenter.calls.events import CallEvent
from callcenter.queue.events import FloorEvent

Handler = Callable[[object], Awaitable[None]]


class EventSink:
    """Every call and floor event of the storing stage to ``handler``, one at a time and in order (a
    burst's call events one by one); nothing live, nothing to flush."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler

    async def live(self, event: FloorEvent) -> None:
        return None

    async def floor(self, event: FloorEvent) -> None:
        await self._handler(event)

    async def calls(self, events: Sequence[CallEvent]) -> None:
        for event in events:
            await self._handler(event)

    async def flush(self) -> None:
        return None

    async def resynced(self, server: str, live_call_ids: frozenset[str], at: datetime) -> None:
        return None


class CallEvents(EventSink):
    """Keeps the call events it is handed (``received``), in order."""

    def __init__(self) -> None:
        super().__init__(self._keep)
        self.received: list[CallEvent] = []

    async def _keep(self, event: object) -> None:
        if isinstance(event, CallEvent):
            self.received.append(event)
