"""Live inbox notices over Redis pub/sub: "order N changed", to the units involved and to the hotline.

Channels: ``<prefix>:unit:<unit_id>`` for each unit of ``notice.units`` and ``<prefix>:hotline`` for
dispatchers and supervisors, who see everything. A message is JSON with ids, version, action, status and
time only — never the citizen's words or contact (the page fetches the order through the API, which
checks access again). Pub/sub is fire-and-forget: a notice missed while disconnected is made up for by the
page reloading its list on reconnect. Each subscription holds one Redis connection until it is left.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from callcenter.core.actors import Actor, Role, UnitId
from callcenter.core.errors import QueueUnavailable
from callcenter.core.ids import TicketId
from callcenter.ticketing.orders.ports import InboxNotice
from callcenter.ticketing.states import Action, TicketStatus

log = logging.getLogger(__name__)

PREFIX = "cc:inbox"
ALERT = re.compile(r"[a-z_]{1,32}")  # warning (黄牌), overdue (红牌), contact_overdue …


def notice_dict(notice: InboxNotice) -> dict[str, Any]:
    """The notice as plain JSON values: ids, version, action, status, units, time, alert — never content."""
    return {
        "ticket_id": notice.ticket_id,
        "version": notice.version,
        "action": notice.action.value if notice.action else None,
        "status": notice.status.value,
        "units": list(notice.units),
        "at": notice.at.isoformat(),
        "alert": notice.alert,  # deadline alerts (黄牌/红牌) have no action
    }


def encode(notice: InboxNotice) -> str:
    return json.dumps(notice_dict(notice))


def decode(data: str | bytes) -> InboxNotice:
    """``ValueError`` (or ``KeyError``/``TypeError``) for anything that is not a well-formed notice."""
    raw = json.loads(data)
    at = datetime.fromisoformat(raw["at"])
    if at.tzinfo is None:
        raise ValueError("notice time without a time zone")
    units = raw["units"]
    if not isinstance(units, list) or not all(isinstance(u, str) for u in units):
        raise ValueError("units must be a list of unit ids")
    ticket_id, version = raw["ticket_id"], raw["version"]
    if type(ticket_id) is not int or type(version) is not int:
        raise ValueError("ticket_id and version must be integers")
    action, alert = raw["action"], raw.get("alert")
    if alert is not None and not (isinstance(alert, str) and ALERT.fullmatch(alert)):
        raise ValueError("alert must be a short lowercase name")
    return InboxNotice(
        TicketId(ticket_id),
        version,
        None if action is None else Action(action),
        TicketStatus(raw["status"]),
        tuple(UnitId(u) for u in units),
        at,
        alert,
    )


class RedisInbox:
    """``InboxNotifier`` for the work-order service and the feed of the SSE endpoint."""

    def __init__(self, redis: Redis, prefix: str = PREFIX) -> None:
        self._redis: Any = redis  # redis-py's reply types are too loose to check usefully
        self._prefix = prefix

    def unit_channel(self, unit: UnitId) -> str:
        return f"{self._prefix}:unit:{unit}"

    @property
    def hotline_channel(self) -> str:
        return f"{self._prefix}:hotline"

    def channels_for(self, actor: Actor) -> tuple[str, ...]:
        """Unit staff hear their own unit only; hotline staff hear every order."""
        if actor.role is Role.UNIT_STAFF and actor.unit is not None:
            return (self.unit_channel(actor.unit),)
        return (self.hotline_channel,)

    async def publish(self, notice: InboxNotice) -> None:
        message = encode(notice)
        channels = [*(self.unit_channel(u) for u in notice.units), self.hotline_channel]
        async with self._redis.pipeline(transaction=False) as pipe:
            for channel in channels:
                pipe.publish(channel, message)
            await pipe.execute()

    @contextlib.asynccontextmanager
    async def subscribe(self, channels: Iterable[str]) -> AsyncIterator[AsyncIterator[InboxNotice]]:
        """``async with inbox.subscribe(chs) as notices: async for notice in notices: …``; leaving the
        block unsubscribes and gives the connection back, whatever ended it."""
        names = list(channels)
        if not names:
            raise ValueError("subscribe to at least one channel")
        pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        try:
            try:
                await pubsub.subscribe(*names)
            except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
                raise QueueUnavailable(f"live inbox unavailable: {exc}") from exc
            yield self._notices(pubsub)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.unsubscribe()
            await pubsub.aclose()

    @staticmethod
    async def _notices(pubsub: Any) -> AsyncIterator[InboxNotice]:
        async for message in pubsub.listen():
            if message.get("type") != "message":
                continue
            try:
                notice = decode(message["data"])
            except (ValueError, KeyError, TypeError):
                log.warning("inbox: malformed notice on %s skipped: %.200r", message.get("channel"), message)
                continue
            yield notice
