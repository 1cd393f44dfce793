"""The draft pipeline on the corpus's reference texts: what a perfect recogniser would hand it.

``suggest(text, catalogue, lexicon)`` (as bench/labelled_draft_quality.py calls it) on every request's
reference text, field by field against the labels. The floors below are what the extractors reach
today; a miss is named with its text. The last tests are gaps the corpus found, now closed
(docs/corpus.md, "What the corpus found").
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from callcenter.ticketing.suggestions.assistant import DraftSuggestions, suggest
from callcenter.wiring.workorders import load_category_lexicon
from callcenter_sim.corpus.generate import CorpusRequest, generate
from callcenter_sim.corpus.phrasing import load_phrasings, sample_city

CITY = sample_city()
LEXICON = load_category_lexicon()
CORPUS = generate(load_phrasings(), CITY)
DRAFTS = {r.id: suggest(r.text, CITY, LEXICON) for r in CORPUS}


def _street(s: DraftSuggestions) -> str:
    loc = s.location
    if (
        loc is None
        or loc.area_code is None
        or loc.level is None
        or loc.level.value not in ("street", "community")
    ):
        return ""
    return loc.area_code[:9] + "000"


Field = tuple[Callable[[CorpusRequest], str], Callable[[DraftSuggestions], str], float]
FIELDS: dict[str, Field] = {
    "phone": (lambda r: r.phone, lambda s: s.contact_number or "", 1.0),
    "street": (lambda r: r.street, _street, 1.0),
    "area": (lambda r: r.area, lambda s: s.location.area_code or "" if s.location else "", 1.0),
    "urgency": (lambda r: r.urgency, lambda s: s.urgency.value, 1.0),
    "intent": (lambda r: r.intent, lambda s: s.intent.value, 1.0),
    "category": (lambda r: r.category, lambda s: s.category.code if s.category else "", 1.0),
    "top category": (lambda r: r.top_category, lambda s: s.category.code[:2] if s.category else "", 1.0),
}


@pytest.mark.parametrize("field", FIELDS)
def test_the_draft_pipeline_reads_the_labels_from_the_reference_texts(field: str) -> None:
    expected, got, floor = FIELDS[field]
    misses = [
        f"{r.id}: want {expected(r)!r} got {got(DRAFTS[r.id])!r}: {r.text}"
        for r in CORPUS
        if expected(r) != got(DRAFTS[r.id])
    ]
    share = 1 - len(misses) / len(CORPUS)
    assert share >= floor, f"{field} {share:.1%}:\n" + "\n".join(misses)


def test_the_house_number_said_is_in_the_place_shown_to_the_agent() -> None:
    with_house = [r for r in CORPUS if r.house]
    found = [r for r in with_house if (loc := DRAFTS[r.id].location) is not None and r.house in loc.phrase]
    assert len(found) == len(with_house)


def test_the_request_type_follows_the_intent_or_the_category() -> None:
    for r in CORPUS:
        own = DRAFTS[r.id].request_type
        if own is not None:
            assert own.value == r.request_type


@pytest.mark.parametrize(
    ("text", "category"),
    [("公司拖欠了我们三个月的工资", "060101"), ("楼上漏水，我家的墙皮都脱落了", "010401")],
)
def test_a_category_phrase_with_a_word_inside_it_is_recognised(text: str, category: str) -> None:
    found = suggest(text, CITY, LEXICON).category
    assert found is not None and found.code == category


@pytest.mark.parametrize(
    "text",
    [
        "楼上漏水，墙皮没有脱落",  # a negator inside: not the complaint
        "他们拖欠，工资的事我不清楚",  # a clause break between the parts
        "拖欠了物业费三年多了我们的工资",  # more than eight characters between the parts
        "工资都按时发了，没有拖欠",  # the parts in the other order, and far apart
    ],
)
def test_a_split_phrase_is_not_taken_across_a_negator_a_clause_or_a_long_stretch(text: str) -> None:
    found = suggest(text, CITY, LEXICON).category
    assert found is None or found.code not in ("060101", "010401")


def test_a_split_phrase_counts_less_than_the_phrase_said_whole() -> None:
    split = suggest("公司拖欠了我们的工资", CITY, LEXICON).category
    whole = suggest("公司拖欠工资", CITY, LEXICON).category
    assert split is not None and whole is not None and split.code == whole.code == "060101"
    assert split.score < whole.score
