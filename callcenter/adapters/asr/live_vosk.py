"""Vosk streaming recognition for live transcription: one model per process, one KaldiRecognizer per stream.

The 8 kHz AudioSocket audio is resampled to the model's rate (16 kHz for the small models) by a soxr
streaming resampler per stream, so chunk edges leave no clicks. Vosk's endpointer decides when an utterance
ends: ``AcceptWaveform`` returning true gives a Result (→ FINAL with word times) and everything fed so far is
closed (``covered``); otherwise the PartialResult is reported as a PARTIAL when its text changed.
Audio is fed in pieces of at most ``chunk_seconds`` so a backlog handed over at once still ends utterances
where Vosk would have ended them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import soxr
import vosk

from callcenter.adapters.asr.audio import pcm16
from callcenter.adapters.asr.models import require_vosk_model, vosk_sample_rate
from callcenter.asr.live import LiveKind
from callcenter.asr.model import Audio, Speaker, Word
from callcenter.asr.ports import LIVE_RATE, Heard
from callcenter.core.errors import ConfigError

UNSPACED_LANGUAGES = frozenset({"zh", "ja", "yue"})  # Vosk separates words with spaces; these texts must not


class VoskLiveEngine:
    name = "vosk"

    def __init__(self, model_path: Path, *, language: str = "zh", chunk_seconds: float = 0.2) -> None:
        vosk.SetLogLevel(-1)
        self.language = language
        self.model_path = require_vosk_model(model_path)
        self.rate = vosk_sample_rate(self.model_path)
        self.chunk_seconds = chunk_seconds
        try:
            self._model = vosk.Model(str(self.model_path))
        except Exception as exc:  # vosk raises a bare Exception("Failed to create a model")
            raise ConfigError(f"Vosk cannot load the model at {model_path}", reason="model_invalid") from exc

    def open_stream(self, speaker: Speaker) -> VoskLiveStream:
        del speaker  # one model for both sides
        recognizer = vosk.KaldiRecognizer(self._model, float(self.rate))
        recognizer.SetWords(True)
        return VoskLiveStream(recognizer, self.rate, self.language, self.chunk_seconds)


class VoskLiveStream:
    def __init__(self, recognizer: Any, rate: int, language: str, chunk_seconds: float) -> None:
        self._recognizer = recognizer
        self._resampler = soxr.ResampleStream(LIVE_RATE, rate, 1, dtype="float32", quality="HQ")
        self._rate = rate
        self._joiner = "" if language in UNSPACED_LANGUAGES else " "
        self._chunk = max(1, round(LIVE_RATE * chunk_seconds))
        self._fed = 0  # 8 kHz samples handed to the recognizer
        self._covered = 0.0
        self._partial = ""

    @property
    def covered(self) -> float:
        return self._covered

    def accept(self, audio: Audio) -> list[Heard]:
        if audio.rate != LIVE_RATE:
            raise ValueError(f"live audio must be {LIVE_RATE} Hz, not {audio.rate}")
        heard: list[Heard] = []
        for start in range(0, len(audio.samples), self._chunk):
            piece = audio.samples[start : start + self._chunk]
            self._fed += len(piece)
            heard += self._feed(self._resampler.resample_chunk(piece))
        return heard

    def finish(self) -> list[Heard]:
        heard = self._feed(self._resampler.resample_chunk(np.zeros(0, dtype=np.float32), last=True))
        final = self._final(json.loads(self._recognizer.FinalResult()))
        self._covered = self._seconds
        return heard + final

    @property
    def _seconds(self) -> float:
        return self._fed / LIVE_RATE

    def _feed(self, samples: Any) -> list[Heard]:
        if len(samples) == 0:
            return []
        if self._recognizer.AcceptWaveform(pcm16(np.asarray(samples, dtype=np.float32)).tobytes()):
            final = self._final(json.loads(self._recognizer.Result()))
            self._covered = self._seconds
            return final
        text = self._join(str(json.loads(self._recognizer.PartialResult()).get("partial", "")).split())
        if not text or text == self._partial:
            return []
        self._partial = text
        return [Heard(LiveKind.PARTIAL, text, self._covered, self._seconds)]

    def _final(self, result: Mapping[str, Any]) -> list[Heard]:
        self._partial = ""
        words = tuple(_word(item, self._seconds) for item in result.get("result", ()))
        if not words:
            return []
        text = self._join([w.text for w in words])
        return [Heard(LiveKind.FINAL, text, words[0].start, words[-1].end, words)]

    def _join(self, words: list[str]) -> str:
        return self._joiner.join(words)


def _word(item: Mapping[str, Any], fed: float) -> Word:
    """A Vosk word; times clamped to the audio fed (Kaldi's frame shift may overshoot), to the ms."""
    start = round(min(max(float(item["start"]), 0.0), fed), 3)
    end = round(min(max(float(item["end"]), start), fed), 3)
    return Word(text=str(item["word"]), start=start, end=end, confidence=float(item.get("conf", 1.0)))
