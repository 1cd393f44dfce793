"""The knowledge base (知识库) over HTTP: answers for the caller's words, for hotline staff; the articles,
read by hotline staff and written by admins (docs/knowledge.md)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, Protocol

from aiohttp import web

from callcenter.adapters.http.api import json_response
from callcenter.adapters.http.auth import CLOCK, json_body, require_role
from callcenter.adapters.http.commands import expected_version
from callcenter.adapters.http.params import MAX_ID, whole_number
from callcenter.adapters.http.privacy import refuse_in_query, text_fields
from callcenter.core.actors import HOTLINE_ROLES, Role
from callcenter.core.errors import InvalidInput
from callcenter.ticketing.catalogue.categories import CategoryCode
from callcenter.ticketing.orders.classify import CurrentCatalogue
from callcenter.ticketing.suggestions.knowledge import (
    DEFAULT_LIMIT,
    Article,
    ArticleId,
    CurrentKnowledge,
    KnowledgeAnswer,
    checked,
)

MAX_SUGGEST_TEXT: Final = 400  # characters of live or transcribed words matched per request
MAX_LIMIT: Final = 10


class KnowledgeStore(Protocol):
    async def load(self) -> list[Article]: ...
    async def get(self, article_id: str) -> Article: ...
    async def add(self, article: Article, by: str) -> Article: ...
    async def update(self, article: Article, by: str) -> Article: ...
    async def delete(self, article_id: str, version: int, by: str, at: datetime) -> None: ...


KNOWLEDGE = web.AppKey("knowledge", CurrentKnowledge)
KNOWLEDGE_STORE = web.AppKey("knowledge_store", KnowledgeStore)
KNOWLEDGE_CATALOGUE = web.AppKey("knowledge_catalogue", CurrentCatalogue)  # checks an article's category


def article_json(a: Article) -> dict[str, Any]:
    return {
        "id": a.id,
        "title": a.title,
        "keywords": list(a.keywords),
        "answer": a.answer,
        "category_code": a.category_code,
        "updated_at": a.updated_at,
        "version": a.version,
    }


def answer_json(found: KnowledgeAnswer) -> dict[str, Any]:
    a = found.article
    return {
        "id": a.id,
        "title": a.title,
        "answer": a.answer,
        "category_code": a.category_code,
        "updated_at": a.updated_at,
        "score": found.score,
        "terms": list(found.terms),
    }


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    return whole_number(raw, "limit", 1, MAX_LIMIT)


SUGGEST_PATH = "/api/knowledge/suggest"


async def suggest(request: web.Request) -> web.Response:
    """The answers that fit ``text`` (the caller's words so far), best first, with the terms heard. The
    words come in the JSON body: the live transcript never travels in a URL (privacy.py)."""
    require_role(request, *HOTLINE_ROLES)
    return _answers(request, text_fields(await json_body(request), ("text", "limit", "category")))


async def suggest_by_get(request: web.Request) -> web.Response:
    """The old GET form: refuses ``text`` (use POST); without words there is nothing to match."""
    require_role(request, *HOTLINE_ROLES)
    refuse_in_query(request, SUGGEST_PATH, "text")
    return _answers(request, request.query)


def _answers(request: web.Request, q: Mapping[str, str]) -> web.Response:
    text = q.get("text", "")
    if len(text) > MAX_SUGGEST_TEXT:
        raise InvalidInput(f"text is longer than {MAX_SUGGEST_TEXT} characters", field="text")
    category = q.get("category", "").strip() or None
    found = request.app[KNOWLEDGE].current().match(text, _limit(q.get("limit")), category)
    return json_response({"items": [answer_json(a) for a in found]})


async def article_list(request: web.Request) -> web.Response:
    require_role(request, *HOTLINE_ROLES)
    articles = sorted(request.app[KNOWLEDGE].current().articles, key=lambda a: a.id)
    return json_response({"items": [article_json(a) for a in articles]})


async def article(request: web.Request) -> web.Response:
    require_role(request, *HOTLINE_ROLES)
    return json_response(
        article_json(await request.app[KNOWLEDGE_STORE].get(request.match_info["article_id"]))
    )


def _keywords(body: Mapping[str, Any]) -> tuple[str, ...]:
    value = body.get("keywords", [])
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise InvalidInput("keywords must be a list of phrases", field="keywords")
    return tuple(value)


def _text(body: Mapping[str, Any], field: str) -> str:
    value = body.get(field, "")
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    return value


def _article_from(request: web.Request, article_id: str, body: Mapping[str, Any], version: int) -> Article:
    """The article from a body, checked (`checked`); its category must be one of the catalogue's."""
    code = _text(body, "category_code").strip()
    if code and KNOWLEDGE_CATALOGUE in request.app:
        request.app[KNOWLEDGE_CATALOGUE].current().categories.get(code)  # UnknownCategory → 400
    return checked(
        Article(
            id=ArticleId(article_id),
            title=_text(body, "title"),
            keywords=_keywords(body),
            answer=_text(body, "answer"),
            updated_at=request.app[CLOCK].now(),
            category_code=CategoryCode(code) if code else None,
            version=version,
        )
    )


async def _reload(request: web.Request) -> None:
    request.app[KNOWLEDGE].use(await request.app[KNOWLEDGE_STORE].load())


async def add_article(request: web.Request) -> web.Response:
    actor = require_role(request, Role.ADMIN)
    body = await json_body(request)
    article_id = _text(body, "id").strip() or f"kb-{uuid.uuid4().hex[:12]}"
    added = await request.app[KNOWLEDGE_STORE].add(_article_from(request, article_id, body, 1), actor.id)
    await _reload(request)
    return json_response(article_json(added), status=201)


async def put_article(request: web.Request) -> web.Response:
    actor = require_role(request, Role.ADMIN)
    body = await json_body(request)
    edited = _article_from(request, request.match_info["article_id"], body, expected_version(body))
    changed = await request.app[KNOWLEDGE_STORE].update(edited, actor.id)
    await _reload(request)
    return json_response(article_json(changed))


async def delete_article(request: web.Request) -> web.Response:
    actor = require_role(request, Role.ADMIN)
    version = whole_number(request.query.get("version", ""), "version", 1, MAX_ID)  # the one the admin saw
    store, now = request.app[KNOWLEDGE_STORE], request.app[CLOCK].now()
    await store.delete(request.match_info["article_id"], version, actor.id, now)
    await _reload(request)
    return json_response({"ok": True})


def knowledge_routes(
    current: CurrentKnowledge, store: KnowledgeStore, catalogue: CurrentCatalogue | None = None
) -> Any:
    """A route hook for ``WebDeps.extra_routes``."""

    def hook(app: web.Application) -> None:
        app[KNOWLEDGE] = current
        app[KNOWLEDGE_STORE] = store
        if catalogue is not None:
            app[KNOWLEDGE_CATALOGUE] = catalogue
        app.router.add_post(SUGGEST_PATH, suggest)
        app.router.add_get(SUGGEST_PATH, suggest_by_get)
        app.router.add_get("/api/knowledge", article_list)
        app.router.add_post("/api/knowledge", add_article)
        app.router.add_get("/api/knowledge/{article_id}", article)
        app.router.add_put("/api/knowledge/{article_id}", put_article)
        app.router.add_delete("/api/knowledge/{article_id}", delete_article)

    return hook
