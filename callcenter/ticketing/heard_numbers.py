"""The contact number (联系电话) through speech-recognition errors, read where a phone number is expected.

`spoken_numbers` reads numbers as they are said. A recogniser writes some of them otherwise: Whisper
hears 幺 as 要 (腰, 妖, 么), drops the pauses between groups, mixes Arabic and Chinese digits
("要3821092417"), or writes a run it takes for a quantity ("要三百零五二百二零三二": 八 before 零 heard as
百). This module reads such a run into the contact number, and nowhere else: the text itself is never
changed (the transcript and the suggested request text stay as heard).

Rules, conservative on purpose (a wrong number costs more than a missing one):

1. *Where*: a run of digit characters, separators (space, dash, comma, 、) allowed between them, that
   starts within ``MAX_CUE_GAP`` characters after a phone cue (电话, 手机, 号码, 联系方式, 打) in the same
   sentence; or, with no cue, a run that reads as an 11-digit mobile number 1[3-9]….
2. *What a character may stand for*: the digits (零〇一…九, 幺, Arabic, full-width); the hotline and
   military readings and their usual spellings (要/腰/妖/么/幺 → 1, 洞 → 0, 两 → 2, 勾 → 9, 拐 → 7); and a
   few homophones of digit syllables that Whisper writes (百/吧/把/巴 → 8, 起/其/期 → 7, 散/伞 → 3,
   旧/久/酒 → 9, 溜/流 → 6, 依/衣 → 1, 而/儿/尔 → 2).
3. *Only a whole number*: a run is taken only when it reads as a mobile number (11 digits, 1[3-9]…) or,
   after a cue, a landline with its area code (0…, 11 or 12 digits: 010 and 02x take 8-digit local
   numbers, the 4-digit codes 7 or 8); a local number or a run of the wrong
   length is left to `spoken_numbers`. Characters other than digits at either end of the run are taken
   only when the number needs them, as few as possible.
4. *Mostly digits*: at most ``MAX_HOMOPHONES`` characters of a number may be homophones (rule 2, last
   group); with no cue, at most ``MAX_STAND_INS`` may be stand-ins of any kind. After a cue the readings
   are not counted: a caller who reads 洞幺洞 reads every 0 as 洞. So "两个人", "要求", "一要" never
   become a number.

`contact_number` first asks `spoken_numbers.spoken_contact_number`; a mobile or area-code landline it
finds stands. Otherwise the first run these rules read is the contact number, else what
`spoken_contact_number` found (a local number), else None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from callcenter.ticketing.spoken_numbers import DIGIT_BY_DIGIT, is_mobile, spoken_contact_number

MAX_CUE_GAP: Final = 3  # characters between the cue and the number: 号码是, 手机号要, 打我电话
MAX_STAND_INS: Final = 3  # with no cue: characters of one number read as a digit they are not
MAX_HOMOPHONES: Final = 2  # homophones of digit syllables in one number (rule 2, last group)

_DIGIT: Final = DIGIT_BY_DIGIT  # 零〇一…九幺, Arabic and full-width digits
_READING: Final = {"要": "1", "腰": "1", "妖": "1", "么": "1", "洞": "0", "两": "2", "勾": "9", "拐": "7"}
_HOMOPHONE: Final = {
    **dict.fromkeys("百吧把巴", "8"),
    **dict.fromkeys("起其期", "7"),
    **dict.fromkeys("散伞", "3"),
    **dict.fromkeys("旧久酒", "9"),
    **dict.fromkeys("溜流", "6"),
    **dict.fromkeys("依衣", "1"),
    **dict.fromkeys("而儿尔", "2"),
}
_CHARS: Final = "".join([*_DIGIT, *_READING, *_HOMOPHONE])
_RUN: Final = re.compile(f"[{_CHARS}](?:[ \\t\\-－—,，、]?[{_CHARS}])*")
_CUE_BEFORE: Final = re.compile(f"(?:电话|手机|号码|联系方式|打)[^。！？!?.\\n{_CHARS}]{{0,{MAX_CUE_GAP}}}$")
_LANDLINE: Final = re.compile(r"0[1-9]\d{9,10}")  # area code and local number: 11 or 12 digits


@dataclass(frozen=True, slots=True)
class _Char:
    digit: str
    stand_in: bool  # read as a digit it is not (rule 2)
    homophone: bool


def _char(ch: str) -> _Char:
    if ch in _DIGIT:
        return _Char(_DIGIT[ch], stand_in=False, homophone=False)
    if ch in _READING:
        return _Char(_READING[ch], stand_in=True, homophone=False)
    return _Char(_HOMOPHONE[ch], stand_in=True, homophone=True)


def contact_number(text: str) -> str | None:
    """The contact number said in the words, through recognition errors (module docstring); or None."""
    said = spoken_contact_number(text)
    if said is not None and (is_mobile(said) or _LANDLINE.fullmatch(said)):
        return said
    for run in _RUN.finditer(text):
        cued = _CUE_BEFORE.search(text, 0, run.start()) is not None
        number = _read(run.group(), cued)
        if number is not None:
            return number
    return said


def _read(run: str, cued: bool) -> str | None:
    """The number a run reads as with the fewest stand-ins at its ends (rules 3–4), or None."""
    chars = [_char(ch) for ch in run if ch in _CHARS]
    lead = next((i for i, c in enumerate(chars) if not c.stand_in), len(chars))
    trail = next((i for i, c in enumerate(reversed(chars)) if not c.stand_in), len(chars))
    spans = [(i, len(chars) - j) for i in range(lead + 1) for j in range(trail + 1) if i < len(chars) - j]
    spans.sort(key=lambda span: (lead - span[0]) + (trail - (len(chars) - span[1])))
    for start, end in spans:
        number = _number(chars[start:end], cued)
        if number is not None:
            return number
    return None


def _number(chars: list[_Char], cued: bool) -> str | None:
    digits = "".join(c.digit for c in chars)
    if sum(c.homophone for c in chars) > MAX_HOMOPHONES:
        return None
    if not cued and sum(c.stand_in for c in chars) > MAX_STAND_INS:
        return None
    if is_mobile(digits) or (cued and _LANDLINE.fullmatch(digits)):
        return digits
    return None
