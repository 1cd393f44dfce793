"""The AMI actions of one Asterisk: the seat switches (签入/签出/示忙/示闲, ``QueueSwitch`` of
callcenter/queue/seats/sessions.py), Originate (missed-call callbacks, live taps) and the queries the
bridge's resync needs (QueueStatus, CoreShowChannels).

The actions send over the connection the bridge (bridge.py, the event pump) logged in; the bridge attaches
it after every login and detaches it when it is lost, so an action sent while Asterisk is away fails at
once with TelephonyUnavailable instead of waiting. Every Originate is checked against the allow-list
(originate_policy.py) before anything is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from panoramisk import Manager

from callcenter.adapters.ami.live_channels import live_call_ids
from callcenter.adapters.ami.originate_policy import HOTLINE_ORIGINATES, OriginatePolicy, check_originate
from callcenter.adapters.ami.translate import normalise
from callcenter.core.clock import Clock
from callcenter.core.errors import TelephonyUnavailable
from callcenter.queue.live import QueueSnapshot, parse_queue_status

ACTION_TIMEOUT = 10.0
HANGUP_WAIT_S = 1.0  # how long an unanswered Originate waits for its leg's Hangup event (the cause)


@dataclass(frozen=True, slots=True)
class AmiEndpoint:
    server: str  # our name for this Asterisk (state is keyed by it)
    host: str
    port: int
    user: str
    secret: str = field(repr=False)  # from the environment only; never in logs


class AmiActions:
    """What the hotline asks of one Asterisk. ``connected`` and ``synced`` are the link's state as the
    bridge keeps it: logged in (actions may be sent), and logged in with the resync applied."""

    def __init__(
        self, endpoint: AmiEndpoint, clock: Clock, originates: OriginatePolicy = HOTLINE_ORIGINATES
    ) -> None:
        self.endpoint = endpoint
        self._clock = clock
        self._originates = originates
        self._manager: Manager | None = None
        self._hangup_causes: dict[str, asyncio.Future[str]] = {}  # Originate ChannelId → its Hangup cause
        # (UserEvent name, the channel's Uniqueid) → the event's headers, for a leg the app placed
        self._user_events: dict[tuple[str, str], asyncio.Future[dict[str, str]]] = {}
        self.connected = asyncio.Event()
        self.synced = asyncio.Event()

    # -- the link, kept by the bridge ------------------------------------------------------------
    def attach(self, manager: Manager) -> None:
        """A logged-in connection: actions may be sent."""
        self._manager = manager
        self.connected.set()

    def detach(self) -> None:
        self.connected.clear()
        self.synced.clear()
        self._manager = None

    def saw(self, headers: Mapping[str, str]) -> None:
        """Every event the bridge reads: a Hangup tells an unanswered Originate its cause; a UserEvent
        from a leg the app placed goes to whoever expects it (``expect_user_event``)."""
        if self._hangup_causes and headers.get("event") == "Hangup":
            waiting = self._hangup_causes.get(headers.get("uniqueid", ""))
            if waiting is not None and not waiting.done():
                waiting.set_result(headers.get("cause", ""))
        if self._user_events and headers.get("event") == "UserEvent":
            key = (headers.get("userevent", "").lower(), headers.get("uniqueid", ""))
            expected = self._user_events.get(key)
            if expected is not None and not expected.done():
                expected.set_result(dict(headers))

    def expect_user_event(self, name: str, uniqueid: str) -> asyncio.Future[dict[str, str]]:
        """A future for the UserEvent ``name`` of the channel ``uniqueid`` (e.g. the ChannelId an Originate
        gave its leg): register it before the Originate, ``forget`` it afterwards."""
        future = asyncio.get_running_loop().create_future()
        self._user_events[name.lower(), uniqueid] = future
        return future

    def forget_user_event(self, name: str, uniqueid: str) -> None:
        self._user_events.pop((name.lower(), uniqueid), None)

    # -- actions ---------------------------------------------------------------------------------
    async def action(self, action: Mapping[str, str], as_list: bool = False) -> Any:
        if str(action.get("Action", "")).lower() == "originate":
            check_originate(action, self._originates)
        manager = self._live_manager()
        try:
            async with asyncio.timeout(ACTION_TIMEOUT):
                return await manager.send_action(dict(action), as_list=as_list)
        except (TimeoutError, ConnectionError, OSError) as exc:
            raise TelephonyUnavailable(f"AMI action {action.get('Action')} failed: {exc}") from exc

    async def queue_add(self, queue: str, interface: str, member_name: str, penalty: int = 0) -> None:
        """Agent login (签入): the seat's phone becomes a member of ``queue``."""
        reply = await self.action(
            {
                "Action": "QueueAdd",
                "Queue": queue,
                "Interface": interface,
                "MemberName": member_name,
                "Penalty": str(penalty),
                "Paused": "false",
            }
        )
        _require_success(reply, "QueueAdd", {"Message": "Already there"})

    async def queue_remove(self, queue: str, interface: str) -> None:
        """Agent logout (签出)."""
        reply = await self.action({"Action": "QueueRemove", "Queue": queue, "Interface": interface})
        _require_success(reply, "QueueRemove", {"Message": "Not there"})

    async def queue_pause(self, queue: str | None, interface: str, paused: bool, reason: str = "") -> None:
        """示忙 (``paused``, with a reason code) or 示闲, in ``queue`` or, if ``None``, in every queue."""
        action = {"Action": "QueuePause", "Interface": interface, "Paused": "true" if paused else "false"}
        if queue is not None:
            action["Queue"] = queue
        if reason:
            action["Reason"] = reason
        _require_success(await self.action(action), "QueuePause", {})

    async def queue_penalty(self, queue: str, interface: str, penalty: int) -> None:
        """A seat's penalty in ``queue`` (a re-login with other skills)."""
        action = {"Action": "QueuePenalty", "Queue": queue, "Interface": interface, "Penalty": str(penalty)}
        _require_success(await self.action(action), "QueuePenalty", {})

    async def originate(self, fields: Mapping[str, str | list[str]], wait_s: float) -> dict[str, str]:
        """Async Originate (e.g. a missed-call callback, 漏接回拨): the headers of its OriginateResponse
        (``reason`` 4 = answered, 3 = no answer, 5 = busy, 0/1/8 = failed). panoramisk resolves an Async
        Originate only once the call's outcome is known, so the wait is bounded by ``wait_s`` (ring time
        plus a margin): TimeoutError then — the call may have been placed, its outcome is unknown.
        TelephonyUnavailable: nothing was sent (AMI not connected). OriginateRefused: ``fields`` are not on
        the allow-list (originate_policy.py), nothing was sent."""
        check_originate(fields, self._originates)
        manager = self._live_manager()
        action = {**fields, "Action": "Originate", "Async": "true"}
        channel_id = str(fields.get("ChannelId", ""))
        cause = self._hangup_causes[channel_id] = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(wait_s):
                replies = await manager.send_action(action)
            reply = normalise(as_list(replies)[-1])
            if reply.get("reason") != "4":  # not answered: the leg's Hangup cause tells busy from failed
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(HANGUP_WAIT_S):
                        reply.setdefault("cause", await asyncio.shield(cause))
            return reply
        except (ConnectionError, OSError) as exc:
            raise TelephonyUnavailable(f"AMI Originate failed: {exc}", action="Originate") from exc
        finally:
            self._hangup_causes.pop(channel_id, None)

    async def hangup(self, channel: str, cause: int = 16) -> None:
        """Hang up one channel by name (a survey leg at shutdown); a channel already gone is fine."""
        reply = await self.action({"Action": "Hangup", "Channel": channel, "Cause": str(cause)})
        _require_success(reply, "Hangup", {"Message": "No such channel"})

    # -- queries ---------------------------------------------------------------------------------
    async def queue_status(self) -> QueueSnapshot:
        replies = await self.action({"Action": "QueueStatus"}, as_list=True)
        return parse_queue_status([normalise(m) for m in as_list(replies)], self._clock.now())

    async def live_call_ids(self) -> frozenset[str]:
        return live_call_ids(await self.live_channels())

    async def live_channels(self) -> list[Mapping[str, str]]:
        """CoreShowChannels: every live channel's headers (lower-cased names)."""
        replies = await self.action({"Action": "CoreShowChannels"}, as_list=True)
        return [normalise(m) for m in as_list(replies)]

    def _live_manager(self) -> Manager:
        manager = self._manager
        if manager is None or not self.connected.is_set():
            raise TelephonyUnavailable(f"AMI {self.endpoint.server} is not connected")
        return manager


def as_list(replies: Any) -> list[Mapping[str, object]]:
    return list(replies) if isinstance(replies, list) else [replies]


def _require_success(reply: Any, action: str, tolerated: Mapping[str, str]) -> None:
    first = as_list(reply)[0]
    if getattr(first, "success", False):
        return
    message = str(first.get("Message", ""))
    if any(text.lower() in message.lower() for text in tolerated.values()):
        return
    raise TelephonyUnavailable(f"AMI {action} refused: {message}", action=action)
