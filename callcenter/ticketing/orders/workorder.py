"""The work order (工单) as the service handles it: content, classification, life cycle and schedule.

``Ticket`` (model.py) is what the citizen asked, as drafted from the call; ``TicketLifecycle`` (record.py)
is what the life cycle rules over, and the one owner of the order's id, status and version;
``Classification`` is what the agent decides at registration (受理); ``Schedule`` holds the moments and
deadlines that the deadline rules derive from the life cycle's events.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from callcenter.core.errors import InvalidInput
from callcenter.ticketing.deadlines import RequestType, Urgency
from callcenter.ticketing.orders.model import Ticket
from callcenter.ticketing.orders.record import TicketLifecycle

MAX_TEXT_CHARS = 4000  # 诉求内容 and replies; a longer text is refused, never cut silently
MAX_ADDRESS_CHARS = 200


@dataclass(frozen=True, slots=True)
class Classification:
    """诉求分类, place and urgency, set by the agent when registering (受理)."""

    category_code: str | None = None
    area_code: str | None = None
    address: str = ""
    urgency: Urgency = Urgency.NORMAL
    request_type: RequestType | None = None


@dataclass(frozen=True, slots=True)
class Schedule:
    """When things happened and are due (UTC); deadlines come from ``scheduling``."""

    registered_at: datetime | None = None
    dispatched_at: datetime | None = None  # start of the current handling period (派单, 改派, 重办)
    closed_at: datetime | None = None
    due_at: datetime | None = None  # 办理时限
    provisional: bool = False  # the deadline used a day of a year with no published calendar
    warn_at: datetime | None = None  # 黄牌
    contact_due_at: datetime | None = None  # the unit contacts the citizen by then


@dataclass(frozen=True, slots=True)
class WorkOrder:
    ticket: Ticket
    life: TicketLifecycle
    classification: Classification = Classification()
    schedule: Schedule = Schedule()
    matter_id: int | None = None  # 并单

    @property
    def version(self) -> int:
        return self.life.version

    def with_content(self, summary: str, request_text: str) -> WorkOrder:
        return replace(self, ticket=replace(self.ticket, summary=summary, request_text=request_text))


def clean_text(text: str, field: str, limit: int = MAX_TEXT_CHARS, required: bool = False) -> str:
    """Strip, refuse control characters other than line breaks and tabs, and refuse overlong text.

    Text is stored as typed; the web UI renders it as text (never as HTML), so markup stays inert.
    """
    text = text.strip()
    if required and not text:
        raise InvalidInput(f"{field} is required", field=field)
    if len(text) > limit:
        raise InvalidInput(f"{field} is longer than {limit} characters", field=field, limit=limit)
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
        raise InvalidInput(f"{field} contains control characters", field=field)
    return text
