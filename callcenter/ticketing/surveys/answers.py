"""Reading the citizen's answer (回访评价): the key pressed, else the words recognised; pure.

For the telephony side (issue 14's Asterisk adapter), so that every adapter reads answers alike: the key
press takes precedence and the first key decides (a flood of keys is read by its first); 1 满意, 2 基本满意,
3 不满意; any other first key (9, *, #) counts as no valid key. Words: "基本满意" before "满意", and "不满意",
"还没解决", "没有解决", "没解决" as 不满意 — checked before "满意", which they contain.

By sound, for a short answer only: Whisper-base writes a bare 满意 as 慢夜, 蚂蚁, 买衣 or 慢衣 (measured,
docs/surveys.md). When no phrase is found and the words are at most one syllable longer than an answer,
their toneless pinyin is compared with 不满意, 基本满意 and 满意 (in that order), syllable by syllable, the
usual confusions folded (an/ang, zh/z …, ``correction.loose``): at most ``SOUND_BUDGET`` syllable one letter
off in all. A longer utterance, or one further off, is no answer (``no_input``): never 满意 by a guess.
"""

from __future__ import annotations

from callcenter.ticketing.suggestions.correction import is_han, loose, one_edit, syllables
from callcenter.ticketing.surveys.model import AttemptOutcome

KEYS = {
    "1": AttemptOutcome.SATISFIED,
    "2": AttemptOutcome.BASIC_SATISFIED,
    "3": AttemptOutcome.DISSATISFIED,
}
WORDS = (  # checked in this order: longer and negative phrases first
    ("不满意", AttemptOutcome.DISSATISFIED),
    ("不太满意", AttemptOutcome.DISSATISFIED),
    ("还没解决", AttemptOutcome.DISSATISFIED),
    ("没有解决", AttemptOutcome.DISSATISFIED),
    ("没解决", AttemptOutcome.DISSATISFIED),
    ("基本满意", AttemptOutcome.BASIC_SATISFIED),
    ("还行", AttemptOutcome.BASIC_SATISFIED),
    ("满意", AttemptOutcome.SATISFIED),
)


def outcome_of_answer(keys: str, words: str) -> AttemptOutcome:
    """The outcome of an answered call from the keys pressed (in order) and the words recognised."""
    first = keys.strip()[:1]
    if first:
        return KEYS.get(first, AttemptOutcome.NO_INPUT)
    text = "".join(words.split())
    for phrase, outcome in WORDS:
        if phrase in text:
            return outcome
    return by_sound(text)


SOUNDS = (  # longer and negative first
    ("不满意", AttemptOutcome.DISSATISFIED),
    ("基本满意", AttemptOutcome.BASIC_SATISFIED),
    ("满意", AttemptOutcome.SATISFIED),
)
SOUND_BUDGET = 1  # syllables one letter off, in all


def by_sound(text: str) -> AttemptOutcome:
    """A short answer that sounds like 不满意, 基本满意 or 满意 (see the module's rule)."""
    heard = syllables("".join(ch for ch in text if is_han(ch)))
    for phrase, outcome in SOUNDS:
        want = syllables(phrase)
        if not len(want) <= len(heard) <= len(want) + 1:
            continue
        for start in range(len(heard) - len(want) + 1):
            if _cost(heard[start : start + len(want)], want) <= SOUND_BUDGET:
                return outcome
    return AttemptOutcome.NO_INPUT


def _cost(heard: tuple[str, ...], want: tuple[str, ...]) -> int:
    cost = 0
    for got, expected in zip(heard, want, strict=True):
        if loose(got) == loose(expected):
            continue
        if not one_edit(loose(got), loose(expected)):
            return SOUND_BUDGET + 1
        cost += 1
    return cost
