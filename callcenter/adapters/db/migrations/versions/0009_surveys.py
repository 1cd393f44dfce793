"""automated 回访 (issue 14): surveys per order and reply round, their calls, the campaign's switches and
the citizens who declined callbacks (docs/surveys.md)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("ticket_id", sa.Integer(), sa.ForeignKey("tickets.id"), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(24), nullable=False),
        sa.Column("unit_id", sa.String(32)),
        sa.Column("concluded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.String(24)),
        sa.Column("note", sa.String(32), nullable=False, server_default=""),
        sa.Column("prompt", sa.Text(), nullable=False, server_default=""),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.UniqueConstraint("ticket_id", "round", name="uq_surveys_ticket_round"),
    )
    op.create_index("ix_surveys_state_next", "surveys", ["state", "next_attempt_at"])
    op.create_index("ix_surveys_concluded_at", "surveys", ["concluded_at"])
    op.create_index("ix_surveys_updated_at", "surveys", ["updated_at"])
    op.create_table(
        "survey_attempts",
        sa.Column("survey_id", sa.Integer(), sa.ForeignKey("surveys.id"), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("server", sa.String(64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", sa.String(24)),
        sa.Column("dtmf", sa.String(32), nullable=False, server_default=""),
        sa.Column("words", sa.Text(), nullable=False, server_default=""),
        sa.Column("recording", sa.Text(), nullable=False, server_default=""),
        sa.Column("reason", sa.Text(), nullable=False, server_default=""),
        sa.Column("applied", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("survey_id", "attempt", name="pk_survey_attempts"),
        sa.UniqueConstraint("channel_id", name="uq_survey_attempts_channel_id"),
    )
    op.create_index("ix_survey_attempts_started_at", "survey_attempts", ["started_at"])
    op.create_table(
        "survey_campaign",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("channels", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False, server_default=""),
        sa.Column("updated_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "survey_declines",
        sa.Column("number", sa.String(64), primary_key=True),
        sa.Column("declined_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("survey_declines")
    op.drop_table("survey_campaign")
    op.drop_index("ix_survey_attempts_started_at", table_name="survey_attempts")
    op.drop_table("survey_attempts")
    op.drop_index("ix_surveys_updated_at", table_name="surveys")
    op.drop_index("ix_surveys_concluded_at", table_name="surveys")
    op.drop_index("ix_surveys_state_next", table_name="surveys")
    op.drop_table("surveys")
