"""what handling units read (issue 11): the unit summary of a confidential order (对单位摘要) and the
masked or redacted text units read and search (docs/work-orders.md)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-15
"""

import sqlalchemy as sa
from alembic import op

from callcenter.ticketing.orders.views import unit_texts
from callcenter.ticketing.privacy.redaction import Informant

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("unit_summary", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("unit_text", sa.Text(), nullable=False, server_default=""))
    fill_unit_text(op.get_bind())


def fill_unit_text(conn: sa.Connection) -> None:
    """Orders stored before: their unit text from the rules of today, a batch at a time (drafts too:
    the text is what units would read once the order is theirs)."""
    t = sa.table(
        "tickets",
        *(sa.column(c) for c in ("id", "summary", "request_text", "confidential", "citizen_name")),
        *(sa.column(c) for c in ("citizen_phone", "caller_number", "unit_text")),
    )
    last = 0
    while True:
        rows = conn.execute(sa.select(t).where(t.c.id > last).order_by(t.c.id).limit(BATCH)).mappings().all()
        if not rows:
            return
        for r in rows:
            informant = Informant((r["citizen_name"],), (r["citizen_phone"], r["caller_number"]))
            seen = unit_texts(r["summary"], r["request_text"], bool(r["confidential"]), informant)
            text = f"{seen.summary}\n{seen.request_text}"
            conn.execute(sa.update(t).where(t.c.id == r["id"]).values(unit_text=text))
        last = rows[-1]["id"]


def downgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("unit_text")
        batch.drop_column("unit_summary")
