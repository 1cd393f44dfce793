"""The staff desk page (坐席工作台) at ``/``: served under the strict CSP with no inline script, style or
handlers; its scripts never write markup; every API path and action it calls exists in the app with the
method it uses; its label table covers every code the API sends; the bodies it builds are accepted."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from enum import StrEnum
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from aiohttp.web import Application
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.survey_campaign import SqlSurveyCampaign
from callcenter.adapters.db.surveys import SqlSurveys
from callcenter.adapters.http.agents import add_agent_routes
from callcenter.adapters.http.app import STATIC
from callcenter.adapters.http.commands import PARSERS
from callcenter.adapters.http.inbox import add_inbox_routes
from callcenter.adapters.http.live import LiveDeps, add_live_routes
from callcenter.adapters.http.seats import seat_routes
from callcenter.adapters.http.surveys import survey_routes
from callcenter.calls.model import CallOutcome
from callcenter.core.actors import Actor, Role
from callcenter.core.clock import SystemClock
from callcenter.queue.seats.agent_session import PauseReason, Skill
from callcenter.queue.seats.agents import AgentActivity
from callcenter.queue.seats.sessions import AgentSessions
from callcenter.staff.passwords import PasswordReason
from callcenter.ticketing.catalogue.addresses import ResolutionIssue
from callcenter.ticketing.deadlines import RequestType, Urgency
from callcenter.ticketing.orders.ports import InboxNotice
from callcenter.ticketing.orders.record import AnnotationKind, CallbackOutcome, ExtensionStatus, ReturnOutcome
from callcenter.ticketing.states import Action, TicketStatus
from callcenter.ticketing.supervision.rules import SupervisionKind, SupervisionStatus, SupervisionTrigger
from callcenter.ticketing.supervision.sweeper import AlertKind
from callcenter.ticketing.surveys.desk import SurveyDesk
from callcenter.ticketing.surveys.model import AttemptOutcome, SurveyState
from callcenter.ticketing.surveys.policy import SurveyPolicy
from callcenter.ticketing.surveys.rules import SurveyNote
from tests.integration.test_work_orders import NEW_ORDER, act, get, post
from tests.support.web import Web, build_web

SCRIPTS = sorted([STATIC / "app.js", *(STATIC / "desk").glob("*.js")])
API_CALL = re.compile(r"""\bapi\(\s*"([A-Z]+)"\s*,\s*[`"'](/api/[^`"'?]*)""")
API_LITERAL = re.compile(r"""[`"'](/api/[^`"'?]*)""")
ACTION_CALL = re.compile(r"""\bact\(\s*\w+\s*,\s*"([a-z_]+)\"""")
IMPORT = re.compile(r"""\bfrom\s+"(\.{1,2}/[^"]+)\"""")
FORBIDDEN = (
    "innerHTML",
    "outerHTML",
    "insertAdjacentHTML",
    "document.write",
    "eval(",
    "new Function",
    'setAttribute("on',
)
LABEL_TABLES: dict[str, Iterable[StrEnum]] = {
    "status": TicketStatus,
    "action": Action,
    "urgency": Urgency,
    "request_type": RequestType,
    "role": Role,
    "supervision_kind": SupervisionKind,
    "supervision_trigger": SupervisionTrigger,
    "supervision_status": SupervisionStatus,
    "alert": AlertKind,
    "callback_outcome": CallbackOutcome,
    "extension_status": ExtensionStatus,
    "return_outcome": ReturnOutcome,
    "annotation": AnnotationKind,
    "call_outcome": CallOutcome,
    "activity": AgentActivity,
    "pause_reason": PauseReason,
    "skill": Skill,
    "location_issue": ResolutionIssue,
    "password_reason": PasswordReason,
    "survey_note": SurveyNote,
    "survey_state": SurveyState,
    "survey_outcome": AttemptOutcome,
}


class SilentFeed:
    """An inbox feed with nothing to say: only the route of the live stream is needed here."""

    def channels_for(self, actor: Actor) -> tuple[str, ...]:
        return ("hotline",)

    @asynccontextmanager
    async def subscribe(self, channels: Iterable[str]) -> AsyncIterator[AsyncIterator[InboxNotice]]:
        async def nothing() -> AsyncIterator[InboxNotice]:
            return
            yield  # an async generator that ends at once

        yield nothing()


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    surveys = SqlSurveys(engine)
    return await build_web(
        aiohttp_client,
        engine,
        extra_routes=[
            lambda app: add_inbox_routes(app, SilentFeed()),
            lambda app: add_agent_routes(app, AgentSessions(None, {}, SystemClock())),  # type: ignore[arg-type]
            lambda app: add_live_routes(app, LiveDeps(None, None, None)),  # type: ignore[arg-type]
            seat_routes(None),  # the seat phones' secrets (admin): 503 without a seat secrets file
            survey_routes(
                SurveyDesk(surveys, surveys, SqlSurveyCampaign(engine), SystemClock(), SurveyPolicy())
            ),  # 回访 tab
        ],
    )


class Markup(HTMLParser):
    """Collects what a strict CSP would refuse: inline scripts and styles, style and on* attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.assets: list[str] = []
        self.inside_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        self.problems += [f"<{tag} {n}=…>" for n in names if n.startswith("on") or n == "style"]
        if tag == "style":
            self.problems.append("<style>")
        if tag == "script":
            self.inside_script = True
            if not names.get("src"):
                self.problems.append("<script> without src")
        for attr in ("src", "href"):
            value = names.get(attr) or ""
            if value.startswith(("http:", "https:", "//", "javascript:", "data:")):
                self.problems.append(f"{attr}={value}")
            if tag in ("script", "link") and value:
                self.assets.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.inside_script = False

    def handle_data(self, data: str) -> None:
        if self.inside_script and data.strip():
            self.problems.append("inline script text")


def script_text() -> Iterator[tuple[Path, str]]:
    for path in SCRIPTS:
        yield path, path.read_text(encoding="utf-8")


def routes_of(app: Application) -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for route in app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        pattern = info.get("path") or info.get("formatter")
        if pattern:
            regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(pattern))
            found.append((route.method, re.compile(regex)))
    return found


def called_paths() -> set[tuple[str, str]]:
    """(method, path) of every /api/ path in the scripts; ${…} stands for one path segment; not in
    an ``api(METHOD, …)`` call (audio src, EventSource) means GET."""
    calls: set[tuple[str, str]] = set()
    for _path, text in script_text():
        with_method = {m.start(2) - 1: (m.group(1), m.group(2)) for m in API_CALL.finditer(text)}
        for literal in API_LITERAL.finditer(text):
            method, path = with_method.get(literal.start(), ("GET", literal.group(1)))
            calls.add((method, re.sub(r"\$\{[^}]*\}", "ID", path)))
    return calls


def unrouted(app: Application, calls: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    routes = routes_of(app)
    return [
        (method, path)
        for method, path in sorted(calls)
        if not any(m == method and rx.fullmatch(path) for m, rx in routes)
    ]


async def test_the_page_and_its_assets_are_served_under_the_csp(web: Web) -> None:
    response = await web.client.get("/")
    html = await response.text()
    assert response.status == 200 and response.content_type == "text/html"
    parser = Markup()
    parser.feed(html)
    assert parser.problems == []
    assert "/static/app.js" in parser.assets and "/static/app.css" in parser.assets
    assets = [*parser.assets, *(f"/static/{p.relative_to(STATIC).as_posix()}" for p in SCRIPTS)]
    for url in assets:
        asset = await web.client.get(url)
        assert asset.status == 200, url
        csp = asset.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        if url.endswith(".js"):  # module scripts are refused unless served as JavaScript
            assert asset.content_type in ("text/javascript", "application/javascript"), url
    assert "unsafe" not in response.headers["Content-Security-Policy"]


async def test_scripts_never_write_markup_and_import_only_their_own_modules() -> None:
    for path, text in script_text():
        assert [word for word in FORBIDDEN if word in text] == [], path.name
        assert "http://" not in text and "https://" not in text, path.name
        for module in IMPORT.findall(text):
            assert (path.parent / module).resolve().is_file(), (path.name, module)
    assert "textContent" in (STATIC / "desk" / "dom.js").read_text(encoding="utf-8")


async def test_every_api_path_the_desk_calls_exists_with_its_method(web: Web) -> None:
    calls = called_paths()
    assert ("GET", "/api/me") in calls and ("POST", "/api/workorders/ID/register") in calls
    assert ("PUT", "/api/admin/calendar/ID") in calls and ("DELETE", "/api/admin/calendar/ID") in calls
    core = [c for c in calls if not c[1].startswith("/api/catalogue/")]
    assert unrouted(web.client.app, core) == []


async def test_the_catalogue_paths_exist_once_the_catalogue_api_is_wired(web: Web) -> None:
    catalogue = [c for c in called_paths() if c[1].startswith("/api/catalogue/")]
    assert {p for _m, p in catalogue} == {
        "/api/catalogue/categories",
        "/api/catalogue/units",
        "/api/catalogue/suggest",
    }
    if not any(rx.pattern.startswith("/api/catalogue") for _m, rx in routes_of(web.client.app)):
        pytest.skip("the catalogue API is not in the app yet; the desk works without suggestions")
    assert unrouted(web.client.app, catalogue) == []


async def test_every_action_the_desk_sends_is_a_known_command() -> None:
    actions = {a for _path, text in script_text() for a in ACTION_CALL.findall(text)}
    assert {"dispatch", "reassign", "reject_return", "callback", "reopen", "resolve_on_call"} <= actions
    assert actions - set(PARSERS) == set()


def label_keys(kind: str) -> set[str]:
    text = (STATIC / "desk" / "labels.js").read_text(encoding="utf-8")
    table = re.search(rf"\n  {kind}: \{{(.*?)\}},\n", text, re.S)
    assert table is not None, kind
    return set(re.findall(r"(\w+): \"", table.group(1)))


@pytest.mark.parametrize("kind", sorted(LABEL_TABLES))
def test_the_label_table_names_every_code_in_chinese(kind: str) -> None:
    assert {str(v) for v in LABEL_TABLES[kind]} - label_keys(kind) == set()


async def test_the_page_and_tabs_are_in_chinese(web: Web) -> None:
    html = await (await web.client.get("/")).text()
    for words in ("12345 政务服务便民热线", "工单草稿", "登录", "退出登录", "/static/inbox.html"):
        assert words in html
    app = (STATIC / "app.js").read_text(encoding="utf-8")
    for tab in ("受理", "派单", "督办", "回访", "工单查询", "知识库", "通话", "管理"):
        assert f'title: "{tab}"' in app
    intake = (STATIC / "desk" / "intake.js").read_text(encoding="utf-8")
    assert "受理并派单" in intake and "仅受理" in intake and "直接办结" in intake
    assert "工单已被他人修改，已刷新" in (STATIC / "desk" / "order.js").read_text(encoding="utf-8")


async def test_the_bodies_the_desk_builds_are_accepted(web: Web) -> None:
    """Shapes from intake.js, dispatch.js, supervise.js, followup.js: empty optional fields are sent as ""."""
    typed = {**NEW_ORDER, "summary": "", "category_code": "", "area_code": "", "request_type": "",
             "confidential": False, "caller_number": "13800138000"}  # fmt: skip
    order = await post(web, "agent1", "/api/workorders", typed)
    assert order["status"] == "registered" and order["category_code"] is None and order["summary"]
    order = await act(web, "dispatcher1", order, "dispatch", lead_unit="jianguomen", assisting_units=[])
    assert order["status"] == "dispatched"
    body = {"ticket_id": order["id"], "kind": "platform", "note": "请尽快联系市民", "due_at": ""}
    opened = await post(web, "supervisor1", "/api/supervisions", body, status=201)
    body = {**body, "due_at": "2026-11-26T17:30:00+08:00"}  # shanghaiIso() of a datetime-local value
    assert (await post(web, "supervisor1", "/api/supervisions", body, status=201))["due_at"]
    await post(web, "supervisor1", f"/api/supervisions/{opened['id']}/close", {"closing_note": "已联系"})
    order = await act(web, "unit-a", order, "acknowledge")
    order = await act(web, "unit-a", order, "start_handling")
    order = await act(web, "unit-a", order, "reply", text="已修复")
    order = await act(web, "agent1", order, "schedule_callback")
    order = await act(web, "agent1", order, "callback", outcome="dissatisfied", note="路灯仍不亮")
    assert order["status"] == "dispatched" and order["callbacks"][0]["note"] == "路灯仍不亮"
    shown = await get(web, "supervisor1", f"/api/workorders/{order['id']}")
    assert {"trail", "replies", "returns", "extensions", "callbacks", "annotations", "matter_id"} <= set(
        shown
    )


async def test_a_stale_version_answers_the_code_the_desk_reloads_on(web: Web) -> None:
    order = await post(web, "agent1", "/api/workorders", {**NEW_ORDER, "caller_number": "13800138000"})
    await act(web, "dispatcher1", order, "dispatch", lead_unit="jianguomen")
    stale = await act(web, "dispatcher1", order, "dispatch", status=409, lead_unit="water")
    assert stale["code"] == "concurrent_update" and set(stale) == {"code", "message", "details"}


async def test_the_suggestion_has_the_fields_the_desk_reads(web: Web) -> None:
    """normalise() in catalogue.js reads area {code, path} and route {lead_unit, assisting_units, unclear}."""
    url = "/api/catalogue/suggest"
    found = await post(web, "agent1", url, {"address": "东城区王府井大街18号", "category": "010101"})
    assert {"code", "name", "path"} <= set(found["area"]) and isinstance(found["area_candidates"], list)
    assert found["route"]["lead_unit"] and found["route"]["unclear"] is None
    assert isinstance(found["route"]["assisting_units"], list)
    unclear = await post(web, "agent1", url, {"address": "火星", "category": "010101"})
    assert unclear["route"]["lead_unit"] is None and unclear["route"]["unclear"]
    assert isinstance(unclear["route"]["candidates"], list)
    units = await get(web, "agent1", "/api/catalogue/units")
    assert {"id", "name", "kind", "active"} <= set(units["items"][0])
