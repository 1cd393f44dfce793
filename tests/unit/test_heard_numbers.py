"""The contact number through speech-recognition errors (heard_numbers), on Whisper-base's own outputs.

The texts are what Whisper-base wrote for corpus requests read by the natural voice through a telephone
line (bench/corpus_quality.py), and sentences where the same characters are ordinary words.
"""

from __future__ import annotations

import pytest

from callcenter.ticketing.heard_numbers import contact_number
from callcenter.ticketing.spoken_numbers import spoken_contact_number
from callcenter.ticketing.suggestions.assistant import suggest


@pytest.mark.parametrize(
    ("heard", "number"),
    [
        # 幺 heard as 要, the rest in Arabic digits
        ("路灯不亮好几天了,联系电话要3821092417", "13821092417"),
        # 要 at both ends, 七 heard as 起
        ("车功中社区7号楼一单元2040联系电话要38210924要起", "13821092417"),
        # 八 before 零 heard as 百: a run taken for a quantity
        ("到现在还没来电又是大位电话要三百零五二百二零三二", "13805282032"),
        # the last 八 heard as the particle 吧, a dash for the pause
        ("请帮忙解决一下我的号码是15037-09135吧", "15037091358"),
        # 幺 heard as 腰 and 妖, pauses written as commas
        ("我的手机号是腰三九，七三九零，九九零妖", "13973909901"),
        # hotline readings: 洞 for 0, 两 for 2, 勾 for 9, 拐 for 7
        ("联系方式幺三洞两勾拐幺洞洞洞洞", "13029710000"),
        # a landline with its area code, 幺 heard as 么
        ("你打这个号码洞么洞八四五六么三五幺", "01084561351"),
        # 二 heard as 而 (Whisper-base on a corpus call, docs/corpus.md)
        ("你记一下我的手机号,要3808235而66", "13808235266"),
        # an 11-digit mobile run needs no cue
        ("有事找我要3821092417", "13821092417"),
        # said right: as spoken_numbers reads it
        ("有事打我电话15839四六三五六零", "15839463560"),
        ("我的号码是幺三九，七三九零，九九零五", "13973909905"),
    ],
)
def test_a_number_heard_with_the_recognisers_slips_is_read(heard: str, number: str) -> None:
    assert contact_number(heard) == number


@pytest.mark.parametrize(
    "heard",
    [
        "我要求你们尽快处理",  # 要求: 要 is a word
        "电话要求他们回复一下",  # 要 after a cue, but no number follows
        "打了一要两个人过来",  # 一要, 两个人
        "他打了两个人",  # a cue, 两 and nothing more
        "电话打了三百多次也没人接",  # 三百: a quantity, not a number
        "我的手机号要三五二三四四九六四",  # ten digits: one was lost, no guess
        "我的号码是1393562764",  # ten Arabic digits: no guess
        "联席电话要散旧,其散旧零,旧零五",  # too many stand-ins
        "星期一要去那边看看吧",  # no cue, not eleven digits
        "电话打了而且没人接",  # 而且 after a cue: a word, not a number
    ],
)
def test_words_that_only_look_like_digits_are_not_a_number(heard: str) -> None:
    assert contact_number(heard) is None


def test_a_number_said_right_stands_before_a_repair() -> None:
    assert contact_number("电话13800138000，备用的要3821092417") == "13800138000"


def test_a_local_number_stays_when_no_repair_reads_a_longer_one() -> None:
    assert contact_number("我家电话是八二三四五六七八") == "82345678"


def test_a_mobile_read_through_the_slips_beats_a_local_number_inside_it() -> None:
    # spoken_numbers alone takes the eight digits between the two 要 for a local number
    assert contact_number("联系电话要38210924要起") == "13821092417"


def test_the_draft_shows_the_number_and_keeps_the_words_as_heard() -> None:
    s = suggest("联系电话要3821092417，要求尽快处理")
    assert s.contact_number == "13821092417"
    assert "要3821092417" in s.request_text and "要求" in s.request_text


def test_with_no_cue_only_a_few_stand_ins_are_read() -> None:
    assert contact_number("有事找我要3821092417") == "13821092417"
    assert contact_number("腰三洞两勾拐幺洞洞洞洞") is None


def test_a_landline_of_ten_digits_is_not_made_up() -> None:
    # 零一零，九八四五 heard as 零一流八四五: a digit lost; 流 is not read as 6 to fill ten digits
    heard = "我的号码是零一流八四五六一三五"
    assert contact_number(heard) == spoken_contact_number(heard) != "0168456135"
