"""The work order (工单). Issue 3 creates drafts (草稿) from calls; the full life cycle grows on this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from callcenter.core.ids import CallId, TicketId


class TicketStatus(StrEnum):
    DRAFT = "draft"  # 草稿: made from the call, waiting for the agent to confirm and register (受理)


@dataclass(frozen=True, slots=True)
class Ticket:
    id: TicketId | None
    call_id: CallId | None
    status: TicketStatus
    caller_number: str
    summary: str  # 诉求摘要
    request_text: str  # the citizen's words, as transcribed (诉求内容)
    created_at: datetime
    updated_at: datetime
    failure_reason: str | None = None  # why the draft has no usable transcript
    version: int = 1
