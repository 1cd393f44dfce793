"""A term heard with a few characters said inside it (extract_terms, rule 4)."""

from __future__ import annotations

import pytest

from callcenter.ticketing.suggestions.extract_terms import Hit, TermIndex

INDEX = TermIndex(["拖欠工资", "墙皮脱落", "工资", "路灯"], splittable=["拖欠工资", "墙皮脱落", "路灯"])


def test_a_splittable_term_matches_with_a_few_characters_inside() -> None:
    assert INDEX.find("公司拖欠了我们三个月的工资") == (Hit("拖欠工资", 2, 13, exact=False),)
    assert INDEX.find("我家的墙皮都脱落了") == (Hit("墙皮脱落", 3, 8, exact=False),)


def test_said_whole_it_is_an_exact_hit() -> None:
    assert INDEX.find("拖欠工资") == (Hit("拖欠工资", 0, 4),)


@pytest.mark.parametrize(
    "text",
    [
        "墙皮没有脱落",  # a negator inside
        "墙皮不会脱落",
        "拖欠，工资另说",  # a clause break inside
        "拖欠了一二三四五六七八工资",  # nine characters inside
        "工资拖欠",  # the other order
    ],
)
def test_not_across_a_negator_a_clause_break_or_more_than_six_characters(text: str) -> None:
    assert all(h.term not in ("拖欠工资", "墙皮脱落") for h in INDEX.find(text))


def test_only_terms_given_as_splittable_and_of_four_characters_split() -> None:
    plain = TermIndex(["拖欠工资"])
    assert plain.find("拖欠了工资") == ()
    assert TermIndex(["路灯"], splittable=["路灯"]).find("路边的灯") == ()


def test_eight_characters_inside_is_the_most() -> None:
    assert INDEX.find("拖欠了一二三四五六七工资") == (Hit("拖欠工资", 0, 12, exact=False),)
