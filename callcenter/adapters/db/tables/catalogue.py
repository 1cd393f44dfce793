"""The dispatch catalogue (派单目录, migration 0002): handling units, categories, areas and routing rules."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)

from callcenter.adapters.db.tables.base import metadata

units = Table(
    "units",
    metadata,
    Column("id", String(32), primary_key=True),  # 承办单位 code
    Column("name", Text, nullable=False),
    Column("kind", String(24), nullable=False),  # street_office | department | enterprise | other
    Column("area_code", String(32)),  # the area a street office serves; NULL for city-wide departments
    Column("active", Boolean, nullable=False, default=True),
)

categories = Table(
    "categories",
    metadata,
    Column("code", String(16), primary_key=True),  # 诉求分类编码, a child's code extends its parent's
    Column("name", Text, nullable=False),
    Column("parent_code", String(16)),
    Column("request_type", String(24)),  # default 诉求类型 of the category, if any
    Column("active", Boolean, nullable=False, default=True),
)

areas = Table(
    "areas",
    metadata,
    Column("code", String(32), primary_key=True),  # 统计用区划代码 (12 digits) or a local code
    Column("name", Text, nullable=False),
    Column("level", String(16), nullable=False),  # city | district | street | community
    Column("parent_code", String(32)),
)

area_aliases = Table(
    "area_aliases",
    metadata,
    Column("alias", String(128), primary_key=True),  # a road, 小区, landmark or alternative name
    Column("area_code", String(32), ForeignKey("areas.code"), primary_key=True),
)

dispatch_rules = Table(
    "dispatch_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("category_code", String(16), nullable=False),
    Column("area_code", String(32), nullable=False),
    Column("lead_unit", String(32), ForeignKey("units.id"), nullable=False),
    Column("assisting_units", JSON, nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("updated_by", String(64), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # A deleted rule keeps its row (who deleted it, when) so that re-seeding does not bring it back.
    Column("active", Boolean, nullable=False, server_default=true()),
    UniqueConstraint("category_code", "area_code", name="uq_dispatch_rules_category_area"),
)
