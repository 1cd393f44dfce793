"""Queue entries (排队记录) behind the 15-second service level (issue 5, migration 0003)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table

from callcenter.adapters.db.tables.base import metadata

queue_entries = Table(
    "queue_entries",
    metadata,
    Column("server", String(64), primary_key=True),
    Column("entry_id", String(64), primary_key=True),  # caller channel Uniqueid = queue_log callid
    Column("queue", String(64), primary_key=True),
    Column("call_id", String(64), nullable=False),  # Linkedid
    Column("entered_at", DateTime(timezone=True), nullable=False, index=True),
    Column("outcome", String(16), nullable=False),  # waiting | answered | abandoned | callback | exited
    Column("hold_seconds", Integer),  # Asterisk's own integer HoldTime / queue_log waittime
    Column("left_at", DateTime(timezone=True)),  # QueueCallerLeave seen, outcome not yet decided
    Column("ended_at", DateTime(timezone=True)),
    Column("agent", String(128)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
