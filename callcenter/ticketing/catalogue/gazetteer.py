"""The gazetteer (地名库): the city's areas down to community level, and the names people use for them.

Areas carry 统计用区划代码 (the National Bureau of Statistics' 12-digit division codes: 6 digits of
county, 3 of township/street, 3 of village/community), so a code's prefix tells its ancestors. Levels
run city (地级市; for a 直辖市 its 市辖区 code, e.g. 110100000000) → district (区/县) → street (街道/乡/镇)
→ community (社区/村). Aliases are the words citizens say: roads, residential compounds (小区),
landmarks, short names; one alias may point at several areas (a road crossing two streets).

`callcenter.ticketing.catalogue.addresses.resolve` finds those names in a free-text address.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final, NewType

from callcenter.core.errors import InvalidInput

AreaCode = NewType("AreaCode", str)  # 区划代码

CODE_LENGTH: Final = 12
MIN_ALIAS_LENGTH: Final = 2  # one character matches everywhere
MAX_ALIAS_LENGTH: Final = 128  # the column's width


class AreaLevel(StrEnum):
    CITY = "city"  # 市
    DISTRICT = "district"  # 区/县
    STREET = "street"  # 街道/乡/镇: the level a street office (街道办事处) serves
    COMMUNITY = "community"  # 社区/村

    @property
    def depth(self) -> int:
        return _DEPTH[self]


_DEPTH: Final = MappingProxyType({level: depth for depth, level in enumerate(AreaLevel)})
# Digits of the 12-digit code that name an area of each level; the rest are zeros.
_SIGNIFICANT: Final = MappingProxyType(
    {AreaLevel.CITY: 4, AreaLevel.DISTRICT: 6, AreaLevel.STREET: 9, AreaLevel.COMMUNITY: 12}
)
_PARENT_LEVEL: Final = MappingProxyType(
    {
        AreaLevel.DISTRICT: AreaLevel.CITY,
        AreaLevel.STREET: AreaLevel.DISTRICT,
        AreaLevel.COMMUNITY: AreaLevel.STREET,
    }
)
DISPATCH_LEVELS: Final = frozenset({AreaLevel.STREET, AreaLevel.COMMUNITY})


class UnknownArea(InvalidInput):
    """A code that names no area of the gazetteer."""

    code = "unknown_area"


class InvalidArea(InvalidInput):
    """An area that would break the gazetteer: bad code for its level, wrong parent, duplicate."""

    code = "invalid_area"


class InvalidAlias(InvalidInput):
    code = "invalid_alias"


@dataclass(frozen=True, slots=True)
class Area:
    code: AreaCode
    name: str
    level: AreaLevel
    parent: AreaCode | None = None


@dataclass(frozen=True, slots=True)
class Alias:
    """Another name of an area: a road, a 小区, a landmark, a short name."""

    text: str
    area: AreaCode


def normalize(text: str) -> str:
    """What is compared: NFKC (full-width digits and letters become ASCII), no spaces, case-folded."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _check_code(area: Area) -> None:
    """A 12-digit code whose digits below the area's level are zeros and whose own segment is not."""
    code, significant = area.code, _SIGNIFICANT[area.level]
    parent_level = _PARENT_LEVEL.get(area.level)
    own = code[_SIGNIFICANT[parent_level] if parent_level else 2 : significant]  # a city: after the province
    if len(code) != CODE_LENGTH or not code.isascii() or not code.isdigit():
        raise InvalidArea("an area code is the 12-digit 统计用区划代码", area=code)
    if set(code[significant:]) - {"0"} or set(own) == {"0"}:
        raise InvalidArea(f"this code is not the code of a {area.level.value}", area=code)


def _check_parent(area: Area, by_code: Mapping[AreaCode, Area]) -> None:
    """The city has no parent; every other area sits right below an area of the level above, and its
    code extends that area's code."""
    if area.level is AreaLevel.CITY:
        if area.parent is not None:
            raise InvalidArea("the city has no parent area", area=area.code)
        return
    parent = by_code.get(area.parent) if area.parent is not None else None
    if parent is None:
        raise InvalidArea("the parent area does not exist", area=area.code, parent=area.parent)
    if parent.level is not _PARENT_LEVEL[area.level]:
        raise InvalidArea(
            f"a {area.level.value} sits right below a {_PARENT_LEVEL[area.level].value}", area=area.code
        )
    if not area.code.startswith(parent.code[: _SIGNIFICANT[parent.level]]):
        raise InvalidArea("an area's code extends its parent's code", area=area.code, parent=parent.code)


def _check_alias(alias: Alias, by_code: Mapping[AreaCode, Area]) -> str:
    text = normalize(alias.text)
    if not MIN_ALIAS_LENGTH <= len(text) <= MAX_ALIAS_LENGTH:
        raise InvalidAlias(
            f"an alias has {MIN_ALIAS_LENGTH} to {MAX_ALIAS_LENGTH} characters", alias=alias.text
        )
    if alias.area not in by_code:
        raise UnknownArea(f"unknown area {alias.area!r}", area=alias.area)
    return text


class Gazetteer:
    """A validated, read-only set of areas with an index of their names and aliases."""

    __slots__ = ("_aliases", "_ancestors", "_by_code", "_children", "_index", "_lengths", "_root")

    def __init__(self, areas: Iterable[Area] = (), aliases: Iterable[Alias] = ()) -> None:
        by_code: dict[AreaCode, Area] = {}
        for area in areas:
            _check_code(area)
            if not area.name.strip() or area.code in by_code:
                raise InvalidArea("an area needs a name and a code of its own", area=area.code)
            by_code[area.code] = area
        roots = [a for a in by_code.values() if a.level is AreaLevel.CITY]
        if by_code and len(roots) != 1:
            raise InvalidArea("the gazetteer holds exactly one city", cities=[a.code for a in roots])
        for area in by_code.values():
            _check_parent(area, by_code)
        self._by_code: Mapping[AreaCode, Area] = MappingProxyType(by_code)
        self._root = roots[0] if roots else None
        self._ancestors = MappingProxyType({code: self._chain(code) for code in by_code})
        children: dict[AreaCode, list[Area]] = {}
        for area in sorted(by_code.values(), key=lambda a: a.code):
            if area.parent is not None:
                children.setdefault(area.parent, []).append(area)
        self._children = MappingProxyType({k: tuple(v) for k, v in children.items()})
        self._aliases = tuple(dict.fromkeys(aliases))
        self._index, self._lengths = self._build_index()

    def _chain(self, code: AreaCode) -> tuple[AreaCode, ...]:
        chain = [code]
        while (parent := self._by_code[chain[-1]].parent) is not None:
            chain.append(parent)
        return tuple(chain)

    def _build_index(self) -> tuple[Mapping[str, tuple[AreaCode, ...]], tuple[int, ...]]:
        """Surface text → areas, built once: every area's name and every alias, normalized."""
        index: dict[str, dict[AreaCode, None]] = {}
        for area in self._by_code.values():
            index.setdefault(normalize(area.name), {})[area.code] = None
        for alias in self._aliases:
            index.setdefault(_check_alias(alias, self._by_code), {})[alias.area] = None
        frozen = {text: tuple(codes) for text, codes in index.items()}
        return MappingProxyType(frozen), tuple(sorted({len(t) for t in frozen}, reverse=True))

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Area]:
        """Every area, in code order (parents before their children)."""
        return iter(sorted(self._by_code.values(), key=lambda a: a.code))

    def __len__(self) -> int:
        return len(self._by_code)

    def __eq__(self, other: object) -> bool:
        """Same areas and same aliases (in any order)."""
        return (
            isinstance(other, Gazetteer)
            and self._by_code == other._by_code
            and set(self._aliases) == set(other._aliases)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def root(self) -> Area | None:
        """The city the hotline serves."""
        return self._root

    @property
    def aliases(self) -> tuple[Alias, ...]:
        return self._aliases

    @property
    def index(self) -> Mapping[str, tuple[AreaCode, ...]]:
        """Normalized surface text → the areas it names."""
        return self._index

    @property
    def lengths(self) -> tuple[int, ...]:
        """The distinct lengths of the index's keys, longest first."""
        return self._lengths

    def get(self, code: str) -> Area:
        """The area with this code, or `UnknownArea`."""
        try:
            return self._by_code[AreaCode(code)]
        except KeyError:
            raise UnknownArea(f"unknown area {code!r}", area=code) from None

    def ancestors(self, code: str) -> tuple[Area, ...]:
        """The area and its ancestors, nearest first: community → street → district → city."""
        self.get(code)
        return tuple(self._by_code[c] for c in self._ancestors[AreaCode(code)])

    def is_within(self, code: str, ancestor: str) -> bool:
        """True when ``code`` is ``ancestor`` or lies below it."""
        return ancestor in self._ancestors[AreaCode(code)]

    def street_of(self, code: str) -> Area | None:
        """The street (街道/乡/镇) an area belongs to; None for a district or the city."""
        return next((a for a in self.ancestors(code) if a.level is AreaLevel.STREET), None)

    def children(self, code: str) -> tuple[Area, ...]:
        self.get(code)
        return self._children.get(AreaCode(code), ())

    def common_ancestor(self, codes: Iterable[str]) -> Area | None:
        """The deepest area that every one of ``codes`` lies within (None for no codes)."""
        chains = [self._ancestors[AreaCode(c)] for c in codes]
        if not chains:
            return None
        shared = set(chains[0]).intersection(*chains[1:])
        return next((self._by_code[c] for c in chains[0] if c in shared), None)

    def with_alias(self, alias: Alias) -> Gazetteer:
        """A gazetteer with one more alias (validated); the same one if it is already there."""
        _check_alias(alias, self._by_code)
        if alias in self._aliases:
            return self
        return Gazetteer(self._by_code.values(), (*self._aliases, alias))
