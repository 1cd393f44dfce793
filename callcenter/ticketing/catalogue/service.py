"""The dispatch catalogue's use cases (ADR 0009): the route suggestion for the registration form, and
the admin's edits of rules, units and aliases.

An edit loads the stored catalogue inside one transaction, lets the pure ``Catalogue`` decide
(``with_rule``, ``without_rule``, ``with_alias``, ``with_unit`` raise the domain errors), writes the change
and, once committed, puts the edited catalogue in force in this process. A refused edit writes nothing.
"""

from __future__ import annotations

from callcenter.core.actors import StaffId
from callcenter.core.clock import Clock
from callcenter.core.errors import InvalidInput
from callcenter.ticketing.catalogue.categories import CategoryCode
from callcenter.ticketing.catalogue.dispatch import Suggestion, suggest
from callcenter.ticketing.catalogue.gazetteer import Alias, AreaCode
from callcenter.ticketing.catalogue.model import Catalogue, DispatchRule, HandlingUnit
from callcenter.ticketing.catalogue.ports import CatalogueInForce, CatalogueRepository

MAX_ADDRESS = 200  # characters of an address the suggestion reads


class DispatchCatalogue:
    def __init__(self, store: CatalogueRepository, in_force: CatalogueInForce, clock: Clock) -> None:
        self._store = store
        self._in_force = in_force
        self._clock = clock

    def current(self) -> Catalogue:
        return self._in_force.current()

    def suggestion(self, address: str, category: str | None) -> tuple[Catalogue, Suggestion]:
        """Where the address lies and where an order of the (active) category would go (一单通达), with
        the catalogue it was read from."""
        if len(address) > MAX_ADDRESS:
            raise InvalidInput(f"the address is longer than {MAX_ADDRESS} characters", field="address")
        catalogue = self._in_force.current()
        if category is not None:
            catalogue.categories.require_active(category)
        return catalogue, suggest(catalogue, address, category)

    def rules(self) -> list[DispatchRule]:
        """The rules in force, by category and area."""
        found = self._in_force.current().rules.values()
        return sorted(found, key=lambda r: (r.category_code, r.area_code))

    async def put_rule(self, rule: DispatchRule, by: StaffId) -> Catalogue:
        """Add or replace the rule for its category and area (``Catalogue.with_rule`` decides)."""
        at = self._clock.now()
        async with self._store.edit() as edit:
            changed = (await edit.load()).with_rule(rule)
            await edit.save_rule(rule, by, at)
        return self._use(changed)

    async def delete_rule(self, category_code: str, area_code: str, by: StaffId) -> Catalogue:
        """Delete the rule (``UnknownRule`` if there is none); its row stays, inactive, as the record."""
        at = self._clock.now()
        async with self._store.edit() as edit:
            changed = (await edit.load()).without_rule(category_code, area_code)
            await edit.retire_rule((CategoryCode(category_code), AreaCode(area_code)), by, at)
        return self._use(changed)

    async def add_alias(self, alias: str, area_code: str) -> Catalogue:
        """Add another name for an area (``UnknownArea``, ``InvalidAlias``); an existing one is kept."""
        value = Alias(alias.strip(), AreaCode(area_code))
        async with self._store.edit() as edit:
            stored = await edit.load()
            changed = stored.with_alias(value)
            if changed is not stored:
                await edit.add_alias(value)
        return self._use(changed)

    async def put_unit(self, unit: HandlingUnit) -> Catalogue:
        """Add or replace a handling unit (``Catalogue.with_unit`` decides)."""
        async with self._store.edit() as edit:
            changed = (await edit.load()).with_unit(unit)
            await edit.save_unit(unit)
        return self._use(changed)

    def _use(self, changed: Catalogue) -> Catalogue:
        self._in_force.use(changed)
        return changed
