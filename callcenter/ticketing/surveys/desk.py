"""The 回访 page's reads and a supervisor's switches (pause, resume, channels); the HTTP adapter
(callcenter/adapters/http/surveys.py) only parses and maps.

* today's campaign and the coverage figures are counted by ``figures`` from the store's rows;
* the list is newest first, filtered by state and by the day of the reply (Asia/Shanghai), at most
  ``MAX_LIMIT``;
* a citizen's 拒绝回访 is recorded from one of their orders (agents see the order; the number stays on the
  server);
* a survey call's recording is replayed only from the attempt's own file, found by the
  ``SurveyRecordings`` port inside the recordings directories (replay.py);
* pause/resume and the channel count are stored, so every app process and a restart see them; a
  change of channels takes effect at the dialer's next round (calls in progress are not cut).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from callcenter.core.actors import Actor
from callcenter.core.clock import SHANGHAI, Clock
from callcenter.core.errors import InvalidInput, NotFound
from callcenter.core.ids import TicketId
from callcenter.ticketing.orders.service import WorkOrders
from callcenter.ticketing.surveys.figures import Campaign, Coverage, campaign, coverage
from callcenter.ticketing.surveys.model import Survey, SurveyId, SurveyState
from callcenter.ticketing.surveys.policy import SurveyPolicy
from callcenter.ticketing.surveys.ports import (
    CampaignControl,
    CampaignSettings,
    Declines,
    SurveyRecordings,
    SurveyReports,
    SurveyStore,
)
from callcenter.ticketing.surveys.replay import SurveyRecordingMissing, recording_path
from callcenter.ticketing.surveys.service import MIN_DIGITS, citizen_number

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 200
MAX_LIMIT = 500
MAX_CHANNELS = 200
MAX_REPORT_DAYS = 92


@dataclass(frozen=True, slots=True)
class ListQuery:
    state: SurveyState | None = None
    day: date | None = None  # the day of the reply, Asia/Shanghai
    limit: int = DEFAULT_LIMIT


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time(0), SHANGHAI)
    return start, datetime.combine(last + timedelta(days=1), time(0), SHANGHAI)


class SurveyDesk:
    def __init__(
        self,
        store: SurveyStore,
        reports: SurveyReports,
        control: CampaignControl,
        clock: Clock,
        policy: SurveyPolicy,
        declines: Declines | None = None,
        orders: WorkOrders | None = None,
        recordings: SurveyRecordings | None = None,
    ) -> None:
        self._recordings = recordings
        self._declines = declines
        self._orders = orders
        self._store = store
        self._reports = reports
        self._control = control
        self._clock = clock
        self._policy = policy

    def today(self) -> date:
        return self._clock.now().astimezone(SHANGHAI).date()

    async def campaign(self) -> Campaign:
        day = self.today()
        since, until = day_bounds(day, day)
        settings = await self._control.settings(self._policy.channels)
        attempts = await self._reports.attempt_rows(since, until)
        manual = await self._reports.manual_count(since, until)
        due = await self._reports.waiting(until)
        return campaign(day, settings.paused, settings.channels, due, attempts, manual)

    async def coverage(self, first: date, last: date) -> list[Coverage]:
        if last < first or (last - first).days >= MAX_REPORT_DAYS:
            raise InvalidInput(f"the report covers 1 to {MAX_REPORT_DAYS} days, first ≤ last", field="to")
        since, until = day_bounds(first, last)
        return coverage(
            await self._reports.survey_rows(since, until), await self._reports.attempt_rows(since, until)
        )

    async def listing(self, query: ListQuery) -> list[Survey]:
        since, until = day_bounds(query.day, query.day) if query.day else (None, None)
        return await self._reports.listing(query.state, since, until, min(query.limit, MAX_LIMIT))

    async def survey(self, survey_id: SurveyId) -> Survey:
        found = await self._store.get(survey_id)
        if found is None:
            raise NotFound(f"survey {survey_id} not found", survey_id=survey_id)
        return found

    async def recording(self, survey_id: SurveyId, attempt: int) -> str:
        """This host's path of call ``attempt``'s recording, for replay (质检回放); NotFound (the survey),
        ``SurveyCallNotFound`` or ``SurveyRecordingMissing`` otherwise. Who may listen is the caller's
        check (staff/call_access.py: the reviewers)."""
        stored = recording_path(await self.survey(survey_id), attempt)
        found = await self._recordings.readable(stored) if self._recordings is not None else None
        if found is None:
            raise SurveyRecordingMissing(
                f"the recording of call {attempt} of survey {survey_id} is not available",
                survey_id=survey_id,
                attempt=attempt,
            )
        return found

    async def decline(self, ticket_id: TicketId, actor: Actor) -> None:
        """拒绝回访: the citizen of this order asked not to be surveyed; later surveys of their number follow
        the policy's ``declined`` (skip or manual). The number is the order's own: it never travels."""
        declines, number = await self._declines_of(ticket_id, actor)
        await declines.decline(number, actor.id, self._clock.now())
        log.info("survey declines: the citizen of order %s declined (recorded by %s)", ticket_id, actor.id)

    async def declined(self, ticket_id: TicketId, actor: Actor) -> bool:
        """Whether the citizen of this order declined callbacks (the desk offers to take it back)."""
        declines, number = await self._declines_of(ticket_id, actor)
        return await declines.declined(number)

    async def withdraw_decline(self, ticket_id: TicketId, actor: Actor) -> bool:
        """The citizen of this order takes back a 拒绝回访 (asked on a later call, say): their later surveys
        are placed again. Surveys already skipped stay as they are. False when there was none."""
        declines, number = await self._declines_of(ticket_id, actor)
        withdrawn = await declines.withdraw(number)
        if withdrawn:
            log.info("survey declines: order %s's citizen took it back (recorded by %s)", ticket_id, actor.id)
        return withdrawn

    async def _declines_of(self, ticket_id: TicketId, actor: Actor) -> tuple[Declines, str]:
        if self._declines is None or self._orders is None:
            raise NotFound("declines are not recorded here")
        order = await self._orders.get(ticket_id, actor)
        number = citizen_number(order)
        if len(number) < MIN_DIGITS:
            raise InvalidInput("the order has no number to record", field="ticket_id")
        return self._declines, number

    async def pause(self, by: str) -> CampaignSettings:
        return await self._control.set_paused(True, by, self._clock.now(), self._policy.channels)

    async def resume(self, by: str) -> CampaignSettings:
        return await self._control.set_paused(False, by, self._clock.now(), self._policy.channels)

    async def set_channels(self, channels: int, by: str) -> CampaignSettings:
        if not 0 <= channels <= MAX_CHANNELS:
            raise InvalidInput(f"channels must be 0 to {MAX_CHANNELS}", field="channels")
        return await self._control.set_channels(channels, by, self._clock.now())
