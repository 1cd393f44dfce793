"""Calls (通话记录) and their transcripts (转写)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from callcenter.adapters.db.tables.base import metadata

calls = Table(
    "calls",
    metadata,
    Column("call_id", String(64), primary_key=True),  # Asterisk Linkedid
    Column("server", String(64), nullable=False, default="default"),
    Column("caller_number", String(64), nullable=False),
    Column("channel", String(128), nullable=False),
    Column("phase", String(16), nullable=False),
    Column("outcome", String(24), nullable=False, index=True),
    Column("queue", String(64)),
    Column("agent", String(128)),  # the seat (queue member interface)
    Column("answered_by", String(64)),  # staff id at the seat when it answered (migration 0007)
    Column("arrived_at", DateTime(timezone=True), nullable=False, index=True),
    Column("queued_at", DateTime(timezone=True)),
    Column("connected_at", DateTime(timezone=True)),
    Column("ended_at", DateTime(timezone=True)),
    Column("answer_delay", Float),  # seconds, queue join → agent connect
    Column("wait_seconds", Float),  # seconds in queue until connect or abandon
    Column("hangup_cause", String(64)),
    Column("recording_caller", Text),
    Column("recording_agent", Text),
    Column("recording_mixed", Text),
    Column("recording_complete", Boolean, nullable=False, default=False),
    Column("transcription_queued", Boolean, nullable=False, default=False),
    Index("ix_calls_answered_by_arrived_at", "answered_by", "arrived_at"),  # an agent's own calls
)

transcripts = Table(
    "transcripts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(64), ForeignKey("calls.call_id"), nullable=False, unique=True),
    Column("status", String(16), nullable=False),  # ok | failed
    Column("engine", String(32), nullable=False),
    Column("language", String(8), nullable=False),
    Column("duration", Float, nullable=False, default=0.0),
    Column("segments", JSON, nullable=False),
    Column("error_code", String(32)),
    Column("error_message", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
