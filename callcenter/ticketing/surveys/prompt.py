"""The survey prompt that names the matter (回访语音), built from the order's own text; pure.

"您好，这里是12345热线，您于十一月二十八日反映的王府井大街垃圾清运问题，承办单位已办理回复。" — the
intro of the survey call; the question and its menu (满意请按1 …) are a fixed prompt of their own
(``ivr/prompts.SURVEY_QUESTION``, played by the survey dialplan after this). Numbers and dates are
written in Chinese reading (the TTS reads digits inconsistently), phone and ID numbers are left out
(personal data is never spoken), and the matter is cut to a length a caller can follow. "12345" stays
digits here; the telephony adapter reads it as 幺二三四五 (``ivr/reading.read_digits_in``).
"""

from __future__ import annotations

import re
from datetime import datetime

from callcenter.core.clock import SHANGHAI
from callcenter.ticketing.surveys.model import SurveyTrigger

DIGITS = "零一二三四五六七八九"
MAX_MATTER_CHARS = 30
GENERIC_MATTER = "诉求"
_LONG_NUMBER = re.compile(r"\+?\d[\d\- ]{6,}\d")  # phone, ID and account numbers: never read out
_NUMBER = re.compile(r"\d+")
_TRAILING = re.compile(r"[，。,.;；！!？?\s]+$")
_ASKING = re.compile(r"^(市民|来电人)?(反映|来电反映|咨询|投诉|求助|称)[：:，,]?")


def reading_of(n: int) -> str:
    """0–9999 as read in Chinese (二十八, 一百零五, 二千零二十六); larger numbers digit by digit."""
    if n < 10:
        return DIGITS[n]
    if n >= 10000:
        return "".join(DIGITS[int(d)] for d in str(n))
    units = ((1000, "千"), (100, "百"), (10, "十"))
    out, zero = "", False
    for value, name in units:
        digit, n = divmod(n, value)
        if digit:
            if zero:
                out += "零"
            out += ("" if (value == 10 and not out and digit == 1) else DIGITS[digit]) + name
            zero = False
        elif out:
            zero = True
    if n:
        out += ("零" if zero else "") + DIGITS[n]
    return out


def date_reading(at: datetime) -> str:
    """The day in Asia/Shanghai as read: 十一月二十八日."""
    local = at.astimezone(SHANGHAI)
    return f"{reading_of(local.month)}月{reading_of(local.day)}日"


def numbers_read(text: str) -> str:
    """Digits in the text as read: short numbers by value (3号楼 → 三号楼), long runs digit by digit."""
    return _NUMBER.sub(
        lambda m: (
            reading_of(int(m.group())) if len(m.group()) <= 4 else "".join(DIGITS[int(d)] for d in m.group())
        ),
        text,
    )


def matter_of(summary: str, address: str = "") -> str:
    """The matter as the prompt names it: the order's summary (诉求摘要), without numbers that are personal
    data, cut to ``MAX_MATTER_CHARS``; the address is used when the summary is empty."""
    text = _LONG_NUMBER.sub("", (summary or address or "").strip())
    text = _ASKING.sub("", text.splitlines()[0] if text else "").strip()
    text = _TRAILING.sub("", text)[:MAX_MATTER_CHARS]
    text = _TRAILING.sub("", text)
    return numbers_read(text) if text else GENERIC_MATTER


def survey_prompt(summary: str, address: str, concluded_at: datetime, trigger: SurveyTrigger) -> str:
    """The intro: greeting, the day and the matter, what happened (the menu follows as its own prompt)."""
    matter = matter_of(summary, address)
    if not matter.endswith(("问题", "诉求", "事项")):
        matter += "的问题"
    done = "承办单位已办理回复" if trigger is SurveyTrigger.REPLIED else "热线已为您解答"
    return f"您好，这里是12345热线，您于{date_reading(concluded_at)}反映的{matter}，{done}。"
