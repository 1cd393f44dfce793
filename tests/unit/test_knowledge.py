"""The knowledge base's matching (知识库): explainable answers for a consultation, tolerant of what speech
recognition writes; article checks; the shipped seed file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.adapters.db.catalogue import load_seed
from callcenter.adapters.db.knowledge import load_knowledge_seed
from callcenter.core.errors import InvalidInput
from callcenter.ticketing.catalogue.categories import CategoryCode
from callcenter.ticketing.suggestions.knowledge import (
    Article,
    ArticleId,
    InvalidArticle,
    KnowledgeBase,
    checked,
    match,
    parse_seed,
)

AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
SEED = load_knowledge_seed(AT)
BASE = KnowledgeBase(SEED)


def titles(text: str, limit: int = 3) -> list[str]:
    return [a.article.title for a in BASE.match(text, limit)]


def article(id_: str, keywords: tuple[str, ...], **kw: object) -> Article:
    base = Article(ArticleId(id_), f"标题{id_}", keywords, "答复", AT)
    return replace(base, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("words", "title"),
    [
        ("请问 社保卡 丢了 怎么 补办", "社保卡办理与补换"),
        ("我 想 问 一下 公 基金 怎么 提取", "住房公积金提取"),  # 公积金 as ASR writes it: a listed variant
        ("请问办理居住证需要什么材料", "居住证办理"),
        ("孩子 刚 出生 怎么 上户口", "新生儿落户（上户口）"),
        ("家里 停水 了 请问 什么时候来水", "停水信息查询与报修"),
        ("闻到 燃气味 怎么办", "燃气报修流程"),
        ("我 的 护照过期 了 怎么 换", "出入境证件（护照、港澳通行证）办理"),
        ("想 问 一下 异地就医 怎么 报销", "医保报销"),
        ("老板 拖欠工资 我 该 怎么办", "被拖欠工资怎么办"),
        ("请问 不动产登记 要 带 什么", "不动产登记（房产证）办理"),
    ],
)
def test_a_consultation_finds_its_answer_first(words: str, title: str) -> None:
    assert titles(words)[0] == title


def test_an_answer_names_the_terms_heard_and_its_score() -> None:
    (first, *_) = BASE.match("停水 了 什么时候来水")
    assert first.article.id == "kb-water-outage"
    assert set(first.terms) == {"停水", "什么时候来水"} and first.score == 1 + 3


@pytest.mark.parametrize(
    "words", ["", "   ", "喂 你好", "今天天气不错", "办理", "我想问一下办理", "谢谢 再见"]
)
def test_empty_or_irrelevant_words_get_no_answer(words: str) -> None:
    assert BASE.match(words) == ()


def test_one_short_word_alone_is_not_enough() -> None:
    base = KnowledgeBase([article("a", ("违章",))])
    assert base.match("违章") == () and base.match("违章 违章 违章") == ()


def test_a_near_hit_counts_half() -> None:
    base = KnowledgeBase([article("a", ("异地就医", "报销"))])
    (exact,) = base.match("异地就医 报销")
    (near,) = base.match("异地就依 报销")  # one character misheard
    assert (exact.score, near.score) == (3 + 1, 1.5 + 1) and near.terms == ("异地就医", "报销")


def test_the_limit_and_the_order_of_ties() -> None:
    older = article("b-old", ("社保卡",), updated_at=AT)
    newer = article("a-new", ("社保卡",), updated_at=AT + timedelta(days=1))
    same = article("c", ("社保卡",), updated_at=AT + timedelta(days=1))
    found = KnowledgeBase([older, same, newer]).match("社保卡", limit=2)
    assert [a.article.id for a in found] == ["a-new", "c"]
    assert KnowledgeBase([older]).match("社保卡", limit=0) == ()


def test_an_article_of_the_suggested_category_ranks_higher() -> None:
    water = article("w", ("停水通知",), category_code=CategoryCode("0201"))
    power = article("p", ("停水通知",), category_code=CategoryCode("0202"))
    found = KnowledgeBase([power, water]).match("停水通知", category_code="020101")
    assert [a.article.id for a in found] == ["w", "p"] and found[0].score == found[1].score + 1


def test_match_over_a_plain_list_is_the_same() -> None:
    assert [a.article.id for a in match(SEED, "社保卡丢了")] == [
        a.article.id for a in BASE.match("社保卡丢了")
    ]


# --- checks ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "长" * 101}, "title"),
        ({"answer": ""}, "answer"),
        ({"answer": "长" * 4001}, "answer"),
        ({"keywords": ("社",)}, "keywords"),
        ({"keywords": ("长" * 31,)}, "keywords"),
        ({"keywords": tuple(f"词{i:02d}" for i in range(41))}, "keywords"),
        ({"id": ArticleId("Bad Id")}, "id"),
        ({"id": ArticleId("")}, "id"),
    ],
)
def test_a_bad_article_is_refused_naming_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidArticle) as refused:
        checked(replace(article("ok", ("社保卡",)), **change))  # type: ignore[arg-type]
    assert refused.value.details["field"] == field


def test_a_checked_article_is_trimmed_and_its_keywords_distinct() -> None:
    done = checked(replace(article("ok", (" 社保卡 ", "社保卡", "", "补办")), title=" 标题 "))
    assert done.title == "标题" and done.keywords == ("社保卡", "补办")


def test_hostile_text_is_kept_as_text() -> None:
    hostile = '<script>alert("x")</script>社保卡'
    done = checked(replace(article("ok", ("社保卡",)), title=hostile, answer=hostile))
    assert done.title == hostile and done.answer == hostile


# --- the seed --------------------------------------------------------------------------------------


def test_the_seed_has_about_25_articles_in_known_categories() -> None:
    tree = load_seed().catalogue().categories
    assert len(SEED) >= 25 and len({a.id for a in SEED}) == len(SEED)
    assert all(a.category_code is None or a.category_code in tree for a in SEED)
    assert all(a.keywords and a.answer for a in SEED)
    assert sum("以当地最新政策为准" in a.answer for a in SEED) >= 15


def test_a_bad_seed_row_names_its_line() -> None:
    with pytest.raises(InvalidInput, match="line 3"):
        parse_seed(
            "id,title,keywords,answer,category_code\nok,标题,社保卡,答复,\nBAD ID,标题,社保卡,答复,\n", AT
        )
    with pytest.raises(InvalidInput, match="columns"):
        parse_seed("id,title\nok,标题\n", AT)


@settings(max_examples=200, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("社保卡公积金居住证停水怎么办理 \n，")) | st.characters(), max_size=300
    )
)
def test_matching_never_raises_and_answers_carry_their_terms(words: str) -> None:
    for found in BASE.match(words, limit=5):
        assert found.terms and found.score >= 2


def test_the_current_base_is_rebuilt_only_when_the_articles_change() -> None:
    from callcenter.ticketing.suggestions.knowledge import CurrentKnowledge

    current = CurrentKnowledge()
    current.use(SEED)
    first = current.current()
    current.use(list(SEED))  # the periodic reload: same articles
    assert current.current() is first
    current.use(SEED[1:])
    assert current.current() is not first and len(current.current().articles) == len(SEED) - 1
