"""Work orders (工单, issue 4, migration 0002): the order, its units (主办/协办), its audit trail and its
attachments. ``status`` and ``version`` are written from the life-cycle record only (repositories.py)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)

from callcenter.adapters.db.tables.base import metadata

OPEN_SQL = text("status IN ('dispatched', 'acknowledged', 'in_progress')")
PENDING_SQL = text("extension_pending")

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
    # Work order (issue 4, migration 0002): who the citizen is, what and where the matter is, who handles it.
    Column("source", String(16), nullable=False, server_default="call"),  # call | manual
    Column("citizen_name", Text, nullable=False, server_default=""),
    Column("citizen_phone", String(64), nullable=False, server_default=""),
    Column("confidential", Boolean, nullable=False, server_default=false()),  # 保密
    Column("category_code", String(16)),  # 诉求分类
    Column("area_code", String(32)),  # resolved from the address by the gazetteer
    Column("address", Text, nullable=False, server_default=""),
    Column("urgency", String(16), nullable=False, server_default="normal"),
    Column("request_type", String(24)),
    Column("lead_unit", String(32), ForeignKey("units.id")),  # 主办; assistants in ticket_units
    Column("resolution", Text, nullable=False, server_default=""),
    Column("history", JSON),  # replies, contributions, returns, extensions, callbacks, annotations
    Column("registered_at", DateTime(timezone=True)),
    Column("dispatched_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("due_at", DateTime(timezone=True)),
    Column("deadline_provisional", Boolean, nullable=False, server_default=false()),
    Column("warn_at", DateTime(timezone=True)),  # 黄牌
    Column("contact_due_at", DateTime(timezone=True)),
    Column("extension_pending", Boolean, nullable=False, server_default=false()),  # supervisor's inbox
    Column("matter_id", Integer, index=True),  # 并单 (matters.id; no FK: matters refers back to tickets)
    # Issue 11 (migration 0006): the agent's summary for units of a confidential order (对单位摘要), and the
    # text units read (summary + request, masked or redacted: views.unit_content), which their search uses.
    Column("unit_summary", Text, nullable=False, server_default=""),
    Column("unit_text", Text, nullable=False, server_default=""),
    Index("ix_tickets_lead_unit_status", "lead_unit", "status"),
    Index("ix_tickets_status_due_at", "status", "due_at"),
    Index("ix_tickets_area_created", "area_code", "created_at"),
    Index("ix_tickets_caller_number", "caller_number"),
    # Orders still with a unit, by deadline: units' inboxes, the deadline watch (bench/order_queries.py)
    Index("ix_tickets_open_due", "due_at", "id", postgresql_where=OPEN_SQL, sqlite_where=OPEN_SQL),
    Index(
        "ix_tickets_extension_pending", "id", postgresql_where=PENDING_SQL, sqlite_where=PENDING_SQL
    ),  # the supervisor's inbox
)

ticket_units = Table(
    "ticket_units",
    metadata,
    Column("ticket_id", Integer, ForeignKey("tickets.id"), primary_key=True),
    Column("unit_id", String(32), ForeignKey("units.id"), primary_key=True),
    Column("role", String(8), nullable=False),  # lead (主办) | assist (协办)
    Index("ix_ticket_units_unit", "unit_id", "ticket_id"),
)

ticket_events = Table(
    "ticket_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False),
    Column("version", Integer, nullable=False),  # the ticket's version after the transition
    Column("action", String(32), nullable=False),
    Column("actor_id", String(64), nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("actor_unit", String(32)),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("from_status", String(24), nullable=False),
    Column("to_status", String(24), nullable=False),
    Column("details", JSON, nullable=False),
    UniqueConstraint("ticket_id", "version", name="uq_ticket_events_ticket_version"),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("uploaded_by", String(64), nullable=False),
    Column("unit_id", String(32)),
    Column("filename", Text, nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("storage_path", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
