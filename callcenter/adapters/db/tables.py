"""Relational schema (SQLAlchemy Core). Alembic migrations in migrations/ create and evolve it.

Times are stored in UTC. Rows map to the domain's frozen dataclasses in repositories.py; the domain
never sees a row object.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

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
    Column("agent", String(128)),
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

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(64), ForeignKey("calls.call_id"), unique=True),
    Column("status", String(24), nullable=False, index=True),
    Column("caller_number", String(64), nullable=False),
    Column("summary", Text, nullable=False),
    Column("request_text", Text, nullable=False),
    Column("failure_reason", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False, default=1),
)
