"""The missed-call list (漏接回拨) in the database (tables ``callbacks``, ``callback_sources``,
``callback_attempts``: their first names, kept until a migration renames them).

Concurrency: every write of a request is ``UPDATE … WHERE id = :id AND version = :version`` and bumps
the version, so of two app processes that claim the same due request only one succeeds (the other gets
ConcurrentUpdate and leaves it). A partial unique index keeps one open request per number even when two
processes record misses of the same number at once; the missed entry's (server, entry_id) is a primary
key, so a floor event delivered twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, true, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.adapters.db.repositories import _utc
from callcenter.adapters.db.tables import missed_call_attempts, missed_call_sources, missed_calls
from callcenter.core.errors import ConcurrentUpdate, InvalidTransition
from callcenter.queue.missed_calls.rules import (
    DUE_STATES,
    OPEN_STATES,
    Attempt,
    AttemptOutcome,
    MissedCall,
    MissedCallPolicy,
    MissedCallReason,
    MissedCallRequest,
    MissedCallState,
    add_miss,
    open_request,
)

_c = missed_calls.c
_a = missed_call_attempts.c
_s = missed_call_sources.c
RECORD_TRIES = 4
LEASED = (MissedCallState.DIALING.value, MissedCallState.ANSWERED.value)


class SqlMissedCalls:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    # -- writes ----------------------------------------------------------------------------------
    async def record_miss(self, missed: MissedCall, policy: MissedCallPolicy) -> MissedCallRequest | None:
        """File a missed entry: a new request, or one more miss on the number's open request. ``None``
        when this entry was filed before (a repeated floor event)."""
        for attempt in range(RECORD_TRIES):
            try:
                return await self._record_miss(missed, policy)
            except (IntegrityError, ConcurrentUpdate):  # another process filed the number meanwhile
                if attempt == RECORD_TRIES - 1:
                    raise
        return None  # pragma: no cover - the loop returns or raises

    async def _record_miss(self, missed: MissedCall, policy: MissedCallPolicy) -> MissedCallRequest | None:
        async with self._engine.begin() as conn:
            key = and_(_s.server == missed.server, _s.entry_id == missed.entry_id)
            if (await conn.execute(select(_s.callback_id).where(key))).first() is not None:
                return None
            request = open_request(missed, policy)
            existing = await _open_for(conn, request.citizen_number) if request.is_open else None
            if existing is not None:
                request = await _update(conn, add_miss(existing, missed))
            else:
                new_id = (
                    await conn.execute(missed_calls.insert().values(**_values(request)))
                ).inserted_primary_key
                assert new_id is not None
                request = replace(request, id=int(new_id[0]))
            await conn.execute(missed_call_sources.insert().values(**_source(missed, request)))
            return request

    async def save(self, request: MissedCallRequest) -> MissedCallRequest:
        """Write ``request`` if nobody changed it since it was read; returns it with its new version."""
        try:
            async with self._engine.begin() as conn:
                return await _update(conn, request)
        except IntegrityError as exc:  # reopening while the number has another open request
            raise InvalidTransition(
                f"number {request.citizen_number} already has an open missed-call request",
                missed_call_id=request.id,
            ) from exc

    # -- reads -----------------------------------------------------------------------------------
    async def get(self, missed_call_id: int) -> MissedCallRequest | None:
        found = await self._select(_c.id == missed_call_id, limit=1)
        return found[0] if found else None

    async def by_channel(self, channel_id: str) -> MissedCallRequest | None:
        ids = select(_a.callback_id).where(_a.channel_id == channel_id).scalar_subquery()
        found = await self._select(_c.id == ids, limit=1)
        return found[0] if found else None

    async def open_for_number(self, number: str) -> MissedCallRequest | None:
        found = await self._select(and_(_c.citizen_number == number, _c.state.in_(_states(OPEN_STATES))), 1)
        return found[0] if found else None

    async def due(self, now: datetime, limit: int) -> list[MissedCallRequest]:
        where = and_(_c.state.in_(_states(DUE_STATES)), _c.next_attempt_at <= now)
        return await self._select(where, limit, order=(_c.next_attempt_at, _c.id))

    async def expired(self, now: datetime, limit: int) -> list[MissedCallRequest]:
        return await self._select(and_(_c.state.in_(LEASED), _c.lease_until < now), limit)

    async def listing(
        self,
        state: MissedCallState | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 200,
    ) -> list[MissedCallRequest]:
        """Newest first; ``since``/``until`` bound the time the request was created."""
        where: list[Any] = []
        if state is not None:
            where.append(_c.state == state.value)
        if since is not None:
            where.append(_c.created_at >= since)
        if until is not None:
            where.append(_c.created_at < until)
        return await self._select(and_(true(), *where), limit, order=(_c.created_at.desc(), _c.id.desc()))

    async def sources(self, missed_call_id: int) -> list[MissedCall]:
        """The missed entries filed under a request, oldest first."""
        query = select(missed_call_sources).where(_s.callback_id == missed_call_id).order_by(_s.at)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_missed(r) for r in rows]

    async def count_by_state(self) -> dict[str, int]:
        query = select(_c.state, func.count()).group_by(_c.state)
        async with self._engine.connect() as conn:
            return {str(state): int(n) for state, n in (await conn.execute(query)).all()}

    async def _select(self, where: Any, limit: int, order: Sequence[Any] = ()) -> list[MissedCallRequest]:
        query = select(missed_calls).where(where).order_by(*(order or (_c.id,))).limit(limit)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
            return await _with_history(conn, rows)


async def _open_for(conn: AsyncConnection, number: str) -> MissedCallRequest | None:
    where = and_(_c.citizen_number == number, _c.state.in_(_states(OPEN_STATES)))
    rows = (await conn.execute(select(missed_calls).where(where))).mappings().all()
    found = await _with_history(conn, rows)
    return found[0] if found else None


async def _update(conn: AsyncConnection, request: MissedCallRequest) -> MissedCallRequest:
    assert request.id is not None
    values = {**_values(request), "version": request.version + 1}
    query = (
        update(missed_calls).where(and_(_c.id == request.id, _c.version == request.version)).values(**values)
    )
    if (await conn.execute(query)).rowcount != 1:
        raise ConcurrentUpdate(f"missed call {request.id} was changed meanwhile", missed_call_id=request.id)
    await _write_attempts(conn, request)
    return replace(request, version=request.version + 1)


async def _write_attempts(conn: AsyncConnection, request: MissedCallRequest) -> None:
    """The attempt rows follow the request's history (an attempt that was never sent is removed)."""
    assert request.id is not None
    await conn.execute(
        delete(missed_call_attempts).where(
            and_(_a.callback_id == request.id, _a.attempt > len(request.history))
        )
    )
    stored = {
        r.attempt: r
        for r in (await conn.execute(select(missed_call_attempts).where(_a.callback_id == request.id))).all()
    }
    for attempt in request.history:
        values = _attempt_values(request.id, attempt)
        key = and_(_a.callback_id == request.id, _a.attempt == attempt.number)
        if attempt.number not in stored:
            await conn.execute(missed_call_attempts.insert().values(**values))
        elif _attempt(dict(stored[attempt.number]._mapping)) != attempt:
            await conn.execute(update(missed_call_attempts).where(key).values(**values))


async def _with_history(conn: AsyncConnection, rows: Sequence[RowMapping]) -> list[MissedCallRequest]:
    ids = [r["id"] for r in rows]
    attempts: dict[int, list[Attempt]] = {i: [] for i in ids}
    if ids:
        query = (
            select(missed_call_attempts).where(_a.callback_id.in_(ids)).order_by(_a.callback_id, _a.attempt)
        )
        for row in (await conn.execute(query)).mappings().all():
            attempts[row["callback_id"]].append(_attempt(row))
    return [_request(r, tuple(attempts[r["id"]])) for r in rows]


def _states(states: frozenset[MissedCallState]) -> list[str]:
    return sorted(s.value for s in states)


def _values(r: MissedCallRequest) -> dict[str, Any]:
    return {
        "citizen_number": r.citizen_number,
        "reason": r.reason.value,
        "server": r.server,
        "queue": r.queue,
        "source_entry_id": r.source_entry_id,
        "source_call_id": r.source_call_id,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "state": r.state.value,
        "attempts": r.attempts,
        "max_attempts": r.max_attempts,
        "next_attempt_at": r.next_attempt_at,
        "lease_until": r.lease_until,
        "misses": r.misses,
        "last_missed_at": r.last_missed_at,
        "outcome": r.outcome.value if r.outcome else None,
        "agent": r.agent or None,
        "closed_by": r.closed_by or None,
        "close_reason": r.close_reason or None,
        "version": r.version,
    }


def _request(row: RowMapping, history: tuple[Attempt, ...]) -> MissedCallRequest:
    created, updated, missed = _utc(row["created_at"]), _utc(row["updated_at"]), _utc(row["last_missed_at"])
    assert created is not None and updated is not None and missed is not None  # NOT NULL columns
    return MissedCallRequest(
        id=row["id"],
        citizen_number=row["citizen_number"],
        reason=MissedCallReason(row["reason"]),
        server=row["server"],
        queue=row["queue"],
        source_entry_id=row["source_entry_id"],
        source_call_id=row["source_call_id"],
        created_at=created,
        updated_at=updated,
        state=MissedCallState(row["state"]),
        attempts=row["attempts"],
        max_attempts=row["max_attempts"],
        next_attempt_at=_utc(row["next_attempt_at"]),
        misses=row["misses"],
        last_missed_at=missed,
        lease_until=_utc(row["lease_until"]),
        outcome=AttemptOutcome(row["outcome"]) if row["outcome"] else None,
        agent=row["agent"] or "",
        closed_by=row["closed_by"] or "",
        close_reason=row["close_reason"] or "",
        version=row["version"],
        history=history,
    )


def _attempt_values(missed_call_id: int, a: Attempt) -> dict[str, Any]:
    return {
        "callback_id": missed_call_id,
        "attempt": a.number,
        "channel_id": a.channel_id,
        "server": a.server,
        "started_at": a.started_at,
        "ended_at": a.ended_at,
        "outcome": a.outcome.value if a.outcome else None,
        "reason_code": a.reason_code,
        "agent": a.agent or None,
    }


def _attempt(row: Any) -> Attempt:
    started = _utc(row["started_at"])
    assert started is not None
    return Attempt(
        number=row["attempt"],
        channel_id=row["channel_id"],
        server=row["server"],
        started_at=started,
        ended_at=_utc(row["ended_at"]),
        outcome=AttemptOutcome(row["outcome"]) if row["outcome"] else None,
        reason_code=row["reason_code"],
        agent=row["agent"] or "",
    )


def _source(missed: MissedCall, request: MissedCallRequest) -> dict[str, Any]:
    return {
        "server": missed.server,
        "entry_id": missed.entry_id,
        "callback_id": request.id,
        "reason": missed.reason.value,
        "queue": missed.queue,
        "call_id": missed.call_id,
        "at": missed.at,
    }


def _missed(row: RowMapping) -> MissedCall:
    at = _utc(row["at"])
    assert at is not None
    return MissedCall(
        server=row["server"],
        queue=row["queue"],
        entry_id=row["entry_id"],
        call_id=row["call_id"],
        caller_number="",
        reason=MissedCallReason(row["reason"]),
        at=at,
    )
