"""Matters (并单), supervision (督办) and the deadline alerts (黄牌/红牌) raised on work orders."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from callcenter.adapters.db.tables.base import metadata

matters = Table(
    "matters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # 并单: one matter, many callers
    Column("area_code", String(32)),
    Column("category_code", String(16)),
    Column("first_ticket_id", Integer, ForeignKey("tickets.id"), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("ticket_count", Integer, nullable=False, default=1),
    Column("caller_count", Integer, nullable=False, default=1),  # distinct citizens' numbers
    Column("escalated_at", DateTime(timezone=True)),
    Column("status", String(16), nullable=False, default="open"),  # open | dissolved (ADR 0010)
    Column("history", JSON),  # [{action: link | unlink, ticket_id, by, at, score}], the merge trail
)

supervisions = Table(
    "supervisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # 督办
    Column("ticket_id", Integer, ForeignKey("tickets.id"), index=True),
    Column("matter_id", Integer, ForeignKey("matters.id"), index=True),
    Column("kind", String(16), nullable=False),  # platform | key | special | on_site | media
    Column("trigger", String(24), nullable=False),  # manual | overdue | duplicates | return_limit
    Column("status", String(16), nullable=False, index=True),  # open | closed
    Column("note", Text, nullable=False, default=""),
    Column("due_at", DateTime(timezone=True)),
    Column("opened_by", String(64), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("closed_by", String(64)),
    Column("closed_at", DateTime(timezone=True)),
    Column("closing_note", Text),
)

deadline_alerts = Table(
    "deadline_alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # warning (黄牌) | overdue (红牌) | contact_overdue
    Column("due_at", DateTime(timezone=True), nullable=False),  # the deadline it was raised against
    Column("raised_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("ticket_id", "kind", "due_at", name="uq_deadline_alerts_ticket_kind_due"),
)
