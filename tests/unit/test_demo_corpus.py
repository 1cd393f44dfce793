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
