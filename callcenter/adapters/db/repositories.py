"""SQLAlchemy repositories: rows in, frozen domain values out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.adapters.db.tables import calls, tickets, transcripts
from callcenter.asr.model import Segment, Speaker, Transcript, Word
from callcenter.calls.model import CallOutcome, CallPhase, CallRecord, RecordingFiles
from callcenter.core.ids import CallId
from callcenter.ticketing.orders.model import Ticket
from callcenter.ticketing.orders.record import TicketLifecycle, new_lifecycle


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we stored was UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def call_to_row(record: CallRecord) -> dict[str, Any]:
    rec = record.recording
    return {
        "call_id": record.call_id,
        "server": record.server,
        "caller_number": record.caller_number,
        "channel": record.channel,
        "phase": record.phase.value,
        "outcome": record.outcome.value,
        "queue": record.queue,
        "agent": record.agent,
        "answered_by": record.answered_by,
        "arrived_at": record.arrived_at,
        "queued_at": record.queued_at,
        "connected_at": record.connected_at,
        "ended_at": record.ended_at,
        "answer_delay": record.answer_delay,
        "wait_seconds": record.wait_seconds,
        "hangup_cause": record.hangup_cause,
        "recording_caller": rec.caller if rec else None,
        "recording_agent": rec.agent if rec else None,
        "recording_mixed": rec.mixed if rec else None,
        "recording_complete": record.recording_complete,
        "transcription_queued": record.transcription_queued,
    }


def row_to_call(row: Mapping[Any, Any]) -> CallRecord:
    recording = None
    if row["recording_caller"]:
        recording = RecordingFiles(row["recording_caller"], row["recording_agent"], row["recording_mixed"])
    arrived = _utc(row["arrived_at"])
    assert arrived is not None
    return CallRecord(
        call_id=CallId(row["call_id"]),
        caller_number=row["caller_number"],
        channel=row["channel"],
        arrived_at=arrived,
        server=row["server"],
        phase=CallPhase(row["phase"]),
        outcome=CallOutcome(row["outcome"]),
        queue=row["queue"],
        queued_at=_utc(row["queued_at"]),
        agent=row["agent"],
        answered_by=row["answered_by"],
        connected_at=_utc(row["connected_at"]),
        ended_at=_utc(row["ended_at"]),
        hangup_cause=row["hangup_cause"],
        recording=recording,
        recording_complete=bool(row["recording_complete"]),
        transcription_queued=bool(row["transcription_queued"]),
    )


_IN_CHUNK = 500  # ids per IN (...) list


class SqlCallRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def get(self, call_id: CallId) -> CallRecord | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(calls).where(calls.c.call_id == call_id))).mappings().first()
        return row_to_call(row) if row else None

    async def get_many(self, call_ids: Sequence[CallId]) -> dict[CallId, CallRecord]:
        found: dict[CallId, CallRecord] = {}
        async with self._engine.connect() as conn:
            for start in range(0, len(call_ids), _IN_CHUNK):
                chunk = list(call_ids[start : start + _IN_CHUNK])
                rows = (await conn.execute(select(calls).where(calls.c.call_id.in_(chunk)))).mappings()
                found.update((CallId(r["call_id"]), row_to_call(r)) for r in rows)
        return found

    async def save(self, record: CallRecord) -> None:
        await self.save_many([record])

    async def save_many(self, records: Sequence[CallRecord]) -> None:
        """Every record in one transaction: a burst of AMI events costs one commit, not one per event."""
        if not records:
            return
        async with self._engine.begin() as conn:
            for record in records:
                values = call_to_row(record)
                result = await conn.execute(
                    update(calls).where(calls.c.call_id == record.call_id).values(**values)
                )
                if result.rowcount == 0:
                    await conn.execute(calls.insert().values(**values))

    async def recent(self, limit: int, offset: int = 0) -> Sequence[CallRecord]:
        query = select(calls).order_by(calls.c.arrived_at.desc()).limit(limit).offset(offset)
        return await self._many(query)

    async def unfinished(self, server: str) -> Sequence[CallRecord]:
        query = select(calls).where(calls.c.phase != CallPhase.ENDED.value, calls.c.server == server)
        return await self._many(query)

    async def awaiting_transcription(self) -> Sequence[CallRecord]:
        query = select(calls).where(
            calls.c.phase == CallPhase.ENDED.value,
            calls.c.recording_complete.is_(True),
            calls.c.transcription_queued.is_(False),
        )
        return await self._many(query)

    async def queued_without_transcript(self) -> Sequence[CallRecord]:
        query = (
            select(calls)
            .outerjoin(transcripts, transcripts.c.call_id == calls.c.call_id)
            .where(calls.c.transcription_queued.is_(True), transcripts.c.id.is_(None))
        )
        return await self._many(query)

    async def _many(self, query: Any) -> list[CallRecord]:
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [row_to_call(r) for r in rows]


def segments_to_json(segments: Sequence[Segment]) -> list[dict[str, Any]]:
    return [
        {
            "speaker": s.speaker.value,
            "start": round(s.start, 3),
            "end": round(s.end, 3),
            "text": s.text,
            "words": [[w.text, round(w.start, 3), round(w.end, 3), w.confidence] for w in s.words],
        }
        for s in segments
    ]


def segments_from_json(data: Sequence[Mapping[Any, Any]]) -> tuple[Segment, ...]:
    return tuple(
        Segment(
            speaker=Speaker(s["speaker"]),
            start=float(s["start"]),
            end=float(s["end"]),
            text=s["text"],
            words=tuple(Word(w[0], float(w[1]), float(w[2]), w[3]) for w in s.get("words", [])),
        )
        for s in data
    )


def ticket_to_row(ticket: Ticket) -> dict[str, Any]:
    """The drafted content's columns; status and version are the life cycle's (``lifecycle_columns``)."""
    return {
        "call_id": ticket.call_id,
        "caller_number": ticket.caller_number,
        "summary": ticket.summary,
        "request_text": ticket.request_text,
        "failure_reason": ticket.failure_reason,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "source": ticket.source,
        "unit_summary": ticket.unit_summary,
    }


def lifecycle_columns(life: TicketLifecycle) -> dict[str, Any]:
    """The one place a row's ``status`` and ``version`` are written from."""
    return {"status": life.status.value, "version": life.version}


def draft_to_row(ticket: Ticket) -> dict[str, Any]:
    """A new draft from a call: its content, at the start of the life cycle."""
    return {**ticket_to_row(ticket), **lifecycle_columns(new_lifecycle())}


def row_to_ticket(row: Mapping[Any, Any]) -> Ticket:
    created, updated = _utc(row["created_at"]), _utc(row["updated_at"])
    assert created is not None and updated is not None
    return Ticket(
        call_id=CallId(row["call_id"]) if row["call_id"] else None,
        caller_number=row["caller_number"],
        summary=row["summary"],
        request_text=row["request_text"],
        created_at=created,
        updated_at=updated,
        failure_reason=row["failure_reason"],
        source=row["source"],
        unit_summary=row["unit_summary"],
    )


class SqlTranscriptionStore:
    """Stores a call's transcript (or its failure) and the draft ticket in one transaction."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def store(
        self,
        call_id: CallId,
        transcript: Transcript | None,
        failure: tuple[str, str] | None,
        ticket: Ticket,
        at: datetime,
    ) -> bool:
        """False when this call was already stored (a redelivered job): nothing is written twice."""
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    transcripts.insert().values(**_transcript_row(call_id, transcript, failure, at))
                )
                await conn.execute(tickets.insert().values(**draft_to_row(ticket)))
        except IntegrityError:
            return False
        return True

    async def exists(self, call_id: CallId) -> bool:
        async with self._engine.connect() as conn:
            return await _transcript_exists(conn, call_id)


async def _transcript_exists(conn: AsyncConnection, call_id: CallId) -> bool:
    row = await conn.execute(select(transcripts.c.id).where(transcripts.c.call_id == call_id))
    return row.first() is not None


def _transcript_row(
    call_id: CallId, transcript: Transcript | None, failure: tuple[str, str] | None, at: datetime
) -> dict[str, Any]:
    code, message = failure if failure else (None, None)
    return {
        "call_id": call_id,
        "status": "ok" if transcript is not None else "failed",
        "engine": transcript.engine if transcript else "none",
        "language": transcript.language if transcript else "",
        "duration": transcript.duration if transcript else 0.0,
        "segments": segments_to_json(transcript.segments) if transcript else [],
        "error_code": code,
        "error_message": message,
        "created_at": at,
    }


def _plain(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row as a dict, every datetime made explicit UTC (SQLite returns them naive)."""
    return {k: _utc(v) if isinstance(v, datetime) else v for k, v in row.items()}


class SqlReadModel:
    """Queries for the read side (API and web page): plain dicts ready for JSON."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def calls(self, limit: int, offset: int, answered_by: str | None = None) -> list[dict[str, Any]]:
        """Newest first; with ``answered_by`` only the calls that staff member answered."""
        query = select(calls).order_by(calls.c.arrived_at.desc()).limit(limit).offset(offset)
        if answered_by is not None:
            query = query.where(calls.c.answered_by == answered_by)
        async with self._engine.connect() as conn:
            return [_plain(r) for r in (await conn.execute(query)).mappings().all()]

    async def call(self, call_id: str) -> dict[str, Any] | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(calls).where(calls.c.call_id == call_id))).mappings().first()
            if row is None:
                return None
            result = _plain(row)
            result["transcript"] = await self._transcript(conn, call_id)
            result["ticket"] = await self._ticket_by_call(conn, call_id)
        return result

    async def tickets(self, limit: int, offset: int) -> list[dict[str, Any]]:
        query = select(tickets).order_by(tickets.c.id.desc()).limit(limit).offset(offset)
        async with self._engine.connect() as conn:
            return [_plain(r) for r in (await conn.execute(query)).mappings().all()]

    async def ticket(self, ticket_id: int) -> dict[str, Any] | None:
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(tickets).where(tickets.c.id == ticket_id))).mappings().first()
            if row is None:
                return None
            result = _plain(row)
            result["transcript"] = await self._transcript(conn, row["call_id"]) if row["call_id"] else None
        return result

    async def _transcript(self, conn: AsyncConnection, call_id: str) -> dict[str, Any] | None:
        row = (
            (await conn.execute(select(transcripts).where(transcripts.c.call_id == call_id)))
            .mappings()
            .first()
        )
        return _plain(row) if row else None

    async def _ticket_by_call(self, conn: AsyncConnection, call_id: str) -> dict[str, Any] | None:
        row = (await conn.execute(select(tickets).where(tickets.c.call_id == call_id))).mappings().first()
        return _plain(row) if row else None
