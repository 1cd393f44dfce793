"""并单 rules (ADR 0010): normalisation, similarity, the area, window and category rules, ties, escalation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.clock import SHANGHAI
from callcenter.core.errors import ConfigError, InvalidInput
from callcenter.core.ids import TicketId
from callcenter.ticketing.matters.duplicates import (
    DuplicateRules,
    MatterId,
    MatterMatch,
    Measure,
    OpenOrder,
    Shingles,
    bigrams,
    caller_key,
    count_callers,
    find_matter,
    normalise,
    profile,
    should_escalate,
    similarity,
    text_similarity,
)

RULES = DuplicateRules()
T0 = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
AREA = "110105010"


def order(ticket_id: int, text: str, minutes: float = 0, **changes: Any) -> OpenOrder:
    base = OpenOrder(
        ticket_id=TicketId(ticket_id),
        matter_id=None,
        text=text,
        area_code=AREA,
        category_code="0301",
        caller_number=f"1380000{ticket_id:04d}",
        received_at=T0 + timedelta(minutes=minutes),
    )
    return replace(base, **changes)


# --- normalisation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("你好，我想反映一下：阳光花园停水了！谢谢", "阳光花园停水"),
        ("喂 您好 请问 那个 就是 社保卡 在哪 补办", "社保卡哪补办"),
        ("阳光花园３号楼４单元", "阳光花园3号楼4单元"),  # full-width digits
        ("ＡＢＣ小区　Ｂ座", "abc小区b座"),  # full-width letters and space
        ("三号楼", "3号楼"),
        ("二十三栋一单元", "23栋1单元"),
        ("一百零五室", "105室"),
        ("十二号", "12号"),
        ("两栋楼", "2栋楼"),
        ("一二零号", "120号"),
        ("十字路口的红绿灯", "十字路口红绿灯"),  # 十 not before a measure of place: a word
        ("……  ！？、“”", ""),
    ],
)
def test_normalise(raw: str, normalised: str) -> None:
    assert normalise(raw) == normalised


def test_bigrams_of_short_texts() -> None:
    assert bigrams("") == []
    assert bigrams("水") == ["水"]
    assert bigrams("停水了") == ["停水", "水了"]


# --- similarity -------------------------------------------------------------------------------------

SAME_MATTER = [
    (
        "阳光花园小区从早上开始就停水了，到现在还没来水",
        "喂，阳光花园没水了，一早上都没水，什么时候恢复供水？",
    ),
    ("望京西路阳光花园北门那段路灯坏了好几天了", "阳光花园北门外望京西路上的路灯晚上不亮"),
    ("阳光花园东门外工地半夜还在打桩，吵得睡不着", "我反映阳光花园东门对面工地夜间施工扰民，每天干到凌晨"),
    ("幸福里5号楼电梯坏了三天了，物业不修", "你好，幸福里五号楼电梯停运好几天了，物业一直没修"),
]
OTHER_MATTER_SAME_PLACE = [
    ("阳光花园小区从早上开始就停水了，到现在还没来水", "阳光花园东门外工地半夜还在打桩，吵得睡不着"),
    ("望京西路阳光花园北门那段路灯坏了好几天了", "阳光花园小区物业费涨价了，没有开业主大会"),
    ("幸福里5号楼电梯坏了三天了，物业不修", "幸福里小区垃圾好几天没人清运，垃圾桶都满了"),
    ("花园路28号烧烤店油烟扰民，窗户都不敢开", "花园路和学院路路口的红绿灯坏了，一直闪黄灯"),
]


@pytest.mark.parametrize(("a", "b"), SAME_MATTER)
def test_paraphrases_of_one_matter_reach_the_threshold(a: str, b: str) -> None:
    assert text_similarity(a, b, RULES) >= RULES.min_similarity


@pytest.mark.parametrize(("a", "b"), OTHER_MATTER_SAME_PLACE)
def test_other_matters_in_the_same_place_stay_below_it(a: str, b: str) -> None:
    assert text_similarity(a, b, RULES) < RULES.min_similarity


def test_a_one_word_difference_is_left_to_the_category() -> None:
    """停水 and 停电 of one compound read alike to any character measure: the category tells them apart."""
    water = order(1, "阳光花园小区停水了，三号楼一早上都没水")
    power = order(2, "阳光花园小区停电了，三号楼一早上都没电", category_code="0302")
    assert text_similarity(water.text, power.text, RULES) >= RULES.min_similarity
    assert find_matter(power, [water], RULES) is None
    assert find_matter(power, [water], replace(RULES, same_category=False)) is not None


@pytest.mark.parametrize("measure", list(Measure))
@pytest.mark.parametrize("kind", list(Shingles))
def test_every_measure_is_one_for_equal_texts_and_zero_for_disjoint_or_empty(
    measure: Measure, kind: Shingles
) -> None:
    a, b = profile("阳光花园停水", kind), profile("和平街路灯坏", kind)
    assert similarity(a, a, measure) == pytest.approx(1.0)
    assert similarity(a, b, measure) == 0.0
    assert similarity(a, profile("，。！", kind), measure) == 0.0


def test_jaccard_over_bigram_sets() -> None:
    rules = replace(RULES, shingles=Shingles.BIGRAMS, measure=Measure.JACCARD)
    assert text_similarity("停水三天", "停水", rules) == pytest.approx(1 / 3)  # {停水, 水三, 三天} vs {停水}


@given(st.text(alphabet="阳光花园停水电路灯噪音工地3号楼，。 你好", max_size=30), st.text(max_size=30))
def test_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    for measure in Measure:
        rules = replace(RULES, measure=measure)
        score = text_similarity(a, b, rules)
        assert 0.0 <= score <= 1.0
        assert score == pytest.approx(text_similarity(b, a, rules))


# --- matching rules ---------------------------------------------------------------------------------

WATER = "阳光花园小区从早上开始就停水了，到现在还没来水"
WATER_AGAIN = "喂，阳光花园没水了，一早上都没水，什么时候恢复供水？"


def test_the_best_candidate_above_the_threshold_is_found() -> None:
    noise = order(1, "阳光花园东门外工地半夜还在打桩，吵得睡不着", category_code="0502")
    water = order(2, WATER, matter_id=MatterId(7))
    found = find_matter(order(3, WATER_AGAIN, 30), [noise, water], RULES)
    assert found is not None
    assert (found.ticket_id, found.matter_id) == (2, 7)
    assert found.score == pytest.approx(text_similarity(WATER, WATER_AGAIN, RULES))


def test_nothing_similar_enough_is_no_match() -> None:
    assert find_matter(order(2, "阳光花园小区物业费涨价了"), [order(1, WATER)], RULES) is None
    assert find_matter(order(2, WATER), [], RULES) is None


def test_an_order_never_matches_itself() -> None:
    assert find_matter(order(1, WATER), [order(1, WATER)], RULES) is None


def test_an_order_already_in_a_matter_looks_outside_it() -> None:
    """Under a burst a later order may have linked the new one first: its own match links it further."""
    mine, elsewhere = MatterId(3), MatterId(4)
    new = order(9, WATER_AGAIN, matter_id=mine)
    same = order(1, WATER_AGAIN, matter_id=mine)
    assert find_matter(new, [same], RULES) is None
    found = find_matter(new, [same, order(2, WATER, matter_id=elsewhere)], RULES)
    assert found is not None and (found.ticket_id, found.matter_id) == (2, elsewhere)


def test_too_short_a_text_never_matches() -> None:
    assert find_matter(order(2, "停水了"), [order(1, "停水了")], RULES) is None  # "停水" after normalising


@pytest.mark.parametrize(("hours", "found"), [(71.9, True), (72, True), (72.1, False), (-72.1, False)])
def test_the_window_is_counted_both_ways(hours: float, found: bool) -> None:
    new = order(2, WATER_AGAIN, hours * 60)
    assert (find_matter(new, [order(1, WATER)], RULES) is not None) is found


def test_another_area_never_matches_even_the_same_words() -> None:
    assert find_matter(order(2, WATER), [order(1, WATER, area_code="110105011")], RULES) is None


@pytest.mark.parametrize(("new_area", "old_area"), [(None, AREA), (AREA, None), (None, None)])
def test_a_missing_area_needs_a_near_identical_text(new_area: str | None, old_area: str | None) -> None:
    old = order(1, WATER, area_code=old_area)
    assert find_matter(order(2, WATER + "，谢谢", area_code=new_area), [old], RULES) is not None
    assert find_matter(order(3, WATER_AGAIN, area_code=new_area), [old], RULES) is None


def test_category_rule_applies_only_when_both_orders_have_one() -> None:
    new = order(2, WATER_AGAIN)
    assert find_matter(new, [order(1, WATER, category_code="0602")], RULES) is None
    assert find_matter(new, [order(1, WATER, category_code=None)], RULES) is not None
    assert find_matter(replace(new, category_code=None), [order(1, WATER)], RULES) is not None


def test_ties_prefer_a_matter_then_the_closest_in_time_then_the_lowest_id() -> None:
    loose_near = order(5, WATER, 50)
    in_matter_far = order(9, WATER, 0, matter_id=MatterId(3))
    in_matter_near = order(8, WATER, 40, matter_id=MatterId(4))
    twin = order(7, WATER, 40, matter_id=MatterId(4))
    new = order(10, WATER_AGAIN, 60)
    score = text_similarity(WATER, WATER_AGAIN, RULES)
    assert find_matter(new, [loose_near, in_matter_far], RULES) == MatterMatch(
        TicketId(9), MatterId(3), score
    )
    for candidates in (
        [loose_near, in_matter_far, in_matter_near, twin],
        [twin, in_matter_near, in_matter_far],
    ):
        found = find_matter(new, candidates, RULES)
        assert found is not None and found.ticket_id == 7


def test_a_higher_score_beats_every_tie_break() -> None:
    close_paraphrase = order(1, WATER_AGAIN + "谢谢", 0)
    matter_member = order(2, WATER, 59, matter_id=MatterId(1))
    found = find_matter(order(3, WATER_AGAIN, 60), [matter_member, close_paraphrase], RULES)
    assert found is not None and found.ticket_id == 1


def test_times_in_any_zone_compare_as_instants() -> None:
    new = order(2, WATER_AGAIN, received_at=(T0 + timedelta(hours=71)).astimezone(UTC))
    assert find_matter(new, [order(1, WATER)], RULES) is not None


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(InvalidInput):
        order(1, WATER, received_at=datetime(2026, 11, 23, 9, 0))


# --- callers and escalation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("13800000001", "13800000001"),
        ("+86 138-0000-0001", "13800000001"),
        ("008613800000001", "13800000001"),
        ("013800000001", "13800000001"),  # trunk 0 before an out-of-town mobile
        ("０１０－６５１２３４５６", "01065123456"),  # a landline keeps its area code
        ("", None),
        ("anonymous", None),
    ],
)
def test_caller_key(number: str, key: str | None) -> None:
    assert caller_key(number) == key


def test_distinct_callers() -> None:
    assert count_callers(["13800000001"] * 5) == 1
    assert count_callers(["13800000001", "+8613800000001", "13800000002", "", "unknown"]) == 2


@pytest.mark.parametrize(
    ("callers", "already", "escalate"),
    [(9, False, False), (10, False, True), (11, False, True), (10, True, False), (25, True, False)],
)
def test_should_escalate_once_at_ten_distinct_callers(callers: int, already: bool, escalate: bool) -> None:
    assert should_escalate(callers, already, RULES) is escalate


def test_the_escalation_threshold_is_configurable() -> None:
    assert should_escalate(5, False, DuplicateRules(escalate_at_callers=5))


# --- rules ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"min_similarity": 0},
        {"min_similarity": 1.2},
        {"near_identical": 0.3},  # below min_similarity
        {"near_identical": 1.01},
        {"window": timedelta(0)},
        {"window": timedelta(days=32)},
        {"escalate_at_callers": 1},
        {"min_chars": 1},
        {"measure": "levenshtein"},
        {"shingles": "words"},
    ],
)
def test_bad_rules_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises((ConfigError, ValueError)):
        DuplicateRules(**changes)


def test_rules_given_as_strings_become_enums() -> None:
    rules = DuplicateRules(measure="jaccard", shingles="bigrams")  # type: ignore[arg-type]
    assert (rules.measure, rules.shingles) == (Measure.JACCARD, Shingles.BIGRAMS)
