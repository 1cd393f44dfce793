"""Citizens' data stays out of URLs and the access log (issue 11, item 3): searches by caller or words go in
POST bodies, the old GET forms refuse those parameters, and the access log keeps paths and query keys only.
The app runs as ``serve`` runs it (the redacting access logger), on a real database."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.integration.test_work_orders import NEW_ORDER, get, post
from tests.support.web import Web, build_web

NUMBER = "13912345678"
ID_NUMBER = "110101199003071234"
ADDRESS = "东城区建国门内大街18号"


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine, caplog: pytest.LogCaptureFixture) -> Web:
    # At INFO before the first connection: aiohttp decides per connection whether to write access lines.
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    web = await build_web(aiohttp_client, engine)
    await post(web, "agent1", "/api/workorders", {**NEW_ORDER, "caller_number": NUMBER})
    await post(web, "agent1", "/api/workorders", {**NEW_ORDER, "request_text": "小区里的树倒了"})
    return web


async def test_orders_are_searched_by_caller_and_words_in_a_post_body(web: Web) -> None:
    by_caller = await post(web, "dispatcher1", "/api/workorders/search", {"caller": NUMBER, "limit": 10})
    assert [o["caller_number"] for o in by_caller["items"]] == [NUMBER]
    by_words = await post(web, "agent1", "/api/workorders/search", {"q": "树倒了", "status": "registered"})
    assert len(by_words["items"]) == 1
    by_status = await get(web, "agent1", "/api/workorders?status=registered&limit=10")
    assert len(by_status["items"]) == 2
    bad = await post(web, "agent1", "/api/workorders/search", {"caller": [NUMBER]}, status=400)
    assert bad["details"]["field"] == "caller"


@pytest.mark.parametrize(
    "query", [f"caller={NUMBER}", "q=路灯", "q=&status=registered", f"caller={NUMBER}&q=x"]
)
async def test_the_old_get_search_refuses_a_caller_or_words(web: Web, query: str) -> None:
    refused = await get(web, "agent1", f"/api/workorders?{query}", status=400)
    assert refused["code"] == "personal_data_in_url"
    assert refused["details"]["use"] == "POST /api/workorders/search"


async def test_the_access_log_keeps_paths_and_keys_but_no_values(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    client = await web.login("agent1")
    caplog.clear()
    urls = [
        f"/api/workorders?caller={NUMBER}&q={ADDRESS}&limit=5",
        f"/api/knowledge/suggest?text=我的电话是{NUMBER}，身份证{ID_NUMBER}",
        f"/api/catalogue/suggest?address={ADDRESS}&category=010101",
        f"/api/calls/{NUMBER}",
        f"/api/workorders/{ID_NUMBER}",
        "/api/workorders?status=registered&limit=5&offset=0",
        f"/api/missed-calls?state=<script>&date={NUMBER}",
    ]
    for url in urls:
        await client.get(url, headers={"Referer": f"http://127.0.0.1/?caller={NUMBER}"})
    await client.post("/api/workorders/search", json={"caller": NUMBER})
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]

    assert len(lines) == len(urls) + 1, lines
    text = "\n".join(lines)
    for secret in (NUMBER, ID_NUMBER, "建国门", "身份证", "<script>", "http://127.0.0.1/"):
        assert secret not in text, (secret, text)
    assert "GET /api/workorders?caller=…&q=…&limit=5 HTTP/1.1" in text
    assert "GET /api/workorders?status=registered&limit=5&offset=0 HTTP/1.1" in text
    assert "/api/calls/139****5678 " in text and "/api/workorders/110101********1234 " in text
    assert "GET /api/missed-calls?state=…&date=… " in text and "POST /api/workorders/search " in text
