"""Confidential orders (保密): the informant removed from what units read; what units read of every order."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.ids import TicketId
from callcenter.ticketing.orders.model import Ticket
from callcenter.ticketing.orders.record import CitizenContact, TicketLifecycle
from callcenter.ticketing.orders.views import content_for, summary_for, text_filter_for, unit_content
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.privacy.redaction import (
    DetailKind,
    Finding,
    Informant,
    identifying_details,
    redact_informant,
)
from callcenter.ticketing.states import TicketStatus

WANG = Informant(("王五",), ("13511112222",))


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "举报人王五 13511112222，楼下烧烤店天天营业到凌晨三点。",
            "举报人【姓名已隐去】 【电话已隐去】，楼下烧烤店天天营业到凌晨三点。",
        ),
        (
            "我叫张三丰，我住在朝阳区建国路88号3号楼502，王府井大街垃圾没人清运。",
            "我叫【姓名已隐去】，我住在【住址已隐去】，王府井大街垃圾没人清运。",
        ),
        (
            "我姓王，电话幺三九 幺二三四 五六七八，身份证号110101199003071234",
            "我姓【姓名已隐去】，电话【电话已隐去】，身份证号【身份证号已隐去】",
        ),
        (
            "我是李四，想反映一下李四家门口的占道经营",
            "我是【姓名已隐去】，想反映一下【姓名已隐去】家门口的占道经营",
        ),
        ("联系人：王先生，+86 139 1234 5678", "联系人：【姓名已隐去】，【电话已隐去】"),
        ("免贵姓欧阳，家住海淀区中关村大街1号", "免贵姓【姓名已隐去】，家住【住址已隐去】"),
        ("本人张伟反映，家庭住址：东城区东四十条5号", "本人【姓名已隐去】反映，家庭住址：【住址已隐去】"),
        (
            "市民李女士来电，退款打到卡号6222020200001234562",
            "市民【姓名已隐去】来电，退款打到卡号【银行卡号已隐去】",
        ),
        ("王五说楼下的饭店油烟很大", "【姓名已隐去】说楼下的饭店油烟很大"),  # the registered name
        ("回电请打135 1111 2222", "回电请打【电话已隐去】"),
        (  # Vosk: words spaced, no punctuation
            "我 叫 王五 我 住 在 幸福 小区 三 号楼 我 要 举报 楼下 烧烤店",
            "我 叫 【姓名已隐去】 我 住 在 【住址已隐去】 我 要 举报 楼下 烧烤店",
        ),
        ("喂 你好 我 是 李四 想 反映 一下", "喂 你好 我 是 【姓名已隐去】 想 反映 一下"),
        ("我家在王府井大街附近，门口垃圾没人清运", "我家在【住址已隐去】附近，门口垃圾没人清运"),
        (
            "举报人王五 135****2222，身份证110101********1234",
            "举报人【姓名已隐去】 【电话已隐去】，身份证【身份证号已隐去】",
        ),
    ],
)
def test_the_informant_is_removed(text: str, redacted: str) -> None:
    assert redact_informant(text, WANG) == redacted


@pytest.mark.parametrize(
    "text",
    [
        "王府井大街垃圾没人清运，已经三天了",
        "我是这个小区的业主，门口垃圾没人清运",
        "楼上姓张的邻居天天装修到晚上十点",  # the reported party keeps their name
        "老百姓反映东四十条5号门口占道经营",
        "建国门内大街18号门口的路灯坏了三天",
    ],
)
def test_the_matter_and_its_place_stay(text: str) -> None:
    assert redact_informant(text) == text


def test_the_agent_is_told_what_still_identifies_the_informant() -> None:
    texts = ["举报人王五 13511112222，我住在幸福小区3号楼", "王五反映的烧烤店"]
    assert identifying_details(texts) == (
        Finding(DetailKind.NAME, "王五"),
        Finding(DetailKind.PHONE, "135****2222"),
        Finding(DetailKind.ADDRESS, "幸福小区3号楼"),
    )
    assert identifying_details(["王府井大街垃圾没人清运"]) == ()


_MATTER = st.sampled_from(["楼下烧烤店噪音很大", "王府井大街垃圾没人清运", "路灯坏了", "，", "。", " "])
_IDENTITY = st.sampled_from(
    [
        "举报人王五",
        "我叫张三丰",
        "我姓李",
        "电话13511112222",
        "身份证110101199003071234",
        "我住在幸福小区3号楼，",
    ]
)


@given(st.lists(st.one_of(_MATTER, _IDENTITY), max_size=8))
def test_redaction_is_idempotent_and_leaves_nothing_to_warn_of(parts: list[str]) -> None:
    text = "".join(parts)
    once = redact_informant(text, WANG)
    assert redact_informant(once, WANG) == once
    assert identifying_details([once], WANG) == ()
    for secret in ("王五", "张三丰", "13511112222", "110101199003071234", "幸福小区"):
        assert secret not in once


# --- what each viewer reads ----------------------------------------------------------------------

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
UNIT = Actor(StaffId("unit-a"), Role.UNIT_STAFF, UnitId("jianguomen"))
AGENT = Actor(StaffId("agent1"), Role.AGENT)
TEXT = "举报人王五 13511112222，王府井大街的烧烤店占道经营，身份证110101199003071234。"


def order(confidential: bool, unit_summary: str = "") -> WorkOrder:
    ticket = Ticket(
        None, "13511112222", "王五举报烧烤店占道，电话13511112222",
        TEXT, AT, AT, unit_summary=unit_summary,
    )  # fmt: skip
    life = TicketLifecycle(
        TicketId(1), TicketStatus.DISPATCHED, citizen=CitizenContact("王五", "13511112222"),
        confidential=confidential, lead_unit=UnitId("jianguomen"),
    )  # fmt: skip
    return WorkOrder(ticket, life)


def test_hotline_staff_read_every_text_as_written() -> None:
    for o in (order(False), order(True)):
        seen = content_for(o, AGENT)
        assert (seen.summary, seen.request_text) == (o.ticket.summary, TEXT)
        assert text_filter_for(o, AGENT)("电话13511112222") == "电话13511112222"


def test_units_read_an_ordinary_order_with_its_numbers_masked() -> None:
    seen = content_for(order(False), UNIT)
    assert (
        seen.request_text == "举报人王五 135****2222，王府井大街的烧烤店占道经营，身份证110101********1234。"
    )
    assert summary_for(order(False), UNIT) == seen.summary == "王五举报烧烤店占道，电话135****2222"


def test_units_read_a_confidential_order_without_the_informant() -> None:
    seen = content_for(order(True), UNIT)
    assert seen.request_text == (
        "举报人【姓名已隐去】 【电话已隐去】，王府井大街的烧烤店占道经营，身份证【身份证号已隐去】。"
    )
    assert seen.summary == "【姓名已隐去】举报烧烤店占道，电话【电话已隐去】"
    assert text_filter_for(order(True), UNIT)("王五已联系") == "【姓名已隐去】已联系"


def test_a_unit_summary_replaces_the_text_of_a_confidential_order_for_units() -> None:
    written = order(True, unit_summary="王府井大街一烧烤店夜间占道经营，请核查。")
    seen = unit_content(written)
    assert seen == type(seen)(
        "王府井大街一烧烤店夜间占道经营，请核查。", "王府井大街一烧烤店夜间占道经营，请核查。"
    )
    assert summary_for(written, UNIT) == seen.summary
    assert content_for(written, AGENT).request_text == TEXT
    careless = replace(written, ticket=replace(written.ticket, unit_summary="王五反映烧烤店占道"))
    assert unit_content(careless).request_text == "【姓名已隐去】反映烧烤店占道"
