"""Ports of the dispatch catalogue (派单目录, ADR 0009); adapters/db/catalogue.py implements them."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from callcenter.ticketing.catalogue.gazetteer import Alias
from callcenter.ticketing.catalogue.model import Catalogue, DispatchRule, HandlingUnit, RuleKey


class CatalogueEdit(Protocol):
    """One admin edit in one transaction: read what is stored, then write what the rule accepted. The
    transaction commits when the ``edit()`` block ends normally and writes nothing when it raises."""

    async def load(self) -> Catalogue:
        """The stored catalogue (active rules only), validated."""
        ...

    async def save_rule(self, rule: DispatchRule, by: str, at: datetime) -> None:
        """Insert or replace the rule of its category and area (undeleting a deleted one)."""
        ...

    async def retire_rule(self, key: RuleKey, by: str, at: datetime) -> None:
        """Mark the rule inactive: its row stays as the record."""
        ...

    async def add_alias(self, alias: Alias) -> None: ...

    async def save_unit(self, unit: HandlingUnit) -> None:
        """Insert or replace a handling unit."""
        ...


class CatalogueRepository(Protocol):
    async def load(self) -> Catalogue: ...

    def edit(self) -> AbstractAsyncContextManager[CatalogueEdit]: ...


class CatalogueInForce(Protocol):
    """The catalogue this process routes with (``orders.classify.CurrentCatalogue``)."""

    def current(self) -> Catalogue: ...

    def use(self, catalogue: Catalogue) -> None: ...
