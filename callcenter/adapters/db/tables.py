"""Relational schema (SQLAlchemy Core). Alembic migrations in migrations/ create and evolve it.

Times are stored in UTC. Rows map to the domain's frozen dataclasses in repositories.py; the domain
never sees a row object.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

OPEN_SQL = text("status IN ('dispatched', 'acknowledged', 'in_progress')")
PENDING_SQL = text("extension_pending")

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

# --- Issue 4: work orders (工单), migration 0002 -------------------------------------------------------

units = Table(
    "units",
    metadata,
    Column("id", String(32), primary_key=True),  # 承办单位 code
    Column("name", Text, nullable=False),
    Column("kind", String(24), nullable=False),  # street_office | department | enterprise | other
    Column("area_code", String(32)),  # the area a street office serves; NULL for city-wide departments
    Column("active", Boolean, nullable=False, default=True),
)

staff = Table(
    "staff",
    metadata,
    Column("id", String(64), primary_key=True),  # login
    Column("display_name", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("unit_id", String(32), ForeignKey("units.id")),  # unit staff only
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # set by an admin's reset or a login whose password fails today's rule; cleared by the member's change
    Column("must_change_password", Boolean, nullable=False, default=False, server_default=false()),
)

sessions = Table(
    "sessions",
    metadata,
    Column(
        "token_hash", String(64), primary_key=True
    ),  # sha256 of the cookie value; the token is never stored
    Column("staff_id", String(64), ForeignKey("staff.id"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
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

calendar_overrides = Table(
    "calendar_overrides",
    metadata,
    Column("day", Date, primary_key=True),
    Column("workday", Boolean, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

categories = Table(
    "categories",
    metadata,
    Column("code", String(16), primary_key=True),  # 诉求分类编码, a child's code extends its parent's
    Column("name", Text, nullable=False),
    Column("parent_code", String(16)),
    Column("request_type", String(24)),  # default 诉求类型 of the category, if any
    Column("active", Boolean, nullable=False, default=True),
)

areas = Table(
    "areas",
    metadata,
    Column("code", String(32), primary_key=True),  # 统计用区划代码 (12 digits) or a local code
    Column("name", Text, nullable=False),
    Column("level", String(16), nullable=False),  # city | district | street | community
    Column("parent_code", String(32)),
)

area_aliases = Table(
    "area_aliases",
    metadata,
    Column("alias", String(128), primary_key=True),  # a road, 小区, landmark or alternative name
    Column("area_code", String(32), ForeignKey("areas.code"), primary_key=True),
)

dispatch_rules = Table(
    "dispatch_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("category_code", String(16), nullable=False),
    Column("area_code", String(32), nullable=False),
    Column("lead_unit", String(32), ForeignKey("units.id"), nullable=False),
    Column("assisting_units", JSON, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # A deleted rule keeps its row (who deleted it, when) so that re-seeding does not bring it back.
    Column("active", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("category_code", "area_code", name="uq_dispatch_rules_category_area"),
)

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

# --- Issue 5: queue entries (排队记录) behind the 15-second service level, migration 0003 ---------------

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

# --- Issue 5: missed-call call-backs (漏接回拨), migration 0004 (docs/missed-calls.md) ---
# The tables keep their first names (callbacks, callback_sources, callback_attempts); renaming them needs a
# migration (docs/missed-calls.md, "Names").

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

# --- Issue 6: the knowledge base (知识库), migration 0005 (docs/knowledge.md) ---

knowledge_articles = Table(
    "knowledge_articles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("title", String(100), nullable=False),
    Column("keywords", JSON, nullable=False),  # question phrases and keywords citizens use
    Column("answer", Text, nullable=False),
    Column("category_code", String(16)),  # the 诉求分类 it answers, if any
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("version", Integer, nullable=False),  # optimistic concurrency: every edit bumps it
    # A deleted article keeps its row (who deleted it, when) so that re-seeding does not bring it back.
    Column("active", Boolean, nullable=False, server_default=true()),
)
