"""The knowledge base (知识库) in SQL: one row per article.

Edits are ``UPDATE … WHERE id = :id AND version = :version AND active`` and bump the version, so of two
admins editing one article only the first succeeds (the other gets ConcurrentUpdate). Deleting keeps the
row with ``active`` false, so that seeding — which inserts missing ids and never updates — does not bring
a deleted seed article back. Running the seed twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from importlib.resources import files
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from callcenter.adapters.db.repositories import _utc
from callcenter.adapters.db.tables import knowledge_articles
from callcenter.core.errors import ConcurrentUpdate
from callcenter.ticketing.catalogue.categories import CategoryCode
from callcenter.ticketing.suggestions.knowledge import (
    Article,
    ArticleId,
    InvalidArticle,
    UnknownArticle,
    parse_seed,
)

SEED_PACKAGE: Final = "callcenter.ticketing.catalogue.seed"
SEED_FILE: Final = "knowledge.csv"
SEEDED_BY: Final = "seed"

_k = knowledge_articles.c


def load_knowledge_seed(at: datetime, package: str = SEED_PACKAGE) -> tuple[Article, ...]:
    """The articles shipped in ``package`` (the sample set by default), parsed and checked."""
    return parse_seed(files(package).joinpath(SEED_FILE).read_text("utf-8"), at)


def _article(row: Mapping[Any, Any]) -> Article:
    updated_at = _utc(row["updated_at"])
    assert updated_at is not None
    return Article(
        id=ArticleId(row["id"]),
        title=row["title"],
        keywords=tuple(row["keywords"]),
        answer=row["answer"],
        updated_at=updated_at,
        category_code=CategoryCode(row["category_code"]) if row["category_code"] else None,
        version=row["version"],
    )


def _row(article: Article, by: str) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "keywords": list(article.keywords),
        "answer": article.answer,
        "category_code": article.category_code,
        "updated_at": article.updated_at,
        "updated_by": by,
        "version": article.version,
        "active": True,
    }


class SqlKnowledgeStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def load(self) -> list[Article]:
        """Every article in force, by id."""
        async with self._engine.connect() as conn:
            rows = await conn.execute(select(knowledge_articles).where(_k.active).order_by(_k.id))
            return [_article(r) for r in rows.mappings()]

    async def get(self, article_id: str) -> Article:
        async with self._engine.connect() as conn:
            return await _get(conn, article_id)

    async def add(self, article: Article, by: str) -> Article:
        """A new article (version 1); an id taken before, even by a deleted article, is refused."""
        added = replace(article, version=1)
        try:
            async with self._engine.begin() as conn:
                await conn.execute(knowledge_articles.insert().values(**_row(added, by)))
        except IntegrityError:
            raise InvalidArticle("an article with this id exists", field="id", id=article.id) from None
        return added

    async def update(self, article: Article, by: str) -> Article:
        """Replaces the article whose version is ``article.version``; returns it with the next version."""
        changed = replace(article, version=article.version + 1)
        values = {k: v for k, v in _row(changed, by).items() if k not in ("id", "active")}
        async with self._engine.begin() as conn:
            await _write(conn, article.id, article.version, values)
        return changed

    async def delete(self, article_id: str, version: int, by: str, at: datetime) -> None:
        done = {"active": False, "updated_by": by, "updated_at": at, "version": version + 1}
        async with self._engine.begin() as conn:
            await _write(conn, article_id, version, done)

    async def seed(self, articles: Iterable[Article]) -> int:
        """Inserts the articles whose id was never stored; returns how many."""
        async with self._engine.begin() as conn:
            present = set((await conn.execute(select(_k.id))).scalars())
            rows = [_row(a, SEEDED_BY) for a in articles if a.id not in present]
            if rows:
                await conn.execute(knowledge_articles.insert(), rows)
            return len(rows)


async def _get(conn: AsyncConnection, article_id: str) -> Article:
    row = (
        (await conn.execute(select(knowledge_articles).where(_k.id == article_id, _k.active)))
        .mappings()
        .first()
    )
    if row is None:
        raise UnknownArticle("no such article", id=article_id)
    return _article(row)


async def _write(conn: AsyncConnection, article_id: str, version: int, values: Mapping[str, Any]) -> None:
    """One conditional UPDATE: the article in force at ``version``; else why not (unknown, or changed)."""
    where = (_k.id == article_id, _k.version == version, _k.active)
    done = await conn.execute(update(knowledge_articles).where(*where).values(**values))
    if done.rowcount == 1:
        return
    stored = await _get(conn, article_id)  # UnknownArticle when deleted or never there
    raise ConcurrentUpdate(
        "the article was changed meanwhile; reload it", id=article_id, version=stored.version
    )
