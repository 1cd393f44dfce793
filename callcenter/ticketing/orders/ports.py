"""The work-order service's ports: what it loads and stores through, whom it notifies, what it asks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from callcenter.asr.model import Transcript
from callcenter.core.actors import UnitId
from callcenter.core.ids import CallId, TicketId
from callcenter.ticketing.catalogue.model import Catalogue
from callcenter.ticketing.matters.model import MatterLinked
from callcenter.ticketing.orders.events import TicketEvent
from callcenter.ticketing.orders.model import Ticket
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.states import Action, TicketStatus


@dataclass(frozen=True, slots=True)
class InboxNotice:
    """ "Something changed on this order" for the live inboxes; no content, ids only."""

    ticket_id: TicketId
    version: int
    action: Action | None  # None for a deadline alert
    status: TicketStatus
    units: tuple[UnitId, ...]  # units whose inbox shows the order now (or showed it before a 改派)
    at: datetime
    alert: str | None = None  # warning (黄牌) | overdue (红牌) | contact_overdue, from the deadline watch


class WorkOrderStore(Protocol):
    async def get(self, ticket_id: TicketId) -> WorkOrder | None: ...

    async def create(self, order: WorkOrder, events: Sequence[TicketEvent]) -> TicketId:
        """Insert a new order (typed in by an agent) with the events that made it; returns its id."""
        ...

    async def save(self, order: WorkOrder, events: Sequence[TicketEvent], expected_version: int) -> None:
        """Write the order and its audit events in one transaction; ``ConcurrentUpdate`` if the stored
        version is no longer ``expected_version``."""
        ...


class InboxNotifier(Protocol):
    async def publish(self, notice: InboxNotice) -> None: ...


class UnitDirectory(Protocol):
    async def require_active(self, units: Sequence[UnitId]) -> None:
        """``UnknownUnit`` unless every unit exists and is active."""
        ...


class RegistrationFollowUp(Protocol):
    async def on_registered(self, order: WorkOrder) -> MatterLinked | None: ...


class OrderListener(Protocol):
    """Told after an order's change is saved and notified, with the order before and after it and the
    change's events (the survey scheduler: 回单 and 直接办结 → a survey; 并单: a 重办 reopens the whole
    matter). Best effort: the change is saved whatever the listener does; it must be idempotent."""

    async def on_saved(self, before: WorkOrder, after: WorkOrder, events: Sequence[TicketEvent]) -> None: ...


class CatalogueSource(Protocol):
    def current(self) -> Catalogue: ...


class TranscriptionResults(Protocol):
    async def store(
        self,
        call_id: CallId,
        transcript: Transcript | None,
        failure: tuple[str, str] | None,
        ticket: Ticket,
        at: datetime,
    ) -> bool: ...

    async def exists(self, call_id: CallId) -> bool: ...
