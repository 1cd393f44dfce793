"""The recogniser's domain vocabulary: place names from the gazetteer, hotline terms, and budgets."""

from __future__ import annotations

from callcenter.adapters.asr.domain_vocabulary import (
    HOTWORDS_MAX_CHARS,
    PROMPT_MAX_CHARS,
    PROMPT_OPENING,
    DomainVocabulary,
    bare_name,
    hotwords,
    parse_terms,
    place_names,
    whisper_prompt,
)
from callcenter.ticketing.catalogue.gazetteer import Alias, Area, AreaCode, AreaLevel

AREAS = (
    Area(AreaCode("110100000000"), "北京市", AreaLevel.CITY),
    Area(AreaCode("110101000000"), "东城区", AreaLevel.DISTRICT, AreaCode("110100000000")),
    Area(AreaCode("110101002000"), "景山街道", AreaLevel.STREET, AreaCode("110101000000")),
    Area(AreaCode("110101002001"), "吉祥社区", AreaLevel.COMMUNITY, AreaCode("110101002000")),
    Area(AreaCode("110101003000"), "交道口街道", AreaLevel.STREET, AreaCode("110101000000")),
)
ALIASES = (
    Alias("东城", AreaCode("110101000000")),
    Alias("景山前街", AreaCode("110101002000")),
    Alias("吉祥胡同", AreaCode("110101002001")),
    Alias("景山前街", AreaCode("110101002000")),
)


def test_place_names_are_streets_then_communities_then_their_aliases_each_once() -> None:
    assert place_names(AREAS, ALIASES) == ("景山街道", "交道口街道", "吉祥社区", "景山前街", "吉祥胡同")


def test_terms_file_ignores_comments_blanks_and_repeats() -> None:
    assert parse_terms("# header\n停电\n\n燃气  # gas\n停电\n") == ("停电", "燃气")


def test_prompt_starts_with_the_opening_and_keeps_whole_names_within_budget() -> None:
    many = DomainVocabulary(tuple(f"第{i}号街道" for i in range(100)), ())
    prompt = whisper_prompt(many)
    assert prompt.startswith(PROMPT_OPENING) and prompt.endswith("。")
    assert len(prompt) <= PROMPT_MAX_CHARS
    names = prompt.removeprefix(PROMPT_OPENING).removesuffix("。").split("、")
    assert all(name in many.places for name in names)


def test_hotwords_keep_whole_terms_within_budget() -> None:
    words = hotwords(DomainVocabulary((), tuple(f"词语{i:02d}" for i in range(50))))
    assert len(words) <= HOTWORDS_MAX_CHARS
    assert words.split("、")[0] == "词语00" and all(len(w) == 4 for w in words.split("、"))


def test_empty_vocabulary_gives_the_opening_and_no_hotwords() -> None:
    empty = DomainVocabulary((), ())
    assert whisper_prompt(empty) == PROMPT_OPENING + "。"
    assert hotwords(empty) == ""


def test_bare_name_drops_the_level_suffix_but_never_the_whole_name() -> None:
    assert bare_name("景山街道") == "景山"
    assert bare_name("吉祥社区") == "吉祥"
    assert bare_name("社区") == "社区"


def test_the_shipped_gazetteer_and_terms_fill_the_whisper_options() -> None:
    from callcenter.adapters.asr.factory import domain_vocabulary_from_seed, domain_whisper_options
    from callcenter.adapters.asr.settings import WhisperOptions

    options = domain_whisper_options(WhisperOptions(beam_size=3), domain_vocabulary_from_seed())
    assert options.beam_size == 3
    assert options.initial_prompt is not None and "景山街道" in options.initial_prompt
    assert options.hotwords is not None and options.hotwords.startswith("停电、停水、燃气")


def test_the_prompt_holds_no_sentence_of_the_labelled_set() -> None:
    """The prompt comes from the gazetteer, never from what the benchmarks score (no overfitting)."""
    import json
    from pathlib import Path

    from callcenter.adapters.asr.factory import domain_vocabulary_from_seed

    labels = Path(__file__).resolve().parents[2] / "bench" / "data" / "labelled_calls" / "labels.json"
    prompt = whisper_prompt(domain_vocabulary_from_seed())
    for item in json.loads(labels.read_text("utf-8")):
        sentence = item["text"].rstrip("。")
        assert sentence not in prompt and prompt not in sentence
