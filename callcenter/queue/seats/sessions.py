"""The agent-session service: each command loads the session, applies the pure rule
(callcenter/queue/seats/agent_session.py), sends the AMI actions to the seat's Asterisk, then stores.

Asterisk is the truth for memberships and pauses (the floor handler folds its events into the live
seat state); the store keeps who holds which seat (Redis). A seat is claimed in the store *before* any
queue is joined, so two staff members racing for one seat cannot both get it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence

from callcenter.core.actors import StaffId
from callcenter.core.clock import Clock
from callcenter.core.errors import DomainError, InvalidInput
from callcenter.queue.seats.agent_session import (
    ALL_QUEUES,
    AgentSession,
    LogIn,
    LogOut,
    Pause,
    Resume,
    SeatTaken,
    check_log_out,
    log_in,
    memberships,
    require_session,
    stale_queues,
)
from callcenter.queue.seats.agents import SeatState
from callcenter.queue.seats.ports import QueueSwitch, SessionStore

log = logging.getLogger(__name__)


class AgentSessions:
    def __init__(self, store: SessionStore, switches: Mapping[str, QueueSwitch], clock: Clock) -> None:
        self._store = store
        self._switches = switches
        self._clock = clock

    def switch(self, server: str) -> QueueSwitch:
        try:
            return self._switches[server]
        except KeyError:
            raise InvalidInput(f"unknown Asterisk server {server!r}", field="server") from None

    @property
    def servers(self) -> tuple[str, ...]:
        return tuple(self._switches)

    # -- commands --------------------------------------------------------------------------------
    async def log_in(self, cmd: LogIn) -> AgentSession:
        """签入: claim the seat, join the skill queues with their penalties, leave queues no longer wanted."""
        switch = self.switch(cmd.server)
        current = await self._store.session(cmd.staff)
        live = await self._store.seat(cmd.server, cmd.seat)
        holder = await self._store.holder(cmd.server, cmd.seat) or _member_name(live)
        session = log_in(cmd, current, holder, self._clock.now())
        if (got := await self._store.claim(cmd.server, cmd.seat, cmd.staff)) != cmd.staff:
            raise SeatTaken(f"seat {cmd.seat} is taken by {got}", seat=cmd.seat, holder=got)
        try:
            await self._join(switch, session, live, again=current is not None)
        except DomainError:
            if current is None:
                await self._undo_login(switch, session)
            raise
        await self._store.save(session)
        log.info("agent %s logged in on %s/%s skills=%s", cmd.staff, cmd.server, cmd.seat, cmd.skills)
        return session

    async def pause(self, cmd: Pause) -> AgentSession:
        """示忙 in every queue of the seat, with the reason Asterisk reports back."""
        session = require_session(await self._store.session(cmd.staff), cmd.staff)
        await self.switch(session.server).queue_pause(None, session.seat, True, cmd.reason.value)
        return session

    async def resume(self, cmd: Resume) -> AgentSession:
        """示闲 in every queue of the seat (also ends after-call work early)."""
        session = require_session(await self._store.session(cmd.staff), cmd.staff)
        await self.switch(session.server).queue_pause(None, session.seat, False)
        return session

    async def log_out(self, cmd: LogOut) -> AgentSession:
        """签出: leave every queue, then release the seat."""
        session = require_session(await self._store.session(cmd.staff), cmd.staff)
        live = await self._store.seat(session.server, session.seat)
        check_log_out(cmd, live)
        switch = self.switch(session.server)
        for queue in _queues_of(session, live):
            await switch.queue_remove(queue, session.seat)
        await self._store.release(session)
        log.info(
            "agent %s logged out of %s/%s (forced=%s)", cmd.staff, session.server, session.seat, cmd.forced
        )
        return session

    # -- reading ---------------------------------------------------------------------------------
    async def view(self, staff: StaffId) -> tuple[AgentSession | None, SeatState | None]:
        session = await self._store.session(staff)
        if session is None:
            return None, None
        return session, await self._store.seat(session.server, session.seat)

    async def seats(self) -> Sequence[SeatState]:
        return await self._store.seats()

    # -- steps -----------------------------------------------------------------------------------
    async def _join(
        self, switch: QueueSwitch, session: AgentSession, live: SeatState | None, again: bool
    ) -> None:
        wanted = memberships(session.skills)
        for queue in stale_queues(live, wanted):
            await switch.queue_remove(queue, session.seat)
        for m in wanted:
            await switch.queue_add(m.queue, session.seat, session.staff, m.penalty)
            if again:  # already a member: QueueAdd keeps the old penalty
                await switch.queue_penalty(m.queue, session.seat, m.penalty)

    async def _undo_login(self, switch: QueueSwitch, session: AgentSession) -> None:
        for m in memberships(session.skills):
            with contextlib.suppress(DomainError):
                await switch.queue_remove(m.queue, session.seat)
        await self._store.unclaim(session.server, session.seat, session.staff)


def _member_name(live: SeatState | None) -> StaffId | None:
    return StaffId(live.name) if live is not None and live.name else None


def _queues_of(session: AgentSession, live: SeatState | None) -> tuple[str, ...]:
    """Every queue the seat may be in: its skills' queues and whatever Asterisk reports."""
    queues = {m.queue for m in memberships(session.skills)} | set(live.queues if live else ())
    return tuple(q for q in (*ALL_QUEUES, *sorted(queues - set(ALL_QUEUES))) if q in queues)
