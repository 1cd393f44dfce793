"""The automated-回访 half of the composition root (issue 14; docs/surveys.md).

``build_surveys`` makes the store, the scheduler (told of every saved change by the work-order service),
the desk and — only when a ``SurveyDialer`` is given — the campaign loop. The telephony adapter does not
exist yet: without it no dialer loop runs, surveys are filed and simply wait (logged once at start-up).
``campaign_ctx`` goes into the app's cleanup_ctx after the bridges, so it stops before them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.survey_campaign import SqlLiveCalls, SqlSurveyCampaign
from callcenter.adapters.db.surveys import SqlSurveys
from callcenter.adapters.http.app import RouteHook
from callcenter.adapters.http.surveys import survey_routes
from callcenter.core.clock import Clock
from callcenter.core.waiting import cancel_all
from callcenter.ticketing.orders.service import WorkOrders
from callcenter.ticketing.surveys.campaign import SurveyCampaign
from callcenter.ticketing.surveys.desk import SurveyDesk
from callcenter.ticketing.surveys.policy import SurveyPolicy
from callcenter.ticketing.surveys.ports import LiveCalls, SurveyDialer
from callcenter.ticketing.surveys.service import SurveyScheduler

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SurveyParts:
    policy: SurveyPolicy
    store: SqlSurveys
    control: SqlSurveyCampaign  # pause, channels, the citizens who declined
    scheduler: SurveyScheduler
    desk: SurveyDesk
    campaign: SurveyCampaign | None  # None: no SurveyDialer configured, surveys wait


def build_surveys(
    engine: AsyncEngine,
    orders: WorkOrders,
    clock: Clock,
    policy: SurveyPolicy,
    dialer: SurveyDialer | None = None,
    poll_s: float = 5.0,
    live: LiveCalls | None = None,
) -> SurveyParts:
    store, control = SqlSurveys(engine), SqlSurveyCampaign(engine)
    calendar = lambda: orders.calendar  # noqa: E731 - the calendar in force, swapped on an admin's edit
    scheduler = SurveyScheduler(store, control, clock, calendar, policy)
    orders.follow(scheduler)
    campaign = None
    if dialer is not None:
        campaign = SurveyCampaign(
            store,
            control,
            dialer,
            live or SqlLiveCalls(engine),
            orders,
            clock,
            calendar,
            policy,
            poll_s,
            scheduler,
        )
    desk = SurveyDesk(store, store, control, clock, policy, control, orders)
    return SurveyParts(policy, store, control, scheduler, desk, campaign)


def survey_route_hook(parts: SurveyParts) -> RouteHook:
    return survey_routes(parts.desk)


def campaign_ctx(parts: SurveyParts) -> Callable[[web.Application], AsyncIterator[None]]:
    """The survey dialer runs while the app runs, if there is one; calls in progress are cancelled at
    shutdown (the dialer hangs them up) — their surveys stay ``dialing`` until the lease runs out, then
    count as ``lost`` and are retried."""

    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        campaign = parts.campaign
        if campaign is None:
            log.info("automated 回访: no survey dialer configured; surveys are filed and wait")
            yield
            return
        task = asyncio.create_task(campaign.run(), name="survey-campaign")
        yield
        await cancel_all([task])
        await campaign.close()

    return ctx
