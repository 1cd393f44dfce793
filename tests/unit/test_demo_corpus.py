"""The demo and the drills find the shared Mandarin corpus beside the repository, wherever their module
sits."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcenter.commands.demo import REPO, speech_dir


def test_the_demo_corpus_is_the_shared_folder_beside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALLCENTER_SPEECH_DIR", raising=False)
    assert Path(__file__).resolve().parents[2] == REPO
    assert speech_dir() == REPO.parent / "shared" / "speech" / "zh"
    assert (speech_dir() / "8k").is_dir(), (
        "the shared corpus ../shared/speech/zh/8k is missing beside the repo"
    )


def test_the_corpus_can_be_moved(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CALLCENTER_SPEECH_DIR", str(tmp_path))
    assert speech_dir() == tmp_path


def test_the_demo_rules_survey_a_minute_after_a_reply_at_any_hour_and_keep_the_rest() -> None:
    from dataclasses import replace

    from callcenter.commands.demo import DEMO_RULES
    from callcenter.config.rules import load_rules
    from callcenter.ticketing.orders.service import Rules

    rules = load_rules(DEMO_RULES)
    assert rules.survey.first_delay_minutes == 1 and rules.survey.call_on_days_off
    assert [(w.start.isoformat(), w.end.isoformat()) for w in rules.survey.hours] == [
        ("00:00:00", "23:59:00")
    ]
    assert replace(rules, survey=Rules().survey) == Rules()  # the rest: the defaults
