"""The dispatch catalogue's use cases (ADR 0009) over an in-memory fake of our own ports: an edit is decided
by the pure ``Catalogue``, written in one transaction and then put in force; a refused edit writes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from callcenter.adapters.db.catalogue import load_seed
from callcenter.core.actors import StaffId, UnitId
from callcenter.core.clock import FixedClock
from callcenter.core.errors import InvalidInput
from callcenter.ticketing.catalogue.categories import CategoryCode, UnknownCategory
from callcenter.ticketing.catalogue.dispatch import Route
from callcenter.ticketing.catalogue.gazetteer import Alias, AreaCode, InvalidAlias
from callcenter.ticketing.catalogue.model import (
    Catalogue,
    DispatchRule,
    HandlingUnit,
    RuleKey,
    UnitKind,
    UnknownRule,
)
from callcenter.ticketing.catalogue.service import MAX_ADDRESS, DispatchCatalogue
from callcenter.ticketing.errors import UnknownUnit
from callcenter.ticketing.orders.classify import CurrentCatalogue

AT = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
ADMIN = StaffId("admin1")
JINGSHAN = AreaCode("110101002000")  # 景山街道
SEEDED = load_seed().catalogue()


class InMemoryEdit:
    """``CatalogueEdit``: writes are kept apart until the transaction commits."""

    def __init__(self, stored: Catalogue) -> None:
        self._stored = stored
        self.writes: list[tuple[str, object]] = []

    async def load(self) -> Catalogue:
        return self._stored

    async def save_rule(self, rule: DispatchRule, by: str, at: datetime) -> None:
        self.writes.append(("save_rule", (rule, by, at)))

    async def retire_rule(self, key: RuleKey, by: str, at: datetime) -> None:
        self.writes.append(("retire_rule", (key, by, at)))

    async def add_alias(self, alias: Alias) -> None:
        self.writes.append(("add_alias", alias))

    async def save_unit(self, unit: HandlingUnit) -> None:
        self.writes.append(("save_unit", unit))


class InMemoryCatalogue:
    """``CatalogueRepository``: the committed writes, in order; a block that raises commits nothing."""

    def __init__(self, stored: Catalogue) -> None:
        self.stored = stored
        self.committed: list[tuple[str, object]] = []

    async def load(self) -> Catalogue:
        return self.stored

    @asynccontextmanager
    async def edit(self) -> AsyncIterator[InMemoryEdit]:
        edit = InMemoryEdit(self.stored)
        yield edit
        self.committed.extend(edit.writes)


def service() -> tuple[DispatchCatalogue, InMemoryCatalogue, CurrentCatalogue]:
    store, in_force = InMemoryCatalogue(SEEDED), CurrentCatalogue(SEEDED)
    return DispatchCatalogue(store, in_force, FixedClock(AT)), store, in_force


def rule(category: str, lead: str, *assisting: str) -> DispatchRule:
    return DispatchRule(CategoryCode(category), JINGSHAN, UnitId(lead), tuple(UnitId(a) for a in assisting))


async def test_a_rule_edit_is_written_with_who_and_when_and_put_in_force() -> None:
    catalogue, store, in_force = service()
    new = rule("010301", "bj-zjw", "jd-110101002")
    changed = await catalogue.put_rule(new, ADMIN)
    assert store.committed == [("save_rule", (new, ADMIN, AT))]
    assert in_force.current() is changed and changed.rule("010301", JINGSHAN) == new
    assert new in catalogue.rules()


async def test_a_deleted_rule_is_retired_and_leaves_the_catalogue_in_force() -> None:
    catalogue, store, in_force = service()
    some = next(iter(SEEDED.rules.values()))
    changed = await catalogue.delete_rule(some.category_code, some.area_code, ADMIN)
    assert store.committed == [("retire_rule", (some.key, ADMIN, AT))]
    assert in_force.current() is changed and changed.rule(some.category_code, some.area_code) is None


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (lambda c: c.put_rule(rule("0199", "bj-zjw"), ADMIN), UnknownCategory),
        (lambda c: c.put_rule(rule("0101", "nobody"), ADMIN), UnknownUnit),
        (lambda c: c.delete_rule("0199", JINGSHAN, ADMIN), UnknownRule),
        (lambda c: c.add_alias("景", JINGSHAN), InvalidAlias),
    ],
    ids=["unknown-category", "unknown-unit", "no-such-rule", "short-alias"],
)
async def test_a_refused_edit_writes_nothing_and_changes_nothing_in_force(edit: object, error: type) -> None:
    catalogue, store, in_force = service()
    with pytest.raises(error):
        await edit(catalogue)  # type: ignore[operator]
    assert (store.committed, in_force.current()) == ([], SEEDED)


async def test_an_alias_is_added_once() -> None:
    catalogue, store, in_force = service()
    added = await catalogue.add_alias(" 北大红楼 ", JINGSHAN)
    assert store.committed == [("add_alias", Alias("北大红楼", JINGSHAN))]
    store.stored = added
    assert await catalogue.add_alias("北大红楼", JINGSHAN) is added
    assert len(store.committed) == 1 and in_force.current() is added


async def test_a_unit_edit_is_written_and_put_in_force() -> None:
    catalogue, store, in_force = service()
    office = replace(SEEDED.unit("jd-110101002"), active=False)
    changed = await catalogue.put_unit(office)
    assert store.committed == [("save_unit", office)] and in_force.current() is changed
    heat = HandlingUnit(UnitId("bj-heat"), "北京热力", UnitKind.ENTERPRISE)
    assert (await catalogue.put_unit(heat)).unit("bj-heat") == heat


def test_a_suggestion_reads_the_catalogue_in_force() -> None:
    catalogue, _, in_force = service()
    read_from, found = catalogue.suggestion("景山街道 景山前街4号", "010101")
    assert read_from is in_force.current()
    assert isinstance(found.outcome, Route) and found.area is not None


def test_a_suggestion_refuses_an_overlong_address_and_an_unknown_category() -> None:
    catalogue, _, _ = service()
    with pytest.raises(InvalidInput):
        catalogue.suggestion("街" * (MAX_ADDRESS + 1), None)
    with pytest.raises(UnknownCategory):
        catalogue.suggestion("景山前街", "0199")
