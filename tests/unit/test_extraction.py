"""Category and place from a caller's words (extract_terms, extract_category, extract_location), on the
sample city's catalogue and keyword file, with the kind of text speech recognition writes: words split by
spaces, no punctuation, numbers as words, a homophone here and there."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.adapters.db.catalogue import load_seed
from callcenter.core.errors import InvalidInput
from callcenter.ticketing.catalogue.addresses import ResolutionIssue
from callcenter.ticketing.catalogue.categories import Category, CategoryCode, CategoryTree
from callcenter.ticketing.catalogue.gazetteer import AreaLevel
from callcenter.ticketing.suggestions.extract_category import CategoryLexicon, Keyword, suggest_category
from callcenter.ticketing.suggestions.extract_location import suggest_location
from callcenter.ticketing.suggestions.extract_terms import MAX_SCAN_CHARS, TermIndex, spoken_form
from callcenter.wiring.workorders import load_category_lexicon

CATALOGUE = load_seed().catalogue()
TREE = CATALOGUE.categories
LEXICON = load_category_lexicon()


def category_of(text: str) -> str | None:
    found = suggest_category(LEXICON, TREE, text)
    return None if found is None else found.code


# --- terms -----------------------------------------------------------------------------------------


def test_terms_are_found_across_spaces_and_full_width_and_the_longest_wins() -> None:
    index = TermIndex(["燃气", "燃气费", "KTV"])
    hits = index.find("交 燃气费 的 时候 楼下 ｋｔｖ 很吵")
    assert [(h.term, h.exact) for h in hits] == [("燃气费", True), ("ktv", True)]


def test_a_long_term_heard_one_character_off_is_a_near_hit_a_short_one_is_not() -> None:
    index = TermIndex(["拖欠工资", "社保"])
    (hit,) = index.find("老板拖欠工钱")
    assert (hit.term, hit.exact) == ("拖欠工资", False)
    assert index.find("设保") == ()  # two characters: no near match
    assert index.find("施欠工资") == ()  # the first character differs: another word


def test_terms_never_span_a_clause_break() -> None:
    assert TermIndex(["停水"]).find("停，水") == ()


def test_the_spoken_form_is_bounded() -> None:
    assert len(spoken_form("字" * (MAX_SCAN_CHARS * 3))) == MAX_SCAN_CHARS


# --- category --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "code"),
    [
        ("王府井大街三十五号门口的路灯不亮好几天了", "0303"),  # 道路设施
        ("我们 小区 停水 两 天 了 什么 时候 来水", "020101"),  # 停水
        ("家里 停电 了 整栋 楼 都 没电", "020201"),  # 停电
        ("楼道 里 有 很大 的 煤气味 是不是 燃气 泄漏", "020301"),  # 燃气安全
        ("我 想 问 一下 燃气费 在 哪里 交", "020302"),  # 燃气缴费
        ("老板 拖欠 工资 三个 月 了", "060101"),  # 拖欠工资
        ("楼下 有人 占道经营 摆摊 卖 水果", "010104"),  # 占道经营
        ("邻居 在 楼顶 私搭乱建 盖 了 一间 彩钢房", "010201"),  # 私搭乱建
        ("晚上 十一点 了 工地 还在 夜间 施工 噪音 扰民", "050201"),  # 建筑施工噪声
        ("楼上 装修 噪音 太 吵 了", "050202"),  # 社会生活噪声
        ("物业 不管 电梯 坏 了 一个 星期", "010301"),  # 物业服务
        ("请问 社保 断 交 了 怎么 补", "0602"),  # 社会保险
        ("我 想 问 一下 公 基金 怎么 提取", "0104"),  # 公积金 as ASR writes it: the variant is listed
        ("孩子 上 幼儿园 报名 的 事", "0701"),  # 学前教育
        ("小区 门口 总 有 乱停车 的 堵 着 消防 通道", "090301"),  # 违法停车
    ],
)
def test_hotline_words_suggest_their_category(words: str, code: str) -> None:
    assert category_of(words) == code


def test_the_suggestion_names_its_path_its_terms_and_a_confidence() -> None:
    found = suggest_category(LEXICON, TREE, "我要投诉 老板拖欠工资 一直 不发工资")
    assert found is not None and found.code == "060101"
    assert found.path == ("劳动保障", "劳动关系", "拖欠工资")
    assert set(found.terms) == {"拖欠工资", "不发工资"} and found.confidence == 1.0


def test_only_a_general_term_suggests_the_class_not_a_guess_at_its_children() -> None:
    found = suggest_category(LEXICON, TREE, "就是 噪音 很 大")
    assert found is not None and found.code == "0502" and found.path == ("生态环境", "噪声污染")
    assert found.confidence < 1.0


def test_a_near_hit_counts_less_than_the_exact_term() -> None:
    exact = suggest_category(LEXICON, TREE, "拖欠工资")
    near = suggest_category(LEXICON, TREE, "拖欠公资")
    assert exact is not None and near is not None and near.code == exact.code == "060101"
    assert near.confidence < exact.confidence


def test_two_branches_heard_equally_halve_the_confidence() -> None:
    found = suggest_category(LEXICON, TREE, "停水 停电")
    assert found is not None and found.code in ("020101", "020201") and found.confidence == 0.38


@pytest.mark.parametrize("words", ["", "喂 你好", "今天天气不错 谢谢 再见", "12345", "的的的的的"])
def test_words_without_a_known_term_suggest_no_category(words: str) -> None:
    assert category_of(words) is None


def test_an_inactive_category_is_never_suggested() -> None:
    tree = CategoryTree(
        [
            Category(CategoryCode("02"), "公用事业"),
            Category(CategoryCode("0201"), "供水", CategoryCode("02")),
            Category(CategoryCode("020101"), "停水", CategoryCode("0201"), active=False),
        ]
    )
    lexicon = CategoryLexicon([Keyword(CategoryCode("020101"), "断水", 3)])
    assert suggest_category(lexicon, tree, "家里停水断水了") is None


def test_without_keywords_the_category_names_alone_still_match() -> None:
    found = suggest_category(CategoryLexicon(), TREE, "我家 停水 了")
    assert found is not None and found.code == "020101" and found.terms == ("停水",)


def test_a_keyword_file_with_a_bad_row_names_the_line() -> None:
    with pytest.raises(InvalidInput, match="line 3"):
        CategoryLexicon.parse("category_code,term,weight\n020101,停水,3\n020101,停,9\n")
    with pytest.raises(InvalidInput, match="columns"):
        CategoryLexicon.parse("code,word\n020101,停水\n")


def test_every_keyword_of_the_shipped_file_names_an_active_category() -> None:
    assert len(LEXICON.keywords) > 300
    for keyword in LEXICON.keywords:
        assert all(c.active for c in TREE.lineage(keyword.category)), keyword


# --- location --------------------------------------------------------------------------------------


def test_a_road_and_a_spoken_house_number_resolve_to_the_street() -> None:
    found = suggest_location(CATALOGUE.gazetteer, "王府井大街三十五号门口的路灯坏了")
    assert found is not None and found.resolved
    assert (found.area_code, found.level) == ("110101001000", AreaLevel.STREET)
    assert found.path == ("东城区", "东华门街道") and found.phrase == "王府井大街35号门口"


def test_district_street_and_community_said_with_spaces_resolve_to_the_community() -> None:
    words = "我 住 在 东城区 景山 街道 吉祥 社区 三号楼 二单元 五零二 楼上 装修 太 吵"
    found = suggest_location(CATALOGUE.gazetteer, words)
    assert found is not None and found.level is AreaLevel.COMMUNITY
    assert found.path == ("东城区", "景山街道", "吉祥社区")
    assert found.phrase == "东城区景山街道吉祥社区3号楼2单元502"


def test_a_road_that_crosses_two_streets_is_ambiguous_with_candidates() -> None:
    found = suggest_location(CATALOGUE.gazetteer, "地安门东大街有人占道经营")
    assert found is not None and found.issue is ResolutionIssue.AMBIGUOUS
    assert found.area_code == "110101000000" and found.path == ("东城区",)
    assert set(found.candidates) == {"110101002000", "110101003000"}


def test_two_places_in_two_clauses_stay_ambiguous() -> None:
    found = suggest_location(CATALOGUE.gazetteer, "我住望京，王府井大街三十五号的路灯坏了")
    assert found is not None and found.issue is ResolutionIssue.AMBIGUOUS
    assert set(found.candidates) == {"110101001000", "110105026000"}


def test_a_place_named_again_in_a_later_phrase_is_the_place() -> None:
    words = "我是朝阳区的 望京这边 阜通东大街 路灯坏了 就在望京SOHO对面"
    found = suggest_location(CATALOGUE.gazetteer, words)
    assert found is not None and found.resolved and found.area_code == "110105026000"


def test_only_a_district_is_too_coarse() -> None:
    found = suggest_location(CATALOGUE.gazetteer, "西城区 有个 饭店 卫生 很差")
    assert found is not None and found.issue is ResolutionIssue.TOO_COARSE
    assert found.level is AreaLevel.DISTRICT and found.path == ("西城区",)


@pytest.mark.parametrize("words", ["", "路灯不亮", "火星 上 的 路灯", "我家门口"])
def test_words_naming_no_known_place_give_none(words: str) -> None:
    assert suggest_location(CATALOGUE.gazetteer, words) is None


# --- never raises ----------------------------------------------------------------------------------

WORDS = st.text(
    alphabet=st.sampled_from(list("路灯不亮停水电燃气东城区王府井大街号楼单元三十五零幺两 ，。\n\t\x00"))
    | st.characters(),
    max_size=300,
)


@settings(max_examples=300, deadline=None)
@given(WORDS)
def test_extraction_never_raises_on_any_text(words: str) -> None:
    category = suggest_category(LEXICON, TREE, words)
    location = suggest_location(CATALOGUE.gazetteer, words)
    if category is not None:
        assert category.code in TREE and 0 < category.confidence <= 1 and category.terms
    if location is not None and location.area_code is not None:
        assert location.area_code in CATALOGUE.gazetteer
