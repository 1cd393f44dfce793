"""The missed-call desk (漏接回拨): what the list page reads, and what supervisors do with a request.
The rules live here; the HTTP adapter (callcenter/adapters/http/missed_calls.py) only parses and maps.

* the list is newest first, filtered by state and by the day the request was filed — a calendar day in
  Asia/Shanghai (the hotline's day, whatever the server's time zone); at most ``MAX_LIMIT`` at once;
* a retry makes a waiting request due now (the quiet hours still apply) or reopens a failed or cancelled
  one with one more attempt allowed (steps.retry_now);
* a cancel closes a waiting request, reason ``supervisor`` (steps.cancel); a call in progress cannot be
  cancelled (InvalidTransition);
* every change is a version-checked save, re-applied on a concurrent write (service.apply).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from callcenter.core.clock import SHANGHAI, Clock
from callcenter.core.errors import NotFound
from callcenter.queue.missed_calls.ports import MissedCallList
from callcenter.queue.missed_calls.rules import (
    CloseReason,
    MissedCall,
    MissedCallPolicy,
    MissedCallRequest,
    MissedCallState,
)
from callcenter.queue.missed_calls.service import Step, apply
from callcenter.queue.missed_calls.steps import cancel, retry_now

DEFAULT_LIMIT = 200
MAX_LIMIT = 500


@dataclass(frozen=True, slots=True)
class ListQuery:
    state: MissedCallState | None = None
    day: date | None = None  # the day the request was filed, in Asia/Shanghai
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True, slots=True)
class MissedCallDetail:
    """One request with the missed entries filed under it, oldest first."""

    request: MissedCallRequest
    sources: tuple[MissedCall, ...]


def day_bounds(day: date | None) -> tuple[datetime | None, datetime | None]:
    """The start and end of ``day`` in Asia/Shanghai (both None: no day given)."""
    if day is None:
        return None, None
    start = datetime.combine(day, time(0), SHANGHAI)
    return start, start + timedelta(days=1)


class MissedCallDesk:
    def __init__(self, store: MissedCallList, clock: Clock, policy: MissedCallPolicy) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy

    async def listing(self, query: ListQuery) -> list[MissedCallRequest]:
        since, until = day_bounds(query.day)
        return await self._store.listing(query.state, since, until, min(query.limit, MAX_LIMIT))

    async def detail(self, missed_call_id: int) -> MissedCallDetail:
        found = await self._found(missed_call_id)
        return MissedCallDetail(found, tuple(await self._store.sources(missed_call_id)))

    async def retry(self, missed_call_id: int, by: str) -> MissedCallRequest:
        """Call again now, or reopen a failed or cancelled request (supervisors)."""
        return await self._change(missed_call_id, lambda r: retry_now(r, by, self._clock.now(), self._policy))

    async def cancel(self, missed_call_id: int, by: str) -> MissedCallRequest:
        """Cancel a waiting request (supervisors)."""
        return await self._change(
            missed_call_id, lambda r: cancel(r, by, CloseReason.SUPERVISOR, self._clock.now())
        )

    async def _change(self, missed_call_id: int, step: Step) -> MissedCallRequest:
        return await apply(self._store, await self._found(missed_call_id), step)

    async def _found(self, missed_call_id: int) -> MissedCallRequest:
        found = await self._store.get(missed_call_id)
        if found is None:
            raise NotFound(f"missed call {missed_call_id} not found", missed_call_id=missed_call_id)
        return found
