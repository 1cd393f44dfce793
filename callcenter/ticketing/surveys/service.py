"""Automated 回访 (issue 14): the scheduler that files a survey when an order concludes, and what the
survey service shares (the save-with-retry, the platform's actor, the citizen's number). The dialer loop
is ``campaign.SurveyCampaign``. Rules in ``rules``, ``steps``, ``outcomes``; ports in ``ports``; the
page's reads and a supervisor's switches in ``desk``.

Scheduler (an ``OrderListener`` of the work-order service; idempotent): 回单 or 直接办结 → the round's survey
(pending, manual or skipped as the policy says); a second delivery adds nothing (one survey per round).
A survey the listener missed (the process died between the order's save and the survey's insert) is
filed by ``catch_up``, which the dialer runs once a minute.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from callcenter.core.actors import Actor, Role, StaffId
from callcenter.core.clock import Clock
from callcenter.core.errors import ConcurrentUpdate, NotFound
from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing.orders import events as e
from callcenter.ticketing.orders.service import WorkOrders
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.states import TicketStatus
from callcenter.ticketing.surveys.model import (
    Survey,
    SurveyTrigger,
)
from callcenter.ticketing.surveys.policy import SurveyPolicy
from callcenter.ticketing.surveys.ports import (
    Declines,
    SurveyStore,
)
from callcenter.ticketing.surveys.prompt import survey_prompt
from callcenter.ticketing.surveys.rules import SurveyOrder, new_survey

log = logging.getLogger(__name__)

SURVEY_ACTOR = Actor(StaffId("system"), Role.SUPERVISOR)  # the platform (reserved login), 督办 included
Step = Callable[[Survey], Survey]
CalendarSource = Callable[[], WorkCalendar]  # the calendar in force (an admin may change it)
SAVE_TRIES = 5
BATCH = 50
MIN_DIGITS = 7  # a local landline without its area code; anything shorter is no citizen's number


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


def survey_order(
    order: WorkOrder, trigger: SurveyTrigger, at: datetime, declined: bool, dial_refusal: str = ""
) -> SurveyOrder:
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
        dial_refusal=dial_refusal,
    )


def anything_dialled(number: str) -> str | None:
    """No dial policy: every number may be dialled (tests of other rules)."""
    return None


class SurveyScheduler:
    """Files the survey of a concluded order (``WorkOrders.follow(scheduler)``)."""

    def __init__(
        self,
        store: SurveyStore,
        declines: Declines,
        clock: Clock,
        calendar: CalendarSource,
        policy: SurveyPolicy,
        refusal: Callable[[str], str | None] = anything_dialled,
    ) -> None:
        """``refusal``: the dial policy — why a number may not be dialled automatically, or None."""
        self._store = store
        self._refusal = refusal
        self._declines = declines
        self._clock = clock
        self._calendar = calendar
        self._policy = policy

    async def on_saved(self, before: WorkOrder, after: WorkOrder, events: Sequence[e.TicketEvent]) -> None:
        for event in events:
            await self.schedule(after, event)

    async def schedule(self, order: WorkOrder, event: e.TicketEvent) -> Survey | None:
        trigger = trigger_of(event)
        return None if trigger is None else await self.file(order, trigger, event.audit.at)

    async def file(self, order: WorkOrder, trigger: SurveyTrigger, at: datetime) -> Survey | None:
        """The survey of ``order``'s current round, concluded at ``at``; None if it was filed before."""
        number = citizen_number(order)
        declined = await self._declines.declined(number) if number else False
        refused = (self._refusal(number) or "") if len(number) >= MIN_DIGITS else ""
        facts = survey_order(order, trigger, at, declined, refused)
        prompt = survey_prompt(order.ticket.summary, order.classification.address, at, trigger)
        survey = new_survey(facts, self._policy, self._calendar(), self._clock.now(), prompt)
        created = await self._store.create(survey)
        if created is not None:
            log.info(
                "survey %s of ticket %s round %d: %s %s%s",
                created.id,
                created.ticket_id,
                created.round,
                created.state.value,
                created.note,
                f" (dial policy: {refused})" if refused else "",
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
