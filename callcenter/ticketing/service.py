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
from enum import Enum
from typing import Protocol

from callcenter.core.clock import Clock
from callcenter.core.errors import NotFound
from callcenter.core.ids import TicketId
from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing import commands as c
from callcenter.ticketing.access import require_visible
from callcenter.ticketing.actors import Actor, Role, UnitId
from callcenter.ticketing.catalogue import Catalogue
from callcenter.ticketing.classify import Routing, classify
from callcenter.ticketing.deadlines import DeadlineRules
from callcenter.ticketing.dispatch import Route
from callcenter.ticketing.errors import RoleForbidden
from callcenter.ticketing.events import TicketEvent
from callcenter.ticketing.lifecycle import PERMISSIONS, check_version, transition
from callcenter.ticketing.matters import MatterLinked
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


class RegistrationFollowUp(Protocol):
    async def on_registered(self, order: WorkOrder) -> MatterLinked | None: ...


class CatalogueSource(Protocol):
    def current(self) -> Catalogue: ...


class AutoDispatch(Enum):
    """Dispatch to wherever the catalogue routes the order (一单通达)."""

    AUTO = "auto"


AUTO_DISPATCH = AutoDispatch.AUTO


@dataclass(frozen=True, slots=True)
class Registered:
    """A registered order, and the catalogue's route for it (``Unclear`` → the dispatcher's queue)."""

    order: WorkOrder
    routing: Routing
    matter: MatterLinked | None = None  # 并单: the matter the order joined, if it repeats one


def dispatch_by(routing: Routing) -> c.DispatchTicket | None:
    if isinstance(routing, Route):
        return c.DispatchTicket(routing.lead_unit.id, tuple(u.id for u in routing.assisting_units))
    return None


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
        catalogue: CatalogueSource,
        rules: Rules | None = None,
        linker: RegistrationFollowUp | None = None,
    ) -> None:
        self._linker = linker
        self._store = store
        self._units = units
        self._catalogue = catalogue
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
        dispatch: c.DispatchTicket | AutoDispatch | None = None,
    ) -> Registered:
        """受理: the agent confirms the draft with the corrected content and the classification, checked
        against the catalogue. With ``dispatch`` the order goes straight on to the handling unit (派单,
        一单通达): to the units given, or with ``AUTO_DISPATCH`` to the units the catalogue routes it to;
        an unclear route leaves it registered, in the dispatcher's queue, and says why."""
        order = await self.get(ticket_id, actor)
        classification, routing = classify(self._catalogue.current(), registration.classification)
        order = replace(registration.applied_to(order), classification=classification)
        explicit = dispatch if isinstance(dispatch, c.DispatchTicket) else None
        await self._check_dispatch(explicit)
        command = c.RegisterTicket(registration.citizen_for(order), registration.confidential)
        changed, event = self.decide(order, expected_version, command, actor)
        await self._store.save(changed, event, expected_version)
        await self._notify(changed, changed, event)
        target = explicit or (dispatch_by(routing) if dispatch is AUTO_DISPATCH else None)
        if target is not None:
            changed = await self.act(ticket_id, changed.version, target, actor)
        matter = await self._link_matter(changed)
        if matter is not None:
            changed = replace(changed, matter_id=matter.matter_id)
        return Registered(changed, routing, matter)

    async def _link_matter(self, order: WorkOrder) -> MatterLinked | None:
        """并单: best effort — the order is registered whatever happens here."""
        if self._linker is None:
            return None
        try:
            return await self._linker.on_registered(order)
        except Exception:
            log.warning("ticket %s: duplicate matching failed", order.life.id, exc_info=True)
            return None

    async def create(
        self,
        registration: Registration,
        caller_number: str,
        actor: Actor,
        dispatch: c.DispatchTicket | AutoDispatch | None = None,
    ) -> Registered:
        """A work order typed in by the agent (no call, e.g. a walk-in or a letter): a draft with the agent's
        content, registered at once, and dispatched if asked. Everything is checked before anything is
        stored; an agent's role is required to register."""
        require_role(actor, PERMISSIONS[Action.REGISTER].roles)
        classify(self._catalogue.current(), registration.classification)
        await self._check_dispatch(dispatch if isinstance(dispatch, c.DispatchTicket) else None)
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
