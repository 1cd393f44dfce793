"""Seed data of the dispatch catalogue for a sample city, and its parser.

The sample city is Beijing (北京, whose 12345 practises 接诉即办: orders go straight to the street office
or the department): three districts, eleven streets with their real 统计用区划代码, two communities per
street (names real, community codes illustrative: sequential under the street), roads, 小区 and
landmarks as aliases, city departments, utilities, street offices, and rules that route every category
for any street. The category tree is our own, in the spirit of the published 诉求分类与编码 standards.
A deploying city replaces these five CSV files (UTF-8, header row; edit them in a spreadsheet):

- ``categories.csv``: code, name, parent, request_type (consultation | complaint | request |
  enterprise_request | empty), active (true | false)
- ``areas.csv``: code, name, level (city | district | street | community), parent
- ``aliases.csv``: alias, area_code
- ``units.csv``: id, name, kind (street_office | department | enterprise | other), area_code, active
- ``rules.csv``: category_code, area_code, lead_unit, assisting_units (space-separated ids), note

Parsing is pure: the caller reads the files (`callcenter.adapters.db.catalogue.load_seed`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, TypeVar

from callcenter.core.actors import UnitId
from callcenter.core.errors import InvalidInput
from callcenter.ticketing.catalogue.categories import Category, CategoryCode
from callcenter.ticketing.catalogue.gazetteer import Alias, Area, AreaCode, AreaLevel
from callcenter.ticketing.catalogue.model import Catalogue, DispatchRule, HandlingUnit, UnitKind
from callcenter.ticketing.deadlines import RequestType

SEED_FILES: Final = ("categories.csv", "areas.csv", "aliases.csv", "units.csv", "rules.csv")

T = TypeVar("T")
Row = Mapping[str, str]


class InvalidSeed(InvalidInput):
    """A seed file that cannot be read: missing file or column, bad value. Names file and line."""

    code = "invalid_seed"


@dataclass(frozen=True, slots=True)
class SeedData:
    categories: tuple[Category, ...]
    areas: tuple[Area, ...]
    aliases: tuple[Alias, ...]
    units: tuple[HandlingUnit, ...]
    rules: tuple[DispatchRule, ...]

    def catalogue(self) -> Catalogue:
        """The seed as a validated catalogue (raises the catalogue's errors if it is inconsistent)."""
        return Catalogue.build(self.categories, self.areas, self.aliases, self.units, self.rules)


def parse_seed(files: Mapping[str, str]) -> SeedData:
    """The seed from the five files' text, by file name (`SEED_FILES`)."""
    return SeedData(
        categories=_rows(files, "categories.csv", _category),
        areas=_rows(files, "areas.csv", _area),
        aliases=_rows(files, "aliases.csv", _alias),
        units=_rows(files, "units.csv", _unit),
        rules=_rows(files, "rules.csv", _rule),
    )


def _rows(files: Mapping[str, str], name: str, parse: Callable[[Row], T]) -> tuple[T, ...]:
    if name not in files:
        raise InvalidSeed(f"seed file {name} is missing", file=name)
    parsed = []
    reader = csv.DictReader(io.StringIO(files[name].lstrip("\ufeff")))  # Excel writes a BOM
    for line, row in enumerate(reader, start=2):
        try:
            parsed.append(parse({k: (v or "").strip() for k, v in row.items() if k is not None}))
        except (KeyError, ValueError) as exc:
            raise InvalidSeed(f"{name}, line {line}: {exc!r}", file=name, line=line) from None
    return tuple(parsed)


def _flag(value: str) -> bool:
    if value.lower() not in ("true", "false"):
        raise ValueError(f"expected true or false, got {value!r}")
    return value.lower() == "true"


def _category(row: Row) -> Category:
    return Category(
        code=CategoryCode(row["code"]),
        name=row["name"],
        parent=CategoryCode(row["parent"]) if row["parent"] else None,
        request_type=RequestType(row["request_type"]) if row["request_type"] else None,
        active=_flag(row["active"]),
    )


def _area(row: Row) -> Area:
    parent = AreaCode(row["parent"]) if row["parent"] else None
    return Area(AreaCode(row["code"]), row["name"], AreaLevel(row["level"]), parent)


def _alias(row: Row) -> Alias:
    return Alias(row["alias"], AreaCode(row["area_code"]))


def _unit(row: Row) -> HandlingUnit:
    area = AreaCode(row["area_code"]) if row["area_code"] else None
    return HandlingUnit(UnitId(row["id"]), row["name"], UnitKind(row["kind"]), area, _flag(row["active"]))


def _rule(row: Row) -> DispatchRule:
    return DispatchRule(
        category_code=CategoryCode(row["category_code"]),
        area_code=AreaCode(row["area_code"]),
        lead_unit=UnitId(row["lead_unit"]),
        assisting_units=tuple(UnitId(u) for u in row["assisting_units"].split()),
        note=row["note"],
    )
