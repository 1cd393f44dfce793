"""The dispatch catalogue (派单目录) in SQL: categories, areas, aliases, units, dispatch rules.

An admin edit is one transaction (``SqlCatalogueStore.edit``): the feature's ``DispatchCatalogue`` loads
the catalogue through it, applies the pure edit (which validates and may refuse: the transaction then
ends writing nothing) and writes the difference through it. This module only reads and writes rows.

Seeding (docs/adr/0009-dispatch-catalogue.md) inserts what is missing and never updates: a category,
area, alias, unit or rule already stored — seeded earlier or written by an admin — is left as it is, and
a rule an admin deleted stays deleted (``dispatch_rules.active`` is false; its key counts as present).
Running the seed twice changes nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from importlib.resources import files
from typing import Any, Final

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.adapters.db.tables import area_aliases, areas, categories, dispatch_rules, units
from callcenter.core.actors import UnitId
from callcenter.ticketing.catalogue.categories import Category, CategoryCode
from callcenter.ticketing.catalogue.gazetteer import Alias, Area, AreaCode, AreaLevel
from callcenter.ticketing.catalogue.model import Catalogue, DispatchRule, HandlingUnit, RuleKey, UnitKind
from callcenter.ticketing.catalogue.seed import SEED_FILES, SeedData, parse_seed
from callcenter.ticketing.deadlines import RequestType

SEED_PACKAGE: Final = "callcenter.ticketing.catalogue.seed"
SEEDED_BY: Final = "seed"  # updated_by of a rule written by the seed


def load_seed(package: str = SEED_PACKAGE) -> SeedData:
    """The seed files shipped in ``package`` (the sample city by default), parsed."""
    folder = files(package)
    return parse_seed({name: folder.joinpath(name).read_text("utf-8") for name in SEED_FILES})


# --- rows ↔ values -----------------------------------------------------------------------------------


def _category(row: Mapping[Any, Any]) -> Category:
    request_type = RequestType(row["request_type"]) if row["request_type"] else None
    return Category(
        CategoryCode(row["code"]),
        row["name"],
        _opt(CategoryCode, row["parent_code"]),
        request_type,
        row["active"],
    )


def _area(row: Mapping[Any, Any]) -> Area:
    return Area(
        AreaCode(row["code"]), row["name"], AreaLevel(row["level"]), _opt(AreaCode, row["parent_code"])
    )


def _unit(row: Mapping[Any, Any]) -> HandlingUnit:
    area = _opt(AreaCode, row["area_code"])
    return HandlingUnit(UnitId(row["id"]), row["name"], UnitKind(row["kind"]), area, bool(row["active"]))


def _rule(row: Mapping[Any, Any]) -> DispatchRule:
    return DispatchRule(
        CategoryCode(row["category_code"]),
        AreaCode(row["area_code"]),
        UnitId(row["lead_unit"]),
        tuple(UnitId(u) for u in row["assisting_units"]),
        row["note"],
    )


def _opt(kind: Any, value: str | None) -> Any:
    return kind(value) if value else None


def category_row(category: Category) -> dict[str, Any]:
    request_type = category.request_type.value if category.request_type else None
    return {
        "code": category.code,
        "name": category.name,
        "parent_code": category.parent,
        "request_type": request_type,
        "active": category.active,
    }


def area_row(area: Area) -> dict[str, Any]:
    return {"code": area.code, "name": area.name, "level": area.level.value, "parent_code": area.parent}


def alias_row(alias: Alias) -> dict[str, Any]:
    return {"alias": alias.text, "area_code": alias.area}


def unit_row(unit: HandlingUnit) -> dict[str, Any]:
    return {
        "id": unit.id,
        "name": unit.name,
        "kind": unit.kind.value,
        "area_code": unit.area_code,
        "active": unit.active,
    }


def rule_row(rule: DispatchRule, by: str, at: datetime) -> dict[str, Any]:
    return {
        "category_code": rule.category_code,
        "area_code": rule.area_code,
        "lead_unit": rule.lead_unit,
        "assisting_units": list(rule.assisting_units),
        "note": rule.note,
        "updated_by": by,
        "updated_at": at,
        "active": True,
    }


# --- the store ----------------------------------------------------------------------------------------


class SqlCatalogueStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def load(self) -> Catalogue:
        """The stored catalogue (active rules only), validated."""
        async with self._engine.connect() as conn:
            return await _load(conn)

    async def seed(self, data: SeedData, at: datetime) -> Mapping[str, int]:
        """Inserts the seed's missing rows; returns how many per table (all zero the second time).
        Refused as a whole, writing nothing, if the result would be inconsistent (checked together with
        what is stored, so a seed may add to an earlier one)."""
        async with self._engine.begin() as conn:
            missing = _missing(data, await _stored_keys(conn))
            await _load(conn, extra=missing)
            for table, rows in _seed_rows(missing, at):
                if rows:
                    await conn.execute(table.insert(), rows)
        return {
            "categories": len(missing.categories),
            "areas": len(missing.areas),
            "aliases": len(missing.aliases),
            "units": len(missing.units),
            "rules": len(missing.rules),
        }

    @asynccontextmanager
    async def edit(self) -> AsyncIterator[SqlCatalogueEdit]:
        """One admin edit in one transaction: committed when the block ends, rolled back if it raises."""
        async with self._engine.begin() as conn:
            yield SqlCatalogueEdit(conn)


class SqlCatalogueEdit:
    """The ``CatalogueEdit`` port on one connection inside its transaction."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def load(self) -> Catalogue:
        return await _load(self._conn)

    async def save_rule(self, rule: DispatchRule, by: str, at: datetime) -> None:
        """Replace the rule's row (active again, if it was deleted) or insert it."""
        values = rule_row(rule, by, at)
        result = await self._conn.execute(update(dispatch_rules).where(*_rule_key(rule.key)).values(**values))
        if result.rowcount == 0:
            await self._conn.execute(dispatch_rules.insert().values(**values))

    async def retire_rule(self, key: RuleKey, by: str, at: datetime) -> None:
        await self._conn.execute(
            update(dispatch_rules).where(*_rule_key(key)).values(active=False, updated_by=by, updated_at=at)
        )

    async def add_alias(self, alias: Alias) -> None:
        await self._conn.execute(area_aliases.insert().values(**alias_row(alias)))

    async def save_unit(self, unit: HandlingUnit) -> None:
        values = unit_row(unit)
        result = await self._conn.execute(update(units).where(units.c.id == unit.id).values(**values))
        if result.rowcount == 0:
            await self._conn.execute(units.insert().values(**values))


def _rule_key(key: RuleKey) -> tuple[Any, Any]:
    return (dispatch_rules.c.category_code == key[0], dispatch_rules.c.area_code == key[1])


async def _rows(conn: AsyncConnection, query: Any) -> Sequence[Mapping[Any, Any]]:
    return (await conn.execute(query)).mappings().all()


async def _load(conn: AsyncConnection, extra: SeedData | None = None) -> Catalogue:
    """The stored catalogue, plus ``extra`` rows not yet written (to validate a seed before writing)."""
    more = extra or SeedData((), (), (), (), ())
    active_rules = select(dispatch_rules).where(dispatch_rules.c.active.is_(True))
    return Catalogue.build(
        [*(_category(r) for r in await _rows(conn, select(categories))), *more.categories],
        [*(_area(r) for r in await _rows(conn, select(areas))), *more.areas],
        [
            *(Alias(r["alias"], AreaCode(r["area_code"])) for r in await _rows(conn, select(area_aliases))),
            *more.aliases,
        ],
        [*(_unit(r) for r in await _rows(conn, select(units))), *more.units],
        [*(_rule(r) for r in await _rows(conn, active_rules)), *more.rules],
    )


async def _stored_keys(conn: AsyncConnection) -> Mapping[str, frozenset[Any]]:
    """The keys already stored, per table; deleted (inactive) rules included."""
    alias_keys = select(area_aliases.c.alias, area_aliases.c.area_code)
    rule_keys = select(dispatch_rules.c.category_code, dispatch_rules.c.area_code)
    return {
        "categories": frozenset((await conn.execute(select(categories.c.code))).scalars()),
        "areas": frozenset((await conn.execute(select(areas.c.code))).scalars()),
        "aliases": frozenset(tuple(r) for r in await conn.execute(alias_keys)),
        "units": frozenset((await conn.execute(select(units.c.id))).scalars()),
        "rules": frozenset(tuple(r) for r in await conn.execute(rule_keys)),
    }


def _missing(data: SeedData, stored: Mapping[str, frozenset[Any]]) -> SeedData:
    return SeedData(
        categories=tuple(c for c in data.categories if c.code not in stored["categories"]),
        areas=tuple(a for a in data.areas if a.code not in stored["areas"]),
        aliases=tuple(a for a in data.aliases if (a.text, a.area) not in stored["aliases"]),
        units=tuple(u for u in data.units if u.id not in stored["units"]),
        rules=tuple(r for r in data.rules if r.key not in stored["rules"]),
    )


def _seed_rows(data: SeedData, at: datetime) -> list[tuple[Table, list[dict[str, Any]]]]:
    """Rows per table, in an order the foreign keys accept."""
    return [
        (areas, [area_row(a) for a in data.areas]),
        (area_aliases, [alias_row(a) for a in data.aliases]),
        (categories, [category_row(c) for c in data.categories]),
        (units, [unit_row(u) for u in data.units]),
        (dispatch_rules, [rule_row(r, SEEDED_BY, at) for r in data.rules]),
    ]
