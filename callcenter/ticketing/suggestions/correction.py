"""Misheard place names and category terms put right by their sound (读音纠错), before extraction.

A recogniser that has never heard a name writes what it sounds like: 东城去 for 东城区, 朝阳门接到 for
朝阳门街道, 占到经营 for 占道经营. This module compares the *pinyin* of the words with the pinyin of the
names the desk knows — the gazetteer's areas and aliases, the category tree's names and the category
keywords — and replaces a span that sounds like one of them. Pure: pypinyin is a pure-Python library.

The rule, conservative by design (a wrong correction costs more than a missed one):

1. *Spans*: windows of Han characters as long as a known name (at least ``MIN_NAME`` characters),
   spaces between words looked through (王府井 大姐), never across a digit, a Latin letter or
   punctuation; a window with a spoken digit (一 … 九, 幺, 零,
   两, 十) only where the name has the same character (phone numbers are never touched).
2. *Known words stay*: a window that is a known name is never changed, nor is one that cuts through a
   known name heard in the words (it may only extend it: 朝阳门接到 → 朝阳门街道 keeps 朝阳门).
3. *Sound*: syllable by syllable, toneless: the same character or the same syllable costs 0 (a
   homophone); the same syllable up to a usual ASR confusion (an/ang, en/eng, in/ing, zh/z, ch/c, sh/s,
   l/n, h/f) costs ``CONFUSION_COST``; one letter off costs ``EDIT_COST``; anything else rules the name
   out. The budget: ``BUDGET_SHORT`` for a name of 3 characters, ``BUDGET_LONG`` above.
4. *Shape*: at least one character as in the name and one not (a span of homophones only, such as
   一个 for 以各, is never taken for a name; 安丁门解刀 → 安定门街道 is, however many homophones).
5. *One answer*: the cheapest name per span; two different names at the same cost → no correction.
   Overlapping corrections: the cheaper, then the longer, then the earlier wins.

The outcome: the corrected text, and each correction (where, what was heard, the name put in).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from pypinyin import Style, lazy_pinyin

from callcenter.ticketing.catalogue.categories import CategoryTree
from callcenter.ticketing.catalogue.gazetteer import Gazetteer, normalize

MIN_NAME: Final = 3  # two-character names sound like too many ordinary words
MAX_NAME: Final = 12
CONFUSION_COST: Final = 0.5
EDIT_COST: Final = 1.0
BUDGET_SHORT: Final = 0.5  # a 3-character name: homophones and one usual confusion
BUDGET_LONG: Final = 1.0  # longer: two confusions, or one letter off
SPOKEN_DIGITS: Final = frozenset("零〇一二三四五六七八九十幺两")

# Initials and finals ASR (and southern speakers) confuse: mapped onto one form before comparing.
_INITIALS: Final = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("f", "h"))
_FINALS: Final = (("iang", "ian"), ("uang", "uan"), ("ang", "an"), ("eng", "en"), ("ing", "in"))


def is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf"


def syllables(text: str) -> tuple[str, ...]:
    """One toneless syllable per character (pypinyin reads polyphones by phrase: 长安 → chang an)."""
    return tuple(lazy_pinyin(text, style=Style.NORMAL))


def loose(syllable: str) -> str:
    """The syllable with the usual confusions folded: zhang → zan, ning → lin, sheng → sen."""
    for hard, soft in _INITIALS:
        if syllable.startswith(hard):
            syllable = soft + syllable[len(hard) :]
            break
    for hard, soft in _FINALS:
        if syllable.endswith(hard):
            return syllable[: -len(hard)] + soft
    return syllable


def one_edit(a: str, b: str) -> bool:
    """At most one letter inserted, deleted or replaced."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


@dataclass(frozen=True, slots=True)
class _Name:
    text: str
    sounds: tuple[str, ...]
    loose: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Correction:
    start: int  # in the text given
    end: int
    heard: str
    name: str  # the known name put in


@dataclass(frozen=True, slots=True)
class Corrected:
    text: str
    corrections: tuple[Correction, ...] = ()


class CorrectionVocabulary:
    """The names the desk knows, indexed by their loose pinyin (with each syllable in turn left open,
    so a name one letter off is found without comparing every name)."""

    __slots__ = ("_by_key", "_known", "_lengths", "_names")

    def __init__(self, names: Iterable[str]) -> None:
        known = {normalize(n) for n in names}
        self._known: frozenset[str] = frozenset(k for k in known if len(k) >= 2)
        usable = sorted(k for k in known if MIN_NAME <= len(k) <= MAX_NAME and all(map(is_han, k)))
        # a character pypinyin cannot read leaves the syllables out of step: such a name is left out
        self._names = tuple(n for n in map(_name, usable) if len(n.sounds) == len(n.text))
        by_key: dict[tuple[str, ...], list[_Name]] = {}
        for name in self._names:
            for key in _keys(name.loose):
                by_key.setdefault(key, []).append(name)
        self._by_key = {k: tuple(v) for k, v in by_key.items()}
        self._lengths = tuple(sorted({len(n.text) for n in self._names}, reverse=True))

    @classmethod
    def of(cls, gazetteer: Gazetteer, tree: CategoryTree, terms: Iterable[str] = ()) -> CorrectionVocabulary:
        """The gazetteer's names and aliases, the active categories' names and ``terms`` (keywords)."""
        names = [*gazetteer.index, *(c.name for c in tree if c.active), *terms]
        return cls(names)

    def __len__(self) -> int:
        return len(self._names)

    def candidates(self, loose_window: tuple[str, ...]) -> Iterator[_Name]:
        seen: set[str] = set()
        for key in _keys(loose_window):
            for name in self._by_key.get(key, ()):
                if name.text not in seen:
                    seen.add(name.text)
                    yield name

    @property
    def lengths(self) -> tuple[int, ...]:
        return self._lengths

    @property
    def known(self) -> frozenset[str]:
        return self._known


def _name(text: str) -> _Name:
    sounds = syllables(text)
    return _Name(text, sounds, tuple(map(loose, sounds)))


def _keys(loose_sounds: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    yield loose_sounds
    for i in range(len(loose_sounds)):
        yield (*loose_sounds[:i], "*", *loose_sounds[i + 1 :])


def _cost(window: str, sounds: Sequence[str], name: _Name) -> float | None:
    """What turning ``window`` into ``name`` costs (module docstring, 3 and 4), None when it may not."""
    total, same, budget = 0.0, 0, BUDGET_SHORT if len(name.text) <= MIN_NAME else BUDGET_LONG
    for char, sound, want_char, want in zip(window, sounds, name.text, name.sounds, strict=True):
        if char == want_char:
            same += 1
            continue
        if char in SPOKEN_DIGITS:
            return None
        if sound == want:
            continue
        if loose(sound) == loose(want):
            total += CONFUSION_COST
        elif one_edit(loose(sound), loose(want)):
            total += EDIT_COST
        else:
            return None
        if total > budget:
            return None
    if same == 0 or same == len(window):
        return None
    return total


def _known_spans(text: str, known: frozenset[str], longest: int) -> list[tuple[int, int]]:
    """Where known names are heard (every occurrence, overlapping allowed)."""
    spans = []
    for start in range(len(text)):
        for end in range(min(len(text), start + longest), start + 1, -1):
            if text[start:end] in known:
                spans.append((start, end))
                break
    return spans


def _cuts(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    """The window overlaps a known name heard in the words without holding all of it."""
    return any(s < end and start < e and not (start <= s and e <= end) for s, e in spans)


def _runs(text: str) -> Iterator[tuple[str, list[int]]]:
    """Runs of Han characters (spaces between words, as some recognisers write them, are looked
    through), each as its characters and their offsets in ``text``."""
    chars: list[str] = []
    at: list[int] = []
    for i, char in enumerate(text):
        if is_han(char):
            chars.append(char)
            at.append(i)
        elif not (char.isspace() and chars):
            if chars:
                yield "".join(chars), at
            chars, at = [], []
    if chars:
        yield "".join(chars), at


def correct(text: str, vocabulary: CorrectionVocabulary) -> Corrected:
    """``text`` with the spans that sound like a known name replaced by it (module docstring)."""
    if not len(vocabulary):
        return Corrected(text)
    found: list[tuple[float, int, int, Correction]] = []
    for run, offsets in _runs(text):
        sounds = syllables(run)
        if len(sounds) != len(run):
            continue  # pypinyin did not give one syllable per character: leave the run as it is
        loose_sounds = tuple(map(loose, sounds))
        spans = _known_spans(run, vocabulary.known, MAX_NAME)
        for length in vocabulary.lengths:
            for i in range(len(run) - length + 1):
                window = run[i : i + length]
                if window in vocabulary.known or _cuts(i, i + length, spans):
                    continue
                best = _best(window, sounds[i : i + length], loose_sounds[i : i + length], vocabulary)
                if best is not None:
                    cost, name = best
                    start, end = offsets[i], offsets[i + length - 1] + 1
                    found.append((cost, -length, start, Correction(start, end, text[start:end], name)))
    chosen: list[Correction] = []
    for *_, corr in sorted(found, key=lambda f: f[:3]):
        if all(corr.end <= c.start or c.end <= corr.start for c in chosen):
            chosen.append(corr)
    chosen.sort(key=lambda c: c.start)
    out: list[str] = []
    done = 0
    for c in chosen:
        out += [text[done : c.start], c.name]
        done = c.end
    out.append(text[done:])
    return Corrected("".join(out), tuple(chosen))


def _best(
    window: str, sounds: Sequence[str], loose_sounds: tuple[str, ...], vocabulary: CorrectionVocabulary
) -> tuple[float, str] | None:
    scored = sorted(
        (cost, name.text)
        for name in vocabulary.candidates(loose_sounds)
        if (cost := _cost(window, sounds, name)) is not None
    )
    if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0] and scored[1][1] != scored[0][1]):
        return None
    return scored[0]
