"""who answered a call (the staff id logged in to the seat): its recording and transcript are theirs to
see, with supervisors' and admins' (least privilege, docs/desk.md "Who sees calls")

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-15

Calls answered before this revision have no ``answered_by``: only supervisors and admins see them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("answered_by", sa.String(64)))
        batch.create_index("ix_calls_answered_by_arrived_at", ["answered_by", "arrived_at"])


def downgrade() -> None:
    with op.batch_alter_table("calls") as batch:
        batch.drop_index("ix_calls_answered_by_arrived_at")
        batch.drop_column("answered_by")
