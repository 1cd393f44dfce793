"""Accounts in a real browser (issue 11, item 7 d): 修改密码 on the desk and on the unit's inbox, forced
when an admin set the password, with Chinese reasons for a weak one; 停用/启用 and 登录安全 in the admin
tab. Headless Chromium on the app served on a loopback port (tests/support/browser.py)."""

from __future__ import annotations

import pytest

from tests.support.browser import Browser, LiveApp
from tests.support.web import PASSWORD

pytestmark = pytest.mark.slow

TEMPORARY = "Temporary-Pass-07"
NEW_PASSWORD = "Lantern-River-2026"


async def admin_resets(app: LiveApp, user: str) -> None:
    client = await app.web.login("admin")
    body = {"password": TEMPORARY, "must_change_password": True}
    response = await client.post(f"/api/admin/staff/{user}/password", json=body)
    assert response.status == 200, await response.text()


async def can_log_in(app: LiveApp, user: str, password: str) -> bool:
    client = app.web.client
    client.session.cookie_jar.clear()
    response = await client.post("/api/login", json={"login": user, "password": password})
    return response.status == 200 and (await response.json())["must_change_password"] is False


FILL_NEW = (  # both new-password fields at once (typing into them is slow and not what is tested)
    "const [a, b] = document.querySelectorAll(arguments[0]); a.value = arguments[1]; b.value = arguments[2];"
)


async def fill_password_form(browser: Browser, form: str, current: str, new: str, repeat: str) -> None:
    await browser.type(f"{form} [type=password][autocomplete=current-password]", current)
    fresh = f"{form} [type=password][autocomplete=new-password]"
    await browser.js(FILL_NEW, fresh, new, repeat)
    await browser.click("保存新密码", form)


async def test_an_agent_with_an_admin_set_password_must_change_it_first_on_the_desk(
    browser: Browser, live_app: LiveApp
) -> None:
    await admin_resets(live_app, "agent1")
    await browser.login("/", "agent1", TEMPORARY)
    await browser.text("#password-forced", "请先设置新密码")
    assert await browser.js("return document.querySelector('#tabs').hidden") is True
    await fill_password_form(browser, "#password-form", TEMPORARY, NEW_PASSWORD, "Lantern-River-2027")
    await browser.text("#password-message", "两次输入的新密码不一致")
    await fill_password_form(browser, "#password-form", TEMPORARY, "1234567890", "1234567890")
    await browser.text("#password-message", "密码强度不够")
    await fill_password_form(browser, "#password-form", TEMPORARY, NEW_PASSWORD, NEW_PASSWORD)
    await browser.element("#tabs button")  # the desk opens
    assert await can_log_in(live_app, "agent1", NEW_PASSWORD)


async def test_a_member_changes_their_password_from_the_desk_header(
    browser: Browser, live_app: LiveApp
) -> None:
    await browser.login("/", "dispatcher1", PASSWORD)
    await browser.element("#tabs button")
    await browser.click("修改密码")
    await fill_password_form(browser, "#password-form", "not-my-password", NEW_PASSWORD, NEW_PASSWORD)
    await browser.text("#password-message", "当前密码不正确")
    await fill_password_form(browser, "#password-form", PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    await browser.text("#password-message", "密码已修改")
    await browser.click("返回", "#password-form")
    await browser.element("#views [data-view]")
    assert await can_log_in(live_app, "dispatcher1", NEW_PASSWORD)


async def test_unit_staff_change_an_admin_set_password_on_their_inbox(
    browser: Browser, live_app: LiveApp
) -> None:
    await admin_resets(live_app, "unit-a")
    await browser.login("/static/inbox.html", "unit-a", TEMPORARY)
    await browser.text("#password-forced", "请先设置新密码")
    await fill_password_form(browser, "#password-form", TEMPORARY, "woaini1314", "woaini1314")
    await browser.text("#flash", "常见密码")
    await fill_password_form(browser, "#password-form", TEMPORARY, NEW_PASSWORD, NEW_PASSWORD)
    await browser.text("#live", "实时")  # the inbox opens, its event stream connected
    assert await can_log_in(live_app, "unit-a", NEW_PASSWORD)


async def test_the_admin_disables_an_account_and_sees_login_security(
    browser: Browser, live_app: LiveApp
) -> None:
    await browser.login("/", "admin", PASSWORD)
    await browser.click_on("#tabs button", "管理")
    await browser.text(".admin h3", "登录安全")
    await browser.text(".admin", "当前没有被锁定的登录")
    row = "//tr[td[1][normalize-space()='agent1']]//button[normalize-space()='停用']"
    await browser.until(lambda d: d.find_element("xpath", row).click() or True, "停用 agent1")
    await browser.until(
        lambda d: d.find_elements("xpath", "//tr[td[1][normalize-space()='agent1']]/td[5][.='已停用']"),
        "agent1 shown as 已停用",
    )
    client = live_app.web.client
    client.session.cookie_jar.clear()
    refused = await client.post("/api/login", json={"login": "agent1", "password": PASSWORD})
    assert refused.status == 401
