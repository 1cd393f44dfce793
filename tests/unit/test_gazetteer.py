"""The gazetteer (地名库) and address resolution: deepest and longest match, consistency, speed."""

from __future__ import annotations

import random
import time

import pytest

from callcenter.adapters.db.catalogue import load_seed
from callcenter.ticketing.catalogue.addresses import ResolutionIssue, find, resolve
from callcenter.ticketing.catalogue.gazetteer import (
    Alias,
    Area,
    AreaCode,
    AreaLevel,
    Gazetteer,
    InvalidAlias,
    InvalidArea,
    UnknownArea,
)

L = AreaLevel
CITY, XIHU, GONGSHU = "330100000000", "330106000000", "330105000000"
BEISHAN, XIXI, MISHIXIANG = "330106001000", "330106002000", "330105001000"
BAOSHI, WENSAN = "330106001001", "330106002001"


def area(code: str, name: str, level: AreaLevel, parent: str | None = None) -> Area:
    return Area(AreaCode(code), name, level, AreaCode(parent) if parent else None)


AREAS = [
    area(CITY, "杭州市", L.CITY),
    area(XIHU, "西湖区", L.DISTRICT, CITY),
    area(GONGSHU, "拱墅区", L.DISTRICT, CITY),
    area(BEISHAN, "北山街道", L.STREET, XIHU),
    area(XIXI, "西溪街道", L.STREET, XIHU),
    area(MISHIXIANG, "米市巷街道", L.STREET, GONGSHU),
    area(BAOSHI, "宝石社区", L.COMMUNITY, BEISHAN),
    area(WENSAN, "文三社区", L.COMMUNITY, XIXI),
]
ALIASES = [
    Alias("宝石山", AreaCode(BAOSHI)),
    Alias("文三路", AreaCode(BEISHAN)),  # a road crossing two streets
    Alias("文三路", AreaCode(XIXI)),
    Alias("西湖", AreaCode(BEISHAN)),  # the lake, a landmark
    Alias("黄龙体育中心", AreaCode(XIXI)),
    Alias("湖墅南路", AreaCode(MISHIXIANG)),
    Alias("杭州", AreaCode(CITY)),
]
GAZ = Gazetteer(AREAS, ALIASES)


def codes(areas: tuple[Area, ...]) -> list[str]:
    return [a.code for a in areas]


def test_tree_walks() -> None:
    assert codes(GAZ.ancestors(BAOSHI)) == [BAOSHI, BEISHAN, XIHU, CITY]
    assert GAZ.street_of(BAOSHI) == GAZ.get(BEISHAN)
    assert GAZ.street_of(BEISHAN) == GAZ.get(BEISHAN)
    assert GAZ.street_of(XIHU) is None
    assert GAZ.is_within(BAOSHI, XIHU) and not GAZ.is_within(BAOSHI, GONGSHU)
    assert codes(GAZ.children(XIHU)) == [BEISHAN, XIXI]
    assert GAZ.common_ancestor([BAOSHI, WENSAN]) == GAZ.get(XIHU)
    assert GAZ.common_ancestor([BAOSHI, MISHIXIANG]) == GAZ.get(CITY)
    assert GAZ.common_ancestor([]) is None
    assert GAZ.root == GAZ.get(CITY)
    assert len(GAZ) == len(AREAS)


@pytest.mark.parametrize("code", ["330106009000", "", "beishan"])
def test_an_unknown_area_is_a_clear_error(code: str) -> None:
    for lookup in (GAZ.get, GAZ.ancestors, GAZ.street_of, GAZ.children):
        with pytest.raises(UnknownArea) as err:
            lookup(code)
        assert err.value.code == "unknown_area"


@pytest.mark.parametrize(
    ("address", "expected", "level"),
    [
        ("杭州市西湖区北山街道宝石山下一弄5号", BAOSHI, L.COMMUNITY),  # every level agrees: the deepest
        ("宝石山脚下", BAOSHI, L.COMMUNITY),  # an alias alone
        ("西溪街道文三路478号", XIXI, L.STREET),  # the street settles the road crossing two
        ("西湖边的宝石山", BAOSHI, L.COMMUNITY),  # a landmark and a compound in the same street
        ("西 溪 街 道", XIXI, L.STREET),  # spaces do not matter
        ("黄龙体育中心东门", XIXI, L.STREET),
        ("米市巷街道湖墅南路１８号", MISHIXIANG, L.STREET),  # full-width digits
    ],
)
def test_resolved_addresses(address: str, expected: str, level: AreaLevel) -> None:
    found = resolve(GAZ, address)
    assert found.resolved and found.reason is None
    assert found.area == GAZ.get(expected) and found.area.level is level
    assert found.candidates == ()


@pytest.mark.parametrize(
    ("address", "reason", "area", "candidates"),
    [
        ("文三路123号", ResolutionIssue.AMBIGUOUS, XIHU, [BEISHAN, XIXI]),
        ("杭州市文三路", ResolutionIssue.AMBIGUOUS, XIHU, [BEISHAN, XIXI]),
        ("拱墅区北山街道", ResolutionIssue.INCONSISTENT, CITY, [GONGSHU, BEISHAN]),
        ("文三路与湖墅南路交叉口", ResolutionIssue.INCONSISTENT, CITY, [MISHIXIANG, BEISHAN, XIXI]),
        ("西湖区", ResolutionIssue.TOO_COARSE, XIHU, []),  # not 北山 by its landmark 西湖: longest wins
        ("杭州", ResolutionIssue.TOO_COARSE, CITY, []),
        ("火星基地", ResolutionIssue.NO_MATCH, None, []),
        ("", ResolutionIssue.NO_MATCH, None, []),
    ],
)
def test_unresolved_addresses_say_why(
    address: str, reason: ResolutionIssue, area: str | None, candidates: list[str]
) -> None:
    found = resolve(GAZ, address)
    assert not found.resolved and found.reason is reason
    assert (found.area.code if found.area else None) == area
    assert sorted(codes(found.candidates)) == sorted(candidates)


def test_matches_are_reported_left_to_right_without_the_ones_inside_longer_ones() -> None:
    matches = find(GAZ, "杭州市西湖区宝石山")
    assert [(m.text, m.start) for m in matches] == [("杭州市", 0), ("西湖区", 3), ("宝石山", 6)]
    assert resolve(GAZ, "文三路").matches[0].areas == (AreaCode(BEISHAN), AreaCode(XIXI))


@pytest.mark.parametrize(
    ("areas", "message"),
    [
        ([area("3301", "杭州市", L.CITY)], "12-digit"),
        ([area("33010000000x", "杭州市", L.CITY)], "12-digit"),
        ([area(XIHU, "西湖区", L.CITY)], "not the code of a city"),
        (
            [area(CITY, "杭州市", L.CITY), area(CITY, "杭州市", L.DISTRICT, CITY)],
            "not the code of a district",
        ),
        (
            [area(CITY, "杭州市", L.CITY), area(BEISHAN, "北山", L.COMMUNITY, CITY)],
            "not the code of a community",
        ),
        ([area(CITY, "杭州市", L.CITY, CITY)], "no parent"),
        ([area(CITY, "杭州市", L.CITY), area(BEISHAN, "北山", L.STREET, CITY)], "right below a district"),
        ([area(CITY, "杭州市", L.CITY), area(XIHU, "西湖区", L.DISTRICT)], "parent area does not exist"),
        ([area(CITY, "杭州市", L.CITY), area("330200000000", "宁波市", L.CITY)], "exactly one city"),
        (
            [area(CITY, "杭州市", L.CITY), area("330206000000", "北仑区", L.DISTRICT, CITY)],
            "extends its parent",
        ),
        ([area(CITY, "杭州市", L.CITY), area(CITY, "又一个", L.CITY)], "a code of its own"),
        ([area(CITY, " ", L.CITY)], "needs a name"),
    ],
)
def test_a_broken_gazetteer_is_refused(areas: list[Area], message: str) -> None:
    with pytest.raises(InvalidArea, match=message) as err:
        Gazetteer(areas)
    assert err.value.code == "invalid_area"


def test_aliases_are_validated() -> None:
    with pytest.raises(UnknownArea):
        Gazetteer(AREAS, [Alias("保俶路", AreaCode("330106009000"))])
    with pytest.raises(InvalidAlias, match="2 to 128"):
        Gazetteer(AREAS, [Alias(" 湖 ", AreaCode(BEISHAN))])
    with pytest.raises(InvalidAlias):
        GAZ.with_alias(Alias("x" * 129, AreaCode(BEISHAN)))


def test_with_alias_adds_a_name_and_leaves_the_original_alone() -> None:
    added = GAZ.with_alias(Alias("保俶路", AreaCode(BEISHAN)))
    assert resolve(added, "保俶路10号").area == GAZ.get(BEISHAN)
    assert resolve(GAZ, "保俶路10号").reason is ResolutionIssue.NO_MATCH
    assert added.with_alias(Alias("保俶路", AreaCode(BEISHAN))) is added
    assert added != GAZ and Gazetteer(AREAS, reversed(ALIASES)) == GAZ


def test_the_sample_city_resolves_its_own_names() -> None:
    seed = load_seed()
    gazetteer = Gazetteer(seed.areas, seed.aliases)
    for item in gazetteer:
        found = resolve(gazetteer, f"北京市{item.name}1号")
        assert found.area == item, item
    for alias in seed.aliases:
        found = resolve(gazetteer, alias.text)
        assert alias.area in {found.area.code if found.area else None, *codes(found.candidates)}


def test_resolving_is_fast_with_thousands_of_aliases() -> None:
    """An index built once; each position of the address tried against the distinct key lengths."""
    seed = load_seed()
    rng = random.Random(12345)
    chars = "东西南北中新华和平安康宁兴隆福寿春秋光明文化花园里巷路街苑城府庄"
    communities = [a.code for a in seed.areas if a.level is AreaLevel.COMMUNITY]
    extra = [
        Alias("".join(rng.choices(chars, k=rng.randint(3, 9))), rng.choice(communities)) for _ in range(5000)
    ]
    started = time.perf_counter()
    gazetteer = Gazetteer(seed.areas, [*seed.aliases, *extra])
    built = time.perf_counter() - started
    addresses = [
        f"北京市朝阳区{rng.choice(extra).text}{rng.randint(1, 99)}号楼{rng.randint(1, 9)}单元" * 2
        for _ in range(500)
    ]
    started = time.perf_counter()
    for address in addresses:
        resolve(gazetteer, address)
    per_address = (time.perf_counter() - started) / len(addresses)
    print(
        f"index of {len(gazetteer.index)} names built in {built * 1000:.1f} ms; "
        f"resolve {per_address * 1e6:.0f} µs per {len(addresses[0])}-character address"
    )
    assert built < 1.0 and per_address < 0.005
