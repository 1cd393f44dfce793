"""Reading rules (读法): numbers, dates, times and amounts written the way a 12345 agent says them aloud.

The voice port (``ivr/voice.py``) takes text "as the caller should hear it"; this module makes that text.
Pure, no I/O. The conventions, chosen from how Chinese hotlines and phone services read:

- **Phone, work-order and other identifying numbers** digit by digit (逐位读), 1 as 幺 and 0 as 零:
  12345 → 幺二三四五, 13812345678 → 幺三八幺二三四五六七八. 幺 keeps 1 apart from 七 on a poor line;
  ``one="一"`` gives the plain reading.
- **Counts** (a number before a measure word) by value, with 两 for a leading 2: 两个, 两天, 两百元,
  两千; a 2 elsewhere stays 二 (十二个, 二十二天). Working days: 三个工作日, 两个工作日.
- **Ordinals, house and building numbers, units, floors** by value with 二: 二号楼, 十二号, 三单元, 二层,
  第二.
- **Room numbers** (室) digit by digit like a phone number: 102室 → 幺零二室, 1503室 → 幺五零三室 — the
  form agents use to confirm an address, and the one callers say back.
- **Dates**: 2026-11-28 → 十一月二十八日; with the year (``with_year=True``) the year digit by digit:
  二零二六年十一月二十八日. 日, not the colloquial 号, because 号 is also the house number.
- **Times**: one convention, the period of the day plus a 12-hour clock: 14:30 → 下午两点半,
  14:00 → 下午两点, 14:05 → 下午两点零五分, 14:15 → 下午两点十五分; the hour 2 is 两点. Periods:
  凌晨 0–5 h, 早上 6–8 h, 上午 9–11 h, 中午 12 h, 下午 13–17 h, 晚上 18–23 h; 0:00 is 凌晨零点.
- **Amounts** in 元/角/分 (not the colloquial 块/毛): 35.50 → 三十五元五角, 2.05 → 两元零五分,
  1200 → 一千二百元.

``spoken(template, **fields)`` fills a prompt template and applies these rules: typed fields (dates,
times, ints and the value classes below) are read by their type; Arabic digits left in the text (in the
template or in a string field) are read by the word that follows them (``read_digits_in``).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Final, Protocol

DIGIT_WORDS: Final = "零一二三四五六七八九"
MAX_CARDINAL: Final = 10**12 - 1  # up to 九千九百九十九亿…
_GROUP_UNITS: Final = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
_MEASURE_UNITS: Final = "百千万亿"


class Readable(Protocol):
    """A value that knows how it is read aloud."""

    def words(self) -> str: ...


FieldValue = str | int | date | time | Readable


# --- numbers -------------------------------------------------------------------------------------------


def digit_by_digit(digits: str, *, one: str = "幺") -> str:
    """逐位读: "12345" → "幺二三四五"; with ``one="一"`` → "一二三四五". Only ASCII digits are accepted."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"not a digit string: {digits!r}")
    return "".join(one if ch == "1" else DIGIT_WORDS[int(ch)] for ch in digits)


def _group(n: int) -> str:
    """1..9999 by value: 1203 → 一千二百零三, 10 → 一十 (the caller drops a leading 一 of 一十)."""
    out: list[str] = []
    zero = False
    for value, unit in _GROUP_UNITS:
        digit = n // value % 10
        if digit == 0:
            zero = zero or bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(DIGIT_WORDS[digit] + unit)
    return "".join(out)


def cardinal(n: int) -> str:
    """A number by value: 0 → 零, 12 → 十二, 102 → 一百零二, 110 → 一百一十, 10203 → 一万零二百零三."""
    if isinstance(n, bool) or not 0 <= n <= MAX_CARDINAL:
        raise ValueError(f"cannot read {n!r} by value")
    if n == 0:
        return "零"
    text, gap = "", False
    for unit, part in (("亿", n // 10**8), ("万", n // 10**4 % 10**4), ("", n % 10**4)):
        if part == 0:
            gap = gap or bool(text)
            continue
        if text and (gap or part < 1000):
            text += "零"
        text, gap = text + _group(part) + unit, False
    return text[1:] if text.startswith("一十") else text


def count(n: int, measure: str = "") -> str:
    """A count before a measure word (量词): 2 → 两个, 2天 → 两天, 200 → 两百, 12 → 十二 (两 only leads)."""
    words = cardinal(n)
    if words == "二" or (words.startswith("二") and words[1:2] in _MEASURE_UNITS):
        words = "两" + words[1:]
    return words + measure


def ordinal(n: int, unit: str = "") -> str:
    """Ordinals, house, building, unit and floor numbers with 二: 二号楼, 十二号, 三单元; ``第`` is the
    caller's: ``"第" + ordinal(2)``."""
    return cardinal(n) + unit


def room(number: str) -> str:
    """A room number digit by digit with 幺: "102" → 幺零二室."""
    return digit_by_digit(number) + "室"


def working_days(n: int) -> str:
    """A time limit in working days (工作日): 3 → 三个工作日, 2 → 两个工作日."""
    return count(n, "个工作日")


def amount(yuan: Decimal | int) -> str:
    """Money in 元/角/分: 35.50 → 三十五元五角, 2.05 → 两元零五分, 0.5 → 五角, 1200 → 一千二百元."""
    cents = Decimal(yuan) * 100
    if cents != cents.to_integral_value() or cents < 0:
        raise ValueError(f"not an amount in cents: {yuan!r}")
    whole, jiao, fen = int(cents) // 100, int(cents) // 10 % 10, int(cents) % 10
    text = count(whole, "元") if whole or not (jiao or fen) else ""
    if jiao:
        text += count(jiao, "角")
    if fen:
        text += ("零" if text and not jiao else "") + count(fen, "分")
    return text


# --- dates and times ---------------------------------------------------------------------------------


def date_words(day: date, *, with_year: bool = False) -> str:
    """2026-11-28 → 十一月二十八日; with the year → 二零二六年十一月二十八日 (the year digit by digit)."""
    year = digit_by_digit(f"{day.year:04d}", one="一") + "年" if with_year else ""
    return f"{year}{cardinal(day.month)}月{cardinal(day.day)}日"


_PERIODS: Final = ((6, "凌晨"), (9, "早上"), (12, "上午"), (13, "中午"), (18, "下午"), (24, "晚上"))


def time_words(clock: time) -> str:
    """14:30 → 下午两点半, 14:00 → 下午两点, 14:05 → 下午两点零五分, 9:15 → 上午九点十五分."""
    period = next(name for end, name in _PERIODS if clock.hour < end)
    hour = clock.hour if clock.hour <= 12 else clock.hour - 12
    text = f"{period}{count(hour)}点"
    if clock.minute == 30:
        return text + "半"
    if clock.minute == 0:
        return text
    return text + ("零" if clock.minute < 10 else "") + cardinal(clock.minute) + "分"


# --- value classes for template fields -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Digits:
    """A phone, work-order or other identifying number, read digit by digit."""

    digits: str
    one: str = "幺"

    def words(self) -> str:
        return digit_by_digit(self.digits, one=self.one)


@dataclass(frozen=True, slots=True)
class Count:
    """A count with its measure word: Count(2, "天") → 两天."""

    n: int
    measure: str = ""

    def words(self) -> str:
        return count(self.n, self.measure)


@dataclass(frozen=True, slots=True)
class WorkingDays:
    """A time limit: WorkingDays(3) → 三个工作日."""

    days: int

    def words(self) -> str:
        return working_days(self.days)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount in yuan: Money(Decimal("35.5")) → 三十五元五角."""

    yuan: Decimal | int

    def words(self) -> str:
        return amount(self.yuan)


@dataclass(frozen=True, slots=True)
class FullDate:
    """A date read with its year."""

    day: date

    def words(self) -> str:
        return date_words(self.day, with_year=True)


# --- digits in free text and templates ---------------------------------------------------------------

_HOUSE_UNIT: Final = "号楼|号院|号|栋|幢|单元|层|楼(?![道梯上下])"
_MEASURE: Final = "个工作日|个|天|次|人|户|年|小时|分钟|米|公里|平方米|块|件|辆|岁"
_IN_TEXT: Final = re.compile(
    r"(?P<year>\d{4})(?=年)|(?<!\d)(?P<month>\d{1,2})(?=月)|(?<=月)(?P<day>\d{1,2})(?=[日号])"
    r"|(?P<yuan>\d+(?:\.\d{1,2})?元)"
    r"|(?P<room>\d+)(?=室)"
    f"|(?P<house>\\d{{1,4}})(?={_HOUSE_UNIT})"
    f"|(?P<count>\\d{{1,8}})(?={_MEASURE})"
    r"|(?P<digits>\d+)"
)


def _read_match(m: re.Match[str]) -> str:
    kind, text = next((k, v) for k, v in m.groupdict().items() if v is not None)
    if kind == "year" or kind == "digits":
        return digit_by_digit(text, one="一" if kind == "year" else "幺")
    if kind == "room":
        return digit_by_digit(text)
    if kind == "yuan":
        return amount(Decimal(text[:-1]))
    if kind == "count":
        return count(int(text))
    return cardinal(int(text))  # month, day, house


def read_digits_in(text: str) -> str:
    """Arabic digits in ``text`` read by the word that follows them: 年 (year digit by digit), 月/日,
    元, 室 (digit by digit), house units (号, 号楼, 单元, 层: by value), measure words (两); any other run
    digit by digit with 幺 ("致电12345" → 致电幺二三四五)."""
    return _IN_TEXT.sub(_read_match, text)


def _field_words(value: FieldValue) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("a yes/no field has no reading")
    if isinstance(value, int):
        return cardinal(value)
    if isinstance(value, datetime):
        raise TypeError("pass a datetime's date and time as two fields")
    if isinstance(value, date):
        return date_words(value)
    if isinstance(value, time):
        return time_words(value)
    return value.words()


def spoken(template: str, /, **fields: FieldValue) -> str:
    """The text to synthesize: ``template``'s ``{name}`` fields filled with their readings, then the
    digits left in the text read (``read_digits_in``). Every field must be used, and only named fields:
    ``spoken("您于{date}反映的{category}问题", date=date(2026, 11, 28), category="噪声污染")``."""
    used: set[str] = set()
    out: list[str] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is None:
            continue
        if not name or spec or conversion or name not in fields:
            raise ValueError(f"template field {name!r}: only named fields without format, all given")
        used.add(name)
        out.append(_field_words(fields[name]))
    if unused := set(fields) - used:
        raise ValueError(f"fields not in the template: {sorted(unused)}")
    return read_digits_in("".join(out))
