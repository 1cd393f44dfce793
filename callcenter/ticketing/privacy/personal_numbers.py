"""Personal numbers in free text (号码脱敏): find phone, ID and bank-card numbers, and mask them.

Why: a citizen's phone number, ID number (身份证号) and bank-card number identify them; the last two are
sensitive personal information (个人信息保护法 PIPL art. 28: 特定身份, 金融账户). PIPL art. 6 (最小必要) and
art. 51 (去标识化) ask that staff who do not need a number do not see it, and GB/T 35273-2020 (个人信息安全
规范, 去标识化 and its display restriction 显示限制) describes masking for screens. Call transcripts always
hold such numbers, so every text a handling unit reads is masked (see ``views.unit_content``).

Rules, in the order they are tried on one run of digits:

1. A run is Arabic digits (half or full width) or digits read out (零〇一二三四五六七八九幺, as Vosk
   writes them), with spaces, hyphens or a pause written as a comma (，、) between groups ("139 1234 5678",
   "010-6512 3456", "幺三九 幺二三四 五六七八", "幺三九，七三九零，九九零五"), an ID's last X (or 叉)
   included. A run never starts right after a ``*``: a masked number stays masked.
2. The whole run, or else its longest leading groups (repeatedly), is classified:
   - **ID number** (GB 11643): 18 characters, plausible region and birth date, last may be X;
   - **phone**: mobile 1[3-9]+9 digits (also after +86 / 0086), landline with area code 0… (10–12
     digits), local 7–8 digits starting 2–9 — but not an 8-digit date (20261124) nor an amount or count
     (followed by 元, 块, 万, 年, 号 …);
   - **bank card**: 16–19 digits passing the Luhn check (ISO/IEC 7812).
   A run that is none of these stays as written (years, amounts, house numbers, order numbers). Groups
   joined by a pause (，、) make only a phone number: two numbers in a list are never one card or ID.
3. Masks keep just enough to recognise a number, never to dial or use it: mobile and landline with area
   code first 3 + last 4 (139****5678, 010****3456), local number last 4 (****3456), ID number and bank
   card first 6 + last 4 (110101********123X, 622202*********1234). Spoken digits come back as Arabic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from callcenter.ticketing.spoken_numbers import DIGIT_BY_DIGIT, is_id_number, is_landline, is_mobile

_SPOKEN = "零〇一二三四五六七八九幺"
_FULL = "０１２３４５６７８９"
_VALUE = DIGIT_BY_DIGIT
_DIGIT = f"[0-9{_FULL}{_SPOKEN}]"
_NUMERAL = f"0-9{_FULL}{_SPOKEN}两十百千万"  # a run never starts or ends beside one of these
_SEP = "[ \t\\-－—，、]"  # spaces, hyphens, and a pause written as a comma ("幺三九，七三九零，…")
_RUN = re.compile(
    f"(?<![{_NUMERAL}*＊])(?:[+＋](?=[8８]))?{_DIGIT}(?:{_SEP}{{0,3}}{_DIGIT})*(?:{_SEP}{{0,2}}[Xx叉])?(?![{_NUMERAL}])"
)
_GROUP = re.compile("[^ \t\\-－—，、]+")
_PAUSE = re.compile("[，、]")  # a pause joins groups of a phone number only (a list of numbers is not a card)
_DATE = re.compile(r"(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])")
_AMOUNT_NEXT = (*"元块万亿年月日号米个次人户位岁天%％", "平方", "公斤", "分钟", "小时")


class NumberKind(StrEnum):
    PHONE = "phone"  # 电话
    ID_NUMBER = "id_number"  # 身份证号
    BANK_CARD = "bank_card"  # 银行卡号


@dataclass(frozen=True, slots=True)
class FoundNumber:
    """A personal number in a text: where (``start``/``end`` in the text), what, and as digits."""

    kind: NumberKind
    start: int
    end: int
    digits: str

    @property
    def masked(self) -> str:
        return mask(self.kind, self.digits)


def digits_of(run: str) -> str:
    """The run as plain digits: separators dropped, spoken and full-width digits as Arabic, 叉 as X."""
    return "".join("X" if ch in "Xx叉" else _VALUE[ch] for ch in run if ch in _VALUE or ch in "Xx叉")


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check digit of payment card numbers (ISO/IEC 7812-1)."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _national(digits: str) -> str:
    """A mobile number without its country code (+86, 0086)."""
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and is_mobile(digits[len(prefix) :]):
            return digits[len(prefix) :]
    return digits


def classify(digits: str, next_text: str = "") -> NumberKind | None:
    """What a run of digits is (rule 2); ``next_text`` is what follows it (an amount is no phone)."""
    if is_id_number(digits.upper()):
        return NumberKind.ID_NUMBER
    if is_mobile(_national(digits)) or (is_landline(digits) and digits.startswith("0")):
        return NumberKind.PHONE
    if "X" not in digits and 16 <= len(digits) <= 19 and luhn_valid(digits):
        return NumberKind.BANK_CARD
    if is_landline(digits) and not _DATE.fullmatch(digits) and not next_text.startswith(_AMOUNT_NEXT):
        return NumberKind.PHONE
    return None


def mask(kind: NumberKind, digits: str) -> str:
    """The masked form of a number (rule 3)."""
    digits = _national(digits.upper())
    if kind is NumberKind.PHONE and len(digits) <= 8:
        return "*" * (len(digits) - 4) + digits[-4:]
    keep = 3 if kind is NumberKind.PHONE else 6
    return digits[:keep] + "*" * (len(digits) - keep - 4) + digits[-4:]


def find_numbers(text: str) -> list[FoundNumber]:
    """Every personal number in the text, in order (rules 1 and 2)."""
    return [found for run in _RUN.finditer(text) for found in _in_run(text, run)]


def _in_run(text: str, run: re.Match[str]) -> Iterator[FoundNumber]:
    """The whole run if it is a number; else its longest leading groups that are one, repeatedly."""
    groups = [(g.start() + run.start(), g.end() + run.start()) for g in _GROUP.finditer(run.group())]
    i = 0
    while i < len(groups):
        found = _longest_from(text, groups, i)
        if found is None:
            i += 1
            continue
        yield found[0]
        i = found[1]


def _longest_from(text: str, groups: list[tuple[int, int]], i: int) -> tuple[FoundNumber, int] | None:
    for j in range(len(groups), i, -1):
        start, end = groups[i][0], groups[j - 1][1]
        digits = digits_of(text[start:end])
        kind = classify(digits, text[end : end + 2])
        if kind is not None and (kind is NumberKind.PHONE or not _PAUSE.search(text[start:end])):
            return FoundNumber(kind, start, end, digits), j
    return None


def replace_numbers(text: str, found: list[FoundNumber], by: Callable[[FoundNumber], str]) -> str:
    """The text with each found number replaced by ``by(number)``."""
    out, last = [], 0
    for number in found:
        out += [text[last : number.start], by(number)]
        last = number.end
    return "".join([*out, text[last:]])


def mask_numbers(text: str) -> str:
    """The text with every phone, ID and bank-card number masked (138****8000); the rest as written."""
    return replace_numbers(text, find_numbers(text), lambda n: n.masked)
