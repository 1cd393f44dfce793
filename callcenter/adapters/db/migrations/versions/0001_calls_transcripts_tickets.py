"""calls, transcripts and draft tickets

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("call_id", sa.String(64), primary_key=True),
        sa.Column("server", sa.String(64), nullable=False),
        sa.Column("caller_number", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(128), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(24), nullable=False),
        sa.Column("queue", sa.String(64)),
        sa.Column("agent", sa.String(128)),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True)),
        sa.Column("connected_at", sa.DateTime(timezone=True)),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("answer_delay", sa.Float),
        sa.Column("wait_seconds", sa.Float),
        sa.Column("hangup_cause", sa.String(64)),
        sa.Column("recording_caller", sa.Text),
        sa.Column("recording_agent", sa.Text),
        sa.Column("recording_mixed", sa.Text),
        sa.Column("recording_complete", sa.Boolean, nullable=False),
        sa.Column("transcription_queued", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("call_id", name="pk_calls"),
    )
    op.create_index("ix_calls_outcome", "calls", ["outcome"])
    op.create_index("ix_calls_arrived_at", "calls", ["arrived_at"])
    op.create_table(
        "transcripts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("engine", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("duration", sa.Float, nullable=False),
        sa.Column("segments", sa.JSON, nullable=False),
        sa.Column("error_code", sa.String(32)),
        sa.Column("error_message", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_transcripts"),
        sa.ForeignKeyConstraint(["call_id"], ["calls.call_id"], name="fk_transcripts_call_id_calls"),
        sa.UniqueConstraint("call_id", name="uq_transcripts_call_id"),
    )
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("call_id", sa.String(64)),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("caller_number", sa.String(64), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("request_text", sa.Text, nullable=False),
        sa.Column("failure_reason", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tickets"),
        sa.ForeignKeyConstraint(["call_id"], ["calls.call_id"], name="fk_tickets_call_id_calls"),
        sa.UniqueConstraint("call_id", name="uq_tickets_call_id"),
    )
    op.create_index("ix_tickets_status", "tickets", ["status"])
    op.create_index("ix_tickets_created_at", "tickets", ["created_at"])


def downgrade() -> None:
    op.drop_table("tickets")
    op.drop_table("transcripts")
    op.drop_table("calls")
