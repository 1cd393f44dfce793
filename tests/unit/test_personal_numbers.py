"""Phone, ID and bank-card numbers in hotline texts: found, masked, and everything else left as written."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.ticketing.orders.drafting import summarise
from callcenter.ticketing.privacy.personal_numbers import NumberKind, find_numbers, luhn_valid, mask_numbers

CARD = "6222020200001234562"  # 19 digits, Luhn-valid (ISO/IEC 7812)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我的手机号13511112222，麻烦尽快处理", "我的手机号135****2222，麻烦尽快处理"),
        ("电话是139 1234 5678。", "电话是139****5678。"),
        ("电话139-1234-5678", "电话139****5678"),
        ("我的电话是幺三九 幺二三四 五六七八 谢谢", "我的电话是139****5678 谢谢"),
        ("号码是一三九一二三四五六七八", "号码是139****5678"),
        ("手机１３９１２３４５６７８", "手机139****5678"),
        ("+86 139 1234 5678", "139****5678"),
        ("座机010-6512 3456", "座机010****3456"),
        ("家里电话65123456", "家里电话****3456"),
        ("身份证号110101199003071234", "身份证号110101********1234"),
        ("身份证一一零一零一一九九零零三零七一二三叉", "身份证110101********123X"),
        ("身份证11010119900307123x", "身份证110101********123X"),
        (f"卡号{CARD}", "卡号622202*********4562"),
        ("卡号6222 0202 0000 1234 562", "卡号622202*********4562"),
        ("房号1201 电话13912345678", "房号1201 电话139****5678"),
        ("电话是幺三九，七三九零，九九零五，谢谢", "电话是139****9905，谢谢"),  # pauses written as commas
        ("两个号码13800138000、13900139000", "两个号码138****8000、139****9000"),
        ("13000000000，14052000000。", "130****0000，140****0000。"),  # a list is not one card
    ],
)
def test_personal_numbers_are_masked_wherever_they_are(text: str, masked: str) -> None:
    assert mask_numbers(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "我家住在建国门内大街18号3号楼2单元502室",
        "2026年11月24日晚上10点多，楼下还在施工",
        "日期20261124，房租3500元，罚款35000000元",
        "工单号2026112400001，已经打过12345和110",
        "卡号6222020200001234567写错了一位",  # fails the Luhn check: not a card number
        "一五一十地说清楚，一一对应，三四个人",
        "已经等了139****5678的回电",  # already masked
    ],
)
def test_other_numbers_stay_as_written(text: str) -> None:
    if "6222020200001234567" in text:
        assert not luhn_valid("6222020200001234567")
    assert mask_numbers(text) == text


def test_each_number_is_found_with_its_kind_and_place() -> None:
    text = f"电话13511112222，身份证110101199003071234，卡号{CARD}"
    found = find_numbers(text)
    assert [(n.kind, text[n.start : n.end]) for n in found] == [
        (NumberKind.PHONE, "13511112222"),
        (NumberKind.ID_NUMBER, "110101199003071234"),
        (NumberKind.BANK_CARD, CARD),
    ]


def test_the_automatic_summary_never_copies_a_number_and_still_reads_well() -> None:
    words = (
        "我的电话是幺三九 幺二三四 五六七八。小区门口的路灯坏了三天，晚上很黑，老人孩子走路都不方便。"
        "身份证号是110101199003071234。"
    )
    summary = summarise(words)
    assert summary == "我的电话是139****5678。小区门口的路灯坏了三天，晚上很黑，老人孩子走路都不方便。"
    assert not re.search(r"\d{5,}", summary)


# --- properties ---------------------------------------------------------------------------------

_SPOKEN = {"0": "零〇0", "1": "一幺1", **{d: "二三四五六七八九"[int(d) - 2] + d for d in "23456789"}}
_FILLER = st.text("我家楼下的烧烤店天天营业到凌晨噪音很大请尽快处理电话号码是，。", min_size=1, max_size=8)

mobiles = st.builds(
    lambda p, rest: "1" + p + rest, st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9)
)


@st.composite
def written(draw: st.DrawFn, number: str) -> str:
    """The number as a transcript or an agent might write it: plain, 3-4-4 with spaces or hyphens,
    read digit by digit (any reading of each digit, Vosk's spaces anywhere), or full width."""
    style = draw(st.sampled_from(["plain", "spaced", "hyphens", "spoken", "full"]))
    if style == "spaced":
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style == "hyphens":
        return f"{number[:3]}-{number[3:7]}-{number[7:]}"
    if style == "full":
        return number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if style == "plain":
        return number
    out = ""
    for i, digit in enumerate(number):
        out += (" " if i and draw(st.booleans()) else "") + draw(st.sampled_from(_SPOKEN[digit]))
    return out


def _as_digits(text: str) -> str:
    table = {**{c: str(i) for i, c in enumerate("０１２３４５６７８９")}, "幺": "1", "〇": "0"}
    table.update({c: str(i) for i, c in enumerate("零一二三四五六七八九")})
    return "".join(table.get(ch, ch) for ch in text if ch not in " -")


@given(st.lists(st.tuples(_FILLER, mobiles.flatmap(lambda n: st.tuples(st.just(n), written(n)))), min_size=1))
def test_no_mobile_number_survives_masking(parts: list[tuple[str, tuple[str, str]]]) -> None:
    text = "".join(filler + shown for filler, (_, shown) in parts) + "。"
    masked = _as_digits(mask_numbers(text))
    for _, (number, _) in parts:
        assert number not in masked
        assert f"{number[:3]}****{number[7:]}" in masked


@given(st.text("0123456789 -幺一二三五八零Xx叉*我的电话是，。＋+８", max_size=60))
def test_masking_is_idempotent(text: str) -> None:
    once = mask_numbers(text)
    assert mask_numbers(once) == once
