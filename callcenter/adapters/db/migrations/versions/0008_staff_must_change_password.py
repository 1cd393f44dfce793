"""staff: must_change_password — set by an admin's reset or a login whose password fails today's
strength rule; the member changes it before anything else (docs/accounts.md)

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-20
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(
            sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("must_change_password")
