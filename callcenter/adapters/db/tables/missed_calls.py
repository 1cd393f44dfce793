"""Missed-call call-backs (漏接回拨, issue 5, migration 0004, docs/missed-calls.md).

The tables keep their first names (callbacks, callback_sources, callback_attempts); renaming them needs a
migration (docs/missed-calls.md, "Names")."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Table, text

from callcenter.adapters.db.tables.base import metadata

MISSED_CALL_OPEN_SQL = text("state IN ('pending', 'dialing', 'answered', 'retry_wait')")

missed_calls = Table(
    "callbacks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("citizen_number", String(64), nullable=False),
    Column("reason", String(16), nullable=False),  # abandoned | requested
    Column("server", String(64), nullable=False),
    Column("queue", String(64), nullable=False),
    Column("source_entry_id", String(64), nullable=False),
    Column("source_call_id", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("lease_until", DateTime(timezone=True)),  # a dialling claim expires here
    Column("misses", Integer, nullable=False),
    Column("last_missed_at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(24)),
    Column("agent", String(128)),
    Column("closed_by", String(64)),
    Column("close_reason", String(32)),
    Column("version", Integer, nullable=False),  # optimistic concurrency: every write bumps it
    Index("ix_callbacks_state_next", "state", "next_attempt_at"),
    # One open request per citizen's number, even with several app processes writing.
    Index(
        "uq_callbacks_open_number",
        "citizen_number",
        unique=True,
        postgresql_where=MISSED_CALL_OPEN_SQL,
        sqlite_where=MISSED_CALL_OPEN_SQL,
    ),
)

missed_call_sources = Table(
    "callback_sources",
    metadata,
    Column("server", String(64), primary_key=True),
    Column("entry_id", String(64), primary_key=True),  # the missed queue entry: one request per entry
    Column("callback_id", Integer, ForeignKey("callbacks.id"), nullable=False, index=True),
    Column("reason", String(16), nullable=False),
    Column("queue", String(64), nullable=False),
    Column("call_id", String(64), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

missed_call_attempts = Table(
    "callback_attempts",
    metadata,
    Column("callback_id", Integer, ForeignKey("callbacks.id"), primary_key=True),
    Column("attempt", Integer, primary_key=True),
    Column("channel_id", String(64), nullable=False, unique=True),  # Originate ChannelId = queue entry
    Column("server", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("outcome", String(24)),
    Column("reason_code", Integer),  # OriginateResponse Reason
    Column("agent", String(128)),
)
