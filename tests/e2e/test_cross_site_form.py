"""A page on another port of the same host cannot act as the logged-in agent (issue 11, item 6).

Headless Chromium logs in to the desk, then opens a page served by a second web server on another port of
127.0.0.1 — same-site for the SameSite=Strict session cookie, which the browser therefore sends — that
posts a urlencoded form to 解除并单 on its own. The hotline refuses it (403 ``cross_site_request``) and
the merge stands; the desk's own requests, with the same cookie, still work.
"""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web
from selenium.webdriver.common.by import By

from tests.support.browser import Browser, LiveApp
from tests.support.web import PASSWORD

pytestmark = pytest.mark.slow

ORDER = {
    "request_text": "东城区王府井大街18号门口垃圾好几天没清运了。",
    "caller_number": "13800138000",
    "category_code": "010101",
    "address": "东城区王府井大街18号",
    "dispatch": "auto",
}


def attack_page(action: str) -> str:
    """What a hostile page on another port serves: a form that posts itself as soon as it loads."""
    return (
        "<!doctype html><html><body>"
        f'<form method="post" action="{action}" enctype="application/x-www-form-urlencoded">'
        '<input type="hidden" name="confirm" value="1"></form>'
        "<script>document.forms[0].submit()</script>"
        "</body></html>"
    )


async def merged_pair(app: LiveApp) -> int:
    """Two orders of one matter (并单 by hand); the second one's id."""
    client = await app.web.login("agent1")
    first = await (await client.post("/api/workorders", json=ORDER)).json()
    second = await (
        await client.post("/api/workorders", json={**ORDER, "caller_number": "13900139000"})
    ).json()
    await app.web.service.settle()
    linked = await client.post(f"/api/workorders/{second['id']}/matter/link", json={"ticket_id": first["id"]})
    assert linked.status == 200, await linked.text()
    return int(second["id"])


async def matter_of(app: LiveApp, ticket_id: int) -> Any:
    client = await app.web.login("agent1")
    return (await (await client.get(f"/api/workorders/{ticket_id}")).json())["matter_id"]


async def test_a_form_posted_from_another_port_does_not_undo_a_merge(
    live_app: LiveApp, browser: Browser, aiohttp_server: Any
) -> None:
    ticket = await merged_pair(live_app)
    matter = await matter_of(live_app, ticket)
    assert matter is not None
    target = f"{live_app.url}/api/workorders/{ticket}/matter/unlink"

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=attack_page(target), content_type="text/html")

    hostile = web.Application()
    hostile.router.add_get("/", page)
    server = await aiohttp_server(hostile, host="127.0.0.1")
    assert server.port != live_app.web.client.port  # another port of the same host

    await browser.login("/", "agent1", PASSWORD)
    await browser.text("#who", "话务员一")  # logged in: the browser holds the session cookie
    await browser.call(browser.driver.get, f"http://127.0.0.1:{server.port}/")
    await browser.until(lambda d: d.current_url == target, "the form to post itself")
    shown = await browser.until(
        lambda d: d.find_element(By.TAG_NAME, "body").text or False, "the hotline's answer"
    )
    assert "cross_site_request" in shown, shown
    assert await matter_of(live_app, ticket) == matter  # the merge stands

    await browser.open("/")  # the desk itself, same cookie: still at work
    await browser.text("#who", "话务员一")
