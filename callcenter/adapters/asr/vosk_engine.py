"""Vosk (Kaldi) speech engine behind the :class:`~callcenter.asr.ports.Transcriber` port.

Each call side is resampled (soxr HQ) to the model's rate — 16 kHz for the Mandarin and Korean small models,
so 8 kHz telephone audio is upsampled — converted to 16-bit PCM and streamed through a fresh
``KaldiRecognizer`` in short chunks. Every final result (Vosk's endpointer closes one after a pause) becomes
one :class:`Segment` with word timestamps and confidences.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import vosk

from callcenter.adapters.asr.audio import is_silent, pcm16, resample
from callcenter.adapters.asr.models import require_vosk_model, vosk_sample_rate
from callcenter.asr.model import Audio, Segment, Speaker, Word
from callcenter.core.errors import AudioError, ConfigError

# Languages written without spaces: Vosk separates their words with spaces, the transcript must not.
_UNSPACED_LANGUAGES = frozenset({"zh", "ja", "yue"})


class VoskTranscriber:
    """Transcribes one call side with a Vosk model loaded once in ``__init__`` (shareable, read-only)."""

    name = "vosk"

    def __init__(self, model_path: Path, *, language: str = "zh", chunk_seconds: float = 0.25) -> None:
        vosk.SetLogLevel(-1)  # Kaldi logs every model file it reads to stderr
        self.language = language
        self.model_path = require_vosk_model(model_path)
        self.rate = vosk_sample_rate(self.model_path)
        self._chunk_bytes = 2 * max(1, round(self.rate * chunk_seconds))
        try:
            self._model = vosk.Model(str(self.model_path))
        except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
            raise ConfigError(f"Vosk cannot load the model at {model_path}", reason="model_invalid") from exc

    def transcribe(self, audio: Audio, speaker: Speaker) -> tuple[Segment, ...]:
        """Segments of one side in time order; silent side → (); empty audio → AudioError(reason="empty")."""
        if len(audio.samples) == 0:
            raise AudioError("no samples to transcribe", reason="empty")
        if is_silent(audio):
            return ()
        results = self._recognize(pcm16(resample(audio, self.rate).samples).tobytes())
        segments = (self._segment(result, speaker, audio.duration) for result in results)
        return tuple(segment for segment in segments if segment is not None)

    def _recognize(self, pcm: bytes) -> Iterator[Mapping[str, Any]]:
        recognizer = vosk.KaldiRecognizer(self._model, float(self.rate))
        recognizer.SetWords(True)
        for start in range(0, len(pcm), self._chunk_bytes):
            if recognizer.AcceptWaveform(pcm[start : start + self._chunk_bytes]):
                yield json.loads(recognizer.Result())
        yield json.loads(recognizer.FinalResult())

    def _segment(self, result: Mapping[str, Any], speaker: Speaker, duration: float) -> Segment | None:
        words = tuple(_word(item, duration) for item in result.get("result", ()))
        if not words:
            return None
        joiner = "" if self.language in _UNSPACED_LANGUAGES else " "
        text = joiner.join(word.text for word in words)
        return Segment(speaker=speaker, start=words[0].start, end=words[-1].end, text=text, words=words)


def _word(item: Mapping[str, Any], duration: float) -> Word:
    """A Vosk word; times clamped to the audio (Kaldi's frame shift may overshoot) and rounded to the ms."""
    start = round(min(max(float(item["start"]), 0.0), duration), 3)
    end = round(min(max(float(item["end"]), start), duration), 3)
    return Word(text=str(item["word"]), start=start, end=end, confidence=float(item["conf"]))
