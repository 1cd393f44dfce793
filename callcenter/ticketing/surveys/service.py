"""Automated 回访 (issue 14): the scheduler that files a survey when an order concludes, and the campaign
(the survey dialer loop) that places due surveys and applies the answers. Rules in ``rules``, ``steps``,
``outcomes``; ports in ``ports``; the page's reads and a supervisor's switches in ``desk``.

Scheduler (an ``OrderListener`` of the work-order service; idempotent): 回单 or 直接办结 → the round's survey
(pending, manual or skipped as the policy says); a second delivery adds nothing (one survey per round).

Campaign, every ``poll_s``: claims whose lease ran out end ``lost``; waiting surveys past their window
go to the manual list; answers not yet on their order are applied; then — only in the calling hours,
while the campaign is not paused and the telephony is reachable — due surveys are claimed (a
version-checked write: two app processes never place the same survey), up to the live channel count, and
each is placed in its own task bounded by the lease. A citizen on a call with the hotline now is tried
again later (that does not count as an attempt). Every result is saved on the survey first (``applied``
false), then on the order, then marked applied: a crash in between is caught up by the next round.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial

from callcenter.core.actors import Actor, Role, StaffId
from callcenter.core.clock import Clock
from callcenter.core.errors import ConcurrentUpdate, InvalidTransition, NotFound, TelephonyUnavailable
from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing.orders import events as e
from callcenter.ticketing.orders.commands import Command
from callcenter.ticketing.orders.record import TicketLifecycle
from callcenter.ticketing.orders.service import WorkOrders
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.surveys.model import (
    AttemptOutcome,
    Survey,
    SurveyAttempt,
    SurveyId,
    SurveyState,
    SurveyTrigger,
)
from callcenter.ticketing.surveys.outcomes import manual_commands, order_commands, waits_for
from callcenter.ticketing.surveys.policy import SurveyPolicy, in_calling_hours
from callcenter.ticketing.surveys.ports import (
    CampaignControl,
    Declines,
    LiveCalls,
    SurveyCall,
    SurveyDialer,
    SurveyStore,
)
from callcenter.ticketing.surveys.prompt import survey_prompt
from callcenter.ticketing.surveys.rules import SurveyNote, SurveyOrder, new_survey
from callcenter.ticketing.surveys.steps import (
    applied,
    cancel,
    claim,
    ended,
    expire,
    not_placed,
    to_manual,
    window_passed,
)

log = logging.getLogger(__name__)

SURVEY_ACTOR = Actor(StaffId("system"), Role.SUPERVISOR)  # the platform (reserved login), 督办 included
Step = Callable[[Survey], Survey]
CalendarSource = Callable[[], WorkCalendar]  # the calendar in force (an admin may change it)
SAVE_TRIES = 5
NOT_SENT_WAIT = timedelta(seconds=60)
BATCH = 50
MIN_DIGITS = 7  # a local landline without its area code; anything shorter is no citizen's number
CATCH_UP_EVERY = 12  # rounds (a minute at the default poll)
CATCH_UP_SPAN = timedelta(days=7)  # conclusions older than this are not looked for


async def apply(store: SurveyStore, survey: Survey, step: Step) -> Survey:
    """Apply ``step`` and save; on a concurrent write, reload and apply it again."""
    for _ in range(SAVE_TRIES):
        changed = step(survey)
        if changed == survey:
            return survey
        try:
            return await store.save(changed)
        except ConcurrentUpdate:
            assert survey.id is not None
            fresh = await store.get(survey.id)
            if fresh is None:
                raise NotFound(f"survey {survey.id} is gone", survey_id=survey.id) from None
            survey = fresh
    raise ConcurrentUpdate(f"survey {survey.id} keeps changing", survey_id=survey.id)


def citizen_number(order: WorkOrder) -> str:
    """The number to survey: the contact number the agent confirmed, else the calling number."""
    raw = (order.life.citizen.phone or order.ticket.caller_number).strip()
    digits = "".join(ch for ch in raw if ch.isdigit())
    if raw.startswith("+86"):
        return digits.removeprefix("86")
    return digits.removeprefix("0086")


def trigger_of(event: e.TicketEvent) -> SurveyTrigger | None:
    match event:
        case e.TicketReplied():
            return SurveyTrigger.REPLIED
        case e.TicketResolvedOnCall():
            return SurveyTrigger.RESOLVED_ON_CALL
        case _:
            return None


TRIGGER_OF_STATUS = {
    TicketStatus.REPLIED: SurveyTrigger.REPLIED,
    TicketStatus.RESOLVED_ON_CALL: SurveyTrigger.RESOLVED_ON_CALL,
}


def survey_order(order: WorkOrder, trigger: SurveyTrigger, at: datetime, declined: bool) -> SurveyOrder:
    c = order.classification
    return SurveyOrder(
        ticket_id=order.life.id,
        round=len(order.life.replies),
        trigger=trigger,
        concluded_at=at,
        unit=order.life.lead_unit if trigger is SurveyTrigger.REPLIED else None,
        request_type=c.request_type.value if c.request_type else None,
        category_code=c.category_code,
        source=order.ticket.source,
        confidential=order.life.confidential,
        has_number=len(citizen_number(order)) >= MIN_DIGITS,
        declined=declined,
    )


class SurveyScheduler:
    """Files the survey of a concluded order (``WorkOrders.follow(scheduler)``)."""

    def __init__(
        self,
        store: SurveyStore,
        declines: Declines,
        clock: Clock,
        calendar: CalendarSource,
        policy: SurveyPolicy,
    ) -> None:
        self._store = store
        self._declines = declines
        self._clock = clock
        self._calendar = calendar
        self._policy = policy

    async def on_saved(self, order: WorkOrder, events: Sequence[e.TicketEvent]) -> None:
        for event in events:
            await self.schedule(order, event)

    async def schedule(self, order: WorkOrder, event: e.TicketEvent) -> Survey | None:
        trigger = trigger_of(event)
        return None if trigger is None else await self.file(order, trigger, event.audit.at)

    async def file(self, order: WorkOrder, trigger: SurveyTrigger, at: datetime) -> Survey | None:
        """The survey of ``order``'s current round, concluded at ``at``; None if it was filed before."""
        number = citizen_number(order)
        facts = survey_order(order, trigger, at, await self._declines.declined(number) if number else False)
        prompt = survey_prompt(order.ticket.summary, order.classification.address, at, trigger)
        survey = new_survey(facts, self._policy, self._calendar(), self._clock.now(), prompt)
        created = await self._store.create(survey)
        if created is not None:
            log.info(
                "survey %s of ticket %s round %d: %s %s",
                created.id,
                created.ticket_id,
                created.round,
                created.state.value,
                created.note,
            )
        return created

    async def catch_up(self, orders: WorkOrders, since: datetime, limit: int = BATCH) -> int:
        """File the surveys the listener missed (the process died between the order's save and the
        survey's insert): orders replied or concluded on the call since ``since`` whose latest conclusion
        has no survey."""
        filed = 0
        for ticket_id, at in await self._store.unsurveyed(since, limit):
            order = await orders.get(ticket_id, SURVEY_ACTOR)
            trigger = TRIGGER_OF_STATUS.get(order.life.status)
            if trigger is not None and await self.file(order, trigger, at) is not None:
                filed += 1
        return filed


class SurveyCampaign:
    """The survey dialer loop (started by the composition root only when a ``SurveyDialer`` exists)."""

    def __init__(
        self,
        store: SurveyStore,
        control: CampaignControl,
        dialer: SurveyDialer,
        live: LiveCalls,
        orders: WorkOrders,
        clock: Clock,
        calendar: CalendarSource,
        policy: SurveyPolicy,
        poll_s: float = 5.0,
        scheduler: SurveyScheduler | None = None,
    ) -> None:
        self._scheduler = scheduler
        self._rounds = 0
        self._store = store
        self._control = control
        self._dialer = dialer
        self._live = live
        self._orders = orders
        self._clock = clock
        self._calendar = calendar
        self._policy = policy
        self._poll_s = poll_s
        self._calls: set[asyncio.Task[None]] = set()

    @property
    def in_progress(self) -> int:
        return len(self._calls)

    async def run(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception as exc:  # the database down: next round
                log.warning("survey campaign round failed: %s", exc)
            await asyncio.sleep(self._poll_s)

    async def run_once(self) -> int:
        """One round; returns the calls started."""
        await self.tidy()
        now = self._clock.now()
        if not in_calling_hours(now, self._policy, self._calendar()):
            return 0  # surveys that fell due while the dialer was paused or down wait for the next hours
        settings = await self._control.settings(self._policy.channels)
        servers = self._dialer.reachable()
        free = settings.channels - len(self._calls)
        if settings.paused or not servers or free <= 0:
            return 0  # paused, telephony down or all channels busy: due surveys wait, nothing is lost
        started = 0
        for survey in await self._store.due(now, free):
            if await self._start(survey, now, servers):
                started += 1
        return started

    async def tidy(self) -> None:
        """Surveys the listener missed, lost claims, windows passed, answers not yet on their order."""
        now = self._clock.now()
        if self._scheduler is not None and self._rounds % CATCH_UP_EVERY == 0:
            await self._scheduler.catch_up(self._orders, now - CATCH_UP_SPAN)
        self._rounds += 1
        for survey in await self._store.expired(now, BATCH):
            done = await apply(self._store, survey, lambda s: expire(s, now, self._policy, self._calendar()))
            log.warning(
                "survey %s: attempt %d lost (lease ran out) → %s", done.id, done.attempts, done.state.value
            )
            await self._apply_to_order(done)
        for survey in await self._store.past_window(now, BATCH):
            done = await apply(self._store, survey, lambda s: window_passed(s, now))
            await self._manual_to_order(done)
        for survey in await self._store.unapplied(BATCH):
            await self._apply_to_order(survey)

    async def settle(self) -> None:
        """Wait for the calls in progress (tests); ``close`` cancels them."""
        while self._calls:
            await asyncio.gather(*list(self._calls), return_exceptions=True)

    async def close(self) -> None:
        for task in list(self._calls):
            task.cancel()
        await asyncio.gather(*list(self._calls), return_exceptions=True)

    async def _start(self, survey: Survey, now: datetime, servers: Sequence[str]) -> bool:
        try:
            order: WorkOrder | None = await self._orders.get(survey.ticket_id, SURVEY_ACTOR)
        except NotFound:
            order = None
        if order is None or not waits_for(order.life, survey):
            await apply(self._store, survey, lambda s: cancel(s, now))
            log.info("survey %s cancelled: ticket %s no longer waits for it", survey.id, survey.ticket_id)
            return False
        number = citizen_number(order)
        if len(number) < MIN_DIGITS:
            done = await apply(self._store, survey, partial(to_manual, note=SurveyNote.NO_NUMBER, now=now))
            await self._manual_to_order(done)
            return False
        channel_id = f"sv{survey.id}-{survey.attempts + 1}-{secrets.token_hex(3)}"
        try:
            claimed = await self._store.save(claim(survey, now, channel_id, servers[0], self._policy))
        except (ConcurrentUpdate, InvalidTransition):
            return False  # another dialer took it, or it changed meanwhile: the next round decides
        if await self._live.on_call(number):
            later = now + timedelta(minutes=self._policy.on_call_delay_minutes)
            await apply(self._store, claimed, lambda s: not_placed(s, channel_id, later, now))
            log.info("survey %s: the citizen is on a call with the hotline now; later", survey.id)
            return False
        call = SurveyCall(
            SurveyId(claimed.id or 0), claimed.attempts, servers[0], number, channel_id, claimed.prompt,
            claimed.ticket_id, claimed.round,
        )  # fmt: skip
        task = asyncio.create_task(self._place(claimed, call), name=f"survey-{claimed.id}")
        self._calls.add(task)
        task.add_done_callback(self._calls.discard)
        return True

    async def _place(self, survey: Survey, call: SurveyCall) -> None:
        """One call in its own task: a failure here (the database down when saving the answer, a bug in
        the dialer) is logged; the survey stays claimed until its lease runs out and is then retried."""
        try:
            await self._place_once(survey, call)
        except Exception:
            log.warning("survey %s attempt %d: placing failed", survey.id, call.attempt, exc_info=True)

    async def _place_once(self, survey: Survey, call: SurveyCall) -> None:
        try:
            async with asyncio.timeout(self._policy.lease_seconds):
                answer = await self._dialer.place(call)
        except TelephonyUnavailable as exc:
            log.warning("survey %s: not placed (%s); waits", survey.id, exc.message)
            now = self._clock.now()
            await apply(
                self._store, survey, lambda s: not_placed(s, call.channel_id, now + NOT_SENT_WAIT, now)
            )
            return
        except TimeoutError:
            log.warning("survey %s attempt %d: no outcome within the lease; lost", survey.id, call.attempt)
            answer_attempt = SurveyAttempt(
                call.attempt, call.channel_id, call.server, survey.updated_at, outcome=AttemptOutcome.LOST
            )
            await self._ended(survey, call, answer_attempt)
            return
        result = SurveyAttempt(
            call.attempt, call.channel_id, call.server, survey.updated_at, outcome=answer.outcome,
            key=answer.key, words=answer.words, recording=answer.recording, reason=answer.reason,
        )  # fmt: skip
        await self._ended(survey, call, result)

    async def _ended(self, survey: Survey, call: SurveyCall, result: SurveyAttempt) -> None:
        now = self._clock.now()
        step: Step = lambda s: ended(s, call.channel_id, result, now, self._policy, self._calendar())  # noqa: E731
        done = await apply(self._store, survey, step)
        log.info(
            "survey %s attempt %d: %s → %s",
            done.id,
            call.attempt,
            result.outcome.value if result.outcome else "?",
            done.state.value,
        )
        await self._apply_to_order(done)

    async def _apply_to_order(self, survey: Survey) -> None:
        """Record each finished, unapplied attempt on the order, then mark it applied."""
        for attempt in survey.unapplied():
            await self._on_order(survey, partial(order_commands, survey=survey, attempt=attempt))
            survey = await apply(self._store, survey, partial(applied, attempt=attempt.number))

    async def _manual_to_order(self, survey: Survey) -> None:
        if survey.state is SurveyState.MANUAL:
            await self._on_order(survey, partial(manual_commands, survey=survey))

    async def _on_order(
        self, survey: Survey, commands_of: Callable[[TicketLifecycle], list[Command]]
    ) -> None:
        for _ in range(SAVE_TRIES):
            try:
                order = await self._orders.get(survey.ticket_id, SURVEY_ACTOR)
            except NotFound:
                log.warning("survey %s: ticket %s is gone; nothing recorded", survey.id, survey.ticket_id)
                return
            commands = commands_of(order.life)
            try:
                await self._orders.act_all(survey.ticket_id, order.version, commands, SURVEY_ACTOR)
                return
            except ConcurrentUpdate:
                continue
        raise ConcurrentUpdate(f"ticket {survey.ticket_id} keeps changing", ticket_id=survey.ticket_id)
