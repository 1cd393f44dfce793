"""Classifying an order at registration (受理) against the dispatch catalogue (ADR 0009).

The agent picks a category (诉求分类) and types the address; the catalogue checks the category, resolves
the address to the most precise area it surely lies in, fills in the category's default request type,
and says where the order goes (一单通达) — or why it must wait in the dispatcher's queue.
"""

from __future__ import annotations

from dataclasses import replace

from callcenter.ticketing.catalogue.dispatch import Route, Unclear, route, suggest
from callcenter.ticketing.catalogue.model import Catalogue
from callcenter.ticketing.orders.workorder import Classification

Routing = Route | Unclear


def classify(catalogue: Catalogue, c: Classification) -> tuple[Classification, Routing]:
    """The classification as stored, and the route. ``UnknownCategory``/``InactiveCategory``/``UnknownArea``
    for codes the catalogue does not know; a missing category or an unresolved address is ``Unclear``."""
    if c.category_code is not None:
        catalogue.categories.require_active(c.category_code)
    if c.area_code is not None:
        catalogue.gazetteer.get(c.area_code)
        outcome = route(catalogue, c.category_code, c.area_code)
        return with_default_type(catalogue, c), outcome
    suggestion = suggest(catalogue, c.address, c.category_code)
    area = suggestion.area.code if suggestion.area is not None else None
    return with_default_type(catalogue, replace(c, area_code=area)), suggestion.outcome


def with_default_type(catalogue: Catalogue, c: Classification) -> Classification:
    """An unset request type takes the category's default (e.g. 物业服务 → 投诉), if it has one."""
    if c.request_type is not None or c.category_code is None:
        return c
    return replace(c, request_type=catalogue.categories.default_request_type(c.category_code))


class CurrentCatalogue:
    """The catalogue in force in this process; the admin API swaps in the edited one."""

    def __init__(self, catalogue: Catalogue | None = None) -> None:
        self._catalogue = catalogue or Catalogue.build()

    def current(self) -> Catalogue:
        return self._catalogue

    def use(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
