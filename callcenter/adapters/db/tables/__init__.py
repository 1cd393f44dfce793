"""Relational schema (SQLAlchemy Core), one module per feature on one shared ``MetaData`` (``base``).
Alembic migrations in migrations/ create and evolve it.

Times are stored in UTC. Rows map to the domain's frozen dataclasses in the repositories; the domain
never sees a row object. Importing this package defines every table, so ``metadata`` is complete for
Alembic and for ``create_all``; the tables are re-exported here so that adapters import them from one place.
"""

from __future__ import annotations

from callcenter.adapters.db.tables.base import metadata
from callcenter.adapters.db.tables.call_records import calls, transcripts
from callcenter.adapters.db.tables.catalogue import area_aliases, areas, categories, dispatch_rules, units
from callcenter.adapters.db.tables.knowledge import knowledge_articles
from callcenter.adapters.db.tables.missed_calls import (
    MISSED_CALL_OPEN_SQL,
    missed_call_attempts,
    missed_call_sources,
    missed_calls,
)
from callcenter.adapters.db.tables.service_level import queue_entries
from callcenter.adapters.db.tables.staff_accounts import sessions, staff
from callcenter.adapters.db.tables.supervision import deadline_alerts, matters, supervisions
from callcenter.adapters.db.tables.surveys import (
    survey_attempts,
    survey_campaign,
    survey_declines,
    surveys,
)
from callcenter.adapters.db.tables.work_calendar import calendar_overrides
from callcenter.adapters.db.tables.work_orders import (
    OPEN_SQL,
    PENDING_SQL,
    attachments,
    ticket_events,
    ticket_units,
    tickets,
)

__all__ = [
    "MISSED_CALL_OPEN_SQL",
    "OPEN_SQL",
    "PENDING_SQL",
    "area_aliases",
    "areas",
    "attachments",
    "calendar_overrides",
    "calls",
    "categories",
    "deadline_alerts",
    "dispatch_rules",
    "knowledge_articles",
    "matters",
    "metadata",
    "missed_call_attempts",
    "missed_call_sources",
    "missed_calls",
    "queue_entries",
    "sessions",
    "staff",
    "supervisions",
    "survey_attempts",
    "survey_campaign",
    "survey_declines",
    "surveys",
    "ticket_events",
    "ticket_units",
    "tickets",
    "transcripts",
    "units",
]
