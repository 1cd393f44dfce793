"""The dispatch catalogue (派单目录) in SQLite and PostgreSQL: seeding, loading, admin edits (the feature's
``DispatchCatalogue`` over the SQL store), refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.catalogue import SqlCatalogueStore, load_seed
from callcenter.adapters.db.tables import dispatch_rules
from callcenter.core.actors import StaffId, UnitId
from callcenter.core.clock import FixedClock
from callcenter.core.errors import DomainError
from callcenter.ticketing.catalogue.categories import CategoryCode, UnknownCategory
from callcenter.ticketing.catalogue.dispatch import Route, Unclear, UnclearReason, route, suggest
from callcenter.ticketing.catalogue.gazetteer import AreaCode, InvalidAlias, UnknownArea
from callcenter.ticketing.catalogue.model import (
    Catalogue,
    DispatchRule,
    HandlingUnit,
    InactiveUnit,
    InvalidRule,
    InvalidUnit,
    UnitKind,
    UnknownRule,
    UnknownUnit,
)
from callcenter.ticketing.catalogue.seed import SeedData
from callcenter.ticketing.catalogue.service import DispatchCatalogue
from callcenter.ticketing.orders.classify import CurrentCatalogue

AT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
LATER = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
ADMIN1, ADMIN2 = StaffId("admin1"), StaffId("admin2")
SEED = load_seed()
CITY = "110100000000"
JINGSHAN, JIAODAOKOU = "110101002000", "110101003000"  # 景山街道, 交道口街道


def rule(category: str, area: str, lead: str, *assisting: str, note: str = "") -> DispatchRule:
    return DispatchRule(
        CategoryCode(category), AreaCode(area), UnitId(lead), tuple(UnitId(a) for a in assisting), note
    )


def edits(store: SqlCatalogueStore) -> DispatchCatalogue:
    """The admin's edits as the service makes them, at ``LATER``."""
    return DispatchCatalogue(store, CurrentCatalogue(), FixedClock(LATER))


@pytest.fixture
async def store(engine: AsyncEngine) -> SqlCatalogueStore:
    catalogue_store = SqlCatalogueStore(engine)
    await catalogue_store.seed(SEED, AT)
    return catalogue_store


async def test_an_empty_database_loads_an_empty_catalogue(engine: AsyncEngine) -> None:
    empty = await SqlCatalogueStore(engine).load()
    assert len(empty.categories) == 0 and len(empty.gazetteer) == 0 and not empty.rules


async def test_seeding_twice_changes_nothing_and_loads_back_what_was_seeded(engine: AsyncEngine) -> None:
    store = SqlCatalogueStore(engine)
    first = await store.seed(SEED, AT)
    assert first == {
        "categories": len(SEED.categories),
        "areas": len(SEED.areas),
        "aliases": len(SEED.aliases),
        "units": len(SEED.units),
        "rules": len(SEED.rules),
    }
    loaded = await store.load()
    assert loaded == SEED.catalogue()
    assert await store.seed(SEED, LATER) == dict.fromkeys(first, 0)
    assert await store.load() == loaded
    async with engine.connect() as conn:
        stamps = set(
            (await conn.execute(select(dispatch_rules.c.updated_by, dispatch_rules.c.updated_at))).all()
        )
    assert {by for by, _ in stamps} == {"seed"}
    assert {at.replace(tzinfo=at.tzinfo or UTC) for _, at in stamps} == {AT}


async def test_reseeding_keeps_admin_edits_and_deletions(store: SqlCatalogueStore) -> None:
    await edits(store).put_rule(rule("0101", JINGSHAN, "bj-cgw", "jd-110101002", note="改由市城管委"), ADMIN1)
    await edits(store).delete_rule("1003", JIAODAOKOU, ADMIN1)
    await edits(store).put_unit(HandlingUnit(UnitId("bj-heat"), "北京热力", UnitKind.ENTERPRISE))
    edited = await store.load()
    assert await store.seed(SEED, LATER) == dict.fromkeys(
        ("categories", "areas", "aliases", "units", "rules"), 0
    )
    assert await store.load() == edited
    assert edited.rule("0101", JINGSHAN) == rule(
        "0101", JINGSHAN, "bj-cgw", "jd-110101002", note="改由市城管委"
    )
    assert edited.rule("1003", JIAODAOKOU) is None
    assert edited.unit("bj-heat").name == "北京热力"


async def test_a_seed_adds_what_is_new_in_it(store: SqlCatalogueStore) -> None:
    newer = replace(
        SEED,
        units=(*SEED.units, HandlingUnit(UnitId("bj-wlj"), "北京市文化和旅游局", UnitKind.DEPARTMENT)),
        rules=(*SEED.rules, rule("0105", JINGSHAN, "bj-wlj", note="景山公园")),
    )
    counts = await store.seed(newer, LATER)
    assert counts == {"categories": 0, "areas": 0, "aliases": 0, "units": 1, "rules": 1}
    assert route(await store.load(), "010502", JINGSHAN).rule.note == "景山公园"  # type: ignore[union-attr]


async def test_an_inconsistent_seed_writes_nothing(engine: AsyncEngine) -> None:
    store = SqlCatalogueStore(engine)
    broken = replace(SEED, rules=(*SEED.rules, rule("0105", JINGSHAN, "nobody")))
    with pytest.raises(UnknownUnit):
        await store.seed(broken, AT)
    assert await store.load() == Catalogue.build()
    await store.seed(SEED, AT)
    with pytest.raises(UnknownUnit):  # checked against what is stored, too
        await store.seed(SeedData((), (), (), (), (rule("0105", JINGSHAN, "nobody"),)), AT)


async def test_rule_edits_round_trip(store: SqlCatalogueStore) -> None:
    changed = await edits(store).put_rule(
        rule("010301", JINGSHAN, "bj-zjw", "jd-110101002"), StaffId("admin1")
    )
    assert changed == await store.load()
    found = route(changed, "010301", JINGSHAN)
    assert isinstance(found, Route) and [u.id for u in found.units] == ["bj-zjw", "jd-110101002"]
    replaced = await edits(store).put_rule(rule("010301", JINGSHAN, "jd-110101002"), ADMIN2)
    assert replaced.rule("010301", JINGSHAN) == rule("010301", JINGSHAN, "jd-110101002")
    removed = await edits(store).delete_rule("010301", JINGSHAN, ADMIN2)
    assert removed == await store.load() and removed.rule("010301", JINGSHAN) is None
    restored = await edits(store).put_rule(rule("010301", JINGSHAN, "bj-zjw"), ADMIN1)  # undeletes
    assert (await store.load()).rule("010301", JINGSHAN) == restored.rule("010301", JINGSHAN)


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (rule("0199", JINGSHAN, "bj-zjw"), UnknownCategory),
        (rule("0101", "110101099000", "bj-zjw"), UnknownArea),
        (rule("0101", JINGSHAN, "nobody"), UnknownUnit),
        (rule("0101", JINGSHAN, "bj-zjw", "bj-zjw"), InvalidRule),
        (rule("0101", JINGSHAN, "retired"), InactiveUnit),
    ],
)
async def test_a_bad_rule_edit_is_refused_and_nothing_stored_changes(
    store: SqlCatalogueStore, edit: DispatchRule, error: type[DomainError]
) -> None:
    await edits(store).put_unit(HandlingUnit(UnitId("retired"), "撤销的单位", UnitKind.OTHER, active=False))
    before = await store.load()
    with pytest.raises(error):
        await edits(store).put_rule(edit, ADMIN1)
    assert await store.load() == before


async def test_other_bad_edits_are_refused_and_nothing_stored_changes(store: SqlCatalogueStore) -> None:
    before = await store.load()
    with pytest.raises(UnknownRule):
        await edits(store).delete_rule("0199", JINGSHAN, ADMIN1)
    with pytest.raises(UnknownArea):
        await edits(store).add_alias("景山公园", "110101099000")
    with pytest.raises(InvalidAlias):
        await edits(store).add_alias("景", JINGSHAN)
    with pytest.raises(InvalidUnit):
        await edits(store).put_unit(
            HandlingUnit(UnitId("jd-x"), "某街道办事处", UnitKind.STREET_OFFICE, AreaCode(CITY))
        )
    with pytest.raises(UnknownArea):
        await edits(store).put_unit(
            HandlingUnit(UnitId("d-x"), "某局", UnitKind.DEPARTMENT, AreaCode("110101099000"))
        )
    assert await store.load() == before


async def test_an_added_alias_resolves_and_adding_it_again_changes_nothing(store: SqlCatalogueStore) -> None:
    before = await store.load()
    assert suggest(before, "北大红楼南门", "010101").resolution.area is None
    added = await edits(store).add_alias(" 北大红楼 ", JINGSHAN)
    assert added == await store.load()
    assert suggest(added, "北大红楼南门", "010101").outcome == route(added, "010101", JINGSHAN)
    assert await edits(store).add_alias("北大红楼", JINGSHAN) == added


async def test_a_deactivated_unit_sends_its_orders_to_the_dispatcher(store: SqlCatalogueStore) -> None:
    office = (await store.load()).unit("jd-110101002")
    retired = await edits(store).put_unit(replace(office, active=False))
    found = route(retired, "010101", JINGSHAN)
    assert isinstance(found, Unclear) and found.reason is UnclearReason.UNIT_INACTIVE
    assert (await store.load()).unit("jd-110101002").active is False
