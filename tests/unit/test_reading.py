"""Reading rules (ivr/reading.py): how the hotline reads numbers, dates, times and amounts aloud; the
project's own spoken-number reader (ticketing/spoken_numbers.py) reads them back to the same values."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.ivr.reading import (
    Count,
    Digits,
    FullDate,
    Money,
    WorkingDays,
    amount,
    cardinal,
    count,
    date_words,
    digit_by_digit,
    ordinal,
    read_digits_in,
    room,
    spoken,
    time_words,
    working_days,
)
from callcenter.ticketing.spoken_numbers import digits_from_speech, number_value, spoken_contact_number


@pytest.mark.parametrize(
    ("digits", "words"),
    [
        ("12345", "幺二三四五"),
        ("13812345678", "幺三八幺二三四五六七八"),
        ("01065123456", "零幺零六五幺二三四五六"),
        ("110", "幺幺零"),
    ],
)
def test_numbers_that_identify_are_read_digit_by_digit_with_yao_and_ling(digits: str, words: str) -> None:
    assert digit_by_digit(digits) == words


def test_the_plain_reading_says_yi_for_one() -> None:
    assert digit_by_digit("13812345678", one="一") == "一三八一二三四五六七八"


@pytest.mark.parametrize("bad", ["", "12a", "１２", "1 2", "-1"])
def test_only_ascii_digit_strings_are_read_digit_by_digit(bad: str) -> None:
    with pytest.raises(ValueError):
        digit_by_digit(bad)


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "零"),
        (2, "二"),
        (10, "十"),
        (12, "十二"),
        (20, "二十"),
        (102, "一百零二"),
        (110, "一百一十"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (10203, "一万零二百零三"),
        (100000, "十万"),
        (100010, "十万零一十"),
        (120000, "十二万"),
        (100000001, "一亿零一"),
        (200000000, "二亿"),
    ],
)
def test_values_are_read_with_units_and_one_ling_per_gap(n: int, words: str) -> None:
    assert cardinal(n) == words


@pytest.mark.parametrize("bad", [-1, 10**12, True])
def test_values_out_of_range_are_refused(bad: int) -> None:
    with pytest.raises(ValueError):
        cardinal(bad)


@pytest.mark.parametrize(
    ("n", "measure", "words"),
    [
        (2, "个", "两个"),
        (2, "天", "两天"),
        (12, "个", "十二个"),
        (22, "天", "二十二天"),
        (200, "元", "两百元"),
        (2000, "", "两千"),
        (20000, "人", "两万人"),
        (3, "个", "三个"),
    ],
)
def test_counts_say_liang_for_a_leading_two(n: int, measure: str, words: str) -> None:
    assert count(n, measure) == words


@given(st.integers(min_value=0, max_value=10**12 - 1))
def test_a_count_differs_from_the_value_only_by_a_leading_liang(n: int) -> None:
    value, counted = cardinal(n), count(n)
    assert value[1:] == counted[1:]
    assert (counted[0] == "两") == (value[0] == "二" and (n == 2 or value[1:2] in ("百", "千", "万", "亿")))


@given(st.integers(min_value=0, max_value=9999))
def test_the_spoken_number_reader_reads_every_value_back(n: int) -> None:
    assert number_value(cardinal(n)) == n


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["幺", "一"]))
def test_the_contact_number_extractor_reads_every_mobile_number_back(mobile: str, one: str) -> None:
    assert spoken_contact_number(f"我的电话是{digit_by_digit(mobile, one=one)}") == mobile


def test_house_building_unit_and_floor_numbers_say_er_and_rooms_are_read_digit_by_digit() -> None:
    assert ordinal(2, "号楼") == "二号楼"
    assert ordinal(12, "号") == "十二号"
    assert "第" + ordinal(2) == "第二"
    assert room("102") == "幺零二室"
    assert room("1503") == "幺五零三室"


def test_working_days_are_a_count() -> None:
    assert working_days(3) == "三个工作日"
    assert working_days(2) == "两个工作日"
    assert working_days(15) == "十五个工作日"


def test_dates_are_month_and_day_and_the_year_only_when_asked() -> None:
    assert date_words(date(2026, 11, 28)) == "十一月二十八日"
    assert date_words(date(2026, 11, 28), with_year=True) == "二零二六年十一月二十八日"
    assert date_words(date(2026, 1, 2)) == "一月二日"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_the_spoken_number_reader_reads_every_date_back(day: date) -> None:
    assert digits_from_speech(date_words(day, with_year=True)) == f"{day.year}年{day.month}月{day.day}日"


@pytest.mark.parametrize(
    ("clock", "words"),
    [
        (time(14, 30), "下午两点半"),
        (time(14, 0), "下午两点"),
        (time(14, 5), "下午两点零五分"),
        (time(9, 15), "上午九点十五分"),
        (time(0, 0), "凌晨零点"),
        (time(2, 10), "凌晨两点十分"),
        (time(7, 45), "早上七点四十五分"),
        (time(12, 30), "中午十二点半"),
        (time(18, 0), "晚上六点"),
        (time(23, 59), "晚上十一点五十九分"),
    ],
)
def test_times_are_the_period_and_a_twelve_hour_clock(clock: time, words: str) -> None:
    assert time_words(clock) == words


@given(st.times())
def test_the_spoken_number_reader_reads_every_time_back(clock: time) -> None:
    said = time_words(clock)
    period = said[:2]
    hour = clock.hour if clock.hour <= 12 else clock.hour - 12
    minutes = f"{clock.minute}分" if clock.minute else ""
    assert digits_from_speech(said) == f"{period}{hour}点{minutes}"


@pytest.mark.parametrize(
    ("yuan", "words"),
    [
        (Decimal("35.50"), "三十五元五角"),
        (Decimal("2.05"), "两元零五分"),
        (Decimal("0.5"), "五角"),
        (Decimal("0.02"), "两分"),
        (1200, "一千二百元"),
        (2, "两元"),
        (0, "零元"),
        (Decimal("10.25"), "十元两角五分"),
    ],
)
def test_amounts_are_read_in_yuan_jiao_fen(yuan: Decimal | int, words: str) -> None:
    assert amount(yuan) == words


@pytest.mark.parametrize("bad", [Decimal("0.001"), Decimal("-1")])
def test_amounts_finer_than_a_fen_or_negative_are_refused(bad: Decimal) -> None:
    with pytest.raises(ValueError):
        amount(bad)


def test_digits_in_free_text_are_read_by_the_word_after_them() -> None:
    assert read_digits_in("欢迎致电12345") == "欢迎致电幺二三四五"
    assert read_digits_in("2号楼3单元102室") == "二号楼三单元幺零二室"
    assert read_digits_in("王府井大街12号") == "王府井大街十二号"
    assert read_digits_in("停水2天了，3个工作日内答复") == "停水两天了，三个工作日内答复"
    assert read_digits_in("2026年11月28日") == "二零二六年十一月二十八日"
    assert read_digits_in("收了35.5元") == "收了三十五元五角"
    assert read_digits_in("没有数字") == "没有数字"


def test_a_prompt_template_is_filled_with_the_readings_of_its_fields() -> None:
    text = spoken(
        "您于{date}{clock}反映的{category}问题，工单号{order}，将在{limit}内答复，退费{money}，共{n}户。",
        date=date(2026, 11, 28),
        clock=time(14, 30),
        category="噪声污染",
        order=Digits("2026112800012"),
        limit=WorkingDays(3),
        money=Money(Decimal("35.5")),
        n=Count(2, ""),
    )
    assert text == (
        "您于十一月二十八日下午两点半反映的噪声污染问题，工单号二零二六幺幺二八零零零幺二，"
        "将在三个工作日内答复，退费三十五元五角，共两户。"
    )
    assert spoken("{day}", day=FullDate(date(2026, 1, 1))) == "二零二六年一月一日"
    assert spoken("第{n}次", n=2) == "第二次"
    assert spoken("请拨打12345") == "请拨打幺二三四五"


@pytest.mark.parametrize(
    ("template", "fields"),
    [
        ("{missing}", {}),
        ("{}", {"x": "a"}),
        ("{n:>3}", {"n": 3}),
        ("{n!r}", {"n": 3}),
        ("没有字段", {"extra": "a"}),
    ],
)
def test_a_template_and_its_fields_must_match(template: str, fields: dict[str, str | int]) -> None:
    with pytest.raises(ValueError):
        spoken(template, **fields)


def test_fields_without_a_reading_are_refused() -> None:
    with pytest.raises(TypeError):
        spoken("{x}", x=True)
    with pytest.raises(TypeError):
        spoken("{x}", x=datetime(2026, 1, 1, 8, 0))


def test_no_arabic_digit_is_left_for_the_synthesizer() -> None:
    text = spoken("{a}{b}号，电话{c}", a="幸福一村社区", b=5, c=Digits("13800138000"))
    assert not any(ch.isdigit() and ch.isascii() for ch in text)
