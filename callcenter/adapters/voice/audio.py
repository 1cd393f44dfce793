"""The processing every engine's raw output goes through: trim, resample, normalise, 16-bit PCM."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import soxr

from callcenter.ivr.voice import Speech

PEAK = 0.7  # about -3 dBFS: loud enough on a phone, no clipping after G.711
SILENCE_THRESHOLD = 0.01  # leading/trailing samples below this are trimmed
RATES = (8000, 16000)

Samples = npt.NDArray[np.float32]


def to_speech(samples: Samples, rate: int, target_rate: int) -> Speech:
    """Trim leading/trailing silence, resample (soxr) to ``target_rate``, peak-normalise to :data:`PEAK`,
    convert to mono signed 16-bit little-endian PCM."""
    mono = np.asarray(samples, dtype=np.float32).reshape(-1)
    loud = np.flatnonzero(np.abs(mono) > SILENCE_THRESHOLD)
    trimmed = mono[loud[0] : loud[-1] + 1] if loud.size else mono[:0]
    resampled = (
        np.asarray(soxr.resample(trimmed, rate, target_rate), dtype=np.float32)
        if rate != target_rate and trimmed.size
        else trimmed
    )
    peak = float(np.max(np.abs(resampled))) if resampled.size else 0.0
    scaled = resampled * (PEAK / peak) if peak > 0 else resampled
    pcm = np.clip(np.round(scaled * 32767.0), -32768, 32767).astype("<i2")
    return Speech(pcm=pcm.tobytes(), rate=target_rate)


def samples_of(speech: Speech) -> Samples:
    """The speech's PCM as float samples in [-1, 1)."""
    return np.frombuffer(speech.pcm, dtype="<i2").astype(np.float32) / 32768.0
