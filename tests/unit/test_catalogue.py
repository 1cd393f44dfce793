"""The dispatch catalogue (派单目录): routing by specificity, unclear cases, admin edits, the seed."""

from __future__ import annotations

import pytest

from callcenter.adapters.db.catalogue import load_seed
from callcenter.core.actors import UnitId
from callcenter.core.errors import DomainError
from callcenter.ticketing.catalogue.categories import Category, CategoryCode, UnknownCategory
from callcenter.ticketing.catalogue.dispatch import Route, Unclear, UnclearReason, route, suggest
from callcenter.ticketing.catalogue.gazetteer import Alias, Area, AreaCode, AreaLevel, UnknownArea
from callcenter.ticketing.catalogue.model import (
    Catalogue,
    DispatchRule,
    HandlingUnit,
    InactiveUnit,
    InvalidRule,
    InvalidUnit,
    UnitKind,
    UnknownRule,
    UnknownUnit,
)

L, K = AreaLevel, UnitKind
CITY, D1, D2 = "330100000000", "330106000000", "330105000000"
S1, S2, S3 = "330106001000", "330106002000", "330105001000"
C1, C2 = "330106001001", "330106002001"


def category(code: str, name: str) -> Category:
    return Category(CategoryCode(code), name, CategoryCode(code[:-2]) if len(code) > 2 else None)


def area(code: str, name: str, level: AreaLevel, parent: str | None = None) -> Area:
    return Area(AreaCode(code), name, level, AreaCode(parent) if parent else None)


def unit(
    id: str, kind: UnitKind = K.DEPARTMENT, area: str | None = None, active: bool = True
) -> HandlingUnit:
    return HandlingUnit(UnitId(id), id, kind, AreaCode(area) if area else None, active)


def rule(category: str, area: str, lead: str, *assisting: str) -> DispatchRule:
    return DispatchRule(
        CategoryCode(category), AreaCode(area), UnitId(lead), tuple(UnitId(a) for a in assisting)
    )


CATALOGUE = Catalogue.build(
    categories=[
        category("05", "城乡建设"),
        category("0501", "市容环卫"),
        category("0503", "物业管理"),
        category("050301", "物业服务"),
        category("050302", "维修资金"),
        category("06", "劳动保障"),
        category("07", "教育"),
    ],
    areas=[
        area(CITY, "杭州市", L.CITY),
        area(D1, "西湖区", L.DISTRICT, CITY),
        area(D2, "拱墅区", L.DISTRICT, CITY),
        area(S1, "北山街道", L.STREET, D1),
        area(S2, "西溪街道", L.STREET, D1),
        area(S3, "米市巷街道", L.STREET, D2),
        area(C1, "宝石社区", L.COMMUNITY, S1),
        area(C2, "文三社区", L.COMMUNITY, S2),
    ],
    aliases=[Alias("文三路", AreaCode(S1)), Alias("文三路", AreaCode(S2)), Alias("宝石山", AreaCode(C1))],
    units=[
        unit("jd-s1", K.STREET_OFFICE, S1),
        unit("jd-s2", K.STREET_OFFICE, S2),
        unit("jd-s3", K.STREET_OFFICE, S3),
        unit("city-cg"),  # 市城管
        unit("city-zj"),  # 市住建
        unit("city-jy"),  # 市教育
        unit("wy-baoshi", K.ENTERPRISE),  # a property company
        unit("d2-rs", K.DEPARTMENT, D2),  # 拱墅区人社局: a district unit
        unit("old", active=False),
    ],
    rules=[
        rule("05", CITY, "city-cg"),
        rule("05", S1, "jd-s1"),
        rule("05", S2, "jd-s2"),
        rule("0503", CITY, "city-zj"),
        rule("050301", C1, "wy-baoshi", "jd-s1"),
        rule("06", D2, "d2-rs"),
        rule("07", CITY, "city-jy"),
        rule("07", S3, "old"),
    ],
)


def lead(outcome: Route | Unclear) -> str:
    assert isinstance(outcome, Route), outcome
    return outcome.lead_unit.id


@pytest.mark.parametrize(
    ("category_code", "area_code", "expected", "rule_key"),
    [
        ("0501", S1, "jd-s1", ("05", S1)),  # only the level-1 class has rules: nearest area, the street
        ("0501", C1, "jd-s1", ("05", S1)),  # a community goes up to its street
        ("0501", S3, "city-cg", ("05", CITY)),  # a street without its own rule: the city department
        ("0501", D2, "city-cg", ("05", CITY)),  # a district with no street rules below it: fine
        ("050302", S1, "city-zj", ("0503", CITY)),  # category first: 物业 city-wide beats the street's 05
        ("050301", C1, "wy-baoshi", ("050301", C1)),  # the most specific category, at the community
        ("050301", S2, "city-zj", ("0503", CITY)),  # that exception is for 宝石社区 only
        ("06", S3, "d2-rs", ("06", D2)),  # a district-level rule: a district unit that handles it
        ("07", S1, "city-jy", ("07", CITY)),
    ],
)
def test_the_most_specific_rule_wins(
    category_code: str, area_code: str, expected: str, rule_key: tuple[str, str]
) -> None:
    found = route(CATALOGUE, category_code, area_code)
    assert lead(found) == expected
    assert isinstance(found, Route) and found.rule.key == rule_key


def test_a_route_carries_its_assisting_units() -> None:
    found = route(CATALOGUE, "050301", C1)
    assert isinstance(found, Route)
    assert [u.id for u in found.units] == ["wy-baoshi", "jd-s1"]


@pytest.mark.parametrize(
    ("category_code", "area_code", "reason", "candidates"),
    [
        (None, S1, UnclearReason.NO_CATEGORY, []),
        ("0501", None, UnclearReason.AREA_UNRESOLVED, []),
        (
            "0501",
            D1,
            UnclearReason.AREA_TOO_COARSE,
            ["city-cg", "jd-s1", "jd-s2"],
        ),  # streets of 西湖区 differ
        ("0501", CITY, UnclearReason.AREA_TOO_COARSE, ["city-cg", "jd-s1", "jd-s2"]),
        ("050301", S1, UnclearReason.AREA_TOO_COARSE, ["wy-baoshi"]),  # 宝石社区 or not? ask
        ("06", S1, UnclearReason.NO_RULE, []),
        ("06", CITY, UnclearReason.AREA_TOO_COARSE, ["d2-rs"]),
        ("07", S3, UnclearReason.UNIT_INACTIVE, ["old"]),
    ],
)
def test_unclear_orders_go_to_the_dispatcher(
    category_code: str | None, area_code: str | None, reason: UnclearReason, candidates: list[str]
) -> None:
    found = route(CATALOGUE, category_code, area_code)
    assert isinstance(found, Unclear) and found.reason is reason
    assert [c.lead_unit.id for c in found.candidates] == candidates


@pytest.mark.parametrize(
    ("category_code", "area_code", "error"),
    [("0599", S1, UnknownCategory), ("0501", "330106099000", UnknownArea)],
)
def test_unknown_codes_are_errors(category_code: str, area_code: str, error: type[DomainError]) -> None:
    with pytest.raises(error):
        route(CATALOGUE, category_code, area_code)


@pytest.mark.parametrize(
    ("address", "category_code", "expected"),
    [
        ("宝石山2号", "050301", "wy-baoshi"),
        ("文三路10号", "050302", "city-zj"),  # ambiguous address, but both streets route the same
        ("火星基地", "050302", "city-zj"),  # no area at all: a city-wide rule still routes
        ("西湖区", "0503", "city-zj"),
    ],
)
def test_suggest_routes_what_it_can(address: str, category_code: str, expected: str) -> None:
    assert lead(suggest(CATALOGUE, address, category_code).outcome) == expected


@pytest.mark.parametrize(
    ("address", "category_code", "reason"),
    [
        ("文三路10号", "0501", UnclearReason.AMBIGUOUS),  # 北山 or 西溪: two street offices
        ("火星基地", "0501", UnclearReason.AREA_UNRESOLVED),
        ("拱墅区北山街道", "0501", UnclearReason.AREA_UNRESOLVED),  # contradicts itself
        ("西湖区", "0501", UnclearReason.AREA_TOO_COARSE),
        ("宝石山", None, UnclearReason.NO_CATEGORY),
    ],
)
def test_suggest_says_why_it_cannot(address: str, category_code: str | None, reason: UnclearReason) -> None:
    found = suggest(CATALOGUE, address, category_code)
    assert isinstance(found.outcome, Unclear) and found.outcome.reason is reason


def test_suggest_reports_the_area_to_record() -> None:
    assert suggest(CATALOGUE, "宝石山", "0501").area == CATALOGUE.gazetteer.get(C1)
    ambiguous = suggest(CATALOGUE, "文三路10号", "0501")
    assert ambiguous.area == CATALOGUE.gazetteer.get(D1)
    assert {c.lead_unit.id for c in ambiguous.outcome.candidates} == {"jd-s1", "jd-s2"}  # type: ignore[union-attr]


# --- admin edits -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "error", "code"),
    [
        (rule("0599", S1, "jd-s1"), UnknownCategory, "unknown_category"),
        (rule("0501", "330106099000", "jd-s1"), UnknownArea, "unknown_area"),
        (rule("0501", S1, "nobody"), UnknownUnit, "unknown_unit"),
        (rule("0501", S1, "jd-s1", "nobody"), UnknownUnit, "unknown_unit"),
        (rule("0501", S1, "old"), InactiveUnit, "inactive_unit"),
        (rule("0501", S1, "jd-s1", "old"), InactiveUnit, "inactive_unit"),
        (rule("0501", S1, "jd-s1", "jd-s1"), InvalidRule, "invalid_rule"),
        (rule("0501", S1, "jd-s1", "city-cg", "city-cg"), InvalidRule, "invalid_rule"),
    ],
)
def test_a_bad_rule_is_refused_and_nothing_changes(
    edit: DispatchRule, error: type[DomainError], code: str
) -> None:
    before = dict(CATALOGUE.rules)
    with pytest.raises(error) as err:
        CATALOGUE.with_rule(edit)
    assert err.value.code == code
    assert dict(CATALOGUE.rules) == before


def test_rule_edits() -> None:
    added = CATALOGUE.with_rule(rule("0501", S1, "city-cg", "jd-s1"))
    assert lead(route(added, "0501", S1)) == "city-cg"
    assert lead(route(CATALOGUE, "0501", S1)) == "jd-s1"  # the original is a value: unchanged
    removed = CATALOGUE.without_rule("05", S1)
    assert lead(route(removed, "0501", S1)) == "city-cg"
    with pytest.raises(UnknownRule) as err:
        removed.without_rule("05", S1)
    assert err.value.code == "unknown_rule"


def test_unit_edits() -> None:
    retired = CATALOGUE.with_unit(unit("jd-s1", K.STREET_OFFICE, S1, active=False))
    found = route(retired, "0501", S1)
    assert isinstance(found, Unclear) and found.reason is UnclearReason.UNIT_INACTIVE
    with pytest.raises(InvalidUnit, match="one street"):
        CATALOGUE.with_unit(unit("jd-new", K.STREET_OFFICE, D1))
    with pytest.raises(InvalidUnit, match="one street"):
        CATALOGUE.with_unit(unit("jd-new", K.STREET_OFFICE))
    with pytest.raises(UnknownArea):
        CATALOGUE.with_unit(unit("dept", K.DEPARTMENT, "330106099000"))
    with pytest.raises(InvalidUnit, match="id of 1 to 32"):
        CATALOGUE.with_unit(unit("x" * 33))
    assert CATALOGUE.with_unit(unit("city-new")).unit("city-new").name == "city-new"


def test_a_catalogue_refuses_duplicates_and_dangling_references() -> None:
    with pytest.raises(InvalidUnit, match="duplicate"):
        Catalogue.build(units=[unit("a"), unit("a")])
    with pytest.raises(InvalidRule, match="two rules"):
        Catalogue.build(
            categories=[category("05", "x")],
            areas=[area(CITY, "杭州市", L.CITY)],
            units=[unit("a")],
            rules=[rule("05", CITY, "a"), rule("05", CITY, "a")],
        )
    with pytest.raises(UnknownUnit):
        Catalogue.build(
            categories=[category("05", "x")],
            areas=[area(CITY, "杭州市", L.CITY)],
            rules=[rule("05", CITY, "a")],
        )


# --- the sample city's seed ---------------------------------------------------------------------------

SEED = load_seed()
SEEDED = SEED.catalogue()
STREETS = [a for a in SEEDED.gazetteer if a.level is AreaLevel.STREET]
COMMUNITIES = [a for a in SEEDED.gazetteer if a.level is AreaLevel.COMMUNITY]


def test_the_seed_has_the_promised_size() -> None:
    levels = {c.level for c in SEEDED.categories}
    assert levels == {1, 2, 3} and 40 <= len(SEEDED.categories) <= 90
    assert len(STREETS) >= 10 and len(COMMUNITIES) >= 20 and len(SEEDED.gazetteer.aliases) >= 60
    assert len(SEEDED.units) >= 15
    assert {u.kind for u in SEEDED.units.values()} >= {K.STREET_OFFICE, K.DEPARTMENT, K.ENTERPRISE}
    assert all(any(u.area_code == s.code for u in SEEDED.units.values()) for s in STREETS)


@pytest.mark.parametrize("place", STREETS + COMMUNITIES, ids=lambda a: a.name)
def test_every_seeded_category_routes_for_every_street_and_community(place: Area) -> None:
    for item in SEEDED.categories:
        found = route(SEEDED, item.code, place.code)
        assert isinstance(found, Route), (item.code, place.name, found)
        assert found.lead_unit.active


@pytest.mark.parametrize(
    ("address", "category_code", "expected"),
    [
        ("北京市东城区南锣鼓巷8号", "010301", "jd-110101003"),  # 物业服务: the street office ...
        ("朝阳区望京SOHO T1", "010401", "cy-zjw"),  # 房屋安全 in 朝阳区: the district's 住建委
        ("西城区月坛北街3号院", "010401", "bj-zjw"),  # ... elsewhere the city's
        ("西单北大街120号", "040101", "bj-scjgj"),  # 餐饮服务: 市场监管 city-wide
        ("三里屯太古里", "020201", "bj-power"),  # 停电: the utility
        ("某网店", "0402", "bj-scjgj"),  # no address: a city-wide category still routes
    ],
)
def test_the_sample_city_routes_addresses(address: str, category_code: str, expected: str) -> None:
    assert lead(suggest(SEEDED, address, category_code).outcome) == expected
