"""Automated 回访 (issue 14) in the database: surveys and their calls, the campaign's switches, the citizens
who declined callbacks, and which citizens are on a call with the hotline now (tables: tables/surveys.py).

Concurrency: every write of a survey is ``UPDATE … WHERE id = :id AND version = :version`` and bumps the
version, so of two app processes that claim the same due survey only one succeeds (the other gets
ConcurrentUpdate and leaves it). ``(ticket_id, round)`` is unique: a conclusion delivered twice files one
survey. Times are written and compared in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, true, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.adapters.db.repositories import _utc
from callcenter.adapters.db.tables import (
    survey_attempts,
    survey_campaign,
    surveys,
    ticket_events,
    tickets,
)
from callcenter.core.actors import UnitId
from callcenter.core.clock import SHANGHAI
from callcenter.core.errors import ConcurrentUpdate
from callcenter.core.ids import TicketId
from callcenter.ticketing.states import Action, TicketStatus
from callcenter.ticketing.surveys.model import (
    DUE_STATES,
    AttemptOutcome,
    Survey,
    SurveyAttempt,
    SurveyId,
    SurveyState,
    SurveyTrigger,
)
from callcenter.ticketing.surveys.ports import AttemptRow, SurveyRow

_c = surveys.c
_a = survey_attempts.c
_k = survey_campaign.c
CAMPAIGN_ID = 1
DUE = sorted(s.value for s in DUE_STATES)
CONCLUDING = (Action.REPLY.value, Action.RESOLVE_ON_CALL.value)  # the events a survey follows
CONCLUDED = (TicketStatus.REPLIED.value, TicketStatus.RESOLVED_ON_CALL.value)


def _u(at: datetime | None) -> datetime | None:
    return at.astimezone(UTC) if at is not None else None


def _at(value: datetime | None) -> datetime:
    found = _utc(value)
    assert found is not None  # NOT NULL column
    return found


class SqlSurveys:
    """The survey store and its reports (``SurveyStore``, ``SurveyReports``); the campaign's switches,
    the declines and the live calls are in ``survey_campaign``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    # -- writes ----------------------------------------------------------------------------------
    async def create(self, survey: Survey) -> Survey | None:
        try:
            async with self._engine.begin() as conn:
                result = await conn.execute(surveys.insert().values(**_values(survey)))
                new_id = result.inserted_primary_key
                assert new_id is not None
                return replace(survey, id=SurveyId(int(new_id[0])))
        except IntegrityError:
            return None  # the round has its survey already

    async def save(self, survey: Survey) -> Survey:
        async with self._engine.begin() as conn:
            return await _update(conn, survey)

    # -- reads -----------------------------------------------------------------------------------
    async def get(self, survey_id: SurveyId) -> Survey | None:
        found = await self._select(_c.id == survey_id, 1)
        return found[0] if found else None

    async def for_ticket(self, ticket_id: TicketId) -> list[Survey]:
        return await self._select(_c.ticket_id == ticket_id, 100, order=(_c.round,))

    async def due(self, now: datetime, limit: int) -> list[Survey]:
        where = and_(_c.state.in_(DUE), _c.next_attempt_at <= _u(now))
        return await self._select(where, limit, order=(_c.next_attempt_at, _c.id))

    async def expired(self, now: datetime, limit: int) -> list[Survey]:
        where = and_(_c.state == SurveyState.DIALING.value, _c.lease_until < _u(now))
        return await self._select(where, limit)

    async def past_window(self, now: datetime, limit: int) -> list[Survey]:
        return await self._select(and_(_c.state.in_(DUE), _c.window_end <= _u(now)), limit)

    async def unapplied(self, limit: int) -> list[Survey]:
        ids = select(_a.survey_id).where(and_(_a.outcome.is_not(None), _a.applied == False))  # noqa: E712
        return await self._select(_c.id.in_(ids.scalar_subquery()), limit)

    async def unsurveyed(self, since: datetime, limit: int) -> list[tuple[TicketId, datetime]]:
        """Orders now ``replied`` or ``resolved_on_call`` whose latest 回单 / 直接办结 event has no survey
        (a survey's ``concluded_at`` is that event's time)."""
        e, t = ticket_events.c, tickets.c
        concluded = (
            select(func.max(e.at))
            .where(and_(e.ticket_id == t.id, e.action.in_(CONCLUDING)))
            .correlate(tickets)
            .scalar_subquery()
        )
        surveyed = select(_c.id).where(and_(_c.ticket_id == t.id, _c.concluded_at >= concluded)).exists()
        query = (
            select(t.id, concluded)
            .where(
                and_(t.status.in_(CONCLUDED), t.updated_at >= _u(since), ~surveyed, concluded.is_not(None))
            )
            .order_by(t.id)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [(TicketId(r[0]), _at(r[1])) for r in rows]

    async def listing(
        self, state: SurveyState | None, since: datetime | None, until: datetime | None, limit: int
    ) -> list[Survey]:
        """Newest first; ``since``/``until`` bound the reply (conclusion) time."""
        where: list[Any] = []
        if state is not None:
            where.append(_c.state == state.value)
        if since is not None:
            where.append(_c.concluded_at >= _u(since))
        if until is not None:
            where.append(_c.concluded_at < _u(until))
        return await self._select(and_(true(), *where), limit, order=(_c.concluded_at.desc(), _c.id.desc()))

    async def survey_rows(self, since: datetime, until: datetime) -> list[SurveyRow]:
        query = select(_c.concluded_at, _c.unit_id, _c.state, _c.outcome).where(
            and_(_c.concluded_at >= _u(since), _c.concluded_at < _u(until))
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            SurveyRow(_day(r[0]), r[1] or "", SurveyState(r[2]), AttemptOutcome(r[3]) if r[3] else None)
            for r in rows
        ]

    async def attempt_rows(self, since: datetime, until: datetime) -> list[AttemptRow]:
        query = (
            select(_a.started_at, _c.unit_id, _a.outcome)
            .select_from(survey_attempts.join(surveys, _a.survey_id == _c.id))
            .where(and_(_a.started_at >= _u(since), _a.started_at < _u(until)))
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [AttemptRow(_day(r[0]), r[1] or "", AttemptOutcome(r[2]) if r[2] else None) for r in rows]

    async def waiting(self, until: datetime) -> int:
        where = and_(_c.state.in_(DUE), _c.next_attempt_at < _u(until))
        return await self._count(where)

    async def manual_count(self, since: datetime, until: datetime) -> int:
        where = and_(
            _c.state == SurveyState.MANUAL.value, _c.updated_at >= _u(since), _c.updated_at < _u(until)
        )
        return await self._count(where)

    async def _count(self, where: Any) -> int:
        async with self._engine.connect() as conn:
            return int(
                (await conn.execute(select(func.count()).select_from(surveys).where(where))).scalar_one()
            )

    async def _select(self, where: Any, limit: int, order: Sequence[Any] = ()) -> list[Survey]:
        query = select(surveys).where(where).order_by(*(order or (_c.id,))).limit(limit)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
            return await _with_history(conn, rows)


def _day(value: datetime) -> Any:
    return _at(value).astimezone(SHANGHAI).date()


async def _update(conn: AsyncConnection, survey: Survey) -> Survey:
    assert survey.id is not None
    values = {**_values(survey), "version": survey.version + 1}
    query = update(surveys).where(and_(_c.id == survey.id, _c.version == survey.version)).values(**values)
    if (await conn.execute(query)).rowcount != 1:
        raise ConcurrentUpdate(f"survey {survey.id} was changed meanwhile", survey_id=survey.id)
    await _write_attempts(conn, survey)
    return replace(survey, version=survey.version + 1)


async def _write_attempts(conn: AsyncConnection, survey: Survey) -> None:
    """The attempt rows follow the survey's history (an attempt that was not placed is removed)."""
    assert survey.id is not None
    await conn.execute(
        delete(survey_attempts).where(and_(_a.survey_id == survey.id, _a.attempt > len(survey.history)))
    )
    rows = (await conn.execute(select(survey_attempts).where(_a.survey_id == survey.id))).mappings().all()
    stored = {r["attempt"]: _attempt(r) for r in rows}
    for attempt in survey.history:
        values = _attempt_values(survey.id, attempt)
        if attempt.number not in stored:
            await conn.execute(survey_attempts.insert().values(**values))
        elif stored[attempt.number] != attempt:
            key = and_(_a.survey_id == survey.id, _a.attempt == attempt.number)
            await conn.execute(update(survey_attempts).where(key).values(**values))


async def _with_history(conn: AsyncConnection, rows: Sequence[RowMapping]) -> list[Survey]:
    ids = [r["id"] for r in rows]
    history: dict[int, list[SurveyAttempt]] = {i: [] for i in ids}
    if ids:
        query = select(survey_attempts).where(_a.survey_id.in_(ids)).order_by(_a.survey_id, _a.attempt)
        for row in (await conn.execute(query)).mappings().all():
            history[row["survey_id"]].append(_attempt(row))
    return [_survey(r, tuple(history[r["id"]])) for r in rows]


def _values(s: Survey) -> dict[str, Any]:
    return {
        "ticket_id": s.ticket_id,
        "round": s.round,
        "trigger": s.trigger.value,
        "unit_id": s.unit,
        "concluded_at": _u(s.concluded_at),
        "created_at": _u(s.created_at),
        "updated_at": _u(s.updated_at),
        "state": s.state.value,
        "window_end": _u(s.window_end),
        "attempts": s.attempts,
        "max_attempts": s.max_attempts,
        "next_attempt_at": _u(s.next_attempt_at),
        "lease_until": _u(s.lease_until),
        "outcome": s.outcome.value if s.outcome else None,
        "note": s.note,
        "prompt": s.prompt,
        "version": s.version,
    }


def _survey(row: RowMapping, history: tuple[SurveyAttempt, ...]) -> Survey:
    return Survey(
        id=SurveyId(row["id"]),
        ticket_id=TicketId(row["ticket_id"]),
        round=row["round"],
        trigger=SurveyTrigger(row["trigger"]),
        unit=UnitId(row["unit_id"]) if row["unit_id"] else None,
        concluded_at=_at(row["concluded_at"]),
        created_at=_at(row["created_at"]),
        updated_at=_at(row["updated_at"]),
        state=SurveyState(row["state"]),
        window_end=_at(row["window_end"]),
        max_attempts=row["max_attempts"],
        attempts=row["attempts"],
        next_attempt_at=_utc(row["next_attempt_at"]),
        lease_until=_utc(row["lease_until"]),
        outcome=AttemptOutcome(row["outcome"]) if row["outcome"] else None,
        note=row["note"],
        prompt=row["prompt"],
        version=row["version"],
        history=history,
    )


def _attempt_values(survey_id: int, a: SurveyAttempt) -> dict[str, Any]:
    return {
        "survey_id": survey_id,
        "attempt": a.number,
        "channel_id": a.channel_id,
        "server": a.server,
        "started_at": _u(a.started_at),
        "ended_at": _u(a.ended_at),
        "outcome": a.outcome.value if a.outcome else None,
        "dtmf": a.key,
        "words": a.words,
        "recording": a.recording,
        "reason": a.reason,
        "applied": a.applied,
    }


def _attempt(row: RowMapping) -> SurveyAttempt:
    return SurveyAttempt(
        number=row["attempt"],
        channel_id=row["channel_id"],
        server=row["server"],
        started_at=_at(row["started_at"]),
        ended_at=_utc(row["ended_at"]),
        outcome=AttemptOutcome(row["outcome"]) if row["outcome"] else None,
        key=row["dtmf"],
        words=row["words"],
        recording=row["recording"],
        reason=row["reason"],
        applied=bool(row["applied"]),
    )
