"""Reading call recordings into per-side :class:`Audio`, resampling, and the G.711 μ-law telephone channel.

Rules (each raises :class:`AudioError` with a stable ``details["reason"]``):

* ``not_found``: the path does not exist; ``empty``: a zero-byte file or a file with no samples;
  ``unreadable``: libsndfile cannot decode it (not audio, corrupt header); ``invalid_samples``: NaN or ∞ in a
  float file; ``unsupported_channels``: not 1 or 2 channels where that is required; ``unsupported_rate``:
  below 8 kHz; ``too_short``: under :data:`MIN_DURATION_SECONDS`;
  ``silent``: every side is silent — fewer than :data:`MIN_AUDIBLE_SECONDS` of 20 ms frames reach
  :data:`SILENCE_DBFS` RMS (quiet read speech in our corpus peaks at −33 dBFS; G.711 idle noise stays
  below −70 dBFS).

Recordings keep caller and agent apart: Asterisk ``MixMonitor`` with option ``D`` writes a 2-channel file,
channel 0 = audio read from the channel it runs on (the caller), channel 1 = audio written to it (the agent).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import soundfile
import soxr

from callcenter.asr.model import Audio, Speaker
from callcenter.core.errors import AudioError

SILENCE_DBFS = -50.0  # a 20 ms frame is audible when its RMS reaches this level (dB relative to full scale)
FRAME_SECONDS = 0.02
MIN_AUDIBLE_SECONDS = 0.1  # fewer audible frames than this (5 frames) means the side is silent
MIN_DURATION_SECONDS = 0.2
MIN_RATE = 8000
TELEPHONE_RATE = 8000

StereoLayout = tuple[Speaker, Speaker]
"""Which speaker each channel of a stereo file holds: ``layout[0]`` is channel 0."""
CALLER_AGENT: StereoLayout = (Speaker.CALLER, Speaker.AGENT)

Quality = Literal["VHQ", "HQ", "MQ", "LQ", "QQ"]
Samples = npt.NDArray[np.float32]
PathLike = str | os.PathLike[str]


def _error(message: str, reason: str, path: PathLike | None = None, **details: object) -> AudioError:
    where = {"path": str(path)} if path is not None else {}
    return AudioError(message, reason=reason, **where, **details)


def _read_frames(path: PathLike) -> tuple[npt.NDArray[np.float32], int]:
    """Decode a file into (frames × channels) float32 in [-1, 1] and its rate; no other checks."""
    file = Path(path)
    if not file.is_file():
        raise _error(f"recording not found: {file}", "not_found", file)
    if file.stat().st_size == 0:
        raise _error(f"recording is an empty file: {file}", "empty", file)
    try:
        frames, rate = soundfile.read(file, dtype="float32", always_2d=True)
    except (soundfile.SoundFileError, RuntimeError, ValueError) as exc:
        raise _error(f"cannot decode audio in {file}: {exc}", "unreadable", file) from exc
    return np.asarray(frames, dtype=np.float32), int(rate)


def _checked_frames(path: PathLike) -> tuple[npt.NDArray[np.float32], int]:
    """Decode and apply the format rules shared by every loader (empty, rate, duration, finite samples)."""
    frames, rate = _read_frames(path)
    if frames.shape[0] == 0:
        raise _error(f"recording has no samples: {path}", "empty", path)
    if rate < MIN_RATE:
        raise _error(
            f"sample rate {rate} Hz is below {MIN_RATE} Hz: {path}", "unsupported_rate", path, rate=rate
        )
    if frames.shape[0] / rate < MIN_DURATION_SECONDS:
        raise _error(f"recording shorter than {MIN_DURATION_SECONDS} s: {path}", "too_short", path)
    if not np.isfinite(frames).all():
        raise _error(f"recording holds NaN or infinite samples: {path}", "invalid_samples", path)
    return np.clip(frames, -1.0, 1.0), rate


def _require_channels(frames: npt.NDArray[np.float32], expected: int, path: PathLike) -> None:
    if frames.shape[1] != expected:
        raise _error(
            f"expected {expected} channel(s), found {frames.shape[1]}: {path}",
            "unsupported_channels",
            path,
            channels=frames.shape[1],
        )


def _to_rate(audio: Audio, rate: int | None) -> Audio:
    return audio if rate is None else resample(audio, rate)


def _channel(frames: npt.NDArray[np.float32], index: int, rate: int) -> Audio:
    return Audio(np.ascontiguousarray(frames[:, index]), rate)


def _require_audible(sides: dict[Speaker, Audio], path: PathLike) -> dict[Speaker, Audio]:
    if all(is_silent(audio) for audio in sides.values()):
        raise _error(f"recording is silent (no frame above {SILENCE_DBFS} dBFS): {path}", "silent", path)
    return sides


def load_mono(path: PathLike, *, rate: int | None = None) -> Audio:
    """One mono file as Audio, resampled to ``rate`` when given; raises AudioError (see module rules)."""
    return load_sides(caller=path, rate=rate)[Speaker.CALLER]


def _split(
    frames: npt.NDArray[np.float32], source_rate: int, layout: StereoLayout, rate: int | None
) -> dict[Speaker, Audio]:
    if layout[0] is layout[1]:
        raise ValueError(f"a stereo layout needs two different speakers, got {layout}")
    return {speaker: _to_rate(_channel(frames, i, source_rate), rate) for i, speaker in enumerate(layout)}


def load_stereo(
    path: PathLike, layout: StereoLayout = CALLER_AGENT, *, rate: int | None = None
) -> dict[Speaker, Audio]:
    """Split a 2-channel file into its sides by ``layout``; silent only when both channels are silent."""
    frames, source_rate = _checked_frames(path)
    _require_channels(frames, 2, path)
    return _require_audible(_split(frames, source_rate, layout, rate), path)


def load_sides(
    *, caller: PathLike, agent: PathLike | None = None, rate: int | None = None
) -> dict[Speaker, Audio]:
    """Two mono files, one per side (the agent's is optional). Silent only when every given side is silent."""
    paths = {Speaker.CALLER: caller} | ({Speaker.AGENT: agent} if agent is not None else {})
    sides: dict[Speaker, Audio] = {}
    for speaker, path in paths.items():
        frames, source_rate = _checked_frames(path)
        _require_channels(frames, 1, path)
        sides[speaker] = _to_rate(_channel(frames, 0, source_rate), rate)
    return _require_audible(sides, caller)


def load_recording(
    path: PathLike,
    *,
    layout: StereoLayout = CALLER_AGENT,
    mono_speaker: Speaker = Speaker.CALLER,
    rate: int | None = None,
) -> dict[Speaker, Audio]:
    """A mono file is one side (``mono_speaker``); a stereo file is split by ``layout``; more is refused."""
    frames, source_rate = _checked_frames(path)
    if frames.shape[1] == 2:
        return _require_audible(_split(frames, source_rate, layout, rate), path)
    _require_channels(frames, 1, path)
    return _require_audible({mono_speaker: _to_rate(_channel(frames, 0, source_rate), rate)}, path)


def resample(audio: Audio, rate: int, quality: Quality = "HQ") -> Audio:
    """Resample with soxr (``HQ``: 20-bit precision, linear phase); same rate returns the audio unchanged."""
    if audio.rate == rate:
        return audio
    samples = soxr.resample(audio.samples, audio.rate, rate, quality=quality)
    return Audio(np.asarray(samples, dtype=np.float32), rate)


def frame_levels_dbfs(audio: Audio, frame_seconds: float = FRAME_SECONDS) -> npt.NDArray[np.float64]:
    """RMS level of each whole frame in dBFS (0 dBFS = a full-scale square wave); a short tail is a frame."""
    size = max(1, round(audio.rate * frame_seconds))
    samples = audio.samples.astype(np.float64)
    padded = np.pad(samples, (0, -len(samples) % size)).reshape(-1, size)
    counts = np.full(len(padded), size, dtype=np.float64)
    if len(samples) % size:
        counts[-1] = len(samples) % size
    rms = np.sqrt((padded**2).sum(axis=1) / counts)
    return np.asarray(20.0 * np.log10(np.maximum(rms, 1e-10)), dtype=np.float64)


def audible_seconds(audio: Audio) -> float:
    """Seconds of 20 ms frames whose RMS reaches :data:`SILENCE_DBFS`."""
    if len(audio.samples) == 0:
        return 0.0
    return float((frame_levels_dbfs(audio) >= SILENCE_DBFS).sum() * FRAME_SECONDS)


def is_silent(audio: Audio) -> bool:
    """True when fewer than :data:`MIN_AUDIBLE_SECONDS` of the audio reach :data:`SILENCE_DBFS`."""
    return audible_seconds(audio) < MIN_AUDIBLE_SECONDS


def pcm16(samples: Samples) -> npt.NDArray[np.int16]:
    """Float samples in [-1, 1] → signed 16-bit PCM, rounded to nearest and clipped."""
    scaled = np.rint(np.clip(samples, -1.0, 1.0) * 32768.0)
    pcm: npt.NDArray[np.int16] = np.clip(scaled, -32768, 32767).astype(np.int16)
    return pcm


# G.711 μ-law (ITU-T G.711 PCMU, the codec of North American and Japanese networks and of our test phones;
# China's PSTN itself uses A-law, PCMA, whose distortion is of the same size), in its 16-bit form:
# bias 0x84 = 33 × 4, clip 32635; code bits inverted, 3-bit segment, 4-bit step within segment.
_MULAW_BIAS = 0x84
_MULAW_CLIP = 32635


def mulaw_encode(pcm: npt.NDArray[np.int16]) -> npt.NDArray[np.uint8]:
    """Encode 16-bit linear PCM into 8-bit μ-law codes (G.711 segment/step rule, as libsndfile and sox do)."""
    linear = pcm.astype(np.int32)
    sign = np.where(linear < 0, 0x80, 0x00)
    magnitude = np.minimum(np.abs(linear), _MULAW_CLIP) + _MULAW_BIAS
    _, exponent2 = np.frexp(magnitude.astype(np.float64))  # magnitude = m × 2**exponent2, 0.5 ≤ m < 1
    segment = np.clip(exponent2 - 8, 0, 7)  # floor(log2(magnitude)) - 7
    step = (magnitude >> (segment + 3)) & 0x0F
    codes: npt.NDArray[np.uint8] = (~(sign | (segment << 4) | step) & 0xFF).astype(np.uint8)
    return codes


def mulaw_decode(codes: npt.NDArray[np.uint8]) -> npt.NDArray[np.int16]:
    """Decode 8-bit μ-law codes into 16-bit linear PCM (the midpoint of each quantisation step)."""
    inverted = ~codes.astype(np.int32) & 0xFF
    segment = (inverted >> 4) & 0x07
    step = inverted & 0x0F
    magnitude = (((step << 3) + _MULAW_BIAS) << segment) - _MULAW_BIAS
    return np.where(inverted & 0x80, -magnitude, magnitude).astype(np.int16)


def telephone_round_trip(audio: Audio, quality: Quality = "HQ") -> Audio:
    """What a G.711 μ-law phone call leaves of ``audio``: resample to 8 kHz (soxr), encode, decode."""
    narrow = resample(audio, TELEPHONE_RATE, quality)
    decoded = mulaw_decode(mulaw_encode(pcm16(narrow.samples)))
    return Audio((decoded.astype(np.float32) / 32768.0).astype(np.float32), TELEPHONE_RATE)
