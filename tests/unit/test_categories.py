"""The category tree (诉求分类与编码): codes that extend their parent's, lookup, paths, validation."""

from __future__ import annotations

import pytest

from callcenter.core.errors import InvalidInput
from callcenter.ticketing.catalogue.categories import (
    Category,
    CategoryCode,
    CategoryTree,
    InactiveCategory,
    InvalidCategory,
    UnknownCategory,
)
from callcenter.ticketing.deadlines import RequestType


def cat(code: str, name: str, request_type: RequestType | None = None, active: bool = True) -> Category:
    parent = CategoryCode(code[:-2]) if len(code) > 2 else None
    return Category(CategoryCode(code), name, parent, request_type, active)


TREE = CategoryTree(
    [
        cat("05", "城乡建设"),
        cat("0503", "物业管理", RequestType.COMPLAINT),
        cat("050301", "物业服务"),
        cat("050302", "公共维修资金", RequestType.CONSULTATION),
        cat("0501", "市容环卫"),
        cat("06", "劳动保障", active=False),
        cat("0601", "劳动关系"),
    ]
)


def test_lookup_path_and_children() -> None:
    assert TREE.get("050301").name == "物业服务"
    assert TREE.get("050301").level == 3
    assert TREE.path_names("050301") == "城乡建设 / 物业管理 / 物业服务"
    assert [c.code for c in TREE.lineage("050301")] == ["050301", "0503", "05"]
    assert [c.code for c in TREE.children()] == ["05", "06"]
    assert [c.code for c in TREE.children("05")] == ["0501", "0503"]
    assert TREE.children("050301") == ()
    assert "0503" in TREE and "0504" not in TREE
    assert [c.code for c in TREE][:3] == ["05", "0501", "0503"]


@pytest.mark.parametrize("code", ["0504", "99", "", "05030100"])
def test_an_unknown_code_is_a_clear_error(code: str) -> None:
    with pytest.raises(UnknownCategory) as err:
        TREE.get(code)
    assert err.value.code == "unknown_category"
    assert isinstance(err.value, InvalidInput)  # HTTP 400
    with pytest.raises(UnknownCategory):
        TREE.path_names(code)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("050301", RequestType.COMPLAINT),  # inherited from 物业管理
        ("050302", RequestType.CONSULTATION),  # its own
        ("0501", None),
    ],
)
def test_default_request_type_is_the_nearest_one(code: str, expected: RequestType | None) -> None:
    assert TREE.default_request_type(code) == expected


def test_inactive_categories_are_kept_but_not_offered() -> None:
    assert TREE.get("0601").active  # itself active, but under an inactive class
    assert {c.code for c in TREE.active()} == {"05", "0501", "0503", "050301", "050302"}
    with pytest.raises(InactiveCategory) as err:
        TREE.require_active("0601")
    assert err.value.code == "inactive_category"
    assert TREE.require_active("050301").code == "050301"


@pytest.mark.parametrize(
    ("categories", "message"),
    [
        ([Category(CategoryCode("5"), "x")], "two per level"),
        ([Category(CategoryCode("0A"), "x")], "two per level"),
        ([Category(CategoryCode("0102030405"), "x", CategoryCode("01020304"))], "1 to 4 levels"),
        ([Category(CategoryCode("05"), " ")], "needs a name"),
        ([cat("05", "a"), Category(CategoryCode("0601"), "b", CategoryCode("05"))], "extends its parent"),
        ([cat("05", "a"), Category(CategoryCode("0503"), "b")], "extends its parent"),
        ([cat("05", "a"), Category(CategoryCode("050301"), "b", CategoryCode("05"))], "extends its parent"),
        ([cat("0503", "orphan")], "parent category does not exist"),
        ([cat("05", "a"), cat("05", "again")], "duplicate"),
    ],
)
def test_a_broken_tree_is_refused(categories: list[Category], message: str) -> None:
    with pytest.raises(InvalidCategory, match=message) as err:
        CategoryTree(categories)
    assert err.value.code == "invalid_category"


def test_trees_compare_by_content() -> None:
    assert CategoryTree([cat("05", "a")]) == CategoryTree([cat("05", "a")])
    assert CategoryTree([cat("05", "a")]) != CategoryTree([cat("05", "b")])
