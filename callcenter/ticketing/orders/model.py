"""The work order (工单). Issue 3 creates drafts (草稿) from calls; the full life cycle grows on this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callcenter.core.ids import CallId, TicketId
from callcenter.ticketing.states import TicketStatus

# The full status enum of the life cycle (lifecycle.py); "draft" (草稿) is what a call's draft starts as.
__all__ = ["Ticket", "TicketStatus"]


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
    source: str = "call"  # call | manual (typed in by the agent)
    unit_summary: str = ""  # 对单位摘要: what units read instead of the text of a confidential order (保密)
