"""The survey dialer loop (自动回访外呼, issue 14): places due surveys through the ``SurveyDialer`` port and
applies the answers to the work orders.

Every ``poll_s``: surveys the scheduler missed are filed (once a minute); claims whose lease ran out end
``lost``; waiting surveys past their window go to the manual list; answers not yet on their order are
applied; then — only in the calling hours, while the campaign is not paused and the telephony is
reachable — due surveys are claimed (a version-checked write: two app processes never place the same
survey), up to the live channel count, and each is placed in its own task bounded by the lease. A
citizen on a call with the hotline now is tried again later (that does not count as an attempt). Every
result is saved on the survey first (``applied`` false), then on the order, then marked applied: a crash
in between is caught up by the next round.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import partial

from callcenter.core.clock import Clock
from callcenter.core.errors import ConcurrentUpdate, InvalidTransition, NotFound, TelephonyUnavailable
from callcenter.ticketing.orders.commands import Command
from callcenter.ticketing.orders.record import TicketLifecycle
from callcenter.ticketing.orders.service import WorkOrders
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.surveys.model import (
    AttemptOutcome,
    Survey,
    SurveyAttempt,
    SurveyId,
    SurveyState,
)
from callcenter.ticketing.surveys.outcomes import manual_commands, order_commands, waits_for
from callcenter.ticketing.surveys.policy import SurveyPolicy, in_calling_hours
from callcenter.ticketing.surveys.ports import (
    CampaignControl,
    LiveCalls,
    SurveyCall,
    SurveyDialer,
    SurveyIntro,
    SurveyStore,
)
from callcenter.ticketing.surveys.rules import SurveyNote
from callcenter.ticketing.surveys.service import (
    BATCH,
    MIN_DIGITS,
    SAVE_TRIES,
    SURVEY_ACTOR,
    CalendarSource,
    Step,
    SurveyScheduler,
    anything_dialled,
    apply,
    citizen_number,
)
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

NOT_SENT_WAIT = timedelta(seconds=60)
CATCH_UP_EVERY = 12  # rounds (a minute at the default poll)
PREPARE_AHEAD = timedelta(hours=24)  # intros of surveys due within this are made into speech ahead
PREPARE_BATCH = 20  # made per batch
PREPARE_WINDOW = 1000  # at most this many upcoming surveys read to find those not made yet
PREPARED_KEPT = 10_000  # (ticket, round) pairs remembered as made ahead
CATCH_UP_SPAN = timedelta(days=7)  # conclusions older than this are not looked for


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
        refusal: Callable[[str], str | None] = anything_dialled,
    ) -> None:
        """``refusal``: the dial policy, asked again before each call (the number may have been edited)."""
        self._refusal = refusal
        self._prepared: OrderedDict[tuple[int, int], None] = OrderedDict()  # (ticket, round) made ahead
        self._preparing: asyncio.Task[None] | None = None
        self._idle_rounds = 0
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
        started = await self._dial_due(now)
        await self._prepare_ahead(now)  # also out of calling hours: the night makes the morning's intros
        return started

    async def _dial_due(self, now: datetime) -> int:
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

    async def _prepare_ahead(self, now: datetime) -> None:
        """The intros of the surveys due next (``PREPARE_AHEAD``), made into speech one at a time in the
        background: with the natural voice that takes seconds of CPU each, spent as surveys are filed
        over the day rather than when the calling hours open and every channel dials at once."""
        if self._preparing is not None and not self._preparing.done():
            return
        if self._idle_rounds > 0:  # nothing new last time: look again in a minute
            self._idle_rounds -= 1
            return
        # the surveys due next, past those already made (remembered here): up to PREPARE_WINDOW rows
        upcoming = await self._store.due(
            now + PREPARE_AHEAD, min(len(self._prepared) + PREPARE_BATCH, PREPARE_WINDOW)
        )
        intros = [
            SurveyIntro(s.ticket_id, s.round, s.prompt)
            for s in upcoming
            if s.prompt and (s.ticket_id, s.round) not in self._prepared
        ][:PREPARE_BATCH]
        if intros:
            self._preparing = asyncio.create_task(self._prepare(intros), name="survey-intros")
        else:
            self._idle_rounds = CATCH_UP_EVERY

    async def _prepare(self, intros: Sequence[SurveyIntro]) -> None:
        for intro in intros:
            try:
                await self._dialer.prepare(intro)
            except Exception as exc:  # the call makes its speech itself
                log.warning(
                    "survey intro of ticket %s round %d not made ahead: %r", intro.ticket_id, intro.round, exc
                )
            self._prepared[(intro.ticket_id, intro.round)] = None
            while len(self._prepared) > PREPARED_KEPT:
                self._prepared.popitem(last=False)

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
        """Wait for the calls in progress and the intros being made (tests); ``close`` cancels them."""
        while self._calls:
            await asyncio.gather(*list(self._calls), return_exceptions=True)
        if self._preparing is not None:
            await asyncio.gather(self._preparing, return_exceptions=True)

    async def close(self) -> None:
        tasks = [*self._calls, *([self._preparing] if self._preparing is not None else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

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
        refused = self._refusal(number) if len(number) >= MIN_DIGITS else None
        if len(number) < MIN_DIGITS or refused:
            note = SurveyNote.NOT_CALLABLE if refused else SurveyNote.NO_NUMBER
            done = await apply(self._store, survey, partial(to_manual, note=note, now=now))
            if refused:
                log.info(
                    "survey %s to the manual list: the dial policy refuses its number (%s)",
                    survey.id,
                    refused,
                )
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
