"""The deadline sweeper's rule: which yellow cards (黄牌), red cards (红牌) and contact alerts are due now.

Pure (ADR 0011): the adapter loads a ``DeadlineWatch`` per ticket that may be due, with the alerts already
raised for it, and stores what ``sweep`` returns. The rule, for a ticket still with its lead unit:

- 黄牌 (``warning``) once ``now >= warn_at`` while the ticket is not yet overdue;
- 红牌 (``overdue``) once ``now > due_at`` (``deadlines.is_overdue``: strictly after); it replaces a yellow
  card not raised yet — a ticket first seen past due gets the red card only — and asks for a supervision
  (督办, trigger ``overdue``, kind ``platform``) unless one is open for the ticket already;
- ``contact_overdue`` once ``now > contact_due_at`` (1 hour after dispatch) while the unit has not started
  handling (``dispatched`` or ``acknowledged``): the life cycle records no first contact, so starting
  handling (办理) is the evidence that the unit took the matter up.

Each alert is keyed ``(kind, due_at)``, the deadline it is raised against (the handling deadline for both
cards, the contact deadline for the contact alert), and raised once per key. An extension (延期), a
reassignment (改派) or a reopening (重办) moves the deadline, so the new key re-arms every alert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from callcenter.core.actors import UnitId
from callcenter.core.clock import SHANGHAI
from callcenter.core.errors import InvalidInput
from callcenter.core.ids import TicketId
from callcenter.ticketing.deadlines import Deadline, is_overdue
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.supervision.rules import (
    SYSTEM,
    Supervision,
    SupervisionKind,
    SupervisionTrigger,
    open_supervision,
)

S = TicketStatus

WATCHED: Final = frozenset({S.DISPATCHED, S.ACKNOWLEDGED, S.IN_PROGRESS})
"""Tickets with the unit get alerts. ``returned`` (退单) does not: the ticket waits for the dispatcher, not
the unit. Its deadline keeps running (scheduling.py); if the return is rejected the ticket comes back with
that deadline and the next sweep raises what is due; a reassignment starts a new deadline."""

CONTACT_WATCHED: Final = frozenset({S.DISPATCHED, S.ACKNOWLEDGED})
"""The unit has not started handling yet: the contact deadline still matters."""


class AlertKind(StrEnum):
    WARNING = "warning"  # 黄牌: the deadline is near
    OVERDUE = "overdue"  # 红牌: the deadline has passed
    CONTACT_OVERDUE = "contact_overdue"  # the unit did not take the matter up within the contact limit


_RANK: Final = {AlertKind.WARNING: 0, AlertKind.OVERDUE: 1, AlertKind.CONTACT_OVERDUE: 2}
AlertKey = tuple[AlertKind, datetime]


@dataclass(frozen=True, slots=True)
class DeadlineWatch:
    """What the sweeper needs to know of one ticket (aware datetimes; UTC from storage)."""

    ticket_id: TicketId
    status: TicketStatus
    lead_unit: UnitId | None
    due_at: datetime | None  # 办理时限
    warn_at: datetime | None  # 黄牌 moment
    contact_due_at: datetime | None
    dispatched_at: datetime | None  # start of the current handling period; carried for the reader
    raised: frozenset[AlertKey] = frozenset()  # alerts already raised for this ticket
    under_supervision: bool = False  # a supervision of the ticket is open

    def __post_init__(self) -> None:
        for name in ("due_at", "warn_at", "contact_due_at", "dispatched_at"):
            value = getattr(self, name)
            if value is not None:
                _require_aware(value, name)


@dataclass(frozen=True, slots=True)
class DeadlineAlert:
    """An alert to raise now; ``opens_supervision`` asks for the overdue supervision in the same step."""

    ticket_id: TicketId
    kind: AlertKind
    due_at: datetime  # the deadline it is raised against
    lead_unit: UnitId | None
    opens_supervision: bool = False

    @property
    def key(self) -> AlertKey:
        return (self.kind, self.due_at)


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    """An alert as stored: what was raised, against which deadline, and when."""

    ticket_id: TicketId
    kind: AlertKind
    due_at: datetime
    raised_at: datetime


def sweep(watches: Iterable[DeadlineWatch], now: datetime) -> list[DeadlineAlert]:
    """The alerts due at ``now`` and not raised yet, ordered by deadline, ticket and kind."""
    _require_aware(now, "now")
    alerts = [alert for watch in watches for alert in alerts_for(watch, now)]
    return sorted(alerts, key=lambda a: (a.due_at, a.ticket_id, _RANK[a.kind]))


def alerts_for(watch: DeadlineWatch, now: datetime) -> list[DeadlineAlert]:
    """One ticket's new alerts: nothing unless it is with the unit; each key at most once."""
    if watch.status not in WATCHED:
        return []
    found = [*_card(watch, now), *_contact(watch, now)]
    return [alert for alert in found if alert.key not in watch.raised]


def _card(watch: DeadlineWatch, now: datetime) -> list[DeadlineAlert]:
    """红牌 past due, else 黄牌 from the warning moment on."""
    if watch.due_at is None:
        return []
    if is_overdue(Deadline(watch.due_at, provisional=False), now):
        supervise = not watch.under_supervision
        return [_alert(watch, AlertKind.OVERDUE, watch.due_at, opens_supervision=supervise)]
    if watch.warn_at is not None and now >= watch.warn_at:
        return [_alert(watch, AlertKind.WARNING, watch.due_at)]
    return []


def _contact(watch: DeadlineWatch, now: datetime) -> list[DeadlineAlert]:
    due = watch.contact_due_at
    if due is None or watch.status not in CONTACT_WATCHED or not now > due:
        return []
    return [_alert(watch, AlertKind.CONTACT_OVERDUE, due)]


def _alert(
    watch: DeadlineWatch, kind: AlertKind, due_at: datetime, *, opens_supervision: bool = False
) -> DeadlineAlert:
    return DeadlineAlert(watch.ticket_id, kind, due_at, watch.lead_unit, opens_supervision)


def overdue_supervision(alert: DeadlineAlert, at: datetime) -> Supervision:
    """The supervision a red card opens: 平台督办 by the system, the missed deadline in the note."""
    if alert.kind is not AlertKind.OVERDUE:
        raise InvalidInput("only a red card opens a supervision", kind=alert.kind)
    return open_supervision(
        SupervisionTrigger.OVERDUE,
        SYSTEM,
        at,
        ticket_id=alert.ticket_id,
        kind=SupervisionKind.PLATFORM,
        note=f"red card: the handling deadline {alert.due_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} has passed",
    )


def _require_aware(moment: datetime, field: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput(f"{field} must be timezone-aware", field=field)
