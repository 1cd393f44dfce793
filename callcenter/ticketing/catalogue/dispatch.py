"""Routing an order through the dispatch catalogue (派单目录): category × area → handling unit.

The rule (docs/adr/0009-dispatch-catalogue.md):

1. *Category first.* Walk the order's category from the most specific code to its level-1 class
   (``050301`` → ``0503`` → ``05``); the first level that has a rule relevant to the area decides. A rule
   written for a specific category is a deliberate exception, so it beats a general rule nearer the
   address (物业服务 city-wide to 住建, even where 城乡建设 in general goes to the street office).
2. *Then the nearest area.* At that level, the rule of the nearest area on the way up wins: community →
   street → district → city. A city rule sends the category to a city department city-wide; a street
   rule to that street's office.
3. *Too coarse is unclear.* If that level also has rules *below* the area (the address named only a
   district, and streets of it have their own rule), the answer depends on where exactly: unclear.
4. There are no ties: one rule per (category, area), and both chains are linear. Uncertainty comes from
   the address (``ambiguous``: candidates that route differently) or from the catalogue (``no_rule``,
   ``unit_inactive``). Every `Unclear` goes to the dispatcher's queue (派单员), with candidate routes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from callcenter.ticketing.catalogue.addresses import Resolution, ResolutionIssue, resolve
from callcenter.ticketing.catalogue.gazetteer import Area
from callcenter.ticketing.catalogue.model import Catalogue, DispatchRule, HandlingUnit


class UnclearReason(StrEnum):
    NO_CATEGORY = "no_category"  # the order has no category yet
    AREA_UNRESOLVED = "area_unresolved"  # no area, or an address that names none / contradicts itself
    AREA_TOO_COARSE = "area_too_coarse"  # only a district or the city, and the rule depends on the street
    AMBIGUOUS = "ambiguous"  # the address fits several areas that route differently
    NO_RULE = "no_rule"  # no rule for the category or any of its ancestors in this area
    UNIT_INACTIVE = "unit_inactive"  # the rule names a unit that was deactivated


@dataclass(frozen=True, slots=True)
class Route:
    """Where the order goes: a lead unit (主办), assisting units (协办), and the rule that said so."""

    lead_unit: HandlingUnit
    assisting_units: tuple[HandlingUnit, ...]
    rule: DispatchRule

    @property
    def units(self) -> tuple[HandlingUnit, ...]:
        return (self.lead_unit, *self.assisting_units)


@dataclass(frozen=True, slots=True)
class Unclear:
    """The order goes to the dispatcher's queue (派单员), with the routes that were possible."""

    reason: UnclearReason
    candidates: tuple[Route, ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """For the agent's registration screen: where the address lies and where the order would go."""

    resolution: Resolution
    outcome: Route | Unclear

    @property
    def area(self) -> Area | None:
        """The area to record on the order: the most precise area the address surely lies in."""
        return self.resolution.area


def route(catalogue: Catalogue, category_code: str | None, area_code: str | None) -> Route | Unclear:
    """The route of an order (module docstring). Unknown codes are errors (`UnknownCategory`,
    `UnknownArea`); a missing one is `Unclear`."""
    if category_code is None:
        return Unclear(UnclearReason.NO_CATEGORY)
    lineage = catalogue.categories.lineage(category_code)
    if area_code is None:
        return Unclear(UnclearReason.AREA_UNRESOLVED)
    gazetteer = catalogue.gazetteer
    ancestors = gazetteer.ancestors(area_code)
    for category in lineage:
        rules = catalogue.by_category.get(category.code, {})
        below = [r for a, r in rules.items() if a != area_code and gazetteer.is_within(a, area_code)]
        nearest = next((rules[a.code] for a in ancestors if a.code in rules), None)
        if below:
            options = [nearest, *below] if nearest else below
            return Unclear(UnclearReason.AREA_TOO_COARSE, tuple(_route_of(catalogue, r) for r in options))
        if nearest is not None:
            return _checked(_route_of(catalogue, nearest))
    return Unclear(UnclearReason.NO_RULE)


def suggest(catalogue: Catalogue, address: str, category_code: str | None) -> Suggestion:
    """Resolves the address and routes the order there. An address that names no area, or contradicts
    itself, is routed at the city level (or the candidates' common area): a category that a city
    department handles city-wide still goes straight to it; any other becomes ``area_unresolved``.
    An ambiguous address routes when all its candidate areas route to the same units."""
    resolution = resolve(catalogue.gazetteer, address)
    if category_code is None:
        return Suggestion(resolution, Unclear(UnclearReason.NO_CATEGORY))
    if resolution.reason is ResolutionIssue.AMBIGUOUS:
        return Suggestion(resolution, _agreed(catalogue, category_code, resolution))
    area = resolution.area or catalogue.gazetteer.root
    outcome = route(catalogue, category_code, area.code if area else None)
    if isinstance(outcome, Unclear) and resolution.reason in _UNRESOLVED:
        outcome = Unclear(UnclearReason.AREA_UNRESOLVED, outcome.candidates)
    return Suggestion(resolution, outcome)


_UNRESOLVED = frozenset({ResolutionIssue.NO_MATCH, ResolutionIssue.INCONSISTENT})


def _agreed(catalogue: Catalogue, category_code: str, resolution: Resolution) -> Route | Unclear:
    """The route every candidate area agrees on (same units), else `Unclear` with all candidate routes."""
    outcomes = [route(catalogue, category_code, area.code) for area in resolution.candidates]
    routes = [o for o in outcomes if isinstance(o, Route)]
    if len(routes) == len(outcomes) and len({r.units for r in routes}) == 1:
        return routes[0]
    found = [*routes, *(c for o in outcomes if isinstance(o, Unclear) for c in o.candidates)]
    return Unclear(UnclearReason.AMBIGUOUS, tuple(dict.fromkeys(found)))


def _route_of(catalogue: Catalogue, rule: DispatchRule) -> Route:
    assisting = tuple(catalogue.unit(u) for u in rule.assisting_units)
    return Route(catalogue.unit(rule.lead_unit), assisting, rule)


def _checked(found: Route) -> Route | Unclear:
    """A route naming a deactivated unit goes to the dispatcher instead."""
    if all(unit.active for unit in found.units):
        return found
    return Unclear(UnclearReason.UNIT_INACTIVE, (found,))
