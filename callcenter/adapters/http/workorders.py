"""The work-order API: list, inbox, detail, create, register (受理 + optional 派单) and life-cycle actions.

Every handler names its actor (``actor_of``); the life cycle checks roles and units; a unit's staff see
only their unit's orders (another unit's order answers 404, never its data).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any, Protocol

from aiohttp import web

from callcenter.adapters.db.workorder_queries import OrderFilter
from callcenter.adapters.http.api import json_response, page, page_of, path_id
from callcenter.adapters.http.auth import actor_of, json_body, require_role
from callcenter.adapters.http.commands import command_from, expected_version, text, units
from callcenter.adapters.http.orderjson import DRAFT_ADVISOR, order_json, summary_json
from callcenter.adapters.http.params import iso_day
from callcenter.adapters.http.privacy import refuse_in_query, text_fields
from callcenter.core.actors import HOTLINE_ROLES, Actor, Role, UnitId
from callcenter.core.clock import SHANGHAI, Clock
from callcenter.core.errors import InvalidInput
from callcenter.core.ids import TicketId
from callcenter.ticketing.catalogue.categories import UnknownCategory
from callcenter.ticketing.catalogue.dispatch import Route
from callcenter.ticketing.deadlines import RequestType, Urgency
from callcenter.ticketing.matters.answers import MatterAnswers
from callcenter.ticketing.matters.replies import MatterOutcome
from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders.classify import CurrentCatalogue, Routing
from callcenter.ticketing.orders.record import CitizenContact
from callcenter.ticketing.orders.registration import Registration, findings_json
from callcenter.ticketing.orders.service import AUTO_DISPATCH, AutoDispatch, Registered, WorkOrders
from callcenter.ticketing.orders.workorder import Classification, WorkOrder
from callcenter.ticketing.states import TicketStatus


class OrderQueries(Protocol):
    async def inbox(self, viewer: Actor, now: datetime, limit: int, offset: int) -> list[WorkOrder]: ...
    async def search(
        self, viewer: Actor, f: OrderFilter, limit: int, offset: int, now: datetime | None = None
    ) -> list[WorkOrder]: ...


class AuditTrail(Protocol):
    async def trail(self, ticket_id: TicketId) -> list[dict[str, Any]]: ...


WORK_ORDERS = web.AppKey("work_orders", WorkOrders)
MATTER_ANSWERS = web.AppKey("matter_answers", MatterAnswers)  # set by the 并单 routes (matters.py)
CATALOGUE = web.AppKey("catalogue", CurrentCatalogue)  # set by the catalogue routes (catalogue.py)
ORDER_QUERIES = web.AppKey("order_queries", OrderQueries)
AUDIT_TRAIL = web.AppKey("audit_trail", AuditTrail)
ORDERS_CLOCK = web.AppKey("orders_clock", Clock)


def ticket_id_of(request: web.Request) -> TicketId:
    return TicketId(path_id(request, "ticket_id"))


def enum_of(kind: type[Any], value: object, field: str) -> Any:
    try:
        return kind(value)
    except ValueError as exc:
        raise InvalidInput(f"unknown {field}", field=field, allowed=[m.value for m in kind]) from exc


def classification_from(body: dict[str, Any]) -> Classification:
    request_type = body.get("request_type")
    return Classification(
        category_code=text(body, "category_code").strip() or None,
        area_code=text(body, "area_code").strip() or None,
        address=text(body, "address"),
        urgency=enum_of(Urgency, body.get("urgency", "normal"), "urgency"),
        request_type=None
        if request_type in (None, "")
        else enum_of(RequestType, request_type, "request_type"),
    )


def registration_from(body: dict[str, Any]) -> Registration:
    citizen = body.get("citizen")
    if citizen is not None and not isinstance(citizen, dict):
        raise InvalidInput("citizen must be an object with name and phone", field="citizen")
    contact = None if citizen is None else CitizenContact(text(citizen, "name"), text(citizen, "phone"))
    return Registration(
        request_text=text(body, "request_text"),
        summary=text(body, "summary"),
        citizen=contact,
        confidential=flag(body, "confidential"),
        classification=classification_from(body),
        unit_summary=text(body, "unit_summary"),
        privacy_confirmed=flag(body, "privacy_confirmed"),
    )


def flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false", field=name)
    return value


def dispatch_from(body: dict[str, Any]) -> c.DispatchTicket | AutoDispatch | None:
    """``"dispatch": "auto"`` (the catalogue's route, 一单通达), ``{"lead_unit", …}``, or none."""
    target = body.get("dispatch")
    if target is None:
        return None
    if target == AUTO_DISPATCH.value:
        return AUTO_DISPATCH
    if not isinstance(target, dict):
        raise InvalidInput('dispatch must be "auto" or an object with lead_unit', field="dispatch")
    lead = text(target, "lead_unit").strip()
    if not lead:
        raise InvalidInput("dispatch.lead_unit is required", field="dispatch.lead_unit")
    return c.DispatchTicket(UnitId(lead), units(target))


def routing_json(routing: Routing) -> dict[str, Any]:
    """Where the catalogue sends the order, or why it waits for a dispatcher (派单员)."""
    if isinstance(routing, Route):
        return {
            "lead_unit": routing.lead_unit.id,
            "assisting_units": [u.id for u in routing.assisting_units],
            "unclear": None,
        }
    candidates = [{"lead_unit": r.lead_unit.id, "area": r.rule.area_code} for r in routing.candidates]
    return {"lead_unit": None, "assisting_units": [], "unclear": routing.reason, "candidates": candidates}


def with_category_name(request: web.Request, item: dict[str, Any]) -> dict[str, Any]:
    """The category's path of names for display (城乡建设 / 市容环卫 / 垃圾清运), if a catalogue is loaded."""
    code = item.get("category_code")
    name = None
    if code and CATALOGUE in request.app:
        try:
            name = request.app[CATALOGUE].current().categories.path_names(code)
        except UnknownCategory:
            name = None
    return {**item, "category_name": name}


async def detail(
    request: web.Request,
    order: WorkOrder,
    actor: Actor,
    done: Registered | None = None,
    matter: MatterOutcome | None = None,
) -> web.Response:
    """The order as ``actor`` sees it; after 受理 also the route and the privacy warnings (保密); after a
    回单 what it did to the other orders of the order's matter (并单)."""
    trail = await request.app[AUDIT_TRAIL].trail(order.life.id)
    advisor = request.app.get(DRAFT_ADVISOR)
    body = with_category_name(request, order_json(order, actor, trail, advisor))
    if done is not None:
        body["routing"] = routing_json(done.routing)
        body["privacy_warnings"] = [findings_json(f) for f in done.privacy_warnings]
    if matter is not None:
        body["matter_reply"] = matter_outcome_json(matter)
    return json_response(body)


async def get_order(request: web.Request) -> web.Response:
    actor = actor_of(request)
    order = await request.app[WORK_ORDERS].get(ticket_id_of(request), actor)
    return await detail(request, order, actor)


SEARCH_PATH = "/api/workorders/search"
SEARCH_FIELDS = ("q", "caller", "status", "category", "unit", "from", "to", "limit", "offset")


async def list_orders(request: web.Request) -> web.Response:
    """Orders by status, category, unit and day. A caller's number or words are searched with POST
    ``/api/workorders/search``: they never travel in a URL (privacy.py)."""
    refuse_in_query(request, SEARCH_PATH, "q", "caller")
    return await _search(request, request.query)


async def search_orders(request: web.Request) -> web.Response:
    """The same search with the filters in the JSON body, the caller's number and the text included."""
    return await _search(request, text_fields(await json_body(request), SEARCH_FIELDS))


async def _search(request: web.Request, q: Mapping[str, str]) -> web.Response:
    actor = actor_of(request)
    limit, offset = page_of(q)
    status = q.get("status") or None
    f = OrderFilter(
        status=None if status is None else enum_of(TicketStatus, status, "status"),
        text=q.get("q", "").strip(),
        caller_number=q.get("caller", "").strip(),
        category_code=q.get("category", "").strip(),
        unit=UnitId(q["unit"]) if q.get("unit") else None,
        created_from=day_start(q.get("from")),
        created_to=day_start(q.get("to"), next_day=True, field="to"),
    )
    now = request.app[ORDERS_CLOCK].now()
    orders = await request.app[ORDER_QUERIES].search(actor, f, limit, offset, now)
    return json_response({"items": [with_category_name(request, summary_json(o, actor)) for o in orders]})


def day_start(raw: str | None, next_day: bool = False, field: str = "from") -> datetime | None:
    """``from``/``to`` as YYYY-MM-DD (params.py), days in Asia/Shanghai; ``to`` includes its whole day."""
    if not raw:
        return None
    start = datetime.combine(iso_day(raw, field), time(0), tzinfo=SHANGHAI)
    return start + timedelta(days=1) if next_day else start


async def inbox(request: web.Request) -> web.Response:
    actor = actor_of(request)
    limit, offset = page(request)
    now = request.app[ORDERS_CLOCK].now()
    orders = await request.app[ORDER_QUERIES].inbox(actor, now, limit, offset)
    return json_response({"items": [with_category_name(request, summary_json(o, actor)) for o in orders]})


async def create_order(request: web.Request) -> web.Response:
    """An order typed in by an agent (no call); ``caller_number`` is the citizen's number."""
    actor = require_role(request, Role.AGENT, Role.ADMIN)
    body = await json_body(request)
    registration = registration_from(body)
    caller_number = text(body, "caller_number")
    done = await request.app[WORK_ORDERS].create(registration, caller_number, actor, dispatch_from(body))
    return await detail(request, done.order, actor, done)


async def register_order(request: web.Request) -> web.Response:
    """受理 a draft; with ``dispatch`` it goes straight to the handling unit (一单通达)."""
    actor = require_role(request, *HOTLINE_ROLES)
    body = await json_body(request)
    version = expected_version(body)
    service = request.app[WORK_ORDERS]
    done = await service.register(
        ticket_id_of(request), version, registration_from(body), actor, dispatch_from(body)
    )
    return await detail(request, done.order, actor, done)


async def act(request: web.Request) -> web.Response:
    actor = actor_of(request)
    body = await json_body(request)
    version = expected_version(body)
    command = command_from(request.match_info["action"], body)
    service, ticket_id = request.app[WORK_ORDERS], ticket_id_of(request)
    if isinstance(command, c.DispatchTicket):
        order = await service.dispatch(ticket_id, version, command, actor)
    elif isinstance(command, c.ReassignTicket):
        order = await service.reassign(ticket_id, version, command, actor)
    elif isinstance(command, c.ReplyTicket) and MATTER_ANSWERS in request.app:
        replied = await request.app[MATTER_ANSWERS].reply(ticket_id, version, command, actor)
        return await detail(request, replied.order, actor, matter=replied.outcome)
    else:
        order = await service.act(ticket_id, version, command, actor)
    return await detail(request, order, actor)


def matter_outcome_json(outcome: MatterOutcome) -> dict[str, Any]:
    """What a step did to the orders of a matter (并单): those reached, and those not, with the reason."""
    return {
        "matter_id": outcome.matter_id,
        "done": list(outcome.done),
        "refused": [{"ticket_id": r.ticket_id, "status": r.status, "code": r.code} for r in outcome.refused],
    }


def add_work_order_routes(app: web.Application) -> None:
    app.router.add_get("/api/workorders", list_orders)
    app.router.add_post("/api/workorders", create_order)
    app.router.add_post(SEARCH_PATH, search_orders)
    app.router.add_get("/api/workorders/inbox", inbox)
    app.router.add_get("/api/workorders/{ticket_id}", get_order)
    app.router.add_post("/api/workorders/{ticket_id}/register", register_order)
    app.router.add_post("/api/workorders/{ticket_id}/actions/{action}", act)
