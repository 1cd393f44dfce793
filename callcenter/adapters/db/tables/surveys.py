"""Automated 回访 (issue 14, migration 0009, docs/surveys.md): one survey per order and reply round, its
calls, the campaign's live switches and the citizens who declined callbacks (拒绝回访)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from callcenter.adapters.db.tables.base import metadata

surveys = Table(
    "surveys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False),
    Column("round", Integer, nullable=False),  # the order's replies when it concluded (0: on the call)
    Column("trigger", String(24), nullable=False),  # replied | resolved_on_call
    Column("unit_id", String(32)),  # the lead unit whose reply is surveyed
    Column("concluded_at", DateTime(timezone=True), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("max_attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("lease_until", DateTime(timezone=True)),  # a placing claim expires here
    Column("outcome", String(24)),
    Column("note", String(32), nullable=False, server_default=""),
    Column("prompt", Text, nullable=False, server_default=""),
    Column("version", Integer, nullable=False),  # optimistic concurrency: every write bumps it
    UniqueConstraint("ticket_id", "round", name="uq_surveys_ticket_round"),  # one survey per round
    Index("ix_surveys_state_next", "state", "next_attempt_at"),
)

survey_attempts = Table(
    "survey_attempts",
    metadata,
    Column("survey_id", Integer, ForeignKey("surveys.id"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("channel_id", String(64), nullable=False),  # Originate ChannelId of the citizen's leg
    Column("server", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False, index=True),
    Column("ended_at", DateTime(timezone=True)),
    Column("outcome", String(24)),
    Column("dtmf", String(32), nullable=False, server_default=""),
    Column("words", Text, nullable=False, server_default=""),
    Column("recording", Text, nullable=False, server_default=""),
    Column("reason", Text, nullable=False, server_default=""),
    Column("applied", Boolean, nullable=False, server_default=false()),  # recorded on the work order
    PrimaryKeyConstraint("survey_id", "attempt", name="pk_survey_attempts"),
    UniqueConstraint("channel_id", name="uq_survey_attempts_channel_id"),
)

survey_campaign = Table(
    "survey_campaign",
    metadata,
    Column("id", Integer, primary_key=True),  # always 1: one campaign
    Column("paused", Boolean, nullable=False),
    Column("channels", Integer, nullable=False),
    Column("updated_by", String(64), nullable=False, server_default=""),
    Column("updated_at", DateTime(timezone=True)),
)

survey_declines = Table(
    "survey_declines",
    metadata,
    Column("number", String(64), primary_key=True),  # normalised digits
    Column("declined_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", String(64), nullable=False),
)
