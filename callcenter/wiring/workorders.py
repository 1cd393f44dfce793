"""The work-order half of the composition root (wiring/app.py builds the call half and calls this).

Tests build the same parts through ``build_work_orders`` so that what they exercise is what runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from pathlib import Path

from aiohttp import web
from argon2 import PasswordHasher
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.attachments.disk import DiskBlobStore
from callcenter.adapters.attachments.sql import SqlAttachmentIndex
from callcenter.adapters.db.calendar import SqlCalendarOverrides
from callcenter.adapters.db.catalogue import SEED_PACKAGE, SqlCatalogueStore, load_seed
from callcenter.adapters.db.knowledge import SqlKnowledgeStore, load_knowledge_seed
from callcenter.adapters.db.matters import SqlMatterIndex
from callcenter.adapters.db.staff import DEFAULT_HASH_SLOTS, SqlStaffDirectory
from callcenter.adapters.db.supervision import SqlDeadlineAlerts, SqlSupervisionStore
from callcenter.adapters.db.workorder_queries import SqlWorkOrderQueries
from callcenter.adapters.db.workorders import SqlUnitDirectory, SqlWorkOrderStore
from callcenter.adapters.http.admin import admin_routes
from callcenter.adapters.http.app import RouteHook
from callcenter.adapters.http.attachments import add_attachment_routes
from callcenter.adapters.http.catalogue import catalogue_routes
from callcenter.adapters.http.inbox import InboxFeed, InboxSettings, add_inbox_routes
from callcenter.adapters.http.knowledge import knowledge_routes
from callcenter.adapters.http.matters import matter_routes
from callcenter.adapters.http.orderjson import DRAFT_ADVISOR
from callcenter.adapters.http.supervision import supervision_routes
from callcenter.core.clock import Clock
from callcenter.core.workcalendar import WorkCalendar
from callcenter.ticketing.attachments.service import Attachments
from callcenter.ticketing.catalogue.service import DispatchCatalogue
from callcenter.ticketing.matters.answers import MatterAnswers
from callcenter.ticketing.matters.merging import MatterLinker
from callcenter.ticketing.orders.attachments import AttachmentLimits
from callcenter.ticketing.orders.classify import CurrentCatalogue
from callcenter.ticketing.orders.ports import InboxNotifier
from callcenter.ticketing.orders.service import Rules, WorkOrders
from callcenter.ticketing.suggestions.assistant import DraftAdvisor
from callcenter.ticketing.suggestions.extract_category import CategoryLexicon
from callcenter.ticketing.suggestions.knowledge import CurrentKnowledge
from callcenter.ticketing.supervision.alerts import DeadlineSweeper, DeadlineWatch
from callcenter.ticketing.supervision.service import Supervisions

CATEGORY_KEYWORDS = "category_keywords.csv"  # hotline terms per category, beside the catalogue seed


@dataclass(frozen=True, slots=True)
class WorkOrderParts:
    store: SqlWorkOrderStore
    queries: SqlWorkOrderQueries
    orders: WorkOrders
    staff: SqlStaffDirectory
    catalogue: CurrentCatalogue
    catalogue_store: SqlCatalogueStore
    dispatch_catalogue: DispatchCatalogue  # the route suggestion and the admin's edits
    calendar: SqlCalendarOverrides
    supervision_store: SqlSupervisionStore
    supervisions: Supervisions  # 督办: open, close, list
    alerts: SqlDeadlineAlerts
    sweeper: DeadlineSweeper
    deadlines: DeadlineWatch
    matters: SqlMatterIndex
    answers: MatterAnswers  # 并单 handled once: one reply for the matter, a 重办 reopens it all
    attachments: Attachments
    knowledge: CurrentKnowledge  # 知识库 in force, swapped on an admin's edit
    knowledge_store: SqlKnowledgeStore
    advisor: DraftAdvisor  # a draft's suggestions: category, place, knowledge answers


def build_work_orders(
    engine: AsyncEngine,
    notifier: InboxNotifier,
    clock: Clock,
    attachments_dir: Path,
    attachment_limits: AttachmentLimits | None = None,
    hasher: PasswordHasher | None = None,
    rules: Rules | None = None,
    hash_slots: int = DEFAULT_HASH_SLOTS,
    asr_correction: bool = True,
) -> WorkOrderParts:
    store = SqlWorkOrderStore(engine)
    catalogue = CurrentCatalogue()
    catalogue_store = SqlCatalogueStore(engine)
    knowledge = CurrentKnowledge()
    supervision_store = SqlSupervisionStore(engine)
    matters = SqlMatterIndex(engine)
    linker = MatterLinker(matters, supervision_store, clock)
    units = SqlUnitDirectory(engine)
    calendar = WorkCalendar.published()
    orders = WorkOrders(store, units, notifier, clock, calendar, catalogue, rules, linker=linker)
    answers = MatterAnswers(orders, matters)
    orders.follow(answers)
    alerts = SqlDeadlineAlerts(engine)
    sweeper = DeadlineSweeper(alerts)
    attachments = Attachments(
        orders,
        SqlAttachmentIndex(engine),
        DiskBlobStore(attachments_dir),
        clock,
        attachment_limits or AttachmentLimits(),
    )
    return WorkOrderParts(
        store=store,
        queries=SqlWorkOrderQueries(engine),
        orders=orders,
        staff=SqlStaffDirectory(engine, hasher, hash_slots),
        catalogue=catalogue,
        catalogue_store=catalogue_store,
        dispatch_catalogue=DispatchCatalogue(catalogue_store, catalogue, clock),
        calendar=SqlCalendarOverrides(engine),
        supervision_store=supervision_store,
        supervisions=Supervisions(supervision_store, orders, clock),
        alerts=alerts,
        sweeper=sweeper,
        deadlines=DeadlineWatch(sweeper, store, notifier, clock),
        matters=matters,
        answers=answers,
        attachments=attachments,
        knowledge=knowledge,
        knowledge_store=SqlKnowledgeStore(engine),
        advisor=DraftAdvisor(catalogue, load_category_lexicon(), knowledge, correction=asr_correction),
    )


def load_category_lexicon(package: str = SEED_PACKAGE) -> CategoryLexicon:
    """The category keywords shipped with the catalogue seed (a city edits the file with its seed)."""
    return CategoryLexicon.parse(files(package).joinpath(CATEGORY_KEYWORDS).read_text("utf-8"))


async def load_state(parts: WorkOrderParts) -> None:
    """What the service keeps in memory: the calendar with its overrides, the dispatch catalogue and the
    knowledge base."""
    parts.orders.use_calendar(await parts.calendar.calendar())
    parts.catalogue.use(await parts.catalogue_store.load())
    parts.knowledge.use(await parts.knowledge_store.load())


def work_order_routes(parts: WorkOrderParts) -> tuple[RouteHook, ...]:
    """Administration, supervision, catalogue and 并单 routes (the work-order API itself is in WebDeps)."""
    return (
        admin_routes(parts.staff, parts.calendar, parts.orders),
        supervision_routes(parts.supervisions, parts.alerts),
        catalogue_routes(parts.catalogue, parts.dispatch_catalogue),
        matter_routes(parts.matters, parts.answers),
        draft_advice_routes(parts.advisor),
        knowledge_routes(parts.knowledge, parts.knowledge_store, parts.catalogue),
    )


def draft_advice_routes(advisor: DraftAdvisor) -> RouteHook:
    def hook(app: web.Application) -> None:
        app[DRAFT_ADVISOR] = advisor

    return hook


def attachment_routes(parts: WorkOrderParts) -> RouteHook:
    return lambda app: add_attachment_routes(app, parts.attachments)


def inbox_routes(feed: InboxFeed, settings: InboxSettings | None = None) -> RouteHook:
    return lambda app: add_inbox_routes(app, feed, settings)


async def seed_sample_city(parts: WorkOrderParts, at: datetime) -> Mapping[str, int]:
    """The sample city's catalogue (categories, gazetteer, units, rules); idempotent, never overwrites
    an admin's edits (ADR 0009). For a first run and the demo; a real city loads its own."""
    counts = await parts.catalogue_store.seed(load_seed(), at)
    await seed_knowledge(parts, at)
    return counts


async def seed_knowledge(parts: WorkOrderParts, at: datetime) -> int:
    """The sample knowledge base (generic answers on social insurance, housing fund, permits, utilities
    …): inserts articles never stored, never overwrites or revives an admin's edit; then reloads."""
    added = await parts.knowledge_store.seed(load_knowledge_seed(at))
    await load_state(parts)
    return added
