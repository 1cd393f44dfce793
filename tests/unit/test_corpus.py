"""The synthetic hotline corpus (callcenter_sim/corpus): the same seed writes the same bytes; it covers the
catalogue and the gazetteer; its labels agree with its text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from callcenter.ivr.voice import VoiceChoice
from callcenter.ticketing.catalogue.gazetteer import AreaLevel
from callcenter.ticketing.deadlines import RequestType, Urgency
from callcenter.ticketing.suggestions.cues import CallerIntent
from callcenter_sim.corpus.__main__ import main
from callcenter_sim.corpus.generate import (
    MANIFEST_FILE,
    PHONE_STYLES,
    REQUESTS_FILE,
    VOICES,
    generate,
    read_corpus,
    say_phone,
)
from callcenter_sim.corpus.phrasing import load_phrasings, sample_city

CITY = sample_city()
PHRASINGS = load_phrasings()
CORPUS = generate(PHRASINGS, CITY)


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    for run in ("a", "b"):
        assert main(["generate", "--out", str(tmp_path / run)]) == 0
    for name in (REQUESTS_FILE, MANIFEST_FILE):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert read_corpus(tmp_path / "a") == CORPUS


def test_another_seed_writes_another_corpus() -> None:
    assert generate(PHRASINGS, CITY, seed=14) != CORPUS


def test_there_are_at_least_two_hundred_requests_with_distinct_ids() -> None:
    assert len(CORPUS) >= 200
    assert len({r.id for r in CORPUS}) == len(CORPUS)


def test_every_top_level_category_is_requested() -> None:
    top = {c.code for c in CITY.categories if c.parent is None}
    assert {r.top_category for r in CORPUS} == top


def test_every_street_and_community_is_named_in_the_words() -> None:
    for area in CITY.gazetteer:
        if area.level in (AreaLevel.STREET, AreaLevel.COMMUNITY):
            assert any(area.name in r.text for r in CORPUS), area.name


def test_the_labels_are_the_catalogue_s_and_the_gazetteer_s() -> None:
    for r in CORPUS:
        assert CITY.categories.get(r.category).active
        street = CITY.gazetteer.get(r.street)
        assert street.level is AreaLevel.STREET
        assert street.name in r.text or r.community
        if r.community:
            community = CITY.gazetteer.get(r.community)
            assert community.parent == r.street and community.name in r.text
        assert Urgency(r.urgency) and CallerIntent(r.intent)
        assert r.request_type == "" or RequestType(r.request_type)


def test_every_urgency_cue_and_intent_is_present() -> None:
    assert {r.urgency for r in CORPUS} == {u.value for u in Urgency}
    assert {r.intent for r in CORPUS} == {i.value for i in CallerIntent}
    for cue in ("停电", "燃气味", "被困", "漏水"):
        assert any(cue in r.text for r in CORPUS), cue


def test_numbers_are_words_as_read_aloud_never_arabic_digits() -> None:
    for r in CORPUS:
        assert not re.search(r"[0-9]", r.text), r.text
    with_house = [r for r in CORPUS if "室" in r.house]
    assert with_house and all("幺" in r.text or "零" in r.text for r in with_house)


def test_phone_numbers_come_in_every_style_callers_use() -> None:
    styles = {r.phone_style for r in CORPUS if r.phone}
    assert styles == set(PHONE_STYLES)
    assert any(r.phone.startswith("010") for r in CORPUS)
    assert all(bool(r.phone) == bool(r.phone_style) for r in CORPUS)


@pytest.mark.parametrize(
    ("style", "said"),
    [
        ("yao", "幺三八幺二三四五六七八"),
        ("yi", "一三八一二三四五六七八"),
        ("yao_pauses", "幺三八，幺二三四，五六七八"),
        ("yi_pauses", "一三八，一二三四，五六七八"),
    ],
)
def test_a_phone_number_is_said_in_the_caller_s_style(style: str, said: str) -> None:
    assert say_phone("13812345678", style) == said


def test_the_voices_and_speeds_are_the_port_s() -> None:
    assert {r.voice for r in CORPUS} == set(VOICES)
    assert {r.speed for r in CORPUS} == {0.9, 1.0, 1.1}
    assert isinstance(CORPUS[0].voice_choice(), VoiceChoice)


def test_the_manifest_counts_the_coverage(tmp_path: Path) -> None:
    import json

    main(["generate", "--out", str(tmp_path), "--count", "30", "--seed", "5"])
    manifest = json.loads((tmp_path / MANIFEST_FILE).read_text("utf-8"))
    assert manifest["count"] == 30 and manifest["seed"] == 5
    assert sum(manifest["categories"].values()) == 30
    assert manifest["data"] == PHRASINGS.fingerprint
