"""The work-order service: load, apply the pure rules, persist with the version check, notify units.

Handlers follow one shape (HOUSE_STYLE principle 2): load the order, check the caller's version, run
``lifecycle.transition`` and ``scheduling.reschedule``, save the order and its audit event in one
transaction (``WorkOrderStore.save`` refuses a stale version), then publish a notice to the live inboxes
of the units involved. The notice carries ids only: a client fetches the order through the API, which
checks access again, so nothing personal travels over pub/sub.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from callcenter.core.actors import Actor, UnitId
from callcenter.core.clock import Clock
from callcenter.core.errors import NotFound
from callcenter.core.ids import TicketId
from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing.catalogue.dispatch import Route
from callcenter.ticketing.deadlines import DeadlineRules
from callcenter.ticketing.matters.model import MatterLinked
from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders.access import require_role, require_visible
from callcenter.ticketing.orders.classify import Routing, classify
from callcenter.ticketing.orders.events import TicketEvent
from callcenter.ticketing.orders.lifecycle import PERMISSIONS, check_version, transition
from callcenter.ticketing.orders.ports import (
    CatalogueSource,
    InboxNotice,
    InboxNotifier,
    OrderListener,
    RegistrationFollowUp,
    UnitDirectory,
    WorkOrderStore,
)
from callcenter.ticketing.orders.record import DEFAULT_POLICY, LifecyclePolicy
from callcenter.ticketing.orders.registration import Registration, check_privacy, new_manual_order
from callcenter.ticketing.orders.scheduling import reschedule
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.privacy.redaction import Finding
from callcenter.ticketing.states import Action
from callcenter.ticketing.surveys.policy import DEFAULT_SURVEY_POLICY, SurveyPolicy

log = logging.getLogger(__name__)

MATCH_WAIT_S = 0.2  # how long a registration waits for its 并单 match before answering without it


@dataclass(frozen=True, slots=True)
class Rules:
    """The configured rules the service applies (loaded once at start-up)."""

    deadlines: DeadlineRules = field(default_factory=DeadlineRules)
    policy: LifecyclePolicy = DEFAULT_POLICY
    survey: SurveyPolicy = DEFAULT_SURVEY_POLICY  # automated 回访 (ticketing/surveys, docs/surveys.md)


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
    privacy_warnings: tuple[Finding, ...] = ()  # 保密: what the agent confirmed units will not read


def with_id(order: WorkOrder, ticket_id: TicketId) -> WorkOrder:
    """A new order as stored: its id given by the database."""
    return replace(order, life=replace(order.life, id=ticket_id))


def dispatch_by(routing: Routing) -> c.DispatchTicket | None:
    if isinstance(routing, Route):
        return c.DispatchTicket(routing.lead_unit.id, tuple(u.id for u in routing.assisting_units))
    return None


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
        self._matching: set[asyncio.Task[MatterLinked | None]] = set()
        self._store = store
        self._units = units
        self._catalogue = catalogue
        self._notifier = notifier
        self._clock = clock
        self._calendar = calendar
        self._rules = rules or Rules()
        self._listeners: list[OrderListener] = []

    def follow(self, listener: OrderListener) -> None:
        """``listener`` is told of every change ``act`` and ``act_all`` save, in the order listeners were
        wired at start-up (the 并单 rules, then the survey scheduler)."""
        self._listeners.append(listener)

    def use_calendar(self, calendar: WorkCalendar) -> None:
        """An admin changed the calendar overrides: later deadlines use the new calendar."""
        self._calendar = calendar

    @property
    def calendar(self) -> WorkCalendar:
        """The work calendar in force (the survey rules count their window and days off on it)."""
        return self._calendar

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
        await self._store.save(changed, (event,), expected_version)
        log.info("ticket %s: %s by %s → %s", ticket_id, event.audit.action, actor.id, changed.life.status)
        await self._notify(order, changed, event)
        await self._tell(order, changed, (event,))
        return changed

    async def act_all(
        self, ticket_id: TicketId, expected_version: int, commands: Sequence[c.Command], actor: Actor
    ) -> WorkOrder:
        """Several commands by ``actor``, decided in a row and saved together (one transaction, each
        with its audit event), e.g. an automated 回访's call record, its answer and the 督办 it asks for."""
        order = await self.get(ticket_id, actor)
        if not commands:
            return order
        changed, events = self.decide_all(order, expected_version, commands, actor)
        await self._store.save(changed, events, expected_version)
        last = events[-1]
        log.info("ticket %s: %s by %s → %s", ticket_id, last.audit.action, actor.id, changed.life.status)
        await self._notify(order, changed, last)
        await self._tell(order, changed, events)
        return changed

    async def _tell(self, before: WorkOrder, after: WorkOrder, events: Sequence[TicketEvent]) -> None:
        for listener in self._listeners:
            try:
                await listener.on_saved(before, after, events)
            except Exception:  # the change is saved; what follows from it is logged (or swept up), not undone
                log.warning("ticket %s: a follow-up of the change failed", after.life.id, exc_info=True)

    def decide(
        self, order: WorkOrder, expected_version: int, command: c.Command, actor: Actor
    ) -> tuple[WorkOrder, TicketEvent]:
        """The pure part of ``act``: the order after ``command``, and the event to audit."""
        check_version(order.life, expected_version)
        at = self._clock.now()
        life, event = transition(order.life, command, actor, at, self._rules.policy)
        schedule = reschedule(order, event, self._calendar, self._rules.deadlines)
        ticket = replace(order.ticket, updated_at=at)
        return replace(order, ticket=ticket, life=life, schedule=schedule), event

    def decide_all(
        self, order: WorkOrder, expected_version: int, commands: Sequence[c.Command], actor: Actor
    ) -> tuple[WorkOrder, tuple[TicketEvent, ...]]:
        """Several commands in a row, decided in memory, to be saved (and audited) together."""
        events: list[TicketEvent] = []
        version = expected_version
        for command in commands:
            order, event = self.decide(order, version, command, actor)
            events.append(event)
            version = order.version
        return order, tuple(events)

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
        an unclear route leaves it registered, in the dispatcher's queue, and says why. Registration and
        dispatch are saved in one transaction, each with its audit event. A confidential order whose text
        for units still identifies the informant is refused (``PrivacyReviewNeeded``) unless the agent
        confirmed (registration.check_privacy); nothing is saved or notified before that."""
        order = await self.get(ticket_id, actor)
        changed, events, routing = await self._registered(
            order, expected_version, registration, actor, dispatch
        )
        warnings = check_privacy(changed, registration.privacy_confirmed)
        await self._store.save(changed, events, expected_version)
        done = await self._after_registration(order, changed, events, routing)
        return replace(done, privacy_warnings=warnings)

    async def create(
        self,
        registration: Registration,
        caller_number: str,
        actor: Actor,
        dispatch: c.DispatchTicket | AutoDispatch | None = None,
    ) -> Registered:
        """A work order typed in by the agent (no call, e.g. a walk-in or a letter): a draft with the agent's
        content, registered at once, and dispatched if asked — all in one transaction, after every check."""
        require_role(actor, PERMISSIONS[Action.REGISTER].roles)
        draft = new_manual_order(registration, caller_number, self._clock.now())
        changed, events, routing = await self._registered(draft, draft.version, registration, actor, dispatch)
        warnings = check_privacy(changed, registration.privacy_confirmed)
        ticket_id = await self._store.create(changed, events)
        changed = with_id(changed, ticket_id)
        done = await self._after_registration(draft, changed, events, routing)
        return replace(done, privacy_warnings=warnings)

    async def _registered(
        self,
        order: WorkOrder,
        expected_version: int,
        registration: Registration,
        actor: Actor,
        dispatch: c.DispatchTicket | AutoDispatch | None,
    ) -> tuple[WorkOrder, tuple[TicketEvent, ...], Routing]:
        classification, routing = classify(self._catalogue.current(), registration.classification)
        order = replace(registration.applied_to(order), classification=classification)
        target = dispatch if isinstance(dispatch, c.DispatchTicket) else None
        if dispatch is AUTO_DISPATCH:
            target = dispatch_by(routing)
        await self._check_dispatch(target)
        steps: list[c.Command] = [
            c.RegisterTicket(registration.citizen_for(order), registration.confidential)
        ]
        if target is not None:
            steps.append(target)
        changed, events = self.decide_all(order, expected_version, steps, actor)
        return changed, events, routing

    async def _after_registration(
        self, before: WorkOrder, order: WorkOrder, events: Sequence[TicketEvent], routing: Routing
    ) -> Registered:
        last = events[-1]
        log.info(
            "ticket %s: %s by %s → %s",
            order.life.id,
            last.audit.action,
            last.audit.actor.id,
            order.life.status,
        )
        await self._notify(before, order, last)
        matter = await self._link_matter(order)
        if matter is not None:
            order = replace(order, matter_id=matter.matter_id)
        return Registered(order, routing, matter)

    async def _link_matter(self, order: WorkOrder) -> MatterLinked | None:
        """并单, best effort: the order is registered whatever happens here. The agent's answer waits for the
        match at most ``MATCH_WAIT_S`` (it says which matter the order joined); beyond that, under a burst,
        the match finishes in the background and shows on the order's next read."""
        if self._linker is None:
            return None
        task = asyncio.create_task(self._match(order), name=f"match-{order.life.id}")
        self._matching.add(task)
        task.add_done_callback(self._matching.discard)
        done, _ = await asyncio.wait({task}, timeout=MATCH_WAIT_S)
        return task.result() if done else None

    async def _match(self, order: WorkOrder) -> MatterLinked | None:
        assert self._linker is not None
        try:
            return await self._linker.on_registered(order)
        except Exception:
            log.warning("ticket %s: duplicate matching failed", order.life.id, exc_info=True)
            return None

    async def settle(self) -> None:
        """Wait for the matches still running in the background (at shutdown, and in tests)."""
        while self._matching:
            await asyncio.gather(*self._matching, return_exceptions=True)

    async def dispatch(
        self, ticket_id: TicketId, expected_version: int, command: c.DispatchTicket, actor: Actor
    ) -> WorkOrder:
        await self._check_dispatch(command)
        return await self.act(ticket_id, expected_version, command, actor)

    async def reassign(
        self, ticket_id: TicketId, expected_version: int, command: c.ReassignTicket, actor: Actor
    ) -> WorkOrder:
        await self._require_active((command.lead_unit, *command.assisting_units))
        return await self.act(ticket_id, expected_version, command, actor)

    async def _check_dispatch(self, command: c.DispatchTicket | None) -> None:
        if command is not None:
            await self._require_active((command.lead_unit, *command.assisting_units))

    async def _require_active(self, units: Sequence[UnitId]) -> None:
        """Active in the catalogue this process holds; otherwise the database decides (it may know a unit
        another process added) and refuses an unknown or inactive one."""
        known = self._catalogue.current().units
        if all(u in known and known[u].active for u in units):
            return
        await self._units.require_active(units)

    async def _notify(self, before: WorkOrder, after: WorkOrder, event: TicketEvent) -> None:
        units = tuple(sorted(before.life.units | after.life.units))
        notice = InboxNotice(
            after.life.id, after.version, event.audit.action, after.life.status, units, event.audit.at
        )
        try:
            await self._notifier.publish(notice)
        except Exception:  # the order is saved; a unit's inbox catches up on its next load
            log.warning("ticket %s: live inbox notice failed", after.life.id, exc_info=True)
