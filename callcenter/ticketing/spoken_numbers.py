"""Spoken numbers (口述数字) in a transcript → the digits a work order needs (工单草稿).

Masking them (脱敏) is the business of personal_numbers.py.

Vosk writes numbers as words, with spaces between words: "幺三八 零零幺三 八零零零". A work order needs
"13800138000". The rules below are deliberately conservative (precision over recall): a numeral is only
rewritten where its shape or its neighbour says what it is. Rules, in the order they apply:

1. Contact and ID numbers, said digit by digit (逐位读), spaces or pauses written as a full-width comma
   ("幺三九，七三九零，九九零五") allowed between groups, 幺 = 1, 零/〇 = 0, Arabic digits mixed in:
   11-digit mobile 1[3-9]… ("幺三八 零零幺三 八零零零" → "13800138000"), landline with area code 0… of
   10–12 digits ("零幺零 六五幺二 三四五六" → "01065123456"), 7–8-digit local number, an 18-digit ID
   number (身份证号) whose region and birth date are plausible, last character may be X/叉, and the
   service numbers 110/119/120/122/12345/12315/95598 ("打一一零" → "打110"). When a run of spaced groups is
   not such a number as a whole, the longest leading groups that are one are taken; a comma between
   groups that are not one number stays.
2. Year said digit by digit, four digits 19xx/20xx before 年: "二零二六年" → "2026年".
3. Month 1–12 before 月 ("十一月" → "11月", "一月" → "1月"), day 1–31 after a month
   ("11月二十四日" → "11月24日").
4. Clock time (时刻), written as "H点M分": a number before 点 when a time of day precedes it (早上, 下午,
   晚上 …: "晚上十点多" → "晚上10点多") or 半/钟/整/minutes follow ("三点半" → "3点30分", "三点十分" →
   "3点10分", "三点钟" → "3点钟"). "快一点", "两点建议" stay as they are.
5. Address numbers (门牌/楼号/单元/室): before 号楼 栋 幢 单元 室 层 楼 号 ("三十五号" → "35号",
   "二百零三室" → "203室", "三号楼二单元" → "3号楼2单元"; not before 号码, 楼道, 楼梯, 楼上, 楼下), and a
   room number of two or more digits after a building or unit ("2单元五零二" → "2单元502"). A bare 一
   before 层 stays ("这一层"). Two consecutive digits are an estimate, not a number: "七八层" stays.
   A digit-by-digit house or room number has at most 4 digits; a longer run is a mis-heard phone number.
6. A single 十 before a counter (分钟 小时 天 个 次 岁 元 块 米 度 户 年): "十分钟" → "10分钟";
   "十分" ("very") stays.
7. Any other run of two or more numerals containing 十/百/千 that reads as one value: "十一" → "11",
   "二百零三" → "203", "三百五" → "350" (colloquial), "两千零二十六" → "2026". Runs that are not one value
   ("一五一十") stay.

Left alone: words that merely contain a numeral (一起 一下 一直 一些 统一 万一 三思 十分 第一 星期一), 万 and
larger units, and estimates ("三四个人"). Ordinals follow the same rules: "第一" stays, "第十一" → "第11".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_DIGITS = "零〇一二三四五六七八九幺两0123456789０１２３４５６７８９"
_DIGIT_VALUE = {ch: int(v) for ch, v in zip(_DIGITS, "0012345678912" + "0123456789" * 2, strict=True)}
DIGIT_BY_DIGIT = {ch: str(v) for ch, v in _DIGIT_VALUE.items() if ch != "两"}
"""A character said or written for one digit when a number is read digit by digit (no 两) → the digit."""
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = f"[{_DIGITS}十百千]"
_NUM = f"(?<!{_NUMERAL}){_NUMERAL}+(?!{_NUMERAL})"  # one maximal run of numerals, no spaces
_SPOKEN_DIGIT = "[零〇一二三四五六七八九幺0-9０-９]"  # digit-by-digit reading: no 两, no units
_GAP = "[ \t]*，?[ \t]*"  # between the groups of a number: spaces (Vosk) or a pause written as ，
_SPACED_DIGITS = re.compile(
    f"(?<![{_DIGITS}十百千]){_SPOKEN_DIGIT}(?:{_GAP}{_SPOKEN_DIGIT})*(?:[ \t]*[Xx叉])?(?![{_DIGITS}十百千])"
)
_GROUP_GAP = re.compile("([ \t]*，[ \t]*|[ \t]+)")
_SERVICE_NUMBERS = frozenset({"110", "119", "120", "122", "12345", "12315", "95598"})
_TIME_OF_DAY = "凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间|半夜|今早|今晚|昨晚|明早|明晚"
_ADDRESS_UNIT = "号楼|栋|幢|单元|室|层|楼(?![道梯上下])|号(?!码)"
_COUNTER = "分钟|小时|天|个|次|岁|元|块|米|度|户|年"


# --- reading one run of numerals ---------------------------------------------------------------


def _digit_string(run: str) -> str:
    """Digit by digit (逐位): "幺三八" → "138"; spaces dropped; 叉 → X."""
    return "".join("X" if ch in "Xx叉" else str(_DIGIT_VALUE[ch]) for ch in run if not ch.isspace())


def _value(run: str) -> int | None:
    """The value of a numeral with 十/百/千: "二百零三" → 203, "十一" → 11, "三百五" → 350; else None."""
    total, last_unit, after_zero = 0, 10_000, False
    pending: int | None = None
    for ch in run:
        if ch in _UNITS:
            unit = _UNITS[ch]
            if unit >= last_unit or pending == 0 or (pending is None and (unit != 10 or total)):
                return None
            total, pending, last_unit, after_zero = total + (pending or 1) * unit, None, unit, False
        elif ch in "零〇0０":
            if pending is not None or total == 0 or after_zero:
                return None
            after_zero = True
        elif pending is None and ch in _DIGIT_VALUE and ch != "幺":
            pending = _DIGIT_VALUE[ch]
        else:
            return None
    if last_unit == 10_000:
        return None
    return total + _tail(run, pending, last_unit, after_zero)


def _tail(run: str, pending: int | None, last_unit: int, after_zero: bool) -> int:
    """The trailing digit: "三百五" means 350 (one unit down), "二百零三" means 203; a final 两 is invalid."""
    if pending is None:
        return 0
    if run[-1] == "两":
        raise _NotANumber
    return pending * (last_unit // 10) if last_unit > 10 and not after_zero else pending


class _NotANumber(Exception):
    """Internal: the run is not a number after all."""


def number_value(run: str) -> int | None:
    """The number a run of numerals says: by value if it has 十/百/千, else digit by digit; or None."""
    try:
        if any(ch in _UNITS for ch in run):
            return _value(run)
    except _NotANumber:
        return None
    return int(_digit_string(run)) if run and all(ch in _DIGIT_VALUE for ch in run) else None


def _is_estimate(run: str) -> bool:
    """Two consecutive digits ("七八层", "三四个") give a range, not a number."""
    if len(run) != 2 or not all(ch in _DIGIT_VALUE and ch not in "两幺" for ch in run):
        return False
    return _DIGIT_VALUE[run[1]] - _DIGIT_VALUE[run[0]] == 1


# --- what a digit string is --------------------------------------------------------------------


def is_mobile(digits: str) -> bool:
    return re.fullmatch(r"1[3-9]\d{9}", digits) is not None


def is_landline(digits: str) -> bool:
    """With area code (010…, 0xx…, 0xxx…: 10–12 digits) or a local 7–8-digit number."""
    return re.fullmatch(r"0[1-9]\d{8,10}|[2-9]\d{6,7}", digits) is not None


def is_id_number(digits: str) -> bool:
    """GB 11643 citizen ID (身份证号): 18 characters, region 1–8…, birth 19xx/20xx-MM-DD, last may be X."""
    return (
        re.fullmatch(r"[1-8]\d{5}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]", digits)
        is not None
    )


def _is_known_number(digits: str) -> bool:
    return is_mobile(digits) or is_landline(digits) or is_id_number(digits) or digits in _SERVICE_NUMBERS


# --- the rules ---------------------------------------------------------------------------------


def _contact_groups(match: re.Match[str]) -> str:
    """Rule 1 on one run of groups: the longest leading groups that form a number, repeatedly; between
    what is left, a space, or a comma where the caller paused."""
    parts = _GROUP_GAP.split(match.group())
    groups, gaps = parts[0::2], ["，" if "，" in gap else " " for gap in parts[1::2]]
    out, i = "", 0
    while i < len(groups):
        end = next(
            (j for j in range(len(groups), i, -1) if _is_known_number(_digit_string("".join(groups[i:j])))), i
        )
        out += _digit_string("".join(groups[i:end])) if end > i else groups[i]
        i = max(end, i + 1)
        out += gaps[i - 1] if i < len(groups) else ""
    return out


def _in_range(run: str, low: int, high: int) -> str | None:
    value = number_value(run)
    return str(value) if value is not None and low <= value <= high else None


def _year(m: re.Match[str]) -> str | None:
    if any(ch in _UNITS or ch == "两" for ch in m["n"]):
        return None  # "两千零二十六年" is read by value (rule 7); "一两年" is an estimate
    digits = _digit_string(m["n"])
    return digits if re.fullmatch(r"(19|20)\d\d", digits) else None


def _address(m: re.Match[str]) -> str | None:
    run = m["n"]
    if _is_estimate(run) or (run == "一" and m["unit"] == "层"):
        return None
    if len(run) > 4 and not any(ch in _UNITS for ch in run):
        return None  # a house or room number has at most 4 digits; longer is a mis-split phone number
    value = number_value(run)
    return None if value is None else _digit_string(run) if run[0] in "零〇" else str(value)


def _room(m: re.Match[str]) -> str | None:
    return _digit_string(m["n"]) if len(m["n"]) >= 2 else None


def _single_ten(m: re.Match[str]) -> str | None:
    return str(_UNITS[m["n"]]) if m["n"] == "十" else None


def _standalone(m: re.Match[str]) -> str | None:
    value = number_value(m["n"]) if len(m["n"]) >= 2 and any(ch in _UNITS for ch in m["n"]) else None
    return None if value is None else str(value)


Converter = Callable[[re.Match[str]], str | None]


@dataclass(frozen=True, slots=True)
class _Rule:
    """A pattern with a named group ``n`` (the numeral run) and what it becomes; None leaves it as said."""

    pattern: re.Pattern[str]
    convert: Converter

    def apply(self, text: str) -> str:
        return self.pattern.sub(self._replace, text)

    def _replace(self, m: re.Match[str]) -> str:
        digits = self.convert(m)
        if digits is None:
            return m.group()
        start, end = m.start("n") - m.start(), m.end("n") - m.start()
        return m.group()[:start] + digits + m.group()[end:].lstrip(" \t")


def _rule(pattern: str, convert: Converter) -> _Rule:
    return _Rule(re.compile(pattern), convert)


_RULES = (
    _rule(f"(?P<n>{_NUM})[ \t]*(?=年)", _year),
    _rule(f"(?P<n>{_NUM})[ \t]*(?=月)", lambda m: _in_range(m["n"], 1, 12)),
    _rule(f"(?<=\\d月)[ \t]*(?P<n>{_NUM})[ \t]*(?=[日号])", lambda m: _in_range(m["n"], 1, 31)),
    _rule(f"(?<={_TIME_OF_DAY})[ \t]*(?P<n>{_NUM})[ \t]*(?=点)", lambda m: _in_range(m["n"], 0, 24)),
    _rule(
        f"(?P<n>{_NUM})[ \t]*(?=点[ \t]*(?:半|钟|整|{_NUMERAL}+[ \t]*分))", lambda m: _in_range(m["n"], 0, 24)
    ),
    _rule(f"(?<=\\d点)[ \t]*(?P<n>{_NUM})[ \t]*(?=分)", lambda m: _in_range(m["n"], 0, 59)),
    _rule(f"(?P<n>{_NUM})[ \t]*(?=(?P<unit>{_ADDRESS_UNIT}))", _address),
    _rule(
        f"(?<=号楼|单元|门牌|房间|房号|\\d栋|\\d幢)[ \t]*(?:号[ \t]*)?(?P<n>{_SPOKEN_DIGIT}+)(?!{_NUMERAL})",
        _room,
    ),
    _rule(f"(?P<n>{_NUM})[ \t]*(?=(?:{_COUNTER}))", _single_ten),
    _rule(f"(?P<n>{_NUM})", _standalone),
)
_HALF_HOUR = re.compile(r"(\d点)[ \t]*半")


def digits_from_speech(text: str) -> str:
    """The transcript with its spoken numbers as Arabic digits, by the rules in this module's docstring."""
    text = _SPACED_DIGITS.sub(_contact_groups, text)
    for rule in _RULES:
        text = rule.apply(text)
    return _HALF_HOUR.sub(r"\g<1>30分", text)


# --- the contact number ------------------------------------------------------------------------


_CONTACT = re.compile(r"(?<![\dXx])(?:1[3-9]\d{9}|0[1-9]\d{8,10}|[2-9]\d{6,7})(?![\dXx])")


def spoken_contact_number(text: str) -> str | None:
    """The first mobile or landline number said in the text (联系电话), as digits; None if there is none."""
    found = _CONTACT.search(digits_from_speech(text))
    return found.group() if found else None
