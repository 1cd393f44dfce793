"""Finding known terms in a caller's words (术语匹配), robust to what speech recognition does to them.

Shared by the category suggestion (`extract_category`) and the knowledge base (`knowledge`). The rule:

1. *Normalise*: NFKC (full-width letters and digits become ASCII), case-folded, whitespace removed —
   Vosk writes words separated by spaces, Whisper writes none; neither writes reliable punctuation.
   Punctuation is kept: a term never spans a clause break.
2. *Exact*: every known term that occurs as a substring.
3. *Near* (ASR noise): a term of ``FUZZY_MIN_LENGTH`` or more characters also matches a span of the same
   length that differs in exactly one character, never the first (``公基金`` is too short; ``拖欠工钱``
   for ``拖欠工资`` matches). Speech recognisers substitute homophones far more often than they drop
   or add a character inside a short word. A near hit counts for less (`Hit.exact` is False) and is
   shown as such.
4. *Split* (a word said inside a phrase): a term given as splittable (the category keywords of four
   characters, read as two two-character parts) also matches its first part followed, within one
   clause, by its second part with 1 to ``MAX_INSERT`` (8) characters between them and no negator among
   them (``拖欠了我们三个月的工资`` for ``拖欠工资``, ``墙皮都脱落了`` for ``墙皮脱落``; not ``墙皮没有脱落``,
   not ``拖欠，工资``). Like a near hit it counts for less (`Hit.exact` is False).
5. *Longest wins*: a hit lying inside a longer (or equally long, exact) hit is dropped (``燃气`` inside
   ``燃气费``), so one stretch of speech counts once.

Only the first ``MAX_SCAN_CHARS`` characters are read (a call of a quarter of an hour), so any text is
handled in bounded, linear time.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

MAX_SCAN_CHARS: Final = 5_000
FUZZY_MIN_LENGTH: Final = 4
MIN_TERM_LENGTH: Final = 2  # one character matches everywhere
WILDCARD: Final = "\x00"  # stands for the one differing character of a near match
SPLIT_LENGTH: Final = 4  # a splittable term of this length is two parts of two characters
MAX_INSERT: Final = 8  # characters a caller may say inside a split term (了我们三个月的 is 7)
_NOT_INSIDE: Final = frozenset('不没未无别非，。、,.;；:：!！?？"“”')  # negators and clause breaks


def spoken_form(text: str) -> str:
    """What is compared: NFKC, case-folded, no whitespace; at most ``MAX_SCAN_CHARS`` characters."""
    folded = unicodedata.normalize("NFKC", text[: MAX_SCAN_CHARS * 2]).casefold()
    return "".join(folded.split())[:MAX_SCAN_CHARS]


@dataclass(frozen=True, slots=True)
class Hit:
    """A known term found in the (spoken-form) text: where, and whether exactly or one character off."""

    term: str  # the term as listed (its spoken form)
    start: int
    end: int
    exact: bool = True

    @property
    def heard(self) -> int:
        return self.end - self.start


class TermIndex:
    """A read-only index of terms in their spoken form; built once per term list."""

    __slots__ = ("_exact", "_lengths", "_near", "_near_lengths", "_split")

    def __init__(self, terms: Iterable[str], splittable: Iterable[str] = ()) -> None:
        """``splittable``: terms that may also be heard with a few characters inside (rule 4); only
        those of ``SPLIT_LENGTH`` characters that are among ``terms`` are taken."""
        exact = {t for t in (spoken_form(term) for term in terms) if len(t) >= MIN_TERM_LENGTH}
        near: dict[str, set[str]] = {}
        for term in exact:
            if len(term) >= FUZZY_MIN_LENGTH:
                for key in _wildcards(term):
                    near.setdefault(key, set()).add(term)
        self._exact = frozenset(exact)
        self._near: Mapping[str, frozenset[str]] = MappingProxyType(
            {k: frozenset(v) for k, v in near.items()}
        )
        self._lengths = tuple(sorted({len(t) for t in exact}, reverse=True))
        self._near_lengths = tuple(n for n in self._lengths if n >= FUZZY_MIN_LENGTH)
        split: dict[str, set[str]] = {}
        for term in (spoken_form(t) for t in splittable):
            if len(term) == SPLIT_LENGTH and term in self._exact:
                split.setdefault(term[:2], set()).add(term)
        self._split: Mapping[str, frozenset[str]] = MappingProxyType(
            {k: frozenset(v) for k, v in split.items()}
        )

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and spoken_form(term) in self._exact

    def __len__(self) -> int:
        return len(self._exact)

    def find(self, text: str) -> tuple[Hit, ...]:
        """Every term in ``text`` (module docstring), left to right, without those inside another."""
        spoken = spoken_form(text)
        return _outermost([*self._exact_hits(spoken), *self._near_hits(spoken), *self._split_hits(spoken)])

    def _exact_hits(self, spoken: str) -> Iterator[Hit]:
        for start in range(len(spoken)):
            for length in self._lengths:
                piece = spoken[start : start + length]
                if len(piece) == length and piece in self._exact:
                    yield Hit(piece, start, start + length)

    def _near_hits(self, spoken: str) -> Iterator[Hit]:
        for start in range(len(spoken)):
            for length in self._near_lengths:
                piece = spoken[start : start + length]
                if len(piece) < length or piece in self._exact:
                    continue
                for key in _wildcards(piece):
                    for term in sorted(self._near.get(key, ())):
                        yield Hit(term, start, start + length, exact=False)

    def _split_hits(self, spoken: str) -> Iterator[Hit]:
        for start in range(len(spoken) - 1):
            for term in sorted(self._split.get(spoken[start : start + 2], ())):
                end = _second_part(spoken, start + 2, term[2:])
                if end is not None:
                    yield Hit(term, start, end, exact=False)


def _second_part(spoken: str, after: int, part: str) -> int | None:
    """Where ``part`` ends when it follows ``after`` with 1 to ``MAX_INSERT`` characters between and
    no negator or clause break among them; None when it does not."""
    for gap in range(1, MAX_INSERT + 1):
        at = after + gap
        if at + len(part) > len(spoken) or spoken[at - 1] in _NOT_INSIDE:
            return None
        if spoken[at : at + len(part)] == part:
            return at + len(part)
    return None


def _wildcards(term: str) -> Iterator[str]:
    """The term with each inner character in turn replaced by the wildcard: a near match differs in
    one character, never the first (a different first character is usually a different word)."""
    for at in range(1, len(term)):
        yield term[:at] + WILDCARD + term[at + 1 :]


def _outermost(hits: list[Hit]) -> tuple[Hit, ...]:
    """Drops hits that lie inside a kept hit; at one start, longer first, then exact before near."""
    kept: list[Hit] = []
    reach = -1  # the furthest end of a kept hit; every kept hit starts at or before this one
    for hit in sorted(hits, key=lambda h: (h.start, -h.heard, not h.exact, h.term)):
        if hit.end > reach:
            kept.append(hit)
            reach = hit.end
    return tuple(kept)


def distinct_terms(hits: Iterable[Hit]) -> tuple[Hit, ...]:
    """The first hit of each term (a term said three times counts once), exact hits preferred."""
    best: dict[str, Hit] = {}
    for hit in hits:
        if hit.term not in best or (hit.exact and not best[hit.term].exact):
            best[hit.term] = hit
    return tuple(best.values())
