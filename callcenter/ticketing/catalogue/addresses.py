"""Resolving a free-text address to an area of the gazetteer (地址解析), for direct dispatch (一单通达).

The rule, in order:

1. *Find*: every area name and alias of the gazetteer that occurs in the normalized address (one scan,
   each position tried against the index's key lengths, longest first).
2. *Longest wins*: a match lying inside a longer match is dropped (``西湖`` inside ``西湖区``, ``翠苑``
   inside ``翠苑一区``).
3. *Consistent*: a candidate is an area named by some match; it is consistent when every match names
   it or one of its ancestors (``东城区`` + ``景山街道`` + ``吉祥社区`` agree). Of the consistent
   candidates, those that are ancestors of another consistent candidate are dropped (deepest wins).
4. *Outcome*: one candidate left: resolved if it is a street or community, else ``too_coarse`` (only a
   district or the city was named). Several left: ``ambiguous`` (a road crossing two streets).
   None consistent: ``inconsistent`` (``朝阳区`` with a street of 东城区). Nothing found: ``no_match``.

``Resolution.area`` is always the most precise area the address surely lies in: the resolved area, or the
common ancestor of the candidates (None when nothing matched). Dispatch decides what to do with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from callcenter.ticketing.catalogue.gazetteer import DISPATCH_LEVELS, Area, AreaCode, Gazetteer, normalize


class ResolutionIssue(StrEnum):
    NO_MATCH = "no_match"  # no known name in the address
    TOO_COARSE = "too_coarse"  # only a district or the city
    AMBIGUOUS = "ambiguous"  # several areas fit equally well
    INCONSISTENT = "inconsistent"  # the names contradict each other


@dataclass(frozen=True, slots=True)
class Match:
    """A name found in the (normalized) address, and the areas it names."""

    text: str
    start: int
    areas: tuple[AreaCode, ...]

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where an address lies. ``reason`` is None exactly when ``area`` is a street or community."""

    area: Area | None
    reason: ResolutionIssue | None = None
    candidates: tuple[Area, ...] = ()
    matches: tuple[Match, ...] = ()

    @property
    def resolved(self) -> bool:
        return self.reason is None


def resolve(gazetteer: Gazetteer, address: str) -> Resolution:
    """The area ``address`` lies in, or why it cannot be told (module docstring)."""
    matches = find(gazetteer, address)
    if not matches:
        return Resolution(None, ResolutionIssue.NO_MATCH)
    consistent = _deepest(gazetteer, [c for c in _named(matches) if _fits_all(gazetteer, c, matches)])
    if len(consistent) == 1:
        area = gazetteer.get(consistent[0])
        issue = None if area.level in DISPATCH_LEVELS else ResolutionIssue.TOO_COARSE
        return Resolution(area, issue, (), matches)
    if consistent:
        return _unsure(gazetteer, ResolutionIssue.AMBIGUOUS, consistent, matches)
    return _unsure(gazetteer, ResolutionIssue.INCONSISTENT, _deepest(gazetteer, _named(matches)), matches)


def find(gazetteer: Gazetteer, address: str) -> tuple[Match, ...]:
    """Every known name in the address, left to right, without those inside a longer one."""
    text, index, lengths = normalize(address), gazetteer.index, gazetteer.lengths
    found = [
        Match(text[start : start + length], start, index[text[start : start + length]])
        for start in range(len(text))
        for length in lengths
        if start + length <= len(text) and text[start : start + length] in index
    ]
    return _outermost(found)


def _outermost(found: Sequence[Match]) -> tuple[Match, ...]:
    """Drops matches lying inside another (sorted by start, longest first, a running end suffices)."""
    kept: list[Match] = []
    reach = -1
    for match in sorted(found, key=lambda m: (m.start, -len(m.text))):
        if match.end > reach:
            kept.append(match)
            reach = match.end
    return tuple(kept)


def _named(matches: Sequence[Match]) -> list[AreaCode]:
    return list(dict.fromkeys(code for m in matches for code in m.areas))


def _fits_all(gazetteer: Gazetteer, candidate: AreaCode, matches: Sequence[Match]) -> bool:
    return all(any(gazetteer.is_within(candidate, a) for a in m.areas) for m in matches)


def _deepest(gazetteer: Gazetteer, codes: Sequence[AreaCode]) -> list[AreaCode]:
    """The codes that are not an ancestor of another code in the list."""
    return [c for c in codes if not any(o != c and gazetteer.is_within(o, c) for o in codes)]


def _unsure(
    gazetteer: Gazetteer, issue: ResolutionIssue, codes: Sequence[AreaCode], matches: tuple[Match, ...]
) -> Resolution:
    candidates = tuple(sorted((gazetteer.get(c) for c in codes), key=lambda a: a.code))
    return Resolution(gazetteer.common_ancestor(codes), issue, candidates, matches)
