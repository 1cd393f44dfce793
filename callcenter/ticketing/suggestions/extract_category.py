"""The category a caller's words suggest (诉求分类建议), from keywords of the category tree.

The lexicon maps hotline terms to categories (``seed/category_keywords.csv``: 路灯不亮 → 道路设施,
拖欠工资 → 拖欠工资, 噪音扰民 → 噪声污染 …); every active category below level 1 also matches its own
name. The rule:

1. *Terms*: find the lexicon's terms in the words (`extract_terms`: normalised, longest wins, near
   matches for ASR noise at half weight, and a keyword of four characters also with a few characters
   said inside it, 拖欠了我们三个月的工资 for 拖欠工资, at half weight); each term counts once however
   often it is said.
2. *Score*: a category named by a term scores the weights of its own terms plus those of its ancestors
   (``燃气`` for 燃气 supports ``燃气泄漏`` for 燃气安全). Only categories a term names directly are
   candidates: when only 噪音 was heard the suggestion is 噪声污染, not a guess at one of its children.
3. *Best*: the highest score; a tie goes to the deeper category, then to more terms, then to the code.
4. *Confidence*: strength (score / ``CONFIDENT_SCORE``, at most 1) times the margin over the best
   candidate of another branch (not an ancestor or descendant): 1 when unopposed, ½ on a tie.

Nothing heard → None: the agent chooses, the desk never guesses. Inactive categories are never suggested.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from callcenter.core.errors import InvalidInput
from callcenter.ticketing.catalogue.categories import Category, CategoryCode, CategoryTree
from callcenter.ticketing.suggestions.extract_terms import Hit, TermIndex, distinct_terms, spoken_form

CONFIDENT_SCORE: Final = 4  # e.g. two typical phrases, or one said outright plus its class
NAME_WEIGHT: Final = 2  # a category's own name, said by the caller
NEAR_FACTOR: Final = 0.5  # a near match (one character off) counts half
MAX_WEIGHT: Final = 3
KEYWORD_COLUMNS: Final = ("category_code", "term", "weight")

Named = Mapping[str, tuple[tuple[CategoryCode, float], ...]]  # a term's spoken form → (category, weight)


class InvalidKeyword(InvalidInput):
    code = "invalid_keyword"


@dataclass(frozen=True, slots=True)
class Keyword:
    """A term callers use for a category; weight 3 names it outright, 2 is typical, 1 a weak hint."""

    category: CategoryCode
    term: str
    weight: int = 2


@dataclass(frozen=True, slots=True)
class CategorySuggestion:
    code: CategoryCode
    path: tuple[str, ...]  # names from the level-1 class down: 城乡建设 / 市容环卫 / 占道经营
    confidence: float
    terms: tuple[str, ...]  # the terms heard that support it, as said
    score: float


class CategoryLexicon:
    """Keywords per category; matched against a category tree (the tree's names join in)."""

    __slots__ = ("_cache", "_keywords")

    def __init__(self, keywords: Iterable[Keyword] = ()) -> None:
        self._keywords = tuple(keywords)
        self._cache: tuple[CategoryTree, TermIndex, Named] | None = None

    @property
    def keywords(self) -> tuple[Keyword, ...]:
        return self._keywords

    @classmethod
    def parse(cls, text: str) -> CategoryLexicon:
        """From the CSV text (header ``category_code,term,weight``); a bad row names its line."""
        rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        if tuple(rows.fieldnames or ()) != KEYWORD_COLUMNS:
            raise InvalidKeyword(f"the keyword file's columns are {','.join(KEYWORD_COLUMNS)}")
        return cls(_keyword(row, line) for line, row in enumerate(rows, start=2))

    def index(self, tree: CategoryTree) -> tuple[TermIndex, Named]:
        """The term index for this tree, and what each term (spoken form) names; built once per tree."""
        if self._cache is None or self._cache[0] is not tree:
            named = _named_terms(self._keywords, tree)
            split = (k.term for k in self._keywords if k.category in tree)
            self._cache = (tree, TermIndex(named, splittable=split), named)
        return self._cache[1], self._cache[2]


def _keyword(row: Mapping[str, str | None], line: int) -> Keyword:
    code, term, weight = ((row.get(k) or "").strip() for k in KEYWORD_COLUMNS)
    if not code or len(spoken_form(term)) < 2 or weight not in {"1", "2", "3"}:
        raise InvalidKeyword(
            f"category_keywords.csv, line {line}: a code, a term of 2+ characters, weight 1-3"
        )
    return Keyword(CategoryCode(code), term, int(weight))


def _named_terms(keywords: Sequence[Keyword], tree: CategoryTree) -> Named:
    """Spoken form of each term → (category, weight) pairs, for active categories of ``tree`` only."""
    named: dict[str, dict[CategoryCode, float]] = {}
    pairs = [(k.category, k.term, float(min(k.weight, MAX_WEIGHT))) for k in keywords]
    pairs += [(c.code, c.name, float(NAME_WEIGHT)) for c in tree if c.level > 1]
    for code, term, weight in pairs:
        if code in tree and _active(tree, code):
            slot = named.setdefault(spoken_form(term), {})
            slot[code] = max(weight, slot.get(code, 0.0))
    return {term: tuple(codes.items()) for term, codes in named.items()}


def _active(tree: CategoryTree, code: str) -> bool:
    return all(c.active for c in tree.lineage(code))


def suggest_category(lexicon: CategoryLexicon, tree: CategoryTree, text: str) -> CategorySuggestion | None:
    """The category the words suggest (module docstring), or None when no term was heard."""
    index, named = lexicon.index(tree)
    hits = distinct_terms(index.find(text))
    direct = _direct(hits, named)
    if not direct:
        return None
    scored = sorted((_score(tree, code, direct) for code in direct), key=_rank, reverse=True)
    best = scored[0]
    rival = next((s for s in scored[1:] if not _related(best.code, s.code)), None)
    return _with_confidence(tree, best, rival)


@dataclass(frozen=True, slots=True)
class _Scored:
    code: CategoryCode
    level: int
    score: float
    terms: tuple[str, ...]


def _direct(hits: Sequence[Hit], named: Named) -> dict[CategoryCode, list[tuple[str, float]]]:
    """Category → the (term, weight) pairs that name it directly."""
    direct: dict[CategoryCode, list[tuple[str, float]]] = {}
    for hit in hits:
        for code, weight in named.get(hit.term, ()):
            direct.setdefault(code, []).append((hit.term, weight if hit.exact else weight * NEAR_FACTOR))
    return direct


def _score(
    tree: CategoryTree, code: CategoryCode, direct: Mapping[CategoryCode, list[tuple[str, float]]]
) -> _Scored:
    support = [pair for c in tree.lineage(code) for pair in direct.get(c.code, ())]
    terms = tuple(dict.fromkeys(term for term, _ in support))
    best_weight = {term: max(w for t, w in support if t == term) for term in terms}
    return _Scored(code, len(code) // 2, sum(best_weight.values()), terms)


def _rank(s: _Scored) -> tuple[float, int, int, str]:
    return (s.score, s.level, len(s.terms), s.code)


def _related(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _with_confidence(tree: CategoryTree, best: _Scored, rival: _Scored | None) -> CategorySuggestion:
    strength = min(1.0, best.score / CONFIDENT_SCORE)
    margin = 1.0 if rival is None else 0.5 + 0.5 * (best.score - rival.score) / best.score
    path: tuple[Category, ...] = tree.path(best.code)
    return CategorySuggestion(
        code=best.code,
        path=tuple(c.name for c in path),
        confidence=round(strength * margin, 2),
        terms=best.terms,
        score=round(best.score, 2),
    )
