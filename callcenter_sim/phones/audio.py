"""Telephone audio helpers: 8 kHz mono 16-bit samples, G.711 μ-law, pyVoIP's 8-bit linear format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile
import soxr

RATE = 8000
Pcm = npt.NDArray[np.int16]

_ULAW_BIAS = 0x84
_ULAW_CLIP = 32635


def load_telephone_wav(path: Path) -> Pcm:
    """Any WAV as 8 kHz mono int16: channels averaged, other rates resampled (soxr, high quality)."""
    frames, rate = soundfile.read(path, dtype="float32", always_2d=True)
    mono = np.asarray(frames, dtype=np.float32).mean(axis=1)
    if rate != RATE:
        mono = np.asarray(soxr.resample(mono, rate, RATE), dtype=np.float32)
    return np.asarray(np.clip(mono, -1.0, 1.0) * 32767.0, dtype=np.int16)


def write_wav(path: Path, samples: Pcm, rate: int = RATE) -> None:
    soundfile.write(path, samples, rate, subtype="PCM_16", format="WAV")


def ulaw_encode(samples: Pcm) -> bytes:
    """ITU-T G.711 μ-law, one byte per sample (what a PCMU RTP payload carries)."""
    x = samples.astype(np.int32)
    sign = np.where(x < 0, 0x80, 0x00)
    magnitude = np.minimum(np.abs(x), _ULAW_CLIP) + _ULAW_BIAS
    exponent = np.clip(np.floor(np.log2(magnitude)).astype(np.int32) - 7, 0, 7)
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    code: npt.NDArray[np.int32] = ~(sign | (exponent << 4) | mantissa) & 0xFF
    return code.astype(np.uint8).tobytes()


def to_unsigned8(samples: Pcm) -> bytes:
    """pyVoIP 1.6.8 writes and reads 8-bit unsigned linear audio (128 = silence)."""
    return ((samples.astype(np.int32) >> 8) + 128).astype(np.uint8).tobytes()


def from_unsigned8(data: bytes) -> Pcm:
    return ((np.frombuffer(data, dtype=np.uint8).astype(np.int32) - 128) << 8).astype(np.int16)
