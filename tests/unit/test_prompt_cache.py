"""Prompt cache: a prompt is synthesized again exactly when its text, the voice or the engine changes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile

from callcenter.adapters.asterisk.prompts import PromptCache
from callcenter.ivr.prompts import GREETING, Prompt
from callcenter.ivr.voice import Speech, VoiceChoice


class CountingSynthesizer:
    """A fake of our Synthesizer port: a tone as long as the text, and a record of what it read."""

    def __init__(self, engine: str = "fake-1") -> None:
        self.engine = engine
        self.read: list[str] = []

    def synthesize(self, text: str, voice: VoiceChoice) -> Speech:
        self.read.append(text)
        t = np.arange(int(0.1 * len(text) * voice.rate)) / voice.rate
        pcm = (np.sin(2 * np.pi * 440 * t) * 20000).astype("<i2").tobytes()
        return Speech(pcm=pcm, rate=voice.rate)


def test_an_unchanged_prompt_is_not_synthesized_again(tmp_path: Path) -> None:
    engine = CountingSynthesizer()
    PromptCache(tmp_path, engine).prompt(GREETING)
    PromptCache(tmp_path, engine).prompt(GREETING)
    assert engine.read == [GREETING.reading]
    info = soundfile.info(tmp_path / "greeting.wav")
    assert (info.samplerate, info.channels, info.subtype) == (8000, 1, "PCM_16")


def test_text_voice_and_engine_changes_each_resynthesize(tmp_path: Path) -> None:
    engine = CountingSynthesizer()
    PromptCache(tmp_path, engine).prompt(GREETING)
    changed_text = Prompt(id=GREETING.id, text="您好", pinyin="nin2 hao3")
    PromptCache(tmp_path, engine).prompt(changed_text)
    PromptCache(tmp_path, engine, VoiceChoice(name="zm_yunxi")).prompt(changed_text)
    PromptCache(tmp_path, engine, VoiceChoice(name="zm_yunxi", speed=1.2)).prompt(changed_text)
    assert len(engine.read) == 4
    newer = CountingSynthesizer(engine="fake-2")
    PromptCache(tmp_path, newer, VoiceChoice(name="zm_yunxi", speed=1.2)).prompt(changed_text)
    assert newer.read == ["您好"]


def test_prompts_are_8_khz_whatever_the_rate_of_the_choice(tmp_path: Path) -> None:
    PromptCache(tmp_path, CountingSynthesizer(), VoiceChoice(rate=16000)).prompt(GREETING)
    assert soundfile.info(tmp_path / "greeting.wav").samplerate == 8000


def test_the_natural_voice_reads_the_spoken_form(tmp_path: Path) -> None:
    engine = CountingSynthesizer()
    PromptCache(tmp_path, engine).prompt(GREETING)
    assert "幺二三四五" in engine.read[0] and "12345" not in engine.read[0]


def test_speech_on_demand_is_cached_per_key_and_bounded(tmp_path: Path) -> None:
    engine = CountingSynthesizer()
    cache = PromptCache(tmp_path, engine, max_files=2)
    first = cache.speech_for("order:1", "工单一")
    assert cache.speech_for("order:1", "工单一") == first
    assert engine.read == ["工单一"]
    assert first.parent == tmp_path / "dynamic" and first.suffix == ".wav"
    second = cache.speech_for("order:2", "工单二")
    third = cache.speech_for("order:3", "工单三")
    assert not first.exists() and second.exists() and third.exists()  # the oldest went
    wide = PromptCache(tmp_path, engine, replace(VoiceChoice(), rate=16000)).speech_for("order:3", "工单三")
    assert wide.suffix == ".wav16"
    with wide.open("rb") as handle:
        assert soundfile.info(handle).samplerate == 16000
