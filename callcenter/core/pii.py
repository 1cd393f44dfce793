"""Masking citizens' numbers where they would otherwise be printed (logs): government personal data.

A phone number keeps its first 3 and last 4 digits (138****8000), enough to tell two calls apart in a log
and useless for collecting numbers; an ID number (身份证号) keeps the region (first 6) and the last 4.
``mask_numbers_in`` finds them in free text, such as a URL path; names, addresses and the caller's words
cannot be found that way and are never logged at all (docs/operations.md "Logs").
"""

from __future__ import annotations

import re

KEEP_HEAD, KEEP_TAIL = 3, 4
_NUMBER = re.compile(
    r"(?<![\dXx])(?:\d{17}[\dXx]|1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\+?86-?1[3-9]\d{9})(?![\dXx])"
)


def mask_number(number: str) -> str:
    """Keep the first 3 and last 4 characters; a number too short for that is masked whole."""
    if len(number) <= KEEP_HEAD + KEEP_TAIL:
        return "*" * len(number)
    return number[:KEEP_HEAD] + "*" * (len(number) - KEEP_HEAD - KEEP_TAIL) + number[-KEEP_TAIL:]


def mask_id_number(number: str) -> str:
    """ID numbers keep the region (first 6) and the last 4: 110101********1234."""
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def _masked(match: re.Match[str]) -> str:
    found = match.group()
    return mask_id_number(found) if len(found) == 18 and found[:17].isdigit() else mask_number(found)


def mask_numbers_in(text: str) -> str:
    """The text with every mobile, landline (with its area code) and ID number in it masked."""
    return _NUMBER.sub(_masked, text)
