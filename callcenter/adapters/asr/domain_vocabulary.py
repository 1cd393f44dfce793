"""The deployment's words for the recogniser (领域词表): place names from the gazetteer and hotline terms.

Whisper decodes each speech span after a text prompt (``initial_prompt``: decoded as if it had just been
said) and optional hot words; both share half of Whisper's 448-token context, and faster-whisper keeps the
*last* 223 tokens of a longer prompt. Whisper-base's byte-level tokens cost about 1.5 per Chinese character,
so the prompt is kept under :data:`PROMPT_MAX_CHARS` and the hot words under :data:`HOTWORDS_MAX_CHARS`.

The prompt is a short hotline opening followed by the city's street and community names (the names a
12345 caller says to place a matter); the hot words are the hotline's own terms (停电, 燃气, 漏水, …) from a
curated list. Neither contains test sentences: they come from the gazetteer and the terms file only.
Pure: the caller reads the seed and the terms file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from callcenter.ticketing.catalogue.gazetteer import Alias, Area, AreaLevel

PROMPT_MAX_CHARS: Final = 110
HOTWORDS_MAX_CHARS: Final = 40
PROMPT_OPENING: Final = "您好，12345市民服务热线。我要反映"  # how a hotline call starts
_SEPARATOR: Final = "、"
_SUFFIXES: Final = ("街道", "社区")  # said with or without: the bare name is what matters


@dataclass(frozen=True, slots=True)
class DomainVocabulary:
    places: tuple[str, ...]  # street and community names, most general first
    terms: tuple[str, ...]  # hotline terms, most important first


def place_names(areas: Iterable[Area], aliases: Iterable[Alias] = ()) -> tuple[str, ...]:
    """Street names, then community names, then aliases of those levels; each once, suffixes kept."""
    chosen = [a for a in areas if a.level in (AreaLevel.STREET, AreaLevel.COMMUNITY)]
    streets = [a.name for a in chosen if a.level is AreaLevel.STREET]
    communities = [a.name for a in chosen if a.level is AreaLevel.COMMUNITY]
    codes = {a.code for a in chosen}
    extra = [alias.text for alias in aliases if alias.area in codes]
    return _unique([*streets, *communities, *extra])


def parse_terms(text: str) -> tuple[str, ...]:
    """One term a line; blank lines and ``#`` comments ignored; order kept, duplicates dropped."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return _unique(line for line in lines if line)


def whisper_prompt(vocabulary: DomainVocabulary, max_chars: int = PROMPT_MAX_CHARS) -> str:
    """The hotline opening and as many place names as fit in ``max_chars`` (whole names only)."""
    return _fill(PROMPT_OPENING, vocabulary.places, max_chars) + "。"


def hotwords(vocabulary: DomainVocabulary, max_chars: int = HOTWORDS_MAX_CHARS) -> str:
    """As many hotline terms as fit in ``max_chars``, joined by 、 (whole terms only)."""
    return _fill("", vocabulary.terms, max_chars)


def _fill(start: str, items: Iterable[str], max_chars: int) -> str:
    text = start
    for item in items:
        candidate = f"{text}{_SEPARATOR if text and text != start else ''}{item}"
        if len(candidate) + 1 > max_chars:
            break
        text = candidate
    return text


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


def bare_name(name: str) -> str:
    """A street or community name without its 街道/社区 suffix (callers often leave it out)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name.removesuffix(suffix)
    return name
