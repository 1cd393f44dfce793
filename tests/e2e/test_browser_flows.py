"""The two web pages in a real browser: the staff desk at ``/`` and the unit's mobile inbox, end to end.

Headless Chromium (tests/support/browser.py) on the app served on a loopback port, real database, real
Redis for the live inbox. Each flow is driven through the page; what a test is not about (an order to work
on) is set up through the API, and the outcome is checked through the API.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.remote.webdriver import WebDriver
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.browser import PHONE, Browser, LiveApp
from tests.support.web import PASSWORD

pytestmark = pytest.mark.slow

INBOX = "/static/inbox.html"
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>东单北大街路灯不亮"
ORDER: dict[str, Any] = {
    "request_text": "东城区王府井大街18号门口垃圾好几天没清运了。",
    "caller_number": "13800138000",
    "citizen": {"name": "王女士", "phone": "13800138000"},
    "category_code": "010101",
    "address": "东城区王府井大街18号",
    "request_type": "complaint",
}
ROUTED_UNIT = "jd-110101001"  # where the sample city's catalogue sends 010101 at 王府井大街18号


# --- the API side --------------------------------------------------------------------------------------


async def api(app: LiveApp, user: str, method: str, url: str, body: Any = None) -> Any:
    client = await app.web.login(user)
    response = await client.request(method, url, json=body)
    data = await response.json()
    assert response.status == 200, (url, data)
    return data


async def dispatched(app: LiveApp, unit: str = "jianguomen", **extra: Any) -> dict[str, Any]:
    """An order typed in by an agent and dispatched to ``unit`` in the same step."""
    body = {**ORDER, **extra, "dispatch": {"lead_unit": unit, "assisting_units": []}}
    order: dict[str, Any] = await api(app, "agent1", "POST", "/api/workorders", body)
    assert order["status"] == "dispatched"
    return order


async def act(app: LiveApp, user: str, order: dict[str, Any], action: str, **fields: Any) -> dict[str, Any]:
    url = f"/api/workorders/{order['id']}/actions/{action}"
    changed: dict[str, Any] = await api(app, user, "POST", url, {"version": order["version"], **fields})
    return changed


def png(path: Path) -> Path:
    """A real 4×4 red PNG (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


# --- the page side -------------------------------------------------------------------------------------


def no_alert(driver: WebDriver) -> None:
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert  # noqa: B018 (the property raises when no dialog is open)


async def page_width(browser: Browser) -> int:
    width: int = await browser.js("return document.documentElement.scrollWidth")
    return width


async def unit_inbox(browser: Browser, user: str = "unit-a", hash_: str = "") -> None:
    """The unit's inbox, logged in, with its event stream connected (实时) and the catch-up reload that
    follows the connection done (a change made before then would be shown by it)."""
    await browser.login(INBOX + hash_, user, PASSWORD)
    await browser.text("#live", "实时")
    await browser.settled()


# --- login ---------------------------------------------------------------------------------------------


async def test_login_shows_errors_names_and_tabs_and_sends_units_to_their_inbox(
    browser: Browser, live_app: LiveApp
) -> None:
    await browser.login("/", "agent1", "not-the-password")
    await browser.text("#login-message", "账号或密码错误")

    await browser.login("/", "agent1", PASSWORD)
    await browser.text("#who", "话务员一（话务员）")
    await browser.element("#tabs button")
    tabs = await browser.js("return [...document.querySelectorAll('#tabs button')].map((b) => b.textContent)")
    assert tabs == ["受理", "回访", "工单查询", "知识库"]
    await browser.click("退出登录")
    await browser.text("#login-message", "已退出登录")

    await browser.login("/", "unit-a", PASSWORD)
    await browser.until(lambda d: d.current_url.endswith(INBOX), "unit staff sent to the inbox")
    await browser.text("#who", "建国门街道")


# --- 受理 --------------------------------------------------------------------------------------------


async def draft_from_a_call(engine: AsyncEngine, app: LiveApp) -> None:
    """A draft as the transcription worker leaves it (tests/integration/test_work_orders.py)."""
    from callcenter.adapters.db.repositories import SqlCallRepository, SqlTranscriptionStore
    from callcenter.asr.model import Segment, Speaker, Transcript
    from callcenter.calls.model import CallPhase, CallRecord
    from callcenter.core.ids import CallId
    from callcenter.ticketing.orders.drafting import draft_from_transcript

    now = app.web.clock.now()
    call = CallRecord(  # agent1 answered it: theirs to replay (docs/desk.md "Who sees calls")
        CallId("1764.9"), "13900139000", "PJSIP/pstn-9", now, phase=CallPhase.ENDED, answered_by="agent1"
    )
    await SqlCallRepository(engine).save(call)
    words = "王府井大街18号门口的垃圾三天没人清运了，请尽快处理。"
    transcript = Transcript("whisper", "zh", 3.0, (Segment(Speaker.CALLER, 0.5, 2.5, words),))
    draft = draft_from_transcript(call, transcript, now)
    await SqlTranscriptionStore(engine).store(call.call_id, transcript, None, draft, now)


async def test_an_agent_registers_a_draft_and_dispatches_it_to_the_suggested_unit(
    browser: Browser, live_app: LiveApp, engine: AsyncEngine
) -> None:
    await draft_from_a_call(engine, live_app)
    await browser.login("/", "agent1", PASSWORD)
    await browser.click_on("[data-view=intake] .order-row", "13900139000")
    await browser.text("[data-view=intake] .transcript, [data-view=intake] section", "垃圾三天没人清运")

    form = "[data-view=intake] form.registration"
    await browser.text(f"{form} .draft-cues", "通话建议 — 紧急程度：")  # read from the caller's words
    await browser.type(f"{form} [name=category]", "010101")
    await browser.type(f"{form} [name=address]", "东城区王府井大街18号")
    await browser.text(f"{form} .suggestion .suggested", "一单通达建议：主办 ")
    await browser.text(f"{form} .suggestion .suggested", ROUTED_UNIT)
    await browser.value(f"{form} [name=lead_unit]", ROUTED_UNIT)
    await browser.click("受理并派单", form)
    await browser.text("[data-view=intake] .message.ok", "已受理并派单")

    (order,) = (await api(live_app, "agent1", "GET", "/api/workorders?status=dispatched"))["items"]
    assert (order["lead_unit"], order["category_code"]) == (ROUTED_UNIT, "010101")
    assert order["address"] == "东城区王府井大街18号" and order["call_id"] == "1764.9"


async def test_an_agent_adopts_the_category_and_place_the_callers_words_name(
    browser: Browser, live_app: LiveApp, engine: AsyncEngine
) -> None:
    await draft_from_a_call(engine, live_app)
    await browser.login("/", "agent1", PASSWORD)
    await browser.click_on("[data-view=intake] .order-row", "13900139000")
    form = "[data-view=intake] form.registration"
    await browser.text(f"{form} .draft-cues .category-cue", "诉求分类建议：城乡建设 / 市容环卫 / 垃圾清运")
    await browser.text(
        f"{form} .draft-cues .location-cue", "地址建议：王府井大街18号门口 → 东城区 / 东华门街道"
    )
    await browser.click("采用", f"{form} .category-cue")
    await browser.click("采用", f"{form} .location-cue")
    await browser.value(f"{form} [name=address]", "王府井大街18号门口")
    await browser.text(f"{form} .suggestion .suggested", ROUTED_UNIT)  # the typed address's own suggestion
    await browser.value(f"{form} [name=lead_unit]", ROUTED_UNIT)
    await browser.click("受理并派单", form)
    await browser.text("[data-view=intake] .message.ok", "已受理并派单")
    (order,) = (await api(live_app, "agent1", "GET", "/api/workorders?status=dispatched"))["items"]
    assert (order["category_code"], order["area_code"]) == ("010101", "110101001000")


async def test_a_consultation_draft_shows_knowledge_answers_to_expand(
    browser: Browser, live_app: LiveApp, engine: AsyncEngine
) -> None:
    from callcenter.wiring.workorders import seed_knowledge
    from tests.integration.test_work_orders import draft_from_words

    await seed_knowledge(live_app.web.parts, live_app.web.clock.now())
    words = '请问 社保卡 丢了 怎么 补办 <img src=x onerror="window.pwned=1">'
    await draft_from_words(live_app.web, engine, "1764.41", words)
    await browser.login("/", "agent1", PASSWORD)
    await browser.click_on("[data-view=intake] .order-row", "13900139000")
    form = "[data-view=intake] form.registration"
    await browser.text(f"{form} .draft-cues .knowledge", "知识库")
    await browser.click_on(f"{form} .knowledge summary", "社保卡办理与补换")
    await browser.text(f"{form} .knowledge details[open] .answer", "以当地最新政策为准")
    await browser.text(f"{form} .knowledge details[open] .muted", "匹配词：社保卡丢了")
    assert await browser.js("return window.pwned === undefined")  # the caller's words stay text


async def test_an_admin_adds_an_article_and_an_agent_finds_it_in_the_knowledge_tab(
    browser: Browser, live_app: LiveApp
) -> None:
    from callcenter.wiring.workorders import seed_knowledge

    await seed_knowledge(live_app.web.parts, live_app.web.clock.now())
    await browser.login("/", "admin", PASSWORD)
    await browser.click_on("#tabs button", "知识库")
    view = "[data-view=knowledge]"
    await browser.text(f"{view} .knowledge-results h3", "全部条目（28）")
    await browser.click("＋ 新增知识条目", view)
    await browser.type(f"{view} [name=title]", "电动自行车登记上牌")
    await browser.type(f"{view} [name=keywords]", "电动车上牌 电动自行车登记")
    await browser.type(f"{view} [name=answer]", "<b>携带购车发票和身份证到登记点办理</b>")
    await browser.click("保存", f"{view} form.knowledge-form")
    await browser.text(f"{view} .knowledge-results h3", "全部条目（29）")
    await browser.click("退出登录")
    await browser.text("#login-message", "已退出登录")

    await browser.login("/", "agent1", PASSWORD)
    await browser.click_on("#tabs button", "知识库")
    await browser.type(f"{view} [name=knowledge_search]", "请问电动车上牌怎么办")
    await browser.click_on(f"{view} .knowledge summary", "电动自行车登记上牌")
    await browser.text(f"{view} details[open] .answer", "<b>携带购车发票和身份证到登记点办理</b>")  # as text
    assert await browser.js(f"return document.querySelector('{view} details[open] .answer b') === null")
    assert await browser.js(f"return document.querySelector('{view} form.knowledge-form') === null")


# --- 回访 --------------------------------------------------------------------------------------------


async def test_a_supervisor_finds_a_survey_in_the_followup_tab_and_its_call_has_a_player(
    browser: Browser, live_app: LiveApp, engine: AsyncEngine
) -> None:
    from dataclasses import replace

    from callcenter.adapters.db.surveys import SqlSurveys
    from callcenter.ticketing.surveys.model import AttemptOutcome, SurveyAttempt
    from callcenter.ticketing.surveys.policy import SurveyPolicy
    from callcenter.wiring.surveys import build_surveys

    web = live_app.web
    build_surveys(engine, web.service, web.clock, SurveyPolicy(first_delay_minutes=0))  # files surveys
    order = await dispatched(live_app)
    for action, fields in (("acknowledge", {}), ("start_handling", {}), ("reply", {"text": "已清运。"})):
        order = await act(live_app, "unit-a", order, action, **fields)
    (survey,) = await SqlSurveys(engine).for_ticket(order["id"])
    assert live_app.recordings_dir is not None
    wav = live_app.recordings_dir / f"survey-{survey.id}-1-call.wav"
    wav.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(64))
    now = web.clock.now()
    call = SurveyAttempt(
        1, "s-1", "a", now, now, AttemptOutcome.DISSATISFIED, "3", "不满意", str(wav), "还没清运"
    )
    await SqlSurveys(engine).save(replace(survey, history=(call,), attempts=1))

    await browser.login("/#followup", "supervisor1", PASSWORD)
    await browser.click_on(".survey-row", f"回访 #{survey.id}")
    row = await browser.text(".survey-pane tr", "还没清运")
    assert "不满意" in row.text and "3" in row.text
    audio = await browser.element(".survey-pane audio")
    url = f"/api/surveys/{survey.id}/calls/1/recording.wav"
    assert (audio.get_attribute("preload"), audio.get_attribute("src")) == ("none", live_app.url + url)
    fetched = await browser.js(
        "return fetch(arguments[0]).then((r) => [r.status, r.headers.get('Content-Type')])", url
    )
    assert fetched == [200, "audio/wav"]
    assert await browser.js("return document.querySelector('.list-pane').hasAttribute('aria-busy')") is False


# --- the unit's inbox on a phone ---------------------------------------------------------------------


@pytest.mark.browser_window(*PHONE)
async def test_a_unit_sees_a_new_order_live_and_replies_with_a_photo_on_a_phone(
    browser: Browser, live_app: LiveApp, tmp_path: Path
) -> None:
    await unit_inbox(browser)
    await browser.text("#empty", "暂无待办工单")
    await browser.js("window.notReloaded = true")

    order = await dispatched(live_app)
    await browser.text("#orders .order-link", f"#{order['id']}")
    assert await browser.js("return window.notReloaded") is True  # the event stream brought it
    assert await page_width(browser) <= PHONE[0]

    await browser.click_on("#orders .order-link", f"#{order['id']}")
    await browser.text("#detail", ORDER["request_text"])
    await browser.click("签收", "#actions")
    await browser.text("#detail .chip", "已签收")
    await browser.click("开始办理", "#actions")
    await browser.text("#detail .chip", "办理中")
    await browser.type("#actions .action-reply textarea", "已联系环卫所清运完毕，现场照片见附件。")
    photo = await browser.element("#actions .action-reply input[type=file]")
    await browser.call(photo.send_keys, str(png(tmp_path / "scene.png")))
    await browser.click("提交回单", "#actions")
    await browser.text("#detail .chip", "已回单")
    await browser.text("#attachments .file-name", "scene.png")
    await browser.element("#attachments img")
    assert await page_width(browser) <= PHONE[0]

    done = await api(live_app, "unit-a", "GET", f"/api/workorders/{order['id']}")
    assert done["status"] == "replied"
    assert [r["text"] for r in done["replies"]] == ["已联系环卫所清运完毕，现场照片见附件。"]
    files = (await api(live_app, "unit-a", "GET", f"/api/workorders/{order['id']}/attachments"))["items"]
    assert [(f["filename"], f["content_type"]) for f in files] == [("scene.png", "image/png")]


# --- hostile text ------------------------------------------------------------------------------------


async def shows_literally(browser: Browser, css: str) -> None:
    node = await browser.text(css, "东单北大街路灯不亮")
    assert await browser.js("return arguments[0].textContent", node) == HOSTILE
    assert await browser.js("return document.querySelectorAll('img[src=\"x\"], main script').length") == 0
    await browser.call(no_alert, browser.driver)


async def test_markup_in_a_citizens_words_is_shown_as_text_on_both_pages(
    browser: Browser, live_app: LiveApp
) -> None:
    order = await dispatched(live_app, request_text=HOSTILE, summary="")
    await browser.login(f"/#order/{order['id']}", "agent1", PASSWORD)
    await shows_literally(browser, "[data-view=search] .request-text")

    await browser.click("退出登录")
    await unit_inbox(browser, hash_=f"#/order/{order['id']}")
    await shows_literally(browser, "#detail dd.pre")
    await browser.text("#orders .order-summary", "<img src=x")


# --- a stale order -----------------------------------------------------------------------------------


@pytest.mark.browser_window(*PHONE)
async def test_an_action_on_a_stale_order_says_so_and_reloads_it(browser: Browser, live_app: LiveApp) -> None:
    order = await dispatched(live_app)
    await unit_inbox(browser, hash_=f"#/order/{order['id']}")
    await browser.button("签收", "#actions")
    async with live_app.notices.hold():  # the page hears nothing of the change meanwhile
        await act(live_app, "unit-a", order, "acknowledge")
        await browser.click("签收", "#actions")
        await browser.text("#flash", "工单已被他人修改")
        await browser.text("#detail .chip", "已签收")  # reloaded: now it can be started
        await browser.button("开始办理", "#actions")


# --- 派单 --------------------------------------------------------------------------------------------


async def test_a_dispatcher_sees_the_return_reason_and_reassigns_the_order(
    browser: Browser, live_app: LiveApp
) -> None:
    order = await dispatched(live_app)
    reason = "该路段不属于本街道辖区，应由朝阳门街道办理"
    await act(live_app, "unit-a", order, "return", reason=reason)

    await browser.login("/", "dispatcher1", PASSWORD)
    await browser.click_on("[data-view=dispatch] .order-row", f"#{order['id']}")
    await browser.text("[data-view=dispatch] .return-reason", reason)
    await browser.text("[data-view=dispatch] .suggestion", "一单通达建议")  # prefilled, then overridden
    await browser.type("[data-view=dispatch] [name=lead_unit]", "chaoyangmen")
    await browser.click("改派", "[data-view=dispatch]")
    await browser.text("[data-view=dispatch] .message.ok", "已改派")

    after = await api(live_app, "dispatcher1", "GET", f"/api/workorders/{order['id']}")
    assert (after["status"], after["lead_unit"]) == ("dispatched", "chaoyangmen")
    assert [r["outcome"] for r in after["returns"]] == ["reassigned"]


async def test_the_desk_reloads_an_order_someone_else_dispatched_meanwhile(
    browser: Browser, live_app: LiveApp
) -> None:
    order = await api(live_app, "agent1", "POST", "/api/workorders", ORDER)  # 仅受理: to the dispatcher
    await browser.login("/", "dispatcher1", PASSWORD)
    await browser.click_on("[data-view=dispatch] .order-row", f"#{order['id']}")
    await browser.value("[data-view=dispatch] [name=lead_unit]", ROUTED_UNIT)  # the catalogue's suggestion
    async with live_app.notices.hold():  # the desk hears nothing of the change meanwhile
        await act(live_app, "dispatcher1", order, "dispatch", lead_unit="water", assisting_units=[])
        await browser.click("派单", "[data-view=dispatch] .work-pane")
        await browser.text("[data-view=dispatch] .message.error", "工单已被他人修改，已刷新")
        await browser.text("[data-view=dispatch] .work-pane", "不在派单队列中")
    after = await api(live_app, "dispatcher1", "GET", f"/api/workorders/{order['id']}")
    assert (after["status"], after["lead_unit"]) == ("dispatched", "water")
