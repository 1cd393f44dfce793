"""The dispatch catalogue (派单目录): which handling unit (承办单位) takes a category of request in an area.

A `Catalogue` bundles the category tree, the gazetteer, the handling units and the dispatch rules, as one
validated, immutable value: the service loads it once, routes with it, and replaces it after an admin edit.
Edits are pure (`with_rule`, `without_rule`, `with_unit`, `with_alias`): they validate and return a new
catalogue, so a refused edit changes nothing. Routing (`route`, `suggest`) is in `callcenter.ticketing.
dispatch`; the rule of specificity is decided in docs/adr/0009-dispatch-catalogue.md.

Direct dispatch (一单通达): a rule names the unit that will handle the order — a street office (街道办事处),
a city department, an enterprise — never a district government as a relay. A district-level rule is
allowed; it names a district unit that handles the order itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from callcenter.core.actors import UnitId
from callcenter.core.errors import InvalidInput, NotFound
from callcenter.ticketing.catalogue.categories import Category, CategoryCode, CategoryTree
from callcenter.ticketing.catalogue.gazetteer import Alias, Area, AreaCode, AreaLevel, Gazetteer
from callcenter.ticketing.errors import UnknownUnit

MAX_UNIT_ID_LENGTH: Final = 32  # the column's width


class UnitKind(StrEnum):
    STREET_OFFICE = "street_office"  # 街道办事处 (乡镇政府): serves one street
    DEPARTMENT = "department"  # 职能部门: a city (or district) department
    ENTERPRISE = "enterprise"  # 公共服务企业: water, power, gas, heating
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class HandlingUnit:
    """A handling unit (承办单位). ``area_code`` is the area a street office serves; None city-wide."""

    id: UnitId
    name: str
    kind: UnitKind
    area_code: AreaCode | None = None
    active: bool = True


RuleKey = tuple[CategoryCode, AreaCode]


@dataclass(frozen=True, slots=True)
class DispatchRule:
    """Orders of ``category_code`` (and its sub-categories) in ``area_code`` (and the areas below it)
    go to ``lead_unit`` (主办), with ``assisting_units`` (协办)."""

    category_code: CategoryCode
    area_code: AreaCode
    lead_unit: UnitId
    assisting_units: tuple[UnitId, ...] = ()
    note: str = ""

    @property
    def key(self) -> RuleKey:
        return (self.category_code, self.area_code)

    @property
    def unit_ids(self) -> tuple[UnitId, ...]:
        return (self.lead_unit, *self.assisting_units)


class InactiveUnit(InvalidInput):
    """A rule may not name a unit that no longer takes orders."""

    code = "inactive_unit"


class InvalidUnit(InvalidInput):
    code = "invalid_unit"


class InvalidRule(InvalidInput):
    code = "invalid_rule"


class UnknownRule(NotFound):
    code = "unknown_rule"


def _check_unit(unit: HandlingUnit, gazetteer: Gazetteer) -> None:
    """An id and a name; a known area if any; a street office serves exactly one street."""
    if not unit.id.strip() or len(unit.id) > MAX_UNIT_ID_LENGTH or not unit.name.strip():
        raise InvalidUnit(
            f"a unit needs a name and an id of 1 to {MAX_UNIT_ID_LENGTH} characters", unit=unit.id
        )
    area = gazetteer.get(unit.area_code) if unit.area_code is not None else None
    if unit.kind is UnitKind.STREET_OFFICE and (area is None or area.level is not AreaLevel.STREET):
        raise InvalidUnit("a street office serves one street (街道)", unit=unit.id, area=unit.area_code)


def _check_rule_shape(rule: DispatchRule, categories: CategoryTree, gazetteer: Gazetteer) -> None:
    categories.get(rule.category_code)
    gazetteer.get(rule.area_code)
    if rule.lead_unit in rule.assisting_units:
        raise InvalidRule("the lead unit is not also an assisting unit", unit=rule.lead_unit)
    if len(set(rule.assisting_units)) != len(rule.assisting_units):
        raise InvalidRule("an assisting unit is named twice", units=list(rule.assisting_units))


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Categories, areas, units and rules, checked against each other (see the module docstring)."""

    categories: CategoryTree
    gazetteer: Gazetteer
    units: Mapping[UnitId, HandlingUnit]
    rules: Mapping[RuleKey, DispatchRule]
    by_category: Mapping[CategoryCode, Mapping[AreaCode, DispatchRule]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        """Every unit and rule refers to things that exist. Rules may name inactive units here (a unit
        deactivated after the rule was written); routing then sends the order to a dispatcher."""
        object.__setattr__(self, "units", MappingProxyType(dict(self.units)))
        object.__setattr__(self, "rules", MappingProxyType(dict(self.rules)))
        for unit_id, unit in self.units.items():
            if unit_id != unit.id:
                raise InvalidUnit("a unit is filed under its own id", unit=unit.id)
            _check_unit(unit, self.gazetteer)
        by_category: dict[CategoryCode, dict[AreaCode, DispatchRule]] = {}
        for key, rule in self.rules.items():
            if key != rule.key:
                raise InvalidRule("a rule is filed under its own category and area", rule=str(key))
            _check_rule_shape(rule, self.categories, self.gazetteer)
            for unit_id in rule.unit_ids:
                self.unit(unit_id)
            by_category.setdefault(rule.category_code, {})[rule.area_code] = rule
        object.__setattr__(self, "by_category", MappingProxyType(by_category))

    @classmethod
    def build(
        cls,
        categories: Iterable[Category] = (),
        areas: Iterable[Area] = (),
        aliases: Iterable[Alias] = (),
        units: Iterable[HandlingUnit] = (),
        rules: Iterable[DispatchRule] = (),
    ) -> Catalogue:
        """A catalogue from plain lists (seed data, database rows); duplicates are refused."""
        unit_map: dict[UnitId, HandlingUnit] = {}
        for unit in units:
            if unit.id in unit_map:
                raise InvalidUnit("duplicate unit id", unit=unit.id)
            unit_map[unit.id] = unit
        rule_map: dict[RuleKey, DispatchRule] = {}
        for rule in rules:
            if rule.key in rule_map:
                raise InvalidRule("two rules for one category and area", rule=list(rule.key))
            rule_map[rule.key] = rule
        return cls(CategoryTree(categories), Gazetteer(areas, aliases), unit_map, rule_map)

    def unit(self, unit_id: str) -> HandlingUnit:
        """The unit with this id, or `UnknownUnit`."""
        try:
            return self.units[UnitId(unit_id)]
        except KeyError:
            raise UnknownUnit(f"unknown handling unit {unit_id!r}", unit=unit_id) from None

    def rule(self, category_code: str, area_code: str) -> DispatchRule | None:
        return self.rules.get((CategoryCode(category_code), AreaCode(area_code)))

    # --- admin edits: validated, pure; the caller stores the result -------------------------------

    def with_rule(self, rule: DispatchRule) -> Catalogue:
        """Adds or replaces the rule for its category and area. Refused (nothing changes) when it names an
        unknown category, area or unit, an inactive unit, or its lead among its assistants."""
        _check_rule_shape(rule, self.categories, self.gazetteer)
        for unit_id in rule.unit_ids:
            if not self.unit(unit_id).active:
                raise InactiveUnit(f"handling unit {unit_id!r} is inactive", unit=unit_id)
        return replace(self, rules={**self.rules, rule.key: rule})

    def without_rule(self, category_code: str, area_code: str) -> Catalogue:
        """Removes the rule for this category and area, or `UnknownRule`."""
        key = (CategoryCode(category_code), AreaCode(area_code))
        if key not in self.rules:
            raise UnknownRule("no rule for this category and area", category=category_code, area=area_code)
        return replace(self, rules={k: r for k, r in self.rules.items() if k != key})

    def with_unit(self, unit: HandlingUnit) -> Catalogue:
        """Adds or replaces a unit. Deactivating one is allowed: its rules stay, and route to a dispatcher
        until an admin points them elsewhere."""
        _check_unit(unit, self.gazetteer)
        return replace(self, units={**self.units, unit.id: unit})

    def with_alias(self, alias: Alias) -> Catalogue:
        """Adds another name for an area; the same catalogue if the alias is already there."""
        gazetteer = self.gazetteer.with_alias(alias)
        return self if gazetteer is self.gazetteer else replace(self, gazetteer=gazetteer)
