"""The queue-entry ledger (排队记录) in the database: what the live service level was counted from.

Writes are idempotent and order-proof: an entry is only ever moved up its outcome ladder
(callcenter/queue/service_level/ledger.py ``upgrade``), so a retried or stale write changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.adapters.db.repositories import _utc
from callcenter.adapters.db.tables import queue_entries
from callcenter.queue.service_level.ledger import Outcome, QueueEntry, upgrade

_t = queue_entries.c


class SqlQueueEntries:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def save(self, entries: Sequence[QueueEntry], at: datetime) -> None:
        """Upsert entries per (server, entry_id, queue), in order, in one transaction."""
        if not entries:
            return
        try:
            await self._save(entries, at)
        except IntegrityError:  # another writer inserted the same entry meanwhile: merge with it
            await self._save(entries, at)

    async def _save(self, entries: Sequence[QueueEntry], at: datetime) -> None:
        async with self._engine.begin() as conn:
            for entry in entries:
                await _upsert(conn, entry, at)

    async def since(self, start: datetime, server: str | None = None) -> list[QueueEntry]:
        """Entries that entered at or after ``start`` (optionally of one server), oldest first."""
        where = [_t.entered_at >= start]
        if server is not None:
            where.append(_t.server == server)
        query = select(queue_entries).where(and_(*where)).order_by(_t.entered_at, _t.entry_id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_entry(r) for r in rows]


async def _upsert(conn: AsyncConnection, entry: QueueEntry, at: datetime) -> None:
    key = and_(_t.server == entry.server, _t.entry_id == entry.entry_id, _t.queue == entry.queue)
    row = (await conn.execute(select(queue_entries).where(key))).mappings().first()
    if row is None:
        await conn.execute(queue_entries.insert().values(**_values(entry, at)))
        return
    current = _entry(row)
    merged = upgrade(current, entry)
    if merged != current:
        await conn.execute(update(queue_entries).where(key).values(**_values(merged, at)))


def _values(entry: QueueEntry, at: datetime) -> dict[str, object]:
    return {
        "server": entry.server,
        "entry_id": entry.entry_id,
        "queue": entry.queue,
        "call_id": entry.call_id,
        "entered_at": entry.entered_at,
        "outcome": entry.outcome.value,
        "hold_seconds": entry.hold_seconds,
        "left_at": entry.left_at,
        "ended_at": entry.ended_at,
        "agent": entry.agent or None,
        "updated_at": at,
    }


def _entry(row: RowMapping) -> QueueEntry:
    entered = _utc(row["entered_at"])
    assert entered is not None  # NOT NULL column
    return QueueEntry(
        server=row["server"],
        queue=row["queue"],
        entry_id=row["entry_id"],
        call_id=row["call_id"],
        entered_at=entered,
        outcome=Outcome(row["outcome"]),
        hold_seconds=row["hold_seconds"],
        ended_at=_utc(row["ended_at"]),
        agent=row["agent"] or "",
        left_at=_utc(row["left_at"]),
    )
