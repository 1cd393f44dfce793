"""queue entries (排队记录): one row per caller's entry into an inbound queue, the ledger behind the
15-second service level (docs/adr/0013-service-level-definition.md)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_entries",
        sa.Column("server", sa.String(64), nullable=False),
        sa.Column("entry_id", sa.String(64), nullable=False),  # caller channel Uniqueid = queue_log callid
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),  # Linkedid
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("hold_seconds", sa.Integer()),
        sa.Column("left_at", sa.DateTime(timezone=True)),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("agent", sa.String(128)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("server", "entry_id", "queue", name="pk_queue_entries"),
    )
    op.create_index("ix_queue_entries_entered_at", "queue_entries", ["entered_at"])


def downgrade() -> None:
    op.drop_index("ix_queue_entries_entered_at", table_name="queue_entries")
    op.drop_table("queue_entries")
