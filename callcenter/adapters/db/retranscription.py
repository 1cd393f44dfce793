"""Storage for re-transcribing stored calls (``python -m callcenter retranscribe``, docs/asr.md).

Each call is written in its own transaction, so an interrupted batch keeps every call finished before it.
Rules:

- A new transcript replaces the call's old one (one row per call).
- A failure (bad audio) replaces an old *failed* row, never a good transcript: what was stored is kept.
- The draft's request text and summary change only while the ticket is an untouched call draft: status
  ``draft``, version 1 (nothing done to it yet), source ``call``. Any agent action bumps the version, so
  a registered or edited order is never overwritten; the ``WHERE`` makes the check and the write atomic.
- A call without a ticket (its job was lost) gets the draft the ASR worker would have written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.adapters.db.repositories import _transcript_row, draft_to_row, row_to_call
from callcenter.adapters.db.tables import calls, tickets, transcripts
from callcenter.asr.model import Transcript
from callcenter.calls.model import CallPhase, CallRecord
from callcenter.core.ids import CallId
from callcenter.ticketing.orders.model import Ticket
from callcenter.ticketing.orders.record import FIRST_VERSION
from callcenter.ticketing.states import TicketStatus


class TranscriptWrite(StrEnum):
    REPLACED = "replaced"
    INSERTED = "inserted"
    KEPT = "kept"  # a failure did not replace a good transcript


class DraftWrite(StrEnum):
    UPDATED = "updated"
    CREATED = "created"
    KEPT = "kept"  # the agent has worked on it (or it is no call draft)


@dataclass(frozen=True, slots=True)
class StoredResult:
    transcript: TranscriptWrite
    draft: DraftWrite


class SqlRetranscriptionStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def recorded_calls(
        self, call_ids: Sequence[str] = (), since: datetime | None = None, until: datetime | None = None
    ) -> list[CallRecord]:
        """Ended calls with a recording, oldest first; ``call_ids`` and [since, until) narrow the set."""
        query = select(calls).where(
            calls.c.phase == CallPhase.ENDED.value, calls.c.recording_caller.is_not(None)
        )
        if call_ids:
            query = query.where(calls.c.call_id.in_(list(call_ids)))
        if since is not None:
            query = query.where(calls.c.arrived_at >= since)
        if until is not None:
            query = query.where(calls.c.arrived_at < until)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query.order_by(calls.c.arrived_at, calls.c.call_id))).mappings().all()
        return [row_to_call(row) for row in rows]

    async def store(
        self,
        call_id: CallId,
        transcript: Transcript | None,
        failure: tuple[str, str] | None,
        draft: Ticket,
        at: datetime,
    ) -> StoredResult:
        """The call's new transcript (or failure) and, where allowed, its draft: one transaction."""
        async with self._engine.begin() as conn:
            written = await _write_transcript(conn, _transcript_row(call_id, transcript, failure, at))
            if written is TranscriptWrite.KEPT:
                return StoredResult(written, DraftWrite.KEPT)
            return StoredResult(written, await _write_draft(conn, call_id, draft, at))


async def _write_transcript(conn: AsyncConnection, row: dict[str, object]) -> TranscriptWrite:
    old = (
        await conn.execute(select(transcripts.c.status).where(transcripts.c.call_id == row["call_id"]))
    ).first()
    if old is None:
        await conn.execute(transcripts.insert().values(**row))
        return TranscriptWrite.INSERTED
    if row["status"] == "failed" and old.status == "ok":
        return TranscriptWrite.KEPT
    values = {k: v for k, v in row.items() if k != "call_id"}
    await conn.execute(update(transcripts).where(transcripts.c.call_id == row["call_id"]).values(**values))
    return TranscriptWrite.REPLACED


async def _write_draft(conn: AsyncConnection, call_id: CallId, draft: Ticket, at: datetime) -> DraftWrite:
    exists = (await conn.execute(select(tickets.c.id).where(tickets.c.call_id == call_id))).first()
    if exists is None:
        await conn.execute(tickets.insert().values(**draft_to_row(draft)))
        return DraftWrite.CREATED
    untouched = (
        tickets.c.call_id == call_id,
        tickets.c.status == TicketStatus.DRAFT.value,
        tickets.c.version == FIRST_VERSION,
        tickets.c.source == "call",
    )
    result = await conn.execute(
        update(tickets)
        .where(*untouched)
        .values(
            summary=draft.summary,
            request_text=draft.request_text,
            failure_reason=draft.failure_reason,
            updated_at=at,
        )
    )
    return DraftWrite.UPDATED if result.rowcount else DraftWrite.KEPT
