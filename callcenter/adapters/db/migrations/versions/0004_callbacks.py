"""missed-call callbacks (漏接回拨, 国办函〔2025〕66号): one open request per citizen's number, the missed
entries that led to it and every dialling attempt with its outcome (docs/callbacks.md)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OPEN_SQL = sa.text("state IN ('pending', 'dialing', 'answered', 'retry_wait')")


def upgrade() -> None:
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("citizen_number", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),  # abandoned | requested
        sa.Column("server", sa.String(64), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("source_entry_id", sa.String(64), nullable=False),
        sa.Column("source_call_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),  # a dialling claim expires here
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("last_missed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(24)),
        sa.Column("agent", sa.String(128)),
        sa.Column("closed_by", sa.String(64)),
        sa.Column("close_reason", sa.String(32)),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_callbacks_state_next", "callbacks", ["state", "next_attempt_at"])
    op.create_index("ix_callbacks_created_at", "callbacks", ["created_at"])
    op.create_index(
        "uq_callbacks_open_number",
        "callbacks",
        ["citizen_number"],
        unique=True,
        postgresql_where=OPEN_SQL,
        sqlite_where=OPEN_SQL,
    )
    op.create_table(
        "callback_sources",
        sa.Column("server", sa.String(64), nullable=False),
        sa.Column("entry_id", sa.String(64), nullable=False),  # the missed queue entry (Uniqueid)
        sa.Column("callback_id", sa.Integer(), sa.ForeignKey("callbacks.id"), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("server", "entry_id", name="pk_callback_sources"),
    )
    op.create_index("ix_callback_sources_callback_id", "callback_sources", ["callback_id"])
    op.create_table(
        "callback_attempts",
        sa.Column("callback_id", sa.Integer(), sa.ForeignKey("callbacks.id"), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),  # Originate ChannelId = queue entry id
        sa.Column("server", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.String(24)),
        sa.Column("reason_code", sa.Integer()),  # OriginateResponse Reason
        sa.Column("agent", sa.String(128)),
        sa.PrimaryKeyConstraint("callback_id", "attempt", name="pk_callback_attempts"),
        sa.UniqueConstraint("channel_id", name="uq_callback_attempts_channel_id"),
    )


def downgrade() -> None:
    op.drop_table("callback_attempts")
    op.drop_index("ix_callback_sources_callback_id", table_name="callback_sources")
    op.drop_table("callback_sources")
    op.drop_index("uq_callbacks_open_number", table_name="callbacks")
    op.drop_index("ix_callbacks_created_at", table_name="callbacks")
    op.drop_index("ix_callbacks_state_next", table_name="callbacks")
    op.drop_table("callbacks")
