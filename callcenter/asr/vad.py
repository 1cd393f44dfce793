"""A streaming voice-activity segmenter (语音端点检测) for live transcription with a whole-utterance engine.

Energy-based on 20 ms frames: a frame is voiced when its RMS level reaches both ``min_level_db`` (dBFS)
and ``margin_db`` above a noise floor that follows the quietest frames at once and rises slowly
(``floor_rise_db_per_s``), so steady noise stops counting as speech after a few seconds. A segment opens at
a voiced frame (with ``pre_roll_s`` of the audio before it) and closes after ``pause_s`` without a voiced
frame, or when it reaches ``max_segment_s`` (Whisper decodes at most 30 s in one window). A closed stretch
with less than ``min_voiced_s`` of voiced frames is a click or a cough: dropped, never transcribed.

The engine that decodes each segment may still find no words in it (faster-whisper runs Silero VAD first);
that is fine: the segmenter only decides WHEN a stretch can be decoded, not what is speech in it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class VadOptions:
    frame_s: float = 0.02
    pause_s: float = 0.7  # silence that closes a segment
    max_segment_s: float = 20.0
    pre_roll_s: float = 0.3  # audio kept before the first voiced frame (soft onsets)
    tail_s: float = 0.3  # silence kept after the last voiced frame
    min_voiced_s: float = 0.2
    min_level_db: float = -50.0  # quiet read speech peaks near -33 dBFS; G.711 idle noise stays below -70
    margin_db: float = 10.0
    floor_start_db: float = -65.0
    floor_rise_db_per_s: float = 2.0


@dataclass(frozen=True, slots=True)
class SpeechSegment:
    """A closed stretch of the stream: samples ``[start, end)`` (sample indices from the stream's start)."""

    start: int
    end: int
    samples: Samples


def _level_db(frames: Samples) -> npt.NDArray[np.float64]:
    power = np.mean(np.square(frames.astype(np.float64)), axis=1)
    levels: npt.NDArray[np.float64] = 10.0 * np.log10(np.maximum(power, 1e-12))
    return levels


class SpeechSegmenter:
    """Samples in (any chunking), closed segments out. One per stream; pure (no clock, no I/O)."""

    def __init__(self, rate: int, options: VadOptions | None = None) -> None:
        self.options = options or VadOptions()
        self.rate = rate
        self._frame = max(1, round(rate * self.options.frame_s))
        self._held = np.zeros(0, dtype=np.float32)  # samples from _held_from to _received
        self._held_from = 0
        self._received = 0  # samples of whole frames analysed
        self._partial = np.zeros(0, dtype=np.float32)  # less than one frame, not analysed yet
        self._floor = self.options.floor_start_db
        self._start: int | None = None  # the open segment's first sample
        self._last_voiced = 0  # end of the last voiced frame
        self._voiced = 0  # voiced frames in the open segment
        self._closed_until = 0

    @property
    def closed_until(self) -> int:
        """Samples from the start handed out in closed segments or passed over as silence."""
        return self._closed_until

    @property
    def received(self) -> int:
        return self._received + len(self._partial)

    @property
    def open_samples(self) -> Samples | None:
        """The open segment so far (for an interim guess), or None outside speech."""
        if self._start is None:
            return None
        return self._held[self._start - self._held_from :]

    def push(self, samples: Samples) -> list[SpeechSegment]:
        data = np.concatenate([self._partial, samples.astype(np.float32, copy=False)])
        whole = len(data) // self._frame * self._frame
        self._partial = data[whole:]
        if whole == 0:
            return []
        frames = data[:whole].reshape(-1, self._frame)
        self._held = np.concatenate([self._held, data[:whole]])
        closed: list[SpeechSegment] = []
        for level in _level_db(frames):
            segment = self._step(float(level))
            if segment is not None:
                closed.append(segment)
        self._trim()
        return closed

    def flush(self) -> list[SpeechSegment]:
        """The stream ended: close the open segment (the unanalysed tail of under one frame joins it)."""
        tail, self._partial = self._partial, np.zeros(0, dtype=np.float32)
        self._held = np.concatenate([self._held, tail])
        self._received += len(tail)
        segment = self._close(self._received) if self._start is not None else None
        self._closed_until = self._received
        self._trim()
        return [segment] if segment is not None else []

    def _step(self, level: float) -> SpeechSegment | None:
        o, begin = self.options, self._received
        self._received += self._frame
        voiced = level >= max(o.min_level_db, self._floor + o.margin_db)
        self._floor = min(level, self._floor + o.floor_rise_db_per_s * o.frame_s)
        if voiced:
            if self._start is None:
                self._start = max(self._closed_until, begin - self._seconds(o.pre_roll_s), self._held_from)
                self._voiced = 0
            self._last_voiced, self._voiced = self._received, self._voiced + 1
        if self._start is None:
            return None
        if self._received - self._last_voiced >= self._seconds(o.pause_s):
            return self._close(min(self._received, self._last_voiced + self._seconds(o.tail_s)))
        if self._received - self._start >= self._seconds(o.max_segment_s):
            return self._close(self._received)
        return None

    def _close(self, end: int) -> SpeechSegment | None:
        start, voiced = self._start, self._voiced
        assert start is not None
        self._start, self._voiced = None, 0
        self._closed_until = max(self._closed_until, end)
        if voiced * self.options.frame_s < self.options.min_voiced_s:
            return None
        samples = self._held[start - self._held_from : end - self._held_from].copy()
        return SpeechSegment(start, end, samples)

    def _trim(self) -> None:
        """Keep only the open segment, or the pre-roll when outside speech."""
        keep_from = self._start
        if keep_from is None:
            keep_from = max(self._closed_until, self._received - self._seconds(self.options.pre_roll_s))
        keep_from = max(keep_from, self._held_from)
        self._held = self._held[keep_from - self._held_from :]
        self._held_from = keep_from

    def _seconds(self, seconds: float) -> int:
        return math.ceil(seconds * self.rate)


def voiced_span(
    samples: Samples, rate: int, pad_s: float, options: VadOptions | None = None
) -> tuple[int, int] | None:
    """Sample range ``[start, end)`` from the first closed segment's start to the last one's end, widened
    by ``pad_s`` on each side within the audio; None when no segment closes (silence, clicks)."""
    segmenter = SpeechSegmenter(rate, options)
    segments = [*segmenter.push(samples), *segmenter.flush()]
    if not segments:
        return None
    pad = math.ceil(pad_s * rate)
    return max(0, segments[0].start - pad), min(len(samples), segments[-1].end + pad)
