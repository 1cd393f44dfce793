"""The streaming recognizer port: one live stream (one side of one call) fed while the call lasts.

Synchronous and CPU-bound like :class:`~callcenter.asr.port.Transcriber`: the live worker calls it off the
event loop, one call at a time per stream. Times are seconds from the start of the STREAM; the worker adds
the tap's offset to place them in the side's recording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from callcenter.asr.live import LiveKind
from callcenter.asr.model import Audio, Speaker, Word

LIVE_RATE = 8000  # AudioSocket audio: signed linear 16-bit, 8 kHz, mono


@dataclass(frozen=True, slots=True)
class Heard:
    """What a recognizer reports: a PARTIAL guess at the open stretch or a FINAL closed stretch."""

    kind: LiveKind
    text: str
    start: float  # seconds from the start of the stream
    end: float
    words: tuple[Word, ...] = ()


class LiveRecognizer(Protocol):
    """One stream's recognizer state; not shared between streams."""

    def accept(self, audio: Audio) -> list[Heard]:
        """Take the next samples (8 kHz mono, any length); return what became known."""
        ...

    def finish(self) -> list[Heard]:
        """The stream ended: close what is still open. After it, ``covered`` is the whole stream."""
        ...

    @property
    def covered(self) -> float:
        """Seconds from the stream's start closed into finals: everything before it was reported."""
        ...


class LiveEngine(Protocol):
    """A model loaded once per process; opens a recognizer per stream."""

    name: str

    def open_stream(self, speaker: Speaker) -> LiveRecognizer: ...
