"""Reading the citizen's answer (回访评价): the key pressed, else the words recognised; pure.

For the telephony side (issue 14's Asterisk adapter), so that every adapter reads answers alike: the key
press takes precedence and the first key decides (a flood of keys is read by its first); 1 满意, 2 基本满意,
3 不满意; any other first key (9, *, #) counts as no valid key. Words: "基本满意" before "满意", and "不满意",
"还没解决", "没有解决", "没解决" as 不满意 — checked before "满意", which they contain.
"""

from __future__ import annotations

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
    return AttemptOutcome.NO_INPUT
