"""Self-service during the greeting (自助查询): the caller keys a work-order number (工单号) followed by #
and hears its status, then goes on to the queue as usual. Pure rules, no I/O.

What is said is only the coarse status — 已受理 / 办理中 / 已办结 / 未查到 — never the content, the unit or
the citizen's data: anyone can key any number, so the answer must be harmless to a stranger. A draft
(草稿) is not an accepted order yet and is reported like a missing one.
"""

from __future__ import annotations

import re

from callcenter.core.ids import TicketId
from callcenter.ticketing.states import TicketStatus

MAX_TICKET_DIGITS = 12
_NUMBER = re.compile(r"^[1-9][0-9]{0,11}$")

ACCEPTED_PROMPT = "ticket_accepted"  # 已受理
IN_PROGRESS_PROMPT = "ticket_in_progress"  # 办理中
CONCLUDED_PROMPT = "ticket_concluded"  # 已办结
NOT_FOUND_PROMPT = "ticket_not_found"  # 未查到
UNAVAILABLE_PROMPT = "ticket_unavailable"  # 暂时无法查询 (lookup failed or too slow)

_PROMPT_BY_STATUS = {
    TicketStatus.REGISTERED: ACCEPTED_PROMPT,
    TicketStatus.DISPATCHED: IN_PROGRESS_PROMPT,
    TicketStatus.ACKNOWLEDGED: IN_PROGRESS_PROMPT,
    TicketStatus.IN_PROGRESS: IN_PROGRESS_PROMPT,
    TicketStatus.RETURNED: IN_PROGRESS_PROMPT,
    TicketStatus.REPLIED: IN_PROGRESS_PROMPT,
    TicketStatus.CALLBACK_PENDING: IN_PROGRESS_PROMPT,
    TicketStatus.RESOLVED_ON_CALL: CONCLUDED_PROMPT,
    TicketStatus.CLOSED: CONCLUDED_PROMPT,
}


def ticket_number(keys: str) -> TicketId | None:
    """The work-order id keyed by the caller ('#' already stripped), or None if it cannot be one."""
    keys = keys.strip().rstrip("#")
    return TicketId(int(keys)) if _NUMBER.match(keys) else None


def status_prompt(status: TicketStatus | None) -> str:
    """The prompt id (sounds/<id>.wav) that tells the caller the status; None = no such order."""
    if status is None:
        return NOT_FOUND_PROMPT
    return _PROMPT_BY_STATUS.get(status, NOT_FOUND_PROMPT)
