"""保密 and masked numbers in a real browser: the desk warns the agent before a unit reads a confidential
order; the unit's inbox card and order page show only what units may read (headless Chromium)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.test_browser_flows import ORDER, api, dispatched, unit_inbox
from tests.support.browser import PHONE, Browser, LiveApp
from tests.support.web import PASSWORD

pytestmark = pytest.mark.slow

REPORT = "举报人王五 13511112222，王府井大街18号门口的烧烤店天天占道经营到凌晨。"


async def test_the_desk_warns_the_agent_before_registering_a_confidential_order(
    browser: Browser, live_app: LiveApp
) -> None:
    await browser.login("/", "agent1", PASSWORD)
    await browser.click("＋ 手工录入新工单", "[data-view=intake]")
    form = "[data-view=intake] form.registration"
    await browser.type(f"{form} [name=request_text]", REPORT)
    await browser.type(f"{form} [name=caller_number]", "13511112222")
    checkbox = await browser.element(f"{form} [name=confidential]")
    await browser.call(checkbox.click)
    await browser.element(f"{form} [name=unit_summary]")  # shown once 保密 is ticked
    await browser.click("仅受理", form)

    await browser.text(f"{form} .privacy-review", "电话：135****2222")
    await browser.text(f"{form} .privacy-review", "姓名：王五")
    await browser.text(f"{form} .privacy-review .request-text", "举报人【姓名已隐去】 【电话已隐去】")
    assert (await api(live_app, "agent1", "GET", "/api/workorders?status=registered"))["items"] == []

    await browser.click("已核对，确认提交", form)
    await browser.text("[data-view=intake] .message.ok", "承办单位看到的是隐去举报人信息后的内容")
    await browser.text("[data-view=intake] .unit-view", "举报人【姓名已隐去】 【电话已隐去】")
    (order,) = (await api(live_app, "agent1", "GET", "/api/workorders?status=registered"))["items"]
    assert order["confidential"] is True


@pytest.mark.browser_window(*PHONE)
async def test_the_unit_inbox_shows_only_what_units_may_read(browser: Browser, live_app: LiveApp) -> None:
    secret: dict[str, Any] = await api(
        live_app, "agent1", "POST", "/api/workorders",
        {**ORDER, "request_text": REPORT, "confidential": True, "privacy_confirmed": True,
         "dispatch": {"lead_unit": "jianguomen", "assisting_units": []}},
    )  # fmt: skip
    await dispatched(live_app, request_text="路灯坏了，我的电话13912345678", summary="")
    await unit_inbox(browser)
    await browser.text("#orders .order-summary", "举报人【姓名已隐去】 【电话已隐去】")
    await browser.text("#orders .order-summary", "路灯坏了，我的电话139****5678")
    cards = await browser.js("return document.querySelector('#orders').textContent")
    assert "王五" not in cards and "13511112222" not in cards and "13912345678" not in cards

    await browser.click_on("#orders .order-link", f"#{secret['id']}")
    await browser.text("#detail", "王府井大街18号门口的烧烤店天天占道经营到凌晨")
    page = await browser.js("return document.body.textContent")
    assert "王五" not in page and "2222" not in page
