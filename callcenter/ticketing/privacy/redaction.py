"""Confidential orders (保密工单): remove who the informant is from a text before a handling unit reads it.

Why: whoever reports (举报) a neighbour, a shop or an official must not be exposed to them; the unit that
handles the report is often close to the reported party. 12345 hotlines keep informants confidential
(信访工作条例 2022: 检举、揭发材料及有关情况不得透露或者转给被检举、揭发的人员或者单位), and PIPL art. 6
(最小必要) says the unit gets what it needs to handle the matter — what and where — not who called.

Rules (precision is traded for recall: removing a few words too many is the safe side):

1. **Numbers** — every phone, ID and bank-card number (``personal_numbers``) is removed, not masked;
   so is a number masked already (135****2222, as the automatic summary holds it): its last digits too.
2. **Names** after a cue: 举报人 反映人 投诉人 来电人 联系人 姓名 市民 本人 我叫 名叫 我的名字叫/是 叫我
   我是, 我姓 本人姓 免贵姓 — a common surname (or 欧阳, 司马 …) and one or two more characters, up to a
   boundary (punctuation, space, a verb such as 反映/住/说, …) or an honorific (王先生, 李女士, 张师傅).
   After 我姓 only the surname is taken ("我姓王" → "我姓【姓名已隐去】"); after the weak cue 我是 only a
   name followed by punctuation or 反映/投诉/举报/来电/想/要/住 ("我是这个小区的业主" is no name). Cues
   that may name the reported party (当事人, 姓张的邻居) are not used. Every other place the same name
   (two characters or more) appears is removed too.
3. **The informant as registered**: the contact's name and phone, and the calling number, wherever they
   appear.
4. **Home address** after a cue: 我住在 我住 我家住在 我家住 我家在 家住在 家住 住址是 住址 家庭住址 居住在
   本人住 现住 — up to the end of the clause (，。；！？ or a line break) or, in a transcript without
   punctuation, up to where the caller goes on to the matter (我, 要, 举报, 楼下, 隔壁, 附近, 门口 …), at
   most 30 characters. The matter's own place has no
   such cue and stays: "王府井大街垃圾没人清运" is what the unit needs; the order's address field carries
   the place too.

Each removal leaves a placeholder (【姓名已隐去】, 【电话已隐去】 …) so the unit knows something was there.
``identifying_details`` lists what a text still holds, for the agent's warning at 受理.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from callcenter.ticketing.privacy.personal_numbers import FoundNumber, digits_of, find_numbers

# 百家姓: the common single-character surnames, which cover nearly everyone, and the compound ones.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯"
    "纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉"
    "缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇"
    "桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_COMPOUND = "欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|令狐|长孙|宇文|司徒|夏侯|端木|南宫|独孤|西门"
_SURNAME = f"(?:{_COMPOUND}|[{_SURNAMES}])"
_HONORIFIC = "先生|女士|小姐|师傅|阿姨|大爷|大妈|大姐|大哥|老师|同志|某某|某"
_STOP = (
    "反映|投诉|举报|来电|打电话|电话|手机|号码|身份证|联系|住|家|在|的|想|要|说|是|今年|现在|这边|我|和|跟|"
    "向|对|给|因为|请|麻烦|希望|需要|有|没|不|也|就|都|还|今天|昨天|前天|刚才|一直|已经|多次|经常"
)
_BOUNDARY = f"(?=[，,。.！!？?；;：:、\\s()（）【】\"“”'‘’]|$|{_STOP})"
_GIVEN = "[\u4e00-\u9fff]"


def _cues(words: str) -> str:
    """Cue words as a pattern that also matches them as Vosk writes them, a space between words (我 叫)."""
    return "|".join("[ \t]*".join(map(re.escape, word)) for word in words.split("|"))


_STRONG_CUE = _cues(
    "举报人|反映人|投诉人|来电人|联系人|姓名|市民|本人|我叫|名叫|我的名字叫|我的名字是|我名字叫|叫我"
)
_OPTIONAL_IS = "[ \t]*(?:是|为|：|:)?[ \t]*"
_NAME = f"{_SURNAME}[ \t]?"  # Vosk may split the surname from the given name
_STRONG_NAME = re.compile(
    f"(?<!【)(?:{_STRONG_CUE}){_OPTIONAL_IS}(?P<name>{_NAME}(?:{_HONORIFIC}|{_GIVEN}{{1,2}}?{_BOUNDARY}|{_GIVEN}{{1,2}}))"
)
_WEAK_BOUNDARY = "(?=[，,。.！!？?；;、\\s]|$|反映|投诉|举报|来电|想|要|住)"
_WEAK_NAME = re.compile(
    f"(?:{_cues('我是')}){_OPTIONAL_IS}(?P<name>{_NAME}(?:{_HONORIFIC}|{_GIVEN}{{1,2}}?{_WEAK_BOUNDARY}))"
)
_SURNAME_ONLY = re.compile(f"(?:{_cues('我姓|本人姓|免贵姓')})[ \t]*(?P<name>{_SURNAME}(?:{_HONORIFIC})?)")
_ADDRESS_CUE = _cues(
    "我家住在|我家住|我家在|我住在|我住|家住在|家住|家庭住址|居住地址|住址|居住在|本人住|现住"
)
# Where the home address ends in a transcript without punctuation: the caller goes on to the matter.
_AFTER_HOME = "我|要|想|举报|反映|投诉|楼下|楼上|隔壁|对面|旁边|附近|门口|那|这|有|天天|每天|经常|一直|电话"
_CLAUSE_END = "，,。；;！!？?\n【】"
_HOME = re.compile(
    f"(?<!【)(?:{_ADDRESS_CUE})[ \t]*(?:是|在|为|：|:)?[ \t]*"
    f"(?P<place>(?:(?!{_AFTER_HOME})[^{_CLAUSE_END}]){{1,29}}(?!{_AFTER_HOME})[^{_CLAUSE_END} \t])"
)
_MIN_PROPAGATED_NAME = 2
_MASKED = re.compile(r"(?<![0-9*＊])[0-9]{0,6}[*＊]{3,}[0-9]{0,4}[0-9Xx]?(?![0-9*＊])")


class DetailKind(StrEnum):
    """What identifies the informant (the number kinds are those of ``personal_numbers``)."""

    PHONE = "phone"
    ID_NUMBER = "id_number"
    BANK_CARD = "bank_card"
    NAME = "name"
    ADDRESS = "address"


PLACEHOLDER = {
    DetailKind.PHONE: "【电话已隐去】",
    DetailKind.ID_NUMBER: "【身份证号已隐去】",
    DetailKind.BANK_CARD: "【银行卡号已隐去】",
    DetailKind.NAME: "【姓名已隐去】",
    DetailKind.ADDRESS: "【住址已隐去】",
}


@dataclass(frozen=True, slots=True)
class Informant:
    """What is known of who called about a confidential order: the registered names and numbers."""

    names: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Detail:
    """One identifying detail in a text: where, what, and how the agent's warning shows it (numbers
    masked: the warning may be kept where the full number should not be)."""

    kind: DetailKind
    start: int
    end: int
    shown: str


def _number_detail(n: FoundNumber) -> Detail:
    return Detail(DetailKind(n.kind.value), n.start, n.end, n.masked)


def _matches(pattern: re.Pattern[str], group: str, kind: DetailKind, text: str) -> list[Detail]:
    return [Detail(kind, m.start(group), m.end(group), m.group(group)) for m in pattern.finditer(text)]


def _names(text: str, informant: Informant) -> list[Detail]:
    found = _matches(_STRONG_NAME, "name", DetailKind.NAME, text)
    found += _matches(_WEAK_NAME, "name", DetailKind.NAME, text)
    found += _matches(_SURNAME_ONLY, "name", DetailKind.NAME, text)
    known = {d.shown for d in found if len(d.shown) >= _MIN_PROPAGATED_NAME}
    known |= {n.strip() for n in informant.names if len(n.strip()) >= _MIN_PROPAGATED_NAME}
    for name in known:
        found += [
            Detail(DetailKind.NAME, m.start(), m.end(), name) for m in re.finditer(re.escape(name), text)
        ]
    return found


def _masked_numbers(text: str) -> list[Detail]:
    """Numbers masked already (135****2222: an automatic summary): their last digits go too."""
    kinds = {18: DetailKind.ID_NUMBER, 16: DetailKind.BANK_CARD, 17: DetailKind.BANK_CARD}
    found = []
    for m in _MASKED.finditer(text):
        kind = kinds.get(len(m.group()), DetailKind.BANK_CARD if len(m.group()) == 19 else DetailKind.PHONE)
        found.append(Detail(kind, m.start(), m.end(), m.group()))
    return found


def _known_numbers(text: str, informant: Informant) -> list[Detail]:
    """The registered numbers written as they were registered (a number the rules would not classify)."""
    found = []
    for number in {digits_of(n) for n in informant.numbers}:
        if len(number) >= 5:
            for m in re.finditer(re.escape(number), text):
                found.append(
                    Detail(DetailKind.PHONE, m.start(), m.end(), "*" * (len(number) - 4) + number[-4:])
                )
    return found


def _non_overlapping(details: Iterable[Detail]) -> list[Detail]:
    """Earliest first, the longest where two start together; a detail inside an earlier one is dropped."""
    kept: list[Detail] = []
    for d in sorted(details, key=lambda d: (d.start, -d.end)):
        if kept and d.start < kept[-1].end:
            if d.end > kept[-1].end:
                last = kept.pop()
                kept.append(Detail(last.kind, last.start, d.end, last.shown))
            continue
        kept.append(d)
    return kept


def informant_details(text: str, informant: Informant = Informant()) -> list[Detail]:
    """Every detail of the text that identifies the informant (rules 1–4), in order, not overlapping."""
    found = [_number_detail(n) for n in find_numbers(text)]
    found += _masked_numbers(text)
    found += _known_numbers(text, informant)
    found += _matches(_HOME, "place", DetailKind.ADDRESS, text)
    found += _names(text, informant)
    return _non_overlapping(found)


def redact_informant(text: str, informant: Informant = Informant()) -> str:
    """The text with the informant's identifying details replaced by placeholders."""
    out, last = [], 0
    for d in informant_details(text, informant):
        out += [text[last : d.start], PLACEHOLDER[d.kind]]
        last = d.end
    return "".join([*out, text[last:]])


@dataclass(frozen=True, slots=True)
class Finding:
    """What the agent is warned of: the kind of detail and the detail as shown (numbers masked)."""

    kind: DetailKind
    text: str


def identifying_details(texts: Iterable[str], informant: Informant = Informant()) -> tuple[Finding, ...]:
    """The details the texts still hold, each once, in the order first met."""
    seen: dict[Finding, None] = {}
    for text in texts:
        for d in informant_details(text, informant):
            seen.setdefault(Finding(d.kind, d.shown), None)
    return tuple(seen)
