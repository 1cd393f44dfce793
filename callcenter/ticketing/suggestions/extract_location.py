"""Where the caller says the matter is (地址建议), resolved against the gazetteer.

The words are first given digits (``spoken_numbers.digits_from_speech``: 王府井大街三十五号 →
王府井大街35号), then resolved with the gazetteer's own rule (``addresses.resolve``: names and aliases,
longest wins, consistent, deepest wins). The rule on top of it:

1. *Whole words first*: if the names heard agree (东城区 … 景山街道 … 吉祥社区), that is the place.
2. *Else phrase by phrase*: the names heard are grouped into phrases (names at most ``PHRASE_GAP``
   characters apart, no clause break between); each phrase is resolved alone. One street or
   community that the phrases agree on is the place ("我住望京，王府井大街三十五号的路灯坏了"
   names two places, so it stays ambiguous).
3. *The phrase* shown to the agent is the group of names around the place, with the house number that
   follows it (35号, 2号楼3单元502室, 18号院).

The outcome: the area (its code, level and names from the district down), the phrase, and the issue
when it is not precise enough to dispatch (``too_coarse``, ``ambiguous`` with candidates,
``inconsistent``). None when no known name was heard.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from callcenter.ticketing.catalogue.addresses import Match, Resolution, ResolutionIssue, resolve
from callcenter.ticketing.catalogue.gazetteer import Area, AreaCode, AreaLevel, Gazetteer, normalize
from callcenter.ticketing.spoken_numbers import digits_from_speech
from callcenter.ticketing.suggestions.extract_terms import MAX_SCAN_CHARS

PHRASE_GAP: Final = 6  # characters between two names of one spoken address (路, 号, 附近 …)
MAX_PHRASE: Final = 60
_HOUSE_NUMBER = re.compile(
    r"(?:[0-9]+(?:号院|号楼|号|栋|幢|单元|室|层|楼(?![道梯上下]))|附近|门口|对面|旁边|东侧|西侧|南侧|北侧|院内)+"
    r"(?:(?<=单元)[0-9]{2,4}室?)?"  # 2单元502: the room number after a unit
)
_CLAUSE_BREAKS = frozenset("，,。.！!？?；;、")


@dataclass(frozen=True, slots=True)
class LocationSuggestion:
    area_code: AreaCode | None  # the most precise area the words surely name (None: they contradict)
    level: AreaLevel | None
    path: tuple[str, ...]  # 区 / 街道 / 社区 names, from the district down
    phrase: str  # the address as heard, with digits: 东城区王府井大街35号
    issue: ResolutionIssue | None = None  # None: precise enough to dispatch (a street or community)
    candidates: tuple[AreaCode, ...] = ()  # for ambiguous/inconsistent: the places it may be

    @property
    def resolved(self) -> bool:
        return self.issue is None


def suggest_location(gazetteer: Gazetteer, text: str) -> LocationSuggestion | None:
    """Where the words place the matter (module docstring), or None when they name no known place."""
    spoken = normalize(digits_from_speech(text[:MAX_SCAN_CHARS]))
    whole = resolve(gazetteer, spoken)
    if not whole.matches:
        return None
    if whole.reason in (None, ResolutionIssue.TOO_COARSE):
        return _suggestion(gazetteer, spoken, whole, _phrase_around(spoken, whole))
    return _by_phrase(gazetteer, spoken, whole)


def _by_phrase(gazetteer: Gazetteer, spoken: str, whole: Resolution) -> LocationSuggestion:
    """Each phrase resolved alone; one place agreed on wins, else the whole words' outcome stands."""
    found: dict[AreaCode, tuple[Resolution, str]] = {}
    for group in _groups(spoken, whole.matches):
        phrase = _phrase_text(spoken, group)
        part = resolve(gazetteer, phrase)
        if part.resolved and part.area is not None:
            found.setdefault(part.area.code, (part, phrase))
    deepest = [c for c in found if not any(o != c and gazetteer.is_within(o, c) for o in found)]
    if len(deepest) == 1:
        part, phrase = found[deepest[0]]
        return _suggestion(gazetteer, spoken, part, phrase)
    if len(deepest) > 1:
        ambiguous = Resolution(
            gazetteer.common_ancestor(deepest),
            ResolutionIssue.AMBIGUOUS,
            tuple(gazetteer.get(c) for c in sorted(deepest)),
            whole.matches,
        )
        return _suggestion(gazetteer, spoken, ambiguous, _phrase_text(spoken, whole.matches))
    return _suggestion(gazetteer, spoken, whole, _phrase_text(spoken, whole.matches))


def _suggestion(gazetteer: Gazetteer, spoken: str, found: Resolution, phrase: str) -> LocationSuggestion:
    area = found.area
    return LocationSuggestion(
        area_code=None if area is None else area.code,
        level=None if area is None else area.level,
        path=() if area is None else _names(gazetteer, area),
        phrase=phrase[:MAX_PHRASE],
        issue=found.reason,
        candidates=tuple(a.code for a in found.candidates),
    )


def _names(gazetteer: Gazetteer, area: Area) -> tuple[str, ...]:
    """区 / 街道 / 社区: the area's names from the district down (the city is left out)."""
    chain = reversed(gazetteer.ancestors(area.code))
    return tuple(a.name for a in chain if a.level is not AreaLevel.CITY)


def _close(spoken: str, before: Match, after: Match) -> bool:
    between = spoken[before.end : after.start]
    return len(between) <= PHRASE_GAP and not _CLAUSE_BREAKS.intersection(between)


def _groups(spoken: str, matches: Sequence[Match]) -> list[list[Match]]:
    """Names at most ``PHRASE_GAP`` characters apart, with no clause break between, form one phrase."""
    groups: list[list[Match]] = []
    for match in matches:
        if groups and _close(spoken, groups[-1][-1], match):
            groups[-1].append(match)
        else:
            groups.append([match])
    return groups


def _phrase_text(spoken: str, group: Sequence[Match]) -> str:
    """From the group's first name to its last, with the house number that follows."""
    start, end = group[0].start, max(m.end for m in group)
    tail = _HOUSE_NUMBER.match(spoken, end)
    return spoken[start : tail.end() if tail else end]


def _phrase_around(spoken: str, found: Resolution) -> str:
    """The last phrase that names the place found (resolve's area is always named by some match)."""
    target = found.area.code if found.area is not None else None
    named = [g for g in _groups(spoken, found.matches) if any(target in m.areas for m in g)]
    return _phrase_text(spoken, named[-1] if named else found.matches)
