"""Warnings for audio that decodes but is damaged (callcenter/asr/quality.py)."""

from __future__ import annotations

import numpy as np

from callcenter.asr.model import Audio
from callcenter.asr.quality import CLIPPED, audio_warning, clipped_share

RATE = 8000


def tone(level: float, seconds: float = 1.0) -> Audio:
    t = np.arange(int(RATE * seconds), dtype=np.float32) / RATE
    return Audio((level * np.sin(2 * np.pi * 440 * t)).astype(np.float32), RATE)


def test_speech_at_a_normal_level_has_no_warning() -> None:
    assert audio_warning(tone(0.5)) is None and clipped_share(tone(0.5)) == 0.0


def test_a_level_cut_off_at_full_scale_is_clipped() -> None:
    hot = Audio(np.clip(tone(5.0).samples, -1, 1), RATE)
    assert clipped_share(hot) > 0.5 and audio_warning(hot) == CLIPPED


def test_a_few_peaks_touching_full_scale_are_not_clipping() -> None:
    audio = tone(0.5)
    audio.samples[:20] = 1.0  # 0.25 % of the samples
    assert audio_warning(audio) is None


def test_no_samples_no_warning() -> None:
    assert audio_warning(Audio(np.zeros(0, np.float32), RATE)) is None
