"""The dispatch catalogue over HTTP: categories, units and areas for the desk; the route suggestion for an
address (一单通达); the admin's edits of rules, units and aliases (ADR 0009)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from callcenter.adapters.http.api import json_response
from callcenter.adapters.http.auth import actor_of, json_body, require_role
from callcenter.adapters.http.commands import text, units
from callcenter.adapters.http.privacy import refuse_in_query, text_fields
from callcenter.adapters.http.workorders import CATALOGUE, enum_of, routing_json
from callcenter.core.actors import Role, UnitId
from callcenter.core.errors import InvalidInput
from callcenter.ticketing.catalogue.categories import CategoryCode
from callcenter.ticketing.catalogue.gazetteer import Area, AreaCode
from callcenter.ticketing.catalogue.model import Catalogue, DispatchRule, HandlingUnit, UnitKind
from callcenter.ticketing.catalogue.service import MAX_ADDRESS, DispatchCatalogue
from callcenter.ticketing.orders.classify import CurrentCatalogue

DISPATCH_CATALOGUE = web.AppKey("dispatch_catalogue", DispatchCatalogue)


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
    address = q.get("address", "")[: MAX_ADDRESS + 1]  # enough to tell an overlong one
    category = q.get("category", "").strip() or None
    catalogue, found = request.app[DISPATCH_CATALOGUE].suggestion(address, category)
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
    return json_response({"items": [rule_json(r) for r in request.app[DISPATCH_CATALOGUE].rules()]})


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
    await request.app[DISPATCH_CATALOGUE].put_rule(rule, actor.id)
    return json_response(rule_json(rule))


async def delete_rule(request: web.Request) -> web.Response:
    actor = require_role(request, Role.ADMIN)
    q = request.query
    await request.app[DISPATCH_CATALOGUE].delete_rule(q.get("category", ""), q.get("area", ""), actor.id)
    return json_response({"ok": True})


async def add_alias(request: web.Request) -> web.Response:
    require_role(request, Role.ADMIN)
    body = await json_body(request)
    await request.app[DISPATCH_CATALOGUE].add_alias(text(body, "alias"), text(body, "area_code"))
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
    await request.app[DISPATCH_CATALOGUE].put_unit(unit)
    return json_response(unit_json(unit))


def catalogue_routes(current: CurrentCatalogue, catalogue: DispatchCatalogue) -> Any:
    """A route hook for ``WebDeps.extra_routes``."""

    def hook(app: web.Application) -> None:
        app[CATALOGUE] = current
        app[DISPATCH_CATALOGUE] = catalogue
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
