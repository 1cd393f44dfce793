"""Ports of supervision (督办) and the deadline watch (ADR 0011); adapters implement them
(adapters/db/supervision.py). They store what the rules in ``rules`` and ``sweeper`` decided."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from callcenter.core.actors import Actor
from callcenter.core.ids import TicketId
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.supervision.rules import Supervision, SupervisionId, SupervisionStatus
from callcenter.ticketing.supervision.sweeper import DeadlineAlert, DeadlineWatch, RaisedAlert


class SupervisionOpener(Protocol):
    async def open(self, supervision: Supervision) -> Supervision:
        """Store a supervision made by ``open_supervision``; the stored copy carries its id.
        ``supervision_target_invalid`` when its ticket or matter does not exist (nothing stored)."""
        ...


class SupervisionRepository(SupervisionOpener, Protocol):
    async def get(self, supervision_id: SupervisionId) -> Supervision | None: ...

    async def save_closed(self, closed: Supervision) -> None:
        """Store a supervision closed by ``close_supervision``, only while the stored one is still open:
        ``supervision_closed`` (nothing changed) when another close came first."""
        ...

    async def find(
        self,
        *,
        ticket_id: TicketId | None = None,
        matter_id: int | None = None,
        status: SupervisionStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Supervision]:
        """Supervisions matching every filter given, newest first; ``limit`` 1..500, ``offset`` >= 0."""
        ...


class AlertLog(Protocol):
    async def alerts_of(self, ticket_id: TicketId) -> list[RaisedAlert]:
        """The alerts raised for a ticket, oldest first."""
        ...


class DeadlineAlertStore(AlertLog, Protocol):
    async def watches(self, now: datetime, limit: int) -> Sequence[DeadlineWatch]:
        """The tickets with an alert due at ``now`` and not raised yet (at most ``limit``, by id), each
        with the alerts already raised for it and whether a supervision of it is open."""
        ...

    async def record(
        self, alert: DeadlineAlert, at: datetime, supervision: Supervision | None
    ) -> tuple[bool, Supervision | None]:
        """Record the alert once per ``(ticket, kind, due_at)``, and with it — in the same transaction,
        only if this call recorded it — the supervision it opens. ``(False, None)`` when another sweeper
        recorded it first; else ``(True, the stored supervision or None)``."""
        ...


class OrderAccess(Protocol):
    """``WorkOrders.get``: the order if ``actor`` may see it, else ``NotFound``."""

    async def get(self, ticket_id: TicketId, actor: Actor) -> WorkOrder: ...
