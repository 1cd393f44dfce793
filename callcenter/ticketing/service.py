"""The work-order service: load, apply the pure rules, persist with the version check, notify units.

Handlers follow one shape (HOUSE_STYLE principle 2): load the order, check the caller's version, run
``lifecycle.transition`` and ``scheduling.reschedule``, save the order and its audit event in one
transaction (``WorkOrderStore.save`` refuses a stale version), then publish a notice to the live inboxes
of the units involved. The notice carries ids only: a client fetches the order through the API, which
checks access again, so nothing personal travels over pub/sub.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from callcenter.core.clock import Clock
from callcenter.core.errors import NotFound
from callcenter.core.ids import TicketId
from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing import commands as c
from callcenter.ticketing.access import require_visible
from callcenter.ticketing.actors import Actor, Role, UnitId
from callcenter.ticketing.deadlines import DeadlineRules
from callcenter.ticketing.errors import RoleForbidden
from callcenter.ticketing.events import TicketEvent
from callcenter.ticketing.lifecycle import PERMISSIONS, check_version, transition
from callcenter.ticketing.record import DEFAULT_POLICY, LifecyclePolicy
from callcenter.ticketing.registration import Registration, new_manual_order
from callcenter.ticketing.scheduling import reschedule
from callcenter.ticketing.states import Action, TicketStatus
from callcenter.ticketing.workorder import WorkOrder

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InboxNotice:
    """ "Something changed on this order" for the live inboxes; no content, ids only."""

    ticket_id: TicketId
    version: int
    action: Action | None  # None for a deadline alert
    status: TicketStatus
    units: tuple[UnitId, ...]  # units whose inbox shows the order now (or showed it before a 改派)
    at: datetime
    alert: str | None = None  # warning (黄牌) | overdue (红牌) | contact_overdue, from the deadline watch


class WorkOrderStore(Protocol):
    async def get(self, ticket_id: TicketId) -> WorkOrder | None: ...

    async def create(self, order: WorkOrder) -> WorkOrder:
        """Insert a new order (typed in by an agent); returns it with its id."""
        ...

    async def save(self, order: WorkOrder, event: TicketEvent, expected_version: int) -> None:
        """Write the order and its audit event in one transaction; ``ConcurrentUpdate`` if the stored
        version is no longer ``expected_version``."""
        ...


class InboxNotifier(Protocol):
    async def publish(self, notice: InboxNotice) -> None: ...


class UnitDirectory(Protocol):
    async def require_active(self, units: Sequence[UnitId]) -> None:
        """``UnknownUnit`` unless every unit exists and is active."""
        ...


@dataclass(frozen=True, slots=True)
class Rules:
    """The configured rules the service applies (loaded once at start-up)."""

    deadlines: DeadlineRules = field(default_factory=DeadlineRules)
    policy: LifecyclePolicy = DEFAULT_POLICY


def require_role(actor: Actor, roles: frozenset[Role]) -> None:
    if actor.role not in roles:
        raise RoleForbidden(f"a {actor.role} may not do this", role=actor.role)


class WorkOrders:
    def __init__(
        self,
        store: WorkOrderStore,
        units: UnitDirectory,
        notifier: InboxNotifier,
        clock: Clock,
        calendar: WorkCalendar,
        rules: Rules | None = None,
    ) -> None:
        self._store = store
        self._units = units
        self._notifier = notifier
        self._clock = clock
        self._calendar = calendar
        self._rules = rules or Rules()

    def use_calendar(self, calendar: WorkCalendar) -> None:
        """An admin changed the calendar overrides: later deadlines use the new calendar."""
        self._calendar = calendar

    async def get(self, ticket_id: TicketId, actor: Actor) -> WorkOrder:
        """The order, if ``actor`` may see it; another unit's order is ``NotFound`` like a missing one."""
        order = await self._store.get(ticket_id)
        if order is None:
            raise NotFound("ticket not found", ticket_id=ticket_id)
        require_visible(order.life, actor)
        return order

    async def act(
        self, ticket_id: TicketId, expected_version: int, command: c.Command, actor: Actor
    ) -> WorkOrder:
        """Apply one command by ``actor`` to the order as the caller last saw it (``expected_version``)."""
        order = await self.get(ticket_id, actor)
        changed, event = self.decide(order, expected_version, command, actor)
        await self._store.save(changed, event, expected_version)
        log.info("ticket %s: %s by %s → %s", ticket_id, event.audit.action, actor.id, changed.life.status)
        await self._notify(order, changed, event)
        return changed

    async def act_many(
        self, ticket_id: TicketId, expected_version: int, commands: Sequence[c.Command], actor: Actor
    ) -> WorkOrder:
        """Several commands in a row (e.g. 签收 then 办理); each is saved and audited on its own."""
        version = expected_version
        order: WorkOrder | None = None
        for command in commands:
            order = await self.act(ticket_id, version, command, actor)
            version = order.version
        if order is None:
            return await self.get(ticket_id, actor)
        return order

    def decide(
        self, order: WorkOrder, expected_version: int, command: c.Command, actor: Actor
    ) -> tuple[WorkOrder, TicketEvent]:
        """The pure part of ``act``: the order after ``command``, and the event to audit."""
        check_version(order.life, expected_version)
        at = self._clock.now()
        life, event = transition(order.life, command, actor, at, self._rules.policy)
        schedule = reschedule(order, event, self._calendar, self._rules.deadlines)
        ticket = replace(order.ticket, status=life.status, version=life.version, updated_at=at)
        return replace(order, ticket=ticket, life=life, schedule=schedule), event

    async def register(
        self,
        ticket_id: TicketId,
        expected_version: int,
        registration: Registration,
        actor: Actor,
        dispatch: c.DispatchTicket | None = None,
    ) -> WorkOrder:
        """受理: the agent confirms the draft with the corrected content and the classification; with
        ``dispatch`` the order goes straight on to the handling unit (派单, 一单通达)."""
        order = await self.get(ticket_id, actor)
        order = registration.applied_to(order)
        await self._check_dispatch(dispatch)
        command = c.RegisterTicket(registration.citizen_for(order), registration.confidential)
        changed, event = self.decide(order, expected_version, command, actor)
        await self._store.save(changed, event, expected_version)
        await self._notify(changed, changed, event)
        if dispatch is None:
            return changed
        return await self.act(ticket_id, changed.version, dispatch, actor)

    async def create(
        self,
        registration: Registration,
        caller_number: str,
        actor: Actor,
        dispatch: c.DispatchTicket | None = None,
    ) -> WorkOrder:
        """A work order typed in by the agent (no call, e.g. a walk-in or a letter): a draft with the agent's
        content, registered at once, and dispatched if asked. Everything is checked before anything is
        stored; an agent's role is required to register."""
        require_role(actor, PERMISSIONS[Action.REGISTER].roles)
        await self._check_dispatch(dispatch)
        draft = new_manual_order(registration, caller_number, self._clock.now())
        stored = await self._store.create(draft)
        return await self.register(stored.life.id, stored.version, registration, actor, dispatch)

    async def dispatch(
        self, ticket_id: TicketId, expected_version: int, command: c.DispatchTicket, actor: Actor
    ) -> WorkOrder:
        await self._check_dispatch(command)
        return await self.act(ticket_id, expected_version, command, actor)

    async def reassign(
        self, ticket_id: TicketId, expected_version: int, command: c.ReassignTicket, actor: Actor
    ) -> WorkOrder:
        await self._units.require_active((command.lead_unit, *command.assisting_units))
        return await self.act(ticket_id, expected_version, command, actor)

    async def _check_dispatch(self, command: c.DispatchTicket | None) -> None:
        if command is not None:
            await self._units.require_active((command.lead_unit, *command.assisting_units))

    async def _notify(self, before: WorkOrder, after: WorkOrder, event: TicketEvent) -> None:
        units = tuple(sorted(before.life.units | after.life.units))
        notice = InboxNotice(
            after.life.id, after.version, event.audit.action, after.life.status, units, event.audit.at
        )
        try:
            await self._notifier.publish(notice)
        except Exception:  # the order is saved; a unit's inbox catches up on its next load
            log.warning("ticket %s: live inbox notice failed", after.life.id, exc_info=True)
