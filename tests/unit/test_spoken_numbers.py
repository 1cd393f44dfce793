"""Spoken numbers in hotline speech → digits for the work order (masking: test_personal_numbers)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.ticketing.spoken_numbers import (
    digits_from_speech,
    number_value,
    spoken_contact_number,
)


@pytest.mark.parametrize(
    ("speech", "expected"),
    [
        # contact and ID numbers, digit by digit, with Vosk's spaces and 幺
        ("我的电话是幺三八 零零幺三 八零零零", "我的电话是13800138000"),
        (
            "我 的 电话 是 幺 三 八 零 零 幺 三 八 零 零 零 住 在 三 号楼",
            "我 的 电话 是 13800138000 住 在 3号楼",
        ),
        ("座机是零幺零 六五幺二 三四五六", "座机是01065123456"),
        ("家里座机六五一二三四五六", "家里座机65123456"),
        ("手机138 零零幺三 8000", "手机13800138000"),
        ("身份证号一一零一零一一九九零零三零七一二三四", "身份证号110101199003071234"),
        ("身份证 一一零一零一 一九九零零三零七 一二三 叉", "身份证 11010119900307123X"),
        ("我已经打过一一零了", "我已经打过110了"),
        ("打幺二三四五没人接", "打12345没人接"),
        # addresses (门牌/楼号/单元/室)
        ("住在朝阳区建国路八十八号三号楼二单元五零二", "住在朝阳区建国路88号3号楼2单元502"),
        ("二百零三室漏水", "203室漏水"),
        ("门牌是三十五号", "门牌是35号"),
        ("十八层的电梯坏了", "18层的电梯坏了"),
        ("一楼的住户", "1楼的住户"),
        ("五号楼一五零二", "5号楼1502"),
        # dates and times
        ("十一月二十号", "11月20号"),
        ("二零二六年十一月二十四日", "2026年11月24日"),
        ("两千零二十六年", "2026年"),
        ("昨天晚上十点多停的电", "昨天晚上10点多停的电"),
        ("下午三点半来的", "下午3点30分来的"),
        ("三点十分", "3点10分"),
        ("早上 七 点 就 开始 施工", "早上 7点 就 开始 施工"),
        ("周一上午九点", "周一上午9点"),
        ("等了十分钟", "等了10分钟"),
        # values with 十/百/千 on their own
        ("十一", "11"),
        ("第十一", "第11"),
        ("大概三百五", "大概350"),
    ],
)
def test_spoken_numbers_become_digits(speech: str, expected: str) -> None:
    assert digits_from_speech(speech) == expected


@pytest.mark.parametrize(
    "speech",
    [
        "我想一起反映一下",
        "一直没人管",
        "统一号码",
        "万一出事了怎么办",
        "十分感谢",
        "请三思",
        "有一些问题",
        "第一次打电话",
        "星期一",
        "快一点",
        "两点建议",
        "一五一十地说",
        "七八层楼",  # an estimate, not floor 78
        "三四个人",
        "一两年了",
        "这一层",
        "一楼道的垃圾",
        "三天两头停水",
        "电话幺三八零零幺三八零零零三号楼",  # 12 digits run together: not guessed at
    ],
)
def test_words_that_merely_contain_numerals_stay(speech: str) -> None:
    assert digits_from_speech(speech) == speech


@pytest.mark.parametrize(
    ("run", "value"),
    [
        ("二百零三", 203),
        ("十一", 11),
        ("三十五", 35),
        ("三百五", 350),
        ("一千零三", 1003),
        ("两千", 2000),
        ("五零二", 502),
        ("幺三", 13),
        ("十两", None),
        ("一五一十", None),
        ("百", None),
        ("起", None),
    ],
)
def test_number_value(run: str, value: int | None) -> None:
    assert number_value(run) == value


@pytest.mark.parametrize(
    ("speech", "number"),
    [
        ("我的电话是幺三八 零零幺三 八零零零", "13800138000"),
        ("身份证一一零一零一一九九零零三零七一二三四，电话零幺零六五幺二三四五六", "01065123456"),
        ("住在八十八号三号楼", None),
        ("我已经打过一一零了", None),
    ],
)
def test_spoken_contact_number(speech: str, number: str | None) -> None:
    assert spoken_contact_number(speech) == number


# --- properties ---------------------------------------------------------------------------------

_SPOKEN = {"0": "零〇0", "1": "一幺1", **{d: "二三四五六七八九"[int(d) - 2] + d for d in "23456789"}}

mobiles = st.builds(
    lambda p, rest: "1" + p + rest, st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9)
)
landlines = st.builds(
    lambda a, rest: "0" + a + rest,
    st.sampled_from("123456789"),
    st.text("0123456789", min_size=8, max_size=10),
)
ids = st.builds(
    lambda region, year, month, day, seq: f"{region}{year}{month:02d}{day:02d}{seq}",
    st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    st.integers(1900, 2029),
    st.integers(1, 12),
    st.integers(1, 28),
    st.from_regex(r"[0-9]{3}[0-9X]", fullmatch=True),
)


@st.composite
def spoken(draw: st.DrawFn, number: str) -> str:
    """The number read digit by digit, any reading of each digit, Vosk's spaces anywhere between."""
    out = ""
    for i, digit in enumerate(number):
        if i and draw(st.booleans()):
            out += " "
        out += "叉" if digit == "X" else draw(st.sampled_from(_SPOKEN[digit]))
    return out


@given(st.one_of(mobiles, landlines, ids).flatmap(lambda n: st.tuples(st.just(n), spoken(n))))
def test_a_number_read_digit_by_digit_comes_back(case: tuple[str, str]) -> None:
    number, speech = case
    assert digits_from_speech(f"我的号码是{speech}，谢谢") == f"我的号码是{number}，谢谢"


@given(st.one_of(mobiles, landlines).flatmap(lambda n: st.tuples(st.just(n), spoken(n))))
def test_a_spoken_phone_number_is_the_contact(case: tuple[str, str]) -> None:
    number, speech = case
    assert spoken_contact_number(f"我 的 电话 是 {speech} 谢谢") == number


@given(
    st.lists(
        st.sampled_from(
            ["一起", "一下", "一直", "统一", "万一", "十分", "三思", "一些", "我", "反映", "问题"]
        )
    ),
)
def test_words_with_numerals_survive_any_order(words: list[str]) -> None:
    text = " ".join(words)
    assert digits_from_speech(text) == text


@pytest.mark.parametrize(
    ("speech", "digits"),
    [
        ("电话幺三九，七三九零，九九零五。", "电话13973909905。"),
        ("一三九，三五六二，七六四二", "13935627642"),
        ("零一零，九八四五，六一三五", "01098456135"),
        ("幺三九 ，七三九零， 九九零五", "13973909905"),
        ("电话幺三八幺二三四五六七八，一二三四五", "电话13812345678，12345"),
    ],
)
def test_pauses_written_as_commas_between_the_groups_of_a_number_are_read_through(
    speech: str, digits: str
) -> None:
    assert digits_from_speech(speech) == digits


@pytest.mark.parametrize("text", ["一，二，三", "三，四个人", "一二，三四"])
def test_a_comma_between_digits_that_form_no_number_stays(text: str) -> None:
    assert digits_from_speech(text) == text
