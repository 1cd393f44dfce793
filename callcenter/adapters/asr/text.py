"""Text normalisation for scoring and drafting Chinese transcripts.

Speech engines disagree on surface form: Whisper writes punctuation, full-width digits and often
Traditional characters (繁体); Vosk writes words separated by spaces. Before two transcripts are compared they
are reduced to the same canonical form, so that only real recognition errors count.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Protocol

# Unicode general categories removed before scoring: punctuation (P*), separators/spaces (Z*) and
# control/format characters (C*). Symbols (S*, e.g. "+", "℃") and letters/digits are kept.
_DROPPED_CATEGORIES = ("P", "Z", "C")


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@cache
def _t2s() -> _Converter:
    """OpenCC's Traditional → Simplified converter, built once on first use (it reads dictionaries)."""
    from opencc import OpenCC

    converter: _Converter = OpenCC("t2s")
    return converter


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese with OpenCC ``t2s`` (phrase-aware: 乾燥 → 干燥, 乾隆 stays)."""
    return _t2s().convert(text) if text else text


def _kept(char: str) -> bool:
    return not unicodedata.category(char).startswith(_DROPPED_CATEGORIES)


def normalize_zh(text: str) -> str:
    """Canonical form of a Chinese transcript for character error rate.

    Rule, in order: NFKC (full-width ASCII → half-width, ideographic space → space, compatibility ideographs
    → unified), Traditional → Simplified (OpenCC t2s), lower-case Latin letters, then drop punctuation,
    spaces and control characters (Unicode categories P*, Z*, C*).
    """
    folded = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    return "".join(char for char in folded if _kept(char))


def words_of(text: str) -> tuple[str, ...]:
    """Words of a space-delimited language (Korean, English) for word error rate.

    Same folding as :func:`normalize_zh` (NFKC, lower case, punctuation dropped) but spaces split words.
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    cleaned = "".join(char if _kept(char) else " " for char in folded)
    return tuple(cleaned.split())
