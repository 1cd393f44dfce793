"""Urgency and intent cues in a caller's words (紧急程度, 诉求性质): tables of realistic 12345 utterances."""

from __future__ import annotations

import pytest

from callcenter.ticketing.deadlines import RequestType, Urgency
from callcenter.ticketing.suggestions.cues import (
    DEFAULT_INTENT,
    INTENT_CUES,
    MAX_SCAN_CHARS,
    TIE_ORDER,
    URGENCY_CUES,
    CallerIntent,
    intent_scores,
    is_negated,
    order_type_from_text,
    request_type_of,
    urgency_from_text,
)

C, Q, P, R, S = (
    CallerIntent.CONSULTATION,
    CallerIntent.REQUEST,
    CallerIntent.COMPLAINT,
    CallerIntent.REPORT,
    CallerIntent.SUGGESTION,
)

URGENCY_CASES = [
    # 特急: life safety
    ("我们楼道里着火了，浓烟很大，快派人来", Urgency.EXTRA_URGENT, "火情"),
    ("隔壁厨房一直在冒烟，敲门没人应", Urgency.EXTRA_URGENT, "火情"),
    ("楼下好大一股燃气味，我怀疑是燃气泄漏", Urgency.EXTRA_URGENT, "燃气泄漏"),
    ("我 家 煤气 好像 漏 了", Urgency.EXTRA_URGENT, "燃气泄漏"),  # Vosk style: words, no punctuation
    ("闻到很重的天然气的味道", Urgency.EXTRA_URGENT, "燃气泄漏"),
    ("电梯停在两层中间，我妈被困在里面出不来", Urgency.EXTRA_URGENT, "人员被困"),
    ("有个小孩卡在电梯里了", Urgency.EXTRA_URGENT, "人员被困"),
    ("三号楼 电梯 困人 了", Urgency.EXTRA_URGENT, "人员被困"),
    ("工地上有工人触电了", Urgency.EXTRA_URGENT, "触电"),
    ("老小区的围墙塌了，压着一辆车", Urgency.EXTRA_URGENT, "坍塌"),
    ("河边有人落水了", Urgency.EXTRA_URGENT, "溺水"),
    ("邻居家一氧化碳中毒，人已经晕倒了", Urgency.EXTRA_URGENT, "中毒"),
    # 紧急: outages and open hazards
    ("我们小区从早上就停电了，到现在还没来电", Urgency.URGENT, "停电"),
    ("整栋楼停水两天了，也没有通知", Urgency.URGENT, "停水"),
    ("路口水管爆了，马路上全是水", Urgency.URGENT, "爆管"),
    ("楼上跑水，顺着楼梯往下流", Urgency.URGENT, "爆管"),
    ("人行道上的井盖丢了，晚上很危险", Urgency.URGENT, "井盖缺失"),
    ("小区停气了，做不了饭", Urgency.URGENT, "停气"),
    # 急件
    ("楼上卫生间漏水，我家天花板都湿了", Urgency.EXPEDITED, "漏水"),
    ("单元电梯坏了三天了没人修", Urgency.EXPEDITED, "电梯故障"),
    ("家里暖气不热，才十几度", Urgency.EXPEDITED, "供暖故障"),
    # 普通
    ("我想问一下社保卡怎么补办", Urgency.NORMAL, None),
    ("坐火车去北京要带什么证件", Urgency.NORMAL, None),  # bare 火 is not a cue
    ("楼下火锅店油烟太大", Urgency.NORMAL, None),
    ("我手机没电了，先挂了", Urgency.NORMAL, None),
]


@pytest.mark.parametrize(("text", "grade", "reason"), URGENCY_CASES)
def test_urgency_grade_and_reason(text: str, grade: Urgency, reason: str | None) -> None:
    got, reasons = urgency_from_text(text)
    assert got is grade
    assert reasons[:1] == ((reason,) if reason else ())


NEGATED = [
    "没有着火，就是邻居烧菜的味道有点大",
    "不是燃气泄漏，是下水道返上来的臭味",  # 燃气 negated; the 臭味 is not gas
    "燃气没有泄漏，我就是想问一下燃气费怎么交",
    "电梯里没有人被困，就是按钮坏了",
    "我们这边没停电，是对面小区停的",  # 停的 is not 停电: the other estate's outage is not said as a cue
    "已经不冒烟了",
    "灶台打不着火",  # the stove will not light: not a fire
    "没有触电，只是插座有点松",
]


@pytest.mark.parametrize("text", NEGATED)
def test_negated_cues_do_not_raise_the_grade(text: str) -> None:
    grade, reasons = urgency_from_text(text)
    assert grade in (Urgency.NORMAL, Urgency.EXPEDITED), reasons
    assert not {"火情", "燃气泄漏", "人员被困", "触电", "停电"} & set(reasons)


@pytest.mark.parametrize(
    "text",
    [
        "不知道是不是燃气泄漏，味道很大",
        "有没有可能是燃气漏了，闻着很冲",
        "电梯不动了人被困在里面",  # 不 belongs to 不动, not to 被困
    ],
)
def test_hedges_and_unrelated_negators_keep_the_cue(text: str) -> None:
    assert urgency_from_text(text)[0] is Urgency.EXTRA_URGENT


def test_reasons_most_urgent_first_and_each_once() -> None:
    grade, reasons = urgency_from_text("楼上漏水，把电线泡了，现在整栋楼停电，刚才还冒烟，冒烟了两次")
    assert grade is Urgency.EXTRA_URGENT
    assert reasons == ("火情", "停电", "漏水")


def test_two_part_cue_needs_both_parts_close_together() -> None:
    far = "燃气公司上个月来抄表了" + "，" * 20 + "楼上卫生间往下漏"
    assert "燃气泄漏" not in urgency_from_text(far)[1]


INTENT_CASES = [
    # 咨询
    ("请问一下，办居住证需要什么材料", C),
    ("我想咨询一下公积金提取的流程", C),
    ("新生儿医保在哪里办，要带什么", C),
    ("请问护照加急办理多少钱", C),
    ("小孩上学的积分入户政策是什么样的", C),
    ("请问老年卡能不能在网上办？", C),
    # 求助
    ("我家门口的路灯坏了，麻烦你们派人来修一下", Q),
    ("老人一个人在家摔倒了，求助，帮帮我们", Q),
    ("下水道堵了，能不能派个人来看看", Q),
    ("帮我联系一下社区，楼道灯不亮", Q),
    ("小区的健身器材坏了，请安排维修", Q),
    ("钥匙锁家里了，能不能帮忙找个开锁的", Q),
    # 投诉
    ("我要投诉楼下的烧烤店，半夜太吵了", P),
    ("工地天天晚上施工，噪音扰民，也没人管", P),
    ("物业乱收费，问了也不管", P),
    ("窗口工作人员态度很差，推诿扯皮", P),
    ("上次反映的问题一直没解决，我很不满意", P),
    ("公司拖欠工资三个月了", P),
    # 举报
    ("我要举报，隔壁在楼顶私搭乱建", R),
    ("有个化工厂晚上偷排污水到河里", R),
    ("巷子里有一家无证经营的黑作坊", R),
    ("小区里有人搞传销", R),
    ("商场里在卖假冒的名牌包", R),
    ("楼下有人聚众赌博，太吵了", R),  # 举报 over 投诉: 赌博 outweighs 太吵 here by the tie order
    # 建议
    ("我建议在学校门口增设一个红绿灯", S),
    ("希望能在小区附近多设几个公交站", S),
    ("能不能增加几条夜班公交线路", S),
    ("给你们提个建议，办事大厅周末最好能开放", S),
    ("希望政府多建一些停车场", S),
    ("地铁站可以增加一些座椅吗", S),
]


@pytest.mark.parametrize(("text", "intent"), INTENT_CASES)
def test_order_type(text: str, intent: CallerIntent) -> None:
    got, confidence = order_type_from_text(text)
    assert got is intent, intent_scores(text)
    assert 0 < confidence <= 1


def test_each_kind_has_at_least_six_cases() -> None:
    for intent in CallerIntent:
        assert sum(1 for _, i in INTENT_CASES if i is intent) >= 6


def test_mixed_complaint_about_a_gas_smell() -> None:
    text = "我要投诉物业，楼道里燃气味很重，跟他们说了好几次都不管"
    assert order_type_from_text(text)[0] is P
    assert urgency_from_text(text) == (Urgency.EXTRA_URGENT, ("燃气泄漏",))


def test_report_of_an_illegal_workshop_that_caught_fire() -> None:
    text = "我举报一个无证经营的小作坊，刚才着火了"
    assert order_type_from_text(text)[0] is R
    assert urgency_from_text(text)[0] is Urgency.EXTRA_URGENT


def test_negated_intent_word_does_not_count() -> None:
    assert order_type_from_text("我不是投诉，就是想咨询一下")[0] is C


def test_ties_follow_the_documented_order() -> None:
    # 举报 (3) and 投诉 (3), nothing else: 举报 comes first in TIE_ORDER.
    assert intent_scores("举报投诉")[R] == intent_scores("举报投诉")[P] == 3
    assert order_type_from_text("举报投诉")[0] is TIE_ORDER[0] is R


def test_confidence_grows_with_unopposed_evidence() -> None:
    weak = order_type_from_text("什么时候")[1]  # one weak cue
    strong = order_type_from_text("我要投诉，太吵了，没人管")[1]
    mixed = order_type_from_text("我要投诉，顺便建议一下")[1]
    assert 0 < weak < mixed < strong == 1.0


@pytest.mark.parametrize("text", ["", "   ", "喂？喂？", "嗯嗯 啊 那个", "\x00\ufffd##$$", "hello world 123"])
def test_no_cue_gives_the_default_with_zero_confidence(text: str) -> None:
    assert order_type_from_text(text) == (DEFAULT_INTENT, 0.0)
    assert urgency_from_text(text) == (Urgency.NORMAL, ())


def test_very_long_text_is_scanned_up_to_the_cap_only() -> None:
    filler = "我家楼下那个路灯" * (1_000_000 // 8)
    assert len(filler) >= 1_000_000
    assert urgency_from_text(filler + "着火了") == (Urgency.NORMAL, ())  # beyond the cap
    assert urgency_from_text("着火了" + filler)[0] is Urgency.EXTRA_URGENT
    assert order_type_from_text("投诉" + filler)[0] is P


def test_text_dense_with_cues_stays_fast_enough_to_finish() -> None:
    dense = "没有燃气" * (MAX_SCAN_CHARS // 2)  # many candidate positions, all negated
    assert urgency_from_text(dense) == (Urgency.NORMAL, ())
    assert order_type_from_text("不投诉" * 400_000)[1] == 0.0


def test_is_negated_looks_only_within_the_clause() -> None:
    text = "没有，着火了"
    assert not is_negated(text, text.index("着火"))
    text = "没有着火"
    assert is_negated(text, text.index("着火"))


def test_request_type_reuses_the_work_order_model() -> None:
    assert request_type_of(C) is RequestType.CONSULTATION
    assert request_type_of(Q) is RequestType.REQUEST
    assert request_type_of(P) is RequestType.COMPLAINT
    assert request_type_of(R) is None and request_type_of(S) is None


def test_tables_are_read_only_and_well_formed() -> None:
    assert set(TIE_ORDER) == set(CallerIntent)
    assert all(weight in (1, 2, 3) for _, weight in INTENT_CUES.values())
    assert all(cue.terms and all(cue.terms) for cue in URGENCY_CUES.values())
    with pytest.raises(TypeError):
        URGENCY_CUES["x"] = URGENCY_CUES["火情"]  # type: ignore[index]
