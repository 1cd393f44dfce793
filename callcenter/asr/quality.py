"""Warnings about a recording that could still be transcribed (录音质量提示): pure, no I/O.

A side that fails outright (not audio, empty, silent, too short, wrong rate) is an ``AudioError`` with its
reason (callcenter/adapters/asr/audio.py). A side that decodes but is damaged is transcribed anyway and the
draft carries a warning, so the agent checks the text against the recording before relying on it.
"""

from __future__ import annotations

import numpy as np

from callcenter.asr.model import Audio

CLIPPED = "clipped"  # 削波失真: the level hit full scale and was cut off
FULL_SCALE = 0.98  # a sample this close to ±1 is taken as cut off
CLIPPED_SHARE = 0.005  # warn when more than 0.5 % of the samples are (normal speech: none)


def clipped_share(audio: Audio) -> float:
    """Share of samples at full scale."""
    if not len(audio.samples):
        return 0.0
    return float(np.count_nonzero(np.abs(audio.samples) >= FULL_SCALE)) / len(audio.samples)


def audio_warning(audio: Audio) -> str | None:
    return CLIPPED if clipped_share(audio) > CLIPPED_SHARE else None
