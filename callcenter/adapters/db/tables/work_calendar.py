"""The admins' overrides of the work calendar (调休, extra holidays)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, String, Table, Text

from callcenter.adapters.db.tables.base import metadata

calendar_overrides = Table(
    "calendar_overrides",
    metadata,
    Column("day", Date, primary_key=True),
    Column("workday", Boolean, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
