"""The Transcriber port: every speech engine (Vosk, faster-whisper) implements it."""

from __future__ import annotations

from typing import Protocol

from callcenter.asr.model import Audio, Segment, Speaker


class Transcriber(Protocol):
    """Turns one side of a call into timed segments.

    Synchronous and CPU-bound on purpose: it runs in an ASR worker process, never on an event loop.
    Implementations load their model once (in ``__init__``) and are reused for many calls.
    """

    name: str
    language: str

    def transcribe(self, audio: Audio, speaker: Speaker) -> tuple[Segment, ...]: ...
