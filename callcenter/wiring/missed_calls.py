"""The missed-call half of the composition root (漏接回拨; docs/missed-calls.md).

``build_missed_calls`` makes the store, the floor handler, the dialer and the desk from Settings; the
call-flow table (wiring/pipeline.py) puts the handler on the floor; the app adds the routes and
``dialer_ctx`` to its cleanup_ctx (after the bridges, so it stops before them).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.ami.actions import AmiActions
from callcenter.adapters.ami.missed_calls import WAIT_MARGIN_S, AmiOriginator
from callcenter.adapters.db.missed_calls import SqlMissedCalls
from callcenter.config.settings import Settings
from callcenter.core.clock import Clock
from callcenter.core.waiting import cancel_all
from callcenter.queue.missed_calls.desk import MissedCallDesk
from callcenter.queue.missed_calls.dial_policy import dial_policy
from callcenter.queue.missed_calls.rules import MissedCallPolicy, parse_quiet_hours
from callcenter.queue.missed_calls.service import MissedCallDialer, MissedCallFloor

LEASE_MARGIN_S = 30  # a claim outlives the longest Originate wait by this much


@dataclass(frozen=True, slots=True)
class MissedCallParts:
    enabled: bool
    policy: MissedCallPolicy
    store: SqlMissedCalls
    floor: MissedCallFloor
    dialer: MissedCallDialer
    desk: MissedCallDesk  # the list page's reads, retry and cancel


def missed_call_policy(settings: Settings) -> MissedCallPolicy:
    return MissedCallPolicy(
        max_attempts=settings.missed_call_max_attempts,
        retry_s=settings.missed_call_retry_s,
        first_delay_s=settings.missed_call_first_delay_s,
        quiet=parse_quiet_hours(settings.missed_call_quiet_hours),
        lease_s=settings.missed_call_ring_s + int(WAIT_MARGIN_S) + LEASE_MARGIN_S,
        missed_call_queue=settings.missed_call_queue,
        dial=dial_policy(settings.missed_call_dial_allowed, settings.missed_call_dial_refused),
    )


def build_missed_calls(
    settings: Settings, engine: AsyncEngine, telephony: Mapping[str, AmiActions], clock: Clock
) -> MissedCallParts:
    policy = missed_call_policy(settings)
    store = SqlMissedCalls(engine)
    originator = AmiOriginator(
        telephony, settings.missed_call_trunk, settings.hotline_number, settings.missed_call_ring_s
    )
    dialer = MissedCallDialer(
        store,
        originator,
        clock,
        policy,
        poll_s=settings.missed_call_poll_ms / 1000,
        max_parallel=settings.missed_call_max_parallel,
    )
    floor = MissedCallFloor(store, policy)
    desk = MissedCallDesk(store, clock, policy)
    return MissedCallParts(bool(settings.missed_call_enabled), policy, store, floor, dialer, desk)


def dialer_ctx(parts: MissedCallParts) -> Callable[[web.Application], AsyncIterator[None]]:
    """The dialer runs while the app runs (if missed-call call-backs are enabled); calls in progress are
    cancelled at shutdown — their requests stay ``dialing`` until the lease runs out, then are retried."""

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(parts.dialer.run(), name="missed-call-dialer") if parts.enabled else None
        yield
        if task is not None:
            await cancel_all([task])
        await parts.dialer.close()

    return ctx
