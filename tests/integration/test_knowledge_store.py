"""The knowledge base (知识库) in the database, on SQLite and PostgreSQL: seeding once, edits with
versions, deletion that seeding never undoes, text kept exactly."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from callcenter.adapters.db.knowledge import SqlKnowledgeStore, load_knowledge_seed
from callcenter.adapters.db.tables import knowledge_articles
from callcenter.core.errors import ConcurrentUpdate
from callcenter.ticketing.suggestions.knowledge import Article, ArticleId, InvalidArticle, UnknownArticle

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
HOSTILE = '<script>alert("x")</script>社保卡 \' OR 1=1 --'


def new(id_: str = "kb-test") -> Article:
    return Article(ArticleId(id_), "测试条目", ("测试关键词", "社保卡"), "测试答复。以当地最新政策为准。", AT)


async def test_the_seed_goes_in_once_and_loads_back_whole(engine: AsyncEngine) -> None:
    store = SqlKnowledgeStore(engine)
    seed = load_knowledge_seed(AT)
    assert await store.seed(seed) == len(seed) >= 25
    assert await store.seed(load_knowledge_seed(AT + timedelta(days=1))) == 0
    loaded = await store.load()
    assert {a.id: a for a in loaded} == {a.id: a for a in seed}  # every field, the time in UTC


async def test_an_edit_bumps_the_version_and_a_stale_one_changes_nothing(engine: AsyncEngine) -> None:
    store = SqlKnowledgeStore(engine)
    added = await store.add(new(), "admin")
    edited = await store.update(
        replace(added, answer="新的答复", updated_at=AT + timedelta(hours=1)), "admin"
    )
    assert edited.version == 2 and (await store.get("kb-test")).answer == "新的答复"
    with pytest.raises(ConcurrentUpdate):
        await store.update(replace(added, answer="过时的编辑"), "admin2")
    assert (await store.get("kb-test")) == edited


async def test_a_taken_id_is_refused(engine: AsyncEngine) -> None:
    store = SqlKnowledgeStore(engine)
    await store.add(new(), "admin")
    with pytest.raises(InvalidArticle):
        await store.add(replace(new(), title="另一个"), "admin")
    assert (await store.get("kb-test")).title == "测试条目"


async def test_a_deleted_seed_article_stays_deleted_when_seeding_again(engine: AsyncEngine) -> None:
    store = SqlKnowledgeStore(engine)
    await store.seed(load_knowledge_seed(AT))
    card = await store.get("kb-social-card")
    await store.delete(card.id, card.version, "admin", AT + timedelta(hours=1))
    assert await store.seed(load_knowledge_seed(AT)) == 0
    assert "kb-social-card" not in {a.id for a in await store.load()}
    with pytest.raises(UnknownArticle):
        await store.get("kb-social-card")
    with pytest.raises(UnknownArticle):
        await store.update(card, "admin")
    async with engine.connect() as conn:
        row = (
            (await conn.execute(select(knowledge_articles).where(knowledge_articles.c.id == card.id)))
            .mappings()
            .one()
        )
    assert row["active"] is False and row["updated_by"] == "admin"


async def test_deleting_needs_the_current_version(engine: AsyncEngine) -> None:
    store = SqlKnowledgeStore(engine)
    added = await store.add(new(), "admin")
    with pytest.raises(ConcurrentUpdate):
        await store.delete(added.id, added.version + 5, "admin", AT)
    assert (await store.get(added.id)).version == 1


async def test_hostile_text_is_stored_and_read_back_exactly(engine: AsyncEngine) -> None:
    store = SqlKnowledgeStore(engine)
    await store.add(replace(new(), title=HOSTILE[:100], answer=HOSTILE, keywords=(HOSTILE[:30],)), "admin")
    back = await store.get("kb-test")
    assert (back.title, back.answer, back.keywords) == (HOSTILE[:100], HOSTILE, (HOSTILE[:30],))
