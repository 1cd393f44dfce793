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
4. *Longest wins*: a hit lying inside a longer (or equally long, exact) hit is dropped (``燃气`` inside
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

    __slots__ = ("_exact", "_lengths", "_near", "_near_lengths")

    def __init__(self, terms: Iterable[str]) -> None:
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

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and spoken_form(term) in self._exact

    def __len__(self) -> int:
        return len(self._exact)

    def find(self, text: str) -> tuple[Hit, ...]:
        """Every term in ``text`` (module docstring), left to right, without those inside another."""
        spoken = spoken_form(text)
        return _outermost([*self._exact_hits(spoken), *self._near_hits(spoken)])

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
