"""The knowledge base (知识库): standard answers the agent reads out to a consultation (咨询).

An article has a title, the question phrases and keywords citizens use (社保卡 补办 挂失 …), the answer,
optionally the category it belongs to, and when it was last changed. Matching is explainable and
tolerant of speech recognition (`extract_terms`: normalised, longest wins, near matches at half weight):

1. Each article's keywords and its title are terms; a term heard counts once. Its weight grows with its
   length (a longer phrase says more): 2 characters 1, 3 characters 2, 4 or more 3; the title 3.
2. An article scores the weights of its terms heard; ``CATEGORY_BONUS`` more when it belongs to the
   category the words suggest (or a class above it), as long as some term was heard.
3. Articles scoring at least ``MIN_SCORE`` are answers, best first (score, then more terms, then the
   most recently updated, then id); one short generic word alone never brings an answer.

Empty or irrelevant words give no answers. Pure: the caller loads the articles (adapters/db/knowledge.py).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Final, NewType

from callcenter.core.errors import InvalidInput, NotFound
from callcenter.ticketing.catalogue.categories import CategoryCode
from callcenter.ticketing.suggestions.extract_terms import Hit, TermIndex, distinct_terms, spoken_form

ArticleId = NewType("ArticleId", str)

MAX_ID: Final = 32
MAX_TITLE: Final = 100
MAX_ANSWER: Final = 4_000
MAX_KEYWORDS: Final = 40
MAX_KEYWORD: Final = 30
MIN_KEYWORD: Final = 2
MIN_SCORE: Final = 2.0
TITLE_WEIGHT: Final = 3.0
CATEGORY_BONUS: Final = 1.0
NEAR_FACTOR: Final = 0.5
DEFAULT_LIMIT: Final = 3
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")
SEED_COLUMNS: Final = ("id", "title", "keywords", "answer", "category_code")


class InvalidArticle(InvalidInput):
    code = "invalid_article"


class UnknownArticle(NotFound):
    code = "unknown_article"


@dataclass(frozen=True, slots=True)
class Article:
    """One answer of the knowledge base; ``version`` counts its edits (optimistic concurrency)."""

    id: ArticleId
    title: str
    keywords: tuple[str, ...]
    answer: str
    updated_at: datetime
    category_code: CategoryCode | None = None
    version: int = 1


@dataclass(frozen=True, slots=True)
class KnowledgeAnswer:
    """An article that fits the words, its score and the terms heard (as listed)."""

    article: Article
    score: float
    terms: tuple[str, ...]


def checked(article: Article) -> Article:
    """The article with trimmed text and distinct keywords, or `InvalidArticle` naming the field."""
    title, answer = article.title.strip(), article.answer.strip()
    if not _ID.fullmatch(article.id) or len(article.id) > MAX_ID:
        raise InvalidArticle(f"an id is 1 to {MAX_ID} of a-z 0-9 - _", field="id")
    _require(bool(title) and len(title) <= MAX_TITLE, f"a title of 1 to {MAX_TITLE} characters", "title")
    _require(
        bool(answer) and len(answer) <= MAX_ANSWER, f"an answer of 1 to {MAX_ANSWER} characters", "answer"
    )
    keywords = tuple(dict.fromkeys(k.strip() for k in article.keywords if k.strip()))
    _require(len(keywords) <= MAX_KEYWORDS, f"at most {MAX_KEYWORDS} keywords", "keywords")
    for keyword in keywords:
        ok = len(spoken_form(keyword)) >= MIN_KEYWORD and len(keyword) <= MAX_KEYWORD
        _require(ok, f"a keyword has {MIN_KEYWORD} to {MAX_KEYWORD} characters", "keywords")
    raw = (article.category_code or "").strip()
    code = CategoryCode(raw) if raw else None
    return replace(article, title=title, answer=answer, keywords=keywords, category_code=code)


def _require(ok: bool, message: str, field: str) -> None:
    if not ok:
        raise InvalidArticle(message, field=field)


def term_weight(term: str) -> float:
    """Longer phrases say more: 2 characters 1, 3 characters 2, 4 or more 3."""
    return float(min(3, max(1, len(term) - 1)))


class KnowledgeBase:
    """The articles in force, with their term index built once (matching is then one scan)."""

    __slots__ = ("_articles", "_by_term", "_index")

    def __init__(self, articles: Iterable[Article] = ()) -> None:
        self._articles: Mapping[ArticleId, Article] = MappingProxyType({a.id: a for a in articles})
        by_term: dict[str, dict[ArticleId, float]] = {}
        for article in self._articles.values():
            for term, weight in _terms(article):
                slot = by_term.setdefault(spoken_form(term), {})
                slot[article.id] = max(weight, slot.get(article.id, 0.0))
        self._by_term = MappingProxyType(by_term)
        self._index = TermIndex(by_term)

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(self._articles.values())

    def match(
        self, text: str, limit: int = DEFAULT_LIMIT, category_code: str | None = None
    ) -> tuple[KnowledgeAnswer, ...]:
        """The best ``limit`` answers for the words (module docstring); none for irrelevant words."""
        found: dict[ArticleId, dict[str, float]] = {}
        for hit in distinct_terms(self._index.find(text)):
            for article_id, weight in self._by_term.get(hit.term, {}).items():
                found.setdefault(article_id, {})[hit.term] = _heard(weight, hit)
        answers = [self._answer(a, terms, category_code) for a, terms in found.items()]
        ranked = sorted((a for a in answers if a.score >= MIN_SCORE), key=_rank)
        return tuple(ranked[: max(0, limit)])

    def _answer(
        self, article_id: ArticleId, terms: Mapping[str, float], category: str | None
    ) -> KnowledgeAnswer:
        article = self._articles[article_id]
        bonus = CATEGORY_BONUS if _same_branch(article.category_code, category) else 0.0
        return KnowledgeAnswer(article, round(sum(terms.values()) + bonus, 2), tuple(terms))


def _terms(article: Article) -> Iterable[tuple[str, float]]:
    yield article.title, TITLE_WEIGHT
    for keyword in article.keywords:
        yield keyword, term_weight(spoken_form(keyword))


def _heard(weight: float, hit: Hit) -> float:
    return weight if hit.exact else weight * NEAR_FACTOR


def _same_branch(article_code: str | None, category: str | None) -> bool:
    """The article's category is the one suggested or a class above it."""
    return bool(article_code and category and category.startswith(article_code))


def _rank(answer: KnowledgeAnswer) -> tuple[float, int, float, str]:
    return (-answer.score, -len(answer.terms), -answer.article.updated_at.timestamp(), answer.article.id)


def match(articles: Sequence[Article], text: str, limit: int = DEFAULT_LIMIT) -> tuple[KnowledgeAnswer, ...]:
    """The best answers among ``articles`` for the words; a `KnowledgeBase` keeps the index between calls."""
    return KnowledgeBase(articles).match(text, limit)


class CurrentKnowledge:
    """The knowledge base in force in this process; the admin API swaps in the edited one."""

    def __init__(self, base: KnowledgeBase | None = None) -> None:
        self._base = base or KnowledgeBase()

    def current(self) -> KnowledgeBase:
        return self._base

    def use(self, articles: Iterable[Article]) -> None:
        """Swaps in these articles; the index is rebuilt only when they changed (a periodic reload)."""
        articles = tuple(articles)
        if articles != self._base.articles:
            self._base = KnowledgeBase(articles)


# --- the seed file ---------------------------------------------------------------------------------


def parse_seed(text: str, at: datetime) -> tuple[Article, ...]:
    """Articles from ``knowledge.csv`` (``id,title,keywords,answer,category_code``; keywords separated by
    spaces), each checked; a bad row names its line."""
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if tuple(rows.fieldnames or ()) != SEED_COLUMNS:
        raise InvalidArticle(f"the knowledge seed's columns are {','.join(SEED_COLUMNS)}")
    return tuple(_seed_article(row, line, at) for line, row in enumerate(rows, start=2))


def _seed_article(row: Mapping[str, str | None], line: int, at: datetime) -> Article:
    values = {k: (row.get(k) or "").strip() for k in SEED_COLUMNS}
    article = Article(
        id=ArticleId(values["id"]),
        title=values["title"],
        keywords=tuple(values["keywords"].split()),
        answer=values["answer"],
        updated_at=at,
        category_code=CategoryCode(values["category_code"]) if values["category_code"] else None,
    )
    try:
        return checked(article)
    except InvalidArticle as exc:
        raise InvalidArticle(f"knowledge.csv, line {line}: {exc.message}", line=line) from None
