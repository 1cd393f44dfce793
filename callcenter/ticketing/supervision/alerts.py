"""The deadline watch (黄牌, 红牌, 联系超时): sweep, then tell the units' live inboxes (ADR 0011).

``DeadlineSweeper`` is one pass: load the tickets that may be due (``DeadlineAlertStore.watches``), run
the pure ``sweeper.sweep``, and record each new alert with the overdue supervision it opens
(``sweeper.overdue_supervision``). The store records an alert once per ``(ticket, kind, due_at)``: when
two sweepers (two processes) raise the same alert at once, exactly one records it, and only that one
reports the alert and stores the supervision, in the same transaction as the alert.

``DeadlineWatch`` repeats a pass while a full page came back, then publishes one notice per alert, so the
lead unit's inbox shows the card at once. Publishing is best effort: the alert is stored, and the inbox
shows it on its next load.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInput
from callcenter.ticketing.orders.ports import InboxNotice, InboxNotifier, WorkOrderStore
from callcenter.ticketing.supervision.ports import DeadlineAlertStore
from callcenter.ticketing.supervision.rules import Supervision
from callcenter.ticketing.supervision.sweeper import DeadlineAlert, overdue_supervision, sweep

log = logging.getLogger(__name__)

PAGE = 500
MAX_PASSES = 20  # 10,000 alerts per sweep at most; the rest wait for the next sweep


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What one pass raised: the new alerts (to publish to the units' inboxes) and the supervisions opened."""

    alerts: tuple[DeadlineAlert, ...]
    supervisions: tuple[Supervision, ...]
    examined: int  # tickets loaded because something may be due


class DeadlineSweeper:
    """One pass at a time: ``sweep_once(now, limit)``; ``DeadlineWatch`` repeats it."""

    def __init__(self, store: DeadlineAlertStore) -> None:
        self._store = store

    async def sweep_once(self, now: datetime, limit: int = PAGE) -> SweepReport:
        """Raise every alert due at ``now`` (at most ``limit`` tickets per pass; call again while a pass
        examined ``limit`` tickets). Each alert in its own short transaction, with its supervision."""
        if now.tzinfo is None or limit < 1:
            raise InvalidInput("now must be timezone-aware and limit positive", limit=limit)
        watches = await self._store.watches(now, limit)
        raised: list[DeadlineAlert] = []
        opened: list[Supervision] = []
        for alert in sweep(watches, now):
            supervision = overdue_supervision(alert, now) if alert.opens_supervision else None
            won, stored = await self._store.record(alert, now, supervision)
            if won:
                raised.append(alert)
            if stored is not None:
                opened.append(stored)
        return SweepReport(tuple(raised), tuple(opened), len(watches))


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
