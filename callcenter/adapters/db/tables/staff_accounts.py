"""Staff accounts and their login sessions."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, String, Table, Text, false

from callcenter.adapters.db.tables.base import metadata

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
