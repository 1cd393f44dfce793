"""Transcript values: words with timestamps, segments with a speaker, the whole transcript."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt


class Speaker(StrEnum):
    """Which side of the call spoke. Recordings keep the two sides on separate channels."""

    CALLER = "caller"  # 来电人 / 市民
    AGENT = "agent"  # 话务员 / 坐席


@dataclass(frozen=True, slots=True)
class Audio:
    """Mono float32 samples in [-1, 1] at ``rate`` Hz."""

    samples: npt.NDArray[np.float32]
    rate: int

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start: float  # seconds from the start of the recording
    end: float
    confidence: float | None = None


def moved(seconds: float, by: float) -> float:
    """A time moved by ``by`` seconds (a cut-out piece back onto its recording's time line), to the ms."""
    return round(seconds + by, 3)


def words_moved(words: tuple[Word, ...], by: float) -> tuple[Word, ...]:
    return tuple(Word(w.text, moved(w.start, by), moved(w.end, by), w.confidence) for w in words)


@dataclass(frozen=True, slots=True)
class Segment:
    speaker: Speaker
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()

    def moved(self, by: float) -> Segment:
        """The segment, its words included, ``by`` seconds later on the time line."""
        return Segment(
            self.speaker, moved(self.start, by), moved(self.end, by), self.text, words_moved(self.words, by)
        )


@dataclass(frozen=True, slots=True)
class Transcript:
    engine: str
    language: str
    duration: float
    segments: tuple[Segment, ...]
    caller_warning: str | None = None  # the caller's side decoded but damaged (callcenter/asr/quality.py)

    def text_of(self, speaker: Speaker) -> str:
        return "".join(s.text for s in self.segments if s.speaker is speaker)

    def in_time_order(self) -> tuple[Segment, ...]:
        return tuple(sorted(self.segments, key=lambda s: (s.start, s.speaker)))
