"""The category tree (诉求分类与编码) of citizens' requests.

Modelled on the published hotline classifications (GB/T 39666-2020 《政府热线服务分类与代码》 and the
cities' local 诉求分类与编码 standards): a hierarchy of numbered classes in which a child's code extends
its parent's by two digits, e.g. ``05`` 城乡建设 → ``0503`` 物业管理 → ``050301`` 物业服务. A category may
carry a default request type (诉求类型) that the registration screen proposes. Categories are never
deleted, only deactivated, so that old tickets keep their class; new tickets pick active ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, NewType

from callcenter.core.errors import InvalidInput
from callcenter.ticketing.deadlines import RequestType

CategoryCode = NewType("CategoryCode", str)  # 诉求分类编码

CODE_STEP: Final = 2  # digits added per level
MAX_LEVELS: Final = 4  # 8 digits; the sample city uses 3 levels
PATH_SEPARATOR: Final = " / "


class UnknownCategory(InvalidInput):
    """A code that names no category of the tree."""

    code = "unknown_category"


class InactiveCategory(InvalidInput):
    """A deactivated category (or one under a deactivated class) chosen for a new ticket."""

    code = "inactive_category"


class InvalidCategory(InvalidInput):
    """A category that would break the tree: bad code, missing parent, code not extending it, duplicate."""

    code = "invalid_category"


@dataclass(frozen=True, slots=True)
class Category:
    """One class of the tree. ``parent`` is None for a level-1 class."""

    code: CategoryCode
    name: str
    parent: CategoryCode | None = None
    request_type: RequestType | None = None
    active: bool = True

    @property
    def level(self) -> int:
        return len(self.code) // CODE_STEP


def _check_shape(category: Category) -> None:
    """The code is 2, 4, 6 … digits and extends the parent's by exactly one step; a name is given."""
    code, parent = category.code, category.parent
    if not code.isascii() or not code.isdigit() or len(code) % CODE_STEP:
        raise InvalidCategory("a category code is digits, two per level", category=code)
    if not 1 <= len(code) // CODE_STEP <= MAX_LEVELS:
        raise InvalidCategory(f"a category has 1 to {MAX_LEVELS} levels", category=code)
    if not category.name.strip():
        raise InvalidCategory("a category needs a name", category=code)
    expected = code[:-CODE_STEP] or None
    if parent != expected:
        raise InvalidCategory(
            "a category's code extends its parent's code by two digits",
            category=code,
            parent=parent,
            expected_parent=expected,
        )


class CategoryTree:
    """A validated, read-only tree of categories: lookup, paths and children."""

    __slots__ = ("_by_code", "_children")

    def __init__(self, categories: Iterable[Category] = ()) -> None:
        by_code: dict[CategoryCode, Category] = {}
        for category in categories:
            _check_shape(category)
            if category.code in by_code:
                raise InvalidCategory("duplicate category code", category=category.code)
            by_code[category.code] = category
        children: dict[CategoryCode | None, list[Category]] = {}
        for category in sorted(by_code.values(), key=lambda c: c.code):
            if category.parent is not None and category.parent not in by_code:
                raise InvalidCategory("the parent category does not exist", category=category.code)
            children.setdefault(category.parent, []).append(category)
        self._by_code: Mapping[CategoryCode, Category] = MappingProxyType(by_code)
        self._children = MappingProxyType({k: tuple(v) for k, v in children.items()})

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Category]:
        """Every category, in code order (parents before their children)."""
        return iter(sorted(self._by_code.values(), key=lambda c: c.code))

    def __len__(self) -> int:
        return len(self._by_code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CategoryTree) and self._by_code == other._by_code

    __hash__ = None  # type: ignore[assignment]  # compared by content, never hashed

    def get(self, code: str) -> Category:
        """The category with this code, or `UnknownCategory`."""
        try:
            return self._by_code[CategoryCode(code)]
        except KeyError:
            raise UnknownCategory(f"unknown category {code!r}", category=code) from None

    def lineage(self, code: str) -> tuple[Category, ...]:
        """The category and its ancestors, most specific first (``050301``, ``0503``, ``05``)."""
        category = self.get(code)
        chain = [category]
        while category.parent is not None:
            category = self._by_code[category.parent]
            chain.append(category)
        return tuple(chain)

    def path(self, code: str) -> tuple[Category, ...]:
        """From the level-1 class down to the category."""
        return tuple(reversed(self.lineage(code)))

    def path_names(self, code: str, separator: str = PATH_SEPARATOR) -> str:
        """For display: ``城乡建设 / 物业管理 / 物业服务``."""
        return separator.join(c.name for c in self.path(code))

    def children(self, code: str | None = None) -> tuple[Category, ...]:
        """The direct children of a category, or the level-1 classes when ``code`` is None."""
        if code is not None:
            self.get(code)
        return self._children.get(CategoryCode(code) if code is not None else None, ())

    def default_request_type(self, code: str) -> RequestType | None:
        """The nearest default 诉求类型 set on the category or one of its ancestors."""
        return next((c.request_type for c in self.lineage(code) if c.request_type), None)

    def require_active(self, code: str) -> Category:
        """The category, for a new ticket: refused if unknown or if it (or an ancestor) is inactive."""
        if not all(c.active for c in self.lineage(code)):
            raise InactiveCategory("this category is no longer in use", category=code)
        return self.get(code)

    def active(self) -> tuple[Category, ...]:
        """The categories a new ticket may use: active, with every ancestor active."""
        return tuple(c for c in self if all(a.active for a in self.lineage(c.code)))
