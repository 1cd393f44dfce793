"""Cues in the citizen's words for a draft work order (工单草稿): urgency (紧急程度) and intent (诉求性质).

Pure, deterministic rules over text, no I/O: the agent confirms or overrides what they suggest.

- ``urgency_from_text``: life-safety cues (火情, 燃气泄漏, 人员被困, 触电, 坍塌, 溺水 …) give 特急, utility
  outages (停电, 停水, 爆管, 井盖缺失 …) give 紧急, a leak or a broken lift 急件; otherwise 普通. Each
  cue that fired is named (e.g. "燃气泄漏") so the agent sees why.
- ``order_type_from_text``: weighted cue words score the five kinds a 12345 hotline records (咨询, 求助,
  投诉, 举报, 建议); the best score wins, ties by ``TIE_ORDER``; no cue gives 求助 with confidence 0.

Limits, on purpose (a cheap first pass, not language understanding):

- Matching is by substring on the text with whitespace removed (Vosk writes words separated by spaces
  and no punctuation). Bare 火 is not a cue: it is in 火车, 火锅, 打火机 and 发火 (angry); the fire cues
  are compounds (着火, 起火, 冒烟 …). Likewise bare 没电/没水 (手机没电了) are not outages; 家里没电 is.
- Negation is local: a cue is ignored when the few characters just before it, within its clause, end
  with a negator (没有, 没, 不是, 不, 未, 无, 并非, 别), after skipping fillers (人, 有人, 是, 在, 发生,
  已经, 还, 再, 并, 泄) and hedges (是不是, 会不会, 有没有, 是否, 好像是, 可能是, 怀疑是 — a hedged danger is
  still a danger). So "没有着火", "不是燃气泄漏", "没有人被困" do not fire; "火已经灭了" is not
  recognised as over, and a negation far from the cue ("我没看到哪里着火") is not seen.
- A two-part cue (燃气 + 漏/味) needs both parts within ``PAIR_SPAN`` characters of each other.
- Only the first ``MAX_SCAN_CHARS`` characters are scanned (about an hour of speech), so any input,
  however long, is handled in bounded, linear time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from callcenter.ticketing.deadlines import RequestType, Urgency

MAX_SCAN_CHARS = 20_000  # a 3-minute call is ~1,000 characters; the rest of a longer text is not read
PAIR_SPAN = 10  # characters between the two parts of a two-part cue
NEGATION_WINDOW = 8  # characters before a cue looked at for a negator

# Higher is more urgent; the grades themselves are the work-order model's (deadlines.Urgency).
URGENCY_RANK: Mapping[Urgency, int] = MappingProxyType(
    {Urgency.NORMAL: 0, Urgency.EXPEDITED: 1, Urgency.URGENT: 2, Urgency.EXTRA_URGENT: 3}
)


@dataclass(frozen=True, slots=True)
class UrgencyCue:
    """One urgency cue: any of ``terms``, and, if ``near`` is set, also one of ``near`` close by."""

    grade: Urgency
    terms: tuple[str, ...]
    near: tuple[str, ...] = ()


_GAS = ("燃气", "煤气", "天然气", "液化气")
_LEAK = ("漏", "味", "闻到", "臭")

# reason label (shown to the agent) → cue. Order matters only for the order of reasons of equal grade.
URGENCY_CUES: Mapping[str, UrgencyCue] = MappingProxyType(
    {
        # 特急: life safety
        "火情": UrgencyCue(
            Urgency.EXTRA_URGENT, ("着火", "起火", "失火", "火灾", "冒烟", "烧起来", "火苗", "冒火")
        ),
        "燃气泄漏": UrgencyCue(Urgency.EXTRA_URGENT, _GAS, near=_LEAK),
        "爆炸": UrgencyCue(Urgency.EXTRA_URGENT, ("爆炸",)),
        "人员被困": UrgencyCue(Urgency.EXTRA_URGENT, ("被困", "困在", "困人", "关在电梯", "卡在电梯")),
        "触电": UrgencyCue(Urgency.EXTRA_URGENT, ("触电",)),
        "坍塌": UrgencyCue(Urgency.EXTRA_URGENT, ("坍塌", "倒塌", "塌了", "塌方")),
        "溺水": UrgencyCue(Urgency.EXTRA_URGENT, ("溺水", "落水", "掉河里", "掉水里")),
        "中毒": UrgencyCue(Urgency.EXTRA_URGENT, ("一氧化碳", "中毒")),
        "人员昏迷": UrgencyCue(Urgency.EXTRA_URGENT, ("晕倒", "昏迷", "不省人事")),
        # 紧急: utility outages and open hazards
        "停电": UrgencyCue(Urgency.URGENT, ("停电", "断电", "家里没电", "楼里没电", "小区没电")),
        "停水": UrgencyCue(Urgency.URGENT, ("停水", "断水", "家里没水", "楼里没水", "小区没水")),
        "停气": UrgencyCue(Urgency.URGENT, ("停气",)),
        "爆管": UrgencyCue(Urgency.URGENT, ("爆管", "水管爆", "管道爆", "跑水", "水管破裂")),
        "井盖缺失": UrgencyCue(
            Urgency.URGENT, ("井盖",), near=("丢", "没了", "被偷", "缺", "坏", "掉", "没有盖")
        ),
        "漏电": UrgencyCue(Urgency.URGENT, ("漏电",)),
        # 急件: damage that grows while it waits (the season, e.g. for 没暖气, is not knowable from text)
        "漏水": UrgencyCue(Urgency.EXPEDITED, ("漏水", "渗水", "返水", "冒水")),
        "电梯故障": UrgencyCue(Urgency.EXPEDITED, ("电梯",), near=("坏", "故障", "停运", "不动", "不能用")),
        "供暖故障": UrgencyCue(Urgency.EXPEDITED, ("没暖气", "暖气不热", "不供暖")),
    }
)


class CallerIntent(StrEnum):
    """What the citizen wants (诉求性质), the five kinds 12345 hotlines record.

    The work-order model's ``RequestType`` (诉求类型, which sets time limits) has 咨询, 求助 and 投诉 only,
    with the same values; 举报 and 建议 have no request type yet (see ``request_type_of``).
    """

    CONSULTATION = RequestType.CONSULTATION.value  # 咨询
    REQUEST = RequestType.REQUEST.value  # 求助
    COMPLAINT = RequestType.COMPLAINT.value  # 投诉
    REPORT = "report"  # 举报
    SUGGESTION = "suggestion"  # 建议


# A tie goes to the kind listed first: the more specific, more actionable kind; 咨询 last, because
# question words (请问, 能不能) come with every kind of call.
TIE_ORDER: tuple[CallerIntent, ...] = (
    CallerIntent.REPORT,
    CallerIntent.COMPLAINT,
    CallerIntent.REQUEST,
    CallerIntent.SUGGESTION,
    CallerIntent.CONSULTATION,
)
DEFAULT_INTENT = CallerIntent.REQUEST  # no cue at all: 求助 (一般诉求), with confidence 0
CONFIDENT_SCORE = 4  # a winning score this high (and unopposed) gives confidence 1


def _weights(intent: CallerIntent, table: Mapping[str, int]) -> dict[str, tuple[CallerIntent, int]]:
    return {term: (intent, weight) for term, weight in table.items()}


# cue phrase → (intent, weight): 3 the kind named outright, 2 a typical phrase, 1 a weak hint.
INTENT_CUES: Mapping[str, tuple[CallerIntent, int]] = MappingProxyType(
    _weights(
        CallerIntent.CONSULTATION,
        {"咨询": 3, "请问": 2, "想问": 2, "问一下": 2, "怎么办理": 2, "如何办理": 2, "怎么申请": 2}
        | {"需要什么材料": 2, "需要哪些材料": 2, "要带什么": 2, "在哪里办": 2, "在哪里": 1, "在哪儿": 1}
        | {"多少钱": 1, "什么时候": 1, "能不能": 1, "可不可以": 1, "是否": 1, "流程": 1, "政策": 1},
    )
    | _weights(
        CallerIntent.REQUEST,
        {"求助": 3, "帮忙": 2, "帮帮": 2, "帮我": 2, "派人": 2, "派个人": 2, "来修": 2, "来处理": 2}
        | {"来看看": 2, "麻烦你们": 2, "救救": 2, "修一下": 2, "维修": 1, "处理一下": 1, "解决一下": 1},
    )
    | _weights(
        CallerIntent.COMPLAINT,
        {"投诉": 3, "太吵": 2, "噪音": 2, "扰民": 2, "不管": 2, "没人管": 2, "乱收费": 2, "态度差": 2}
        | {"态度很差": 2, "态度恶劣": 2, "推诿": 2, "扯皮": 2, "不作为": 2, "拖欠工资": 2, "不满意": 2}
        | {"一直没解决": 2, "不给退": 2, "不合理": 1, "太差": 1},
    )
    | _weights(
        CallerIntent.REPORT,
        {"举报": 3, "违建": 2, "违章建筑": 2, "私搭乱建": 2, "偷排": 2, "偷倒": 2, "乱排": 2, "排污": 1}
        | {"无证经营": 2, "黑作坊": 2, "非法": 2, "传销": 2, "赌博": 2, "卖假": 2, "假冒": 2, "违法": 1}
        | {"占道经营": 1},
    )
    | _weights(
        CallerIntent.SUGGESTION,
        {"建议": 3, "希望能": 2, "希望可以": 2, "希望政府": 2, "能不能增加": 2, "能否增加": 2}
        | {"可以增加": 2, "增设": 2, "多设": 2, "最好能": 2, "应该增加": 2, "能不能多": 2},
    )
)

_CLAUSE_BREAKS = frozenset("，,。.！!？?；;、：:\n")
_NEGATORS = ("没有", "没", "不是", "不", "未", "无", "并非", "别")
_HEDGES = ("是不是", "会不会", "有没有", "是否", "好像是", "可能是", "怀疑是")
_FILLERS = ("有人", "人", "是", "在", "发生", "已经", "还", "再", "并", "泄")  # 泄: 没有泄|漏 → 漏 negated


def scannable(text: str) -> str:
    """The part of ``text`` that is scanned: the first ``MAX_SCAN_CHARS`` characters, without whitespace."""
    return "".join(text[:MAX_SCAN_CHARS].split())


def _positions(text: str, term: str) -> Iterator[int]:
    at = text.find(term)
    while at >= 0:
        yield at
        at = text.find(term, at + len(term))


def _strip_one(before: str) -> str | None:
    """``before`` without one trailing hedge or filler, or None if it ends with neither."""
    for word in (*_HEDGES, *_FILLERS):
        if before.endswith(word):
            return before[: -len(word)]
    return None


def is_negated(text: str, at: int) -> bool:
    """Whether the cue starting at ``at`` is negated: its clause's last few characters before it end with
    a negator, once trailing fillers and hedges are skipped ("没有人被困" yes, "是不是燃气" no)."""
    window = text[max(0, at - NEGATION_WINDOW) : at]
    cut = max((i for i, ch in enumerate(window) if ch in _CLAUSE_BREAKS), default=-1)
    before: str | None = window[cut + 1 :]
    while before:
        if before.endswith(_NEGATORS) and not before.endswith(_HEDGES):
            return True
        before = _strip_one(before)
    return False


def _affirmed(text: str, terms: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """(start, end) of each occurrence of any of ``terms`` that is not negated."""
    for term in terms:
        for at in _positions(text, term):
            if not is_negated(text, at):
                yield at, at + len(term)


def _fires(text: str, cue: UrgencyCue) -> bool:
    for start, end in _affirmed(text, cue.terms):
        if not cue.near:
            return True
        span = text[max(0, start - PAIR_SPAN) : end + PAIR_SPAN]
        offset = max(0, start - PAIR_SPAN)
        if any(not is_negated(text, offset + at) for term in cue.near for at in _positions(span, term)):
            return True
    return False


def urgency_from_text(text: str) -> tuple[Urgency, tuple[str, ...]]:
    """The highest grade any cue in ``text`` calls for, and the reasons (most urgent first)."""
    scanned = scannable(text)
    fired = [(reason, cue.grade) for reason, cue in URGENCY_CUES.items() if _fires(scanned, cue)]
    if not fired:
        return Urgency.NORMAL, ()
    fired.sort(key=lambda item: -URGENCY_RANK[item[1]])  # stable: table order within a grade
    return fired[0][1], tuple(reason for reason, _ in fired)


def intent_scores(text: str) -> dict[CallerIntent, int]:
    """Sum of the weights of the affirmed cue phrases in ``text``, each phrase counted once."""
    scanned = scannable(text)
    scores = dict.fromkeys(CallerIntent, 0)
    for term, (intent, weight) in INTENT_CUES.items():
        if next(_affirmed(scanned, (term,)), None) is not None:
            scores[intent] += weight
    return scores


def order_type_from_text(text: str) -> tuple[CallerIntent, float]:
    """The likeliest kind of call and a confidence in [0, 1].

    Confidence is the winner's share of all cue weight, scaled down while the winning score is below
    ``CONFIDENT_SCORE``; 0 when no cue was found (the kind is then ``DEFAULT_INTENT``).
    """
    scores = intent_scores(text)
    total = sum(scores.values())
    if total == 0:
        return DEFAULT_INTENT, 0.0
    best = max(TIE_ORDER, key=lambda intent: (scores[intent], -TIE_ORDER.index(intent)))
    top = scores[best]
    return best, round(top / total * min(1.0, top / CONFIDENT_SCORE), 2)


def request_type_of(intent: CallerIntent) -> RequestType | None:
    """The work order's request type (诉求类型) for an intent; None for 举报 and 建议, which the model has
    no request type for: the category's default type applies (classify.with_default_type)."""
    try:
        return RequestType(intent.value)
    except ValueError:
        return None
