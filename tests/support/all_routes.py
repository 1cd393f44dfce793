"""The web app with every route the hotline serves, on a real database and a real Redis: the work-order
API (``build_web``) plus attachments, the live inbox, missed calls, surveys (回访), staffing, service level,
the wallboard, agent sessions and live transcripts. Only the AMI side of agent sessions is a fake of our own
port (``QueueSwitch``): nothing here places calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.attachments.disk import DiskBlobStore
from callcenter.adapters.attachments.sql import SqlAttachmentIndex
from callcenter.adapters.db.missed_calls import SqlMissedCalls
from callcenter.adapters.db.repositories import SqlCallRepository
from callcenter.adapters.db.survey_campaign import SqlSurveyCampaign
from callcenter.adapters.db.surveys import SqlSurveys
from callcenter.adapters.http.agents import add_agent_routes
from callcenter.adapters.http.attachments import add_attachment_routes
from callcenter.adapters.http.auth import CLOCK
from callcenter.adapters.http.inbox import InboxSettings, add_inbox_routes
from callcenter.adapters.http.live import LiveDeps, add_live_routes
from callcenter.adapters.http.missed_calls import missed_call_routes
from callcenter.adapters.http.service_level import service_level_routes
from callcenter.adapters.http.staffing import staffing_routes
from callcenter.adapters.http.surveys import survey_routes
from callcenter.adapters.http.wallboard import WallboardSettings, add_wallboard_routes
from callcenter.adapters.http.workorders import WORK_ORDERS
from callcenter.adapters.redis.agents import RedisAgentState
from callcenter.adapters.redis.inbox import RedisInbox
from callcenter.adapters.redis.live import RedisLiveTranscripts
from callcenter.adapters.redis.wallboard import WallboardFeed
from callcenter.core.clock import FixedClock
from callcenter.queue.missed_calls.desk import MissedCallDesk
from callcenter.queue.missed_calls.rules import MissedCallPolicy
from callcenter.queue.seats.sessions import AgentSessions
from callcenter.queue.service_level.alarm import AlarmPolicy
from callcenter.queue.service_level.ledger import ServiceLevelPolicy
from callcenter.queue.service_level.tally import ServiceLevelTally
from callcenter.staff.throttle import LoginPolicy
from callcenter.ticketing.attachments.service import Attachments
from callcenter.ticketing.surveys.desk import SurveyDesk
from callcenter.ticketing.surveys.policy import SurveyPolicy
from tests.support.web import START, Web, build_web


@dataclass
class SilentSwitch:
    """The AMI actions on seats (our ``QueueSwitch`` port), kept instead of sent."""

    actions: list[tuple[Any, ...]] = field(default_factory=list)

    async def queue_add(self, queue: str, interface: str, member_name: str, penalty: int = 0) -> None:
        self.actions.append(("add", queue, interface, member_name, penalty))

    async def queue_remove(self, queue: str, interface: str) -> None:
        self.actions.append(("remove", queue, interface))

    async def queue_pause(self, queue: str | None, interface: str, paused: bool, reason: str = "") -> None:
        self.actions.append(("pause", queue, interface, paused, reason))

    async def queue_penalty(self, queue: str, interface: str, penalty: int) -> None:
        self.actions.append(("penalty", queue, interface, penalty))


async def build_all_routes(
    aiohttp_client: Any,
    engine: AsyncEngine,
    redis: Redis,
    prefix: str,
    attachments_dir: Path,
    heartbeat: float = 0.2,
) -> Web:
    """Every route of the hotline's web app; Redis keys under ``prefix``."""
    inbox = RedisInbox(redis, prefix=prefix)
    clock = FixedClock(START)
    sessions = AgentSessions(RedisAgentState(redis, prefix=f"{prefix}:agents"), {"a": SilentSwitch()}, clock)
    live = LiveDeps(
        RedisLiveTranscripts(redis, prefix=f"{prefix}:live"), redis, SqlCallRepository(engine), heartbeat
    )
    wallboard = WallboardFeed(redis, prefix=f"{prefix}:wall")
    surveys, control = SqlSurveys(engine), SqlSurveyCampaign(engine)

    def attachments(app: web.Application) -> None:
        index, blobs = SqlAttachmentIndex(engine), DiskBlobStore(attachments_dir)
        add_attachment_routes(app, Attachments(app[WORK_ORDERS], index, blobs, app[CLOCK]))

    routes = [
        attachments,
        lambda app: add_inbox_routes(app, inbox, InboxSettings(heartbeat_seconds=heartbeat, retry_ms=1000)),
        missed_call_routes(MissedCallDesk(SqlMissedCalls(engine), clock, MissedCallPolicy())),
        lambda app: survey_routes(
            SurveyDesk(surveys, surveys, control, clock, SurveyPolicy(), control, app[WORK_ORDERS])
        )(app),
        staffing_routes(),
        service_level_routes(ServiceLevelTally(ServiceLevelPolicy()), AlarmPolicy()),
        lambda app: add_wallboard_routes(app, wallboard, WallboardSettings(heartbeat_seconds=heartbeat)),
        lambda app: add_agent_routes(app, sessions),
        lambda app: add_live_routes(app, live),
    ]
    # Fuzzing sends many hostile logins from one address: the login throttle (tested on its own in
    # test_login_security.py) must not turn the re-logins between them into 429s.
    unthrottled = LoginPolicy(attempts_per_minute=1e6, burst=1_000_000, max_failures=1_000_000)
    built = await build_web(
        aiohttp_client, engine, inbox, extra_routes=routes, attachments_dir=attachments_dir,
        login_policy=unthrottled,
    )  # fmt: skip
    return built
