"""The hotline's FastAGI scripts (extensions.conf calls them; docs/ivr-and-queues.md).

* ``ticket-status`` (arg: the keyed digits): sets ``TICKET_PROMPT`` to the status prompt of that work order,
  as the calling number (``agi_callerid``) may hear it: only its own, never a confidential one (else 未查到).
* ``route`` (arg: the target queue): sets ``HOTLINE_QUEUE`` to the target or its overflow queue and
  ``HOTLINE_OVERFLOW`` to ``yes``/``no``. The live figures are read from Asterisk on the caller's channel
  (``GET FULL VARIABLE ${QUEUE_WAITING_COUNT(q)}`` …), so the decision needs no other state of the app.

The dialplan sets both variables to safe defaults before calling AGI: whatever fails here, the call goes on.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping

from callcenter.adapters.agi.server import AgiSession, Handler
from callcenter.core.ids import TicketId
from callcenter.ivr.routing import OverflowPolicy, QueueFigures, decide, overflow_queue
from callcenter.ivr.self_service import UNAVAILABLE_PROMPT, status_prompt, ticket_number
from callcenter.ticketing.states import TicketStatus

log = logging.getLogger(__name__)

# (work order id, calling number) → the status that caller may hear (ivr/self_service.status_for_caller)
TicketLookup = Callable[[TicketId, str], Awaitable[TicketStatus | None]]
_QUEUE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,63}$")


def hotline_routes(
    lookup: TicketLookup, policy: OverflowPolicy, lookup_timeout_s: float
) -> Mapping[str, Handler]:
    async def ticket_status(session: AgiSession) -> None:
        keys = session.request.args[0] if session.request.args else ""
        request = session.request
        prompt = await _ticket_prompt(keys, request.caller_number, lookup, lookup_timeout_s, request.uniqueid)
        await session.set_variable("TICKET_PROMPT", prompt)

    async def route(session: AgiSession) -> None:
        target = session.request.args[0] if session.request.args else ""
        if not _QUEUE_NAME.match(target):
            log.warning("route: bad target queue %r (call %s)", target, session.request.uniqueid)
            return
        other = overflow_queue(target, policy)
        figures = await read_figures(session, target)
        spill = await read_figures(session, other) if other else None
        decision = decide(figures, spill, policy)
        await session.set_variable("HOTLINE_QUEUE", decision.queue)
        await session.set_variable("HOTLINE_OVERFLOW", "yes" if decision.overflowed else "no")
        log.info(
            "route call %s: %s (target %s, estimated wait %s s, overflow %s)",
            session.request.uniqueid,
            decision.queue,
            target,
            _seconds(decision.target_wait_s),
            _seconds(decision.overflow_wait_s),
        )

    return {"ticket-status": ticket_status, "route": route}


async def _ticket_prompt(keys: str, caller: str, lookup: TicketLookup, timeout_s: float, call_id: str) -> str:
    ticket = ticket_number(keys)
    if ticket is None:
        return status_prompt(None)
    try:
        async with asyncio.timeout(timeout_s):
            status = await lookup(ticket, caller)
    except Exception as exc:  # the database slow or down: say so and go on to the queue
        log.warning("ticket lookup for call %s failed: %r", call_id, exc)
        return UNAVAILABLE_PROMPT
    log.info("self-service: call %s asked for work order %s: %s", call_id, ticket, status)
    return status_prompt(status)


async def read_figures(session: AgiSession, queue: str) -> QueueFigures:
    """The live figures of ``queue`` evaluated on the caller's channel (one round trip per figure)."""
    waiting = await session.evaluate(f"${{QUEUE_WAITING_COUNT({queue})}}")
    free = await session.evaluate(f"${{QUEUE_MEMBER({queue},free)}}")
    logged = await session.evaluate(f"${{QUEUE_MEMBER({queue},logged)}}")
    await session.evaluate(f"${{QUEUE_VARIABLES({queue})}}")  # sets QUEUETALKTIME on the channel
    talk = await session.evaluate("${QUEUETALKTIME}")
    return QueueFigures(queue, _count(waiting), _count(free), _count(logged), _count(talk))


def _count(raw: str) -> int:
    return int(raw) if raw.strip().isdigit() else 0


def _seconds(value: float | None) -> str:
    return "unbounded" if value is None else f"{value:.0f}"
