"""The knowledge base (知识库, issue 6, migration 0005, docs/knowledge.md)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, Table, Text, true

from callcenter.adapters.db.tables.base import metadata

knowledge_articles = Table(
    "knowledge_articles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("title", String(100), nullable=False),
    Column("keywords", JSON, nullable=False),  # question phrases and keywords citizens use
    Column("answer", Text, nullable=False),
    Column("category_code", String(16)),  # the 诉求分类 it answers, if any
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("version", Integer, nullable=False),  # optimistic concurrency: every edit bumps it
    # A deleted article keeps its row (who deleted it, when) so that re-seeding does not bring it back.
    Column("active", Boolean, nullable=False, server_default=true()),
)
