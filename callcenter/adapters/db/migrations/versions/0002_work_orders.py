"""work orders: life cycle, units, staff and sessions, audit trail, attachments, calendar overrides,
dispatch catalogue, duplicate matters (并单), supervision (督办), deadline alerts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

NEW_TABLES = (
    "deadline_alerts",
    "supervisions",
    "matters",
    "dispatch_rules",
    "area_aliases",
    "areas",
    "categories",
    "calendar_overrides",
    "attachments",
    "ticket_events",
    "ticket_units",
    "sessions",
    "staff",
    "units",
)  # in drop order


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("area_code", sa.String(32)),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("unit_id", sa.String(32), sa.ForeignKey("units.id")),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("staff_id", sa.String(64), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sessions_staff_id", "sessions", ["staff_id"])
    op.create_table(
        "ticket_units",
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), primary_key=True),
        sa.Column("unit_id", sa.String(32), sa.ForeignKey("units.id"), primary_key=True),
        sa.Column("role", sa.String(8), nullable=False),
    )
    op.create_index("ix_ticket_units_unit", "ticket_units", ["unit_id", "ticket_id"])
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("actor_role", sa.String(16), nullable=False),
        sa.Column("actor_unit", sa.String(32)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_status", sa.String(24), nullable=False),
        sa.Column("to_status", sa.String(24), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.UniqueConstraint("ticket_id", "version", name="uq_ticket_events_ticket_version"),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.Column("unit_id", sa.String(32)),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_path", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_attachments_ticket_id", "attachments", ["ticket_id"])
    op.create_table(
        "calendar_overrides",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("workday", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "categories",
        sa.Column("code", sa.String(16), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.String(16)),
        sa.Column("request_type", sa.String(24)),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "areas",
        sa.Column("code", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("parent_code", sa.String(32)),
    )
    op.create_table(
        "area_aliases",
        sa.Column("alias", sa.String(128), primary_key=True),
        sa.Column("area_code", sa.String(32), sa.ForeignKey("areas.code"), primary_key=True),
    )
    op.create_table(
        "dispatch_rules",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("category_code", sa.String(16), nullable=False),
        sa.Column("area_code", sa.String(32), nullable=False),
        sa.Column("lead_unit", sa.String(32), sa.ForeignKey("units.id"), nullable=False),
        sa.Column("assisting_units", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.UniqueConstraint("category_code", "area_code", name="uq_dispatch_rules_category_area"),
    )
    op.create_table(
        "matters",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("area_code", sa.String(32)),
        sa.Column("category_code", sa.String(16)),
        sa.Column("first_ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ticket_count", sa.Integer(), nullable=False),
        sa.Column("caller_count", sa.Integer(), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("history", sa.JSON()),
    )
    op.create_table(
        "supervisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id")),
        sa.Column("matter_id", sa.Integer(), sa.ForeignKey("matters.id")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("trigger", sa.String(24), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("opened_by", sa.String(64), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(64)),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("closing_note", sa.Text()),
    )
    op.create_index("ix_supervisions_ticket_id", "supervisions", ["ticket_id"])
    op.create_index("ix_supervisions_status", "supervisions", ["status"])
    op.create_index("ix_supervisions_matter_id", "supervisions", ["matter_id"])
    op.create_table(
        "deadline_alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("ticket_id", "kind", "due_at", name="uq_deadline_alerts_ticket_kind_due"),
    )
    add_work_order_columns()


def add_work_order_columns() -> None:
    false = sa.false()
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("source", sa.String(16), nullable=False, server_default="call"))
        batch.add_column(sa.Column("citizen_name", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("citizen_phone", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("confidential", sa.Boolean(), nullable=False, server_default=false))
        batch.add_column(sa.Column("category_code", sa.String(16)))
        batch.add_column(sa.Column("area_code", sa.String(32)))
        batch.add_column(sa.Column("address", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("urgency", sa.String(16), nullable=False, server_default="normal"))
        batch.add_column(sa.Column("request_type", sa.String(24)))
        batch.add_column(sa.Column("lead_unit", sa.String(32)))
        batch.add_column(sa.Column("resolution", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("history", sa.JSON()))
        batch.add_column(sa.Column("registered_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("dispatched_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("due_at", sa.DateTime(timezone=True)))
        batch.add_column(
            sa.Column("deadline_provisional", sa.Boolean(), nullable=False, server_default=false)
        )
        batch.add_column(sa.Column("warn_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("contact_due_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("extension_pending", sa.Boolean(), nullable=False, server_default=false))
        batch.add_column(sa.Column("matter_id", sa.Integer()))
        batch.create_foreign_key("fk_tickets_lead_unit_units", "units", ["lead_unit"], ["id"])
        batch.create_index("ix_tickets_matter_id", ["matter_id"])
        batch.create_index("ix_tickets_lead_unit_status", ["lead_unit", "status"])
        batch.create_index("ix_tickets_status_due_at", ["status", "due_at"])
        batch.create_index("ix_tickets_area_created", ["area_code", "created_at"])
        batch.create_index("ix_tickets_caller_number", ["caller_number"])
    open_sql = sa.text("status IN ('dispatched', 'acknowledged', 'in_progress')")
    op.create_index(
        "ix_tickets_open_due", "tickets", ["due_at", "id"], postgresql_where=open_sql, sqlite_where=open_sql
    )
    pending = sa.text("extension_pending")
    op.create_index(
        "ix_tickets_extension_pending", "tickets", ["id"], postgresql_where=pending, sqlite_where=pending
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_extension_pending", "tickets")
    op.drop_index("ix_tickets_open_due", "tickets")
    with op.batch_alter_table("tickets") as batch:
        for index in (
            "ix_tickets_caller_number",
            "ix_tickets_area_created",
            "ix_tickets_status_due_at",
            "ix_tickets_lead_unit_status",
            "ix_tickets_matter_id",
        ):
            batch.drop_index(index)
        batch.drop_constraint("fk_tickets_lead_unit_units", type_="foreignkey")
        for column in (
            "matter_id", "extension_pending", "contact_due_at", "warn_at", "deadline_provisional",
            "due_at", "closed_at", "dispatched_at", "registered_at", "history", "resolution", "lead_unit",
            "request_type",
            "urgency", "address", "area_code", "category_code", "confidential", "citizen_phone",
            "citizen_name", "source",
        ):  # fmt: skip
            batch.drop_column(column)
    for table in NEW_TABLES:
        op.drop_table(table)
