"""The knowledge base over HTTP on a real database: answers for hotline staff, admin-only writes with
clear errors, hostile text inert, and a consultation draft carrying its answers."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.wiring.workorders import seed_knowledge
from tests.integration.test_work_orders import draft_from_words, get
from tests.support.web import START, Web, build_web

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ARTICLE = {
    "title": "电动自行车登记上牌",
    "keywords": ["电动车上牌", "电动自行车登记", "电动车牌照"],
    "answer": "携带购车发票、合格证和身份证到登记点办理。以当地最新政策为准。",
    "category_code": "0903",
}


@pytest.fixture
async def web(aiohttp_client: Any, engine: AsyncEngine) -> Web:
    web = await build_web(aiohttp_client, engine)
    await seed_knowledge(web.parts, START)
    return web


async def send(web: Web, user: str, method: str, url: str, body: Any = None, status: int = 200) -> Any:
    client = await web.login(user)
    response = await client.request(method, url, json=body)
    data = await response.json()
    assert response.status == status, data
    return data


async def suggest(web: Web, user: str, text: str, status: int = 200, **more: Any) -> Any:
    """POST /api/knowledge/suggest: the caller's words travel in the body, never in the URL."""
    return await send(web, user, "POST", "/api/knowledge/suggest", {"text": text, **more}, status)


@pytest.mark.parametrize("user", ["agent1", "dispatcher1", "supervisor1", "admin"])
async def test_hotline_staff_get_ranked_answers_with_the_terms_heard(web: Web, user: str) -> None:
    found = await suggest(web, user, "请问 社保卡 丢了 怎么 补办")
    first = found["items"][0]
    assert first["id"] == "kb-social-card" and first["terms"] == ["社保卡丢了"]
    assert first["title"] == "社保卡办理与补换" and "以当地最新政策为准" in first["answer"]
    assert len(found["items"]) <= 3 and first["score"] >= 2


async def test_irrelevant_or_empty_text_gets_no_answers(web: Web) -> None:
    for text in ("今天天气不错", ""):
        assert (await suggest(web, "agent1", text))["items"] == []
    assert (await send(web, "agent1", "POST", "/api/knowledge/suggest", {}))["items"] == []
    assert (await get(web, "agent1", "/api/knowledge/suggest"))["items"] == []


async def test_bad_suggest_requests_are_refused_clearly(web: Web) -> None:
    too_long = await suggest(web, "agent1", "社" * 401, status=400)
    assert too_long["code"] == "invalid_input" and too_long["details"]["field"] == "text"
    bad_limit = await suggest(web, "agent1", "社保卡", status=400, limit=99)
    assert bad_limit["details"]["field"] == "limit"
    nested = await suggest(web, "agent1", "社保卡", status=400, category=["0903"])
    assert nested["details"]["field"] == "category"


@pytest.mark.parametrize("query", ["text=社保卡丢了", "text=", "text=13912345678&limit=3"])
async def test_the_caller_s_words_in_a_url_are_refused(web: Web, query: str) -> None:
    refused = await get(web, "agent1", f"/api/knowledge/suggest?{query}", status=400)
    assert refused["code"] == "personal_data_in_url" and refused["details"]["fields"] == ["text"]
    assert "POST /api/knowledge/suggest" in refused["message"]


async def test_unit_staff_and_strangers_get_nothing(web: Web) -> None:
    for url in ("/api/knowledge", "/api/knowledge/kb-social-card"):
        assert (await get(web, "unit-a", url, status=403))["code"] == "role_forbidden"
    assert (await suggest(web, "unit-a", "社保卡", status=403))["code"] == "role_forbidden"
    web.client.session.cookie_jar.clear()
    response = await web.client.post("/api/knowledge/suggest", json={"text": "社保卡"})
    assert response.status == 401


async def test_an_admin_adds_edits_and_deletes_an_article_and_answers_follow(web: Web) -> None:
    added = await send(web, "admin", "POST", "/api/knowledge", ARTICLE, status=201)
    assert added["id"].startswith("kb-") and added["version"] == 1 and added["category_code"] == "0903"
    url = f"/api/knowledge/{added['id']}"
    assert (await get(web, "agent1", url))["title"] == ARTICLE["title"]
    found = await suggest(web, "agent1", "我想问电动车上牌怎么办")
    assert found["items"][0]["id"] == added["id"]

    edited = await send(web, "admin", "PUT", url, {**ARTICLE, "title": "电动自行车上牌", "version": 1})
    assert edited["version"] == 2 and edited["title"] == "电动自行车上牌"
    stale = await send(web, "admin", "PUT", url, {**ARTICLE, "version": 1}, status=409)
    assert stale["code"] == "concurrent_update"

    await send(web, "admin", "DELETE", f"{url}?version=2")
    assert (await get(web, "agent1", url, status=404))["code"] == "unknown_article"
    found = await suggest(web, "agent1", "我想问电动车上牌怎么办")
    assert added["id"] not in [a["id"] for a in found["items"]]
    listed = await get(web, "agent1", "/api/knowledge")
    assert len(listed["items"]) >= 25 and added["id"] not in [a["id"] for a in listed["items"]]


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"title": ""}, "title", "invalid_article"),
        ({"answer": "  "}, "answer", "invalid_article"),
        ({"answer": "长" * 4001}, "answer", "invalid_article"),
        ({"keywords": "社保卡"}, "keywords", "invalid_input"),
        ({"keywords": ["社"]}, "keywords", "invalid_article"),
        ({"title": 5}, "title", "invalid_input"),
        ({"id": "Not An Id!"}, "id", "invalid_article"),
    ],
)
async def test_a_bad_article_is_refused_naming_the_field(
    web: Web, change: dict[str, Any], field: str, code: str
) -> None:
    refused = await send(web, "admin", "POST", "/api/knowledge", {**ARTICLE, **change}, status=400)
    assert (refused["code"], refused["details"]["field"]) == (code, field)
    assert len((await get(web, "agent1", "/api/knowledge"))["items"]) == 28  # nothing stored


async def test_an_unknown_category_or_article_is_refused(web: Web) -> None:
    refused = await send(
        web, "admin", "POST", "/api/knowledge", {**ARTICLE, "category_code": "99"}, status=400
    )
    assert refused["code"] == "unknown_category"
    missing = await send(
        web, "admin", "PUT", "/api/knowledge/kb-nothing", {**ARTICLE, "version": 1}, status=404
    )
    assert missing["code"] == "unknown_article"
    assert (await send(web, "admin", "DELETE", "/api/knowledge/kb-nothing?version=1", status=404))["code"]
    assert (await send(web, "admin", "DELETE", "/api/knowledge/kb-social-card", status=400))["details"] == {
        "field": "version"
    }


async def test_only_admins_write(web: Web) -> None:
    for user in ("agent1", "dispatcher1", "supervisor1"):
        refused = await send(web, user, "POST", "/api/knowledge", ARTICLE, status=403)
        assert refused["code"] == "role_forbidden"
        await send(web, user, "PUT", "/api/knowledge/kb-social-card", {**ARTICLE, "version": 1}, status=403)
        await send(web, user, "DELETE", "/api/knowledge/kb-social-card?version=1", status=403)
    assert (await get(web, "agent1", "/api/knowledge/kb-social-card"))["version"] == 1


async def test_hostile_text_comes_back_as_json_text_never_markup(web: Web) -> None:
    body = {**ARTICLE, "title": HOSTILE[:100], "answer": HOSTILE, "keywords": ["电动车上牌"]}
    added = await send(web, "admin", "POST", "/api/knowledge", body, status=201)
    client = await web.login("agent1")
    response = await client.get(f"/api/knowledge/{added['id']}")
    assert (
        response.content_type == "application/json"
        and "nosniff" in response.headers["X-Content-Type-Options"]
    )
    assert (await response.json())["answer"] == HOSTILE


async def test_a_consultation_draft_carries_its_knowledge_answers(web: Web, engine: AsyncEngine) -> None:
    words = "喂 你好 我 想 咨询 一下 社保卡 丢了 怎么 补办 需要 什么 材料"
    whole = await draft_from_words(web, engine, "1764.31", words)
    suggested = whole["suggestions"]
    assert suggested["intent"] == "consultation"
    assert suggested["knowledge"][0]["id"] == "kb-social-card" and suggested["knowledge"][0]["terms"]
    assert len(suggested["knowledge"]) <= 3


async def test_a_draft_that_is_not_a_consultation_carries_no_answers(web: Web, engine: AsyncEngine) -> None:
    words = "我 要 投诉 楼道 里 燃气味 很 大 物业 不管"
    whole = await draft_from_words(web, engine, "1764.32", words)
    assert whole["suggestions"]["intent"] == "complaint" and whole["suggestions"]["knowledge"] == []
