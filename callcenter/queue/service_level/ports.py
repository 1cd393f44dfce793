"""The service level's ports: where queue entries are stored, where Asterisk's queue_log is read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from callcenter.queue.service_level.ledger import QueueEntry


class QueueEntryStore(Protocol):
    async def save(self, entries: Sequence[QueueEntry], at: datetime) -> None: ...

    async def since(self, start: datetime, server: str | None = None) -> list[QueueEntry]: ...


class QueueLogSource(Protocol):
    """The queue_log lines of one Asterisk server, or None when this host cannot read them."""

    async def lines(self, server: str, since: datetime) -> Sequence[str] | None: ...
