"""The speech ports. ``Transcriber``: every after-call engine (Vosk, faster-whisper) implements it.
``LiveRecognizer``/``LiveEngine``: one live stream (one side of one call) fed while the call lasts.

Synchronous and CPU-bound: an ASR worker calls them off the event loop, one call at a time per stream.
Live times are seconds from the start of the STREAM; the worker adds the tap's offset to place them in the
side's recording.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from callcenter.asr.live import LiveKind
from callcenter.asr.model import Audio, Segment, Speaker, Word

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


class Transcriber(Protocol):
    """Turns one side of a call into timed segments.

    Synchronous and CPU-bound on purpose: it runs in an ASR worker process, never on an event loop.
    Implementations load their model once (in ``__init__``) and are reused for many calls.
    """

    name: str
    language: str

    def transcribe(self, audio: Audio, speaker: Speaker) -> tuple[Segment, ...]: ...
