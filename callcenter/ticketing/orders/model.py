"""The drafted content of a work order (工单): what the citizen asked, as drafted from a call (草稿) or
typed in by the agent. Its id, status and version belong to the life-cycle record (``record.py``); a
new draft's life cycle starts at ``record.new_lifecycle()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callcenter.core.ids import CallId

__all__ = ["Ticket"]


@dataclass(frozen=True, slots=True)
class Ticket:
    call_id: CallId | None
    caller_number: str
    summary: str  # 诉求摘要
    request_text: str  # the citizen's words, as transcribed (诉求内容)
    created_at: datetime
    updated_at: datetime
    failure_reason: str | None = None  # why the draft has no usable transcript
    source: str = "call"  # call | manual (typed in by the agent)
    unit_summary: str = ""  # 对单位摘要: what units read instead of the text of a confidential order (保密)
