"""The dispatch catalogue over HTTP: categories, units and areas for the desk; the route suggestion for an
address (一单通达); the admin's edits of rules, units and aliases (ADR 0009)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from aiohttp import web

from callcenter.adapters.http.api import json_response
from callcenter.adapters.http.auth import CLOCK, actor_of, json_body, require_role
from callcenter.adapters.http.commands import text, units
from callcenter.adapters.http.privacy import refuse_in_query, text_fields
from callcenter.adapters.http.workorders import CATALOGUE, enum_of, routing_json
from callcenter.core.actors import Role, UnitId
from callcenter.core.errors import InvalidInput
from callcenter.ticketing.catalogue.categories import CategoryCode
from callcenter.ticketing.catalogue.dispatch import suggest
from callcenter.ticketing.catalogue.gazetteer import Area, AreaCode
from callcenter.ticketing.catalogue.model import Catalogue, DispatchRule, HandlingUnit, UnitKind
from callcenter.ticketing.orders.classify import CurrentCatalogue

MAX_ADDRESS = 200


class CatalogueStore(Protocol):
    async def upsert_rule(self, rule: DispatchRule, by: str, at: datetime) -> Catalogue: ...
    async def delete_rule(self, category_code: str, area_code: str, by: str, at: datetime) -> Catalogue: ...
    async def add_alias(self, alias: str, area_code: str) -> Catalogue: ...
    async def upsert_unit(self, unit: HandlingUnit) -> Catalogue: ...


CATALOGUE_STORE = web.AppKey("catalogue_store", CatalogueStore)


def area_json(catalogue: Catalogue, area: Area) -> dict[str, Any]:
    path = " / ".join(a.name for a in reversed(catalogue.gazetteer.ancestors(area.code)))
    return {"code": area.code, "name": area.name, "level": area.level, "path": path}


def unit_json(unit: HandlingUnit) -> dict[str, Any]:
    return {
        "id": unit.id,
        "name": unit.name,
        "kind": unit.kind,
        "area_code": unit.area_code,
        "active": unit.active,
    }


def rule_json(rule: DispatchRule) -> dict[str, Any]:
    return {
        "category_code": rule.category_code,
        "area_code": rule.area_code,
        "lead_unit": rule.lead_unit,
        "assisting_units": list(rule.assisting_units),
        "note": rule.note,
    }


async def categories(request: web.Request) -> web.Response:
    actor_of(request)
    tree = request.app[CATALOGUE].current().categories
    items = [
        {
            "code": c.code,
            "name": c.name,
            "parent_code": c.parent,
            "request_type": c.request_type,
            "active": c.active,
            "path": tree.path_names(c.code),
        }
        for c in tree
    ]
    return json_response({"items": items})


async def unit_list(request: web.Request) -> web.Response:
    actor_of(request)
    catalogue = request.app[CATALOGUE].current()
    return json_response({"items": [unit_json(u) for u in catalogue.units.values()]})


async def area_list(request: web.Request) -> web.Response:
    actor_of(request)
    catalogue = request.app[CATALOGUE].current()
    return json_response({"items": [area_json(catalogue, a) for a in catalogue.gazetteer]})


SUGGEST_PATH = "/api/catalogue/suggest"


async def suggestion(request: web.Request) -> web.Response:
    """Where the address lies and where an order of the category would go, for the registration form.
    The address comes in the JSON body: a citizen's address never travels in a URL (privacy.py)."""
    actor_of(request)
    return _suggested(request, text_fields(await json_body(request), ("address", "category")))


async def suggestion_by_get(request: web.Request) -> web.Response:
    """The old GET form: refuses ``address`` (use POST); a category alone is no one's personal data."""
    actor_of(request)
    refuse_in_query(request, SUGGEST_PATH, "address")
    return _suggested(request, request.query)


def _suggested(request: web.Request, q: Mapping[str, str]) -> web.Response:
    address = q.get("address", "")[: MAX_ADDRESS + 1]
    if len(address) > MAX_ADDRESS:
        raise InvalidInput(f"the address is longer than {MAX_ADDRESS} characters", field="address")
    category = q.get("category", "").strip() or None
    catalogue = request.app[CATALOGUE].current()
    if category is not None:
        catalogue.categories.require_active(category)
    found = suggest(catalogue, address, category)
    area = found.area
    return json_response(
        {
            "area": None if area is None else area_json(catalogue, area),
            "area_candidates": [area_json(catalogue, a) for a in found.resolution.candidates],
            "route": routing_json(found.outcome),
        }
    )


async def rules(request: web.Request) -> web.Response:
    require_role(request, Role.ADMIN, Role.DISPATCHER, Role.SUPERVISOR)
    catalogue = request.app[CATALOGUE].current()
    ordered = sorted(catalogue.rules.values(), key=lambda r: (r.category_code, r.area_code))
    return json_response({"items": [rule_json(r) for r in ordered]})


async def put_rule(request: web.Request) -> web.Response:
    actor = require_role(request, Role.ADMIN)
    body = await json_body(request)
    rule = DispatchRule(
        CategoryCode(text(body, "category_code").strip()),
        AreaCode(text(body, "area_code").strip()),
        UnitId(text(body, "lead_unit").strip()),
        units(body),
        text(body, "note"),
    )
    changed = await request.app[CATALOGUE_STORE].upsert_rule(rule, actor.id, request.app[CLOCK].now())
    request.app[CATALOGUE].use(changed)
    return json_response(rule_json(rule))


async def delete_rule(request: web.Request) -> web.Response:
    actor = require_role(request, Role.ADMIN)
    q = request.query
    store = request.app[CATALOGUE_STORE]
    changed = await store.delete_rule(
        q.get("category", ""), q.get("area", ""), actor.id, request.app[CLOCK].now()
    )
    request.app[CATALOGUE].use(changed)
    return json_response({"ok": True})


async def add_alias(request: web.Request) -> web.Response:
    require_role(request, Role.ADMIN)
    body = await json_body(request)
    changed = await request.app[CATALOGUE_STORE].add_alias(text(body, "alias"), text(body, "area_code"))
    request.app[CATALOGUE].use(changed)
    return json_response({"ok": True}, status=201)


def unit_from(unit_id: str, body: Mapping[str, Any]) -> HandlingUnit:
    area = text(body, "area_code").strip()
    active = body.get("active", True)
    if not isinstance(active, bool):
        raise InvalidInput("active must be true or false", field="active")
    return HandlingUnit(
        UnitId(unit_id), text(body, "name"), enum_of(UnitKind, body.get("kind"), "kind"),
        AreaCode(area) if area else None, active,
    )  # fmt: skip


async def put_unit(request: web.Request) -> web.Response:
    require_role(request, Role.ADMIN)
    unit = unit_from(request.match_info["unit_id"], await json_body(request))
    changed = await request.app[CATALOGUE_STORE].upsert_unit(unit)
    request.app[CATALOGUE].use(changed)
    return json_response(unit_json(unit))


def catalogue_routes(current: CurrentCatalogue, store: CatalogueStore) -> Any:
    """A route hook for ``WebDeps.extra_routes``."""

    def hook(app: web.Application) -> None:
        app[CATALOGUE] = current
        app[CATALOGUE_STORE] = store
        app.router.add_get("/api/catalogue/categories", categories)
        app.router.add_get("/api/catalogue/units", unit_list)
        app.router.add_get("/api/catalogue/areas", area_list)
        app.router.add_post(SUGGEST_PATH, suggestion)
        app.router.add_get(SUGGEST_PATH, suggestion_by_get)
        app.router.add_get("/api/admin/dispatch-rules", rules)
        app.router.add_put("/api/admin/dispatch-rules", put_rule)
        app.router.add_delete("/api/admin/dispatch-rules", delete_rule)
        app.router.add_post("/api/admin/aliases", add_alias)
        app.router.add_put("/api/admin/units/{unit_id}", put_unit)

    return hook
