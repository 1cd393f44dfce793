"""Ports of 并单 (ADR 0010); adapters implement them (adapters/db/matters.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from callcenter.core.ids import TicketId
from callcenter.ticketing.matters.duplicates import DuplicateRules, MatterId, MatterMatch, OpenOrder
from callcenter.ticketing.matters.model import AUTO, Matter, MatterLinked, MatterTicket, MatterUnlinked


class MatterIndex(Protocol):
    """Where open orders are looked up and matters kept (SqlMatterIndex): registration's matching
    (``merging.MatterLinker``) and the agents' view and undo (the matters API) use the same port."""

    async def candidates(self, new: OpenOrder, rules: DuplicateRules, limit: int) -> list[OpenOrder]:
        """Open orders received within the window around ``new``, newest first, at most ``limit``."""
        ...

    async def matter_of(self, ticket_id: TicketId) -> MatterId | None:
        """The matter the order is in now."""
        ...

    async def link(
        self, new_ticket_id: TicketId, match: MatterMatch, at: datetime, by: str = AUTO
    ) -> MatterLinked: ...

    async def unlink(self, ticket_id: TicketId, by: str, at: datetime) -> MatterUnlinked: ...

    async def matter(self, matter_id: MatterId) -> Matter: ...

    async def tickets_of(self, matter_id: MatterId) -> Sequence[MatterTicket]: ...
