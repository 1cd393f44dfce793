"""The missed-call callback half of the composition root (漏接回拨; docs/callbacks.md).

``build_callbacks`` makes the store, the floor handler and the dialer from Settings; the call-flow table
(wiring/pipeline.py) puts the handler on the floor; the app adds the routes and ``dialer_ctx`` to its
cleanup_ctx (after the bridges, so it stops before them).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.ami.actions import AmiActions
from callcenter.adapters.ami.missed_calls import WAIT_MARGIN_S, AmiOriginator
from callcenter.adapters.db.missed_calls import SqlCallbacks
from callcenter.config.settings import Settings
from callcenter.core.clock import Clock
from callcenter.core.waiting import cancel_all
from callcenter.queue.missed_calls.dial_policy import dial_policy
from callcenter.queue.missed_calls.rules import CallbackPolicy, parse_quiet_hours
from callcenter.queue.missed_calls.service import CallbackDialer, CallbackFloor

LEASE_MARGIN_S = 30  # a claim outlives the longest Originate wait by this much


@dataclass(frozen=True, slots=True)
class CallbackParts:
    enabled: bool
    policy: CallbackPolicy
    store: SqlCallbacks
    floor: CallbackFloor
    dialer: CallbackDialer


def callback_policy(settings: Settings) -> CallbackPolicy:
    return CallbackPolicy(
        max_attempts=settings.callback_max_attempts,
        retry_s=settings.callback_retry_s,
        first_delay_s=settings.callback_first_delay_s,
        quiet=parse_quiet_hours(settings.callback_quiet_hours),
        lease_s=settings.callback_ring_s + int(WAIT_MARGIN_S) + LEASE_MARGIN_S,
        callback_queue=settings.callback_queue,
        dial=dial_policy(settings.callback_dial_allowed, settings.callback_dial_refused),
    )


def build_callbacks(
    settings: Settings, engine: AsyncEngine, telephony: Mapping[str, AmiActions], clock: Clock
) -> CallbackParts:
    policy = callback_policy(settings)
    store = SqlCallbacks(engine)
    originator = AmiOriginator(
        telephony, settings.callback_trunk, settings.hotline_number, settings.callback_ring_s
    )
    dialer = CallbackDialer(
        store,
        originator,
        clock,
        policy,
        poll_s=settings.callback_poll_ms / 1000,
        max_parallel=settings.callback_max_parallel,
    )
    return CallbackParts(bool(settings.callback_enabled), policy, store, CallbackFloor(store, policy), dialer)


def dialer_ctx(parts: CallbackParts) -> Callable[[web.Application], AsyncIterator[None]]:
    """The dialer runs while the app runs (if callbacks are enabled); calls in progress are cancelled at
    shutdown — their requests stay ``dialing`` until the lease runs out, then are retried."""

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(parts.dialer.run(), name="callback-dialer") if parts.enabled else None
        yield
        if task is not None:
            await cancel_all([task])
        await parts.dialer.close()

    return ctx
