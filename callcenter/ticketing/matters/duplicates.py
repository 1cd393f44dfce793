"""Duplicate matters (并单): is a new work order about the same matter (同一诉求) as an open one? Pure rules.

Decided in docs/adr/0010-duplicate-matters.md. In short: the citizen's request text is normalised (fillers,
particles, punctuation, full-width forms and spoken numbers before 号/楼/栋 … removed or unified), cut into
characters plus character bigrams at half weight, and compared by cosine similarity, the combination that
separated paraphrases of one matter from other matters in the same place best on our labelled set
(bench/duplicates_bench.py). A candidate
must be open, in the same area (统计用区划代码, exact), within the time window and, if configured, of the same
category (诉求分类); the best one above the threshold wins, ties broken deterministically. A matter is
escalated to supervision (督办) once, when it has gathered ``escalate_at_callers`` distinct callers' numbers.

No clock, no I/O: times are passed in, aware.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import NewType

from callcenter.core.errors import ConfigError, InvalidInput
from callcenter.core.ids import TicketId

MatterId = NewType("MatterId", int)

# Words that carry no matter: greetings, hesitations, the formula of the call (ASR and agents' drafts).
FILLERS = (
    "你好", "您好", "喂", "请问", "那个", "这个", "就是说", "就是", "然后", "我想问一下", "我想问", "我想",
    "我要反映", "我想反映", "我反映", "我要投诉", "反映一下", "反映个", "反映", "麻烦你们", "麻烦你", "麻烦",
    "帮忙", "一下", "谢谢你们", "谢谢你", "谢谢", "嗯", "啊", "呃", "哦", "呀", "嘛",
)  # fmt: skip
_FILLER_RE = re.compile("|".join(sorted(map(re.escape, FILLERS), key=len, reverse=True)))
# Particles and pronouns: frequent in every request, they say nothing about which matter it is.
STOP_CHARS = frozenset("的了是都也还就很在我们你他她它这那个吗呢吧")
_CN_DIGITS = {ch: n for n, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
# A spoken number before a measure of place: 三号楼 = 3号楼, 十二栋 = 12栋, 一单元 = 1单元.
_CN_NUMBER_RE = re.compile("([零〇一二两三四五六七八九十百]+)(?=[号栋幢楼层室单期路巷弄排户])")


class Shingles(StrEnum):
    """What a text is cut into before comparing."""

    MIXED = "mixed"  # characters, plus bigrams at half weight (the default, ADR 0010)
    CHARS = "chars"  # single characters
    BIGRAMS = "bigrams"  # character bigrams


BIGRAM_WEIGHT = 0.5  # of a bigram against a character, in MIXED


class Measure(StrEnum):
    """How two bigram profiles are compared."""

    COSINE = "cosine"  # over weighted shingle counts (the default, ADR 0010)
    JACCARD = "jaccard"  # |A ∩ B| / |A ∪ B| over shingle sets
    DICE = "dice"  # 2 |A ∩ B| / (|A| + |B|)
    CONTAINMENT = "containment"  # |A ∩ B| / min(|A|, |B|): the shorter text inside the longer


@dataclass(frozen=True, slots=True)
class DuplicateRules:
    """The configurable numbers of 并单 (ADR 0010); ``DuplicateRules()`` holds the measured defaults."""

    min_similarity: float = 0.42  # best F1 on the labelled set, mixed cosine (bench/duplicates_bench.py)
    window: timedelta = timedelta(hours=72)  # between the two orders' receipt times
    escalate_at_callers: int = 10  # distinct callers' numbers that send a matter to supervision (督办)
    same_category: bool = True  # require equal 诉求分类 when both orders have one
    measure: Measure = Measure.COSINE
    shingles: Shingles = Shingles.MIXED
    near_identical: float = 0.85  # the similarity needed when either order has no area
    min_chars: int = 4  # a normalised text shorter than this never matches: too little to tell

    def __post_init__(self) -> None:
        if not 0 < self.min_similarity <= 1:
            raise ConfigError("min_similarity must lie in (0, 1]", value=self.min_similarity)
        if not self.min_similarity <= self.near_identical <= 1:
            raise ConfigError("near_identical must lie in [min_similarity, 1]", value=self.near_identical)
        if not timedelta(0) < self.window <= timedelta(days=31):
            raise ConfigError("window must be positive and at most 31 days", value=str(self.window))
        if self.escalate_at_callers < 2:
            raise ConfigError("escalate_at_callers must be at least 2", value=self.escalate_at_callers)
        if self.min_chars < 2:
            raise ConfigError("min_chars must be at least 2 (one bigram)", value=self.min_chars)
        object.__setattr__(self, "measure", Measure(self.measure))
        object.__setattr__(self, "shingles", Shingles(self.shingles))


@dataclass(frozen=True, slots=True)
class OpenOrder:
    """A work order as 并单 sees it: what was asked, where, by whom, when (aware)."""

    ticket_id: TicketId
    matter_id: MatterId | None
    text: str
    area_code: str | None
    category_code: str | None
    caller_number: str
    received_at: datetime

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None:
            raise InvalidInput("received_at must be timezone-aware", ticket_id=self.ticket_id)


@dataclass(frozen=True, slots=True)
class MatterMatch:
    """The open order a new one duplicates; ``matter_id`` None means a matter is opened for both."""

    ticket_id: TicketId
    matter_id: MatterId | None
    score: float


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower case, spoken place numbers as digits; fillers, particles and
    every character that is not a letter or a digit (punctuation, symbols, spaces) removed."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _CN_NUMBER_RE.sub(lambda m: str(_cn_number(m.group(1))), text)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")
    return "".join(ch for ch in _FILLER_RE.sub("", text) if ch not in STOP_CHARS)


def _cn_number(spoken: str) -> int:
    """二十三 → 23, 一百零五 → 105, 十二 → 12; a plain digit string reads digit by digit (一二零 → 120)."""
    if "十" not in spoken and "百" not in spoken:
        return int("".join(str(_CN_DIGITS[ch]) for ch in spoken))
    total, current = 0, 0
    for ch in spoken:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
    return total + current


def bigrams(normalised: str) -> list[str]:
    """Character bigrams (shingles), in order; a one-character text is its own shingle."""
    if len(normalised) < 2:
        return [normalised] if normalised else []
    return [normalised[i : i + 2] for i in range(len(normalised) - 1)]


def shingle_weights(normalised: str, kind: Shingles = Shingles.MIXED) -> dict[str, float]:
    """Each shingle with its weight: its count, bigrams at ``BIGRAM_WEIGHT`` in MIXED."""
    weights: dict[str, float] = {}
    if kind is not Shingles.BIGRAMS:
        for ch in normalised:
            weights[ch] = weights.get(ch, 0.0) + 1.0
    step = BIGRAM_WEIGHT if kind is Shingles.MIXED else 1.0
    for gram in bigrams(normalised) if kind is not Shingles.CHARS else ():
        weights[gram] = weights.get(gram, 0.0) + step
    return weights


@dataclass(frozen=True, slots=True)
class Profile:
    """A text ready for comparison: its normalised form, shingle weights and their Euclidean norm."""

    normalised: str
    weights: Mapping[str, float]
    norm: float


@lru_cache(maxsize=20_000)
def profile(text: str, kind: Shingles = Shingles.MIXED) -> Profile:
    """Cached: the same open orders are compared with every new order of their area."""
    normalised = normalise(text)
    weights = shingle_weights(normalised, kind)
    return Profile(normalised, weights, math.sqrt(sum(w * w for w in weights.values())))


def similarity(a: Profile, b: Profile, measure: Measure = Measure.COSINE) -> float:
    """A score in [0, 1]; 0 when either text is empty after normalisation."""
    if not a.weights or not b.weights:
        return 0.0
    if measure is Measure.COSINE:
        x, y = a.weights, b.weights
        shared = x.keys() & y.keys()  # a C-level set intersection: only shared shingles are summed
        return min(1.0, sum(x[s] * y[s] for s in shared) / (a.norm * b.norm))
    common = len(a.weights.keys() & b.weights.keys())
    if measure is Measure.JACCARD:
        return common / len(a.weights.keys() | b.weights.keys())
    if measure is Measure.DICE:
        return 2 * common / (len(a.weights) + len(b.weights))
    return common / min(len(a.weights), len(b.weights))


def text_similarity(a: str, b: str, rules: DuplicateRules) -> float:
    """How alike two requests are under ``rules`` (its shingles and measure)."""
    return similarity(profile(a, rules.shingles), profile(b, rules.shingles), rules.measure)


def find_matter(new: OpenOrder, candidates: Sequence[OpenOrder], rules: DuplicateRules) -> MatterMatch | None:
    """The open order that the new one most likely duplicates, or None.

    Cheap rules first (not itself, not already in its matter, window, area, category), then text.
    Ranking, deterministic: highest score; then a candidate already in a matter (join it rather than open
    another); then the closest in time; then the lowest ticket id.
    """
    mine = profile(new.text, rules.shingles)
    if len(mine.normalised) < rules.min_chars:
        return None
    best: tuple[tuple[float, bool, timedelta, int], OpenOrder, float] | None = None
    for other in candidates:
        score = _score(new, mine, other, rules)
        if score is None:
            continue
        rank = (-score, other.matter_id is None, abs(new.received_at - other.received_at), other.ticket_id)
        if best is None or rank < best[0]:
            best = (rank, other, score)
    return None if best is None else MatterMatch(best[1].ticket_id, best[1].matter_id, best[2])


def _score(new: OpenOrder, mine: Profile, other: OpenOrder, rules: DuplicateRules) -> float | None:
    """The similarity if ``other`` may be the same matter and is similar enough, else None."""
    if not _comparable(new, other, rules):
        return None
    theirs = profile(other.text, rules.shingles)
    if len(theirs.normalised) < rules.min_chars:
        return None
    score = similarity(mine, theirs, rules.measure)
    return score if score >= _threshold(new, other, rules) else None


def _comparable(new: OpenOrder, other: OpenOrder, rules: DuplicateRules) -> bool:
    if other.ticket_id == new.ticket_id or abs(new.received_at - other.received_at) > rules.window:
        return False
    if new.matter_id is not None and other.matter_id == new.matter_id:
        return False  # already linked: a later similar order matched the new one before its own match ran
    if new.area_code and other.area_code and new.area_code != other.area_code:
        return False
    if rules.same_category and new.category_code and other.category_code:
        return new.category_code == other.category_code
    return True


def _threshold(new: OpenOrder, other: OpenOrder, rules: DuplicateRules) -> float:
    """Same area: ``min_similarity``. An order without an area matches only a near-identical text."""
    return rules.min_similarity if new.area_code and other.area_code else rules.near_identical


def caller_key(number: str) -> str | None:
    """One citizen, one key: digits only, the country code 86 and a trunk 0 before a mobile dropped.

    None for a withheld or empty number: it cannot be told apart from others and is not counted.
    """
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", number) if ch.isdigit())
    for prefix in ("0086", "86", "0"):
        rest = digits.removeprefix(prefix)
        if rest != digits and len(rest) == 11 and rest.startswith("1"):
            return rest
    return digits or None


def count_callers(numbers: Iterable[str]) -> int:
    """Distinct callers (a citizen calling five times is one caller); withheld numbers are not counted."""
    return len({key for key in map(caller_key, numbers) if key is not None})


def should_escalate(distinct_callers: int, already_escalated: bool, rules: DuplicateRules) -> bool:
    """督办 once: the first time a matter has ``escalate_at_callers`` distinct callers, never again."""
    return not already_escalated and distinct_callers >= rules.escalate_at_callers
