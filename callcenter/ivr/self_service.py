"""Self-service during the greeting (自助查询): the caller keys a work-order number (工单号) followed by #
and hears its status, then goes on to the queue as usual. Pure rules, no I/O.

What is said is only the coarse status — 已受理 / 办理中 / 已办结 / 未查到 — never the content, the unit or
the citizen's data. And it is said only to the citizen the order belongs to (issue 11): the calling number
must be the order's caller number, and a confidential order (保密工单) is never told at all. Anyone can key
any number, so a stranger's order, a confidential one, a draft (草稿, not accepted yet) and a missing one
all sound the same: 未查到. Not built: a lookup code given at 受理 for citizens calling from another phone.
"""

from __future__ import annotations

import re

from callcenter.core.ids import TicketId
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.states import TicketStatus

MAX_TICKET_DIGITS = 12
_NUMBER = re.compile(r"^[1-9][0-9]{0,11}$")
_SEPARATORS = re.compile(r"[\s\-()]")
_PHONE = re.compile(r"^[0-9]{5,20}$")

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


def status_for_caller(order: WorkOrder | None, calling_number: str) -> TicketStatus | None:
    """The status the caller may hear: only of an order that is theirs (the calling number is the order's
    caller number) and not confidential; anything else is None, i.e. the same 未查到 as no order."""
    if order is None or order.life.confidential:
        return None
    if not same_number(order.ticket.caller_number, calling_number):
        return None
    return order.life.status


def same_number(a: str, b: str) -> bool:
    """Two phone numbers are the same line: separators and the +86/0086 prefix aside. Anonymous, withheld
    or too short numbers are nobody's (never equal)."""
    first, second = _national(a), _national(b)
    return first is not None and first == second


def _national(raw: str) -> str | None:
    number = _SEPARATORS.sub("", raw or "")
    for prefix in ("+86", "0086"):
        if number.startswith(prefix):
            number = number[len(prefix) :]
    return number if _PHONE.match(number) else None
