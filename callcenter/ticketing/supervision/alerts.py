"""The deadline watch (黄牌, 红牌, 联系超时): sweep, then tell the units' live inboxes (ADR 0011).

The sweeper records each alert once (and opens the overdue supervision with it); this loop repeats a
pass while a full page came back, then publishes one notice per alert, so the lead unit's inbox shows
the card at once. Publishing is best effort: the alert is stored, and the inbox shows it on its next load.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from callcenter.core.clock import Clock
from callcenter.ticketing.orders.service import InboxNotice, InboxNotifier, WorkOrderStore
from callcenter.ticketing.supervision.rules import Supervision
from callcenter.ticketing.supervision.sweeper import DeadlineAlert

log = logging.getLogger(__name__)

PAGE = 500
MAX_PASSES = 20  # 10,000 alerts per sweep at most; the rest wait for the next sweep


class SweepResult(Protocol):
    @property
    def alerts(self) -> Sequence[DeadlineAlert]: ...
    @property
    def supervisions(self) -> Sequence[Supervision]: ...
    @property
    def examined(self) -> int: ...


class DeadlineSweeper(Protocol):
    async def sweep_once(self, now: datetime, limit: int = PAGE) -> SweepResult: ...


@dataclass(frozen=True, slots=True)
class SweepSummary:
    alerts: int
    supervisions: int


class DeadlineWatch:
    def __init__(
        self, sweeper: DeadlineSweeper, store: WorkOrderStore, notifier: InboxNotifier, clock: Clock
    ) -> None:
        self._sweeper = sweeper
        self._store = store
        self._notifier = notifier
        self._clock = clock

    async def run_once(self) -> SweepSummary:
        alerts: list[DeadlineAlert] = []
        supervisions = 0
        for _ in range(MAX_PASSES):
            report = await self._sweeper.sweep_once(self._clock.now(), PAGE)
            alerts.extend(report.alerts)
            supervisions += len(report.supervisions)
            if report.examined < PAGE:
                break
        for alert in alerts:
            await self._publish(alert)
        if alerts:
            log.info("deadline sweep: %d alerts, %d supervisions opened", len(alerts), supervisions)
        return SweepSummary(len(alerts), supervisions)

    async def _publish(self, alert: DeadlineAlert) -> None:
        order = await self._store.get(alert.ticket_id)
        if order is None:
            return
        units = tuple(sorted(order.life.units))
        notice = InboxNotice(
            alert.ticket_id,
            order.version,
            None,
            order.life.status,
            units,
            self._clock.now(),
            alert.kind.value,
        )
        try:
            await self._notifier.publish(notice)
        except Exception:  # stored already; the inbox shows it on its next load
            log.warning("ticket %s: alert notice failed", alert.ticket_id, exc_info=True)
